/* test-cli-oauth.c: coursedrop-cli login --oauth, then whoami and an
 * import with nothing but the keyring, against an OAuth-only sandbox
 *
 * Runs under tests/keyring/run-with-keyring.sh.  The test plays the
 * browser: it GETs the authorization address from the sandbox (which
 * approves at once) and follows the redirect to the CLI's listener, or
 * pastes it into the CLI's standard input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cd-credentials.h"
#include "cd-sandbox.h"
#include "cd-test-util.h"
#include "../cd-test-port.h"

#define CLIENT_ID     "cli-test-client"
#define CLIENT_SECRET "cli-test-secret-not-real"
/* About 14 s of polling with 5 s access tokens: several renewals. */
#define TIMELINE      "UPLOADING:2,PROCESSING:5,PROCESSED:2,IMPORTING:5,COMPLETED"

typedef struct
{
  CdTestSandbox *sandbox;
  char          *redirect_uri;
  char          *logdir;    /* outside HOME: stderr of spawned commands */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  gboolean paste = g_strcmp0 (data, "paste") == 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;

  /* A loopback redirect the CLI listens on, or the https one D2L wants,
   * where nothing listens and the address is pasted. */
  f->redirect_uri = paste ? g_strdup_printf ("https://localhost:%u/coursedrop-callback",
                                             cd_test_free_port ())
                          : g_strdup_printf ("http://127.0.0.1:%u/callback", cd_test_free_port ());
  spec = g_strdup_printf ("%s:%s:%s", CLIENT_ID, CLIENT_SECRET, f->redirect_uri);
  f->logdir = g_dir_make_tmp ("test-cli-oauth-XXXXXX", &error);
  g_assert_no_error (error);
  /* Short-lived tokens, except for the token taken from elsewhere, which
   * must outlive a slow (sanitized) start of the command. */
  f->sandbox = cd_test_sandbox_start ("--oauth", spec, "--oauth-only", "--auto-approve",
                                      "--timeline", TIMELINE, "--token-life",
                                      g_strcmp0 (data, "token") == 0 ? "3600" : "5", NULL);
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

  cd_credentials_clear (CD_CREDENTIAL_REFRESH_TOKEN, f->sandbox->url, NULL, NULL, NULL, &error);
  cd_credentials_clear (CD_CREDENTIAL_CLIENT_SECRET, f->sandbox->url, NULL, NULL, NULL, &error);
  cd_test_sandbox_stop (f->sandbox);
  remove_tree (f->logdir);
  g_free (f->logdir);
  g_free (f->redirect_uri);
}

static GSubprocessLauncher *
bare_launcher (void)
{
  GSubprocessLauncher *launcher = cd_test_cli_launcher (NULL);

  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_CLIENT_SECRET");
  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_ACCESS_TOKEN");
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  return launcher;
}

/* A secret, or a code or token the sandbox made ("access-…", 32 more). */
static const char *
find_secret (const char *text,
             gsize       len)
{
  static const char * const prefixes[] = { "access-", "refresh-", "code-" };

  if (g_strstr_len (text, len, CLIENT_SECRET) != NULL)
    return CLIENT_SECRET;

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    for (const char *p = text; (p = g_strstr_len (p, len - (gsize) (p - text), prefixes[i]));
         p++)
      {
        const char *q = p + strlen (prefixes[i]);
        guint n = 0;

        while ((gsize) (q - text) < len && (g_ascii_isalnum (*q) || *q == '-' || *q == '_'))
          q++, n++;
        if (n >= 32)
          return prefixes[i];
      }

  return NULL;
}

static void
assert_no_secrets (const char *where,
                   const char *text,
                   gsize       len)
{
  const char *found = find_secret (text, len);

  if (found != NULL)
    g_error ("A secret or token (%s…) is in %s", found, where);
}

static guint
assert_no_secrets_in_tree (const char *path)
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
          files += assert_no_secrets_in_tree (child);
          continue;
        }
      if (!g_file_test (child, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (child, &contents, &len, NULL))
        continue;

      assert_no_secrets (child, contents, len);
      files++;
    }

  return files;
}

