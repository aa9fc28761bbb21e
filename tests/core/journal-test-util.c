/* journal-test-util.c: records, journals and change counting shared by
 * the journal tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "journal-test-util.h"

char *
journal_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "coursedrop", "jobs.json", NULL);
}

char *
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

char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

CdJobJournal *
load_journal (void)
{
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&journal);
}

void
save_journal (CdJobJournal *journal)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_journal_save (journal, &error));
  g_assert_no_error (error);
}

guint
count_records (CdJobJournal *journal)
{
  g_autoptr(GPtrArray) records = cd_job_journal_get_records (journal);

  return records->len;
}

CdJobRecord *
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
GDateTime *
an_hour_ago (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_new_utc (g_date_time_get_year (now), g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now), g_date_time_get_hour (now),
                              g_date_time_get_minute (now), 0);
}

CdJobRecord *
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

void
assert_dates_equal (GDateTime *a,
                    GDateTime *b)
{
  if (a == NULL || b == NULL)
    g_assert_true (a == b);
  else
    g_assert_true (g_date_time_equal (a, b));
}

void
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

/* Sharing one file. */

CdJobJournal *
load_journal_at (const char *path)
{
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&journal);
}

GPtrArray *
records_on_disk (void)
{
  g_autoptr(CdJobJournal) journal = load_journal ();

  return cd_job_journal_get_records (journal);
}

void
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

void
changes_init (Changes *changes)
{
  changes->emissions = 0;
  changes->added = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  changes->updated = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  changes->removed = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
}

void
changes_clear (Changes *changes)
{
  g_clear_pointer (&changes->added, g_ptr_array_unref);
  g_clear_pointer (&changes->updated, g_ptr_array_unref);
  g_clear_pointer (&changes->removed, g_ptr_array_unref);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
wait_for_emission (Changes *changes,
                   guint    emissions)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (30, timed_out_cb, &timed_out);

  while (changes->emissions < emissions && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
}

GPtrArray *
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

void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}
