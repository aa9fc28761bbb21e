/* import-job-test-util.c: the sandbox fixture, packages and run helpers
 * shared by the CdImportJob tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "import-job-test-util.h"

CdClient *
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
void
write_end_record (const char *path,
                  goffset     size)
{
  int fd = g_open (path, O_WRONLY, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, "PK\005\006", 4, size - 22), ==, 4);
  g_assert_cmpint (g_fsync (fd), ==, 0);
  g_close (fd, NULL);
}

void
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

void
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

void
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

void
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

void
run_until_finished (CdImportJob *job)
{
  while (cd_import_job_is_running (job) && !cd_import_job_get_paused (job))
    g_main_context_iteration (NULL, TRUE);
}

/* Uploads the fixture's package into 6606 and stops once the token is
 * known; returns the token. */
char *
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

void
run_until_stopped (CdImportJob *job)
{
  while (cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);
}

/* What the journal on disk says about @job: finished or not. */
gboolean
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

void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static gboolean
quit_after_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_after_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}
