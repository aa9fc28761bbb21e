/* cd-cli-login.c: coursedrop-cli login and logout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "cd-account-source.h"
#include "cd-cli.h"
#include "cd-cli-login.h"
#include "cd-secret.h"
#include "cd-settings.h"
#include "cd-signin.h"

/* Long enough to find the password of a single sign-on page. */
#define DEFAULT_TIMEOUT_SECONDS (10 * 60)

gboolean
cd_cli_login_interactive (void)
{
  return isatty (STDIN_FILENO) && isatty (STDERR_FILENO);
}

/* Asks on the terminal; a key is read with echo off, so it is never on
 * screen (nor in a terminal's scrollback). */
char *
cd_cli_login_prompt (const char *question,
                     gboolean    secret)
{
  struct termios saved, quiet;
  gboolean restore = FALSE;
  char line[4096];
  char *answer = NULL;

  g_printerr ("%s", question);

  if (secret && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }

  if (fgets (line, sizeof line, stdin) != NULL)
    {
      line[strcspn (line, "\r\n")] = '\0';
      answer = g_strdup (g_strstrip (line));
    }
  memset (line, 0, sizeof line);

  if (restore)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  if (answer != NULL && *answer == '\0')
    g_clear_pointer (&answer, g_free);

  return answer;
}

/* Host and app as cd_account_source_resolve() finds them (options, the
 * environment, the saved account, the keyring), and what is still missing
 * typed at the terminal. */
