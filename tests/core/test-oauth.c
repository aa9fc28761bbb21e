/* test-oauth.c: OAuth 2.0 sign-in: the code grant, the sandbox's consent
 * page, the settings and scope rules
 *
 * Runs under tests/keyring/run-with-keyring.sh (refresh tokens and client
 * secrets live in the keyring) against the in-process sandbox, whose
 * OAuth service is strict: single-use codes and refresh tokens, PKCE,
 * the registered redirect URI only.  The test plays the browser.
 * Bearer tokens and their renewal: test-oauth-tokens.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cd-account.h"
#include "cd-account-source.h"
#include "cd-client-imports.h"
#include "cd-credentials.h"
#include "cd-oauth.h"
#include "cd-sandbox.h"
#include "cd-sandbox-oauth.h"
#include "cd-settings.h"
#include "cd-signin.h"
#include "../cd-test-port.h"
#include "oauth-test-util.h"

/* --- the code grant ----------------------------------------------------------- */

static void
test_code_grant (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdClient) client = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *url = NULL;
  g_autofree char *location = NULL;
  g_autofree char *token = NULL;

  g_assert_false (cd_oauth_is_signed_in (oauth));
  url = cd_oauth_begin_sign_in (oauth, &error);
  g_assert_no_error (error);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &error);
  g_assert_no_error (error);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (g_hash_table_lookup (params, "redirect_uri"), ==, f->redirect_uri);
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==, CD_OAUTH_DEFAULT_SCOPE);
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
  g_assert_cmpuint (strlen (g_hash_table_lookup (params, "code_challenge")), ==, 43);
  g_assert_cmpuint (strlen (g_hash_table_lookup (params, "state")), >=, 32);
  /* The client secret never goes to the browser. */
  g_assert_null (strstr (url, CLIENT_SECRET));

  location = browse (f, url);
  g_assert_true (complete (oauth, location, &error));
  g_assert_no_error (error);
  g_assert_true (cd_oauth_is_signed_in (oauth));
  g_assert_cmpuint (cd_sandbox_get_oauth_token_count (f->sandbox), ==, 1);
  g_assert_true (cd_oauth_scope_granted (oauth, "import:job:create"));

  token = stored_refresh_token (f);
  g_assert_nonnull (token);
  g_assert_true (g_str_has_prefix (token, "refresh-"));

  client = make_client (f, oauth);
  user = whoami (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_assert_cmpuint (cd_sandbox_get_oauth_bearer_count (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), ==, 0);
}

