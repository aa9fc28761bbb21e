/* cd-credentials.h: app and user keys in the keyring, and nowhere else
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "cd-secret.h"

G_BEGIN_DECLS

#define CD_CREDENTIALS_ERROR (cd_credentials_error_quark ())

typedef enum {
  CD_CREDENTIALS_ERROR_UNAVAILABLE,  /* no keyring, locked, or it refused */
} CdCredentialsError;

GQuark cd_credentials_error_quark (void);

typedef enum {
  CD_CREDENTIAL_APP_KEY,
  CD_CREDENTIAL_USER_KEY,
  CD_CREDENTIAL_CLIENT_SECRET,  /* OAuth 2.0: @app_id is the client ID */
  CD_CREDENTIAL_REFRESH_TOKEN,  /* OAuth 2.0: @app_id is the client ID */
} CdCredentialKind;

/* Named APP_ID, with the string attributes "host" (the normalized
 * Brightspace address, "https://school.brightspace.com"), "app-id" (or
 * OAuth client ID), "user-id" (user keys only) and "kind" ("app-key",
 * "user-key", "client-secret" or "refresh-token"). */
const SecretSchema *cd_credentials_get_schema   (void) G_GNUC_CONST;

/* Only the secret_password_* API is used: inside Flatpak it goes through
 * the Secret portal without any --talk-name (gnome-conventions.md §6).
 *
 * @user_id is required for CD_CREDENTIAL_USER_KEY and ignored for the
 * other kinds.  Store replaces an item with the same attributes. */
void      cd_credentials_store_async    (CdCredentialKind      kind,
                                         const char           *host,
                                         const char           *app_id,
                                         const char           *user_id,
                                         const char           *secret,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean  cd_credentials_store_finish   (GAsyncResult         *result,
                                         GError              **error);
gboolean  cd_credentials_store          (CdCredentialKind      kind,
                                         const char           *host,
                                         const char           *app_id,
                                         const char           *user_id,
                                         const char           *secret,
                                         GCancellable         *cancellable,
                                         GError              **error);

/* (transfer full) (nullable): NULL without @error when there is no such
 * key.  Free with cd_credentials_free_secret(), which wipes it. */
void      cd_credentials_lookup_async   (CdCredentialKind      kind,
                                         const char           *host,
                                         const char           *app_id,
                                         const char           *user_id,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
char     *cd_credentials_lookup_finish  (GAsyncResult         *result,
                                         GError              **error);
char     *cd_credentials_lookup         (CdCredentialKind      kind,
                                         const char           *host,
                                         const char           *app_id,
                                         const char           *user_id,
                                         GCancellable         *cancellable,
                                         GError              **error);

/* Removes every key of @kind for @host; @app_id and @user_id (nullable)
 * narrow it down.  Nothing to remove is not an error. */
void      cd_credentials_clear_async    (CdCredentialKind      kind,
                                         const char           *host,
                                         const char           *app_id,
                                         const char           *user_id,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean  cd_credentials_clear_finish   (GAsyncResult         *result,
                                         GError              **error);
gboolean  cd_credentials_clear          (CdCredentialKind      kind,
                                         const char           *host,
                                         const char           *app_id,
                                         const char           *user_id,
                                         GCancellable         *cancellable,
                                         GError              **error);

void      cd_credentials_free_secret    (char                 *secret);

G_END_DECLS
