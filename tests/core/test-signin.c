/* test-signin.c: the browser sign-in, the saved account and the keyring
 *
 * Runs under tests/keyring/run-with-keyring.sh: a private session bus with
 * a fresh, unlocked gnome-keyring.  The test plays the browser with its
 * own SoupSession against the in-process sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cd-account.h"
#include "cd-credentials.h"
#include "cd-import-job.h"
#include "cd-sandbox.h"
#include "cd-settings.h"
#include "cd-signin.h"
#include "../cd-test-port.h"

typedef struct
{
  CdSandbox   *sandbox;
  SoupSession *browser;
  CdSignIn    *signin;
  char        *callback_url;
  guint16      port;
} Fixture;

typedef struct
{
  gboolean  auto_approve;
  gboolean  trusted_url;
} Setup;

static const Setup auto_approve = { TRUE, TRUE };
static const Setup consent = { FALSE, TRUE };
static const Setup any_target = { TRUE, FALSE };

static void
clear_saved_account (void)
{
  g_autoptr(GSettings) settings = cd_settings_open ();
  const char *keys[] = { "host", "app-id", "user-id", "display-name", "trusted-certificates" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  g_settings_sync ();
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const Setup *setup = data;
  g_autoptr(GError) error = NULL;

  f->port = cd_test_free_port ();
  f->callback_url = g_strdup_printf ("http://127.0.0.1:%u/callback", f->port);

  f->sandbox = cd_sandbox_new ();
  cd_sandbox_set_auto_approve (f->sandbox, setup != NULL && setup->auto_approve);
  if (setup->trusted_url)
    cd_sandbox_set_trusted_url (f->sandbox, f->callback_url);
  cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error);
  g_assert_no_error (error);

  f->browser = soup_session_new ();
  f->signin = cd_signin_new ();
  clear_saved_account ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *host = g_strdup (cd_sandbox_get_url (f->sandbox));
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->signin);
  g_clear_object (&f->browser);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* The keyring is shared by the tests of this process: leave it empty. */
  cd_credentials_clear (CD_CREDENTIAL_USER_KEY, host, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, host, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  clear_saved_account ();
  g_free (f->callback_url);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
iterate_until (gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!*done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  return *slot;
}

/* What the browser saw at the end of its redirects. */
typedef struct
{
  gboolean  done;
  guint     status;
  char     *body;
  char     *final_path;
} Page;

static void
page_clear (Page *page)
{
  g_clear_pointer (&page->body, g_free);
  g_clear_pointer (&page->final_path, g_free);
  page->done = FALSE;
  page->status = 0;
}

static void
fetched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  Page *page = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  page->status = error == NULL ? soup_message_get_status (msg) : 0;
  page->body = body != NULL ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body))
                            : g_strdup (error->message);
  page->final_path = g_strdup (g_uri_get_path (soup_message_get_uri (msg)));
  page->done = TRUE;
}

/* Starts a browser request; follows redirects like a browser does. */
static void
browse (Fixture    *f,
        const char *method,
        const char *url,
        const char *form,
        Page       *page)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (form != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded",
                                              g_bytes_new (form, strlen (form)));
  soup_session_send_and_read_async (f->browser, msg, G_PRIORITY_DEFAULT, NULL, fetched_cb, page);
}

static char *
start_signin (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *url;

  url = cd_signin_start (f->signin, cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                         CD_SANDBOX_DEFAULT_APP_KEY, f->callback_url, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, cd_sandbox_get_url (f->sandbox)));
  g_assert_nonnull (strstr (url, "/d2l/auth/api/token?"));
  /* The sign-in address never carries a key, only a signature of the target. */
  g_assert_null (strstr (url, CD_SANDBOX_DEFAULT_APP_KEY));

  return url;
}

