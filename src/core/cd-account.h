/* cd-account.h: who we are on which Brightspace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client.h"
#include "cd-oauth.h"

G_BEGIN_DECLS

#define CD_ACCOUNT_ERROR (cd_account_error_quark ())

typedef enum {
  CD_ACCOUNT_ERROR_NO_HOST,
  CD_ACCOUNT_ERROR_NO_APP,
  CD_ACCOUNT_ERROR_NO_USER,
  CD_ACCOUNT_ERROR_INVALID,  /* a setting or variable with a value that cannot be used */
} CdAccountError;

GQuark cd_account_error_quark (void);

#define CD_TYPE_ACCOUNT (cd_account_get_type ())

G_DECLARE_FINAL_TYPE (CdAccount, cd_account, CD, ACCOUNT, GObject)

CdAccount      *cd_account_new                  (const char  *host,
                                                 const char  *app_id,
                                                 const char  *app_key,
                                                 const char  *user_id,
                                                 const char  *user_key) G_GNUC_WARN_UNUSED_RESULT;
/* An OAuth 2.0 account on the host of @oauth, which every client made
 * from it shares (one access token in memory). */
CdAccount      *cd_account_new_oauth            (CdOAuth     *oauth) G_GNUC_WARN_UNUSED_RESULT;
CdAuthKind      cd_account_get_kind             (CdAccount   *self);
/* (transfer none) (nullable): NULL for an ID-Key account. */
CdOAuth        *cd_account_get_oauth            (CdAccount   *self);
/* cd_account_source_resolve() with only a --host (@host_override): the
 * COURSEDROP_* variables first, then the saved account (settings and
 * keyring) for whatever they lack, with COURSEDROP_CA_FILE applied. */
CdAccount      *cd_account_new_from_environment_or_saved (const char    *host_override,
                                                          GCancellable  *cancellable,
                                                          GError       **error) G_GNUC_WARN_UNUSED_RESULT;

const char     *cd_account_get_host             (CdAccount   *self);
const char     *cd_account_get_app_id           (CdAccount   *self);
const char     *cd_account_get_user_id          (CdAccount   *self);
/* The user's name as whoami gave it at sign-in ("Dana Demo"); nullable. */
const char     *cd_account_get_display_name     (CdAccount   *self);
void            cd_account_set_display_name     (CdAccount   *self,
                                                 const char  *display_name);
/* "" or NULL: discover.  Applied to clients made from this account.
 * Anything but a version cd_validate_api_version() accepts is refused:
 * FALSE, and the account keeps its version.  Check typed text with
 * cd_validate_api_version() first for a message. */
const char     *cd_account_get_le_version       (CdAccount   *self);
gboolean        cd_account_set_le_version       (CdAccount   *self,
                                                 const char  *version);
/* Replaces the app (both NULL: none). */
void            cd_account_set_app              (CdAccount   *self,
                                                 const char  *app_id,
                                                 const char  *app_key);
/* Replaces the user (both NULL: none) and forgets the display name. */
void            cd_account_set_user             (CdAccount   *self,
                                                 const char  *user_id,
                                                 const char  *user_key);
/* Whether the ID-Key app ID and key are set (FALSE for OAuth accounts,
 * whose app is their CdOAuth client). */
gboolean        cd_account_has_app              (CdAccount   *self);
gboolean        cd_account_has_user             (CdAccount   *self);
gboolean        cd_account_require_user         (CdAccount   *self,
                                                 GError     **error);
/* TLS trust of the clients made from this account, on top of the
 * certificates pinned in settings (trusted-certificates): a PEM file of
 * extra authorities, and one certificate fingerprint to trust for the
 * host (see cd_client_pin_certificate()). */
void            cd_account_set_ca_file          (CdAccount   *self,
                                                 const char  *pem_path);
const char     *cd_account_get_ca_file          (CdAccount   *self);
/* (nullable): the canonical fingerprint set with set_pinned_certificate(). */
const char     *cd_account_get_pinned_certificate (CdAccount *self);
gboolean        cd_account_set_pinned_certificate (CdAccount  *self,
                                                   const char *sha256,
                                                   GError    **error);
CdIdKeyContext *cd_account_create_context       (CdAccount   *self);
CdClient       *cd_account_create_client        (CdAccount   *self,
                                                 GError     **error);

/* Whoami with this account's keys (manual keys, or a fresh sign-in) before
 * they are saved; on success the display name is set from the answer.
 * Returns (transfer full) the WhoAmIUser object. */
void            cd_account_verify_async         (CdAccount            *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonObject     *cd_account_verify_finish        (CdAccount            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* OAuth sign-in, after cd_oauth_begin_sign_in() on cd_account_get_oauth():
 * trades @redirected (the address the browser ended on, caught or pasted)
 * for tokens with this account's TLS trust, then verifies them like
 * cd_account_verify_async() (the display name and user ID are set).
 * Returns (transfer full) the WhoAmIUser object.  Save the account after. */
void            cd_account_complete_sign_in_async  (CdAccount            *self,
                                                    const char           *redirected,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
JsonObject     *cd_account_complete_sign_in_finish (CdAccount            *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* The saved account: host, app ID, user ID, display name and LE version
 * from GSettings, the app and user keys from the keyring.  Fails with
 * CD_ACCOUNT_ERROR_NO_HOST when none is saved; the account may lack its
 * app key or user (signed out) — check cd_account_has_app()/has_user(). */
void            cd_account_load_saved_async     (GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
CdAccount      *cd_account_load_saved_finish    (GAsyncResult         *result,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;
CdAccount      *cd_account_load_saved           (GCancellable         *cancellable,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;

/* Makes this the saved account: keys to the keyring first, then the other
 * fields to GSettings.  An account without a user also removes the saved
 * user, and a new host removes the user key saved for the old one. */
void            cd_account_save_async           (CdAccount            *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        cd_account_save_finish          (CdAccount            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
gboolean        cd_account_save                 (CdAccount            *self,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

/* Forgets the user: the user keys of this host leave the keyring, and
 * user-id and display-name are cleared in settings when they belong to
 * this host.  Host, app ID and app key stay. */
void            cd_account_sign_out_async       (CdAccount            *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        cd_account_sign_out_finish      (CdAccount            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
gboolean        cd_account_sign_out             (CdAccount            *self,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

G_END_DECLS