static char *
stored (CdCredentialKind  kind,
        const char       *host)
{
  g_autoptr(GError) error = NULL;
  char *secret = cd_credentials_lookup (kind, host, CLIENT_ID, NULL, NULL, &error);

  g_assert_no_error (error);
  return secret;
}

/* The browser: GET @url without following redirects; the Location. */
static char *
browse_to_redirect (const char *url)
{
  g_autoptr(SoupSession) browser = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  page = soup_session_send_and_read (browser, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_FOUND);
  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Location"));
}

static char *
wait_for_address (const char *err_path)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
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
        return g_strndup (start + 3, strcspn (start + 3, "\n"));
    }
}

/* Nothing secret on the command line of a running process. */
static void
assert_clean_cmdline (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline",
                                           g_subprocess_get_identifier (process));
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &cmdline, &len, NULL))
    return;
  g_assert_cmpuint (len, >, 0);
  assert_no_secrets ("the command line", cmdline, len);
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

/* Runs login --oauth, playing the browser: to the CLI's listener, or
 * (@paste) by pasting the address into its standard input. */
/* @again: with no options but --oauth: the rest was saved. */
static void
run_login (Fixture  *f,
           gboolean  paste,
           gboolean  again,
           Result   *result)
{
  g_autoptr(GSubprocessLauncher) launcher = bare_launcher ();
  g_autofree char *err_path = g_build_filename (f->logdir, "login.err", NULL);
  g_autofree char *auth_url = g_strconcat (f->sandbox->url, "/oauth2/auth", NULL);
  g_autofree char *token_url = g_strconcat (f->sandbox->url, "/core/connect/token", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autofree char *url = NULL;
  g_autofree char *location = NULL;
  const char *argv[] = {
    g_getenv ("CD_CLI"), "login", "--oauth", "--client-id", CLIENT_ID, "--host", f->sandbox->url,
    "--redirect-uri", f->redirect_uri, "--auth-url", auth_url, "--token-url", token_url,
    "--no-browser", paste ? "--paste" : NULL, NULL,
  };
  const char *again_argv[] = { g_getenv ("CD_CLI"), "login", "--oauth", "--no-browser", NULL };

  /* The secret from the environment, never an argument. */
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_CLIENT_SECRET", CLIENT_SECRET, TRUE);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, again ? again_argv : argv, &error);
  g_assert_no_error (error);

  url = wait_for_address (err_path);
  g_test_message ("browsing %s", url);
  assert_clean_cmdline (process);
  g_assert_nonnull (strstr (url, "code_challenge_method=S256"));
  g_assert_null (strstr (url, CLIENT_SECRET));

  location = browse_to_redirect (url);
  g_assert_true (g_str_has_prefix (location, f->redirect_uri));

  if (paste)
    {
      g_autofree char *line = g_strconcat (location, "\n", NULL);

      input = g_bytes_new (line, strlen (line));
    }
  else
    {
      g_autoptr(SoupSession) browser = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", location);
      g_autoptr(GBytes) page = soup_session_send_and_read (browser, msg, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                      "You are signed in"));
      input = g_bytes_new (NULL, 0);
    }

  g_subprocess_communicate (process, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : 128 + g_subprocess_get_term_sig (process);
  result->out = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_file_get_contents (err_path, &result->err, NULL, NULL);
  g_test_message ("login: exit %d\nstdout: %s\nstderr: %s", result->status, result->out,
                  result->err);
  g_remove (err_path);
}

static guint
oauth_counter (Fixture    *f,
               const char *name)
{
  g_autoptr(JsonNode) node = cd_test_sandbox_get_json (f->sandbox, "/_sandbox/oauth");

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return (guint) json_object_get_int_member (json_node_get_object (node), name);
}

static void
concurrent_whoami (GSubprocessLauncher *launcher,
                   guint                n)
{
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (processes, cd_test_cli_spawn (launcher, "whoami", NULL));

  for (guint i = 0; i < n; i++)
    {
      GSubprocess *process = g_ptr_array_index (processes, i);
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(GError) error = NULL;

      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_test_message ("whoami %u: %s\n%s", i, out, err);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
      g_assert_nonnull (strstr (out, "Signed in with OAuth 2.0"));
    }
}

static void
test_login_import (Fixture       *f,
                   gconstpointer  data)
{
  gboolean paste = g_strcmp0 (data, "paste") == 0;
  g_autoptr(GSubprocessLauncher) bare = bare_launcher ();
  g_autofree char *zip = cd_test_make_zip ("week1.zip");
  g_autofree char *dirs = g_path_get_dirname (g_get_home_dir ());
  g_autofree char *refresh = NULL;
  g_autofree char *secret = NULL;
  const char *keyring_home = g_getenv ("CD_KEYRING_HOME");
  CdTestRun run = { 0 };
  Result result = { 0 };

  run_login (f, paste, FALSE, &result);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "Signed in with OAuth 2.0 as Dana Demo"));
  assert_no_secrets ("the debug output of login", result.err, strlen (result.err));
  g_assert_nonnull (strstr (result.err, "Coursedrop-DEBUG"));
  g_assert_null (strstr (result.err, "CRITICAL"));
  g_assert_null (strstr (result.err, "WARNING"));
  result_clear (&result);

  /* The refresh token and client secret in the keyring. */
  refresh = stored (CD_CREDENTIAL_REFRESH_TOKEN, f->sandbox->url);
  g_assert_nonnull (refresh);
  secret = stored (CD_CREDENTIAL_CLIENT_SECRET, f->sandbox->url);
  g_assert_cmpstr (secret, ==, CLIENT_SECRET);

  /* Fresh processes with nothing in their environment: the keyring alone. */
  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Signed in with OAuth 2.0"));
  g_assert_nonnull (strstr (run.out, "Scopes: import:job:create,fetch"));
  assert_no_secrets ("the debug output of whoami", run.err, strlen (run.err));
  cd_test_run_clear (&run);

  /* Eight processes at once, each with no access token yet: each renews,
   * one after another under the lock, and none sends a used refresh token
   * (the sandbox counts any such as a reuse and refuses it). */
  concurrent_whoami (bare, 8);
  g_assert_cmpuint (oauth_counter (f, "reuses"), ==, 0);

  /* Tokens last 5 s; the import polls for about 14. */
  cd_test_cli_run (bare, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   NULL);
  g_test_message ("import: %s\n%s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 0);
  assert_no_secrets ("the output of import", run.out, strlen (run.out));
  assert_no_secrets ("the debug output of import", run.err, strlen (run.err));
  cd_test_run_clear (&run);

  g_assert_cmpuint (oauth_counter (f, "refreshes"), >=, 2);
  g_assert_cmpuint (oauth_counter (f, "reuses"), ==, 0);
  g_assert_cmpuint (cd_test_sandbox_count (f->sandbox, "uploads"), ==, 1);

  /* No secret in any file of HOME and the XDG directories beside it, nor
   * in plain text in the keyring's own files. */
  g_assert_cmpuint (assert_no_secrets_in_tree (dirs), >=, 2);
  if (keyring_home != NULL)
    assert_no_secrets_in_tree (keyring_home);

  /* logout forgets every secret. */
  cd_test_cli_run (bare, &run, "logout", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  g_clear_pointer (&refresh, g_free);
  g_clear_pointer (&secret, g_free);
  g_assert_null (refresh = stored (CD_CREDENTIAL_REFRESH_TOKEN, f->sandbox->url));
  g_assert_null (secret = stored (CD_CREDENTIAL_CLIENT_SECRET, f->sandbox->url));

  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_true (run.status == 2 || run.status == 3);
  g_assert_nonnull (strstr (run.err, "coursedrop-cli login"));
  cd_test_run_clear (&run);

  /* Signing in again needs only --oauth: host, client and endpoints are saved. */
  run_login (f, paste, TRUE, &result);
  g_assert_cmpint (result.status, ==, 0);
  result_clear (&result);
  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
}

/* A bearer token from elsewhere, for pipelines: no login at all. */
static void
test_access_token (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = bare_launcher ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = g_uri_escape_string (f->redirect_uri, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s/oauth2/auth?response_type=code&client_id=%s"
                                          "&redirect_uri=%s&scope=users:own_profile:read"
                                          "&state=pipeline", f->sandbox->url, CLIENT_ID,
                                          escaped);
  g_autofree char *location = browse_to_redirect (url);
  g_autofree char *code = g_strndup (strstr (location, "code=") + 5,
                                     strcspn (strstr (location, "code=") + 5, "&"));
  g_autofree char *token_url = g_strconcat (f->sandbox->url, "/core/connect/token", NULL);
  g_autofree char *body = g_strdup_printf ("grant_type=authorization_code&code=%s"
                                           "&redirect_uri=%s&client_id=%s&client_secret=%s",
                                           code, escaped, CLIENT_ID, CLIENT_SECRET);
  const char *token;
  CdTestRun run = { 0 };

  msg = soup_message_new ("POST", token_url);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded",
                                            g_bytes_new (body, strlen (body)));
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                              (gssize) g_bytes_get_size (answer), &error);
  g_assert_no_error (error);
  token = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                         "access_token");

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_HOST", f->sandbox->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_ACCESS_TOKEN", token, TRUE);
  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Signed in with OAuth 2.0"));
  assert_no_secrets ("the debug output of whoami", run.err, strlen (run.err));
  cd_test_run_clear (&run);

  /* A token the server refuses: sign-in error, exit 3, no renewal. */
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_ACCESS_TOKEN", "not-a-token", TRUE);
  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "COURSEDROP_ACCESS_TOKEN"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (oauth_counter (f, "refreshes"), ==, 0);
}

