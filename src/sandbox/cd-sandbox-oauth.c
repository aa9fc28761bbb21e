/* cd-sandbox-oauth.c: the sandbox's OAuth 2.0 service
 *
 * Plays auth.brightspace.com (oauth2.md §1.5–§1.7) strictly: the redirect
 * URI must be the registered one, codes and refresh tokens work once, a
 * code sent with a PKCE challenge needs its verifier, and the client
 * authenticates with HTTP Basic (or client_id/client_secret in the body).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "cd-idkey.h"
#include "cd-oauth.h"
#include "cd-sandbox-oauth.h"
#include "cd-sandbox-oauth-private.h"
#include "cd-sandbox-private.h"

#define DEFAULT_TOKEN_LIFE 3600

void
_cd_sandbox_oauth_code_free (CdSandboxOAuthCode *code)
{
  g_free (code->redirect_uri);
  g_free (code->scope);
  g_free (code->challenge);
  g_free (code);
}

static void
token_free (CdSandboxOAuthToken *token)
{
  g_free (token->scope);
  g_free (token);
}

static void
state_free (CdSandboxOAuthState *state)
{
  g_free (state->client_id);
  g_free (state->client_secret);
  g_free (state->redirect_uri);
  g_free (state->scope);
  g_hash_table_unref (state->codes);
  g_hash_table_unref (state->access);
  g_hash_table_unref (state->refresh);
  g_hash_table_unref (state->used_refresh);
  g_free (state);
}

CdSandboxOAuthState *
_cd_sandbox_oauth_state (CdSandbox *self)
{
  CdSandboxOAuthState *state = g_object_get_data (G_OBJECT (self), "cd-sandbox-oauth");

  if (state != NULL)
    return state;

  state = g_new0 (CdSandboxOAuthState, 1);
  state->scope = g_strdup (CD_OAUTH_DEFAULT_SCOPE);
  state->token_life = DEFAULT_TOKEN_LIFE;
  state->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) _cd_sandbox_oauth_code_free);
  state->access = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) token_free);
  state->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->used_refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_object_set_data_full (G_OBJECT (self), "cd-sandbox-oauth", state,
                          (GDestroyNotify) state_free);
  return state;
}

/* --- configuration ------------------------------------------------------------------ */

gboolean
cd_sandbox_set_oauth_client (CdSandbox   *self,
                             const char  *spec,
                             GError     **error)
{
  CdSandboxOAuthState *state = _cd_sandbox_oauth_state (self);
  g_auto(GStrv) parts = g_strsplit (spec != NULL ? spec : "", ":", 3);
  g_autofree char *scheme = NULL;

  /* Any absolute URI: http(s), or an app's private-use scheme (RFC 8252 §7.1). */
  if (g_strv_length (parts) != 3 || parts[0][0] == '\0' || parts[1][0] == '\0' ||
      (scheme = g_uri_parse_scheme (parts[2])) == NULL)
    {
      g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                   "--oauth “%s” is not CLIENT_ID:CLIENT_SECRET:REDIRECT_URI", spec);
      return FALSE;
    }

  g_free (state->client_id);
  g_free (state->client_secret);
  g_free (state->redirect_uri);
  state->client_id = g_strdup (parts[0]);
  state->client_secret = g_strdup (parts[1]);
  state->redirect_uri = g_strdup (parts[2]);
  return TRUE;
}

void
cd_sandbox_set_oauth_scope (CdSandbox  *self,
                            const char *scope)
{
  CdSandboxOAuthState *state = _cd_sandbox_oauth_state (self);

  g_free (state->scope);
  state->scope = g_strdup (scope != NULL ? scope : CD_OAUTH_DEFAULT_SCOPE);
}

void
cd_sandbox_set_oauth_only (CdSandbox *self,
                           gboolean   oauth_only)
{
  _cd_sandbox_oauth_state (self)->only = !!oauth_only;
}

void
cd_sandbox_set_token_life (CdSandbox *self,
                           guint      seconds)
{
  _cd_sandbox_oauth_state (self)->token_life = seconds > 0 ? seconds : DEFAULT_TOKEN_LIFE;
}

