/* test-cli-import.c: coursedrop-cli import against a sandbox process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cd-sandbox.h"
#include "cd-test-util.h"

/* Stages of 3 s: the poller (at most 1.65 s between polls, when the
 * machine is not overloaded) sees each one. */
#define STEADY_TIMELINE "UPLOADING:3,PROCESSING:3,IMPORTING:3,COMPLETED"
#define FAST_TIMELINE "UPLOADING:0.2,PROCESSING:0.2,COMPLETED"
#define FAILING "777=UPLOADING:0.2,PROCESSING:0.2,IMPORTFAILED"

static CdTestSandbox *
start_sandbox (const char *timeline,
               const char *extra,
               const char *extra_value)
{
  return cd_test_sandbox_start ("--timeline", timeline,
                                "--offering", "6606:Biology 101;BIO101",
                                "--offering", "777:Broken Course;FAIL",
                                "--offering-timeline", FAILING,
                                "--forbidden", "4242",
                                extra, extra_value, NULL);
}

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

/* The connection drops half way through the upload: exit 4, nothing to
 * resume, and the journal says what happened. */
static void
test_cut_upload (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--fault", "cut-upload:1");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "big.zip", NULL);
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  CdTestRun run = { 0 };
  int fd;

  /* A 16 MiB zip-looking file, so the cut comes mid-body. */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "PK\003\004", 4), ==, 4);
  g_assert_cmpint (ftruncate (fd, 16 * 1024 * 1024), ==, 0);
  /* The end record of an empty archive: cd-package checks the structure. */
  g_assert_cmpint (pwrite (fd, "PK\005\006", 4, 16 * 1024 * 1024 - 22), ==, 4);
  g_close (fd, NULL);

  cd_test_cli_run (launcher, &run, "--course-package", path, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "127.0.0.1"));
  cd_test_run_clear (&run);

  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "big.zip"));
  g_assert_null (strstr (text, "\"finished\" : null"));

  /* The next try goes through. */
  cd_test_cli_run (launcher, &run, "--course-package", path, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* Reads the child's stdout until the header line, so a token exists. */
static char *
wait_for_header (GSubprocess *process)
{
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr(GError) error = NULL;
  char *line;

  /* The caller goes on reading the pipe. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Import job "));

  return line;
}

/* SIGKILL mid-poll loses nothing: the token is on disk and resume ends it. */
static void
test_killed_then_resumed (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:1,PROCESSING:3,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("kill me.zip");
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *header = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  CdTestRun run = { 0 };

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = cd_test_cli_spawn (launcher, "--course-package", zip, "--course-offering-id", "6606", NULL);
  header = wait_for_header (process);
  g_assert_cmpstr (header, ==, "Import job 8840 status:");
  g_usleep (1200 * 1000);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (process));

  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "8840"));

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Import job 8840 status:\n"));
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);

  /* Nothing left to resume, and no second upload happened. */
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_sandbox_stop (sandbox);
}

/* Ctrl+C: exit 130, the job stays in the journal, the hint says how to go on. */
static void
test_interrupted (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:1,PROCESSING:30,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("interrupt.zip");
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *header = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  process = cd_test_cli_spawn (launcher, "--course-package", zip, "--course-offering-id", "6606", NULL);
  header = wait_for_header (process);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_nonnull (strstr (err, "--course-offering-id 6606 --job-token 8840"));

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

static void add_issue_9_tests (void);
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
  g_test_add_func ("/cli/import/cut-upload", test_cut_upload);
  g_test_add_func ("/cli/import/killed-then-resumed", test_killed_then_resumed);
  g_test_add_func ("/cli/import/interrupted", test_interrupted);
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
  add_issue_9_tests ();
  add_hostile_tests ();

  return g_test_run ();
}

/* --- Coursedrop issue 9: the seed's command line, attention, deadlines --- */

/* D2L's sample always passes --course-package; with --job-token it only
 * follows that job. */
static void
test_seed_command_line (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("seed.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Import job 8840 status:\n"));
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_sandbox_stop (sandbox);
}

/* Whether the journal holds a record of @token that is not finished. */
static gboolean
journal_has_unfinished (const char *token)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *jobs;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  jobs = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "jobs");
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);
      JsonNode *node = json_object_get_member (job, "token");

      if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
          g_strcmp0 (json_node_get_string (node), token) == 0 &&
          JSON_NODE_HOLDS_NULL (json_object_get_member (job, "finished")))
        return TRUE;
    }

  return FALSE;
}

