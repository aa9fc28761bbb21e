/* test-job-list.c: CdJobList, the model behind the window's job list
 *
 * Core code (GIO only), tested here with the GUI it was written for; an
 * in-process sandbox answers the jobs it resumes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "cd-job-list.h"
#include "cd-sandbox.h"

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  CdJobJournal *journal;
  char         *dir;
  char         *path;
} Fixture;

/* Oldest first, as the journal keeps them: a completed import, an upload
 * that was cut off (no token), another Brightspace's job, and one that was
 * still running when the app quit. */
static const char journal_text[] =
  "{ \"version\": 1, \"jobs\": ["
  "  { \"host\": \"@HOST@\", \"offering\": 6606, \"offering_name\": \"Biology 101\","
  "    \"token\": \"1\", \"package\": \"/tmp/Week 1.imscc\", \"sha256\": \"aa\", \"bytes\": 10,"
  "    \"status\": \"COMPLETED\", \"started\": \"@T0@\","
  "    \"finished\": \"@T0_END@\", \"error\": null },"
  "  { \"host\": \"@HOST@\", \"offering\": 6606, \"token\": null,"
  "    \"package\": \"/tmp/Week 2.imscc\", \"status\": null,"
  "    \"started\": \"@T1@\", \"finished\": null },"
  "  { \"host\": \"https://other.example.com\", \"offering\": 1, \"token\": \"3\","
  "    \"status\": \"PROCESSING\", \"started\": \"@T2@\", \"finished\": null },"
  "  { \"host\": \"@HOST@\", \"offering\": 12345, \"token\": \"4\","
  "    \"status\": \"PROCESSING\", \"started\": \"@T3@\", \"finished\": null }"
  "] }";

/* Journal times are relative to now, so that the records never age past the
 * journal's give-up deadline (the test must pass on any date). */