/* Plays the whole flow with auto-approve; returns the new account. */
static CdAccount *
sign_in (Fixture  *f,
         GError  **error)
{
  g_autofree char *url = start_signin (f);
  g_autoptr(GAsyncResult) result = NULL;
  Page page = { 0 };
  CdAccount *account;

  cd_signin_wait_async (f->signin, 30, NULL, store_result_cb, &result);
  browse (f, "GET", url, NULL, &page);
  iterate_until (&page.done);
  account = cd_signin_wait_finish (f->signin, await (&result), error);

  if (account != NULL)
    {
      g_assert_cmpuint (page.status, ==, 200);
      g_assert_cmpstr (page.final_path, ==, "/callback");
      g_assert_nonnull (strstr (page.body, "You are signed in"));
    }

  page_clear (&page);
  return account;
}

static char *
lookup_user_key (const char *host)
{
  g_autoptr(GError) error = NULL;
  char *key = cd_credentials_lookup (CD_CREDENTIAL_USER_KEY, host, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return key;
}

static char *
saved_string (const char *key)
{
  g_autoptr(GSettings) settings = cd_settings_open ();

  return g_settings_get_string (settings, key);
}

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

static guint
status_of (Fixture    *f,
           const char *method,
           const char *url,
           const char *form)
{
  Page page = { 0 };
  guint status;

  browse (f, method, url, form, &page);
  iterate_until (&page.done);
  status = page.status;
  page_clear (&page);

  return status;
}

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

/* --- what the listener refuses --------------------------------------------------------------- */

static char *
callback_with (Fixture    *f,
               const char *query)
{
  return g_strdup_printf ("%s%s%s", f->callback_url, query != NULL ? "?" : "",
                          query != NULL ? query : "");
}

static void
test_second_callback (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *again = NULL;
  g_autofree char *key = NULL;
  Page page = { 0 };

  account = sign_in (f, &error);
  g_assert_no_error (error);

  /* Someone replays the callback, with other keys: refused and ignored. */
  again = callback_with (f, "x_a=Mallory&x_b=mallory-key&x_c=1");
  browse (f, "GET", again, NULL, &page);
  iterate_until (&page.done);
  g_assert_cmpuint (page.status, ==, 410);
  g_assert_cmpstr (cd_account_get_user_id (account), ==, CD_SANDBOX_DEFAULT_USER_ID);
  key = lookup_user_key (cd_account_get_host (account));
  g_assert_null (key);
  page_clear (&page);

  /* Once stopped, nothing listens any more. */
  cd_signin_stop (f->signin);
  browse (f, "GET", again, NULL, &page);
  iterate_until (&page.done);
  g_assert_cmpuint (page.status, ==, 0);
  page_clear (&page);
}

/* A second callback while the first is still being checked: 409. */
static void
test_concurrent_callback (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *url = start_signin (f);
  g_autofree char *first = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Page page = { 0 };
  Page other = { 0 };

  first = callback_with (f, "x_a=" CD_SANDBOX_DEFAULT_USER_ID "&x_b=" CD_SANDBOX_DEFAULT_USER_KEY
                         "&x_c=1");
  /* Slow whoami: the first callback is still being verified. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SLOW, 1, 500);
  browse (f, "GET", first, NULL, &page);
  cd_signin_wait_async (f->signin, 30, NULL, store_result_cb, &result);

  while (cd_sandbox_get_request_count (f->sandbox) < 2)
    g_main_context_iteration (NULL, TRUE);
  browse (f, "GET", first, NULL, &other);
  iterate_until (&other.done);
  g_assert_cmpuint (other.status, ==, 409);

  iterate_until (&page.done);
  g_assert_cmpuint (page.status, ==, 200);
  account = cd_signin_wait_finish (f->signin, await (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  page_clear (&page);
  page_clear (&other);
  (void) url;
}

static void
test_missing_keys (Fixture       *f,
                   gconstpointer  data)
{
  const struct {
    const char *query;
    int         code;
  } cases[] = {
    { NULL, CD_IDKEY_ERROR_MISSING_USER_ID },
    { "x_c=1", CD_IDKEY_ERROR_MISSING_USER_ID },
    { "x_a=&x_b=key", CD_IDKEY_ERROR_MISSING_USER_ID },
    { "x_a=" CD_SANDBOX_DEFAULT_USER_ID, CD_IDKEY_ERROR_MISSING_USER_KEY },
    { "x_a=" CD_SANDBOX_DEFAULT_USER_ID "&x_b=", CD_IDKEY_ERROR_MISSING_USER_KEY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CdSignIn) signin = cd_signin_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CdAccount) account = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      g_autofree char *callback = callback_with (f, cases[i].query);
      g_autofree char *key = NULL;
      g_autofree char *user_id = NULL;
      Page page = { 0 };

      url = cd_signin_start (signin, cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                             CD_SANDBOX_DEFAULT_APP_KEY, f->callback_url, &error);
      g_assert_no_error (error);
      cd_signin_wait_async (signin, 30, NULL, store_result_cb, &result);

      browse (f, "GET", callback, NULL, &page);
      iterate_until (&page.done);
      g_assert_cmpuint (page.status, ==, 400);

      account = cd_signin_wait_finish (signin, await (&result), &error);
      g_assert_null (account);
      g_assert_error (error, CD_IDKEY_ERROR, cases[i].code);

      /* Nothing stored anywhere. */
      key = lookup_user_key (cd_sandbox_get_url (f->sandbox));
      g_assert_null (key);
      user_id = saved_string ("user-id");
      g_assert_cmpstr (user_id, ==, "");

      page_clear (&page);
      cd_signin_stop (signin);
    }
}