/* Keys the server no longer takes: exit 3, the job unfinished, and the
 * hinted resume completes it with the right keys. */
static void
test_attention_keys (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.5,PROCESSING:1,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("keys.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", "a-key-nobody-gave", TRUE);
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "coursedrop-cli resume --job-token 8840"));
  cd_test_run_clear (&run);
  g_assert_true (journal_has_unfinished ("8840"));

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", CD_SANDBOX_DEFAULT_USER_KEY, TRUE);
  cd_test_cli_run (launcher, &run, "resume", "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);
  g_assert_false (journal_has_unfinished ("8840"));
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_sandbox_stop (sandbox);
}

typedef struct
{
  const char *name;
  const char *hours;
} BadHours;

static const BadHours bad_hours[] = {
  { "nan", "nan" },
  { "inf", "inf" },
  { "huge", "1e300" },
  { "zero", "0" },
  { "negative", "-2" },
};

static void
test_bad_give_up_after (gconstpointer data)
{
  const BadHours *bad = data;
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("hours.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--give-up-after", bad->hours, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--give-up-after"));
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "requests"), ==, 0);

  cd_test_sandbox_stop (sandbox);
}

/* A day of Retry-After does not outlast --give-up-after; the job is left
 * unfinished (exit 1), for resume. */
static void
test_give_up_during_retry_after (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:600,COMPLETED",
                                          "--fault", "429:1000:86400");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("patient.zip");
  CdTestRun run = { 0 };
  gint64 begin = g_get_monotonic_time ();

  /* 0.001 h = 3.6 s */
  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--give-up-after", "0.001", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - begin, <, 30 * G_TIME_SPAN_SECOND);
  g_assert_nonnull (strstr (run.err, "did not finish within 0.001 hours"));
  g_assert_nonnull (strstr (run.err, "coursedrop-cli resume --job-token 8840"));
  cd_test_run_clear (&run);
  g_assert_true (journal_has_unfinished ("8840"));

  cd_test_sandbox_stop (sandbox);
}

/* Moves every "started" in the journal @hours into the past. */
static void
age_journal (int hours)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_hours (now, -hours);
  g_autofree char *when = g_date_time_format_iso8601 (then);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *jobs;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  jobs = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "jobs");
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    json_object_set_string_member (json_array_get_object_element (jobs, i), "started", when);

  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, path, &error));
  g_assert_no_error (error);
}

/* resume of a job started more than 36 h ago asks the server once, and
 * ends (it used to hang without asking). */
static void
test_resume_after_deadline (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:600,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("old.zip");
  CdTestRun run = { 0 };
  guint before;

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  age_journal (37);

  before = cd_test_sandbox_count (sandbox, "requests");
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "did not finish within 36 hours"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "requests"), >, before);
  g_assert_true (journal_has_unfinished ("8840"));

  cd_test_sandbox_stop (sandbox);
}

static void
wait_for_requests (CdTestSandbox *sandbox,
                   guint          count)
{
  while (cd_test_sandbox_count (sandbox, "requests") < count)
    g_usleep (20 * 1000);
}

/* Ctrl+C while the package is still going out: exit 130, and the attempt
 * is not left pending in the journal for ever. */
static void
test_interrupted_upload (void)
{
  /* The body is read slowly: Ctrl+C surely comes while it is going out,
   * however fast the machine (or slow the sanitizers). */
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--fault", "slow-read:1:1024");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "huge.zip", NULL);
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "PK\003\004", 4), ==, 4);
  g_assert_cmpint (ftruncate (fd, 1024 * 1024 * 1024), ==, 0);
  /* The end record of an empty archive: cd-package checks the structure. */
  g_assert_cmpint (pwrite (fd, "PK\005\006", 4, 1024 * 1024 * 1024 - 22), ==, 4);
  g_close (fd, NULL);

  process = cd_test_cli_spawn (launcher, "--course-package", path, "--course-offering-id", "6606",
                               NULL);
  /* The versions, then the upload's first bytes. */
  wait_for_requests (sandbox, 2);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_nonnull (strstr (err, "nothing was imported"));
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 0);

  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "huge.zip"));
  g_assert_null (strstr (text, "\"finished\" : null"));

  cd_test_sandbox_stop (sandbox);
}

/* A journal that cannot be written: no upload, exit 4, and the message
 * names the journal. */
