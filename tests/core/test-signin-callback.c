/* test-signin-callback.c: the sign-in's local listener: a second or
 * concurrent callback, missing, forged or invalid keys, other paths, a
 * port in use, loopback only, and waiting (timeout, cancel)
 *
 * Runs under tests/keyring/run-with-keyring.sh (see signin-test-util.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "cd-credentials.h"
#include "cd-settings.h"
#include "../cd-test-port.h"

#include "signin-test-util.h"

/* --- what the listener refuses --------------------------------------------------------------- */

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

int
main (int   argc,
      char *argv[])
{
  signin_test_init (&argc, &argv);

#define ADD(path, setup, func) \
  g_test_add ("/signin/" path, Fixture, setup, fixture_setup, func, fixture_teardown)

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

#undef ADD

  return g_test_run ();
}
