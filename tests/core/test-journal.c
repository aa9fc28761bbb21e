/* test-journal.c: CdJobJournal persistence, damage handling and lookups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cd-job-journal.h"

#define HOST "https://school.brightspace.com"
#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

static char *
journal_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "coursedrop", "jobs.json", NULL);
}

static char *
write_journal (const char *contents,
               gssize      length)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "coursedrop", NULL);
  g_autoptr(GError) error = NULL;
  char *path = journal_path ();

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  return path;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static CdJobJournal *
load_journal (void)
{
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&journal);
}

static void
save_journal (CdJobJournal *journal)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_journal_save (journal, &error));
  g_assert_no_error (error);
}

static guint
count_records (CdJobJournal *journal)
{
  g_autoptr(GPtrArray) records = cd_job_journal_get_records (journal);

  return records->len;
}

static CdJobRecord *
make_record (const char *host,
             gint64      offering,
             const char *token,
             const char *sha256)
{
  CdJobRecord *record = cd_job_record_new ();

  record->host = g_strdup (host);
  record->offering = offering;
  record->token = g_strdup (token);
  record->sha256 = g_strdup (sha256);

  return record;
}

/* An hour ago, in whole seconds: tests derive their times from now so that
 * they pass on any date. */
static GDateTime *
an_hour_ago (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_new_utc (g_date_time_get_year (now), g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now), g_date_time_get_hour (now),
                              g_date_time_get_minute (now), 0);
}

static CdJobRecord *
make_full_record (void)
{
  CdJobRecord *record = make_record (HOST, 6606, "8840", SHA_A);

  record->offering_name = g_strdup ("BIO 101 — “Cells” é");
  record->package = g_strdup ("/home/ana/Week 1 “Cells” é.imscc");
  record->bytes = G_GINT64_CONSTANT (3221225472);
  record->status = g_strdup ("IMPORTFAILED");
  record->started = an_hour_ago ();
  record->finished = g_date_time_add_seconds (record->started, 42 * 60 + 7.25);
  record->error = g_strdup ("The import failed.\nSee the logs.");

  return record;
}

static void
assert_dates_equal (GDateTime *a,
                    GDateTime *b)
{
  if (a == NULL || b == NULL)
    g_assert_true (a == b);
  else
    g_assert_true (g_date_time_equal (a, b));
}

static void
assert_records_equal (const CdJobRecord *a,
                      const CdJobRecord *b)
{
  g_assert_cmpstr (a->host, ==, b->host);
  g_assert_cmpint (a->offering, ==, b->offering);
  g_assert_cmpstr (a->offering_name, ==, b->offering_name);
  g_assert_cmpstr (a->token, ==, b->token);
  g_assert_cmpstr (a->package, ==, b->package);
  g_assert_cmpstr (a->sha256, ==, b->sha256);
  g_assert_cmpint (a->bytes, ==, b->bytes);
  g_assert_cmpstr (a->status, ==, b->status);
  assert_dates_equal (a->started, b->started);
  assert_dates_equal (a->finished, b->finished);
  g_assert_cmpstr (a->error, ==, b->error);
}

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

  /* There are no key fields, and nothing that looks like one sneaks in. */
  g_assert_null (strstr (contents, "key"));
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

static GPtrArray *
list_backups (void)
{
  g_autofree char *path = journal_path ();
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autoptr(GDir) dir = g_dir_open (dirname, 0, NULL);
  GPtrArray *backups = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "jobs.json.corrupt-"))
      g_ptr_array_add (backups, g_build_filename (dirname, name, NULL));

  return backups;
}