/* Keys that Brightspace would not accept (forged by whoever reached the
 * port) fail the whoami check: an error, and nothing to save. */
static void
test_forged_keys (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *url = start_signin (f);
  g_autofree char *callback = callback_with (f, "x_a=" CD_SANDBOX_DEFAULT_USER_ID
                                             "&x_b=forged-key&x_c=1");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Page page = { 0 };

  cd_signin_wait_async (f->signin, 30, NULL, store_result_cb, &result);
  browse (f, "GET", callback, NULL, &page);
  iterate_until (&page.done);
  g_assert_cmpuint (page.status, ==, 400);
  g_assert_nonnull (strstr (page.body, "Sign-in failed"));

  account = cd_signin_wait_finish (f->signin, await (&result), &error);
  g_assert_null (account);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN);
  page_clear (&page);
}

static void
test_other_paths (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *url = start_signin (f);
  g_autofree char *favicon = g_strdup_printf ("http://127.0.0.1:%u/favicon.ico", f->port);
  g_autofree char *prefix = g_strdup_printf ("http://127.0.0.1:%u/callback/x?x_a=a&x_b=b",
                                             f->port);
  g_autofree char *post = callback_with (f, "x_a=a&x_b=b");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  cd_signin_wait_async (f->signin, 30, NULL, store_result_cb, &result);
  g_assert_cmpuint (status_of (f, "GET", favicon, NULL), ==, 404);
  g_assert_cmpuint (status_of (f, "GET", prefix, NULL), ==, 404);
  g_assert_cmpuint (status_of (f, "POST", post, "x=1"), ==, 404);
  g_assert_null (result);

  /* Still waiting for the real one. */
  g_assert_cmpuint (status_of (f, "GET", url, NULL), ==, 200);
  account = cd_signin_wait_finish (f->signin, await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_user_id (account), ==, CD_SANDBOX_DEFAULT_USER_ID);
}

static void
test_invalid_callback (Fixture       *f,
                       gconstpointer  data)
{
  const char *bad[] = {
    "https://127.0.0.1:47213/callback",
    "http://192.168.1.2:47213/callback",
    "http://example.com:47213/callback",
    "http://127.0.0.1/callback",
    "http://127.0.0.1:0/callback",
    "http://127.0.0.1:47213",
    "http://127.0.0.1:47213/",
    "http://127.0.0.1:47213/callback?state=1",
    "http://127.0.0.1:47213/callback#x",
    "http://user@127.0.0.1:47213/callback",
    "http://127.0.0.1:47213/call%20back",
    "not a url",
  };
  const char *good[] = {
    "http://127.0.0.1:47213/callback",
    "http://localhost:8080/coursedrop/done",
    "http://LOCALHOST:1/x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(CdSignIn) signin = cd_signin_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;

      g_assert_false (cd_signin_check_callback_url (bad[i], NULL, &error));
      g_assert_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_INVALID_CALLBACK);
      g_clear_error (&error);

      url = cd_signin_start (signin, cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                             CD_SANDBOX_DEFAULT_APP_KEY, bad[i], &error);
      g_assert_null (url);
      g_assert_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_INVALID_CALLBACK);
    }

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint16 port = 0;

      g_assert_true (cd_signin_check_callback_url (good[i], &port, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (port, >, 0);
    }
}

