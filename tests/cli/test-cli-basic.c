/* test-cli-basic.c: coursedrop-cli whoami and sign against a sandbox process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>

#include "cd-test-util.h"
#include "../cd-test-port.h"

/* Longer than any job token may be. */
#define CD_TEST_LONG_TOKEN 100000

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

/* One bad value from the user, a file, the environment or the settings. */
typedef struct
{
  const char *what;
  const char *env_name;    /* (nullable) set for this run ("" unsets) */
  const char *env_value;
  const char *argv[8];
  const char *says;        /* in the message on stderr */
} BadValue;

#define ZIP "@ZIP@"

static const BadValue bad_values[] = {
  { "le-version word", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "6606", "--le-version", "banana" },
    "banana" },
  { "le-version three parts", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "6606", "--le-version", "1.2.3" },
    "1.2.3" },
  { "le-version empty", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "6606", "--le-version", "" },
    "No API version" },
  { "le-version huge", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "6606", "--le-version",
      "99999999999999999999.1" },
    "API version" },
  { "offering empty", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "" }, "--course-offering-id" },
  { "offering blank", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "   " }, "--course-offering-id" },
  { "offering word", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "six" }, "“six”" },
  { "offering zero", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "000" }, "positive number" },
  { "offering negative", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "-6606" }, "positive number" },
  { "offering huge", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "9223372036854775808" },
    "too large" },
  { "offering Arabic digits", NULL, NULL,
    { "import", "--course-package", ZIP, "--course-offering-id", "٦٦٠٦" }, "digits only" },
  { "offering with newline", NULL, NULL,
    { "logs", "--course-offering-id", "66\n06", "--job-token", "1" }, "digits only" },
  { "token path", NULL, NULL,
    { "import", "--course-offering-id", "6606", "--job-token", "../../users/whoami" },
    "../../users/whoami" },
  { "token dot-dot", NULL, NULL,
    { "logs", "--course-offering-id", "6606", "--job-token", ".." }, "not a job token" },
  { "token empty", NULL, NULL,
    { "logs", "--course-offering-id", "6606", "--job-token", "" }, "--job-token TOKEN" },
  { "token space", NULL, NULL,
    { "import", "--course-offering-id", "6606", "--job-token", "88 40" }, "not a job token" },
  { "token huge", NULL, NULL,
    { "import", "--course-offering-id", "6606", "--job-token", "@LONG@" }, "not a job token" },
  { "host word", "COURSEDROP_HOST", "banana", { "whoami" }, "banana" },
  { "host empty, nothing saved", "COURSEDROP_HOST", "", { "whoami" }, "COURSEDROP_HOST" },
  { "host with user", "COURSEDROP_HOST", "https://me:pw@school.example", { "whoami" }, "" },
  { "CA file missing", "COURSEDROP_CA_FILE", "/nonexistent/ca.pem", { "whoami" },
    "COURSEDROP_CA_FILE" },
  { "CA file not PEM", "COURSEDROP_CA_FILE", "@NOTES@", { "whoami" }, "COURSEDROP_CA_FILE" },
  { "CA file a folder", "COURSEDROP_CA_FILE", "/", { "whoami" }, "COURSEDROP_CA_FILE" },
  { "user key alone", "COURSEDROP_USER_ID", "", { "whoami" }, "COURSEDROP_USER_ID" },
  { "fingerprint word", NULL, NULL, { "--trust-fingerprint", "banana", "whoami" }, "banana" },
  { "sign huge timestamp", NULL, NULL,
    { "sign", "--timestamp", "99999999999999999999", "GET", "/d2l/api/versions/" },
    "99999999999999999999" },
};

static const char *
expand (const char *arg,
        const char *zip,
        const char *notes,
        const char *long_token)
{
  if (g_strcmp0 (arg, ZIP) == 0)
    return zip;
  if (g_strcmp0 (arg, "@NOTES@") == 0)
    return notes;
  if (g_strcmp0 (arg, "@LONG@") == 0)
    return long_token;
  return arg;
}

static void
assert_refused (CdTestSandbox *sandbox,
                CdTestRun     *run,
                const char    *what,
                const char    *says,
                guint          requests_before)
{
  g_test_message ("%s", what);
  g_assert_cmpint (run->status, ==, 2);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_nonnull (strstr (run->err, says));
  g_assert_null (strstr (run->err, "CRITICAL"));
  g_assert_null (strstr (run->err, "WARNING"));
  g_assert_null (strstr (run->err, "assertion"));
  /* Refused before anything was sent. */
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "requests"), ==, requests_before);
}

/* Every bad value: exit 2, a message naming it, no assertion. */
static void
test_bad_values (void)
{
  CdTestSandbox *sandbox = cd_test_sandbox_start (NULL);
  g_autofree char *zip = cd_test_make_zip ("week1.zip");
  g_autofree char *notes = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_autofree char *long_token = g_strnfill (CD_TEST_LONG_TOKEN, '7');
  guint before = cd_test_sandbox_count (sandbox, "requests");

  g_assert_true (g_file_set_contents (notes, "not a certificate\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      const BadValue *bad = &bad_values[i];
      g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
      const char *argv[G_N_ELEMENTS (bad->argv) + 1] = { NULL };
      CdTestRun run = { 0 };

      for (guint a = 0; a < G_N_ELEMENTS (bad->argv) && bad->argv[a] != NULL; a++)
        argv[a] = expand (bad->argv[a], zip, notes, long_token);

      if (bad->env_name != NULL)
        g_subprocess_launcher_setenv (launcher, bad->env_name,
                                      expand (bad->env_value, zip, notes, long_token), TRUE);

      cd_test_cli_runv (launcher, &run, argv);
      assert_refused (sandbox, &run, bad->what, bad->says, before);
      cd_test_run_clear (&run);
    }

  cd_test_sandbox_stop (sandbox);
}

/* A saved LE version edited by hand into something else. */
static void
test_bad_saved_le_version (void)
{
  CdTestSandbox *sandbox = cd_test_sandbox_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                           NULL);
  g_autofree char *keyfile = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *zip = cd_test_make_zip ("week1.zip");
  guint before = cd_test_sandbox_count (sandbox, "requests");
  CdTestRun run = { 0 };

  contents = g_strdup_printf ("[io/github/coursedrop/Coursedrop]\n"
                              "host='%s'\n"
                              "le-version='1.banana'\n", sandbox->url);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keyfile, contents, -1, NULL));
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);

  cd_test_cli_run (launcher, &run, "import", "--course-package", zip,
                   "--course-offering-id", "6606", NULL);
  assert_refused (sandbox, &run, "saved le-version", "1.banana", before);
  g_assert_nonnull (strstr (run.err, "gsettings reset"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "whoami", NULL);
  assert_refused (sandbox, &run, "saved le-version, whoami", "1.banana", before);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
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
  g_test_add_func ("/cli/bad-values", test_bad_values);
  g_test_add_func ("/cli/bad-saved-le-version", test_bad_saved_le_version);

  return g_test_run ();
}
