/* cd-cli-login-oauth.c: coursedrop-cli login --oauth
 *
 * The authorization-code grant from a terminal.  With a loopback redirect
 * URI (http://127.0.0.1:PORT/PATH) Coursedrop listens there; otherwise
 * (the usual https://localhost:PORT/… that nothing serves) the user pastes
 * the address the browser ended on.  The client secret comes from
 * COURSEDROP_CLIENT_SECRET or a prompt without echo, never an argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "cd-account-source.h"
#include "cd-cli.h"
#include "cd-cli-login.h"
#include "cd-secret.h"
#include "cd-settings.h"
#include "cd-signin.h"

#define MAX_PASTED 16384

typedef struct
{
  gboolean      done;
  GAsyncResult *result;  /* (owned) (nullable) */
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static gboolean
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static CdOAuth *
make_oauth (const char          *host,
            const CdCliOAuthLogin *options,
            GError             **error)
{
  g_autoptr(CdOAuth) oauth = NULL;
  g_autoptr(CdSecret) secret = NULL;
  const char *from_env = g_getenv ("COURSEDROP_CLIENT_SECRET");

  if (!(oauth = cd_oauth_new (host, options->client_id, error)) ||
      !cd_oauth_set_auth_url (oauth, options->auth_url, error) ||
      !cd_oauth_set_token_url (oauth, options->token_url, error) ||
      !cd_oauth_set_redirect_uri (oauth, options->redirect_uri, error) ||
      !cd_oauth_set_scope (oauth, options->scope, error))
    return NULL;

  if (from_env != NULL && *from_env != '\0')
    secret = cd_secret_dup (from_env);
  else if (cd_cli_login_interactive ())
    secret = cd_cli_login_prompt (_("Client secret (not shown): "), TRUE);

  if (secret == NULL)
    {
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                           _("Signing in needs the client secret of the app. Set "
                             "COURSEDROP_CLIENT_SECRET, or run this command in a terminal "
                             "to type it."));
      return NULL;
    }
  cd_oauth_set_client_secret (oauth, secret);

  return g_steal_pointer (&oauth);
}

/* The address the browser ended on, from standard input. */
static char *
read_pasted (void)
{
  g_autoptr(CdSecret) line = g_malloc0 (MAX_PASTED);
  char *answer;

  g_printerr (_("After signing in, copy the whole address from the browser’s address bar "
                "(the page itself may fail to load) and paste it here:\n"));
  if (fgets (line, MAX_PASTED, stdin) == NULL)
    return NULL;

  line[strcspn (line, "\r\n")] = '\0';
  answer = cd_secret_dup (g_strstrip (line));
  if (*answer == '\0')
    g_clear_pointer (&answer, cd_secret_free);
  return answer;
}

static int
wait_loopback (CdAccount     *account,
               gboolean       no_browser,
               guint          timeout,
               CdAccount    **signed_in)
{
  g_autoptr(CdSignIn) signin = cd_signin_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Wait wait = { 0 };
  guint sigint_id;

  if (!cd_account_source_apply_signin_tls (signin, cd_cli_get_trust_fingerprint (), &error) ||
      !(url = cd_signin_start_oauth (signin, account, &error)))
    return cd_cli_fail (error);

  cd_cli_login_open_browser (url, no_browser);
  g_printerr (_("Waiting for Brightspace to send you back (press Ctrl+C to stop)…\n"));

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, cancellable);
  cd_signin_wait_async (signin, timeout, cancellable, wait_cb, &wait);
  cd_cli_wait (&wait.done);
  g_source_remove (sigint_id);

  *signed_in = cd_signin_wait_finish (signin, wait.result, &error);
  g_clear_object (&wait.result);
  if (*signed_in == NULL)
    return cd_cli_fail (error);

  return CD_EXIT_OK;
}

static int
wait_pasted (CdAccount *account,
             gboolean   no_browser)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdSecret) pasted = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autofree char *url = NULL;
  Wait wait = { 0 };

  if (!(url = cd_oauth_begin_sign_in (cd_account_get_oauth (account), &error)))
    return cd_cli_fail (error);

  cd_cli_login_open_browser (url, no_browser);
  if (!(pasted = read_pasted ()))
    return cd_cli_usage (_("No address was pasted, so the sign-in stopped."));

  cd_account_complete_sign_in_async (account, pasted, NULL, wait_cb, &wait);
  cd_cli_wait (&wait.done);
  user = cd_account_complete_sign_in_finish (account, wait.result, &error);
  g_clear_object (&wait.result);
  if (user == NULL)
    return cd_cli_fail (error);

  return CD_EXIT_OK;
}