static void
test_wrong_state (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = cd_oauth_begin_sign_in (oauth, &error);
  g_autofree char *location = browse (f, url);
  g_autoptr(GString) forged = g_string_new (location);
  char *state = strstr (forged->str, "state=");

  g_assert_nonnull (state);
  /* One character of the state changed: someone else's answer. */
  state[6] = state[6] == 'A' ? 'B' : 'A';

  g_assert_false (complete (oauth, forged->str, &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_STATE_MISMATCH);
  g_clear_error (&error);

  /* The code was never traded; a forged answer does not spoil the real one,
   * which counts once. */
  g_assert_cmpuint (cd_sandbox_get_oauth_token_count (f->sandbox), ==, 0);
  g_assert_null (stored_refresh_token (f));
  g_assert_true (complete (oauth, location, &error));
  g_assert_no_error (error);
  g_assert_false (complete (oauth, location, &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_NOT_STARTED);
  g_clear_error (&error);

  /* Neither counts an answer without state, nor one that is no address. */
  g_free (url);
  url = cd_oauth_begin_sign_in (oauth, &error);
  g_assert_false (complete (oauth, "http://127.0.0.1:1/cb?code=x", &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_STATE_MISMATCH);
  g_clear_error (&error);
  g_assert_false (complete (oauth, "not an address", &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_REDIRECT);
  g_assert_cmpuint (cd_sandbox_get_oauth_token_count (f->sandbox), ==, 1);
}

static void
test_denied (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = cd_oauth_begin_sign_in (oauth, &error);
  g_autofree char *location = browse (f, url);
  g_autofree char *state = g_strdup (strstr (location, "state="));
  g_autofree char *denied = g_strdup_printf ("%s?error=access_denied&error_description="
                                             "%%1B%%5B2J%%20no&%s", f->redirect_uri, state);

  g_assert_false (complete (oauth, denied, &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_DENIED);
  /* What the server said is shown without its control characters. */
  g_assert_null (strchr (error->message, '\033'));
}

static void
test_wrong_verifier (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = cd_oauth_begin_sign_in (oauth, &error);
  g_autofree char *first_location = browse (f, first);
  g_autofree char *second = cd_oauth_begin_sign_in (oauth, &error);
  g_autofree char *second_location = browse (f, second);
  g_autofree char *code = g_strndup (strstr (first_location, "code=") + 5,
                                     strcspn (strstr (first_location, "code=") + 5, "&"));
  g_autofree char *mixed = g_strdup_printf ("%s?code=%s&%s", f->redirect_uri, code,
                                            strstr (second_location, "state="));

  /* The first request's code with the second's state: its challenge was
   * made from the first verifier, which is gone. */
  g_assert_false (complete (oauth, mixed, &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_TOKEN_REFUSED);
  g_assert_cmpuint (cd_sandbox_get_oauth_token_count (f->sandbox), ==, 0);
  g_assert_null (stored_refresh_token (f));
}

/* --- the sandbox's consent page ------------------------------------------------------- */

static SoupMessage *
send_message (Fixture     *f,
              SoupMessage *message,
              GBytes     **body)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (f->browser, message, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);
  wait_for (&result);
  *body = soup_session_send_and_read_finish (f->browser, result, &error);
  g_assert_no_error (error);
  return message;
}

static char *
decide (Fixture    *f,
        const char *page,
        const char *decision)
{
  g_autoptr(GString) form = g_string_new (NULL);
  g_autoptr(GRegex) fields = g_regex_new ("name=\"([a-z_]+)\" value=\"([^\"]*)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/oauth2/auth/allow",
                                      NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr(GBytes) body = NULL;

  /* The hidden fields, as a browser would post them. */
  g_regex_match (fields, page, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *name = g_match_info_fetch (match, 1);
      g_autofree char *value = g_match_info_fetch (match, 2);
      g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

      g_string_append_printf (form, "%s=%s&", name, escaped);
    }
  g_string_append_printf (form, "decision=%s", decision);
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded",
                                            g_bytes_new (form->str, form->len));
  send_message (f, message, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_FOUND);

  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                 "Location"));
}

static void
test_consent (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *page = NULL;
  g_autofree char *denied = NULL;
  g_autofree char *allowed = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *unknown = g_strdup_printf ("%s/oauth2/auth?response_type=code&client_id=%s"
                                              "&redirect_uri=https%%3A%%2F%%2Fevil.example%%2F",
                                              cd_sandbox_get_url (f->sandbox), CLIENT_ID);

  cd_sandbox_set_auto_approve (f->sandbox, FALSE);

  /* Never a redirect to an address that is not registered. */
  message = send_message (f, soup_message_new (SOUP_METHOD_GET, unknown), &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_BAD_REQUEST);
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  url = cd_oauth_begin_sign_in (oauth, &error);
  message = send_message (f, soup_message_new (SOUP_METHOD_GET, url), &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  page = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_nonnull (strstr (page, "Allow"));

  denied = decide (f, page, "deny");
  g_assert_true (g_str_has_prefix (denied, f->redirect_uri));
  g_assert_false (complete (oauth, denied, &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_DENIED);
  g_clear_error (&error);

  allowed = decide (f, page, "allow");
  g_assert_true (complete (oauth, allowed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cd_sandbox_get_oauth_token_count (f->sandbox), ==, 1);
}

/* --- settings ------------------------------------------------------------------------ */

static void
test_settings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdOAuth) oauth = cd_oauth_new ("https://school.example", "id", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (cd_oauth_get_auth_url (oauth), ==, CD_OAUTH_DEFAULT_AUTH_URL);
  g_assert_cmpstr (cd_oauth_get_token_url (oauth), ==, CD_OAUTH_DEFAULT_TOKEN_URL);

  g_assert_false (cd_oauth_set_token_url (oauth, "http://auth.example/token", &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING);
  g_clear_error (&error);
  g_assert_true (cd_oauth_set_token_url (oauth, "http://127.0.0.1:8/token", &error));
  g_assert_false (cd_oauth_set_auth_url (oauth, "ftp://x/y", &error));
  g_clear_error (&error);
  g_assert_false (cd_oauth_set_scope (oauth, "import", &error));
  g_clear_error (&error);
  g_assert_true (cd_oauth_set_scope (oauth, "import:job:create,fetch core:*:*", &error));
  g_assert_no_error (error);

  g_assert_null (cd_oauth_new ("https://school.example", "", &error));
  g_clear_error (&error);
  g_assert_null (cd_oauth_new ("http://school.example", "id", &error));
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST);
  g_clear_error (&error);

  /* No secret, no sign-in. */
  g_assert_null (cd_oauth_begin_sign_in (oauth, &error));
  g_assert_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING);
}

static void
test_scopes (void)
{
  g_assert_cmpstr (cd_oauth_scope_for_route ("POST", "/d2l/api/le/1.79/import/6606/imports/"),
                   ==, "import:job:create");
  g_assert_cmpstr (cd_oauth_scope_for_route ("GET", "/d2l/api/le/1.79/import/6606/imports/8840"),
                   ==, "import:job:fetch");
  g_assert_cmpstr (cd_oauth_scope_for_route ("GET",
                                             "/d2l/api/le/1.79/import/6606/imports/8840/logs/"),
                   ==, "core:*:*");
  g_assert_cmpstr (cd_oauth_scope_for_route ("GET", "/d2l/api/lp/1.47/users/whoami"), ==,
                   "users:own_profile:read");
  g_assert_cmpstr (cd_oauth_scope_for_route ("GET", "/d2l/api/lp/1.47/orgstructure/6606/children/paged/"),
                   ==, "organizations:organization:read");
  g_assert_null (cd_oauth_scope_for_route ("GET", "/d2l/api/versions/"));

  g_assert_true (cd_oauth_scopes_satisfy ("import:job:create,fetch", "import:job:fetch"));
  g_assert_true (cd_oauth_scopes_satisfy ("a:b:c core:*:*", "core:*:*"));
  g_assert_true (cd_oauth_scopes_satisfy ("*:*:*", "import:job:create"));
  g_assert_false (cd_oauth_scopes_satisfy ("import:job:fetch", "import:job:create"));
  g_assert_false (cd_oauth_scopes_satisfy ("import:jobs:create", "import:job:create"));
  g_assert_false (cd_oauth_scopes_satisfy ("", "import:job:create"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, scope) \
  g_test_add ("/oauth/" path, Fixture, scope, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/oauth/settings", test_settings);
  g_test_add_func ("/oauth/scopes", test_scopes);
  ADD ("code-grant", test_code_grant, NULL);
  ADD ("wrong-state", test_wrong_state, NULL);
  ADD ("denied", test_denied, NULL);
  ADD ("wrong-verifier", test_wrong_verifier, NULL);
  ADD ("consent", test_consent, NULL);

  return g_test_run ();
}
