/* test-cli-journal.c: one job journal shared by many processes
 *
 * Real coursedrop-cli runs against a sandbox process, all recording into
 * the test's own jobs.json, and a CdJobList in this process watching it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "cd-job-list.h"
#include "cd-sandbox.h"
#include "cd-test-util.h"

#define N_IMPORTS 10

static CdTestSandbox *
start_sandbox (void)
{
  return cd_test_sandbox_start ("--timeline", "UPLOADING:0.5,PROCESSING:0.5,COMPLETED",
                                "--offering", "6606:Biology 101;BIO101", NULL);
}

static GPtrArray *
journal_records (void)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);

  return cd_job_journal_get_records (journal);
}

/* "Import job 8840 status:\n" → "8840" */
static char *
token_from_output (const char *out)
{
  const char *start;

  g_assert_nonnull (out);
  g_assert_true (g_str_has_prefix (out, "Import job "));
  start = out + strlen ("Import job ");
  return g_strndup (start, strcspn (start, " "));
}

/* Ten imports at once: nobody's record is lost. */
static void
test_ten_at_once (void)
{
  CdTestSandbox *sandbox = start_sandbox ();
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autoptr(GHashTable) tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) printed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) records = NULL;
  GSubprocess *processes[N_IMPORTS];

  for (guint i = 0; i < N_IMPORTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("package-%u.imscc", i);
      g_autofree char *zip = cd_test_make_zip (name);

      processes[i] = cd_test_cli_spawn (launcher, "import", "--course-package", zip,
                                        "--course-offering-id", "6606", "--no-wait", NULL);
    }

  for (guint i = 0; i < N_IMPORTS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_subprocess_communicate_utf8 (processes[i], NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_test_message ("import %u: %s%s", i, out, err);
      g_assert_true (g_subprocess_get_if_exited (processes[i]));
      g_assert_cmpint (g_subprocess_get_exit_status (processes[i]), ==, 0);
      g_assert_true (g_hash_table_add (printed, token_from_output (out)));
      g_clear_object (&processes[i]);
    }

  records = journal_records ();
  g_assert_cmpuint (records->len, ==, N_IMPORTS);
  for (guint i = 0; i < records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (records, i);

      g_assert_nonnull (record->token);
      g_assert_true (g_hash_table_contains (printed, record->token));
      g_assert_true (g_hash_table_add (tokens, g_strdup (record->token)));
    }
  g_assert_cmpuint (g_hash_table_size (tokens), ==, N_IMPORTS);

  cd_test_sandbox_stop (sandbox);
}

/* The reported loss: import A runs, a --no-wait import B records its job,
 * A's later saves must not erase B's token. */
static void
test_running_import_keeps_others (void)
{
  CdTestSandbox *sandbox = start_sandbox ();
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip_a = cd_test_make_zip ("a.imscc");
  g_autofree char *zip_b = cd_test_make_zip ("b.imscc");
  g_autoptr(GSubprocess) a = NULL;
  g_autoptr(GDataInputStream) a_out = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *token_a = NULL;
  g_autofree char *token_b = NULL;
  CdTestRun run = { 0 };
  CdJobRecord *first, *second;

  a = cd_test_cli_spawn (launcher, "import", "--course-package", zip_a,
                         "--course-offering-id", "6606", NULL);
  a_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (a));
  header = g_data_input_stream_read_line_utf8 (a_out, NULL, NULL, &error);
  g_assert_no_error (error);
  token_a = token_from_output (header);

  cd_test_cli_run (launcher, &run, "import", "--course-package", zip_b,
                   "--course-offering-id", "6606", "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  token_b = token_from_output (run.out);
  cd_test_run_clear (&run);

  /* A goes on through PROCESSING and COMPLETED, saving each. */
  g_assert_true (g_subprocess_wait (a, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (a), ==, 0);

  records = journal_records ();
  g_assert_cmpuint (records->len, ==, 2);
  first = g_ptr_array_index (records, 0);
  second = g_ptr_array_index (records, 1);
  g_assert_cmpstr (first->token, ==, token_a);
  g_assert_cmpstr (first->status, ==, "COMPLETED");
  g_assert_nonnull (first->finished);
  g_assert_cmpstr (second->token, ==, token_b);
  g_assert_null (second->finished);

  cd_test_sandbox_stop (sandbox);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for_items (CdJobList *jobs,
                guint      n)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (60, timeout_cb, &timed_out);

  while (g_list_model_get_n_items (G_LIST_MODEL (jobs)) < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
}

/* The list's first job once it has a token: a change another process
 * made replaces the list's job for that record. */
static CdImportJob *
wait_for_token (CdJobList *jobs)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (60, timeout_cb, &timed_out);
  CdImportJob *job = g_list_model_get_item (G_LIST_MODEL (jobs), 0);

  while (cd_import_job_get_token (job) == NULL && !timed_out)
    {
      g_main_context_iteration (NULL, TRUE);
      g_object_unref (job);
      job = g_list_model_get_item (G_LIST_MODEL (jobs), 0);
    }
  g_assert_false (timed_out);
  g_source_remove (source);
  return job;
}

static void
process_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(gboolean *)user_data = TRUE;
}

