/* cd-package-outline.h: what a course package holds, before it is imported
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-package-preview.h"

G_BEGIN_DECLS

#define CD_TYPE_PACKAGE_OUTLINE (cd_package_outline_get_type ())

G_DECLARE_FINAL_TYPE (CdPackageOutline, cd_package_outline, CD, PACKAGE_OUTLINE, AdwBin)

/* Starts out saying the package is being read. */
CdPackageOutline *cd_package_outline_new          (void) G_GNUC_WARN_UNUSED_RESULT;

/* The kind, the course, counts by type, warnings and the outline. */
void              cd_package_outline_set_preview  (CdPackageOutline *self,
                                                   CdPackagePreview *preview);
/* Why the package cannot be imported (a sentence from the reader). */
void              cd_package_outline_set_refused  (CdPackageOutline *self,
                                                   const char       *reason);

G_END_DECLS