static void
replace_time (GString    *text,
              const char *marker,
              int         minutes_from_now)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_minutes (now, minutes_from_now);
  g_autofree char *iso = g_date_time_format_iso8601 (then);

  g_string_replace (text, marker, iso, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (journal_text);
  const char *url;

  fixture->sandbox = cd_sandbox_new ();
  g_assert_true (cd_sandbox_listen (fixture->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);
  url = cd_sandbox_get_url (fixture->sandbox);

  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  fixture->client = cd_client_new (url, context, &error);
  g_assert_no_error (error);

  fixture->dir = g_dir_make_tmp ("cd-test-job-list-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "jobs.json", NULL);
  g_string_replace (text, "@HOST@", url, 0);
  replace_time (text, "@T0@", -4 * 60);
  replace_time (text, "@T0_END@", -4 * 60 + 1);
  replace_time (text, "@T1@", -3 * 60);
  replace_time (text, "@T2@", -2 * 60);
  replace_time (text, "@T3@", -1 * 60);
  g_assert_true (g_file_set_contents (fixture->path, text->str, -1, &error));
  g_assert_no_error (error);

  fixture->journal = cd_job_journal_new (fixture->path);
  g_assert_true (cd_job_journal_load (fixture->journal, &error));
  g_assert_no_error (error);
}

/* Saves go to a worker thread; their answers come on the main loop. */
static void
wait_for_saves (CdJobJournal *journal)
{
  while (cd_job_journal_is_saving (journal))
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  wait_for_saves (fixture->journal);
  dir = g_dir_open (fixture->dir, 0, NULL);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);

  g_clear_object (&fixture->journal);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->sandbox);
  g_clear_pointer (&fixture->path, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

static CdImportJob *
job_at (CdJobList *jobs,
        guint      position)
{
  CdImportJob *job = g_list_model_get_item (G_LIST_MODEL (jobs), position);

  /* The list keeps it alive; the test only looks. */
  g_object_unref (job);
  return job;
}

static void
finished_cb (CdJobList    *jobs,
             CdImportJob  *job,
             CdImportJob **finished)
{
  *finished = job;
}

static void
test_load (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(CdJobList) jobs = cd_job_list_new (fixture->client, fixture->journal);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  CdImportJob *finished = NULL;
  CdImportJob *resumed, *interrupted, *completed;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (jobs)) == CD_TYPE_IMPORT_JOB);
  g_signal_connect (jobs, "job-finished", G_CALLBACK (finished_cb), &finished);

  g_assert_true (cd_job_list_load (jobs, &error));
  g_assert_no_error (error);

  /* This host's three, newest first; the other host's job is not ours. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 3);
  resumed = job_at (jobs, 0);
  interrupted = job_at (jobs, 1);
  completed = job_at (jobs, 2);
  g_assert_cmpstr (cd_import_job_get_token (resumed), ==, "4");
  g_assert_null (cd_import_job_get_token (interrupted));
  g_assert_cmpstr (cd_import_job_get_token (completed), ==, "1");

  /* The running one is followed again at once (checked before the main
   * loop runs: the sandbox never heard of it, so it soon ends). */
  g_assert_true (cd_import_job_is_running (resumed));

  g_assert_true (cd_import_job_succeeded (completed));
  g_assert_false (cd_import_job_is_running (completed));

  /* The cut-off upload is failed for good, and the journal says so. */
  g_assert_false (cd_import_job_is_running (interrupted));
  g_assert_nonnull (cd_import_job_get_finished (interrupted));
  g_assert_cmpstr (cd_import_job_get_record (interrupted)->error, ==,
                   "The upload was interrupted before Brightspace accepted the package.");
  wait_for_saves (fixture->journal);
  g_assert_true (g_file_get_contents (fixture->path, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "The upload was interrupted"));

  /* It ends with the sandbox's 404. */
  while (finished == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (finished == resumed);
  g_assert_nonnull (cd_import_job_get_error (resumed));
}

static void
test_add_remove_track (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(CdJobList) jobs = cd_job_list_new (fixture->client, fixture->journal);
  g_autoptr(CdJobJournal) reread = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdImportJob) added = NULL;
  CdImportJob *completed, *tracked, *again;
  gboolean already = TRUE;

  g_assert_true (cd_job_list_load (jobs, &error));
  g_assert_cmpuint (cd_job_list_get_n_running (jobs), ==, 1);

  added = cd_import_job_new_for_token (fixture->client, fixture->journal, 6606, "77");
  cd_job_list_add (jobs, added);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 4);
  g_assert_true (job_at (jobs, 0) == added);
  g_assert_true (cd_job_list_find_token (jobs, 6606, "77") == added);
  g_assert_null (cd_job_list_find_token (jobs, 1, "77"));

  /* Remove forgets it in the journal too, and leaves other hosts alone. */
  completed = cd_job_list_find_token (jobs, 6606, "1");
  g_assert_nonnull (completed);
  g_assert_true (cd_job_list_remove (jobs, completed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 3);
  g_assert_null (cd_job_list_find_token (jobs, 6606, "1"));

  /* A load comes after this process's queued saves. */
  reread = cd_job_journal_new (fixture->path);
  g_assert_true (cd_job_journal_load (reread, &error));
  records = cd_job_journal_get_records (reread);
  g_assert_cmpuint (records->len, ==, 3);
  for (guint i = 0; i < records->len; i++)
    g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (records, i))->token, !=, "1");

  /* Tracking a running job finds it; a stopped one gets a fresh job. */
  tracked = cd_job_list_track_token (jobs, 12345, "4", &already);
  g_assert_true (already);
  g_assert_true (tracked == cd_job_list_find_token (jobs, 12345, "4"));

  cd_import_job_cancel (tracked);
  again = cd_job_list_track_token (jobs, 12345, "4", &already);
  g_assert_false (already);
  g_assert_true (again != tracked);
  g_assert_false (cd_import_job_is_running (again));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 3);
  g_assert_true (job_at (jobs, 0) == again);
}

/* A second job of a record already listed (a plan following a job again)
 * takes the first one's place, and only it polls. */
