/* cd-account.h: who we are on which Brightspace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client.h"

G_BEGIN_DECLS

#define CD_ACCOUNT_ERROR (cd_account_error_quark ())

typedef enum {
  CD_ACCOUNT_ERROR_NO_HOST,
  CD_ACCOUNT_ERROR_NO_APP,
  CD_ACCOUNT_ERROR_NO_USER,
} CdAccountError;

GQuark cd_account_error_quark (void);

#define CD_TYPE_ACCOUNT (cd_account_get_type ())

G_DECLARE_FINAL_TYPE (CdAccount, cd_account, CD, ACCOUNT, GObject)

CdAccount      *cd_account_new                  (const char  *host,
                                                 const char  *app_id,
                                                 const char  *app_key,
                                                 const char  *user_id,
                                                 const char  *user_key) G_GNUC_WARN_UNUSED_RESULT;
CdAccount      *cd_account_new_from_environment (const char  *host_override,
                                                 GError     **error) G_GNUC_WARN_UNUSED_RESULT;

const char     *cd_account_get_host             (CdAccount   *self);
const char     *cd_account_get_app_id           (CdAccount   *self);
const char     *cd_account_get_user_id          (CdAccount   *self);
gboolean        cd_account_has_user             (CdAccount   *self);
gboolean        cd_account_require_user         (CdAccount   *self,
                                                 GError     **error);
CdIdKeyContext *cd_account_create_context       (CdAccount   *self);
CdClient       *cd_account_create_client        (CdAccount   *self,
                                                 GError     **error);

G_END_DECLS