/* Signing in again: what is not given comes from the saved OAuth account
 * of the same host, so the registered values need typing only once. */
static void
saved_defaults (GSettings        *settings,
                const char       *host,
                CdCliOAuthLogin  *options,
                GPtrArray        *owned)
{
  static const char * const keys[] = {
    "client-id", "oauth-redirect-uri", "oauth-scope", "oauth-auth-url", "oauth-token-url",
  };
  const char **fields[] = {
    &options->client_id, &options->redirect_uri, &options->scope, &options->auth_url,
    &options->token_url,
  };
  g_autofree char *kind = g_settings_get_string (settings, "auth-kind");
  g_autofree char *saved_host = g_settings_get_string (settings, "host");
  g_autofree char *normalized = cd_client_normalize_host (saved_host, NULL);

  if (g_strcmp0 (kind, "oauth") != 0 || g_strcmp0 (normalized, host) != 0)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = g_settings_get_string (settings, keys[i]);

      if (*fields[i] != NULL || *value == '\0')
        continue;
      *fields[i] = value;
      g_ptr_array_add (owned, g_steal_pointer (&value));
    }
}

int
cd_cli_login_oauth (const char            *host_option,
                    const CdCliOAuthLogin *given)
{
  CdAccountOptions account_options = { .host = host_option, .flags = CD_ACCOUNT_SOURCE_APP_ONLY };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CdAccount) resolved = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdAccount) signed_in = NULL;
  g_autoptr(CdOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;
  const char *fingerprint = cd_cli_get_trust_fingerprint ();
  CdCliOAuthLogin copy = *given;
  const CdCliOAuthLogin *options = &copy;
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);
  gboolean loopback;
  int status;

  if (!(settings = cd_settings_open ()))
    return cd_cli_usage (_("Coursedrop cannot save accounts because its settings schema is "
                           "not installed. Reinstall Coursedrop."));

  /* Only the host is taken from there: the app is the OAuth client. */
  if (!(resolved = cd_account_source_resolve (&account_options, NULL, &error)))
    return cd_cli_fail (error);
  saved_defaults (settings, cd_account_get_host (resolved), &copy, saved);
  if (options->client_id == NULL)
    return cd_cli_usage (_("login --oauth needs --client-id, the client ID of the app "
                           "registered in Brightspace."));
  if (!(oauth = make_oauth (cd_account_get_host (resolved), options, &error)))
    return cd_cli_fail (error);

  account = cd_account_new_oauth (oauth);
  if (!cd_account_source_apply_tls (account, fingerprint, &error))
    return cd_cli_fail (error);

  loopback = !options->paste &&
             cd_signin_check_callback_url (cd_oauth_get_redirect_uri (oauth), NULL, NULL);
  if (loopback)
    status = wait_loopback (account, options->no_browser, options->timeout, &signed_in);
  else
    {
      status = wait_pasted (account, options->no_browser);
      signed_in = g_object_ref (account);
    }
  if (status != CD_EXIT_OK)
    return status;

  /* The refresh token is in the keyring already; now the rest. */
  if (!cd_account_save (signed_in, NULL, &error))
    return cd_cli_fail (error);
  if (fingerprint != NULL &&
      !cd_settings_set_trusted_certificate (settings, cd_account_get_host (signed_in),
                                            fingerprint, &error))
    return cd_cli_fail (error);
  g_settings_sync ();

  /* Translators: a person's name, their Brightspace user ID, the site. */
  g_print (_("Signed in with OAuth 2.0 as %s (%s) on %s\n"),
           cd_account_get_display_name (signed_in) != NULL
             ? cd_account_get_display_name (signed_in) : "?",
           cd_account_get_user_id (signed_in) != NULL
             ? cd_account_get_user_id (signed_in) : "?",
           cd_account_get_host (signed_in));
  return CD_EXIT_OK;
}