gboolean
cd_sandbox_add_oauth_access_token (CdSandbox  *self,
                                   const char *token)
{
  CdSandboxOAuthState *state = _cd_sandbox_oauth_state (self);
  CdSandboxOAuthToken *entry;
  gsize length = token != NULL ? strlen (token) : 0;

  /* RFC 6750 §2.1's b64token characters, and long enough not to be guessed. */
  if (length < 16 || length > 512 ||
      strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789-._~+/=") != length)
    return FALSE;

  entry = g_new0 (CdSandboxOAuthToken, 1);
  entry->scope = g_strdup (state->scope);
  entry->expires_us = G_MAXINT64;
  g_hash_table_replace (state->access, g_strdup (token), entry);
  return TRUE;
}

void
cd_sandbox_expire_access_tokens (CdSandbox *self)
{
  g_hash_table_remove_all (_cd_sandbox_oauth_state (self)->access);
}

guint cd_sandbox_get_oauth_token_count (CdSandbox *self) { return _cd_sandbox_oauth_state (self)->tokens; }
guint cd_sandbox_get_oauth_refresh_count (CdSandbox *self) { return _cd_sandbox_oauth_state (self)->refreshes; }
guint cd_sandbox_get_oauth_reuse_count (CdSandbox *self) { return _cd_sandbox_oauth_state (self)->reuses; }
guint cd_sandbox_get_oauth_bearer_count (CdSandbox *self) { return _cd_sandbox_oauth_state (self)->bearers; }
guint cd_sandbox_get_oauth_refused_count (CdSandbox *self) { return _cd_sandbox_oauth_state (self)->refused; }

/* --- helpers ------------------------------------------------------------------------- */

char *
_cd_sandbox_oauth_random_token (const char *prefix)
{
  guint8 bytes[24];
  g_autofree char *b64 = NULL;

  if (gnutls_rnd (GNUTLS_RND_NONCE, bytes, sizeof bytes) != 0)
    for (guint i = 0; i < sizeof bytes; i++)
      bytes[i] = (guint8) g_random_int_range (0, 256);

  b64 = g_base64_encode (bytes, sizeof bytes);
  g_strdelimit (b64, "+/=", '-');
  return g_strconcat (prefix, b64, NULL);
}

static gboolean
secure_equal (const char *a,
              const char *b)
{
  return a != NULL && b != NULL && strlen (a) == strlen (b) && cd_idkey_signature_equal (a, b);
}

void
_cd_sandbox_oauth_respond_page (SoupServerMessage *msg,
                                guint              status,
                                const char        *title,
                                const char        *body_html)
{
  g_autofree char *title_html = g_markup_escape_text (title, -1);
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                           "<title>%s</title></head><body><h1>%s</h1>%s"
                                           "</body></html>\n", title_html, title_html,
                                           body_html);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  _cd_sandbox_respond_text (msg, status, "text/html; charset=utf-8", page);
}

static void
respond_oauth_error (SoupServerMessage *msg,
                     guint              status,
                     const char        *code,
                     const char        *description)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "error_description");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "rfc6749_reference");
  json_builder_add_string_value (builder, "https://tools.ietf.org/html/rfc6749#section-5.2");
  json_builder_end_object (builder);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  _cd_sandbox_respond_json (msg, status, builder);
}

/* The requested scopes the registration covers, space-separated. */
char *
_cd_sandbox_oauth_grant_scope (CdSandboxOAuthState *state,
                               const char          *requested)
{
  g_auto(GStrv) scopes = g_strsplit (requested != NULL ? requested : "", " ", -1);
  GString *granted = g_string_new (NULL);

  for (guint i = 0; scopes[i] != NULL; i++)
    if (scopes[i][0] != '\0' && cd_oauth_scopes_satisfy (state->scope, scopes[i]))
      g_string_append_printf (granted, "%s%s", granted->len > 0 ? " " : "", scopes[i]);

  return g_string_free (granted, FALSE);
}

/* --- the token endpoint ------------------------------------------------------------------ */

