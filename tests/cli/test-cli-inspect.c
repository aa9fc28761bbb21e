/* test-cli-inspect.c: coursedrop-cli inspect on package fixtures
 *
 * No sandbox and no credentials: inspect reads only the local file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <gio/gio.h>

#include "cd-test-util.h"
#include "../data/packages/cd-test-packages.h"

static char *
fixture (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "packages", NULL);

  return cd_test_package_make (name, dir);
}

static JsonObject *
inspect_json (const char *name)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  g_autofree char *path = fixture (name);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  CdTestRun run = { 0 };
  JsonObject *object;

  cd_test_cli_run (launcher, &run, "inspect", "--json", path, NULL);
  if (run.status != 0)
    g_error ("%s: exit %d: %s", name, run.status, run.err);
  node = json_from_string (run.out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_object_ref (json_node_get_object (node));
  cd_test_run_clear (&run);
  return object;
}

static void
test_json_counts (void)
{
  struct {
    const char *name;
    const char *kind;
    const char *type;
    gint64      count;
    const char *type2;
    gint64      count2;
  } cases[] = {
    { "cc11", "common-cartridge", "lti", 1, "module", 2 },
    { "cc13", "common-cartridge", "assignment", 1, "question-bank", 1 },
    { "brightspace", "brightspace", "quiz", 1, "link", 1 },
    { "scorm12", "scorm-1.2", "scorm", 2, "file", 1 },
    { "scorm2004", "scorm-2004", "scorm", 2, "module", 1 },
    { "qti", "qti", "quiz", 2, "file", 0 },
    { "imscp", "ims-content-package", "other", 1, "file", 1 },
    { "no-manifest", "unknown", "file", 2, "module", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) root = inspect_json (cases[i].name);
      JsonObject *counts = json_object_get_object_member (root, "counts");

      g_assert_cmpstr (json_object_get_string_member (root, "kind"), ==, cases[i].kind);
      g_assert_cmpint (json_object_get_int_member (counts, cases[i].type), ==, cases[i].count);
      g_assert_cmpint (json_object_get_int_member (counts, cases[i].type2), ==, cases[i].count2);
      g_assert_true (json_object_has_member (root, "outline"));
      g_assert_true (json_object_has_member (root, "warnings"));
    }
}

static void
test_summary (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  g_autofree char *path = fixture ("brightspace");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "inspect", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "History of Art"));
  g_assert_nonnull (strstr (run.out, "ART-110"));
  g_assert_nonnull (strstr (run.out, "1 quiz"));
  /* The outline, indented by depth. */
  g_assert_nonnull (strstr (run.out, "\n  Renaissance (module)\n    Florence (file)\n"));
  cd_test_run_clear (&run);

  g_free (path);
  path = fixture ("cc11");
  cd_test_cli_run (launcher, &run, "inspect", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Warnings:"));
  g_assert_nonnull (strstr (run.out, "LTI"));
  cd_test_run_clear (&run);
}

/* C1 controls are valid XML; the terminal gets them escaped (cd_cli_escape). */
static void
test_escaped (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  g_autofree char *path = fixture ("control-chars");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "inspect", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "\xc2\x9b"));
  g_assert_nonnull (strstr (run.out, "Evil\\u009b2J title"));
  g_assert_nonnull (strstr (run.out, "Page\\u009b31m red"));
  cd_test_run_clear (&run);
}

static void
test_refused (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  struct {
    const char *name;
    const char *reason;
  } cases[] = {
    { "traversal", "outside" },
    { "absolute", "/etc/x" },
    { "encrypted", "encrypted" },
    { "truncated", "truncated" },
    { "bomb-header", "zip bomb" },
    { "billion-laughs", "entities" },
    { "manifest-too-large", "larger than" },
    { "not-zip", "not a zip" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = fixture (cases[i].name);
      CdTestRun run = { 0 };

      cd_test_cli_run (launcher, &run, "inspect", "--json", path, NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      if (strstr (run.err, cases[i].reason) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].name, run.err, cases[i].reason);
      cd_test_run_clear (&run);
    }
}

static void
test_usage (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "inspect", NULL);
  g_assert_cmpint (run.status, ==, 2);
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "inspect", "/nonexistent/package.zip", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "package.zip"));
  cd_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/inspect/json-counts", test_json_counts);
  g_test_add_func ("/cli/inspect/summary", test_summary);
  g_test_add_func ("/cli/inspect/escaped", test_escaped);
  g_test_add_func ("/cli/inspect/refused", test_refused);
  g_test_add_func ("/cli/inspect/usage", test_usage);

  return g_test_run ();
}
