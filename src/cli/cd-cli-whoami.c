/* cd-cli-whoami.c: coursedrop-cli whoami
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-json.h"
#include "cd-oauth.h"

typedef struct
{
  gboolean     done;
  JsonObject  *user;   /* (owned) (nullable) */
  GError      *error;  /* (owned) (nullable) */
} WhoAmI;

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  WhoAmI *state = user_data;

  state->user = cd_client_whoami_finish (CD_CLIENT (object), result, &state->error);
  state->done = TRUE;
}

static void
print_sign_in_kind (CdClient *client)
{
  CdAuth *auth = cd_client_get_auth (client);
  g_autofree char *scopes = NULL;

  if (cd_auth_get_kind (auth) != CD_AUTH_KIND_OAUTH)
    {
      g_print (_("Signed in with ID-Key (legacy app and user keys)\n"));
      return;
    }

  scopes = cd_oauth_get_granted_scope (CD_OAUTH (auth)) != NULL
             ? cd_cli_escape (cd_oauth_get_granted_scope (CD_OAUTH (auth)))
             : g_strdup (_("unknown (an access token from elsewhere)"));
  g_print (_("Signed in with OAuth 2.0\n"));
  /* Translators: space-separated OAuth scopes follow. */
  g_print (_("Scopes: %s\n"), scopes);
}

int
cd_cli_whoami (int    argc,
               char **argv)
{
  g_autofree char *host = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the WhoAmI answer as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;
  WhoAmI state = { 0 };
  int status;

  context = cd_cli_option_context_new (NULL, _("Print who the credentials belong to."), entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("whoami takes no arguments, but “%s” was given."), argv[1]);

  if (!(client = cd_cli_create_client (host, TRUE, &error)))
    return cd_cli_fail (error);

  cd_client_whoami_async (client, NULL, whoami_cb, &state);
  cd_cli_wait (&state.done);

  if (state.error != NULL)
    {
      status = cd_cli_fail (state.error);
      g_error_free (state.error);
      return status;
    }

  if (json)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), state.user);
      g_autofree char *text = json_to_string (node, TRUE);

      g_print ("%s\n", text);
    }
  else
    {
      g_autofree char *first = cd_cli_escape (cd_json_get_string_or (state.user, "FirstName", ""));
      g_autofree char *last = cd_cli_escape (cd_json_get_string_or (state.user, "LastName", ""));
      g_autofree char *login = cd_cli_escape (cd_json_get_string_or (state.user, "UniqueName", ""));
      g_autofree char *id = cd_cli_escape (cd_json_get_string_or (state.user, "Identifier", ""));

      /* The kind first: scripts read the last line, as before. */
      print_sign_in_kind (client);
      /* Translators: name, login name, user ID and Brightspace address. */
      g_print (_("%s %s (%s), user ID %s on %s\n"), first, last, login, id,
               cd_client_get_host (client));
    }

  json_object_unref (state.user);
  return CD_EXIT_OK;
}