static void
test_port_in_use (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, f->port);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", f->port);

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error);
  g_assert_no_error (error);

  url = cd_signin_start (f->signin, cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                         CD_SANDBOX_DEFAULT_APP_KEY, f->callback_url, &error);
  g_assert_null (url);
  g_assert_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_PORT_IN_USE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, port_text));
  g_assert_nonnull (strstr (error->message, "callback"));

  g_socket_listener_close (listener);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *url = start_signin (f);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  cd_signin_wait_async (f->signin, 1, NULL, store_result_cb, &result);
  account = cd_signin_wait_finish (f->signin, await (&result), &error);
  g_assert_null (account);
  g_assert_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "1 minute"));
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *url = start_signin (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;

  cd_signin_wait_async (f->signin, 0, cancellable, store_result_cb, &result);
  g_timeout_add (50, cancel_cb, cancellable);
  account = cd_signin_wait_finish (f->signin, await (&result), &error);
  g_assert_null (account);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "cancelled"));
  g_clear_object (&result);

  /* It is over: waiting again says so. */
  cd_signin_wait_async (f->signin, 0, NULL, store_result_cb, &result);
  account = cd_signin_wait_finish (f->signin, await (&result), &again);
  g_assert_null (account);
  g_assert_nonnull (again);
}

/* The first non-loopback IPv4 address of this machine, or NULL. */
static char *
non_loopback_ipv4 (void)
{
  struct ifaddrs *list = NULL;
  char *found = NULL;

  if (getifaddrs (&list) != 0)
    return NULL;

  for (struct ifaddrs *i = list; i != NULL && found == NULL; i = i->ifa_next)
    {
      g_autoptr(GInetAddress) address = NULL;

      if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
        continue;

      address = g_inet_address_new_from_bytes (
        (const guint8 *) &((struct sockaddr_in *) (gpointer) i->ifa_addr)->sin_addr,
        G_SOCKET_FAMILY_IPV4);
      if (!g_inet_address_get_is_loopback (address) && !g_inet_address_get_is_any (address))
        found = g_inet_address_to_string (address);
    }

  freeifaddrs (list);
  return found;
}

static void
test_loopback_only (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *url = start_signin (f);
  g_autofree char *external = non_loopback_ipv4 ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  /* The listener answers on 127.0.0.1… */
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&connection);

  if (external == NULL)
    {
      g_test_skip ("This machine has no non-loopback IPv4 address to try the listener on");
      return;
    }

  /* …and on nothing else. */
  g_test_message ("Trying %s:%u", external, f->port);
  g_socket_client_set_timeout (client, 3);
  connection = g_socket_client_connect_to_host (client, external, f->port, NULL, &error);
  g_assert_null (connection);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
}

/* --- manual keys, and the environment ------------------------------------------------------------ */

static void
test_manual_keys (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CdAccount) good = NULL;
  g_autoptr(CdAccount) bad = NULL;
  g_autoptr(CdAccount) anonymous = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GError) error = NULL;

  good = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                         CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID,
                         CD_SANDBOX_DEFAULT_USER_KEY);
  cd_account_verify_async (good, NULL, store_result_cb, &result);
  me = cd_account_verify_finish (good, await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (me, "UniqueName"), ==, "dana.demo");
  g_assert_cmpstr (cd_account_get_display_name (good), ==, "Dana Demo");
  g_clear_object (&result);

  bad = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                        CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID, "typo");
  cd_account_verify_async (bad, NULL, store_result_cb, &result);
  g_assert_null (cd_account_verify_finish (bad, await (&result), &error));
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN);
  g_assert_null (cd_account_get_display_name (bad));
  g_clear_object (&result);
  g_clear_error (&error);

  anonymous = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                              CD_SANDBOX_DEFAULT_APP_KEY, NULL, NULL);
  cd_account_verify_async (anonymous, NULL, store_result_cb, &result);
  g_assert_null (cd_account_verify_finish (anonymous, await (&result), &error));
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER);
}

