/* test-guard.c: the duplicate guard's quick key and the digest an upload
 * records, against an in-process sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "cd-import-job.h"
#include "cd-sandbox.h"

#define OFFERING 6606
#define SIZE     (3 * 1024 * 1024 + 7)

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  CdJobJournal *journal;
  char         *path;     /* the package */
  GBytes       *bytes;    /* its content */
} Fixture;

static char *
write_package (const char *name,
               GBytes     *bytes,
               gssize      flip_at)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, NULL);
  gsize length;
  g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (bytes, &length), g_bytes_get_size (bytes));

  if (flip_at >= 0)
    data[flip_at] ^= 0x5a;
  g_assert_true (g_file_set_contents (path, (const char *) data, length, NULL));

  return g_steal_pointer (&path);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  unused)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID,
                                                            CD_SANDBOX_DEFAULT_APP_KEY,
                                                            CD_SANDBOX_DEFAULT_USER_ID,
                                                            CD_SANDBOX_DEFAULT_USER_KEY);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  g_autofree char *journal_path = NULL;
  guint8 *data = g_malloc (SIZE);

  f->sandbox = cd_sandbox_new ();
  g_assert_true (cd_sandbox_set_timeline (f->sandbox, "UPLOADING:0.05,COMPLETED", &error));
  g_assert_true (cd_sandbox_add_offering (f->sandbox, "6606:Biology 101;BIO101", &error));
  g_assert_true (cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);
  f->client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  journal_path = g_build_filename (g_get_user_data_dir (), "jobs.json", NULL);
  f->journal = cd_job_journal_new (journal_path);
  g_assert_true (cd_job_journal_load (f->journal, &error));

  /* Noise between a zip's first signature and an empty archive's end. */
  for (gsize i = 0; i < SIZE; i++)
    data[i] = g_rand_int (rand) & 0xff;
  memcpy (data, "PK\003\004", 4);
  memset (data + SIZE - 22, 0, 22);
  memcpy (data + SIZE - 22, "PK\005\006", 4);
  f->bytes = g_bytes_new_take (data, SIZE);
  f->path = write_package ("Week 1.imscc", f->bytes, -1);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  unused)
{
  while (cd_job_journal_is_saving (f->journal))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->journal);
  g_clear_object (&f->client);
  g_clear_object (&f->sandbox);
  g_clear_pointer (&f->path, g_free);
  g_clear_pointer (&f->bytes, g_bytes_unref);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A package after the quick check that the GUI and the CLI run. */
