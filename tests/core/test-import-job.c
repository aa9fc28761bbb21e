/* test-import-job.c: CdImportJob against an in-process sandbox: a job
 * from upload to its end (completed, failed, unknown and transient
 * statuses, Brightspace's timeout, the local deadline), pausing for a
 * new sign-in and following a token from elsewhere (attention and
 * guards: test-import-job-attention.c; stopping, polling and deadlines:
 * test-import-job-timing.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "import-job-test-util.h"

typedef struct
{
  Fixture *f;
  guint    requests_at_token;
  gboolean saved_at_token;
  GPtrArray *statuses;
} Watch;

static void
token_cb (CdImportJob *job,
          GParamSpec  *pspec,
          Watch       *watch)
{
  g_autofree char *text = NULL;

  /* Versions and the upload so far, and the token already on disk. */
  watch->requests_at_token = cd_sandbox_get_request_count (watch->f->sandbox);
  g_assert_true (g_file_get_contents (watch->f->journal_path, &text, NULL, NULL));
  watch->saved_at_token = strstr (text, cd_import_job_get_token (job)) != NULL;
}

static void
status_cb (CdImportJob *job,
           const char  *word,
           Watch       *watch)
{
  g_ptr_array_add (watch->statuses, g_strdup (word));
}

static void
test_completed (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  Watch watch = { f, 0, FALSE, statuses };
  GPtrArray *logs;

  hash_package (f->package);
  job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  cd_import_job_set_poll_interval (job, 50, 200);
  g_signal_connect (job, "notify::token", G_CALLBACK (token_cb), &watch);
  g_signal_connect (job, "status-changed", G_CALLBACK (status_cb), &watch);

  cd_import_job_start (job);
  g_assert_true (cd_import_job_is_running (job));
  g_assert_cmpint (cd_import_job_get_stage (job), ==, CD_IMPORT_STAGE_UPLOAD);
  run_until_finished (job);

  g_assert_true (watch.saved_at_token);
  g_assert_cmpuint (watch.requests_at_token, ==, 2);
  g_assert_true (cd_import_job_succeeded (job));
  g_assert_null (cd_import_job_get_error (job));
  g_assert_cmpint (cd_import_job_get_status (job), ==, CD_IMPORT_STATUS_COMPLETED);
  g_assert_cmpint (cd_import_job_get_stage (job), ==, CD_IMPORT_STAGE_DONE);
  g_assert_cmpstr (cd_import_job_get_status_text (job), ==, "COMPLETED");
  g_assert_cmpint (cd_import_job_get_bytes_sent (job), ==, cd_import_job_get_bytes_total (job));
  g_assert_cmpint (cd_import_job_get_bytes_total (job), >, 4096);
  g_assert_nonnull (cd_import_job_get_finished (job));

  g_assert_cmpuint (statuses->len, >=, 3);
  g_assert_cmpstr (g_ptr_array_index (statuses, 0), ==, "UPLOADING");
  g_assert_cmpstr (g_ptr_array_index (statuses, statuses->len - 1), ==, "COMPLETED");

  /* A completed job fetched its log too, for the warnings. */
  logs = cd_import_job_get_logs (job);
  g_assert_nonnull (logs);
  g_assert_cmpuint (logs->len, >, 5);
  g_assert_cmpint (((CdImportLogEntry *)g_ptr_array_index (logs, 0))->type, ==, CD_IMPORT_LOG_WARNING);

  /* The duplicate guard now knows this package in this offering. */
  g_assert_nonnull (cd_job_journal_find_duplicate (f->journal, cd_client_get_host (f->client), 6606,
                                                   cd_package_get_sha256 (f->package)));
  g_assert_null (cd_job_journal_find_duplicate (f->journal, cd_client_get_host (f->client), 12345,
                                                cd_package_get_sha256 (f->package)));
}

static void
test_failed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  const GError *error;

  hash_package (f->package);
  job = cd_import_job_new_for_package (f->client, f->journal, f->package, 777);
  cd_import_job_set_poll_interval (job, 50, 200);
  cd_import_job_start (job);
  run_until_finished (job);

  error = cd_import_job_get_error (job);
  g_assert_error (error, CD_JOB_ERROR, CD_JOB_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "Import failed: "));
  g_assert_nonnull (cd_import_job_get_failure_reason (job));
  g_assert_nonnull (strstr (error->message, cd_import_job_get_failure_reason (job)));
  g_assert_cmpint (cd_import_job_get_stage (job), ==, CD_IMPORT_STAGE_FAILED);
  g_assert_cmpint (((CdImportLogEntry *)g_ptr_array_index (cd_import_job_get_logs (job), 0))->type,
                   ==, CD_IMPORT_LOG_ERROR);
  g_assert_cmpstr (cd_job_journal_find (f->journal, cd_client_get_host (f->client),
                                        cd_import_job_get_token (job))->error, ==, error->message);
}

/* An unknown word is kept, shown, and the job goes on. */
static void
test_unknown_status (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  gboolean seen_unknown = FALSE;

  job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  cd_import_job_set_poll_interval (job, 30, 60);
  cd_import_job_start (job);

  while (cd_import_job_is_running (job))
    {
      g_main_context_iteration (NULL, TRUE);
      if (cd_import_job_get_status (job) == CD_IMPORT_STATUS_UNKNOWN)
        {
          seen_unknown = TRUE;
          g_assert_cmpstr (cd_import_job_get_status_text (job), ==, "SOMETHINGNEW");
          /* The stepper stays where it was. */
          g_assert_cmpint (cd_import_job_get_stage (job), ==, CD_IMPORT_STAGE_CONVERT);
        }
    }

  g_assert_true (seen_unknown);
  g_assert_true (cd_import_job_succeeded (job));
}

