/* cd-account-source.c: where the account comes from, decided in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-account-private.h"
#include "cd-account-source.h"
#include "cd-client-private.h"
#include "cd-credentials.h"
#include "cd-settings.h"
#include "cd-validate.h"

#define CA_FILE_VARIABLE "COURSEDROP_CA_FILE"
#define SHOWN_MAX_CHARS  80

static const char * const account_variables[] = {
  "COURSEDROP_HOST", "COURSEDROP_APP_ID", "COURSEDROP_APP_KEY",
  "COURSEDROP_USER_ID", "COURSEDROP_USER_KEY", "COURSEDROP_ACCESS_TOKEN",
};

/* Set, they make the account an ID-Key one whatever was saved. */
static const char * const idkey_variables[] = {
  "COURSEDROP_APP_ID", "COURSEDROP_APP_KEY", "COURSEDROP_USER_ID", "COURSEDROP_USER_KEY",
};

static char *
env_value (const char *name)
{
  return _cd_account_non_empty (g_getenv (name));
}

gboolean
cd_account_source_has_environment (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (account_variables); i++)
    {
      const char *value = g_getenv (account_variables[i]);

      if (value != NULL && value[0] != '\0')
        return TRUE;
    }

  return FALSE;
}

const char *
cd_account_source_get_ca_file (void)
{
  const char *path = g_getenv (CA_FILE_VARIABLE);

  return path != NULL && path[0] != '\0' ? path : NULL;
}

/* A value from outside as it may appear in a message: valid UTF-8, no
 * control characters (they could forge the lines that follow), and cut
 * short when long. */
static char *
shown_value (const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);
  GString *shown = g_string_new (NULL);
  guint n_chars = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n_chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n_chars == SHOWN_MAX_CHARS)
        {
          g_string_append (shown, "…");
          break;
        }
      g_string_append_unichar (shown, g_unichar_iscntrl (c) ? 0xFFFD : c);
    }

  return g_string_free (shown, FALSE);
}

/* Says which value was not a fingerprint; returns FALSE. */
static gboolean
prefix_fingerprint_error (GError     **error,
                          const char  *fingerprint)
{
  g_autofree char *shown = shown_value (fingerprint);

  g_prefix_error (error, "“%s”: ", shown);
  return FALSE;
}

/* Loaded once here, so that a missing or broken file is a usage error
 * naming the variable, not a TLS failure at the first request. */
static gboolean
check_ca_file (const char  *path,
               GError     **error)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *name = NULL;

  database = g_tls_file_database_new (path, &local_error);
  if (database != NULL)
    return TRUE;

  display_name = g_filename_display_name (path);
  name = shown_value (display_name);
  g_set_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_INVALID,
               /* Translators: a file path, then why it could not be used. */
               _("COURSEDROP_CA_FILE names “%s”, which is not a readable file of PEM "
                 "certificates (%s). Fix the path, or unset COURSEDROP_CA_FILE."),
               name, local_error->message);
  return FALSE;
}

gboolean
cd_account_source_apply_tls (CdAccount   *account,
                             const char  *trust_fingerprint,
                             GError     **error)
{
  const char *ca_file = cd_account_source_get_ca_file ();

  g_return_val_if_fail (CD_IS_ACCOUNT (account), FALSE);

  if (ca_file != NULL && !check_ca_file (ca_file, error))
    return FALSE;
  cd_account_set_ca_file (account, ca_file);

  if (trust_fingerprint != NULL &&
      !cd_account_set_pinned_certificate (account, trust_fingerprint, error))
    return prefix_fingerprint_error (error, trust_fingerprint);

  return TRUE;
}

gboolean
cd_account_source_apply_signin_tls (CdSignIn    *signin,
                                    const char  *trust_fingerprint,
                                    GError     **error)
{
  const char *ca_file = cd_account_source_get_ca_file ();

  g_return_val_if_fail (CD_IS_SIGNIN (signin), FALSE);

  if (ca_file != NULL && !check_ca_file (ca_file, error))
    return FALSE;
  cd_signin_set_ca_file (signin, ca_file);

  if (trust_fingerprint != NULL &&
      !cd_signin_set_pinned_certificate (signin, trust_fingerprint, error))
    return prefix_fingerprint_error (error, trust_fingerprint);

  return TRUE;
}

/* --- resolution -------------------------------------------------------------------- */

typedef struct
{
  GSettings *settings;      /* (owned) (nullable): no schema installed */
  char      *saved_host;    /* (owned) (nullable): normalized */
  char      *host;          /* (owned) normalized */
  gboolean   same_host;     /* saved IDs may be used */
} Resolution;

