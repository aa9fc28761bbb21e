/* cd-cli-sign.c: coursedrop-cli sign, the job of D2L's API Test Tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-cli.h"

int
cd_cli_sign (int    argc,
             char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *timestamp_text = NULL;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { "timestamp", 0, 0, G_OPTION_ARG_STRING, &timestamp_text, N_("Sign for this Unix time instead of now"), N_("T") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdIdKeyContext) signer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *method, *path;
  gint64 timestamp;
  int status;

  context = cd_cli_option_context_new (_("METHOD PATH"),
                                       _("Print a signed URL for a Valence route, to use with curl.\n"
                                         "Example: coursedrop-cli sign GET /d2l/api/lp/1.46/users/whoami"),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc != 3)
    return cd_cli_usage (_("sign needs a method and a path, for example: sign GET /d2l/api/versions/"));

  method = argv[1];
  path = argv[2];
  if (path[0] != '/')
    return cd_cli_usage (_("The path “%s” must start with “/”, for example /d2l/api/versions/."), path);
  if (!g_regex_match_simple ("^[A-Za-z]+$", method, G_REGEX_RAW, 0))
    return cd_cli_usage (_("“%s” is not an HTTP method such as GET or POST."), method);

  if (!(account = cd_cli_load_account (host, &error)))
    return cd_cli_fail (error);
  if (!cd_account_require_user (account, &error))
    return cd_cli_fail (error);
  if (cd_account_get_kind (account) == CD_AUTH_KIND_OAUTH)
    return cd_cli_usage (_("sign makes ID-Key signed URLs. With OAuth 2.0 there is nothing to "
                           "sign: send an access token as “Authorization: Bearer” instead."));

  signer = cd_account_create_context (account);

  if (timestamp_text != NULL)
    {
      if (!g_ascii_string_to_signed (timestamp_text, 10, 0, G_MAXINT64, &timestamp, &error))
        return cd_cli_usage (_("--timestamp takes Unix seconds, not “%s”."), timestamp_text);
    }
  else
    timestamp = cd_idkey_context_now (signer);

  url = cd_idkey_context_build_url (signer, cd_account_get_host (account), method, path, timestamp);
  g_print ("%s\n", url);

  return CD_EXIT_OK;
}