static gboolean
client_authenticated (CdSandboxOAuthState *state,
                      SoupServerMessage   *msg,
                      GHashTable          *form)
{
  const char *header = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;

  if (header != NULL && g_ascii_strncasecmp (header, "Basic ", 6) == 0)
    {
      gsize len = 0;
      g_autofree guchar *decoded = g_base64_decode (header + 6, &len);
      g_autofree char *pair = g_strndup ((const char *) decoded, len);
      char *colon = strchr (pair, ':');

      if (colon == NULL)
        return FALSE;
      *colon = '\0';
      id = g_uri_unescape_string (pair, NULL);
      secret = g_uri_unescape_string (colon + 1, NULL);
    }
  else
    {
      id = g_strdup (g_hash_table_lookup (form, "client_id"));
      secret = g_strdup (g_hash_table_lookup (form, "client_secret"));
    }

  return (g_strcmp0 (id, state->client_id) == 0) & secure_equal (secret, state->client_secret);
}

static void
respond_tokens (CdSandboxOAuthState *state,
                SoupServerMessage   *msg,
                const char          *scope)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  char *access = _cd_sandbox_oauth_random_token ("access-");
  char *refresh = _cd_sandbox_oauth_random_token ("refresh-");
  CdSandboxOAuthToken *token = g_new0 (CdSandboxOAuthToken, 1);

  token->scope = g_strdup (scope);
  token->expires_us = g_get_monotonic_time () + (gint64) state->token_life * G_USEC_PER_SEC;
  g_hash_table_replace (state->access, access, token);
  g_hash_table_replace (state->refresh, refresh, g_strdup (scope));
  state->tokens++;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, access);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, state->token_life);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, refresh);
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, scope);
  json_builder_end_object (builder);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

static gboolean
pkce_ok (const char *challenge,
         const char *verifier)
{
  guint8 digest[32];
  g_autofree char *expected = NULL;

  if (challenge == NULL)
    return TRUE;
  if (verifier == NULL || strlen (verifier) < 43 || strlen (verifier) > 128)
    return FALSE;

  gnutls_hash_fast (GNUTLS_DIG_SHA256, verifier, strlen (verifier), digest);
  expected = g_base64_encode (digest, sizeof digest);
  g_strdelimit (expected, "+", '-');
  g_strdelimit (expected, "/", '_');
  expected[strcspn (expected, "=")] = '\0';

  return secure_equal (expected, challenge);
}

static void
code_grant (CdSandboxOAuthState *state,
            SoupServerMessage   *msg,
            GHashTable          *form)
{
  const char *value = g_hash_table_lookup (form, "code");
  gpointer key = NULL;
  CdSandboxOAuthCode *code = NULL;

  /* Single use: gone on the first try, right or wrong. */
  if (value == NULL || !g_hash_table_steal_extended (state->codes, value, &key, (gpointer *) &code))
    {
      respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                           "The code is unknown or was used already.");
      return;
    }

  if (code->expires_us < g_get_monotonic_time () ||
      g_strcmp0 (g_hash_table_lookup (form, "redirect_uri"), code->redirect_uri) != 0)
    respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                         "The code expired, or the redirect URI differs.");
  else if (!pkce_ok (code->challenge, g_hash_table_lookup (form, "code_verifier")))
    respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                         "The code verifier does not match the code challenge.");
  else
    respond_tokens (state, msg, code->scope);

  g_free (key);
  _cd_sandbox_oauth_code_free (code);
}

static void
refresh_grant (CdSandboxOAuthState *state,
               SoupServerMessage   *msg,
               GHashTable          *form)
{
  const char *value = g_hash_table_lookup (form, "refresh_token");
  gpointer key = NULL;
  g_autofree char *scope = NULL;

  if (value == NULL || !g_hash_table_steal_extended (state->refresh, value, &key,
                                                      (gpointer *) &scope))
    {
      if (value != NULL && g_hash_table_contains (state->used_refresh, value))
        state->reuses++;
      respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                           "The refresh token is unknown or was used already.");
      return;
    }

  g_hash_table_add (state->used_refresh, key);
  state->refreshes++;
  respond_tokens (state, msg, scope);
}