static void
resolution_clear (Resolution *r)
{
  g_clear_object (&r->settings);
  g_clear_pointer (&r->saved_host, g_free);
  g_clear_pointer (&r->host, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Resolution, resolution_clear)

static char *
saved_string (Resolution *r,
              const char *key)
{
  g_autofree char *value = NULL;

  if (r->settings == NULL || !r->same_host)
    return NULL;

  value = g_settings_get_string (r->settings, key);
  return _cd_account_non_empty (value);
}

static gboolean
resolve_host (Resolution        *r,
              const char        *option,
              GError           **error)
{
  g_autofree char *host = _cd_account_non_empty (option);
  const char *source = "--host";

  if (r->settings != NULL)
    {
      g_autofree char *saved = g_settings_get_string (r->settings, "host");

      /* A saved host that is not one counts as none: it was never usable. */
      if (saved[0] != '\0')
        r->saved_host = _cd_client_normalize_host (saved, NULL);
    }

  if (host == NULL)
    {
      host = env_value ("COURSEDROP_HOST");
      source = "COURSEDROP_HOST";
    }
  if (host == NULL)
    host = g_strdup (r->saved_host);

  if (host == NULL)
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST,
                           _("No Brightspace address is set. Sign in with “coursedrop-cli "
                             "login --host https://your.school.edu”, pass --host, or set "
                             "COURSEDROP_HOST."));
      return FALSE;
    }

  /* The saved host was normalized above: only the others can fail. */
  if (!(r->host = _cd_client_normalize_host (host, error)))
    {
      g_autofree char *shown = shown_value (host);

      /* Translators: an option or variable, then the value it was given. */
      g_prefix_error (error, _("%s “%s”: "), source, shown);
      return FALSE;
    }

  /* Saved IDs belong to the saved host: never mix them with another site. */
  r->same_host = r->saved_host != NULL && g_str_equal (r->saved_host, r->host);
  return TRUE;
}

/* The key of @kind for @app_id (and @user_id) from the keyring; NULL
 * without @error when there is none. */
static CdSecret *
keyring_key (CdCredentialKind   kind,
             const char        *host,
             const char        *app_id,
             const char        *user_id,
             GCancellable      *cancellable,
             GError           **error)
{
  char *secret = cd_credentials_lookup (kind, host, app_id, user_id, cancellable, error);
  CdSecret *copy = cd_secret_dup (secret);

  cd_credentials_free_secret (secret);
  return copy;
}

static gboolean
resolve_le_version (Resolution  *r,
                    CdAccount   *account,
                    GError     **error)
{
  g_autofree char *version = saved_string (r, "le-version");
  g_autoptr(GError) local_error = NULL;

  if (version == NULL || cd_validate_api_version (version, &local_error))
    {
      cd_account_set_le_version (account, version);
      return TRUE;
    }

  g_set_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_INVALID,
               /* Translators: a saved setting's value, then why it is wrong. */
               _("The saved LE API version “%s” cannot be used. %s Change it in Coursedrop’s "
                 "account settings, or clear it with “gsettings reset %s le-version”."),
               version, local_error->message, APP_ID);
  return FALSE;
}

static const char half_user_message[] =
  N_("Only half of the user credentials are set. Set both COURSEDROP_USER_ID and "
     "COURSEDROP_USER_KEY.");

/* The user: both from the environment, or the saved one of this host and
 * app (whose key is only in the keyring). */
static gboolean
resolve_user (Resolution    *r,
              CdAccount     *account,
              const char    *saved_app_id,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *user_id = env_value ("COURSEDROP_USER_ID");
  g_autoptr(CdSecret) user_key = env_value ("COURSEDROP_USER_KEY");
  g_autoptr(GError) local_error = NULL;
  gboolean saved_user = FALSE;

  if (user_key != NULL && user_id == NULL)
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER, _(half_user_message));
      return FALSE;
    }

  if (user_id == NULL && g_strcmp0 (saved_app_id, account->app_id) == 0)
    {
      user_id = saved_string (r, "user-id");
      saved_user = user_id != NULL;
    }

  if (user_key == NULL && user_id != NULL)
    {
      user_key = keyring_key (CD_CREDENTIAL_USER_KEY, r->host, account->app_id, user_id,
                              cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* A saved user whose key is gone is signed out; a user ID in the
       * environment without its key is a mistake. */
      if (user_key == NULL && !saved_user)
        {
          g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER,
                               _(half_user_message));
          return FALSE;
        }
    }

  if (user_key == NULL)
    return TRUE;

  cd_account_set_user (account, user_id, user_key);
  if (saved_user)
    {
      g_autofree char *display_name = saved_string (r, "display-name");

      cd_account_set_display_name (account, display_name);
    }
  return TRUE;
}