static void
test_add_same_record (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(CdJobList) jobs = cd_job_list_new (fixture->client, fixture->journal);
  g_autoptr(CdImportJob) follower = NULL;
  g_autoptr(CdImportJob) old = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_list_load (jobs, &error));
  old = g_object_ref (cd_job_list_find_token (jobs, 12345, "4"));
  g_assert_true (cd_import_job_is_running (old));
  g_assert_true (job_at (jobs, 0) == old);

  follower = cd_import_job_new_for_record (fixture->client, fixture->journal,
                                           cd_import_job_get_record (old));
  cd_job_list_add (jobs, follower);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 3);
  g_assert_true (job_at (jobs, 0) == follower);
  g_assert_false (cd_import_job_is_running (old));

  /* Adding it again changes nothing. */
  cd_job_list_add (jobs, follower);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 3);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (CdJobList *jobs);

static void
wait_until (CdJobList *jobs,
            Condition  condition)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (30, timeout_cb, &timed_out);

  while (!condition (jobs) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
}

static gboolean
has_four (CdJobList *jobs)
{
  return g_list_model_get_n_items (G_LIST_MODEL (jobs)) == 4;
}

static gboolean
has_three (CdJobList *jobs)
{
  return g_list_model_get_n_items (G_LIST_MODEL (jobs)) == 3;
}

static gboolean
first_has_token (CdJobList *jobs)
{
  return g_strcmp0 (cd_import_job_get_token (job_at (jobs, 0)), "555") == 0;
}

/* Another process (here: another journal on the same file) records jobs
 * while the list is open: they appear, change and go without a reload. */
static void
test_other_process (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CdJobList) jobs = cd_job_list_new (fixture->client, fixture->journal);
  g_autoptr(CdJobJournal) other = cd_job_journal_new (fixture->path);
  g_autoptr(CdJobRecord) uploading = cd_job_record_new ();
  g_autoptr(CdJobRecord) elsewhere = cd_job_record_new ();
  g_autoptr(GError) error = NULL;
  CdImportJob *shown;

  g_assert_true (cd_job_list_load (jobs, &error));
  wait_for_saves (fixture->journal);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 3);
  g_assert_true (cd_job_journal_load (other, &error));
  g_assert_no_error (error);

  /* An upload in progress there, and another Brightspace's job. */
  uploading->host = g_strdup (cd_client_get_host (fixture->client));
  uploading->offering = 6606;
  uploading->package = g_strdup ("/tmp/Week 3.imscc");
  uploading->started = g_date_time_new_now_utc ();
  elsewhere->host = g_strdup ("https://other.example.com");
  elsewhere->offering = 1;
  elsewhere->token = g_strdup ("9");
  cd_job_journal_add (other, uploading);
  cd_job_journal_add (other, elsewhere);
  g_assert_true (cd_job_journal_save (other, &error));
  g_assert_no_error (error);

  wait_until (jobs, has_four);
  shown = job_at (jobs, 0);
  g_assert_null (cd_import_job_get_token (shown));
  g_assert_false (cd_import_job_is_running (shown));
  g_assert_cmpstr (cd_import_job_get_record (shown)->id, ==, uploading->id);

  /* Its upload was accepted: the list follows the job from now on. */
  uploading->token = g_strdup ("555");
  g_assert_true (cd_job_journal_save (other, &error));
  wait_until (jobs, first_has_token);
  g_assert_true (job_at (jobs, 0) != shown);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 4);

  /* Removed there, gone here. */
  g_assert_true (cd_job_journal_remove (other, uploading));
  g_assert_true (cd_job_journal_save (other, &error));
  wait_until (jobs, has_three);
  g_assert_null (cd_job_list_find_token (jobs, 6606, "555"));
  g_assert_nonnull (cd_job_list_find_token (jobs, 12345, "4"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/job-list/load", Fixture, NULL, fixture_set_up, test_load, fixture_tear_down);
  g_test_add ("/job-list/add-remove-track", Fixture, NULL,
              fixture_set_up, test_add_remove_track, fixture_tear_down);
  g_test_add ("/job-list/add-same-record", Fixture, NULL,
              fixture_set_up, test_add_same_record, fixture_tear_down);
  g_test_add ("/job-list/other-process", Fixture, NULL,
              fixture_set_up, test_other_process, fixture_tear_down);

  return g_test_run ();
}
