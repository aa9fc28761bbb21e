/* cd-cli-common.c: option parsing, errors and exit codes for the CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <glib/gi18n.h>

#include "cd-cli.h"

GOptionContext *
cd_cli_option_context_new (const char   *parameter_string,
                           const char   *summary,
                           GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter_string);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
    _("Credentials come from the environment: COURSEDROP_HOST, COURSEDROP_APP_ID,\n"
      "COURSEDROP_APP_KEY, COURSEDROP_USER_ID and COURSEDROP_USER_KEY.\n"
      "Keys are never accepted as command-line arguments.\n"
      "\n"
      "Exit status: 0 success, 1 the import failed or timed out, 2 usage or bad input,\n"
      "3 authentication or permission, 4 network or server, 130 interrupted."));
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

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
  if (error->domain == CD_ACCOUNT_ERROR || error->domain == CD_IDKEY_ERROR)
    return CD_EXIT_USAGE;

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

/* Prints @error as one sentence (no internals) and returns its exit code. */
int
cd_cli_fail (const GError *error)
{
  g_printerr ("coursedrop-cli: %s\n", error->message);
  return cd_cli_exit_code_for_error (error);
}

CdClient *
cd_cli_create_client (const char  *host,
                      gboolean     need_user,
                      GError     **error)
{
  g_autoptr(CdAccount) account = NULL;
  const char *ca_file = g_getenv ("COURSEDROP_CA_FILE");
  g_autoptr(CdClient) client = NULL;

  if (!(account = cd_account_new_from_environment (host, error)))
    return NULL;

  if (need_user && !cd_account_require_user (account, error))
    return NULL;

  if (!(client = cd_account_create_client (account, error)))
    return NULL;

  if (ca_file != NULL && ca_file[0] != '\0' && !cd_client_set_ca_file (client, ca_file, error))
    return NULL;

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