static gboolean
has_idkey_environment (const CdAccountOptions *options)
{
  if (options->app_id != NULL && options->app_id[0] != '\0')
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (idkey_variables); i++)
    {
      const char *value = g_getenv (idkey_variables[i]);

      if (value != NULL && value[0] != '\0')
        return TRUE;
    }

  return FALSE;
}

/* A bearer token from elsewhere (pipelines), or the saved OAuth account
 * of this host.  *@account stays NULL when neither applies. */
static gboolean
resolve_oauth (Resolution              *r,
               const CdAccountOptions  *options,
               CdAccount              **account,
               GCancellable            *cancellable,
               GError                 **error)
{
  g_autoptr(CdSecret) token = env_value ("COURSEDROP_ACCESS_TOKEN");
  g_autoptr(CdSecret) secret = env_value ("COURSEDROP_CLIENT_SECRET");
  g_autoptr(CdOAuth) oauth = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *display_name = NULL;

  if (token != NULL)
    {
      if (!(oauth = cd_oauth_new_for_access_token (r->host, token, error)))
        return FALSE;
      *account = cd_account_new_oauth (oauth);
      return TRUE;
    }

  if (has_idkey_environment (options) || r->settings == NULL || !r->same_host)
    return TRUE;

  if (!_cd_account_read_saved_oauth (r->settings, r->host, &oauth, error))
    return FALSE;
  if (oauth == NULL)
    return TRUE;

  if (!_cd_account_load_oauth_secrets (oauth, secret, cancellable, error))
    return FALSE;

  *account = cd_account_new_oauth (oauth);
  if (cd_oauth_is_signed_in (oauth))
    {
      user_id = saved_string (r, "user-id");
      display_name = saved_string (r, "display-name");
      g_free ((*account)->user_id);
      (*account)->user_id = g_steal_pointer (&user_id);
      cd_account_set_display_name (*account, display_name);
    }
  return TRUE;
}

CdAccount *
cd_account_source_resolve (const CdAccountOptions  *options,
                           GCancellable            *cancellable,
                           GError                 **error)
{
  static const CdAccountOptions none = { 0 };
  g_auto(Resolution) r = { 0 };
  g_autoptr(CdAccount) account = NULL;
  g_autofree char *saved_app_id = NULL;
  g_autofree char *app_id = NULL;
  g_autoptr(CdSecret) app_key = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean app_only;

  if (options == NULL)
    options = &none;
  app_only = (options->flags & CD_ACCOUNT_SOURCE_APP_ONLY) != 0;

  r.settings = cd_settings_open ();
  if (!resolve_host (&r, options->host, error))
    return NULL;

  if (!app_only)
    {
      if (!resolve_oauth (&r, options, &account, cancellable, error))
        return NULL;
      if (account != NULL && !resolve_le_version (&r, account, error))
        return NULL;
      if (account != NULL &&
          !cd_account_source_apply_tls (account, options->trust_fingerprint, error))
        return NULL;
      if (account != NULL)
        return g_steal_pointer (&account);
    }

  saved_app_id = saved_string (&r, "app-id");
  app_id = _cd_account_non_empty (options->app_id);
  if (app_id == NULL)
    app_id = env_value ("COURSEDROP_APP_ID");
  if (app_id == NULL)
    app_id = g_strdup (saved_app_id);

  app_key = env_value ("COURSEDROP_APP_KEY");
  if (app_key == NULL && app_id != NULL)
    {
      app_key = keyring_key (CD_CREDENTIAL_APP_KEY, r.host, app_id, NULL, cancellable,
                             &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  if (!app_only && (app_id == NULL || app_key == NULL))
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP,
                           _("No app credentials are set. Sign in with “coursedrop-cli "
                             "login”, or set COURSEDROP_APP_ID and COURSEDROP_APP_KEY to the "
                             "ID and key of your Brightspace app."));
      return NULL;
    }

  account = cd_account_new (r.host, app_id, app_key, NULL, NULL);

  /* Sign-in saves the account anew, so a bad saved version is no obstacle. */
  if (!app_only && !resolve_le_version (&r, account, error))
    return NULL;
  if (!app_only && !resolve_user (&r, account, saved_app_id, cancellable, error))
    return NULL;
  if (!cd_account_source_apply_tls (account, options->trust_fingerprint, error))
    return NULL;

  return g_steal_pointer (&account);
}

CdAccount *
cd_account_new_from_environment_or_saved (const char    *host_override,
                                          GCancellable  *cancellable,
                                          GError       **error)
{
  CdAccountOptions options = { .host = host_override };

  return cd_account_source_resolve (&options, cancellable, error);
}
