/* cd-account-oauth.c: the saved OAuth 2.0 account
 *
 * Settings hold the client ID, the endpoints, the redirect URI and the
 * scopes (empty for the defaults); the keyring holds the client secret
 * and the refresh token; the access token lives in memory only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-account-private.h"
#include "cd-oauth-private.h"

static char *
settings_value (GSettings  *settings,
                const char *key)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  return _cd_account_non_empty (value);
}

/* A saved value that cannot be used names itself and how to reset it. */
static gboolean
prefix_setting (GError     **error,
                const char  *key)
{
  if (error != NULL && *error != NULL)
    {
      GError *wrapped = g_error_new (CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_INVALID,
                                     /* Translators: an error, then a settings key and schema. */
                                     _("%s Correct it in Coursedrop’s account settings, or "
                                       "reset it with “gsettings reset %s %s”."),
                                     (*error)->message, APP_ID, key);

      g_clear_error (error);
      g_propagate_error (error, wrapped);
    }
  return FALSE;
}

gboolean
_cd_account_read_saved_oauth (GSettings  *settings,
                              const char *host,
                              CdOAuth   **oauth,
                              GError    **error)
{
  g_autofree char *kind = settings_value (settings, "auth-kind");
  g_autofree char *client_id = NULL;
  g_autofree char *auth_url = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *redirect = NULL;
  g_autofree char *scope = NULL;
  g_autoptr(CdOAuth) result = NULL;

  *oauth = NULL;
  if (g_strcmp0 (kind, "oauth") != 0)
    return TRUE;

  client_id = settings_value (settings, "client-id");
  if (!(result = cd_oauth_new (host, client_id, error)))
    return prefix_setting (error, "client-id");

  auth_url = settings_value (settings, "oauth-auth-url");
  token_url = settings_value (settings, "oauth-token-url");
  redirect = settings_value (settings, "oauth-redirect-uri");
  scope = settings_value (settings, "oauth-scope");
  if (!cd_oauth_set_auth_url (result, auth_url, error))
    return prefix_setting (error, "oauth-auth-url");
  if (!cd_oauth_set_token_url (result, token_url, error))
    return prefix_setting (error, "oauth-token-url");
  if (!cd_oauth_set_redirect_uri (result, redirect, error))
    return prefix_setting (error, "oauth-redirect-uri");
  if (!cd_oauth_set_scope (result, scope, error))
    return prefix_setting (error, "oauth-scope");

  *oauth = g_steal_pointer (&result);
  return TRUE;
}

gboolean
_cd_account_load_oauth_secrets (CdOAuth       *oauth,
                                const char    *secret_override,
                                GCancellable  *cancellable,
                                GError       **error)
{
  const char *host = cd_oauth_get_host (oauth);
  const char *client_id = cd_oauth_get_client_id (oauth);
  g_autoptr(GError) local_error = NULL;
  char *secret;
  char *refresh;

  if (secret_override != NULL && *secret_override != '\0')
    cd_oauth_set_client_secret (oauth, secret_override);
  else
    {
      secret = cd_credentials_lookup (CD_CREDENTIAL_CLIENT_SECRET, host, client_id, NULL,
                                      cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      cd_oauth_set_client_secret (oauth, secret);
      cd_credentials_free_secret (secret);
    }

  /* Read again at every renewal: only whether there is one counts here. */
  refresh = cd_credentials_lookup (CD_CREDENTIAL_REFRESH_TOKEN, host, client_id, NULL,
                                   cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  cd_oauth_set_signed_in (oauth, refresh != NULL);
  cd_credentials_free_secret (refresh);

  return TRUE;
}

/* A setting at its default is saved empty, so a new default applies. */
static const char *
unless_default (const char *value,
                const char *fallback)
{
  return g_strcmp0 (value, fallback) == 0 ? "" : value;
}

void
_cd_account_save_oauth (CdAccount         *self,
                        CdAccountBatchAdd  add,
                        CdAccountBatchSet  set,
                        gpointer           batch,
                        const char        *host)
{
  CdOAuth *oauth = self->oauth;
  const char *client_id = cd_oauth_get_client_id (oauth);
  gboolean user = cd_account_has_user (self);

  /* A token from elsewhere (COURSEDROP_ACCESS_TOKEN) is not an account to keep. */
  g_return_if_fail (client_id != NULL);

  /* The OAuth account replaces an ID-Key user of this host. */
  add (batch, FALSE, CD_CREDENTIAL_USER_KEY, host, NULL, NULL);
  if (cd_oauth_has_client_secret (oauth))
    {
      g_autoptr(CdSecret) secret = _cd_oauth_dup_client_secret (oauth);

      add (batch, TRUE, CD_CREDENTIAL_CLIENT_SECRET, host, client_id, secret);
    }

  set (batch, "host", host);
  set (batch, "auth-kind", "oauth");
  set (batch, "client-id", client_id);
  set (batch, "oauth-auth-url", unless_default (cd_oauth_get_auth_url (oauth),
                                                CD_OAUTH_DEFAULT_AUTH_URL));
  set (batch, "oauth-token-url", unless_default (cd_oauth_get_token_url (oauth),
                                                 CD_OAUTH_DEFAULT_TOKEN_URL));
  set (batch, "oauth-redirect-uri", unless_default (cd_oauth_get_redirect_uri (oauth),
                                                    CD_OAUTH_DEFAULT_REDIRECT_URI));
  set (batch, "oauth-scope", unless_default (cd_oauth_get_scope (oauth),
                                             CD_OAUTH_DEFAULT_SCOPE));
  set (batch, "user-id", user ? self->user_id : NULL);
  set (batch, "display-name", user ? self->display_name : NULL);
  set (batch, "le-version", self->le_version);
}