static void
test_corrupt (void)
{
  /* Truncated, the wrong shape, empty, not UTF-8. */
  const char *damaged[] = {
    "{\"version\": 1, \"jobs\": [",
    "[1,2]",
    "",
    "{\"version\": 1, \"jobs\": {}}",
    "{\"jobs\": [\"\xff\xfe\"]}",
  };
  g_autofree char *path = journal_path ();
  g_autoptr(GPtrArray) originals = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
      g_autoptr(CdJobRecord) record = make_full_record ();
      g_autoptr(GPtrArray) backups = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *unused = write_journal (damaged[i], -1);
      const char *warning;
      gboolean found = FALSE;

      g_ptr_array_add (originals, g_strdup (damaged[i]));

      g_test_expect_message ("Coursedrop", G_LOG_LEVEL_WARNING, "*damaged*moved it to*");
      g_assert_true (cd_job_journal_load (journal, &error));
      g_assert_no_error (error);
      g_test_assert_expected_messages ();

      g_assert_cmpuint (count_records (journal), ==, 0);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

      /* Every damaged file is kept, even two made within the same second. */
      backups = list_backups ();
      g_assert_cmpuint (backups->len, ==, i + 1);
      warning = cd_job_journal_get_load_warning (journal);
      g_assert_nonnull (warning);
      g_test_message ("%s", warning);
      for (guint j = 0; j < backups->len; j++)
        {
          g_autofree char *contents = read_file (g_ptr_array_index (backups, j));
          g_autofree char *quoted = g_strdup_printf ("“%s”",
                                                     (char *)g_ptr_array_index (backups, j));

          g_assert_true (g_ptr_array_find_with_equal_func (originals, contents,
                                                           g_str_equal, NULL));
          if (strstr (warning, quoted) != NULL)
            {
              g_assert_cmpstr (contents, ==, damaged[i]);
              found = TRUE;
            }
        }
      g_assert_true (found);

      /* The journal goes on working, without touching the backup. */
      cd_job_journal_add (journal, record);
      save_journal (journal);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
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
test_tolerant (void)
{
  static const char template[] =
    "{\"version\": 1, \"written_by\": \"someone\", \"jobs\": ["
    " {\"host\": \"" HOST "\", \"offering\": \"6606\", \"token\": 8840,"
    "  \"bytes\": \"12\", \"app_key\": \"s3cret\", \"extra\": {\"a\": [1]}},"
    " {\"host\": \"" HOST "\", \"offering\": 7000.0, \"token\": \"9\", \"bytes\": -5,"
    "  \"status\": 3, \"started\": \"@STARTED_CET@\"},"
    " {\"offering\": 1, \"token\": \"1\"},"
    " {\"host\": \"" HOST "\", \"offering\": \"BIO\"},"
    " 42"
    "]}";
  g_autoptr(GDateTime) started_utc = an_hour_ago ();
  g_autoptr(GTimeZone) cet = g_time_zone_new_offset (3600);
  g_autoptr(GDateTime) started_cet = g_date_time_to_timezone (started_utc, cet);
  g_autofree char *started_cet_text = g_date_time_format (started_cet, "%FT%T%:z");
  g_autofree char *started_utc_text = g_date_time_format (started_utc, "\"%FT%TZ\"");
  g_autoptr(GString) text = g_string_new (template);
  g_autofree char *path = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *original = NULL;
  const char *warning;
  const char *backup_start;
  CdJobRecord *record;
  const char *contents;

  g_string_replace (text, "@STARTED_CET@", started_cet_text, 0);
  contents = text->str;
  path = write_journal (contents, -1);
  journal = cd_job_journal_new (path);

  g_test_expect_message ("Coursedrop", G_LOG_LEVEL_WARNING, "*without a host or offering*");
  g_test_expect_message ("Coursedrop", G_LOG_LEVEL_WARNING, "*without a host or offering*");
  g_test_expect_message ("Coursedrop", G_LOG_LEVEL_WARNING, "*not an object*");
  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();

  /* The three unreadable jobs are not lost: the original is kept, and
   * the warning says where. */
  warning = cd_job_journal_get_load_warning (journal);
  g_assert_nonnull (warning);
  g_assert_true (g_str_has_prefix (warning, "3 jobs in the job journal could not be read"));
  backup_start = strstr (warning, "“");
  g_assert_nonnull (backup_start);
  backup = g_strndup (backup_start + strlen ("“"),
                      strstr (backup_start, "”") - backup_start - strlen ("“"));
  original = read_file (backup);
  g_assert_cmpstr (original, ==, contents);

  records = cd_job_journal_get_records (journal);
  g_assert_cmpuint (records->len, ==, 2);

  record = g_ptr_array_index (records, 0);
  g_assert_cmpint (record->offering, ==, 6606);
  g_assert_cmpstr (record->token, ==, "8840");
  g_assert_cmpint (record->bytes, ==, 12);
  g_assert_null (record->sha256);
  g_assert_null (record->started);

  record = g_ptr_array_index (records, 1);
  g_assert_cmpint (record->offering, ==, 7000);
  g_assert_cmpstr (record->token, ==, "9");
  g_assert_cmpint (record->bytes, ==, -1);
  g_assert_null (record->status);
  g_assert_true (g_date_time_equal (record->started, started_utc));

  /* Members this version does not know are someone's data (a newer
   * Coursedrop's, say): the next save keeps them, at the top level too. */
  record = g_ptr_array_index (records, 0);
  g_free (record->status);
  record->status = g_strdup ("COMPLETED");
  save_journal (journal);
  saved = read_file (path);
  g_assert_nonnull (strstr (saved, "\"app_key\" : \"s3cret\""));
  g_assert_nonnull (strstr (saved, "\"written_by\" : \"someone\""));
  g_assert_nonnull (strstr (saved, "\"extra\" : {"));
  g_assert_nonnull (strstr (saved, started_utc_text));
}

static void
assert_save_refused (CdJobJournal      *journal,
                     CdJobJournalError  code)
{
  g_autoptr(CdJobRecord) record = make_full_record ();
  g_autoptr(GError) error = NULL;

  cd_job_journal_add (journal, record);
  g_assert_false (cd_job_journal_save (journal, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, (int)code);
  g_test_message ("%s", error->message);
}

static void
test_unreadable (void)
{
  const char *contents = "{\"version\": 1, \"jobs\": []}";
  g_autofree char *path = write_journal (contents, -1);
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  if (geteuid () == 0 || access (path, R_OK) == 0)
    {
      g_test_skip ("Mode 000 files are readable by this user");
      return;
    }

  g_assert_false (cd_job_journal_load (journal, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, path));
  assert_save_refused (journal, CD_JOB_JOURNAL_ERROR_UNREADABLE);

  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 0);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  after = read_file (path);
  g_assert_cmpstr (after, ==, contents);
}

/* Unlike mode 000, this fails to read even as root. */
static void
test_unreadable_directory (void)
{
  g_autofree char *path = journal_path ();
  g_autofree char *inside = g_build_filename (path, "keep", NULL);
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_true (g_file_set_contents (inside, "x", 1, NULL));

  g_assert_false (cd_job_journal_load (journal, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_UNREADABLE);
  g_test_message ("%s", error->message);
  assert_save_refused (journal, CD_JOB_JOURNAL_ERROR_UNREADABLE);

  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));
  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 0);
}

