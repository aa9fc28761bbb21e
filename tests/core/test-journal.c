/* test-journal.c: CdJobJournal persistence, the file format and lookups
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
test_round_trip (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobJournal) reloaded = NULL;
  g_autoptr(CdJobRecord) full = make_full_record ();
  g_autoptr(CdJobRecord) bare = make_record ("https://other.example.com", 1, NULL, NULL);
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *path = journal_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  GStatBuf buf;

  g_assert_cmpstr (cd_job_journal_get_path (journal), ==, path);
  g_assert_null (cd_job_journal_get_load_warning (journal));
  g_assert_cmpuint (count_records (journal), ==, 0);

  cd_job_journal_add (journal, full);
  cd_job_journal_add (journal, bare);
  cd_job_journal_add (journal, full);  /* a second add is ignored */
  save_journal (journal);

  g_assert_cmpint (g_stat (dir, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0700);

  reloaded = load_journal ();
  records = cd_job_journal_get_records (reloaded);
  g_assert_cmpuint (records->len, ==, 2);
  assert_records_equal (g_ptr_array_index (records, 0), full);
  assert_records_equal (g_ptr_array_index (records, 1), bare);
  g_assert_cmpint (((CdJobRecord *)g_ptr_array_index (records, 1))->bytes, ==, -1);
}

static void
test_format (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobRecord) full = make_full_record ();
  g_autoptr(CdJobRecord) bare = make_record (HOST, 6607, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = journal_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GString) without_digest = NULL;
  g_autofree char *started = NULL;
  g_autofree char *finished = NULL;
  JsonObject *root;
  JsonObject *job;
  JsonArray *jobs;

  cd_job_journal_add (journal, full);
  cd_job_journal_add (journal, bare);
  save_journal (journal);

  contents = read_file (path);
  g_test_message ("%s", contents);
  json_parser_load_from_data (parser, contents, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  jobs = json_object_get_array_member (root, "jobs");
  g_assert_cmpuint (json_array_get_length (jobs), ==, 2);

  job = json_array_get_object_element (jobs, 0);
  g_assert_cmpstr (json_object_get_string_member (job, "host"), ==, HOST);
  g_assert_cmpint (json_object_get_int_member (job, "offering"), ==, 6606);
  g_assert_cmpstr (json_object_get_string_member (job, "token"), ==, "8840");
  g_assert_cmpint (json_object_get_int_member (job, "bytes"), ==, G_GINT64_CONSTANT (3221225472));
  started = g_date_time_format (full->started, "%FT%TZ");
  finished = g_date_time_format (full->finished, "%FT%T.250000Z");
  g_assert_cmpstr (json_object_get_string_member (job, "started"), ==, started);
  g_assert_cmpstr (json_object_get_string_member (job, "finished"), ==, finished);

  job = json_array_get_object_element (jobs, 1);
  for (guint i = 0; i < 9; i++)
    {
      const char *nullable[] = { "offering_name", "token", "package", "sha256", "bytes",
                                 "status", "started", "finished", "error" };

      g_assert_true (json_object_has_member (job, nullable[i]));
      g_assert_true (json_object_get_null_member (job, nullable[i]));
    }

  /* There are no key fields, and nothing that looks like one sneaks in
   * ("quick_key" is the package's partial digest, not a secret). */
  without_digest = g_string_new (contents);
  g_string_replace (without_digest, "\"quick_key\"", "", 0);
  g_assert_null (strstr (without_digest->str, "key"));
}

static void
test_atomic (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobJournal) reloaded = NULL;
  g_autoptr(CdJobRecord) record = make_full_record ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = journal_path ();
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autoptr(GPtrArray) records = NULL;
  const char *name;
  guint n_files = 0;
  GStatBuf buf;

  cd_job_journal_add (journal, record);
  save_journal (journal);

  /* Callers change records in place, then save. */
  g_free (record->status);
  record->status = g_strdup ("COMPLETED");
  save_journal (journal);

  dir = g_dir_open (dirname, 0, &error);
  g_assert_no_error (error);
  /* No temporary file is left behind; the lock file stays, empty. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_equal (name, "jobs.json.lock"))
        continue;
      g_assert_cmpstr (name, ==, "jobs.json");
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, 1);

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);

  reloaded = load_journal ();
  records = cd_job_journal_get_records (reloaded);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (records, 0))->status, ==, "COMPLETED");
}

static void
test_missing (void)
{
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(CdJobRecord) record = make_full_record ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = journal_path ();

  /* Saving unread could overwrite jobs on disk. */
  cd_job_journal_add (journal, record);
  g_assert_false (cd_job_journal_save (journal, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_NOT_LOADED);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);
  g_assert_null (cd_job_journal_get_load_warning (journal));
  g_assert_cmpuint (count_records (journal), ==, 0);
}

