/* test-verification.c: what arrived after an import, against an in-process
 * sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-client-content.h"
#include "cd-import-job.h"
#include "cd-package-reader.h"
#include "cd-sandbox.h"
#include "cd-sandbox-private.h"
#include "../data/packages/cd-test-packages.h"
#include "cd-verification.h"

/* Pure functions */

static void
test_normalize (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "  Week 1   Quiz ", "week 1 quiz" },
    { "Week\t1\n\nQUIZ", "week 1 quiz" },
    { "Week&nbsp;1&#160;Quiz", "week 1 quiz" },
    { "Salt &amp; Pepper", "salt & pepper" },
    { "&lt;b&gt; &#x41;&#66;", "<b> ab" },
    { "&bogus; &#xZZ; &", "&bogus; &#xzz; &" },
    { "ÉTUDE", "étude" },
    { "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = cd_verification_normalize_title (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }

  /* Whatever a package or a server sends. */
  {
    g_autofree char *null = cd_verification_normalize_title (NULL);
    g_autofree char *invalid = cd_verification_normalize_title ("A\xff\xfe  b&#1114112;");

    g_assert_cmpstr (null, ==, "");
    g_assert_true (g_utf8_validate (invalid, -1, NULL));
    g_assert_true (g_str_has_prefix (invalid, "a"));
  }
}

static CdPackageOutlineItem *
node (const char        *title,
      CdPackageItemType  type)
{
  return cd_package_outline_item_new (title, type);
}

/* Unit 1 { Notes (file), Week 1 Quiz (quiz), Site (link) }, Bank (question bank), "" (file) */
static CdPackagePreview *
make_preview (void)
{
  CdPackagePreview *preview = cd_package_preview_new ();
  CdPackageOutlineItem *unit = node ("Unit 1", CD_PACKAGE_ITEM_MODULE);

  g_ptr_array_add (unit->children, node ("Notes", CD_PACKAGE_ITEM_FILE));
  g_ptr_array_add (unit->children, node ("Week 1 Quiz", CD_PACKAGE_ITEM_QUIZ));
  g_ptr_array_add (unit->children, node ("Site", CD_PACKAGE_ITEM_LINK));
  cd_package_preview_add_outline (preview, unit);
  cd_package_preview_add_outline (preview, node ("Bank", CD_PACKAGE_ITEM_QUESTION_BANK));
  cd_package_preview_add_outline (preview, node ("  ", CD_PACKAGE_ITEM_FILE));
  return preview;
}

static void
test_expected (void)
{
  g_autoptr(CdPackagePreview) preview = make_preview ();
  g_autoptr(GPtrArray) expected = cd_verification_expected (preview);

  /* Question banks and untitled items cannot be checked. */
  g_assert_cmpuint (expected->len, ==, 4);
  g_assert_cmpstr (((CdContentItem *)expected->pdata[0])->key, ==, "unit 1");
  g_assert_cmpint (((CdContentItem *)expected->pdata[2])->type, ==, CD_PACKAGE_ITEM_QUIZ);
}

static void
test_difference (void)
{
  g_autoptr(CdPackagePreview) preview = make_preview ();
  g_autoptr(CdContentSnapshot) before = cd_content_snapshot_new ();
  g_autoptr(CdContentSnapshot) after = cd_content_snapshot_new ();
  g_autoptr(CdVerification) result = NULL;
  CdContentItem *missing;

  /* An earlier import of the same package: it must not count again. */
  cd_content_snapshot_add (before, CD_PACKAGE_ITEM_MODULE, "Unit 1");
  cd_content_snapshot_add (before, CD_PACKAGE_ITEM_FILE, "Notes");
  cd_content_snapshot_add (before, CD_PACKAGE_ITEM_QUIZ, "Week 1 Quiz");
  cd_content_snapshot_add_broken (before, CD_PACKAGE_ITEM_LINK, "Old link");

  cd_content_snapshot_add (after, CD_PACKAGE_ITEM_MODULE, "Unit 1");
  cd_content_snapshot_add (after, CD_PACKAGE_ITEM_FILE, "Notes");
  cd_content_snapshot_add (after, CD_PACKAGE_ITEM_QUIZ, "Week 1 Quiz");
  cd_content_snapshot_add_broken (after, CD_PACKAGE_ITEM_LINK, "Old link");
  /* What this import added: the module again, the quiz again (titles as
   * Brightspace may spell them), the link as a file, not the file; a
   * topic titled like the missing file is no quiz. */
  cd_content_snapshot_add (after, CD_PACKAGE_ITEM_MODULE, "UNIT  1");
  cd_content_snapshot_add (after, CD_PACKAGE_ITEM_QUIZ, " week 1 quiz");
  cd_content_snapshot_add (after, CD_PACKAGE_ITEM_FILE, "Site");
  cd_content_snapshot_add (after, CD_PACKAGE_ITEM_QUIZ, "Notes");
  cd_content_snapshot_add_broken (after, CD_PACKAGE_ITEM_FILE, "Site");

  result = cd_verification_compare (preview, before, after, NULL);
  g_assert_null (result->not_verified);
  g_assert_cmpuint (result->expected, ==, 4);
  g_assert_cmpuint (result->arrived, ==, 3);
  g_assert_cmpuint (result->missing->len, ==, 1);
  missing = g_ptr_array_index (result->missing, 0);
  g_assert_cmpstr (missing->title, ==, "Notes");
  g_assert_cmpint (missing->type, ==, CD_PACKAGE_ITEM_FILE);
  /* Only what this import broke. */
  g_assert_cmpuint (result->broken->len, ==, 1);
  g_assert_cmpstr (((CdContentItem *)result->broken->pdata[0])->title, ==, "Site");

  /* Without the difference, the earlier copy would have hidden it. */
  g_clear_pointer (&result, cd_verification_free);
  result = cd_verification_compare (preview, before, before, NULL);
  g_assert_cmpuint (result->arrived, ==, 0);
  g_assert_cmpuint (result->missing->len, ==, 4);
}

