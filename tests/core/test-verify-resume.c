/* test-verify-resume.c: a job followed to its end by another process is
 * still verified, from what the first one kept in the journal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-import-job.h"
#include "cd-package-reader.h"
#include "cd-sandbox.h"
#include "../data/packages/cd-test-packages.h"

#define BASIS_MEMBER "verification_basis"

typedef struct
{
  CdSandbox *sandbox;
  CdClient  *client;
  char      *journal_path;
  char      *zip;
} Fixture;

static CdClient *
new_client (Fixture *f)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID,
                                                            CD_SANDBOX_DEFAULT_APP_KEY,
                                                            CD_SANDBOX_DEFAULT_USER_ID,
                                                            CD_SANDBOX_DEFAULT_USER_KEY);
  g_autoptr(GError) error = NULL;
  CdClient *client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);

  g_assert_no_error (error);
  cd_client_set_retry_policy (client, 2, 20, 50);
  return client;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "packages", NULL);
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  /* Long enough in PROCESSING for the first process to let go mid-way. */
  g_assert_true (cd_sandbox_set_timeline (f->sandbox, "UPLOADING:0.1,PROCESSING:0.6,COMPLETED",
                                          &error));
  g_assert_true (cd_sandbox_add_offering (f->sandbox, "6606:Biology 101;BIO101", &error));
  g_assert_true (cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);

  f->client = new_client (f);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  f->journal_path = g_build_filename (g_get_user_data_dir (), "jobs.json", NULL);
  f->zip = cd_test_package_make ("cc13", dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->journal_path, g_free);
  g_clear_pointer (&f->zip, g_free);
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

static CdJobJournal *
open_journal (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  CdJobJournal *journal = cd_job_journal_new (f->journal_path);

  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);
  return journal;
}

static void
wait_saved (CdJobJournal *journal)
{
  while (cd_job_journal_is_saving (journal))
    g_main_context_iteration (NULL, TRUE);
}

/* The first process: checks and reads cc13, starts the import into 6606
 * and, with @let_go, stops following once Brightspace has the package, as
 * a window closed while polling or `coursedrop-cli import --no-wait` does.
 * Returns the job's token. */
static char *
first_process (Fixture  *f,
               gboolean  let_go)
{
  g_autoptr(GFile) file = g_file_new_for_path (f->zip);
  g_autoptr(CdPackage) package = cd_package_new (file);
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdJobJournal) journal = open_journal (f);
  g_autoptr(CdClient) client = new_client (f);
  g_autoptr(CdImportJob) job = NULL;

  cd_package_check_async (package, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_package_check_finish (package, result, &error));
  g_clear_object (&result);

  preview = cd_package_reader_read (f->zip, NULL, &error);
  g_assert_no_error (error);

  job = cd_import_job_new_for_package (client, journal, package, 6606);
  cd_import_job_set_poll_interval (job, 50, 100);
  cd_import_job_set_preview (job, preview);
  cd_import_job_start (job);

  if (let_go)
    {
      while (cd_import_job_get_token (job) == NULL && cd_import_job_is_running (job))
        g_main_context_iteration (NULL, TRUE);
      g_assert_nonnull (cd_import_job_get_token (job));
      cd_import_job_stop (job);
      g_assert_false (cd_import_job_is_running (job));
      g_assert_null (cd_import_job_get_finished (job));
    }
  else
    {
      while (cd_import_job_is_running (job))
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (cd_import_job_succeeded (job));
      g_assert_cmpuint (cd_import_job_get_verification (job)->missing->len, ==, 0);
    }

  wait_saved (journal);
  return g_strdup (cd_import_job_get_token (job));
}

static gboolean
has_missing (const CdVerification *result,
             const char           *title,
             CdPackageItemType     type)
{
  for (guint i = 0; i < result->missing->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (result->missing, i);

      if (g_str_equal (item->title, title) && item->type == type)
        return TRUE;
    }

  return FALSE;
}