static void
test_unfinished (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobRecord) running = make_record (HOST, 1, "10", SHA_A);
  g_autoptr(CdJobRecord) done = make_record (HOST, 2, "11", SHA_A);
  g_autoptr(CdJobRecord) uploading = make_record (HOST, 3, NULL, SHA_A);
  g_autoptr(CdJobRecord) polling = make_record (HOST, 4, "12", SHA_B);
  g_autoptr(GPtrArray) unfinished = NULL;

  done->finished = g_date_time_new_now_utc ();
  running->status = g_strdup ("IMPORTING");
  cd_job_journal_add (journal, running);
  cd_job_journal_add (journal, done);
  cd_job_journal_add (journal, uploading);
  cd_job_journal_add (journal, polling);

  unfinished = cd_job_journal_get_unfinished (journal);
  g_assert_cmpuint (unfinished->len, ==, 2);
  g_assert_true (g_ptr_array_index (unfinished, 0) == running);
  g_assert_true (g_ptr_array_index (unfinished, 1) == polling);
}

static void
test_duplicate (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobRecord) first = make_record (HOST, 6606, "1", SHA_A);
  g_autoptr(CdJobRecord) second = make_record (HOST, 6606, "2", SHA_A);
  g_autoptr(CdJobRecord) not_started = make_record (HOST, 6606, NULL, SHA_A);
  g_autoptr(CdJobRecord) other = make_record (HOST, 7000, "3", SHA_B);

  first->finished = g_date_time_new_now_utc ();
  cd_job_journal_add (journal, first);
  cd_job_journal_add (journal, second);
  cd_job_journal_add (journal, not_started);
  cd_job_journal_add (journal, other);

  /* The latest import with a token, finished or not. */
  g_assert_true (cd_job_journal_find_duplicate (journal, HOST, 6606, SHA_A) == second);
  g_assert_true (cd_job_journal_find_duplicate (journal, HOST "/", 6606, SHA_A) == second);
  g_assert_true (cd_job_journal_find_duplicate (journal, "HTTPS://School.Brightspace.com",
                                                6606, SHA_A) == second);
  g_assert_true (cd_job_journal_find_duplicate (journal, HOST, 7000, SHA_B) == other);

  g_assert_null (cd_job_journal_find_duplicate (journal, HOST, 6607, SHA_A));
  g_assert_null (cd_job_journal_find_duplicate (journal, "https://other.brightspace.com",
                                                6606, SHA_A));
  g_assert_null (cd_job_journal_find_duplicate (journal, HOST, 6606, SHA_B));
  g_assert_null (cd_job_journal_find_duplicate (journal, HOST, 7000, SHA_A));

  cd_job_journal_remove (journal, second);
  g_assert_true (cd_job_journal_find_duplicate (journal, HOST, 6606, SHA_A) == first);
}

static void
test_find_remove (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();
  g_autoptr(CdJobJournal) reloaded = NULL;
  g_autoptr(CdJobRecord) a = make_record (HOST, 1, "100", SHA_A);
  g_autoptr(CdJobRecord) b = make_record (HOST, 2, "200", SHA_B);
  g_autoptr(CdJobRecord) equal_to_b = cd_job_record_copy (b);

  cd_job_journal_add (journal, a);
  cd_job_journal_add (journal, b);

  g_assert_true (cd_job_journal_find (journal, HOST, "200") == b);
  g_assert_true (cd_job_journal_find (journal, HOST "/", "100") == a);
  g_assert_null (cd_job_journal_find (journal, HOST, "300"));
  g_assert_null (cd_job_journal_find (journal, "https://other.brightspace.com", "100"));

  /* Removal is by identity, not by equal content. */
  g_assert_false (cd_job_journal_remove (journal, equal_to_b));
  g_assert_true (cd_job_journal_remove (journal, b));
  g_assert_false (cd_job_journal_remove (journal, b));
  g_assert_null (cd_job_journal_find (journal, HOST, "200"));
  save_journal (journal);

  reloaded = load_journal ();
  g_assert_cmpuint (count_records (reloaded), ==, 1);
  g_assert_nonnull (cd_job_journal_find (reloaded, HOST, "100"));
  g_assert_null (cd_job_journal_find (reloaded, HOST, "200"));
}

