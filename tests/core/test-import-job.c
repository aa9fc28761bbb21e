/* test-import-job.c: CdImportJob against an in-process sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cd-client-imports.h"
#include "cd-import-job.h"
#include "cd-import-job-private.h"
#include "cd-sandbox.h"
#include "cd-upload.h"

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  CdJobJournal *journal;
  char         *journal_path;
  CdPackage    *package;
} Fixture;

static CdClient *
client_for (CdSandbox  *sandbox,
            const char *user_key)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID,
                                                            CD_SANDBOX_DEFAULT_APP_KEY,
                                                            CD_SANDBOX_DEFAULT_USER_ID, user_key);
  g_autoptr(GError) error = NULL;
  CdClient *client = cd_client_new (cd_sandbox_get_url (sandbox), context, &error);

  g_assert_no_error (error);
  cd_client_set_retry_policy (client, 2, 20, 50);
  return client;
}

/* The end record of an empty archive at @size - 22: cd-package checks the
 * structure. */
static void
write_end_record (const char *path,
                  goffset     size)
{
  int fd = g_open (path, O_WRONLY, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, "PK\005\006", 4, size - 22), ==, 4);
  g_assert_cmpint (g_fsync (fd), ==, 0);
  g_close (fd, NULL);
}

static void
write_zip (const char *path,
           gsize       size)
{
  g_autofree char *data = NULL;

  g_assert_cmpuint (size, >=, 26);
  data = g_malloc0 (size);

  memcpy (data, "PK\003\004", 4);
  /* The end record of an empty archive: cd-package checks the structure.
   * (Not in a 4-byte stub, which it would overrun.) */
  if (size >= 26)
    memcpy (data + size - 22, "PK\005\006", 4);
  g_assert_true (g_file_set_contents (path, data, size, NULL));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *timeline = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = NULL;
  g_autoptr(GFile) file = NULL;

  f->sandbox = cd_sandbox_new ();
  g_assert_true (cd_sandbox_set_timeline (f->sandbox, timeline, &error));
  g_assert_true (cd_sandbox_set_offering_timeline (f->sandbox,
                                                   "777=UPLOADING:0.1,PROCESSING:0.1,IMPORTFAILED",
                                                   &error));
  g_assert_true (cd_sandbox_add_offering (f->sandbox, "6606:Biology 101;BIO101", &error));
  g_assert_true (cd_sandbox_add_offering (f->sandbox, "777:Broken", &error));
  g_assert_true (cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);

  f->client = client_for (f->sandbox, CD_SANDBOX_DEFAULT_USER_KEY);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  f->journal_path = g_build_filename (g_get_user_data_dir (), "jobs.json", NULL);
  f->journal = cd_job_journal_new (f->journal_path);
  g_assert_true (cd_job_journal_load (f->journal, &error));

  zip = g_build_filename (g_get_user_data_dir (), "Week 1.imscc", NULL);
  write_zip (zip, 4096);
  file = g_file_new_for_path (zip);
  f->package = cd_package_new (file);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* Saves run on a worker: let them land before the test's folder goes. */
  while (cd_job_journal_is_saving (f->journal))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->package);
  g_clear_object (&f->journal);
  g_clear_pointer (&f->journal_path, g_free);
  g_clear_object (&f->client);
  g_clear_object (&f->sandbox);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
hash_package (CdPackage *package)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cd_package_hash_async (package, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_package_check_finish (package, result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (cd_package_get_sha256 (package));
}

static gboolean finished_on_disk (Fixture *f, CdImportJob *job);

static void
run_until_finished (CdImportJob *job)
{
  while (cd_import_job_is_running (job) && !cd_import_job_get_paused (job))
    g_main_context_iteration (NULL, TRUE);
}

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

/* Uploads the fixture's package into 6606 and stops once the token is
 * known; returns the token. */
static char *
upload_and_stop (Fixture *f)
{
  g_autoptr(CdImportJob) job = cd_import_job_new_for_package (f->client, f->journal, f->package, 6606);

  cd_import_job_start (job);
  while (cd_import_job_get_token (job) == NULL)
    g_main_context_iteration (NULL, TRUE);
  cd_import_job_stop (job);
  g_assert_false (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_finished (job));

  return g_strdup (cd_import_job_get_token (job));
}

static void
run_until_stopped (CdImportJob *job)
{
  while (cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);
}

/* What the journal on disk says about @job: finished or not. */
static gboolean
finished_on_disk (Fixture     *f,
                  CdImportJob *job)
{
  CdJobRecord *mine = cd_import_job_get_record (job);
  g_autoptr(CdJobJournal) reread = cd_job_journal_new (f->journal_path);
  g_autoptr(GError) error = NULL;
  CdJobRecord *record;

  g_assert_true (cd_job_journal_load (reread, &error));
  g_assert_no_error (error);
  record = cd_job_journal_find (reread, mine->host, mine->token);
  g_assert_nonnull (record);

  return record->finished != NULL;
}

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

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
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

static gboolean
quit_after_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_after_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

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

  ADD ("/job/completed", test_completed, "UPLOADING:0.2,PROCESSING:0.2,IMPORTING:0.2,COMPLETED");
  ADD ("/job/failed", test_failed, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/unknown-status", test_unknown_status, "UPLOADING:0.1,PROCESSING:0.2,SOMETHINGNEW:0.3,COMPLETED");
  ADD ("/job/transient-faults", test_transient_faults, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/brightspace-timeout", test_brightspace_timeout, "UPLOADING:0.1,PROCESSING:0.1,Timeout");
  ADD ("/job/deadline", test_deadline, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/pause-resume", test_pause_resume, "UPLOADING:0.5,PROCESSING:0.3,COMPLETED");
  ADD ("/job/follow-token", test_follow_token, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/attention/auth", test_attention_auth, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/refused", test_attention_refused, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/tls", test_attention_tls, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/clock", test_attention_clock, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/attention/forbidden", test_attention_forbidden, "UPLOADING:0.3,COMPLETED");
  ADD ("/job/stop/polling", test_stop_polling, "UPLOADING:0.1,PROCESSING:0.5,COMPLETED");
  ADD ("/job/stop/upload", test_stop_upload, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/poll-intervals", test_poll_intervals, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/deadline/passed", test_deadline_passed, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/deadline/passed-final", test_deadline_passed_final, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/deadline/retry-after", test_deadline_retry_after, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/deadline/slow", test_deadline_slow, "UPLOADING:0.1,PROCESSING:60,COMPLETED");
  ADD ("/job/journal/refuses-start", test_journal_refuses_start, "UPLOADING:0.1,COMPLETED");
  ADD ("/job/journal/breaks-later", test_journal_breaks_later, "UPLOADING:0.2,COMPLETED");
  ADD ("/job/outcome-unknown/guard", test_outcome_unknown_guard, "UPLOADING:0.1,COMPLETED");

  return g_test_run ();
}