static void
test_json (void)
{
  g_autoptr(CdPackagePreview) preview = make_preview ();
  g_autoptr(CdContentSnapshot) empty = cd_content_snapshot_new ();
  g_autoptr(CdVerification) result = cd_verification_compare (preview, empty, empty, NULL);
  g_autoptr(CdVerification) read = NULL;
  g_autoptr(CdVerification) refused = cd_verification_new_not_verified ("no permission");
  g_autoptr(JsonNode) node = cd_verification_to_json (result);
  g_autoptr(JsonNode) refused_node = cd_verification_to_json (refused);
  static const char * const hostile[] = {
    "[]", "{}", "{\"expected\":\"x\",\"missing\":{}}", "{\"expected\":-5,\"arrived\":99}",
    "{\"expected\":2,\"missing\":[1,{\"title\":3},{\"title\":\"a\",\"type\":[]}],\"warnings\":[{}]}",
    "{\"not_verified\":7}",
  };

  read = cd_verification_from_json (node);
  g_assert_nonnull (read);
  g_assert_cmpuint (read->expected, ==, 4);
  g_assert_cmpuint (read->arrived, ==, 0);
  g_assert_cmpuint (read->missing->len, ==, 4);
  g_assert_cmpint (((CdContentItem *)read->missing->pdata[2])->type, ==, CD_PACKAGE_ITEM_QUIZ);
  g_clear_pointer (&read, cd_verification_free);

  read = cd_verification_from_json (refused_node);
  g_assert_cmpstr (read->not_verified, ==, "no permission");

  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(JsonNode) parsed = json_from_string (hostile[i], NULL);
      g_autoptr(CdVerification) hostile_read = cd_verification_from_json (parsed);

      if (hostile_read != NULL)
        g_assert_cmpuint (hostile_read->arrived, <=, hostile_read->expected);
    }
}

static void
test_toc_shapes (void)
{
  static const char * const bad[] = { "[]", "{}", "{\"Modules\":{}}", "7" };
  g_autoptr(CdContentSnapshot) snapshot = cd_content_snapshot_new ();
  g_autoptr(JsonNode) good = json_from_string (
    "{\"Modules\":[{\"Title\":\"M\",\"Modules\":[{\"Title\":7,\"Topics\":\"x\"}],"
    "\"Topics\":[1,{\"Title\":\"T\",\"ActivityType\":\"1\",\"TypeIdentifier\":\"Link\","
    "\"IsBroken\":\"yes\"},{\"Title\":\"Q\",\"ActivityType\":4,\"IsBroken\":true},"
    "{\"ActivityType\":99}]}]}", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) root = json_from_string (bad[i], NULL);
      g_autoptr(GError) error = NULL;

      g_assert_false (cd_content_snapshot_add_toc (snapshot, root, &error));
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
    }

  /* Wrong types inside are read as absent, never trusted. */
  g_assert_true (cd_content_snapshot_add_toc (snapshot, good, NULL));
  g_assert_cmpuint (snapshot->items->len, ==, 4);  /* M, the untitled module, T, the untitled topic */
  g_assert_cmpint (((CdContentItem *)snapshot->items->pdata[1])->type, ==, CD_PACKAGE_ITEM_LINK);
  g_assert_cmpuint (snapshot->broken->len, ==, 1);
  g_assert_cmpstr (((CdContentItem *)snapshot->broken->pdata[0])->title, ==, "Q");
}