/* The window's list sees a job a coursedrop-cli run recorded while it was
 * open, and coursedrop-cli lists what the window's journal recorded. */
static void
test_list_and_cli (void)
{
  CdTestSandbox *sandbox = start_sandbox ();
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(CdJobList) jobs = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(CdJobRecord) record = NULL;
  g_autoptr(CdImportJob) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = cd_test_make_zip ("week1.imscc");
  g_autofree char *out = NULL;
  g_autofree char *token = NULL;
  CdTestRun run = { 0 };
  gboolean exited = FALSE;

  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  client = cd_client_new (sandbox->url, context, &error);
  g_assert_no_error (error);
  journal = cd_job_journal_new (NULL);
  g_assert_true (cd_job_journal_load (journal, &error));
  jobs = cd_job_list_new (client, journal);
  g_assert_true (cd_job_list_load (jobs, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 0);

  /* The main loop keeps running while the CLI works: the list must see the
   * job without anyone asking it to reload. */
  process = cd_test_cli_spawn (launcher, "import", "--course-package", zip,
                               "--course-offering-id", "6606", "--no-wait", NULL);
  g_subprocess_wait_async (process, NULL, process_exited_cb, &exited);
  wait_for_items (jobs, 1);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  token = token_from_output (out);

  /* The file monitor brings the CLI's last change (its token) a moment
   * after the process is gone. */
  seen = wait_for_token (jobs);
  g_assert_cmpstr (cd_import_job_get_token (seen), ==, token);
  /* Nobody follows a --no-wait job: the window does. */
  g_assert_true (cd_import_job_is_running (seen));

  /* The other way round. */
  record = cd_job_record_new ();
  record->host = g_strdup (sandbox->url);
  record->offering = 6606;
  record->token = g_strdup ("97531");
  record->status = g_strdup ("COMPLETED");
  record->finished = g_date_time_new_now_utc ();
  cd_job_journal_add (journal, record);
  cd_job_journal_save_async (journal, NULL, NULL, NULL);
  while (cd_job_journal_is_saving (journal))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (cd_job_journal_get_write_error (journal));

  cd_test_cli_run (launcher, &run, "jobs", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "97531"));
  g_assert_nonnull (strstr (run.out, token));
  cd_test_run_clear (&run);

  cd_import_job_cancel (seen);
  while (cd_job_journal_is_saving (journal))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&jobs);
  cd_test_sandbox_stop (sandbox);
}

static guint
count_copies (void)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autoptr(GDir) dir = g_dir_open (dirname, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "jobs.json.corrupt-"))
      n++;

  return n;
}

static void
write_journal (const char *contents)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* Listing jobs writes nothing: one copy of a journal with an unreadable
 * job, however often it is listed. */
static void
test_read_only_one_copy (void)
{
  static const char text[] =
    "{\"version\": 1, \"jobs\": [\"not a job\","
    " {\"host\": \"https://school.brightspace.com\", \"offering\": 6606, \"token\": \"8840\"}]}";
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  g_autofree char *path = cd_test_journal_path ();
  g_autofree char *after = NULL;
  CdTestRun run = { 0 };

  write_journal (text);
  for (guint i = 0; i < 2; i++)
    {
      cd_test_cli_run (launcher, &run, "jobs", NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, "8840"));
      g_assert_nonnull (strstr (run.err, "could not be read"));
      cd_test_run_clear (&run);
      g_assert_cmpuint (count_copies (), ==, 1);
    }

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text);
}

/* A journal nested 100,000 deep: a warning, not a crash. */
static void
test_deep_nesting (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  gsize depth = 100000;
  g_autofree char *deep = g_malloc (2 * depth + 1);
  CdTestRun run = { 0 };

  memset (deep, '[', depth);
  memset (deep + depth, ']', depth);
  deep[2 * depth] = '\0';
  write_journal (deep);

  cd_test_cli_run (launcher, &run, "jobs", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "damaged"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (count_copies (), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/journal/ten-at-once", test_ten_at_once);
  g_test_add_func ("/cli/journal/running-import-keeps-others", test_running_import_keeps_others);
  g_test_add_func ("/cli/journal/list-and-cli", test_list_and_cli);
  g_test_add_func ("/cli/journal/read-only-one-copy", test_read_only_one_copy);
  g_test_add_func ("/cli/journal/deep-nesting", test_deep_nesting);

  return g_test_run ();
}
