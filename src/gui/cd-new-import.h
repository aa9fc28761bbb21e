/* cd-new-import.h: one pending package, waiting for its course offering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-client.h"
#include "cd-package.h"
#include "cd-package-preview.h"

G_BEGIN_DECLS

#define CD_TYPE_NEW_IMPORT (cd_new_import_get_type ())

G_DECLARE_FINAL_TYPE (CdNewImport, cd_new_import, CD, NEW_IMPORT, AdwBin)

/* Starts checking (hashing) @package at once. */
CdNewImport *cd_new_import_new               (CdPackage   *package) G_GNUC_WARN_UNUSED_RESULT;

CdPackage   *cd_new_import_get_package       (CdNewImport *self);
/* (nullable): without a client, offerings are looked up once one is set. */
void         cd_new_import_set_client        (CdNewImport *self,
                                              CdClient    *client);
void         cd_new_import_set_offering_id   (CdNewImport *self,
                                              gint64       offering_id);
gint64       cd_new_import_get_offering_id   (CdNewImport *self);
const char  *cd_new_import_get_offering_name (CdNewImport *self);
/* What the package holds, once read (nullable: not yet, or refused). */
CdPackagePreview *cd_new_import_get_preview  (CdNewImport *self);
/* The package checked out, was read, and the offering was found. */
gboolean     cd_new_import_get_ready         (CdNewImport *self);
/* While the window asks about a duplicate: no second press. */
void         cd_new_import_set_busy          (CdNewImport *self,
                                              gboolean     busy);
gboolean     cd_new_import_get_busy          (CdNewImport *self);

/* What the card is busy with, shown in place of the package's size
 * (NULL: that again). */
void         cd_new_import_set_activity      (CdNewImport *self,
                                              const char  *activity);
void         cd_new_import_focus_offering    (CdNewImport *self);

G_END_DECLS
