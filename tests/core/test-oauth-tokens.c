/* test-oauth-tokens.c: OAuth 2.0 bearer tokens and their renewal, scopes
 * and the import, the loopback sign-in and the saved account
 *
 * Runs under tests/keyring/run-with-keyring.sh (refresh tokens and client
 * secrets live in the keyring) against the in-process sandbox, whose
 * OAuth service is strict: single-use codes and refresh tokens, PKCE,
 * the registered redirect URI only.  The test plays the browser.
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

/* --- renewal ------------------------------------------------------------------- */

static void
test_refresh_before_expiry (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdClient) client = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  cd_sandbox_set_token_life (f->sandbox, 5);
  sign_in (f, oauth);
  before = stored_refresh_token (f);
  client = make_client (f, oauth);

  /* In the second half of its short life: renewed before it is sent. */
  g_usleep (3000 * 1000);
  user = whoami (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_oauth_refused_count (f->sandbox), ==, 0);

  /* Single use: the new refresh token replaced the old one. */
  after = stored_refresh_token (f);
  g_assert_nonnull (after);
  g_assert_cmpstr (before, !=, after);
}

static void
test_refresh_after_401 (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdClient) client = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;

  sign_in (f, oauth);
  client = make_client (f, oauth);
  cd_sandbox_expire_access_tokens (f->sandbox);

  user = whoami (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_assert_cmpuint (cd_sandbox_get_oauth_refused_count (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_oauth_bearer_count (f->sandbox), ==, 1);

  /* Refused again after the renewal: sign in again. */
  g_clear_pointer (&user, json_object_unref);
  cd_credentials_clear (CD_CREDENTIAL_REFRESH_TOKEN, cd_sandbox_get_url (f->sandbox), NULL, NULL,
                        NULL, &error);
  g_assert_no_error (error);
  cd_sandbox_expire_access_tokens (f->sandbox);
  user = whoami (client, &error);
  g_assert_null (user);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), ==, 1);
}

/* Two clients with their own state (as two processes), one refresh token
 * in the keyring: both renew at once, and none is ever sent twice. */
static void
test_concurrent_refresh (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CdOAuth) first = make_oauth (f);
  g_autoptr(CdOAuth) second = make_oauth (f);
  g_autoptr(CdClient) first_client = NULL;
  g_autoptr(CdClient) second_client = NULL;
  g_autoptr(GAsyncResult) first_result = NULL;
  g_autoptr(GAsyncResult) second_result = NULL;
  g_autoptr(JsonObject) first_user = NULL;
  g_autoptr(JsonObject) second_user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;

  sign_in (f, first);
  /* The second read the keyring only: it has no access token yet. */
  stored = stored_refresh_token (f);
  cd_oauth_set_signed_in (second, stored != NULL);
  first_client = make_client (f, first);
  second_client = make_client (f, second);
  cd_sandbox_expire_access_tokens (f->sandbox);

  for (guint round = 0; round < 3; round++)
    {
      cd_client_whoami_async (first_client, NULL, store_result_cb, &first_result);
      cd_client_whoami_async (second_client, NULL, store_result_cb, &second_result);
      wait_for (&first_result);
      wait_for (&second_result);

      first_user = cd_client_whoami_finish (first_client, first_result, &error);
      g_assert_no_error (error);
      second_user = cd_client_whoami_finish (second_client, second_result, &error);
      g_assert_no_error (error);
      g_clear_object (&first_result);
      g_clear_object (&second_result);
      g_clear_pointer (&first_user, json_object_unref);
      g_clear_pointer (&second_user, json_object_unref);
      cd_sandbox_expire_access_tokens (f->sandbox);
    }

  g_assert_cmpuint (cd_sandbox_get_oauth_reuse_count (f->sandbox), ==, 0);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), >=, 5);
  g_assert_cmpuint (cd_sandbox_get_oauth_bearer_count (f->sandbox), ==, 6);
}

/* --- scopes and the import ---------------------------------------------------------- */

static void
test_missing_scope (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) course = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;

  sign_in (f, oauth);
  g_assert_false (cd_oauth_scope_granted (oauth, "orgunits:course:read"));
  client = make_client (f, oauth);

  user = whoami (client, &error);
  g_assert_no_error (error);

  cd_client_get_course_async (client, 6606, NULL, store_result_cb, &result);
  wait_for (&result);
  course = cd_client_get_course_finish (client, result, &error);
  g_assert_null (course);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "orgunits:course:read"));
}

