/* cd-certificate-dialog.h: asks whether to trust a server's certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-certificate.h"

G_BEGIN_DECLS

#define CD_TYPE_CERTIFICATE_DIALOG (cd_certificate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CdCertificateDialog, cd_certificate_dialog, CD, CERTIFICATE_DIALOG,
                      AdwMessageDialog)

/* Responses: "trust" and "cancel". */
CdCertificateDialog *cd_certificate_dialog_new             (GtkWindow           *parent,
                                                            CdCertificateInfo   *certificate) G_GNUC_WARN_UNUSED_RESULT;
CdCertificateInfo   *cd_certificate_dialog_get_certificate (CdCertificateDialog *self);

G_END_DECLS
