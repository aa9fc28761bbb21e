/* signin-test-util.c: the fixture, the test's browser and the keyring
 * and settings helpers shared by the sign-in tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-credentials.h"
#include "cd-settings.h"
#include "../cd-test-port.h"

#include "signin-test-util.h"

const Setup auto_approve = { TRUE, TRUE };
const Setup consent = { FALSE, TRUE };
const Setup any_target = { TRUE, FALSE };

static void
clear_saved_account (void)
{
  g_autoptr(GSettings) settings = cd_settings_open ();
  const char *keys[] = { "host", "app-id", "user-id", "display-name", "trusted-certificates" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  g_settings_sync ();
}

void
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

void
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

void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
iterate_until (gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!*done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

GAsyncResult *
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

void
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
void
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

char *
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
CdAccount *
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

char *
lookup_user_key (const char *host)
{
  g_autoptr(GError) error = NULL;
  char *key = cd_credentials_lookup (CD_CREDENTIAL_USER_KEY, host, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return key;
}

char *
saved_string (const char *key)
{
  g_autoptr(GSettings) settings = cd_settings_open ();

  return g_settings_get_string (settings, key);
}

guint
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

char *
callback_with (Fixture    *f,
               const char *query)
{
  return g_strdup_printf ("%s%s%s", f->callback_url, query != NULL ? "?" : "",
                          query != NULL ? query : "");
}

void
signin_test_init (int    *argc,
                  char ***argv)
{
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("CD_KEYRING_HOME") == NULL)
    g_test_message ("Not under tests/keyring/run-with-keyring.sh: using the session keyring");
}