/* A small zip of this test's own: tests may run side by side. */
static char *
write_zip (void)
{
  g_autofree char *data = g_malloc0 (4096);
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd;

  memcpy (data, "PK\003\004", 4);
  memcpy (data + 4096 - 22, "PK\005\006", 4);
  fd = g_file_open_tmp ("oauth-XXXXXX.zip", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, data, 4096, NULL));
  return path;
}

static void
test_import_not_replayed (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_zip ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *token = NULL;
  guint requests;

  sign_in (f, oauth);
  client = make_client (f, oauth);

  cd_client_discover_versions_async (client, NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_true (cd_client_discover_versions_finish (client, result, &error));
  g_clear_object (&result);

  cd_sandbox_expire_access_tokens (f->sandbox);
  requests = cd_sandbox_get_request_count (f->sandbox);

  cd_client_start_import_async (client, file, 6606, NULL, NULL, NULL, NULL, NULL,
                                store_result_cb, &result);
  wait_for (&result);
  token = cd_client_start_import_finish (client, result, &error);
  g_assert_null (token);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CD_CLIENT_ERROR);

  /* One POST, refused with 401, never sent again. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, requests + 1);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 0);
  g_assert_cmpuint (cd_sandbox_get_oauth_refused_count (f->sandbox), ==, 1);
  g_unlink (path);
}

static void
test_import_with_fresh_token (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_zip ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *token = NULL;

  cd_sandbox_set_token_life (f->sandbox, 5);
  sign_in (f, oauth);
  client = make_client (f, oauth);
  g_usleep (3000 * 1000);

  /* About to expire: renewed before the package goes. */
  cd_client_start_import_async (client, file, 6606, NULL, NULL, NULL, NULL, NULL,
                                store_result_cb, &result);
  wait_for (&result);
  token = cd_client_start_import_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), ==, 1);
  g_unlink (path);
}

/* The sandbox itself refuses a refresh token sent twice, and counts it. */
static guint
post_refresh (Fixture    *f,
              const char *refresh_token)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, f->token_url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = g_uri_escape_string (refresh_token, NULL, FALSE);
  g_autofree char *body = g_strdup_printf ("grant_type=refresh_token&refresh_token=%s"
                                           "&client_id=%s&client_secret=%s", escaped,
                                           CLIENT_ID, CLIENT_SECRET);

  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded",
                                            g_bytes_new (body, strlen (body)));
  soup_session_send_and_read_async (f->browser, message, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);
  wait_for (&result);
  answer = soup_session_send_and_read_finish (f->browser, result, &error);
  g_assert_no_error (error);
  return soup_message_get_status (message);
}

static void
test_sandbox_refuses_reuse (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autofree char *token = NULL;

  sign_in (f, oauth);
  token = stored_refresh_token (f);
  g_assert_cmpuint (post_refresh (f, token), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (post_refresh (f, token), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_oauth_reuse_count (f->sandbox), ==, 1);
}

/* The loopback listener of CdSignIn catches the redirect, trades the code
 * and checks it with whoami: an account ready to save. */
static void
test_loopback_signin (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdAccount) account = cd_account_new_oauth (oauth);
  g_autoptr(CdAccount) signed_in = NULL;
  g_autoptr(CdSignIn) signin = cd_signin_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) page_result = NULL;
  g_autoptr(SoupMessage) page = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *location = NULL;

  g_assert_false (cd_account_has_user (account));
  url = cd_signin_start_oauth (signin, account, &error);
  g_assert_no_error (error);
  cd_signin_wait_async (signin, 30, NULL, store_result_cb, &result);

  location = browse (f, url);
  page = soup_message_new (SOUP_METHOD_GET, location);
  soup_session_send_and_read_async (f->browser, page, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &page_result);
  wait_for (&page_result);
  body = soup_session_send_and_read_finish (f->browser, page_result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (page), ==, SOUP_STATUS_OK);

  wait_for (&result);
  signed_in = cd_signin_wait_finish (signin, result, &error);
  g_assert_no_error (error);
  g_assert_true (signed_in == account);
  g_assert_cmpint (cd_account_get_kind (signed_in), ==, CD_AUTH_KIND_OAUTH);
  g_assert_true (cd_account_has_user (signed_in));
  g_assert_cmpstr (cd_account_get_display_name (signed_in), ==, "Dana Demo");
  g_assert_nonnull (cd_account_get_user_id (signed_in));
  g_assert_cmpuint (cd_sandbox_get_oauth_token_count (f->sandbox), ==, 1);
}