static void
test_next_route (void)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new ("a", "b", "c", "d");
  g_autoptr(CdClient) client = cd_client_new ("https://school.example.com", context, NULL);
  static const char * const refused[] = {
    "https://evil.example.com/d2l/api/le/1.79/6606/quizzes/?bookmark=5",
    "https://school.example.com.evil.example/d2l/api/le/1.79/6606/quizzes/",
    "https://school.example.com@evil.example/d2l/api/le/1.79/6606/quizzes/",
    "//evil.example/d2l/api/le/1.79/6606/quizzes/",
    "/d2l/api/le/1.79/6606/quizzes/../../../lp/1.0/users/whoami",
    "/d2l/lms/quizzing/quizzes.d2l",
    "/d2l/api/le/1.79/6606/quizzes/?a=b c",
    "/d2l/api/le/1.79/6606/quizzes/?a=\n",
    "javascript:alert(1)",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *route = cd_client_content_next_route (client, refused[i]);

      g_assert_null (route);
    }

  {
    g_autofree char *absolute = cd_client_content_next_route (
      client, "https://SCHOOL.example.com/d2l/api/le/1.79/6606/quizzes/?bookmark=5");
    g_autofree char *relative = cd_client_content_next_route (
      client, "/d2l/api/le/1.79/6606/quizzes/?bookmark=10");

    g_assert_cmpstr (absolute, ==, "/d2l/api/le/1.79/6606/quizzes/?bookmark=5");
    g_assert_cmpstr (relative, ==, "/d2l/api/le/1.79/6606/quizzes/?bookmark=10");
  }
}

/* Against the sandbox */

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  CdJobJournal *journal;
  char         *journal_path;
  char         *zip;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID,
                                                            CD_SANDBOX_DEFAULT_APP_KEY,
                                                            CD_SANDBOX_DEFAULT_USER_ID,
                                                            CD_SANDBOX_DEFAULT_USER_KEY);
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "packages", NULL);
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  g_assert_true (cd_sandbox_set_timeline (f->sandbox, "UPLOADING:0.1,PROCESSING:0.1,COMPLETED",
                                          &error));
  g_assert_true (cd_sandbox_add_offering (f->sandbox, "6606:Biology 101;BIO101", &error));
  g_assert_true (cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);

  f->client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);
  g_assert_no_error (error);
  cd_client_set_retry_policy (f->client, 2, 20, 50);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  f->journal_path = g_build_filename (g_get_user_data_dir (), "jobs.json", NULL);
  f->journal = cd_job_journal_new (f->journal_path);
  g_assert_true (cd_job_journal_load (f->journal, &error));

  f->zip = cd_test_package_make ("cc13", dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  while (cd_job_journal_is_saving (f->journal))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->journal);
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

