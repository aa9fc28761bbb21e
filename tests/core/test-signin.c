/* test-signin.c: the browser sign-in against the sandbox: the whole
 * flow with the saved account and the keyring, the consent page, and
 * what the sandbox's sign-in page refuses (callbacks and the listener:
 * test-signin-callback.c; manual keys and expiry: test-signin-account.c)
 *
 * Runs under tests/keyring/run-with-keyring.sh (see signin-test-util.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "cd-credentials.h"
#include "cd-settings.h"

#include "signin-test-util.h"

/* --- the flow -------------------------------------------------------------------------- */

static void
test_flow (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdAccount) loaded = NULL;
  g_autoptr(CdAccount) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *key = NULL;
  g_autofree char *app_key = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *display = NULL;
  const char *host;

  account = sign_in (f, &error);
  g_assert_no_error (error);
  g_assert_true (cd_account_has_user (account));
  g_assert_cmpstr (cd_account_get_user_id (account), ==, CD_SANDBOX_DEFAULT_USER_ID);
  g_assert_cmpstr (cd_account_get_display_name (account), ==, "Dana Demo");
  host = cd_account_get_host (account);
  g_assert_cmpstr (host, ==, cd_sandbox_get_url (f->sandbox));

  /* Nothing is stored until the caller saves. */
  key = lookup_user_key (host);
  g_assert_null (key);

  cd_account_save_async (account, NULL, store_result_cb, &result);
  g_assert_true (cd_account_save_finish (account, await (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  key = lookup_user_key (host);
  g_assert_cmpstr (key, ==, CD_SANDBOX_DEFAULT_USER_KEY);
  app_key = cd_credentials_lookup (CD_CREDENTIAL_APP_KEY, host, CD_SANDBOX_DEFAULT_APP_ID, NULL,
                                   NULL, &error);
  g_assert_cmpstr (app_key, ==, CD_SANDBOX_DEFAULT_APP_KEY);
  user_id = saved_string ("user-id");
  g_assert_cmpstr (user_id, ==, CD_SANDBOX_DEFAULT_USER_ID);
  display = saved_string ("display-name");
  g_assert_cmpstr (display, ==, "Dana Demo");

  /* Loaded back: the keys come from the keyring alone. */
  cd_account_load_saved_async (NULL, store_result_cb, &result);
  loaded = cd_account_load_saved_finish (await (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (cd_account_has_app (loaded));
  g_assert_true (cd_account_has_user (loaded));
  g_assert_cmpstr (cd_account_get_display_name (loaded), ==, "Dana Demo");

  cd_account_verify_async (loaded, NULL, store_result_cb, &result);
  json_object_unref (cd_account_verify_finish (loaded, await (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* Sign out: the user key leaves the keyring, the app stays. */
  cd_account_sign_out_async (loaded, NULL, store_result_cb, &result);
  g_assert_true (cd_account_sign_out_finish (loaded, await (&result), &error));
  g_assert_no_error (error);
  g_assert_false (cd_account_has_user (loaded));
  g_clear_pointer (&key, g_free);
  key = lookup_user_key (host);
  g_assert_null (key);
  g_clear_pointer (&user_id, g_free);
  user_id = saved_string ("user-id");
  g_assert_cmpstr (user_id, ==, "");

  again = cd_account_load_saved (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cd_account_has_app (again));
  g_assert_false (cd_account_has_user (again));
  g_assert_cmpstr (cd_account_get_host (again), ==, host);

  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, host, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Without auto-approve: a consent page whose Allow button posts the form. */
static void
test_consent (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *url = start_signin (f);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *allow = NULL;
  Page page = { 0 };

  cd_signin_wait_async (f->signin, 30, NULL, store_result_cb, &result);

  browse (f, "GET", url, NULL, &page);
  iterate_until (&page.done);
  g_assert_cmpuint (page.status, ==, 200);
  g_assert_nonnull (strstr (page.body, "<form method=\"post\" action=\"/d2l/auth/api/token/allow\">"));
  g_assert_nonnull (strstr (page.body, ">Allow</button>"));
  g_assert_null (result);
  page_clear (&page);

  /* Clicking Allow: the same request, as a form. */
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  allow = g_strdup_printf ("%s/d2l/auth/api/token/allow", cd_sandbox_get_url (f->sandbox));
  browse (f, "POST", allow, g_uri_get_query (uri), &page);
  iterate_until (&page.done);
  g_assert_cmpuint (page.status, ==, 200);
  g_assert_cmpstr (page.final_path, ==, "/callback");

  account = cd_signin_wait_finish (f->signin, await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_user_id (account), ==, CD_SANDBOX_DEFAULT_USER_ID);
  page_clear (&page);
}

/* --- what the sandbox refuses ------------------------------------------------------------ */

static void
test_sandbox_refusals (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *base = g_strdup (cd_sandbox_get_url (f->sandbox));
  g_autofree char *good = cd_idkey_build_auth_url (base, CD_SANDBOX_DEFAULT_APP_ID,
                                                   CD_SANDBOX_DEFAULT_APP_KEY, f->callback_url,
                                                   FALSE);
  g_autofree char *signature = cd_idkey_sign (CD_SANDBOX_DEFAULT_APP_KEY, f->callback_url);
  g_autofree char *evil_target = g_strdup_printf ("http://127.0.0.1:%u/steal", f->port);
  g_autofree char *evil_signature = cd_idkey_sign (CD_SANDBOX_DEFAULT_APP_KEY, evil_target);
  g_autofree char *tampered = NULL;
  g_autofree char *wrong_sig = NULL;
  g_autofree char *wrong_app = NULL;
  g_autofree char *untrusted = NULL;
  g_autofree char *escaped_evil = g_uri_escape_string (evil_target, NULL, FALSE);
  g_autofree char *escaped_sig = g_uri_escape_string (signature, NULL, FALSE);
  g_autofree char *escaped_evil_sig = g_uri_escape_string (evil_signature, NULL, FALSE);
  g_autofree char *allow = g_strdup_printf ("%s/d2l/auth/api/token/allow", base);
  g_autofree char *tampered_form = NULL;

  /* Another target under the original signature. */
  tampered = g_strdup_printf ("%s/d2l/auth/api/token?x_a=%s&x_b=%s&x_target=%s", base,
                              CD_SANDBOX_DEFAULT_APP_ID, escaped_sig, escaped_evil);
  /* The right target under a signature made with another key. */
  wrong_sig = cd_idkey_build_auth_url (base, CD_SANDBOX_DEFAULT_APP_ID, "not-the-app-key",
                                       f->callback_url, FALSE);
  wrong_app = cd_idkey_build_auth_url (base, "SomeOtherApp", CD_SANDBOX_DEFAULT_APP_KEY,
                                       f->callback_url, FALSE);
  /* Properly signed, but not the Trusted URL. */
  untrusted = g_strdup_printf ("%s/d2l/auth/api/token?x_a=%s&x_b=%s&x_target=%s", base,
                               CD_SANDBOX_DEFAULT_APP_ID, escaped_evil_sig, escaped_evil);
  tampered_form = g_strdup_printf ("x_a=%s&x_b=%s&x_target=%s", CD_SANDBOX_DEFAULT_APP_ID,
                                   escaped_sig, escaped_evil);

  g_assert_cmpuint (status_of (f, "GET", good, NULL), ==, 200);
  g_assert_cmpuint (status_of (f, "GET", tampered, NULL), ==, 403);
  g_assert_cmpuint (status_of (f, "GET", wrong_sig, NULL), ==, 403);
  g_assert_cmpuint (status_of (f, "GET", wrong_app, NULL), ==, 403);
  g_assert_cmpuint (status_of (f, "GET", untrusted, NULL), ==, 403);
  g_assert_cmpuint (status_of (f, "POST", allow, tampered_form), ==, 403);
}

/* x_target's own query keeps its parameters; the keys are appended with '&'. */
static void
test_sandbox_target_query (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *target = g_strdup_printf ("http://127.0.0.1:%u/cb?state=1", f->port);
  g_autofree char *url = cd_idkey_build_auth_url (cd_sandbox_get_url (f->sandbox),
                                                  CD_SANDBOX_DEFAULT_APP_ID,
                                                  CD_SANDBOX_DEFAULT_APP_KEY, target, FALSE);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *location;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (f->browser, msg, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);
  body = soup_session_send_and_read_finish (f->browser, await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 302);

  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  g_assert_true (g_str_has_prefix (location, target));
  g_assert_nonnull (strstr (location, "?state=1&x_a=" CD_SANDBOX_DEFAULT_USER_ID "&x_b="));
  g_assert_nonnull (strstr (location, "&x_c="));
}

int
main (int   argc,
      char *argv[])
{
  signin_test_init (&argc, &argv);

#define ADD(path, setup, func) \
  g_test_add ("/signin/" path, Fixture, setup, fixture_setup, func, fixture_teardown)

  ADD ("flow", &auto_approve, test_flow);
  ADD ("consent", &consent, test_consent);
  ADD ("sandbox/refusals", &consent, test_sandbox_refusals);
  ADD ("sandbox/target-query", &any_target, test_sandbox_target_query);

#undef ADD

  return g_test_run ();
}
