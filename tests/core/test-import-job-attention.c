/* test-import-job-attention.c: CdImportJob stopping for the user's attention
 * (a rejected key, a refused connection, an untrusted certificate, the
 * clock, a lost permission) and resuming; and the guards that keep it
 * from going on blind (a broken journal, an upload of unknown outcome)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "import-job-test-util.h"

/* The job stopped for @domain/@code: not running, not finished (in memory
 * and on disk), attention set and notified; then the fault is gone and
 * resume takes it to COMPLETED. */
static void
assert_attention_then_resume (Fixture     *f,
                              CdImportJob *job,
                              GQuark       domain,
                              int          code,
                              CdClient    *good)
{
  const GError *attention = cd_import_job_get_attention (job);

  g_assert_false (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_finished (job));
  g_assert_error (attention, domain, code);
  /* "paused" is the sign-in case only. */
  g_assert_true (cd_import_job_get_paused (job) == (code == CD_CLIENT_ERROR_INVALID_TOKEN));
  g_assert_false (cd_import_job_succeeded (job));
  g_assert_false (finished_on_disk (f, job));
  g_assert_cmpstr (cd_import_job_get_record (job)->error, ==, attention->message);

  cd_import_job_resume (job, good);
  g_assert_true (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_attention (job));
  run_until_stopped (job);
  g_assert_null (cd_import_job_get_attention (job));
  g_assert_true (cd_import_job_succeeded (job));
  g_assert_true (finished_on_disk (f, job));
  g_assert_null (cd_import_job_get_record (job)->error);
}

/* A key the server no longer takes (401/403): attention, then a new key. */
static void
test_attention_auth (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *token = upload_and_stop (f);
  g_autoptr(CdImportJob) job = cd_import_job_new_for_token (f->client, f->journal, 6606, token);
  g_autoptr(CdClient) good = NULL;
  guint notified = 0;

  cd_import_job_set_poll_interval (job, 20, 50);
  g_signal_connect (job, "notify::attention", G_CALLBACK (count_notify_cb), &notified);
  cd_sandbox_set_credentials (f->sandbox, CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                              CD_SANDBOX_DEFAULT_USER_ID, "another-key");
  cd_import_job_start (job);
  run_until_stopped (job);
  g_assert_cmpuint (notified, ==, 1);

  good = client_for (f->sandbox, "another-key");
  assert_attention_then_resume (f, job, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN, good);
  g_assert_cmpuint (notified, ==, 2);
}

static void
note_retry_cb (CdImportJob *job,
               GPtrArray   *messages)
{
  char *message = cd_import_job_dup_retry_message (job, g_get_monotonic_time ());

  g_assert_nonnull (message);
  g_ptr_array_add (messages, message);
}

/* Nothing listens any more: a few tries, then attention, not an end. */
static void
test_attention_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *token = upload_and_stop (f);
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdClient) dead = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  gboolean was_retrying = FALSE;

  /* A port that was free a moment ago, and is closed again. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  dead = cd_client_new (url, context, &error);
  g_assert_no_error (error);
  cd_client_set_retry_policy (dead, 1, 10, 10);
  cd_client_set_le_version (dead, "1.67");

  job = cd_import_job_new_for_token (dead, f->journal, 6606, token);
  cd_import_job_set_poll_interval (job, 10, 20);
  g_signal_connect (job, "retry", G_CALLBACK (note_retry_cb), messages);
  cd_import_job_start (job);
  while (cd_import_job_is_running (job))
    {
      g_main_context_iteration (NULL, TRUE);
      was_retrying |= cd_import_job_get_retrying (job);
    }

  g_assert_true (was_retrying);
  /* Each attempt said what is wrong, where, and when the next one is. */
  expected = g_strdup_printf ("Cannot reach %s: connection refused. Retrying ", url + 7);
  g_assert_cmpuint (messages->len, >=, 2);
  for (guint i = 0; i < messages->len; i++)
    {
      const char *message = g_ptr_array_index (messages, i);

      g_test_message ("%s", message);
      g_assert_true (g_str_has_prefix (message, expected));
      g_assert_true (g_str_has_suffix (message, "…"));
    }
  g_assert_null (cd_import_job_get_retry_reason (job));
  g_assert_null (cd_import_job_dup_retry_message (job, g_get_monotonic_time ()));
  g_assert_false (cd_import_job_get_retrying (job));
  assert_attention_then_resume (f, job, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK, f->client);
}

/* A certificate this computer does not trust (a captive portal, a
 * rotated certificate): attention, then the right server again. */
static void
test_attention_tls (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *token = upload_and_stop (f);
  g_autoptr(CdSandbox) portal = cd_sandbox_new ();
  g_autoptr(CdClient) wrong = NULL;
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_sandbox_listen (portal, 0, TRUE, NULL, &error));
  g_assert_no_error (error);
  wrong = client_for (portal, CD_SANDBOX_DEFAULT_USER_KEY);
  cd_client_set_le_version (wrong, "1.67");

  job = cd_import_job_new_for_token (wrong, f->journal, 6606, token);
  cd_import_job_set_poll_interval (job, 20, 50);
  cd_import_job_start (job);
  run_until_stopped (job);

  assert_attention_then_resume (f, job, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS, f->client);
}

/* The server keeps refusing the time, even after the client adopted its
 * clock: attention; once the clock is right, resume completes it. */
