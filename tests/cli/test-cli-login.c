/* test-cli-login.c: coursedrop-cli login, logout, the saved account, and
 * --trust-fingerprint, with the real programs as separate processes
 *
 * Runs under tests/keyring/run-with-keyring.sh.  Settings go through the
 * keyfile backend in the test's own XDG_CONFIG_HOME, so what one process
 * saves the next one reads.
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

typedef struct
{
  CdTestSandbox *sandbox;
  char          *callback_url;
  guint16        port;
  char          *logdir;   /* outside HOME: stderr of spawned commands */
  char          *cert;     /* (nullable): the --tls sandbox's certificate */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->port = cd_test_free_port ();
  f->callback_url = g_strdup_printf ("http://127.0.0.1:%u/callback", f->port);
  f->logdir = g_dir_make_tmp ("test-cli-login-XXXXXX", &error);
  g_assert_no_error (error);
  if (g_strcmp0 (data, "tls") == 0)
    {
      f->cert = g_build_filename (f->logdir, "cert.pem", NULL);
      f->sandbox = cd_test_sandbox_start ("--auto-approve", "--trusted-url", f->callback_url,
                                          "--tls", "--cert-out", f->cert, NULL);
    }
  else
    f->sandbox = cd_test_sandbox_start ("--auto-approve", "--trusted-url", f->callback_url, NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  cd_credentials_clear (CD_CREDENTIAL_USER_KEY, f->sandbox->url, NULL, NULL, NULL, &error);
  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, f->sandbox->url, NULL, NULL, NULL, &error);
  cd_test_sandbox_stop (f->sandbox);
  remove_tree (f->logdir);
  g_free (f->logdir);
  g_free (f->cert);
  g_free (f->callback_url);
}

/* No credentials in the environment; settings in a keyfile under the
 * test's XDG_CONFIG_HOME, shared by every process of the test. */
static GSubprocessLauncher *
bare_launcher (void)
{
  GSubprocessLauncher *launcher = cd_test_cli_launcher (NULL);

  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  return launcher;
}

static GSubprocessLauncher *
app_launcher (void)
{
  GSubprocessLauncher *launcher = bare_launcher ();

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_ID", CD_SANDBOX_DEFAULT_APP_ID, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_KEY", CD_SANDBOX_DEFAULT_APP_KEY, TRUE);
  return launcher;
}

static void
assert_no_keys (const char *where,
                const char *text,
                gsize       len)
{
  const char *keys[] = { CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_KEY };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_strstr_len (text, len, keys[i]) != NULL)
      g_error ("A key (%s) is in %s", keys[i], where);
}

/* Every file under @path, of any kind (settings, journal, caches, logs). */
static guint
assert_no_keys_in_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint files = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          files += assert_no_keys_in_tree (child);
          continue;
        }
      if (!g_file_test (child, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (child, &contents, &len, NULL))
        continue;

      g_test_message ("checked %s (%" G_GSIZE_FORMAT " bytes)", child, len);
      assert_no_keys (child, contents, len);
      files++;
    }

  return files;
}

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Starts `coursedrop-cli login`, plays the browser on the address it
 * prints, and waits for it to exit. */
