/* test-cli-basic.c: coursedrop-cli whoami and sign against a sandbox process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>

#include "cd-test-util.h"
#include "../cd-test-port.h"

static void
test_whoami (void)
{
  CdTestSandbox *sandbox = cd_test_sandbox_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_suffix (g_strchomp (run.out), sandbox->url));
  g_assert_nonnull (strstr (run.out, "user ID"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "whoami", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"Identifier\""));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* The server's clock two hours ahead: the CLI adopts it and succeeds. */
static void
test_whoami_skew (void)
{
  CdTestSandbox *sandbox = cd_test_sandbox_start ("--skew", "7200", NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "user ID"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
test_wrong_key (void)
{
  CdTestSandbox *sandbox = cd_test_sandbox_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  CdTestRun run = { 0 };

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", "not-the-key", TRUE);
  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_cmpstr (run.out, ==, "");
  /* One sentence that says the key was rejected, no internals. */
  g_assert_nonnull (strstr (run.err, "rejected"));
  g_assert_null (strstr (run.err, "not-the-key"));
  g_assert_null (strstr (run.err, "x_"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* What `curl "$(coursedrop-cli sign GET …)"` does. */
static void
test_sign_with_curl (void)
{
  CdTestSandbox *sandbox = cd_test_sandbox_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  CdTestRun run = { 0 };
  g_autofree char *url = NULL;

  cd_test_cli_run (launcher, &run, "sign", "GET", "/d2l/api/lp/1.46/users/whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  url = g_strdup (g_strstrip (run.out));
  g_assert_true (g_str_has_prefix (url, sandbox->url));
  g_assert_cmpint (cd_test_curl_status (url), ==, 200);
  cd_test_run_clear (&run);

  /* A fixed, stale timestamp signs reproducibly and is refused. */
  cd_test_cli_run (launcher, &run, "sign", "--timestamp", "1700000000", "get",
                   "/d2l/api/lp/1.46/users/whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "&x_t=1700000000"));
  g_assert_cmpint (cd_test_curl_status (g_strstrip (run.out)), ==, 403);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
test_bad_input (void)
{
  g_autoptr(GSubprocessLauncher) bare = cd_test_cli_launcher (NULL);
  CdTestRun run = { 0 };
  struct {
    const char *host;
    const char *expect;
  } hosts[] = {
    { "http://school.example.com", "https" },
    { "ftp://127.0.0.1", "https" },
    { "not a url", "" },
  };

  /* No credentials at all: exit 2 and a hint naming the variable. */
  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "COURSEDROP_HOST"));
  cd_test_run_clear (&run);

  g_subprocess_launcher_setenv (bare, "COURSEDROP_APP_ID", "a", TRUE);
  g_subprocess_launcher_setenv (bare, "COURSEDROP_APP_KEY", "b", TRUE);
  g_subprocess_launcher_setenv (bare, "COURSEDROP_USER_ID", "c", TRUE);
  g_subprocess_launcher_setenv (bare, "COURSEDROP_USER_KEY", "d", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      cd_test_cli_run (bare, &run, "whoami", "--host", hosts[i].host, NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, hosts[i].expect));
      cd_test_run_clear (&run);
    }

  cd_test_cli_run (bare, &run, "frobnicate", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "frobnicate"));
  cd_test_run_clear (&run);

  cd_test_cli_run (bare, &run, "sign", "GET", NULL);
  g_assert_cmpint (run.status, ==, 2);
  cd_test_run_clear (&run);

  cd_test_cli_run (bare, &run, "sign", "GET", "no-slash", "--host", "https://x.example", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "no-slash"));
  cd_test_run_clear (&run);

  cd_test_cli_run (bare, &run, "sign", "--timestamp", "soon", "GET", "/x",
                   "--host", "https://x.example", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "soon"));
  cd_test_run_clear (&run);

  /* A token goes into a route: nothing that could change the route. */
  cd_test_cli_run (bare, &run, "logs", "--course-offering-id", "6606", "--job-token", "8840?x=1",
                   NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "is not a job token"));
  cd_test_run_clear (&run);

  cd_test_cli_run (bare, &run, "logs", "stray", "--course-offering-id", "6606", "--job-token", "1",
                   NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "stray"));
  cd_test_run_clear (&run);

  cd_test_cli_run (bare, &run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "whoami"));
  cd_test_run_clear (&run);
}

/* Nobody listens: exit 4, network. */
static void
test_refused (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  g_autofree char *host = g_strdup_printf ("http://127.0.0.1:%u", cd_test_free_port ());
  CdTestRun run = { 0 };

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_HOST", host, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_ID", "a", TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_KEY", "b", TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_ID", "c", TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", "d", TRUE);

  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/whoami", test_whoami);
  g_test_add_func ("/cli/whoami-skew", test_whoami_skew);
  g_test_add_func ("/cli/wrong-key", test_wrong_key);
  g_test_add_func ("/cli/sign-with-curl", test_sign_with_curl);
  g_test_add_func ("/cli/bad-input", test_bad_input);
  g_test_add_func ("/cli/refused", test_refused);

  return g_test_run ();
}