static CdPackage *
checked_package (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(CdPackage) package = cd_package_new (file);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cd_package_check_async (package, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_package_check_finish (package, result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (cd_package_get_quick_key (package));

  return g_steal_pointer (&package);
}

static CdJobRecord *
run_guard (Fixture   *f,
           CdPackage *package)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CdJobRecord *previous;

  cd_import_job_find_previous_async (f->journal, cd_client_get_host (f->client), OFFERING,
                                     package, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  previous = cd_import_job_find_previous_finish (result, &error);
  g_assert_no_error (error);

  return previous;
}

static char *
sha256sum (const char *path)
{
  const char *argv[] = { "sha256sum", "--", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpuint (strlen (out), >, 64);

  return g_strndup (out, 64);
}

/* Imports the package as the GUI and the CLI do: guard, then upload. */
static CdJobRecord *
import (Fixture   *f,
        CdPackage *package)
{
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdJobRecord) previous = run_guard (f, package);

  g_assert_null (previous);
  job = cd_import_job_new_for_package (f->client, f->journal, package, OFFERING);
  cd_import_job_start (job);
  while (cd_import_job_get_token (job) == NULL && cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (cd_import_job_get_token (job));
  cd_import_job_stop (job);

  return cd_job_record_ref (cd_import_job_get_record (job));
}

static void
test_recorded_digest (Fixture       *f,
                      gconstpointer  unused)
{
  g_autoptr(CdPackage) package = checked_package (f->path);
  g_autoptr(CdJobRecord) record = NULL;
  g_autofree char *expected = sha256sum (f->path);

  /* No earlier job: nothing but the package's ends was read. */
  g_assert_false (cd_import_job_needs_full_check (f->journal, cd_client_get_host (f->client),
                                                  OFFERING, package));
  record = import (f, package);
  g_assert_null (cd_package_get_sha256 (package));

  /* The upload hashed what it sent. */
  g_assert_cmpstr (record->sha256, ==, expected);
  g_assert_cmpstr (record->quick_key, ==, cd_package_get_quick_key (package));
}

static void
test_true_duplicate (Fixture       *f,
                     gconstpointer  unused)
{
  g_autoptr(CdPackage) first = checked_package (f->path);
  g_autoptr(CdJobRecord) record = import (f, first);
  g_autofree char *copy_path = write_package ("Copy of Week 1.imscc", f->bytes, -1);
  g_autoptr(CdPackage) copy = checked_package (copy_path);
  g_autoptr(CdJobRecord) previous = NULL;
  g_autoptr(CdJobJournal) reloaded = NULL;
  g_autoptr(GError) error = NULL;

  /* The same content under another name: the full check runs and finds it. */
  g_assert_true (cd_import_job_needs_full_check (f->journal, cd_client_get_host (f->client),
                                                 OFFERING, copy));
  previous = run_guard (f, copy);
  g_assert_true (previous == record);
  g_assert_cmpstr (cd_package_get_sha256 (copy), ==, record->sha256);

  /* Also from the journal on disk, as the next process sees it. */
  while (cd_job_journal_is_saving (f->journal))
    g_main_context_iteration (NULL, TRUE);
  reloaded = cd_job_journal_new (cd_job_journal_get_path (f->journal));
  g_assert_true (cd_job_journal_load (reloaded, &error));
  g_assert_nonnull (cd_import_job_find_previous (reloaded, cd_client_get_host (f->client),
                                                 OFFERING, cd_package_get_sha256 (copy)));
}

static void
test_middle_change (Fixture       *f,
                    gconstpointer  unused)
{
  g_autoptr(CdPackage) first = checked_package (f->path);
  g_autoptr(CdJobRecord) record = import (f, first);
  g_autofree char *middle_path = write_package ("Week 1 fixed.imscc", f->bytes, SIZE / 2);
  g_autofree char *head_path = write_package ("Week 1 new.imscc", f->bytes, 100);
  g_autoptr(CdPackage) middle = checked_package (middle_path);
  g_autoptr(CdPackage) head = checked_package (head_path);
  g_autoptr(CdJobRecord) previous = NULL;

  /* A change in the middle keeps the quick key: the full check must run,
   * and tell them apart. */
  g_assert_cmpstr (cd_package_get_quick_key (middle), ==, record->quick_key);
  g_assert_true (cd_import_job_needs_full_check (f->journal, cd_client_get_host (f->client),
                                                 OFFERING, middle));
  previous = run_guard (f, middle);
  g_assert_null (previous);
  g_assert_nonnull (cd_package_get_sha256 (middle));
  g_assert_cmpstr (cd_package_get_sha256 (middle), !=, record->sha256);

  /* A change at an end is settled by the quick key alone. */
  g_assert_false (cd_import_job_needs_full_check (f->journal, cd_client_get_host (f->client),
                                                  OFFERING, head));
  previous = run_guard (f, head);
  g_assert_null (previous);
  g_assert_null (cd_package_get_sha256 (head));
}

/* The file changed after its check, keeping its size: the record holds the
 * digests of what was sent, so a later import of that content is caught. */
static void
test_changed_before_upload (Fixture       *f,
                            gconstpointer  unused)
{
  g_autoptr(CdPackage) package = checked_package (f->path);
  g_autofree char *stale_key = g_strdup (cd_package_get_quick_key (package));
  g_autoptr(CdJobRecord) record = NULL;
  g_autoptr(CdPackage) sent = NULL;
  g_autoptr(CdJobRecord) previous = NULL;
  g_autofree char *changed = write_package ("Week 1.imscc", f->bytes, 10);

  g_autofree char *expected = NULL;

  g_assert_cmpstr (changed, ==, f->path);
  expected = sha256sum (f->path);
  record = import (f, package);
  g_assert_cmpstr (record->sha256, ==, expected);
  g_assert_cmpstr (record->quick_key, !=, stale_key);

  sent = checked_package (f->path);
  g_assert_cmpstr (record->quick_key, ==, cd_package_get_quick_key (sent));
  previous = run_guard (f, sent);
  g_assert_true (previous == record);
}

/* Records written before quick keys: their digest must still decide. */
static void
test_old_record (Fixture       *f,
                 gconstpointer  unused)
{
  g_autoptr(CdPackage) package = checked_package (f->path);
  g_autoptr(CdJobRecord) old = cd_job_record_new ();
  g_autoptr(CdJobRecord) previous = NULL;

  old->host = g_strdup (cd_client_get_host (f->client));
  old->offering = OFFERING;
  old->token = g_strdup ("4242");
  old->sha256 = sha256sum (f->path);
  old->bytes = SIZE;
  cd_job_journal_add (f->journal, old);

  g_assert_true (cd_import_job_needs_full_check (f->journal, cd_client_get_host (f->client),
                                                 OFFERING, package));
  previous = run_guard (f, package);
  g_assert_true (previous == old);

  /* In another offering it is no duplicate, and no full read is needed. */
  g_assert_false (cd_import_job_needs_full_check (f->journal, cd_client_get_host (f->client),
                                                  OFFERING + 1, package));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/guard/recorded-digest", Fixture, NULL,
              fixture_set_up, test_recorded_digest, fixture_tear_down);
  g_test_add ("/guard/true-duplicate", Fixture, NULL,
              fixture_set_up, test_true_duplicate, fixture_tear_down);
  g_test_add ("/guard/middle-change", Fixture, NULL,
              fixture_set_up, test_middle_change, fixture_tear_down);
  g_test_add ("/guard/changed-before-upload", Fixture, NULL,
              fixture_set_up, test_changed_before_upload, fixture_tear_down);
  g_test_add ("/guard/old-record", Fixture, NULL,
              fixture_set_up, test_old_record, fixture_tear_down);

  return g_test_run ();
}
