/* oauth-test-util.c: the sandbox with its OAuth client, a browser and
 * sign-in helpers shared by the OAuth tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-credentials.h"
#include "../cd-test-port.h"
#include "oauth-test-util.h"


void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *registered_scope = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;

  /* Nothing listens there: the test reads the redirect itself. */
  f->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u/cb", cd_test_free_port ());
  spec = g_strdup_printf ("%s:%s:%s", CLIENT_ID, CLIENT_SECRET, f->redirect_uri);

  f->sandbox = cd_sandbox_new ();
  cd_sandbox_set_auto_approve (f->sandbox, TRUE);
  g_assert_true (cd_sandbox_set_oauth_client (f->sandbox, spec, &error));
  g_assert_no_error (error);
  cd_sandbox_set_oauth_scope (f->sandbox, registered_scope);
  cd_sandbox_set_oauth_only (f->sandbox, TRUE);
  cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error);
  g_assert_no_error (error);

  f->auth_url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/oauth2/auth", NULL);
  f->token_url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/core/connect/token", NULL);
  f->browser = soup_session_new ();
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *host = g_strdup (cd_sandbox_get_url (f->sandbox));
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->browser);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* The keyring is shared by the tests of this process: leave it empty. */
  cd_credentials_clear (CD_CREDENTIAL_REFRESH_TOKEN, host, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cd_credentials_clear (CD_CREDENTIAL_CLIENT_SECRET, host, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_free (f->redirect_uri);
  g_free (f->auth_url);
  g_free (f->token_url);
}

void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
wait_for (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

CdOAuth *
make_oauth (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdOAuth) oauth = cd_oauth_new (cd_sandbox_get_url (f->sandbox), CLIENT_ID, &error);

  g_assert_no_error (error);
  g_assert_true (cd_oauth_set_auth_url (oauth, f->auth_url, &error));
  g_assert_true (cd_oauth_set_token_url (oauth, f->token_url, &error));
  g_assert_true (cd_oauth_set_redirect_uri (oauth, f->redirect_uri, &error));
  g_assert_no_error (error);
  cd_oauth_set_client_secret (oauth, CLIENT_SECRET);

  return g_steal_pointer (&oauth);
}

/* The browser: GET the authorization address, answer the Location. */
char *
browse (Fixture    *f,
        const char *url)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  /* The sandbox answers in this thread's main context. */
  soup_session_send_and_read_async (f->browser, message, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);
  wait_for (&result);
  body = soup_session_send_and_read_finish (f->browser, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_FOUND);

  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                 "Location"));
}

gboolean
complete (CdOAuth     *oauth,
          const char  *redirected,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_oauth_complete_sign_in_async (oauth, redirected, NULL, NULL, store_result_cb, &result);
  wait_for (&result);
  return cd_oauth_complete_sign_in_finish (oauth, result, error);
}

void
sign_in (Fixture *f,
         CdOAuth *oauth)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = cd_oauth_begin_sign_in (oauth, &error);
  g_autofree char *location = NULL;

  g_assert_no_error (error);
  location = browse (f, url);
  g_assert_true (complete (oauth, location, &error));
  g_assert_no_error (error);
}

char *
stored_refresh_token (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *token = cd_credentials_lookup (CD_CREDENTIAL_REFRESH_TOKEN, cd_sandbox_get_url (f->sandbox),
                                       CLIENT_ID, NULL, NULL, &error);

  g_assert_no_error (error);
  return token;
}

JsonObject *
whoami (CdClient  *client,
        GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_whoami_async (client, NULL, store_result_cb, &result);
  wait_for (&result);
  return cd_client_whoami_finish (client, result, error);
}

CdClient *
make_client (Fixture *f,
             CdOAuth *oauth)
{
  g_autoptr(GError) error = NULL;
  CdClient *client = cd_client_new_with_auth (cd_sandbox_get_url (f->sandbox), CD_AUTH (oauth),
                                              &error);

  g_assert_no_error (error);
  cd_client_set_retry_policy (client, 1, 0, 0);
  return client;
}
