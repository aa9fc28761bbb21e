/* package-test-util.h: package files, hand-built zip archives and the
 * check run to its end, shared by the package tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-package.h"

/* Spaces, quotes and a non-ASCII letter: names as teachers write them. */
#define AWKWARD_NAME "Week 1 “Cells” 'é'"

/* An empty archive: only the end of central directory record. */
extern const guint8 empty_zip[22];

char *
package_dir (void);

char *
write_file (const char *name,
            const void *data,
            gsize       length);

CdPackage *
package_for_path (const char *path);

void
append_le (GByteArray *bytes,
           guint32     value,
           guint       width);

GByteArray *
build_zip (const char *name,
           const char *content);

void
assert_check_fails (const char     *path,
                    CdPackageError  code,
                    const char     *named);

void
assert_check_passes (const char *path,
                     gint64      size);

gboolean
run_check_full (CdPackage     *package,
                gboolean       full,
                GCancellable  *cancellable,
                gboolean       cancel_after_start,
                GError       **error);

gboolean
run_check (CdPackage     *package,
           GCancellable  *cancellable,
           gboolean       cancel_after_start,
           GError       **error);