static void
test_environment_or_saved (Fixture       *f,
                           gconstpointer  data)
{
  const char *names[] = { "COURSEDROP_HOST", "COURSEDROP_APP_ID", "COURSEDROP_APP_KEY",
                          "COURSEDROP_USER_ID", "COURSEDROP_USER_KEY" };
  g_autoptr(CdAccount) saved = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *url = cd_sandbox_get_url (f->sandbox);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_unsetenv (names[i]);

  account = cd_account_new_from_environment_or_saved (NULL, NULL, &error);
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST);
  g_assert_nonnull (strstr (error->message, "COURSEDROP_HOST"));
  g_clear_error (&error);

  saved = cd_account_new (url, CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                          CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  cd_account_set_display_name (saved, "Dana Demo");
  cd_account_set_le_version (saved, "1.67");
  g_assert_true (cd_account_save (saved, NULL, &error));
  g_assert_no_error (error);

  /* Nothing in the environment: all of it saved. */
  account = cd_account_new_from_environment_or_saved (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cd_account_has_user (account));
  g_assert_cmpstr (cd_account_get_display_name (account), ==, "Dana Demo");
  g_assert_cmpstr (cd_account_get_le_version (account), ==, "1.67");
  g_clear_object (&account);

  /* The environment wins for what it sets. */
  g_setenv ("COURSEDROP_USER_ID", "SomeoneElse", TRUE);
  g_setenv ("COURSEDROP_USER_KEY", "their-key", TRUE);
  account = cd_account_new_from_environment_or_saved (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_user_id (account), ==, "SomeoneElse");
  g_clear_object (&account);
  g_unsetenv ("COURSEDROP_USER_ID");
  g_unsetenv ("COURSEDROP_USER_KEY");

  /* Another site: the saved IDs and keys stay out of it. */
  account = cd_account_new_from_environment_or_saved ("https://other.example", NULL, &error);
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP);
  g_clear_error (&error);

  /* Saving another host drops the old host's user key. */
  g_clear_object (&saved);
  saved = cd_account_new ("https://other.example", "OtherApp", "other-app-key", "u", "k");
  g_assert_true (cd_account_save (saved, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (lookup_user_key (url));
  g_assert_true (cd_account_sign_out (saved, NULL, &error));
  g_assert_null (lookup_user_key ("https://other.example"));
  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, "https://other.example", NULL, NULL, NULL, &error);
  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, url, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* --- token expiry mid-import ------------------------------------------------------------------- */

static void
test_expired_resume (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdAccount) renewed = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdClient) new_client = NULL;
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdPackage) package = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "pkg", NULL);
  g_autofree char *zip = g_build_filename (dir, "Week 1.zip", NULL);
  const char *new_key = NULL;

  g_assert_true (cd_sandbox_set_timeline (f->sandbox, "UPLOADING:0.1,PROCESSING:0.3,COMPLETED",
                                          &error));
  account = sign_in (f, &error);
  g_assert_no_error (error);
  client = cd_account_create_client (account, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  {
    g_autofree char *bytes = g_malloc0 (4096);

    memcpy (bytes, "PK\003\004", 4);
    memcpy (bytes + 4096 - 22, "PK\005\006", 4);  /* an empty archive's end record */
    g_assert_true (g_file_set_contents (zip, bytes, 4096, NULL));
  }
  file = g_file_new_for_path (zip);
  package = cd_package_new (file);

  job = cd_import_job_new_for_package (client, NULL, package, 6606);
  cd_import_job_set_poll_interval (job, 20, 50);
  cd_import_job_start (job);
  while (cd_import_job_get_token (job) == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The key expires while the job is followed. */
  cd_sandbox_expire_user_key (f->sandbox);
  while (cd_import_job_is_running (job) && !cd_import_job_get_paused (job))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_import_job_get_paused (job));
  g_assert_error (cd_import_job_get_error (job), CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);

  /* Signing in again gives a new key, and the job goes on with it. */
  g_clear_object (&f->signin);
  f->signin = cd_signin_new ();
  renewed = sign_in (f, &error);
  g_assert_no_error (error);
  cd_sandbox_get_credentials (f->sandbox, NULL, NULL, NULL, &new_key);
  g_assert_cmpstr (new_key, !=, CD_SANDBOX_DEFAULT_USER_KEY);

  new_client = cd_account_create_client (renewed, &error);
  g_assert_no_error (error);
  cd_import_job_resume (job, new_client);
  while (cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_import_job_succeeded (job));
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);

  g_remove (zip);
}