/* A new process: nothing but the file and a new client. */
static void
test_resumed_is_verified (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *earlier = NULL;
  g_autofree char *token = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(CdJobJournal) reread = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(JsonNode) basis = NULL;
  g_autoptr(JsonNode) stored = NULL;
  const CdVerification *result;
  CdJobRecord *record;

  /* A complete import first: had the second job's "before" been lost, the
   * first one's Bonds quiz would stand in for the dropped one. */
  earlier = first_process (f, FALSE);
  cd_sandbox_set_drop_titles (f->sandbox, "Bonds quiz");
  token = first_process (f, TRUE);
  g_assert_cmpstr (token, !=, earlier);

  journal = open_journal (f);
  record = cd_job_journal_find (journal, cd_client_get_host (f->client), token);
  g_assert_nonnull (record);
  basis = cd_job_record_dup_member (record, BASIS_MEMBER);
  g_assert_nonnull (basis);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (basis));

  client = new_client (f);
  job = cd_import_job_new_for_record (client, journal, record);
  cd_import_job_set_poll_interval (job, 50, 100);
  g_assert_null (cd_import_job_get_verification (job));
  cd_import_job_start (job);
  while (cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (cd_import_job_succeeded (job));
  result = cd_import_job_get_verification (job);
  g_assert_nonnull (result);
  g_assert_null (result->not_verified);
  /* cc13: ten checkable items; only this import's additions count. */
  g_assert_cmpuint (result->expected, ==, 10);
  g_assert_cmpuint (result->arrived, ==, 9);
  g_assert_cmpuint (result->missing->len, ==, 1);
  g_assert_true (has_missing (result, "Bonds quiz", CD_PACKAGE_ITEM_QUIZ));

  /* The result replaced the basis in the journal. */
  wait_saved (journal);
  reread = open_journal (f);
  record = cd_job_journal_find (reread, cd_client_get_host (f->client), token);
  g_assert_nonnull (record);
  g_clear_pointer (&basis, json_node_unref);
  basis = cd_job_record_dup_member (record, BASIS_MEMBER);
  g_assert_null (basis);
  stored = cd_job_record_dup_member (record, "verification");
  g_assert_nonnull (stored);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stored), "arrived"), ==, 9);
}

/* Without the snapshot (a course too large to keep it): "not verified",
 * with the reason, never a failure. */
static void
test_resumed_without_basis (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *token = first_process (f, TRUE);
  g_autoptr(CdJobJournal) journal = open_journal (f);
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(JsonNode) basis = NULL;
  JsonObject *object;
  CdJobRecord *record;

  record = cd_job_journal_find (journal, cd_client_get_host (f->client), token);
  g_assert_nonnull (record);
  basis = cd_job_record_dup_member (record, BASIS_MEMBER);
  g_assert_nonnull (basis);
  /* The expectation stays, the snapshot goes. */
  object = json_node_get_object (basis);
  json_object_remove_member (object, "before");
  cd_job_record_set_member (record, BASIS_MEMBER, basis);

  job = cd_import_job_new_for_record (f->client, journal, record);
  cd_import_job_set_poll_interval (job, 50, 100);
  cd_import_job_start (job);
  while (cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (cd_import_job_succeeded (job));
  g_assert_nonnull (cd_import_job_get_verification (job));
  g_assert_nonnull (strstr (cd_import_job_get_verification (job)->not_verified,
                            "did not see the course"));
  wait_saved (journal);
}

/* Whatever the file holds: wrong shapes are skipped, never trusted. */
static void
test_hostile_basis (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const bases[] = {
    "\"text\"",
    "{\"expected\": 3, \"before\": {}}",
    "{\"expected\": {}, \"before\": []}",
    "{\"expected\": [[\"quiz\"], [1, 2], \"a\", [\"quiz\", \"Q\"], [\"no-such-type\", \"R\"],"
    " [\"quiz\", \"\\u00e9\", 3]], \"before\": {\"quiz\": [1, \"Q\", null], \"nope\": \"x\","
    " \"file\": [{}]}, \"broken\": 7}",
  };
  static const guint expected[] = { 0, 0, 0, 2 };

  for (gsize i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autoptr(CdJobRecord) record = cd_job_record_new ();
      g_autoptr(JsonNode) node = json_from_string (bases[i], NULL);
      g_autoptr(CdImportJob) job = NULL;
      CdPackagePreview *preview;

      g_assert_nonnull (node);
      record->host = g_strdup (cd_sandbox_get_url (f->sandbox));
      record->offering = 6606;
      record->token = g_strdup ("1");
      cd_job_record_set_member (record, BASIS_MEMBER, node);

      job = cd_import_job_new_for_record (f->client, NULL, record);
      preview = cd_import_job_get_preview (job);
      if (expected[i] == 0)
        g_assert_null (preview);
      else
        {
          g_autoptr(GPtrArray) items = cd_verification_expected (preview);

          g_assert_cmpuint (items->len, ==, expected[i]);
        }
      g_assert_null (cd_import_job_get_verification (job));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/verify-resume/verified", test_resumed_is_verified);
  ADD ("/verify-resume/without-basis", test_resumed_without_basis);
  ADD ("/verify-resume/hostile-basis", test_hostile_basis);
#undef ADD

  return g_test_run ();
}
