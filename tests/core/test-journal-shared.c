/* test-journal-shared.c: one journal file shared by several journals
 * (processes, threads): merging, watching, never losing a record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "journal-test-util.h"

static void
test_two_journals (void)
{
  g_autofree char *path = journal_path ();
  g_autoptr(CdJobJournal) a = load_journal_at (path);
  g_autoptr(CdJobJournal) b = load_journal_at (path);
  g_autoptr(CdJobRecord) ra = make_record (HOST, 1, "100", SHA_A);
  g_autoptr(CdJobRecord) rb = make_record (HOST, 2, "200", SHA_B);
  g_autoptr(GPtrArray) on_disk = NULL;
  CdJobRecord *in_b;
  Changes changes;

  changes_init (&changes);
  g_signal_connect (b, "changed", G_CALLBACK (changed_cb), &changes);

  g_assert_cmpstr (ra->id, !=, rb->id);
  cd_job_journal_add (a, ra);
  save_journal (a);
  cd_job_journal_add (b, rb);
  save_journal (b);

  /* Each process's record is on disk; b learned of a's by saving. */
  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, 2);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->token, ==, "100");
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->id, ==, ra->id);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 1))->token, ==, "200");
  g_assert_nonnull (cd_job_journal_find (b, HOST, "100"));
  g_assert_cmpuint (changes.emissions, ==, 1);
  g_assert_cmpuint (changes.added->len, ==, 1);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (changes.added, 0))->token, ==, "100");

  /* a removes its record: b's stays, and b drops a's at its next save. */
  g_assert_true (cd_job_journal_remove (a, ra));
  save_journal (a);
  g_clear_pointer (&on_disk, g_ptr_array_unref);
  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, 1);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->token, ==, "200");

  /* Even a change b made meanwhile does not bring it back: removal is
   * what a user asked for. */
  in_b = cd_job_journal_find (b, HOST, "100");
  g_assert_nonnull (in_b);
  in_b->status = g_strdup ("CHANGED");
  save_journal (b);
  g_assert_null (cd_job_journal_find (b, HOST, "100"));
  g_assert_cmpuint (changes.removed->len, ==, 1);
  g_clear_pointer (&on_disk, g_ptr_array_unref);
  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, 1);

  changes_clear (&changes);
}

/* A finished record beats an unfinished one, whoever saves last; else the
 * later change wins.  The loser learns the winner's version in place. */
static void
test_merge_rule (void)
{
  g_autofree char *path = journal_path ();
  g_autoptr(CdJobJournal) a = load_journal_at (path);
  g_autoptr(CdJobJournal) b = NULL;
  g_autoptr(CdJobRecord) record = make_record (HOST, 1, "100", SHA_A);
  g_autoptr(GPtrArray) on_disk = NULL;
  CdJobRecord *in_b;

  cd_job_journal_add (a, record);
  save_journal (a);
  b = load_journal_at (path);
  in_b = cd_job_journal_find (b, HOST, "100");
  g_assert_nonnull (in_b);
  g_assert_cmpstr (in_b->id, ==, record->id);

  in_b->finished = g_date_time_new_now_utc ();
  in_b->status = g_strdup ("COMPLETED");
  save_journal (b);

  /* a saves a stale, unfinished change later: the end is not lost. */
  record->status = g_strdup ("PROCESSING");
  save_journal (a);
  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, 1);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->status, ==, "COMPLETED");
  g_assert_nonnull (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->finished);
  g_assert_cmpstr (record->status, ==, "COMPLETED");
  g_assert_nonnull (record->finished);

  /* Both finished: the later change wins. */
  g_free (record->error);
  record->error = g_strdup ("later");
  save_journal (a);
  g_free (in_b->error);
  in_b->error = g_strdup ("latest");
  save_journal (b);
  g_clear_pointer (&on_disk, g_ptr_array_unref);
  on_disk = records_on_disk ();
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->error, ==, "latest");
}

#define N_THREADS 3
#define N_PER_THREAD 10

static gpointer
save_many (gpointer data)
{
  guint thread = GPOINTER_TO_UINT (data);
  g_autofree char *path = journal_path ();
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (path);
  g_autoptr(GMainContext) context = g_main_context_new ();

  /* The journal is single-threaded: each thread has its own, as each
   * process would. */
  g_main_context_push_thread_default (context);
  g_assert_true (cd_job_journal_load (journal, NULL));
  for (guint i = 0; i < N_PER_THREAD; i++)
    {
      g_autoptr(CdJobRecord) record = cd_job_record_new ();
      g_autoptr(GError) error = NULL;

      record->host = g_strdup (HOST);
      record->offering = 1 + thread;
      record->token = g_strdup_printf ("%u-%u", thread, i);
      cd_job_journal_add (journal, record);
      g_assert_true (cd_job_journal_save (journal, &error));
      g_assert_no_error (error);
    }
  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_concurrent_threads (void)
{
  GThread *threads[N_THREADS];
  g_autoptr(GPtrArray) on_disk = NULL;
  g_autoptr(GHashTable) tokens = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("saver", save_many, GUINT_TO_POINTER (i));
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, N_THREADS * N_PER_THREAD);
  for (guint i = 0; i < on_disk->len; i++)
    g_assert_true (g_hash_table_add (tokens, ((CdJobRecord *)g_ptr_array_index (on_disk, i))->token));
}

