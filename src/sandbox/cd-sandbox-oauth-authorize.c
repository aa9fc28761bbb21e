/* cd-sandbox-oauth-authorize.c: the sandbox's authorization endpoint
 *
 * A consent page (or, with auto-approve, a redirect at once) that sends
 * codes only to the registered redirect URI, byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-sandbox-oauth-private.h"
#include "cd-sandbox-private.h"

/* --- the authorization endpoint --------------------------------------------------------- */

static void
redirect_back (SoupServerMessage *msg,
               const char        *redirect_uri,
               const char        *first_name,
               const char        *first_value,
               const char        *state_value)
{
  g_autofree char *value = g_uri_escape_string (first_value, NULL, FALSE);
  g_autofree char *location = NULL;

  if (state_value != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (state_value, NULL, FALSE);

      location = g_strdup_printf ("%s%c%s=%s&state=%s", redirect_uri,
                                  strchr (redirect_uri, '?') != NULL ? '&' : '?',
                                  first_name, value, escaped);
    }
  else
    location = g_strdup_printf ("%s%c%s=%s", redirect_uri,
                                strchr (redirect_uri, '?') != NULL ? '&' : '?', first_name, value);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

/* Checks the request; answers a refusal itself and returns FALSE. */
static gboolean
check_auth_request (CdSandboxOAuthState *state,
                    SoupServerMessage   *msg,
                    GHashTable          *params)
{
  const char *client_id = g_hash_table_lookup (params, "client_id");
  const char *redirect_uri = g_hash_table_lookup (params, "redirect_uri");
  const char *method = g_hash_table_lookup (params, "code_challenge_method");

  /* Never send anything to an address that is not registered. */
  if (state->client_id == NULL || g_strcmp0 (client_id, state->client_id) != 0 ||
      g_strcmp0 (redirect_uri, state->redirect_uri) != 0)
    {
      _cd_sandbox_oauth_respond_page (msg, SOUP_STATUS_BAD_REQUEST, "Bad request",
                    "<p>Unknown client, or a redirect URI that is not the registered one.</p>");
      return FALSE;
    }

  if (g_strcmp0 (g_hash_table_lookup (params, "response_type"), "code") != 0)
    {
      redirect_back (msg, redirect_uri, "error", "unsupported_response_type",
                     g_hash_table_lookup (params, "state"));
      return FALSE;
    }

  if (g_hash_table_lookup (params, "code_challenge") != NULL && g_strcmp0 (method, "S256") != 0)
    {
      redirect_back (msg, redirect_uri, "error", "invalid_request",
                     g_hash_table_lookup (params, "state"));
      return FALSE;
    }

  return TRUE;
}

static void
approve (CdSandboxOAuthState *state,
         SoupServerMessage   *msg,
         GHashTable          *params)
{
  CdSandboxOAuthCode *code = g_new0 (CdSandboxOAuthCode, 1);
  char *value = _cd_sandbox_oauth_random_token ("code-");

  code->redirect_uri = g_strdup (g_hash_table_lookup (params, "redirect_uri"));
  code->scope = _cd_sandbox_oauth_grant_scope (state, g_hash_table_lookup (params, "scope"));
  code->challenge = g_strdup (g_hash_table_lookup (params, "code_challenge"));
  code->expires_us = g_get_monotonic_time () + CD_SANDBOX_OAUTH_CODE_LIFE_US;
  g_hash_table_replace (state->codes, value, code);

  redirect_back (msg, code->redirect_uri, "code", value, g_hash_table_lookup (params, "state"));
}

static void
respond_consent (SoupServerMessage *msg,
                 GHashTable        *params)
{
  static const char * const names[] = {
    "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
    "code_challenge_method",
  };
  GString *body = g_string_new ("<p>An application asks to use Brightspace as you.</p>"
                                "<form method=\"post\" action=\"/oauth2/auth/allow\">");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = g_hash_table_lookup (params, names[i]);
      g_autofree char *escaped = NULL;

      if (value == NULL)
        continue;
      escaped = g_markup_escape_text (value, -1);
      g_string_append_printf (body, "<input type=\"hidden\" name=\"%s\" value=\"%s\">",
                              names[i], escaped);
    }
  g_string_append (body, "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow"
                         "</button> <button type=\"submit\" name=\"decision\" value=\"deny\">"
                         "Deny</button></form>");
  _cd_sandbox_oauth_respond_page (msg, SOUP_STATUS_OK, "Allow access?", body->str);
  g_string_free (body, TRUE);
}

void
_cd_sandbox_oauth_authorize (CdSandbox         *self,
                             SoupServerMessage *msg,
                             GHashTable        *params,
                             gboolean           form)
{
  CdSandboxOAuthState *state = _cd_sandbox_oauth_state (self);

  if (!check_auth_request (state, msg, params))
    return;

  if (form && g_strcmp0 (g_hash_table_lookup (params, "decision"), "allow") != 0)
    redirect_back (msg, g_hash_table_lookup (params, "redirect_uri"), "error", "access_denied",
                   g_hash_table_lookup (params, "state"));
  else if (form || self->auto_approve)
    approve (state, msg, params);
  else
    respond_consent (msg, params);
}