/* --expire-after N: the (N+1)th signed request hears "Token expired". */
static void
test_expire_after (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;

  account = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                            CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID,
                            CD_SANDBOX_DEFAULT_USER_KEY);
  client = cd_account_create_client (account, &error);
  cd_sandbox_set_expire_after (f->sandbox, 2);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonObject) me = NULL;

      cd_client_whoami_async (client, NULL, store_result_cb, &result);
      me = cd_client_whoami_finish (client, await (&result), &error);
      if (i < 2)
        g_assert_no_error (error);
      else
        g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);
      g_clear_error (&error);
    }
}

/* POST /_sandbox/expire: the same from outside the process. */
static void
test_expire_route (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *expire = g_strdup_printf ("%s/_sandbox/expire", cd_sandbox_get_url (f->sandbox));
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GError) error = NULL;

  account = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                            CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID,
                            CD_SANDBOX_DEFAULT_USER_KEY);
  client = cd_account_create_client (account, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (status_of (f, "GET", expire, NULL), ==, 404);
  g_assert_cmpuint (status_of (f, "POST", expire, ""), ==, 200);

  cd_client_whoami_async (client, NULL, store_result_cb, &result);
  me = cd_client_whoami_finish (client, await (&result), &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("CD_KEYRING_HOME") == NULL)
    g_test_message ("Not under tests/keyring/run-with-keyring.sh: using the session keyring");

#define ADD(path, setup, func) \
  g_test_add ("/signin/" path, Fixture, setup, fixture_setup, func, fixture_teardown)

  ADD ("flow", &auto_approve, test_flow);
  ADD ("consent", &consent, test_consent);
  ADD ("sandbox/refusals", &consent, test_sandbox_refusals);
  ADD ("sandbox/target-query", &any_target, test_sandbox_target_query);
  ADD ("callback/second", &auto_approve, test_second_callback);
  ADD ("callback/concurrent", &auto_approve, test_concurrent_callback);
  ADD ("callback/missing-keys", &auto_approve, test_missing_keys);
  ADD ("callback/forged-keys", &auto_approve, test_forged_keys);
  ADD ("callback/other-paths", &auto_approve, test_other_paths);
  ADD ("callback/invalid", &auto_approve, test_invalid_callback);
  ADD ("listener/port-in-use", &auto_approve, test_port_in_use);
  ADD ("listener/loopback-only", &auto_approve, test_loopback_only);
  ADD ("wait/timeout", &auto_approve, test_timeout);
  ADD ("wait/cancel", &auto_approve, test_cancel);
  ADD ("account/manual-keys", &auto_approve, test_manual_keys);
  ADD ("account/environment-or-saved", &auto_approve, test_environment_or_saved);
  ADD ("expiry/resume", &auto_approve, test_expired_resume);
  ADD ("expiry/after", &auto_approve, test_expire_after);
  ADD ("expiry/route", &auto_approve, test_expire_route);

#undef ADD

  return g_test_run ();
}
