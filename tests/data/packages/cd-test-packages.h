/* cd-test-packages.h: course package fixtures, zipped at test time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes the fixture @name into @dir (made if missing) and returns the
 * zip's path.  Names that are folders of tests/data/packages ("cc11",
 * "cc13", "brightspace", "scorm12", "scorm2004", "qti", "imscp",
 * "no-manifest", "nested", "missing-files", "billion-laughs", "xxe") are
 * zipped as they are; the hostile ones are built here: "traversal",
 * "traversal-backslash", "absolute", "encrypted", "truncated", "bomb",
 * "bomb-header", "huge-total", "many-entries", "manifest-too-large",
 * "duplicate", "symlink", "not-zip", "large-sparse" (a sparse 2.2 GiB
 * package), "hidden-bomb" and "hidden-bomb-zip64" (the same, plus one entry
 * of lying size). */
char *cd_test_package_make (const char *name,
                            const char *dir);

G_END_DECLS