static CdAccount *
resolve_app (const char  *host_option,
             GError     **error)
{
  CdAccountOptions options = { .host = host_option, .flags = CD_ACCOUNT_SOURCE_APP_ONLY };
  g_autofree char *typed_host = NULL;
  g_autofree char *typed_app_id = NULL;
  g_autoptr(CdSecret) typed_key = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *app_id = NULL;

  account = cd_account_source_resolve (&options, NULL, &local_error);
  if (account == NULL &&
      g_error_matches (local_error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST) &&
      cd_cli_login_interactive () &&
      (typed_host = cd_cli_login_prompt (_("Brightspace address (such as "
                                           "https://school.brightspace.com): "),
                                         FALSE)) != NULL)
    {
      g_clear_error (&local_error);
      options.host = typed_host;
      account = cd_account_source_resolve (&options, NULL, &local_error);
    }
  if (account == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* A typed app ID may have its key in the keyring already. */
  if (cd_account_get_app_id (account) == NULL && cd_cli_login_interactive () &&
      (typed_app_id = cd_cli_login_prompt (_("App ID: "), FALSE)) != NULL)
    {
      options.app_id = typed_app_id;
      g_clear_object (&account);
      if (!(account = cd_account_source_resolve (&options, NULL, error)))
        return NULL;
    }

  app_id = g_strdup (cd_account_get_app_id (account));
  if (app_id != NULL && !cd_account_has_app (account) && cd_cli_login_interactive () &&
      (typed_key = cd_cli_login_prompt (_("App key (not shown): "), TRUE)) != NULL)
    cd_account_set_app (account, app_id, typed_key);

  return g_steal_pointer (&account);
}

typedef struct
{
  gboolean   done;
  CdAccount *account;  /* (owned) (nullable) */
  GError    *error;    /* (owned) (nullable) */
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->account = cd_signin_wait_finish (CD_SIGNIN (object), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

void
cd_cli_login_open_browser (const char *url,
                           gboolean    no_browser)
{
  g_autoptr(GError) error = NULL;

  if (!no_browser && g_app_info_launch_default_for_uri (url, NULL, &error))
    {
      g_printerr (_("Sign in to Brightspace in the browser window that opened.\n"));
      return;
    }

  if (error != NULL)
    g_printerr (_("Could not open a browser (%s).\n"), error->message);

  /* The URL holds the app or client ID and a signature or challenge, no secret. */
  g_printerr (_("Open this address in a browser to sign in to Brightspace:\n\n  %s\n\n"), url);
}

int
cd_cli_login (int    argc,
              char **argv)
{
  g_autofree char *host_option = NULL;
  g_autofree char *callback_option = NULL;
  gboolean no_browser = FALSE;
  int timeout = DEFAULT_TIMEOUT_SECONDS;
  gboolean oauth = FALSE;
  gboolean paste = FALSE;
  g_autofree char *client_id = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *auth_url = NULL;
  g_autofree char *token_url = NULL;
  GOptionEntry entries[] = {
    { "oauth", 0, 0, G_OPTION_ARG_NONE, &oauth, N_("Sign in with OAuth 2.0 (the client secret comes from COURSEDROP_CLIENT_SECRET or a prompt)"), NULL },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, N_("OAuth: the client ID of the app registered in Brightspace"), N_("ID") },
    { "redirect-uri", 0, 0, G_OPTION_ARG_STRING, &redirect_uri, N_("OAuth: the redirect URI registered for the app (default https://localhost:47214/coursedrop-callback)"), N_("URI") },
    { "scope", 0, 0, G_OPTION_ARG_STRING, &scope, N_("OAuth: the scopes to ask for, space-separated (default: all Coursedrop uses)"), N_("SCOPES") },
    { "auth-url", 0, 0, G_OPTION_ARG_STRING, &auth_url, N_("OAuth: the authorization endpoint (default https://auth.brightspace.com/oauth2/auth)"), N_("URL") },
    { "token-url", 0, 0, G_OPTION_ARG_STRING, &token_url, N_("OAuth: the token endpoint (default https://auth.brightspace.com/core/connect/token)"), N_("URL") },
    { "paste", 0, 0, G_OPTION_ARG_NONE, &paste, N_("OAuth: paste the address the browser ended on, even with a loopback redirect URI"), NULL },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host_option, N_("Brightspace address (overrides COURSEDROP_HOST and the saved one)"), N_("URL") },
    { "no-browser", 0, 0, G_OPTION_ARG_NONE, &no_browser, N_("Print the sign-in address instead of opening a browser"), NULL },
    { "callback-url", 0, 0, G_OPTION_ARG_STRING, &callback_option, N_("The app’s trusted URL in Brightspace (default http://127.0.0.1:47213/callback)"), N_("URL") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Give up after this many seconds (default 600)"), N_("SECONDS") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(CdSignIn) signin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autofree char *callback_url = NULL;
  g_autofree char *url = NULL;
  const char *fingerprint;
  Wait wait = { 0 };
  guint sigint_id;
  int status;

  context = cd_cli_option_context_new (NULL, _("Sign in to Brightspace with the browser and "
                                               "save the account: the app and user keys go "
                                               "to the keyring, the rest to the settings."),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("login takes no arguments, but “%s” was given."), argv[1]);
  if (timeout < 0)
    return cd_cli_usage (_("--timeout must not be negative."));

  if (oauth)
    {
      CdCliOAuthLogin options = {
        .client_id = client_id, .redirect_uri = redirect_uri, .scope = scope,
        .auth_url = auth_url, .token_url = token_url, .no_browser = no_browser,
        .paste = paste, .timeout = (guint) timeout,
      };

      return cd_cli_login_oauth (host_option, &options);
    }
  if (client_id != NULL || redirect_uri != NULL || scope != NULL || auth_url != NULL ||
      token_url != NULL || paste)
    return cd_cli_usage (_("--client-id, --redirect-uri, --scope, --auth-url, --token-url "
                           "and --paste go with --oauth."));

  if (!(settings = cd_settings_open ()))
    return cd_cli_usage (_("Coursedrop cannot save accounts because its settings schema is "
                           "not installed. Reinstall Coursedrop."));

  if (!(account = resolve_app (host_option, &error)))
    return cd_cli_fail (error);
  if (!cd_account_has_app (account))
    return cd_cli_usage (_("Signing in needs the ID and key of the Brightspace app. Set "
                           "COURSEDROP_APP_ID and COURSEDROP_APP_KEY, or run this command "
                           "in a terminal to type them."));

  callback_url = g_strdup (callback_option);
  if (callback_url == NULL)
    callback_url = g_settings_get_string (settings, "callback-url");
  if (*callback_url == '\0')
    {
      g_free (callback_url);
      callback_url = g_strdup (CD_SIGNIN_DEFAULT_CALLBACK_URL);
    }

  signin = cd_signin_new ();
  fingerprint = cd_cli_get_trust_fingerprint ();
  if (!cd_account_source_apply_signin_tls (signin, fingerprint, &error))
    return cd_cli_fail (error);

  if (!(url = cd_signin_start_for_account (signin, account, callback_url, &error)))
    return cd_cli_fail (error);

  cd_cli_login_open_browser (url, no_browser);
  g_printerr (_("Waiting for Brightspace to send you back (press Ctrl+C to stop)…\n"));

  cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, cancellable);
  cd_signin_wait_async (signin, (guint) timeout, cancellable, wait_cb, &wait);
  cd_cli_wait (&wait.done);
  g_source_remove (sigint_id);

  if (wait.error != NULL)
    {
      status = cd_cli_fail (wait.error);
      g_clear_error (&wait.error);
      return status;
    }

  /* Only keys Brightspace accepted get this far; now they are worth keeping. */
  if (!cd_account_save (wait.account, NULL, &error))
    {
      g_object_unref (wait.account);
      return cd_cli_fail (error);
    }

  /* A certificate trusted for this sign-in stays trusted for this host. */
  if (fingerprint != NULL &&
      !cd_settings_set_trusted_certificate (settings, cd_account_get_host (wait.account),
                                            fingerprint, &error))
    {
      g_object_unref (wait.account);
      return cd_cli_fail (error);
    }
  g_settings_sync ();

  /* Translators: a person's name, their Brightspace user ID, the site. */
  g_print (_("Signed in as %s (%s) on %s\n"),
           cd_account_get_display_name (wait.account) != NULL
             ? cd_account_get_display_name (wait.account)
             : cd_account_get_user_id (wait.account),
           cd_account_get_user_id (wait.account),
           cd_account_get_host (wait.account));

  g_object_unref (wait.account);
  return CD_EXIT_OK;
}

int
cd_cli_logout (int    argc,
               char **argv)
{
  g_autofree char *host_option = NULL;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host_option, N_("Sign out of this Brightspace address instead of the saved one"), N_("URL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  int status;

  context = cd_cli_option_context_new (NULL, _("Sign out: remove the user key, the OAuth "
                                               "refresh token and client secret from the "
                                               "keyring and the user from the saved account. "
                                               "The ID-Key app ID and key stay saved."),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("logout takes no arguments, but “%s” was given."), argv[1]);

  settings = cd_settings_open ();
  host = g_strdup (host_option);
  if (host == NULL && settings != NULL)
    {
      host = g_settings_get_string (settings, "host");
      if (*host == '\0')
        g_clear_pointer (&host, g_free);
    }

  if (host == NULL)
    {
      g_printerr (_("No account is saved, so there is nothing to sign out of.\n"));
      return CD_EXIT_OK;
    }

  account = cd_account_new (host, NULL, NULL, NULL, NULL);
  if (!cd_account_sign_out (account, NULL, &error))
    return cd_cli_fail (error);

  g_print (_("Signed out of %s. Sign in again with “coursedrop-cli login”.\n"),
           cd_account_get_host (account));
  return CD_EXIT_OK;
}