/* Server errors set "retrying" and never end the job. */
static void
test_transient_faults (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  gboolean was_retrying = FALSE;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SERVER_ERROR, 6, 0);
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BROKEN_JSON, 2, 0);
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, 1);

  job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  cd_import_job_set_poll_interval (job, 20, 100);
  cd_import_job_start (job);
  while (cd_import_job_is_running (job))
    {
      g_main_context_iteration (NULL, TRUE);
      was_retrying |= cd_import_job_get_retrying (job);
    }

  g_assert_true (was_retrying);
  g_assert_false (cd_import_job_get_retrying (job));
  g_assert_true (cd_import_job_succeeded (job));
}

/* Brightspace's own "Timeout" (mixed case) is final and a failure. */
static void
test_brightspace_timeout (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  const GError *error;

  job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  cd_import_job_set_poll_interval (job, 20, 50);
  cd_import_job_start (job);
  run_until_finished (job);

  error = cd_import_job_get_error (job);
  g_assert_error (error, CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT);
  g_assert_true (g_str_has_prefix (error->message, "Brightspace stopped the import"));
  g_assert_cmpint (cd_import_job_get_status (job), ==, CD_IMPORT_STATUS_TIMEOUT);
  g_assert_cmpstr (cd_import_job_get_status_text (job), ==, "Timeout");
  g_assert_cmpint (cd_import_job_get_stage (job), ==, CD_IMPORT_STAGE_FAILED);
  g_assert_false (cd_import_job_succeeded (job));
}

/* Not final within the deadline: given up locally, but only Brightspace
 * ends a job, so it stays unfinished and resumable. */
static void
test_deadline (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;

  job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  cd_import_job_set_poll_interval (job, 20, 50);
  cd_import_job_set_deadline (job, 300 * G_TIME_SPAN_MILLISECOND);
  cd_import_job_start (job);
  run_until_finished (job);

  g_assert_error (cd_import_job_get_error (job), CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT);
  g_assert_error (cd_import_job_get_attention (job), CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT);
  g_assert_false (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_finished (job));
  g_assert_false (cd_import_job_succeeded (job));
  g_assert_false (finished_on_disk (f, job));
}

/* An expired sign-in pauses the job; a new client resumes it. */
static void
test_pause_resume (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdClient) good = NULL;

  job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  cd_import_job_set_poll_interval (job, 20, 50);
  cd_import_job_start (job);
  while (cd_import_job_get_token (job) == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The user key stops working on the server. */
  cd_sandbox_set_credentials (f->sandbox, CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                              CD_SANDBOX_DEFAULT_USER_ID, "a-new-key");
  run_until_finished (job);
  g_assert_true (cd_import_job_get_paused (job));
  g_assert_error (cd_import_job_get_error (job), CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN);
  g_assert_null (cd_import_job_get_finished (job));

  good = client_for (f->sandbox, "a-new-key");
  cd_import_job_resume (job, good);
  g_assert_false (cd_import_job_get_paused (job));
  run_until_finished (job);
  g_assert_true (cd_import_job_succeeded (job));
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
}

/* A token from elsewhere (the sample's --job-token) is followed, not
 * uploaded, and the journal keeps one record for it. */
static void
test_follow_token (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CdImportJob) first = NULL;
  g_autoptr(CdImportJob) again = NULL;
  g_autoptr(CdJobJournal) reloaded = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  first = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  cd_import_job_start (first);
  while (cd_import_job_get_token (first) == NULL)
    g_main_context_iteration (NULL, TRUE);
  token = g_strdup (cd_import_job_get_token (first));
  cd_import_job_cancel (first);
  g_assert_false (cd_import_job_is_running (first));

  again = cd_import_job_new_for_token (f->client, f->journal, 6606, token);
  cd_import_job_set_poll_interval (again, 20, 50);
  cd_import_job_start (again);
  run_until_finished (again);
  g_assert_true (cd_import_job_succeeded (again));
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);

  reloaded = cd_job_journal_new (f->journal_path);
  g_assert_true (cd_job_journal_load (reloaded, &error));
  records = cd_job_journal_get_records (reloaded);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (records, 0))->token, ==, token);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (records, 0))->status, ==, "COMPLETED");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, timeline) \
  g_test_add (path, Fixture, timeline, fixture_set_up, func, fixture_tear_down)

  ADD ("/job/completed", test_completed, "UPLOADING:0.2,PROCESSING:0.2,IMPORTING:0.2,COMPLETED");
  ADD ("/job/failed", test_failed, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/unknown-status", test_unknown_status, "UPLOADING:0.1,PROCESSING:0.2,SOMETHINGNEW:0.3,COMPLETED");
  ADD ("/job/transient-faults", test_transient_faults, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/brightspace-timeout", test_brightspace_timeout, "UPLOADING:0.1,PROCESSING:0.1,Timeout");
  ADD ("/job/deadline", test_deadline, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/pause-resume", test_pause_resume, "UPLOADING:0.5,PROCESSING:0.3,COMPLETED");
  ADD ("/job/follow-token", test_follow_token, "UPLOADING:0.1,COMPLETED");

  return g_test_run ();
}
