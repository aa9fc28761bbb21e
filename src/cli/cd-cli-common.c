/* cd-cli-common.c: option parsing, errors and exit codes for the CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-credentials.h"
#include "cd-signin.h"

/* --trust-fingerprint, given before or after the command name. */
static char *trust_fingerprint;

/* The last client made, so that a TLS failure can show its certificate. */
static CdClient *last_client;

void
cd_cli_set_trust_fingerprint (const char *sha256)
{
  g_free (trust_fingerprint);
  trust_fingerprint = g_strdup (sha256);
}

const char *
cd_cli_get_trust_fingerprint (void)
{
  return trust_fingerprint;
}

static gboolean
trust_fingerprint_cb (const char  *option_name,
                      const char  *value,
                      gpointer     data,
                      GError     **error)
{
  cd_cli_set_trust_fingerprint (value);
  return TRUE;
}

GOptionContext *
cd_cli_option_context_new (const char   *parameter_string,
                           const char   *summary,
                           GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter_string);
  const GOptionEntry common[] = {
    { "trust-fingerprint", 0, 0, G_OPTION_ARG_CALLBACK, trust_fingerprint_cb,
      N_("Trust the server certificate with this SHA-256 fingerprint, although this "
         "computer does not"), N_("SHA256") },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
    _("Credentials come from the environment (COURSEDROP_HOST, COURSEDROP_APP_ID,\n"
      "COURSEDROP_APP_KEY, COURSEDROP_USER_ID and COURSEDROP_USER_KEY), and what it\n"
      "lacks from the account saved by “coursedrop-cli login” (keys in the keyring).\n"
      "Keys are never accepted as command-line arguments.\n"
      "\n"
      "Exit status: 0 success, 1 the import failed or timed out, 2 usage or bad input,\n"
      "3 authentication or permission, 4 network or server, 130 interrupted."));
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);

  return context;
}

/* Returns CD_EXIT_OK, or the exit code after printing the problem. */
int
cd_cli_parse (GOptionContext   *context,
              int              *argc,
              char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    return cd_cli_usage ("%s", error->message);

  return CD_EXIT_OK;
}

int
cd_cli_usage (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("coursedrop-cli: %s\n", message);
  g_printerr (_("Run “coursedrop-cli --help” for usage.\n"));

  return CD_EXIT_USAGE;
}

int
cd_cli_exit_code_for_error (const GError *error)
{
  if (error->domain == CD_ACCOUNT_ERROR || error->domain == CD_IDKEY_ERROR ||
      error->domain == CD_CERTIFICATE_ERROR || error->domain == CD_CREDENTIALS_ERROR)
    return CD_EXIT_USAGE;

  if (error->domain == CD_SIGNIN_ERROR)
    return error->code == CD_SIGNIN_ERROR_TIMED_OUT ? CD_EXIT_AUTH : CD_EXIT_USAGE;

  if (error->domain == CD_CLIENT_ERROR)
    {
      switch ((CdClientError)error->code)
        {
        case CD_CLIENT_ERROR_INVALID_HOST:
        case CD_CLIENT_ERROR_NOT_FOUND:
        case CD_CLIENT_ERROR_BAD_REQUEST:
          return CD_EXIT_USAGE;

        case CD_CLIENT_ERROR_INVALID_TOKEN:
        case CD_CLIENT_ERROR_TOKEN_EXPIRED:
        case CD_CLIENT_ERROR_FORBIDDEN:
        case CD_CLIENT_ERROR_TIMESTAMP:
          return CD_EXIT_AUTH;

        case CD_CLIENT_ERROR_RATE_LIMITED:
        case CD_CLIENT_ERROR_SERVER:
        case CD_CLIENT_ERROR_BAD_RESPONSE:
        case CD_CLIENT_ERROR_NETWORK:
        case CD_CLIENT_ERROR_TLS:
        case CD_CLIENT_ERROR_OUTCOME_UNKNOWN:
        default:
          return CD_EXIT_NETWORK;
        }
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CD_EXIT_INTERRUPTED;

  if (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR ||
      error->domain == G_TLS_ERROR)
    return CD_EXIT_NETWORK;

  return CD_EXIT_USAGE;
}

static void
print_date (const char *label,
            GDateTime  *date)
{
  g_autofree char *text = date != NULL ? g_date_time_format (date, "%Y-%m-%d %H:%M UTC") : NULL;

  g_printerr ("  %-12s %s\n", label, text != NULL ? text : "?");
}

/* Everything needed to decide whether to trust a certificate, and how. */
static void
print_untrusted_certificate (void)
{
  g_autoptr(CdCertificateInfo) info = NULL;

  if (last_client == NULL || !(info = cd_client_get_last_untrusted_certificate (last_client)))
    return;

  g_printerr (_("The server presented this certificate:\n"));
  g_printerr ("  %-12s %s\n", _("Subject:"), cd_certificate_info_get_subject (info));
  g_printerr ("  %-12s %s\n", _("Issuer:"), cd_certificate_info_get_issuer (info));
  print_date (_("Valid from:"), cd_certificate_info_get_not_before (info));
  print_date (_("Valid until:"), cd_certificate_info_get_not_after (info));
  g_printerr ("  %-12s %s\n", _("SHA-256:"), cd_certificate_info_get_sha256 (info));
  g_printerr (_("If your Brightspace administrator confirms that this is the certificate of "
                "%s, run the command again with --trust-fingerprint %s\n"),
              cd_certificate_info_get_host (info), cd_certificate_info_get_sha256 (info));
}

/* Prints @error as one sentence (no internals) and returns its exit code. */
int
cd_cli_fail (const GError *error)
{
  g_autofree char *message = cd_cli_escape_lines (error->message);

  g_printerr ("coursedrop-cli: %s\n", message);
  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS))
    print_untrusted_certificate ();
  return cd_cli_exit_code_for_error (error);
}

