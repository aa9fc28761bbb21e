/* cd-new-offering-dialog.h: a new course offering from a template
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-org-units.h"

G_BEGIN_DECLS

#define CD_TYPE_NEW_OFFERING_DIALOG (cd_new_offering_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CdNewOfferingDialog, cd_new_offering_dialog, CD, NEW_OFFERING_DIALOG,
                      AdwWindow)

/* Emits ::created (CdOrgUnit, gboolean created) and closes once the
 * offering exists; created is FALSE when one had the code already. */
CdNewOfferingDialog *cd_new_offering_dialog_new (CdOrgUnits *org_units) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
