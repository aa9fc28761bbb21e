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

      g_test_expect_message ("Coursedrop", G_LOG_LEVEL_MESSAGE, "*damaged*moved it to*");
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

  g_test_expect_message ("Coursedrop", G_LOG_LEVEL_MESSAGE, "*without a host or offering*");
  g_test_expect_message ("Coursedrop", G_LOG_LEVEL_MESSAGE, "*without a host or offering*");
  g_test_expect_message ("Coursedrop", G_LOG_LEVEL_MESSAGE, "*not an object*");
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

/* Sharing one file. */

static CdJobJournal *
load_journal_at (const char *path)
{
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&journal);
}

static GPtrArray *
records_on_disk (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();

  return cd_job_journal_get_records (journal);
}

typedef struct
{
  guint      emissions;
  GPtrArray *added;
  GPtrArray *updated;
  GPtrArray *removed;
} Changes;

static void
changed_cb (CdJobJournal *journal,
            GPtrArray    *added,
            GPtrArray    *updated,
            GPtrArray    *removed,
            Changes      *changes)
{
  changes->emissions++;
  g_ptr_array_extend (changes->added, added, (GCopyFunc) cd_job_record_ref, NULL);
  g_ptr_array_extend (changes->updated, updated, (GCopyFunc) cd_job_record_ref, NULL);
  g_ptr_array_extend (changes->removed, removed, (GCopyFunc) cd_job_record_ref, NULL);
}

static void
changes_init (Changes *changes)
{
  changes->emissions = 0;
  changes->added = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  changes->updated = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  changes->removed = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
}

static void
changes_clear (Changes *changes)
{
  g_clear_pointer (&changes->added, g_ptr_array_unref);
  g_clear_pointer (&changes->updated, g_ptr_array_unref);
  g_clear_pointer (&changes->removed, g_ptr_array_unref);
}

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
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
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

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

/* A folder that cannot be made: a file where it should be (this fails
 * even as root, unlike a read-only folder). */
static void
test_unwritable (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "blocked", NULL);
  g_autofree char *path = g_build_filename (dir, "jobs.json", NULL);
  g_autoptr(CdJobJournal) journal = load_journal_at (path);
  g_autoptr(CdJobRecord) record = make_full_record ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (dir, "not a folder", -1, NULL));
  g_signal_connect (journal, "notify::write-error", G_CALLBACK (notify_cb), &notified);
  g_assert_null (cd_job_journal_get_write_error (journal));

  cd_job_journal_add (journal, record);
  g_assert_false (cd_job_journal_save (journal, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (cd_job_journal_get_write_error (journal));
  g_assert_true (g_error_matches (cd_job_journal_get_write_error (journal),
                                  CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE));
  g_assert_cmpuint (notified, ==, 1);
  g_clear_error (&error);

  /* The same in the background; the change is still pending. */
  cd_job_journal_save_async (journal, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (cd_job_journal_save_finish (journal, result, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE);
  g_assert_nonnull (cd_job_journal_get_write_error (journal));
  g_clear_error (&error);
  g_clear_object (&result);

  /* Once the folder can be made, the next save writes the record and
   * clears the error. */
  g_assert_cmpint (g_unlink (dir), ==, 0);
  cd_job_journal_save_async (journal, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_job_journal_save_finish (journal, result, &error));
  g_assert_no_error (error);
  g_assert_null (cd_job_journal_get_write_error (journal));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (notified, ==, 3);
}

static void
test_deep_nesting (void)
{
  gsize depth = 100000;
  g_autofree char *deep = g_malloc (2 * depth + 1);
  g_autofree char *path = NULL;
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;

  memset (deep, '[', depth);
  memset (deep + depth, ']', depth);
  deep[2 * depth] = '\0';
  path = write_journal (deep, -1);

  g_test_expect_message ("Coursedrop", G_LOG_LEVEL_MESSAGE, "*damaged*nested*moved it to*");
  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  g_assert_nonnull (cd_job_journal_get_load_warning (journal));
  g_assert_cmpuint (count_records (journal), ==, 0);
  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 1);
}

static void
test_too_large (void)
{
  g_autofree char *path = write_journal ("{\"version\": 1, \"jobs\": []}", -1);
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GError) error = NULL;

  /* Sparse: it costs no disk space. */
  g_assert_cmpint (truncate (path, 65 * 1024 * 1024), ==, 0);
  g_assert_false (cd_job_journal_load (journal, &error));
  g_assert_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_UNREADABLE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "64 MiB"));
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

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for_emission (Changes *changes,
                   guint    emissions)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (30, timeout_cb, &timed_out);

  while (changes->emissions < emissions && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
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
  g_test_add_func ("/journal/two-journals", test_two_journals);
  g_test_add_func ("/journal/merge-rule", test_merge_rule);
  g_test_add_func ("/journal/legacy-ids", test_legacy_ids);
  g_test_add_func ("/journal/concurrent-threads", test_concurrent_threads);
  g_test_add_func ("/journal/async-in-order", test_async_in_order);
  g_test_add_func ("/journal/unwritable", test_unwritable);
  g_test_add_func ("/journal/deep-nesting", test_deep_nesting);
  g_test_add_func ("/journal/too-large", test_too_large);
  g_test_add_func ("/journal/one-copy", test_one_copy);
  g_test_add_func ("/journal/newer-record", test_newer_record);
  g_test_add_func ("/journal/watch", test_watch);

  return g_test_run ();
}
