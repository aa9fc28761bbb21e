/* test-journal-damage.c: CdJobJournal with damaged, hostile or unwritable
 * files: nothing is lost, every problem is said
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/journal/corrupt", test_corrupt);
  g_test_add_func ("/journal/tolerant", test_tolerant);
  g_test_add_func ("/journal/unreadable", test_unreadable);
  g_test_add_func ("/journal/unreadable-directory", test_unreadable_directory);
  g_test_add_func ("/journal/newer-version", test_newer_version);
  g_test_add_func ("/journal/unwritable", test_unwritable);
  g_test_add_func ("/journal/deep-nesting", test_deep_nesting);
  g_test_add_func ("/journal/too-large", test_too_large);

  return g_test_run ();
}
