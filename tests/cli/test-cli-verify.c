/* test-cli-verify.c: what coursedrop-cli import says arrived, against a
 * sandbox process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <gio/gio.h>

#include "cd-test-util.h"
#include "../data/packages/cd-test-packages.h"

#define FAST_TIMELINE "UPLOADING:0.2,PROCESSING:0.2,COMPLETED"

static char *
package (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "packages", NULL);

  return cd_test_package_make (name, dir);
}

static CdTestSandbox *
start_sandbox (const char *drop_titles)
{
  return cd_test_sandbox_start ("--timeline", FAST_TIMELINE,
                                "--offering", "6606:Biology 101;BIO101",
                                drop_titles != NULL ? "--drop-titles" : NULL, drop_titles, NULL);
}

/* The "verified" event of a --json run's standard output. */
static JsonObject *
verified_event (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *object;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
          g_strcmp0 (json_object_get_string_member_with_default (
            object = json_node_get_object (node), "event", ""), "verified") == 0)
        return json_object_ref (object);
    }

  return NULL;
}

static void
test_dropped_strict (void)
{
  CdTestSandbox *sandbox = start_sandbox ("Bonds quiz|Lab sheet");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = package ("cc13");
  g_autoptr(JsonObject) verified = NULL;
  JsonArray *missing;
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   "--strict", NULL);
  /* COMPLETED, but not everything arrived. */
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "COMPLETED"));
  g_assert_nonnull (strstr (run.err, "8 of 10 items arrived; missing: "));
  g_assert_nonnull (strstr (run.err, "file “Lab sheet”"));
  g_assert_nonnull (strstr (run.err, "quiz “Bonds quiz”"));
  /* Nothing else is called missing. */
  g_assert_null (strstr (run.err, "“Reading”"));
  g_assert_null (strstr (run.err, "Essay"));
  cd_test_run_clear (&run);

  /* Without --strict the import succeeded; --json says exactly what. */
  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  verified = verified_event (run.out);
  g_assert_nonnull (verified);
  g_assert_true (json_object_get_boolean_member (verified, "verified"));
  g_assert_cmpint (json_object_get_int_member (verified, "expected"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (verified, "arrived"), ==, 8);
  missing = json_object_get_array_member (verified, "missing");
  g_assert_cmpuint (json_array_get_length (missing), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (missing, 0), "title"),
                   ==, "Lab sheet");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (missing, 1), "type"),
                   ==, "quiz");
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
test_second_import (void)
{
  CdTestSandbox *sandbox = start_sandbox ("Essay");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = package ("cc13");
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "9 of 10 items arrived; missing: assignment “Essay”"));
  cd_test_run_clear (&run);

  /* The course now holds everything twice but the essay; this import is
   * measured by what it added. */
  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "already imported"));
  g_assert_nonnull (strstr (run.err, "9 of 10 items arrived; missing: assignment “Essay”"));
  cd_test_run_clear (&run);

  /* Both results are kept with their jobs. */
  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"verification\""));
  g_assert_nonnull (strstr (strstr (text, "\"verification\"") + 1, "\"verification\""));

  cd_test_sandbox_stop (sandbox);
}

static void
test_all_arrived_and_no_verify (void)
{
  CdTestSandbox *sandbox = start_sandbox (NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = package ("cc13");
  CdTestRun run = { 0 };
  guint before;

  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   "--strict", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "All 10 items arrived."));
  cd_test_run_clear (&run);
  before = cd_test_sandbox_count (sandbox, "content_requests");
  g_assert_cmpuint (before, >, 0);

  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   "--no-verify", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.err, "arrived"));
  g_assert_null (strstr (run.out, "\"verified\""));
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "content_requests"), ==, before);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 2);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
test_refused (gconstpointer data)
{
  const char *name = data;
  CdTestSandbox *sandbox = start_sandbox (NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = package (name);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id", "6606",
                   NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "Nothing was uploaded."));
  if (g_str_equal (name, "traversal"))
    g_assert_nonnull (strstr (run.err, "outside the package’s folder"));
  else
    g_assert_nonnull (strstr (run.err, "entities"));
  cd_test_run_clear (&run);

  /* Not even the API versions were asked for. */
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "requests"), ==, 0);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 0);

  cd_test_sandbox_stop (sandbox);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/verify/dropped-strict", test_dropped_strict);
  g_test_add_func ("/cli/verify/second-import", test_second_import);
  g_test_add_func ("/cli/verify/all-arrived-and-no-verify", test_all_arrived_and_no_verify);
  g_test_add_data_func ("/cli/verify/refused/traversal", "traversal", test_refused);
  g_test_add_data_func ("/cli/verify/refused/billion-laughs", "billion-laughs", test_refused);

  return g_test_run ();
}