static void
test_async_in_order (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobRecord) record = make_record (HOST, 1, NULL, SHA_A);
  GAsyncResult *results[3] = { NULL };
  g_autoptr(GPtrArray) on_disk = NULL;
  const char *statuses[] = { "ONE", "TWO", "THREE" };

  cd_job_journal_add (journal, record);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_free (record->status);
      record->status = g_strdup (statuses[i]);
      cd_job_journal_save_async (journal, NULL, store_result_cb, &results[i]);
    }
  g_assert_true (cd_job_journal_is_saving (journal));

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) error = NULL;

      while (results[i] == NULL)
        g_main_context_iteration (NULL, TRUE);
      /* One at a time, in order. */
      for (guint j = i + 1; j < G_N_ELEMENTS (results); j++)
        g_assert_null (results[j]);
      g_assert_true (cd_job_journal_save_finish (journal, results[i], &error));
      g_assert_no_error (error);
      g_clear_object (&results[i]);
    }
  g_assert_false (cd_job_journal_is_saving (journal));

  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, 1);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->status, ==, "THREE");
}

/* Records this version does not understand the purpose of are kept, as
 * written, by every save, even of other records. */
static void
test_newer_record (void)
{
  static const char text[] =
    "{\"version\": 1, \"jobs\": ["
    " {\"id\": \"future-1\", \"host\": \"" HOST "\", \"offering\": 5, \"kind\": \"export\","
    "  \"retries\": {\"count\": 2, \"at\": [1, 2]}}"
    "]}";
  g_autofree char *path = write_journal (text, -1);
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobRecord) record = make_record (HOST, 6, "60", SHA_A);
  g_autofree char *saved = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) records = NULL;
  JsonObject *future;
  CdJobRecord *known;

  cd_job_journal_add (journal, record);
  save_journal (journal);

  records = cd_job_journal_get_records (journal);
  g_assert_cmpuint (records->len, ==, 2);
  known = g_ptr_array_index (records, 0);
  g_assert_cmpstr (known->id, ==, "future-1");
  known->status = g_strdup ("SEEN");
  save_journal (journal);

  saved = read_file (path);
  g_assert_true (json_parser_load_from_data (parser, saved, -1, NULL));
  future = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "jobs"), 0);
  g_assert_cmpstr (json_object_get_string_member (future, "id"), ==, "future-1");
  g_assert_cmpstr (json_object_get_string_member (future, "kind"), ==, "export");
  g_assert_cmpstr (json_object_get_string_member (future, "status"), ==, "SEEN");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (future, "retries"),
                                               "count"), ==, 2);
}

/* A watching journal sees what another one saves, without saving. */
static void
test_watch (void)
{
  g_autofree char *path = journal_path ();
  g_autoptr(CdJobJournal) watcher = load_journal_at (path);
  g_autoptr(CdJobJournal) other = load_journal_at (path);
  g_autoptr(CdJobRecord) record = make_record (HOST, 1, "100", SHA_A);
  CdJobRecord *seen;
  Changes changes;

  changes_init (&changes);
  g_signal_connect (watcher, "changed", G_CALLBACK (changed_cb), &changes);
  cd_job_journal_watch (watcher);

  cd_job_journal_add (other, record);
  save_journal (other);
  wait_for_emission (&changes, 1);
  g_assert_cmpuint (changes.added->len, ==, 1);
  seen = cd_job_journal_find (watcher, HOST, "100");
  g_assert_nonnull (seen);
  g_assert_true (seen == g_ptr_array_index (changes.added, 0));

  record->finished = g_date_time_new_now_utc ();
  save_journal (other);
  wait_for_emission (&changes, 2);
  g_assert_cmpuint (changes.updated->len, ==, 1);
  g_assert_true (g_ptr_array_index (changes.updated, 0) == seen);
  g_assert_nonnull (seen->finished);

  cd_job_journal_remove (other, record);
  save_journal (other);
  wait_for_emission (&changes, 3);
  g_assert_cmpuint (changes.removed->len, ==, 1);
  g_assert_null (cd_job_journal_find (watcher, HOST, "100"));

  changes_clear (&changes);
}

/* The reported race: a window shows a record another process saved
 * without its token yet and looks up the course's name; the other process
 * then records the token.  The window's save keeps both, and the window
 * learns the token (it follows the job by it). */
static void
test_name_and_token (void)
{
  g_autofree char *path = journal_path ();
  g_autoptr(CdJobJournal) window = load_journal_at (path);
  g_autoptr(CdJobJournal) cli = load_journal_at (path);
  g_autoptr(CdJobRecord) record = make_record (HOST, 6606, NULL, SHA_A);
  g_autoptr(GPtrArray) on_disk = NULL;
  CdJobRecord *seen;
  Changes changes;

  changes_init (&changes);
  g_signal_connect (window, "changed", G_CALLBACK (changed_cb), &changes);
  cd_job_journal_watch (window);

  cd_job_journal_add (cli, record);
  save_journal (cli);
  wait_for_emission (&changes, 1);
  seen = g_ptr_array_index (changes.added, 0);
  g_assert_null (seen->token);

  /* Unsaved here, the name; meanwhile the token arrives on disk. */
  seen->offering_name = g_strdup ("Introduction to Chemistry");
  record->token = g_strdup ("8841");
  save_journal (cli);

  save_journal (window);
  g_assert_cmpstr (seen->token, ==, "8841");
  g_assert_cmpstr (seen->offering_name, ==, "Introduction to Chemistry");
  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, 1);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->token, ==, "8841");
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->offering_name, ==,
                   "Introduction to Chemistry");

  changes_clear (&changes);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/journal/two-journals", test_two_journals);
  g_test_add_func ("/journal/merge-rule", test_merge_rule);
  g_test_add_func ("/journal/concurrent-threads", test_concurrent_threads);
  g_test_add_func ("/journal/async-in-order", test_async_in_order);
  g_test_add_func ("/journal/newer-record", test_newer_record);
  g_test_add_func ("/journal/watch", test_watch);
  g_test_add_func ("/journal/name-and-token", test_name_and_token);

  return g_test_run ();
}