/* @page_status: what the callback page should answer; 0 not to browse. */
static void
run_login (Fixture             *f,
           GSubprocessLauncher *launcher,
           guint                page_status,
           Result              *result,
           const char          *first_arg,
           ...)
{
  g_autofree char *err_path = g_build_filename (f->logdir, "login.err", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *url = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("CD_CLI"));
  g_ptr_array_add (argv, "login");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* Stderr to a file, so the test can watch for the address while the
   * command waits. */
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_set_stderr_file_path (launcher, NULL);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);

  while (page_status != 0 && url == NULL)
    {
      g_autofree char *text = NULL;
      const char *start;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
      if (!g_file_get_contents (err_path, &text, NULL, NULL))
        continue;

      /* The address is printed alone on an indented line. */
      start = strstr (text, "\n  http");
      if (start != NULL && strchr (start + 3, '\n') != NULL)
        url = g_strndup (start + 3, strcspn (start + 3, "\n"));
    }

  if (url != NULL)
    {
      g_autoptr(SoupSession) browser = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) page = NULL;

      /* The user's browser would ask; this one trusts the sandbox. */
      if (f->cert != NULL)
        {
          g_autoptr(GTlsDatabase) database = g_tls_file_database_new (f->cert, &error);

          g_assert_no_error (error);
          soup_session_set_tls_database (browser, database);
        }

      g_test_message ("browsing %s", url);
      page = soup_session_send_and_read (browser, msg, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, page_status);
      g_assert_cmpstr (g_uri_get_path (soup_message_get_uri (msg)), ==, "/callback");
      if (page_status == 200)
        g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                        "You are signed in"));
    }

  g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : 128 + g_subprocess_get_term_sig (process);
  result->out = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  result->err = read_file (err_path);
  g_test_message ("login: exit %d\nstdout: %s\nstderr: %s", result->status, result->out,
                  result->err);
  g_remove (err_path);
}

static char *
keyfile_contents (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                            "keyfile", NULL);
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

static char *
lookup (CdCredentialKind  kind,
        const char       *host)
{
  g_autoptr(GError) error = NULL;
  char *secret = cd_credentials_lookup (kind, host, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return secret;
}

/* What `secret-tool search` finds for our user keys: "" when none. */
static char *
secret_tool_user_keys (void)
{
  g_autofree char *secret_tool = g_find_program_in_path ("secret-tool");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (secret_tool == NULL)
    return NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                              &error, secret_tool, "search", "--all", "xdg:schema",
                              "io.github.coursedrop.Coursedrop", "kind", "user-key", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  return out;
}

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

static char *
fingerprint_of_pem (const char *path)
{
  g_autofree char *pem = read_file (path);
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum = { (unsigned char *) pem, (unsigned int) strlen (pem) };
  guint8 der[8192], digest[32];
  size_t der_len = sizeof der, digest_len = sizeof digest;
  GString *text = g_string_new (NULL);

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export (crt, GNUTLS_X509_FMT_DER, der, &der_len), ==, 0);
  gnutls_x509_crt_deinit (crt);
  datum.data = der;
  datum.size = (unsigned int) der_len;
  g_assert_cmpint (gnutls_fingerprint (GNUTLS_DIG_SHA256, &datum, digest, &digest_len), ==, 0);
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (text, i ? ":%02X" : "%02X", digest[i]);

  return g_string_free (text, FALSE);
}

static void
test_trust_fingerprint (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-cli-tls-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *fingerprint = NULL;
  g_autofree char *lower = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  CdTestSandbox *sandbox;
  CdTestRun run = { 0 };

  sandbox = cd_test_sandbox_start ("--tls", "--cert-out", cert, NULL);
  launcher = cd_test_cli_launcher (sandbox);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  fingerprint = fingerprint_of_pem (cert);

  /* Untrusted: exit 4, with what it takes to decide. */
  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_nonnull (strstr (run.err, "certificate"));
  g_assert_nonnull (strstr (run.err, fingerprint));
  g_assert_nonnull (strstr (run.err, "CN=localhost"));
  g_assert_nonnull (strstr (run.err, "--trust-fingerprint"));
  cd_test_run_clear (&run);

  /* Trusted exactly, before or after the command name, in any spelling. */
  cd_test_cli_run (launcher, &run, "--trust-fingerprint", fingerprint, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "user ID 30771"));
  cd_test_run_clear (&run);

  lower = g_ascii_strdown (fingerprint, -1);
  g_strdelimit (lower, ":", ' ');
  cd_test_cli_run (launcher, &run, "whoami", "--trust-fingerprint", lower, NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  /* Another fingerprint changes nothing. */
  cd_test_cli_run (launcher, &run, "whoami", "--trust-fingerprint",
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", NULL);
  g_assert_cmpint (run.status, ==, 4);
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "whoami", "--trust-fingerprint", "12:34", NULL);
  g_assert_cmpint (run.status, ==, 2);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
  g_remove (cert);
  g_rmdir (dir);
}

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* Every command that meets an untrusted certificate says which, once, and
 * how to trust it: an import reports its end itself, not via cd_cli_fail. */
