/* cd-application.h: the Coursedrop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-client.h"

G_BEGIN_DECLS

#define CD_TYPE_APPLICATION (cd_application_get_type ())

G_DECLARE_FINAL_TYPE (CdApplication, cd_application, CD, APPLICATION, AdwApplication)

CdApplication *cd_application_new          (void) G_GNUC_WARN_UNUSED_RESULT;
/* An expired sign-in shows the banner, an untrusted certificate (when
 * @client kept it) the trust dialog.  TRUE when @error was one of those. */
gboolean       cd_application_handle_error (CdApplication *self,
                                            CdClient      *client,
                                            const GError  *error);

G_END_DECLS
