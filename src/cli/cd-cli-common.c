/* cd-cli-common.c: option parsing, errors and exit codes for the CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cd-account-source.h"
#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-credentials.h"
#include "cd-oauth.h"
#include "cd-package.h"
#include "cd-signin.h"
#include "cd-time-format.h"
#include "cd-validate.h"

/* What of a value the user gave goes into a message. */
#define QUOTE_MAX_CHARS 40

/* --trust-fingerprint, given before or after the command name. */
static char *trust_fingerprint;

/* The last client made, kept until cd_cli_finish(): a TLS failure may be
 * reported after the command dropped it (an import job's end), and its
 * certificate is what the user needs to see. */
static CdClient *last_client;
static gboolean certificate_shown;

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
      error->domain == CD_CERTIFICATE_ERROR || error->domain == CD_CREDENTIALS_ERROR ||
      error->domain == CD_VALIDATE_ERROR || error->domain == CD_PACKAGE_ERROR)
    return CD_EXIT_USAGE;

  if (error->domain == CD_SIGNIN_ERROR)
    return error->code == CD_SIGNIN_ERROR_TIMED_OUT ? CD_EXIT_AUTH : CD_EXIT_USAGE;

  if (error->domain == CD_OAUTH_ERROR)
    return error->code == CD_OAUTH_ERROR_DENIED || error->code == CD_OAUTH_ERROR_TOKEN_REFUSED
             ? CD_EXIT_AUTH : CD_EXIT_USAGE;

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
  g_autofree char *text = cd_time_format (date);

  g_printerr ("  %-12s %s\n", label, text != NULL ? text : "?");
}

/* Everything needed to decide whether to trust a certificate, and how;
 * once per run. */
static void
print_untrusted_certificate (void)
{
  g_autoptr(CdCertificateInfo) info = NULL;

  if (certificate_shown || last_client == NULL ||
      !(info = cd_client_get_last_untrusted_certificate (last_client)))
    return;

  certificate_shown = TRUE;
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

/* Called by main() with the command's exit status: a command that failed
 * on an untrusted certificate without saying so through cd_cli_fail()
 * (an import job reports its own end) still shows it. */
int
cd_cli_finish (int status)
{
  if (status != CD_EXIT_OK && status != CD_EXIT_INTERRUPTED)
    print_untrusted_certificate ();

  g_clear_object (&last_client);
  g_clear_pointer (&trust_fingerprint, g_free);
  return status;
}

/* The account as cd_account_source_resolve() finds it, with
 * --trust-fingerprint on top. */
CdAccount *
cd_cli_load_account (const char  *host,
                     GError     **error)
{
  CdAccountOptions options = {
    .host = host,
    .trust_fingerprint = trust_fingerprint,
  };

  return cd_account_source_resolve (&options, NULL, error);
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

  g_set_object (&last_client, client);

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

/* (transfer full): @text as it may appear in a message: valid UTF-8,
 * control characters escaped, and cut short when long. */
char *
cd_cli_quote (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *quoted = g_string_new (NULL);
  guint n_chars = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n_chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n_chars == QUOTE_MAX_CHARS)
        {
          g_string_append (quoted, "…");
          break;
        }

      /* A newline or escape sequence would forge the rest of the output. */
      if (g_unichar_iscntrl (c))
        g_string_append_printf (quoted, "\\x%02x", c);
      else
        g_string_append_unichar (quoted, c);
    }

  return g_string_free (quoted, FALSE);
}

/* Zero, or a minus sign before a number: the user meant a number, just
 * not a positive one, and is told so. */
static gboolean
is_non_positive_number (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  const char *digits = stripped[0] == '-' ? stripped + 1 : stripped;
  gsize length = strlen (digits);

  return length > 0 && strspn (digits, "0123456789") == length &&
         (stripped[0] == '-' || strspn (digits, "0") == length);
}

/* Reads a D2L ID by the rules of cd_validate_offering_id(). */
gboolean
cd_cli_parse_offering_id (const char  *text,
                          gint64      *id,
                          char       **message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = NULL;

  if (cd_validate_offering_id (text, id, &error))
    return TRUE;

  if (g_error_matches (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY))
    {
      *message = g_strdup (_("Give the course offering with --course-offering-id, for example "
                             "--course-offering-id 6606."));
      return FALSE;
    }

  quoted = cd_cli_quote (text);
  if (is_non_positive_number (text))
    *message = g_strdup_printf (_("The course offering ID must be a positive number, not “%s”."),
                                quoted);
  else
    /* Translators: what the user gave, then why it is no offering ID. */
    *message = g_strdup_printf (_("“%s” is not a course offering ID. %s"), quoted,
                                error->message);
  return FALSE;
}

/* Returns CD_EXIT_OK, or the exit code after saying what is wrong, by the
 * rules of cd_validate_job_token(): a token goes into a route. */
int
cd_cli_check_job_token (const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = NULL;

  if (cd_validate_job_token (token, &error))
    return CD_EXIT_OK;

  if (g_error_matches (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY))
    return cd_cli_usage (_("Give the job with --job-token TOKEN."));

  quoted = cd_cli_quote (token);
  return cd_cli_usage (_("--job-token “%s”: %s"), quoted, error->message);
}

/* --le-version, by the rules of cd_validate_api_version(). */
int
cd_cli_check_le_version (const char *version)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = NULL;

  if (version == NULL || cd_validate_api_version (version, &error))
    return CD_EXIT_OK;

  quoted = cd_cli_quote (version);
  return cd_cli_usage (_("--le-version “%s”: %s"), quoted, error->message);
}
