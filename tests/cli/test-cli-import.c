/* test-cli-import.c: coursedrop-cli import against a sandbox process:
 * jobs that complete or fail, faults while polling, bad input, --json and
 * hostile server text
 *
 * Interruptions and a broken journal: test-cli-import-interrupt.c;
 * the seed's command line, attention and deadlines: test-cli-import-deadline.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cd-sandbox.h"
#include "cd-test-util.h"
#include "import-test-util.h"

static void
test_completed (void)
{
  CdTestSandbox *sandbox = start_sandbox (STEADY_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("week1.imscc");
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  CdTestRun run = { 0 };

  /* D2L's sample command line, unchanged. */
  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Import job 8840 status:\nUPLOADING\nPROCESSING\nIMPORTING\nCOMPLETED\n");
  /* The completed job's warning is shown, on stderr. */
  g_assert_nonnull (strstr (run.err, "Warning"));
  cd_test_run_clear (&run);

  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"8840\""));
  g_assert_nonnull (strstr (text, "COMPLETED"));

  /* The same package into the same offering again: warned, not refused. */
  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "already imported"));
  g_assert_cmpstr (run.out, ==, "Import job 8841 status:\n");
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "jobs", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "8840"));
  g_assert_nonnull (strstr (run.out, "8841"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
test_failed (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("broken.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "777", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_true (g_str_has_prefix (run.out, "Import job 8840 status:\nUPLOADING\n"));
  g_assert_nonnull (strstr (run.out, "\nIMPORTFAILED\nImport failed: The package could not be converted"));
  /* Errors first in the log that follows. */
  g_assert_nonnull (strstr (run.out, "\nError "));
  g_assert_true (strstr (run.out, "\nError ") < strstr (run.out, "\nProgress "));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "logs", "--course-offering-id", "777", "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Error "));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* --job-token follows an existing job without uploading anything. */
static void
test_follow_token (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("week2.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_cli_run (launcher, &run, "--course-offering-id", "6606", "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Import job 8840 status:\n"));
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  /* A token Brightspace does not know. */
  cd_test_cli_run (launcher, &run, "--course-offering-id", "6606", "--job-token", "1", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "no import job 1"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

typedef struct
{
  const char *name;
  const char *option;
  const char *value;
  const char *stderr_says;
} Fault;

/* Transient faults during polling never end the job. */
static void
test_faults (gconstpointer data)
{
  const Fault *fault = data;
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, fault->option, fault->value);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("faulty.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  if (fault->stderr_says != NULL)
    g_assert_nonnull (strstr (run.err, fault->stderr_says));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

typedef struct
{
  const char *name;
  const char *package;      /* "zip", "missing", "dir", "empty", "text" */
  const char *offering;
  int         status;
  const char *says;
  gboolean    sends;        /* whether a request may reach the server */
} BadInput;

static void
test_bad_input (gconstpointer data)
{
  const BadInput *bad = data;
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "packages", NULL);
  g_autofree char *path = NULL;
  CdTestRun run = { 0 };
  guint before;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  if (g_str_equal (bad->package, "zip"))
    path = cd_test_make_zip ("fine.zip");
  else if (g_str_equal (bad->package, "missing"))
    path = g_build_filename (dir, "nowhere.zip", NULL);
  else if (g_str_equal (bad->package, "dir"))
    path = g_strdup (dir);
  else if (g_str_equal (bad->package, "empty"))
    {
      path = g_build_filename (dir, "empty.zip", NULL);
      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  else
    {
      path = g_build_filename (dir, "notes.txt", NULL);
      g_assert_true (g_file_set_contents (path, "just some notes\n", -1, NULL));
    }

  before = cd_test_sandbox_count (sandbox, "requests");
  cd_test_cli_run (launcher, &run, "--course-package", path, "--course-offering-id", bad->offering, NULL);
  g_assert_cmpint (run.status, ==, bad->status);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, bad->says));
  if (!bad->sends)
    g_assert_cmpuint (cd_test_sandbox_count (sandbox, "requests"), ==, before);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* The name arrives exactly as it is on disk. */
static void
test_awkward_filename (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("Week 1 \"Cells\" é.imscc");
  g_autoptr(JsonNode) uploads = NULL;
  JsonObject *upload;
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--callback-url", "https://hooks.example.com/done?x=1", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  uploads = cd_test_sandbox_get_json (sandbox, "/_sandbox/uploads");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (uploads)), ==, 1);
  upload = json_array_get_object_element (json_node_get_array (uploads), 0);
  g_assert_cmpstr (json_object_get_string_member (upload, "FileName"), ==, "Week 1 \"Cells\" é.imscc");
  g_assert_cmpstr (json_object_get_string_member (upload, "CallbackUrl"), ==,
                   "https://hooks.example.com/done?x=1");

  cd_test_sandbox_stop (sandbox);
}

/* --json: one object per line, ending in a finished event. */
static void
test_json (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("json.zip");
  g_auto(GStrv) lines = NULL;
  CdTestRun run = { 0 };
  guint n;

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (g_strchomp (run.out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 3);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    }
  g_assert_nonnull (strstr (run.out, "\"event\":\"token\""));
  g_assert_nonnull (strstr (lines[n - 1], "\"event\":\"finished\""));
  g_assert_nonnull (strstr (lines[n - 1], "\"succeeded\":true"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static const Fault faults[] = {
  { "500", "--fault", "500:2", "did not answer properly: server error (HTTP 500). Retrying " },
  { "429", "--fault", "429:2:1", "did not answer properly: too many requests. Retrying " },
  { "broken-json", "--fault", "badjson:2", "did not answer properly: incomplete answer. Retrying " },
  { "slow", "--fault", "slow:2:1500", NULL },
  { "skew-2h", "--skew", "7200", NULL },
};

static const BadInput bad_inputs[] = {
  { "missing-file", "missing", "6606", 2, "nowhere.zip", FALSE },
  { "directory", "dir", "6606", 2, "packages", FALSE },
  { "empty-file", "empty", "6606", 2, "empty", FALSE },
  { "not-a-zip", "text", "6606", 2, "not a zip", FALSE },
  { "id-abc", "zip", "abc", 2, "“abc” is not a course offering ID", FALSE },
  { "id-negative", "zip", "-5", 2, "positive number, not “-5”", FALSE },
  { "id-zero", "zip", "0", 2, "positive number, not “0”", FALSE },
  { "id-huge", "zip", "99999999999999999999", 2, "too large", FALSE },
  { "unknown-offering", "zip", "31337", 2, "No course offering has the ID 31337", TRUE },
  { "forbidden-offering", "zip", "4242", 3, "may not import", TRUE },
};

/* A server (and a package name) full of terminal escapes: whatever the CLI
 * prints, no ESC byte reaches the terminal, yet the text is still there. */
static void
assert_no_escapes (const CdTestRun *run)
{
  g_test_message ("stdout: %s\nstderr: %s", run->out, run->err);
  g_assert_null (strchr (run->out, '\033'));
  g_assert_null (strchr (run->err, '\033'));
  g_assert_null (strchr (run->out, '\007'));
  g_assert_null (strchr (run->err, '\007'));
}

static void
test_hostile_text (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--fault", "evil:3");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("week\033[2J\nfake line.zip");
  CdTestRun run = { 0 };

  /* The failing offering: its status words and log go to standard output. */
  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "777", NULL);
  g_assert_cmpint (run.status, ==, 1);
  assert_no_escapes (&run);
  g_assert_nonnull (strstr (run.out, "\\x1b]0;pwned\\x07\\x1b[2J"));
  /* The name's line break does not start a line of its own. */
  g_assert_null (strstr (run.out, "\nfake line.zip"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "logs", "--course-offering-id", "777", "--job-token", "8840",
                   NULL);
  g_assert_cmpint (run.status, ==, 0);
  assert_no_escapes (&run);
  g_assert_nonnull (strstr (run.out, "\\x1b[2J"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "jobs", NULL);
  g_assert_cmpint (run.status, ==, 0);
  assert_no_escapes (&run);
  g_assert_null (strstr (run.out, "\nfake line.zip"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
add_hostile_tests (void)
{
  g_test_add_func ("/cli/import/hostile-text", test_hostile_text);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/import/completed", test_completed);
  g_test_add_func ("/cli/import/failed", test_failed);
  g_test_add_func ("/cli/import/follow-token", test_follow_token);
  g_test_add_func ("/cli/import/awkward-filename", test_awkward_filename);
  g_test_add_func ("/cli/import/json", test_json);
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *name = g_strdup_printf ("/cli/import/fault/%s", faults[i].name);
      g_test_add_data_func (name, &faults[i], test_faults);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autofree char *name = g_strdup_printf ("/cli/import/bad-input/%s", bad_inputs[i].name);
      g_test_add_data_func (name, &bad_inputs[i], test_bad_input);
    }
  add_hostile_tests ();

  return g_test_run ();
}