/* COURSEDROP_SANDBOX_ACCESS_TOKEN: the sandbox takes one bearer token
 * from its environment (the demo's sign-in); the CLI signs in with it
 * through COURSEDROP_ACCESS_TOKEN, and nothing else gets in. */
static void
test_sandbox_token (void)
{
  const char *token = "demo-bearer-0123456789abcdefghijklmnop";
  g_autoptr(GSubprocessLauncher) launcher = bare_launcher ();
  g_autoptr(GSubprocess) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  CdTestSandbox *sandbox;
  CdTestRun run = { 0 };

  g_setenv ("COURSEDROP_SANDBOX_ACCESS_TOKEN", token, TRUE);
  sandbox = cd_test_sandbox_start ("--oauth-only", NULL);
  g_unsetenv ("COURSEDROP_SANDBOX_ACCESS_TOKEN");

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_HOST", sandbox->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_ACCESS_TOKEN", token, TRUE);
  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Signed in with OAuth 2.0"));
  g_assert_null (strstr (run.err, token));
  cd_test_run_clear (&run);

  /* One character off: refused. */
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_ACCESS_TOKEN",
                                "demo-bearer-0123456789abcdefghijklmnoq", TRUE);
  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 3);
  cd_test_run_clear (&run);
  cd_test_sandbox_stop (sandbox);

  /* A token too short to be safe is a usage error, named. */
  g_setenv ("COURSEDROP_SANDBOX_ACCESS_TOKEN", "short", TRUE);
  refused = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, g_getenv ("CD_SANDBOX"), "--port", "0", NULL);
  g_unsetenv ("COURSEDROP_SANDBOX_ACCESS_TOKEN");
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (refused, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (refused), ==, 2);
  g_assert_nonnull (strstr (err, "COURSEDROP_SANDBOX_ACCESS_TOKEN must be"));
  g_assert_null (strstr (out, "Listening on"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/cli/oauth/loopback-import", Fixture, "loopback", fixture_setup,
              test_login_import, fixture_teardown);
  g_test_add ("/cli/oauth/paste-import", Fixture, "paste", fixture_setup,
              test_login_import, fixture_teardown);
  g_test_add ("/cli/oauth/access-token", Fixture, "token", fixture_setup,
              test_access_token, fixture_teardown);
  g_test_add_func ("/cli/oauth/sandbox-token", test_sandbox_token);

  return g_test_run ();
}
