/* test-cli-login.c: coursedrop-cli login, logout and the saved account,
 * with the real programs as separate processes
 *
 * Runs under tests/keyring/run-with-keyring.sh.  Settings go through the
 * keyfile backend in the test's own XDG_CONFIG_HOME, so what one process
 * saves the next one reads.  Certificates and --trust-fingerprint:
 * test-cli-login-tls.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libsoup/soup.h>

#include "cd-credentials.h"
#include "cd-sandbox.h"
#include "cd-test-util.h"
#include "../cd-test-port.h"
#include "login-test-util.h"

/* --- tests ---------------------------------------------------------------------------- */

static void
test_login_whoami_logout (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) login = app_launcher ();
  g_autoptr(GSubprocessLauncher) bare = bare_launcher ();
  g_autofree char *expected = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *user_key = NULL;
  g_autofree char *app_key = NULL;
  g_autofree char *found = NULL;
  const char *keyring_home = g_getenv ("CD_KEYRING_HOME");
  g_autofree char *dirs = g_path_get_dirname (g_get_home_dir ());
  g_autofree char *zip = cd_test_make_zip ("week1.zip");
  g_autofree char *journal = NULL;
  CdTestRun run = { 0 };
  Result result = { 0 };
  guint files;

  run_login (f, login, 200, &result, "--host", f->sandbox->url, "--no-browser",
             "--callback-url", f->callback_url, NULL);
  g_assert_cmpint (result.status, ==, 0);
  expected = g_strdup_printf ("Signed in as Dana Demo (%s) on %s\n", CD_SANDBOX_DEFAULT_USER_ID,
                              f->sandbox->url);
  g_assert_cmpstr (result.out, ==, expected);
  assert_no_keys ("the debug output of login", result.err, strlen (result.err));
  g_assert_nonnull (strstr (result.err, "Coursedrop-DEBUG"));
  result_clear (&result);

  /* Keys in the keyring; who and where in settings. */
  user_key = lookup (CD_CREDENTIAL_USER_KEY, f->sandbox->url);
  g_assert_cmpstr (user_key, ==, CD_SANDBOX_DEFAULT_USER_KEY);
  app_key = lookup (CD_CREDENTIAL_APP_KEY, f->sandbox->url);
  g_assert_cmpstr (app_key, ==, CD_SANDBOX_DEFAULT_APP_KEY);
  keyfile = keyfile_contents ();
  g_assert_nonnull (keyfile);
  g_assert_nonnull (strstr (keyfile, CD_SANDBOX_DEFAULT_USER_ID));
  g_assert_nonnull (strstr (keyfile, "Dana Demo"));
  g_assert_nonnull (strstr (keyfile, f->sandbox->url));

  /* A fresh process, no key in its environment: the saved account alone. */
  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "user ID 30771"));
  assert_no_keys ("the debug output of whoami", run.err, strlen (run.err));
  cd_test_run_clear (&run);

  /* So does an import, which also leaves its journal behind to check. */
  cd_test_cli_run (bare, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  assert_no_keys ("the output of import", run.out, strlen (run.out));
  assert_no_keys ("the debug output of import", run.err, strlen (run.err));
  cd_test_run_clear (&run);
  journal = cd_test_journal_path ();
  g_assert_true (g_file_test (journal, G_FILE_TEST_IS_REGULAR));

  /* Neither key is in any file of HOME and the XDG directories beside it
   * (settings, journal, caches, state), nor in plain text in the keyring's
   * own files. */
  files = assert_no_keys_in_tree (dirs);
  g_assert_cmpuint (files, >=, 3);
  if (keyring_home != NULL)
    g_assert_cmpuint (assert_no_keys_in_tree (keyring_home), >, 0);
  assert_no_keys_in_tree (f->logdir);

  /* Sign out: the user key is gone, and whoami says to sign in. */
  cd_test_cli_run (bare, &run, "logout", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Signed out"));
  cd_test_run_clear (&run);

  g_clear_pointer (&user_key, g_free);
  user_key = lookup (CD_CREDENTIAL_USER_KEY, f->sandbox->url);
  g_assert_null (user_key);
  found = secret_tool_user_keys ();
  if (found != NULL)
    g_assert_cmpstr (found, ==, "");
  g_clear_pointer (&keyfile, g_free);
  keyfile = keyfile_contents ();
  g_assert_null (strstr (keyfile, CD_SANDBOX_DEFAULT_USER_ID));

  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_true (run.status == 2 || run.status == 3);
  g_assert_nonnull (strstr (run.err, "coursedrop-cli login"));
  cd_test_run_clear (&run);

  /* Logging out twice is fine. */
  cd_test_cli_run (bare, &run, "logout", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  /* Signing in again needs only the browser: host and app are saved. */
  run_login (f, bare, 200, &result, "--no-browser", "--callback-url", f->callback_url, NULL);
  g_assert_cmpint (result.status, ==, 0);
  result_clear (&result);

  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  result_clear (&result);
}

static void
test_login_usage (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) bare = bare_launcher ();
  g_autoptr(GSubprocessLauncher) login = app_launcher ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, f->port);
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", f->port);
  g_autofree char *user_key = NULL;
  Result result = { 0 };
  CdTestRun run = { 0 };

  /* Not on a terminal and no app credentials: nothing to ask, exit 2. */
  run_login (f, bare, 0, &result, "--host", f->sandbox->url, "--no-browser", NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "COURSEDROP_APP_ID"));
  result_clear (&result);

  /* A callback address that is not loopback. */
  run_login (f, login, 0, &result, "--host", f->sandbox->url, "--no-browser",
             "--callback-url", "http://192.0.2.1:47213/callback", NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "192.0.2.1"));
  result_clear (&result);

  /* The callback port is taken: the message names it. */
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error);
  g_assert_no_error (error);
  run_login (f, login, 0, &result, "--host", f->sandbox->url, "--no-browser",
             "--callback-url", f->callback_url, NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, port_text));
  g_assert_nonnull (strstr (result.err, "already in use"));
  result_clear (&result);
  g_socket_listener_close (listener);

  /* Nobody comes back in time: exit 3, nothing saved. */
  run_login (f, login, 0, &result, "--host", f->sandbox->url, "--no-browser",
             "--callback-url", f->callback_url, "--timeout", "1", NULL);
  g_assert_cmpint (result.status, ==, 3);
  g_assert_nonnull (strstr (result.err, "did not send the sign-in back"));
  result_clear (&result);
  user_key = lookup (CD_CREDENTIAL_USER_KEY, f->sandbox->url);
  g_assert_null (user_key);

  cd_test_cli_run (bare, &run, "logout", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "nothing to sign out"));
  cd_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/cli/login/whoami-logout", Fixture, NULL, fixture_setup,
              test_login_whoami_logout, fixture_teardown);
  g_test_add ("/cli/login/usage", Fixture, NULL, fixture_setup,
              test_login_usage, fixture_teardown);

  return g_test_run ();
}