static void
handle_token (CdSandbox         *self,
              SoupServerMessage *msg,
              GHashTable        *form)
{
  CdSandboxOAuthState *state = _cd_sandbox_oauth_state (self);
  const char *grant = g_hash_table_lookup (form, "grant_type");

  if (state->client_id == NULL || !client_authenticated (state, msg, form))
    {
      respond_oauth_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client",
                           "Unknown client, or a wrong secret.");
      return;
    }

  if (g_strcmp0 (grant, "authorization_code") == 0)
    code_grant (state, msg, form);
  else if (g_strcmp0 (grant, "refresh_token") == 0)
    refresh_grant (state, msg, form);
  else
    respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type",
                         "Only authorization_code and refresh_token.");
}

static void
handle_counters (CdSandboxOAuthState *state,
                 SoupServerMessage   *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tokens");
  json_builder_add_int_value (builder, state->tokens);
  json_builder_set_member_name (builder, "refreshes");
  json_builder_add_int_value (builder, state->refreshes);
  json_builder_set_member_name (builder, "reuses");
  json_builder_add_int_value (builder, state->reuses);
  json_builder_set_member_name (builder, "bearers");
  json_builder_add_int_value (builder, state->bearers);
  json_builder_set_member_name (builder, "refused");
  json_builder_add_int_value (builder, state->refused);
  json_builder_end_object (builder);
  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

static GHashTable *
read_form (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return soup_form_decode (text);
}

gboolean
_cd_sandbox_oauth_dispatch (CdSandbox         *self,
                            SoupServerMessage *msg,
                            GHashTable        *query)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *method = soup_server_message_get_method (msg);
  gboolean get = g_strcmp0 (method, SOUP_METHOD_GET) == 0;
  gboolean post = g_strcmp0 (method, SOUP_METHOD_POST) == 0;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GHashTable) empty = NULL;

  if (g_strcmp0 (path, "/oauth2/auth") == 0 && get)
    {
      if (query == NULL)
        query = empty = g_hash_table_new (g_str_hash, g_str_equal);
      _cd_sandbox_oauth_authorize (self, msg, query, FALSE);
    }
  else if (g_strcmp0 (path, "/oauth2/auth/allow") == 0 && post)
    _cd_sandbox_oauth_authorize (self, msg, form = read_form (msg), TRUE);
  else if (g_strcmp0 (path, "/core/connect/token") == 0 && post)
    handle_token (self, msg, form = read_form (msg));
  else if (g_strcmp0 (path, "/_sandbox/oauth") == 0 && get)
    handle_counters (_cd_sandbox_oauth_state (self), msg);
  else
    return FALSE;

  return TRUE;
}

/* --- bearer tokens on the API ------------------------------------------------------------ */

static void
respond_unauthorized (CdSandboxOAuthState *state,
                      SoupServerMessage   *msg)
{
  state->refused++;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer error=\"invalid_token\"");
  _cd_sandbox_respond_text (msg, SOUP_STATUS_UNAUTHORIZED, "text/plain; charset=utf-8",
                            "Unauthorized");
}

CdSandboxAuthResult
_cd_sandbox_oauth_check (CdSandbox         *self,
                         SoupServerMessage *msg)
{
  CdSandboxOAuthState *state = _cd_sandbox_oauth_state (self);
  const char *header = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Authorization");
  const char *required;
  CdSandboxOAuthToken *token;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    {
      if (!state->only)
        return CD_SANDBOX_AUTH_NONE;

      /* ID-Key is switched off: only a bearer token gets in. */
      respond_unauthorized (state, msg);
      return CD_SANDBOX_AUTH_REFUSED;
    }

  token = g_hash_table_lookup (state->access, header + 7);
  if (token == NULL || token->expires_us <= g_get_monotonic_time ())
    {
      respond_unauthorized (state, msg);
      return CD_SANDBOX_AUTH_REFUSED;
    }

  required = cd_oauth_scope_for_route (soup_server_message_get_method (msg),
                                       g_uri_get_path (soup_server_message_get_uri (msg)));
  if (required != NULL && !cd_oauth_scopes_satisfy (token->scope, required))
    {
      g_autofree char *text = g_strdup_printf ("Insufficient scope: %s", required);

      _cd_sandbox_respond_text (msg, SOUP_STATUS_FORBIDDEN, "text/plain; charset=utf-8", text);
      return CD_SANDBOX_AUTH_REFUSED;
    }

  state->bearers++;
  return CD_SANDBOX_AUTH_OK;
}