static void
test_newer_version (void)
{
  const char *contents = "{\"version\": 2, \"jobs\": [], \"future\": true}";
  g_autofree char *path = write_journal (contents, -1);
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  g_assert_false (cd_job_journal_load (journal, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_NEWER_VERSION);
  assert_save_refused (journal, CD_JOB_JOURNAL_ERROR_NEWER_VERSION);

  after = read_file (path);
  g_assert_cmpstr (after, ==, contents);
  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 0);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/journal/round-trip", test_round_trip);
  g_test_add_func ("/journal/format", test_format);
  g_test_add_func ("/journal/atomic", test_atomic);
  g_test_add_func ("/journal/corrupt", test_corrupt);
  g_test_add_func ("/journal/missing", test_missing);
  g_test_add_func ("/journal/unfinished", test_unfinished);
  g_test_add_func ("/journal/duplicate", test_duplicate);
  g_test_add_func ("/journal/find-remove", test_find_remove);
  g_test_add_func ("/journal/tolerant", test_tolerant);
  g_test_add_func ("/journal/unreadable", test_unreadable);
  g_test_add_func ("/journal/unreadable-directory", test_unreadable_directory);
  g_test_add_func ("/journal/newer-version", test_newer_version);
  g_test_add_func ("/journal/record", test_record);

  return g_test_run ();
}