static void
test_attention_clock (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = upload_and_stop (f);
  g_autoptr(CdImportJob) job = cd_import_job_new_for_token (f->client, f->journal, 6606, token);

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BAD_CLOCK, 2, 0);
  cd_import_job_set_poll_interval (job, 20, 50);
  cd_import_job_start (job);
  run_until_stopped (job);

  assert_attention_then_resume (f, job, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TIMESTAMP, f->client);
}

/* The role loses its permission mid-job: attention, never the end. */
static void
test_attention_forbidden (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *token = upload_and_stop (f);
  g_autoptr(CdImportJob) job = cd_import_job_new_for_token (f->client, f->journal, 6606, token);

  cd_sandbox_add_forbidden (f->sandbox, 6606);
  cd_import_job_start (job);
  run_until_stopped (job);

  g_assert_error (cd_import_job_get_attention (job), CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN);
  g_assert_null (cd_import_job_get_finished (job));
  g_assert_false (finished_on_disk (f, job));
}

/* Replaces the folder of @journal_path by a file: saves fail from now on. */
static void
break_folder (const char *journal_path)
{
  g_autofree char *dir = g_path_get_dirname (journal_path);
  g_autofree char *moved = g_strconcat (dir, ".moved", NULL);

  g_assert_cmpint (g_rename (dir, moved), ==, 0);
  g_assert_true (g_file_set_contents (dir, "not a folder", -1, NULL));
}

static CdJobJournal *
journal_in_folder (char **path)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "journal", NULL);
  g_autoptr(GError) error = NULL;
  CdJobJournal *journal;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  *path = g_build_filename (dir, "jobs.json", NULL);
  journal = cd_job_journal_new (*path);
  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);

  return journal;
}

/* No record, no upload. */
static void
test_journal_refuses_start (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(CdJobJournal) journal = journal_in_folder (&path);
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(GPtrArray) records = NULL;

  break_folder (path);
  job = cd_import_job_new_for_package (f->client, journal, f->package, 6606);
  cd_import_job_start (job);
  g_assert_true (cd_import_job_is_running (job));
  run_until_stopped (job);

  g_assert_error (cd_import_job_get_error (job), CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE);
  g_assert_error (cd_import_job_get_journal_error (job), CD_JOB_JOURNAL_ERROR,
                  CD_JOB_JOURNAL_ERROR_WRITE);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 0);
  records = cd_job_journal_get_records (journal);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
break_at_token_cb (CdImportJob *job,
                   GParamSpec  *pspec,
                   const char  *path)
{
  break_folder (path);
}

/* The journal breaks after the token was saved: the job goes on to its
 * end, and says the journal could not follow. */
static void
test_journal_breaks_later (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(CdJobJournal) journal = journal_in_folder (&path);
  g_autoptr(CdImportJob) job = cd_import_job_new_for_package (f->client, journal, f->package, 6606);
  guint notified = 0;

  cd_import_job_set_poll_interval (job, 20, 50);
  g_signal_connect (job, "notify::token", G_CALLBACK (break_at_token_cb), path);
  g_signal_connect (job, "notify::journal-error", G_CALLBACK (count_notify_cb), &notified);
  cd_import_job_start (job);
  run_until_stopped (job);

  g_assert_true (cd_import_job_succeeded (job));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_error (cd_import_job_get_journal_error (job), CD_JOB_JOURNAL_ERROR,
                  CD_JOB_JOURNAL_ERROR_WRITE);
}

/* An upload whose answer never came may have been imported: the
 * duplicate guard sees it, and an ordinary failed attempt it does not. */
static void
test_outcome_unknown_guard (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CdJobRecord) unknown = cd_job_record_new ();
  g_autoptr(CdJobRecord) failed = cd_job_record_new ();
  const char *host = cd_client_get_host (f->client);

  failed->host = g_strdup (host);
  failed->offering = 6606;
  failed->sha256 = g_strdup ("ab12");
  failed->finished = g_date_time_new_now_utc ();
  cd_job_journal_add (f->journal, failed);
  g_assert_null (cd_import_job_find_previous (f->journal, host, 6606, "ab12"));

  unknown->host = g_strdup (host);
  unknown->offering = 6606;
  unknown->sha256 = g_strdup ("AB12");
  unknown->status = g_strdup ("OUTCOME_UNKNOWN");
  cd_job_journal_add (f->journal, unknown);
  g_assert_true (cd_import_job_find_previous (f->journal, host, 6606, "ab12") == unknown);
  g_assert_true (cd_import_job_record_outcome_unknown (unknown));
  g_assert_false (cd_import_job_record_outcome_unknown (failed));
  g_assert_null (cd_import_job_find_previous (f->journal, host, 6607, "ab12"));

  /* Following it is impossible (no token): resume leaves it alone. */
  {
    g_autoptr(CdImportJob) job = cd_import_job_new_for_record (f->client, f->journal, unknown);

    cd_import_job_resume (job, NULL);
    g_assert_false (cd_import_job_is_running (job));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, timeline) \
  g_test_add (path, Fixture, timeline, fixture_set_up, func, fixture_tear_down)

  ADD ("/job/attention/auth", test_attention_auth, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/refused", test_attention_refused, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/tls", test_attention_tls, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/clock", test_attention_clock, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/forbidden", test_attention_forbidden, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/journal/refuses-start", test_journal_refuses_start, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/journal/breaks-later", test_journal_breaks_later, "UPLOADING:0.2,COMPLETED");
  ADD ("/job/outcome-unknown/guard", test_outcome_unknown_guard, "UPLOADING:0.1,COMPLETED");

  return g_test_run ();
}