static void
test_record (void)
{
  g_autoptr(CdJobRecord) record = make_full_record ();
  g_autoptr(CdJobRecord) copy = cd_job_record_copy (record);
  CdJobRecord *boxed;

  g_assert_true (copy != record);
  g_assert_true (copy->host != record->host);
  assert_records_equal (copy, record);

  /* Boxed copies share the record: it is reference counted. */
  boxed = g_boxed_copy (CD_TYPE_JOB_RECORD, record);
  g_assert_true (boxed == record);
  g_boxed_free (CD_TYPE_JOB_RECORD, boxed);

  g_clear_pointer (&copy, cd_job_record_unref);
  g_assert_cmpstr (record->token, ==, "8840");
}

/* Journals from before ids: every process derives the same ones. */
static void
test_legacy_ids (void)
{
  static const char legacy[] =
    "{\"version\": 1, \"jobs\": ["
    " {\"host\": \"" HOST "\", \"offering\": 1, \"token\": \"10\"},"
    " {\"host\": \"" HOST "/\", \"offering\": 2, \"token\": null, \"started\": \"@STARTED@\"},"
    " {\"host\": \"" HOST "\", \"offering\": 1, \"token\": \"10\"}"
    "]}";
  g_autoptr(GDateTime) started = an_hour_ago ();
  g_autofree char *started_text = g_date_time_format_iso8601 (started);
  g_autoptr(GString) text = g_string_new (legacy);
  g_autofree char *path = NULL;
  g_autoptr(CdJobJournal) a = NULL;
  g_autoptr(CdJobJournal) b = NULL;
  g_autoptr(GPtrArray) in_a = NULL;
  g_autoptr(GPtrArray) in_b = NULL;
  g_autoptr(GPtrArray) on_disk = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  g_string_replace (text, "@STARTED@", started_text, 0);
  path = write_journal (text->str, -1);
  a = load_journal_at (path);
  b = load_journal_at (path);
  in_a = cd_job_journal_get_records (a);
  in_b = cd_job_journal_get_records (b);
  g_assert_cmpuint (in_a->len, ==, 3);
  for (guint i = 0; i < in_a->len; i++)
    {
      CdJobRecord *ra = g_ptr_array_index (in_a, i);
      CdJobRecord *rb = g_ptr_array_index (in_b, i);

      g_assert_nonnull (ra->id);
      g_assert_cmpstr (ra->id, ==, rb->id);
      g_assert_true (g_hash_table_add (ids, ra->id));
    }

  ((CdJobRecord *)g_ptr_array_index (in_a, 0))->status = g_strdup ("A");
  save_journal (a);
  ((CdJobRecord *)g_ptr_array_index (in_b, 1))->status = g_strdup ("B");
  save_journal (b);

  on_disk = records_on_disk ();
  g_assert_cmpuint (on_disk->len, ==, 3);
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 0))->status, ==, "A");
  g_assert_cmpstr (((CdJobRecord *)g_ptr_array_index (on_disk, 1))->status, ==, "B");
  g_assert_null (((CdJobRecord *)g_ptr_array_index (on_disk, 2))->status);
}

/* A journal with an unreadable job is copied aside once, however often it
 * is read without being saved. */
static void
test_one_copy (void)
{
  g_autofree char *path = write_journal ("{\"version\": 1, \"jobs\": [42,"
                                         " {\"host\": \"" HOST "\", \"offering\": 1}]}", -1);
  g_autoptr(GPtrArray) backups = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);

      g_test_expect_message ("Coursedrop", G_LOG_LEVEL_MESSAGE, "*not an object*");
      g_assert_true (cd_job_journal_load (journal, NULL));
      g_test_assert_expected_messages ();
      g_assert_nonnull (cd_job_journal_get_load_warning (journal));
      g_assert_cmpuint (count_records (journal), ==, 1);
    }

  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/journal/round-trip", test_round_trip);
  g_test_add_func ("/journal/format", test_format);
  g_test_add_func ("/journal/atomic", test_atomic);
  g_test_add_func ("/journal/missing", test_missing);
  g_test_add_func ("/journal/unfinished", test_unfinished);
  g_test_add_func ("/journal/duplicate", test_duplicate);
  g_test_add_func ("/journal/find-remove", test_find_remove);
  g_test_add_func ("/journal/record", test_record);
  g_test_add_func ("/journal/legacy-ids", test_legacy_ids);
  g_test_add_func ("/journal/one-copy", test_one_copy);

  return g_test_run ();
}