/* The environment, then the saved account; with the TLS trust of this run
 * (COURSEDROP_CA_FILE, --trust-fingerprint) on top of the saved pins. */
CdAccount *
cd_cli_load_account (const char  *host,
                     GError     **error)
{
  g_autoptr(CdAccount) account = NULL;

  if (!(account = cd_account_new_from_environment_or_saved (host, NULL, error)))
    return NULL;

  cd_account_set_ca_file (account, g_getenv ("COURSEDROP_CA_FILE"));
  if (trust_fingerprint != NULL &&
      !cd_account_set_pinned_certificate (account, trust_fingerprint, error))
    return NULL;

  return g_steal_pointer (&account);
}

CdClient *
cd_cli_create_client (const char  *host,
                      gboolean     need_user,
                      GError     **error)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdClient) client = NULL;

  if (!(account = cd_cli_load_account (host, error)))
    return NULL;

  if (need_user && !cd_account_has_user (account))
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER,
                           _("No user is signed in. Sign in with “coursedrop-cli login”, or "
                             "set COURSEDROP_USER_ID and COURSEDROP_USER_KEY to your "
                             "Brightspace user ID and key."));
      return NULL;
    }

  if (!(client = cd_account_create_client (account, error)))
    return NULL;

  if (last_client != NULL)
    g_object_remove_weak_pointer (G_OBJECT (last_client), (gpointer *) &last_client);
  last_client = client;
  g_object_add_weak_pointer (G_OBJECT (last_client), (gpointer *) &last_client);

  return g_steal_pointer (&client);
}

void
cd_cli_wait (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

void
cd_cli_store_result_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GAsyncResult **store = user_data;

  *store = g_object_ref (result);
}

/* Iterates the default main context until *@result is set, by
 * cd_cli_store_result_cb. */
void
cd_cli_wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* Returns CD_EXIT_OK, or the exit code after saying what is wrong: a
 * token goes into a route, so nothing that would change the route. */
int
cd_cli_check_job_token (const char *token)
{
  if (token == NULL || token[0] == '\0')
    return cd_cli_usage (_("Give the job with --job-token TOKEN."));

  if (strpbrk (token, "/?#& ") != NULL)
    return cd_cli_usage (_("“%s” is not a job token. Tokens are what “Import job TOKEN status:” "
                           "printed, for example 8840."), token);

  return CD_EXIT_OK;
}