/* Imports the cc13 package into 6606 and follows the job to its end. */
static CdImportJob *
import (Fixture  *f,
        gboolean  verify)
{
  g_autoptr(GFile) file = g_file_new_for_path (f->zip);
  g_autoptr(CdPackage) package = cd_package_new (file);
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CdImportJob *job;

  cd_package_check_async (package, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_package_check_finish (package, result, &error));
  g_clear_object (&result);

  cd_package_reader_read_async (f->zip, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  preview = cd_package_reader_read_finish (result, &error);
  g_assert_no_error (error);

  job = cd_import_job_new_for_package (f->client, f->journal, package, 6606);
  cd_import_job_set_poll_interval (job, 50, 200);
  cd_import_job_set_preview (job, preview);
  cd_import_job_set_verify (job, verify);
  g_assert_true (cd_import_job_get_preview (job) == preview);

  cd_import_job_start (job);
  while (cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (cd_import_job_succeeded (job));
  return job;
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

static void
test_job_all_arrived (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CdImportJob) job = import (f, TRUE);
  const CdVerification *result = cd_import_job_get_verification (job);

  g_assert_nonnull (result);
  g_assert_null (result->not_verified);
  /* cc13: two units, a folder, seven items; its question bank is not counted. */
  g_assert_cmpuint (result->expected, ==, 10);
  g_assert_cmpuint (result->arrived, ==, 10);
  g_assert_cmpuint (result->missing->len, ==, 0);
  g_assert_cmpuint (result->broken->len, ==, 0);
}

static void
test_job_dropped_and_broken (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdImportJob) again = NULL;
  g_autoptr(CdJobJournal) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  const CdVerification *result, *stored;
  CdJobRecord *record;
  gboolean logged = FALSE;

  /* The first import brings everything; the second loses two items, which
   * only the difference shows: the first import's copies are still there. */
  g_clear_object (&job);
  job = import (f, TRUE);
  g_assert_cmpuint (cd_import_job_get_verification (job)->missing->len, ==, 0);
  g_clear_object (&job);

  cd_sandbox_set_drop_titles (f->sandbox, "Bonds quiz|  lab SHEET ");
  cd_sandbox_set_broken_titles (f->sandbox, "Periodic table");
  job = import (f, TRUE);
  result = cd_import_job_get_verification (job);

  g_assert_null (result->not_verified);
  g_assert_cmpuint (result->expected, ==, 10);
  g_assert_cmpuint (result->arrived, ==, 8);
  g_assert_cmpuint (result->missing->len, ==, 2);
  g_assert_true (has_missing (result, "Bonds quiz", CD_PACKAGE_ITEM_QUIZ));
  g_assert_true (has_missing (result, "Lab sheet", CD_PACKAGE_ITEM_FILE));
  g_assert_cmpuint (result->broken->len, ==, 1);
  g_assert_cmpstr (((CdContentItem *)result->broken->pdata[0])->title, ==, "Periodic table");
  for (guint i = 0; i < result->warnings->len; i++)
    logged |= strstr (g_ptr_array_index (result->warnings, i), "Bonds quiz") != NULL;
  g_assert_true (logged);

  /* The journal keeps it with the job. */
  while (cd_job_journal_is_saving (f->journal))
    g_main_context_iteration (NULL, TRUE);
  reloaded = cd_job_journal_new (f->journal_path);
  g_assert_true (cd_job_journal_load (reloaded, &error));
  record = cd_job_journal_find (reloaded, cd_client_get_host (f->client),
                                cd_import_job_get_token (job));
  g_assert_nonnull (record);
  again = cd_import_job_new_for_record (f->client, reloaded, record);
  stored = cd_import_job_get_verification (again);
  g_assert_nonnull (stored);
  g_assert_cmpuint (stored->expected, ==, 10);
  g_assert_cmpuint (stored->arrived, ==, 8);
  g_assert_true (has_missing (stored, "Bonds quiz", CD_PACKAGE_ITEM_QUIZ));
  g_assert_true (has_missing (stored, "Lab sheet", CD_PACKAGE_ITEM_FILE));
  g_assert_cmpuint (stored->broken->len, ==, 1);
  g_assert_cmpuint (stored->warnings->len, ==, result->warnings->len);
}

/* Six imports, six "Bonds quiz": the last one is on the second page of
 * the quiz list, reached by following Next. */
static void
test_job_quiz_pages (Fixture       *f,
                     gconstpointer  data)
{
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(CdImportJob) job = import (f, TRUE);
      const CdVerification *result = cd_import_job_get_verification (job);

      g_assert_null (result->not_verified);
      g_assert_cmpuint (result->missing->len, ==, 0);
      g_assert_cmpuint (result->arrived, ==, 10);
    }
}

static void
discover_versions (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_discover_versions_async (f->client, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_client_discover_versions_finish (f->client, result, NULL));
}

static void
test_job_forbidden (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CdImportJob) job = NULL;
  const CdVerification *result;

  /* The role may not read the course's content: the import still counts. */
  discover_versions (f);
  cd_sandbox_add_answer (f->sandbox, 1, 403, "Forbidden");
  job = import (f, TRUE);
  result = cd_import_job_get_verification (job);

  g_assert_nonnull (result);
  g_assert_nonnull (result->not_verified);
  g_assert_nonnull (strstr (result->not_verified, "may not read"));
  g_assert_null (cd_import_job_get_error (job));
  /* The refused call never reached the route, and none came after it. */
  g_assert_cmpuint (_cd_sandbox_content_requests (f->sandbox), ==, 0);
}

static void
test_job_no_verify (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CdImportJob) job = import (f, FALSE);

  g_assert_null (cd_import_job_get_verification (job));
  g_assert_cmpuint (_cd_sandbox_content_requests (f->sandbox), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/verification/normalize", test_normalize);
  g_test_add_func ("/verification/expected", test_expected);
  g_test_add_func ("/verification/difference", test_difference);
  g_test_add_func ("/verification/json", test_json);
  g_test_add_func ("/verification/toc-shapes", test_toc_shapes);
  g_test_add_func ("/verification/next-route", test_next_route);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/verification/job/all-arrived", test_job_all_arrived);
  ADD ("/verification/job/dropped-and-broken", test_job_dropped_and_broken);
  ADD ("/verification/job/forbidden", test_job_forbidden);
  ADD ("/verification/job/quiz-pages", test_job_quiz_pages);
  ADD ("/verification/job/no-verify", test_job_no_verify);
#undef ADD

  return g_test_run ();
}