static void
test_journal_unwritable (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("nowhere.zip");
  g_autofree char *journal = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (journal);
  g_autofree char *target = g_build_filename (g_get_user_data_dir (), "gone", "coursedrop", NULL);
  CdTestRun run = { 0 };

  /* The journal's folder is a link to nowhere: reading finds no journal
   * yet, and writing cannot work (not even as root). */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_cmpint (symlink (target, dir), ==, 0);

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_nonnull (strstr (run.err, journal));
  g_assert_nonnull (strstr (run.err, "Nothing was uploaded"));
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 0);

  cd_test_sandbox_stop (sandbox);
}

/* The sandbox goes away mid-job: after a few refused connections, exit 4
 * and the job stays unfinished; once a server answers there again, resume
 * completes it. */
static void
test_attention_refused (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:1,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("refused.zip");
  g_autofree char *port = g_strdup (strrchr (sandbox->url, ':') + 1);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  cd_test_sandbox_stop (sandbox);

  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_nonnull (strstr (run.err, "refused"));
  g_assert_nonnull (strstr (run.err, "coursedrop-cli resume --job-token 8840"));
  cd_test_run_clear (&run);
  g_assert_true (journal_has_unfinished ("8840"));

  /* A server at the same address again, which knows job 8840. */
  sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:1,COMPLETED", "--port", port);
  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "resume", "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);
  g_assert_false (journal_has_unfinished ("8840"));

  cd_test_sandbox_stop (sandbox);
}

/* An upload whose outcome is unknown counts for the duplicate guard. */
static void
test_outcome_unknown_guard (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("maybe.zip");
  g_autofree char *journal = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (journal);
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *data = NULL;
  gsize length;
  CdTestRun run = { 0 };

  g_assert_true (g_file_get_contents (zip, &data, &length, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, length);
  contents = g_strdup_printf ("{\"version\": 1, \"jobs\": [{\"host\": \"%s\", \"offering\": 6606, "
                              "\"token\": null, \"package\": \"%s\", \"sha256\": \"%s\", "
                              "\"bytes\": %" G_GSIZE_FORMAT ", \"status\": \"OUTCOME_UNKNOWN\", "
                              "\"started\": null, \"finished\": null, \"error\": null}]}",
                              sandbox->url, zip, sha, length);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (journal, contents, -1, NULL));

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "may already have been imported"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* The journal's folder goes away after the token was saved: the job is
 * followed to its end, then a warning and exit 4. */
static void
test_journal_breaks_later (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:1,PROCESSING:1,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("later.zip");
  g_autofree char *journal = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (journal);
  g_autofree char *moved = g_strconcat (dir, ".moved", NULL);
  g_autofree char *target = g_build_filename (g_get_user_data_dir (), "gone", "coursedrop", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *header = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  process = cd_test_cli_spawn (launcher, "--course-package", zip, "--course-offering-id", "6606", NULL);
  header = wait_for_header (process);
  g_assert_cmpint (g_rename (dir, moved), ==, 0);
  g_assert_cmpint (symlink (target, dir), ==, 0);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 4);
  g_assert_true (g_str_has_suffix (out, "COMPLETED\n"));
  g_assert_nonnull (strstr (err, "could not record the latest state of this job"));
  g_assert_nonnull (strstr (err, journal));

  cd_test_sandbox_stop (sandbox);
}

static void
add_issue_9_tests (void)
{
  g_test_add_func ("/cli/import/journal-breaks-later", test_journal_breaks_later);
  g_test_add_func ("/cli/import/seed-command-line", test_seed_command_line);
  g_test_add_func ("/cli/import/attention/keys", test_attention_keys);
  g_test_add_func ("/cli/import/attention/refused", test_attention_refused);
  for (guint i = 0; i < G_N_ELEMENTS (bad_hours); i++)
    {
      g_autofree char *name = g_strdup_printf ("/cli/import/bad-give-up-after/%s", bad_hours[i].name);
      g_test_add_data_func (name, &bad_hours[i], test_bad_give_up_after);
    }
  g_test_add_func ("/cli/import/give-up-during-retry-after", test_give_up_during_retry_after);
  g_test_add_func ("/cli/import/resume-after-deadline", test_resume_after_deadline);
  g_test_add_func ("/cli/import/interrupted-upload", test_interrupted_upload);
  g_test_add_func ("/cli/import/journal-unwritable", test_journal_unwritable);
  g_test_add_func ("/cli/import/outcome-unknown-guard", test_outcome_unknown_guard);
}
