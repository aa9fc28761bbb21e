/* test-import-job-timing.c: CdImportJob over time: stopping it (while polling
 * and mid-upload), its poll intervals, and the deadline (already passed,
 * capping Retry-After and slow answers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "import-job-test-util.h"

/* Signing out stops a polling job at once: nothing more is sent, and it
 * stays resumable. */
static void
test_stop_polling (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CdImportJob) job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  guint requests;

  cd_import_job_set_poll_interval (job, 20, 20);
  cd_import_job_start (job);
  while (cd_import_job_get_status (job) != CD_IMPORT_STATUS_PROCESSING)
    g_main_context_iteration (NULL, TRUE);

  cd_import_job_stop (job);
  g_assert_false (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_attention (job));
  g_assert_null (cd_import_job_get_finished (job));
  g_assert_cmpuint (cd_import_job_get_poll_interval (job), ==, 0);

  requests = cd_sandbox_get_request_count (f->sandbox);
  spin (300);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, requests);
  g_assert_false (finished_on_disk (f, job));

  cd_import_job_resume (job, NULL);
  run_until_stopped (job);
  g_assert_true (cd_import_job_succeeded (job));
}

static void
stop_on_progress_cb (CdImportJob *job,
                     GParamSpec  *pspec,
                     gpointer     user_data)
{
  if (cd_import_job_get_bytes_sent (job) > 0)
    cd_import_job_stop (job);
}

/* Ctrl+C before the package is through: finished as cancelled, nothing
 * uploaded, and nothing left pending in the journal. */
static void
test_stop_upload (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "big.zip", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(CdPackage) big = NULL;
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(GPtrArray) unfinished = NULL;

  /* 1 GiB, sparse: far from through when the first progress arrives. */
  write_zip (path, 4096);
  g_assert_cmpint (truncate (path, 1024 * 1024 * 1024), ==, 0);
  write_end_record (path, 1024 * 1024 * 1024);
  big = cd_package_new (file);
  job = cd_import_job_new_for_package (f->client, f->journal, big, 6606);
  g_signal_connect (job, "notify::bytes-sent", G_CALLBACK (stop_on_progress_cb), NULL);
  cd_import_job_start (job);
  run_until_stopped (job);

  g_assert_error (cd_import_job_get_error (job), CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED);
  g_assert_nonnull (cd_import_job_get_finished (job));
  g_assert_null (cd_import_job_get_token (job));
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 0);
  unfinished = cd_job_journal_get_unfinished (f->journal);
  g_assert_cmpuint (unfinished->len, ==, 0);
}

static void
collect_interval_cb (CdImportJob *job,
                     GParamSpec  *pspec,
                     GArray      *intervals)
{
  guint ms = cd_import_job_get_poll_interval (job);

  if (ms != 0)
    g_array_append_val (intervals, ms);
}

/* The default policy, seen through a clock 100 times faster: 1 s, ×1.5
 * per unchanged answer, capped at 15 s. */
static void
test_poll_intervals (Fixture       *f,
                     gconstpointer  data)
{
  static const guint expected[] = { 1000, 1500, 2250, 3375, 5062, 7593, 11389, 15000, 15000 };
  g_autoptr(CdImportJob) job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  g_autoptr(GArray) intervals = g_array_new (FALSE, FALSE, sizeof (guint));
  guint first = 0;

  cd_import_job_set_time_scale (job, 0.01);
  g_signal_connect (job, "notify::poll-interval", G_CALLBACK (collect_interval_cb), intervals);
  cd_import_job_start (job);
  while (cd_import_job_get_status (job) != CD_IMPORT_STATUS_PROCESSING)
    g_main_context_iteration (NULL, TRUE);

  /* From the change to PROCESSING on, nothing changes for a minute. */
  for (guint i = 0; i < intervals->len; i++)
    if (g_array_index (intervals, guint, i) == 1000)
      first = i;
  while (intervals->len < first + G_N_ELEMENTS (expected))
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (g_array_index (intervals, guint, first + i), ==, expected[i]);

  g_assert_cmpuint (_cd_import_job_next_interval (15000, 15000), ==, 15000);
  g_assert_cmpuint (_cd_import_job_next_interval (14000, 15000), ==, 15000);
  g_assert_cmpuint (_cd_import_job_next_interval (G_MAXUINT, G_MAXUINT), ==, G_MAXUINT);
  cd_import_job_stop (job);
}

/* A job started long ago (resume after a weekend): the server is asked
 * once, from the main loop, before the job is given up. */
static void
test_deadline_passed (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = upload_and_stop (f);
  CdJobRecord *record = cd_job_journal_find (f->journal, cd_client_get_host (f->client), token);
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const GError *attention;
  guint requests;

  g_clear_pointer (&record->started, g_date_time_unref);
  record->started = g_date_time_add_hours (now, -37);
  job = cd_import_job_new_for_record (f->client, f->journal, record);

  requests = cd_sandbox_get_request_count (f->sandbox);
  cd_import_job_start (job);
  g_assert_true (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_attention (job));
  run_until_stopped (job);

  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, requests + 1);
  attention = cd_import_job_get_attention (job);
  g_assert_error (attention, CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (attention->message, "did not finish within 36 hours"));
  g_assert_null (cd_import_job_get_finished (job));
  g_assert_false (finished_on_disk (f, job));
}

/* ... and when that one answer is final, the job simply ends. */
static void
test_deadline_passed_final (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *token = upload_and_stop (f);
  g_autoptr(CdImportJob) job = NULL;

  spin (300);
  job = cd_import_job_new_for_token (f->client, f->journal, 6606, token);
  cd_import_job_set_deadline (job, 1);
  cd_import_job_start (job);
  run_until_stopped (job);
  g_assert_true (cd_import_job_succeeded (job));
}

/* The deadline caps every wait: a day of Retry-After, or an answer that
 * takes a minute. */
static void
deadline_caps_wait (Fixture        *f,
                    CdSandboxFault  fault)
{
  g_autoptr(CdImportJob) job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);
  gint64 begin;

  cd_sandbox_add_fault (f->sandbox, fault, 1000, fault == CD_SANDBOX_FAULT_SLOW ? 60000 : 86400);
  cd_import_job_set_deadline (job, 1500 * G_TIME_SPAN_MILLISECOND);
  begin = g_get_monotonic_time ();
  cd_import_job_start (job);
  run_until_stopped (job);

  g_assert_cmpint (g_get_monotonic_time () - begin, <, 10 * G_TIME_SPAN_SECOND);
  g_assert_error (cd_import_job_get_attention (job), CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT);
  g_assert_null (cd_import_job_get_finished (job));
}

static void
test_deadline_retry_after (Fixture       *f,
                           gconstpointer  data)
{
  deadline_caps_wait (f, CD_SANDBOX_FAULT_RATE_LIMIT);
}

static void
test_deadline_slow (Fixture       *f,
                    gconstpointer  data)
{
  deadline_caps_wait (f, CD_SANDBOX_FAULT_SLOW);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, timeline) \
  g_test_add (path, Fixture, timeline, fixture_set_up, func, fixture_tear_down)

  ADD ("/job/stop/polling", test_stop_polling, "UPLOADING:0.1,PROCESSING:0.5,COMPLETED");
  ADD ("/job/stop/upload", test_stop_upload, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/poll-intervals", test_poll_intervals, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/deadline/passed", test_deadline_passed, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/deadline/passed-final", test_deadline_passed_final, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/deadline/retry-after", test_deadline_retry_after, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/deadline/slow", test_deadline_slow, "UPLOADING:0.1,PROCESSING:60,COMPLETED");

  return g_test_run ();
}