static void
test_untrusted_commands (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-cli-tls-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *zip = cd_test_make_zip ("week1.zip");
  g_autofree char *fingerprint = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  CdTestSandbox *sandbox;
  CdTestRun run = { 0 };
  const char *commands[][8] = {
    { "import", "--course-package", zip, "--course-offering-id", "6606" },
    { "--course-package", zip, "--course-offering-id", "6606", "--json" },
    { "import", "--course-offering-id", "6606", "--job-token", "8840" },
    { "logs", "--course-offering-id", "6606", "--job-token", "8840" },
    { "whoami" },
  };

  sandbox = cd_test_sandbox_start ("--tls", "--cert-out", cert,
                                   "--timeline", "UPLOADING:0.2,PROCESSING:0.2,COMPLETED",
                                   "--offering", "6606:Biology 101;BIO101", NULL);
  launcher = cd_test_cli_launcher (sandbox);
  fingerprint = fingerprint_of_pem (cert);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      cd_test_cli_runv (launcher, &run, commands[i]);
      g_test_message ("%s", commands[i][0]);
      g_assert_cmpint (run.status, ==, 4);
      g_assert_cmpuint (count_occurrences (run.err, "The server presented this certificate"),
                        ==, 1);
      g_assert_cmpuint (count_occurrences (run.err, fingerprint), ==, 2);
      g_assert_nonnull (strstr (run.err, "CN=localhost"));
      g_assert_nonnull (strstr (run.err, "--trust-fingerprint"));
      cd_test_run_clear (&run);
    }

  /* Trusting it is what the hint says, and the import goes through. */
  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id",
                   "6606", "--trust-fingerprint", fingerprint, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.err, "The server presented this certificate"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
  g_remove (cert);
  g_rmdir (dir);
}

/* login --trust-fingerprint against a --tls sandbox: the pin is saved for
 * that host, so later commands need no option. */
static void
test_login_tls_pin (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) login = app_launcher ();
  g_autoptr(GSubprocessLauncher) bare = bare_launcher ();
  g_autofree char *fingerprint = fingerprint_of_pem (f->cert);
  g_autofree char *keyfile = NULL;
  CdTestRun run = { 0 };
  Result result = { 0 };

  /* Without trusting the certificate the sign-in cannot be checked. */
  run_login (f, login, 400, &result, "--host", f->sandbox->url, "--no-browser",
             "--callback-url", f->callback_url, NULL);
  g_assert_cmpint (result.status, ==, 4);
  g_assert_nonnull (strstr (result.err, fingerprint));
  result_clear (&result);

  run_login (f, login, 200, &result, "--trust-fingerprint", fingerprint, "--host",
             f->sandbox->url, "--no-browser", "--callback-url", f->callback_url, NULL);
  g_assert_cmpint (result.status, ==, 0);
  result_clear (&result);

  keyfile = keyfile_contents ();
  g_assert_nonnull (strstr (keyfile, "trusted-certificates"));
  g_assert_nonnull (strstr (keyfile, fingerprint));

  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "user ID 30771"));
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
  g_test_add ("/cli/login/tls-pin", Fixture, "tls", fixture_setup,
              test_login_tls_pin, fixture_teardown);
  g_test_add_func ("/cli/trust-fingerprint", test_trust_fingerprint);
  g_test_add_func ("/cli/untrusted-commands", test_untrusted_commands);

  return g_test_run ();
}