/* The saved OAuth account comes back from settings and the keyring; a
 * token from the environment and ID-Key variables come first. */
static void
test_resolve_saved (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CdOAuth) oauth = make_oauth (f);
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdAccount) resolved = NULL;
  g_autoptr(CdAccount) from_env = NULL;
  g_autoptr(CdAccount) idkey = NULL;
  g_autoptr(CdAccount) signed_out = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GSettings) settings = cd_settings_open ();
  g_autoptr(GError) error = NULL;
  CdAccountOptions options = { .host = cd_sandbox_get_url (f->sandbox) };
  CdOAuth *loaded;
  char *secret;

  g_assert_nonnull (settings);
  sign_in (f, oauth);
  account = cd_account_new_oauth (oauth);
  g_assert_true (cd_account_save (account, NULL, &error));
  g_assert_no_error (error);

  resolved = cd_account_source_resolve (&options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cd_account_get_kind (resolved), ==, CD_AUTH_KIND_OAUTH);
  g_assert_true (cd_account_has_user (resolved));
  loaded = cd_account_get_oauth (resolved);
  g_assert_true (loaded != oauth);
  g_assert_cmpstr (cd_oauth_get_client_id (loaded), ==, CLIENT_ID);
  g_assert_cmpstr (cd_oauth_get_redirect_uri (loaded), ==, f->redirect_uri);
  g_assert_cmpstr (cd_oauth_get_token_url (loaded), ==, f->token_url);
  g_assert_true (cd_oauth_has_client_secret (loaded));

  /* No access token in this one's memory: renewed from the keyring. */
  client = cd_account_create_client (resolved, &error);
  g_assert_no_error (error);
  user = whoami (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cd_sandbox_get_oauth_refresh_count (f->sandbox), ==, 1);

  g_setenv ("COURSEDROP_ACCESS_TOKEN", "token-from-a-pipeline", TRUE);
  from_env = cd_account_source_resolve (&options, NULL, &error);
  g_unsetenv ("COURSEDROP_ACCESS_TOKEN");
  g_assert_no_error (error);
  g_assert_cmpint (cd_account_get_kind (from_env), ==, CD_AUTH_KIND_OAUTH);
  g_assert_false (cd_oauth_can_refresh (cd_account_get_oauth (from_env)));

  g_setenv ("COURSEDROP_APP_ID", "app", TRUE);
  g_setenv ("COURSEDROP_APP_KEY", "key", TRUE);
  idkey = cd_account_source_resolve (&options, NULL, &error);
  g_unsetenv ("COURSEDROP_APP_ID");
  g_unsetenv ("COURSEDROP_APP_KEY");
  g_assert_no_error (error);
  g_assert_cmpint (cd_account_get_kind (idkey), ==, CD_AUTH_KIND_IDKEY);

  /* Signing out forgets the refresh token and the client secret. */
  g_assert_true (cd_account_sign_out (resolved, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (stored_refresh_token (f));
  secret = cd_credentials_lookup (CD_CREDENTIAL_CLIENT_SECRET, cd_sandbox_get_url (f->sandbox),
                                  CLIENT_ID, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  signed_out = cd_account_source_resolve (&options, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cd_account_has_user (signed_out));

  {
    const char *keys[] = { "host", "auth-kind", "client-id", "oauth-auth-url", "oauth-token-url",
                           "oauth-redirect-uri", "oauth-scope", "user-id", "display-name" };

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      g_settings_reset (settings, keys[i]);
    g_settings_sync ();
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, scope) \
  g_test_add ("/oauth/" path, Fixture, scope, fixture_setup, func, fixture_teardown)

  ADD ("refresh-before-expiry", test_refresh_before_expiry, NULL);
  ADD ("refresh-after-401", test_refresh_after_401, NULL);
  ADD ("concurrent-refresh", test_concurrent_refresh, NULL);
  ADD ("missing-scope", test_missing_scope, "import:job:create,fetch users:own_profile:read");
  ADD ("import-not-replayed", test_import_not_replayed, NULL);
  ADD ("import-fresh-token", test_import_with_fresh_token, NULL);
  ADD ("sandbox-refuses-reuse", test_sandbox_refuses_reuse, NULL);
  ADD ("loopback-signin", test_loopback_signin, NULL);
  ADD ("resolve-saved", test_resolve_saved, NULL);

  return g_test_run ();
}
