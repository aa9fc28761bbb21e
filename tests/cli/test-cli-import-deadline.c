/* test-cli-import-deadline.c: coursedrop-cli import, Coursedrop issue 9:
 * the seed's command line, jobs that need attention (keys refused, the
 * server gone) and deadlines (--give-up-after, resume after 36 h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cd-sandbox.h"
#include "cd-test-util.h"
#include "import-test-util.h"

/* --- Coursedrop issue 9: the seed's command line, attention, deadlines --- */

/* D2L's sample always passes --course-package; with --job-token it only
 * follows that job. */
static void
test_seed_command_line (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("seed.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Import job 8840 status:\n"));
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_sandbox_stop (sandbox);
}

/* Whether the journal holds a record of @token that is not finished. */
static gboolean
journal_has_unfinished (const char *token)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *jobs;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  jobs = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "jobs");
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);
      JsonNode *node = json_object_get_member (job, "token");

      if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
          g_strcmp0 (json_node_get_string (node), token) == 0 &&
          JSON_NODE_HOLDS_NULL (json_object_get_member (job, "finished")))
        return TRUE;
    }

  return FALSE;
}

/* Keys the server no longer takes: exit 3, the job unfinished, and the
 * hinted resume completes it with the right keys. */
static void
test_attention_keys (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.5,PROCESSING:1,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("keys.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", "a-key-nobody-gave", TRUE);
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "coursedrop-cli resume --job-token 8840"));
  cd_test_run_clear (&run);
  g_assert_true (journal_has_unfinished ("8840"));

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", CD_SANDBOX_DEFAULT_USER_KEY, TRUE);
  cd_test_cli_run (launcher, &run, "resume", "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);
  g_assert_false (journal_has_unfinished ("8840"));
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_sandbox_stop (sandbox);
}

typedef struct
{
  const char *name;
  const char *hours;
} BadHours;

static const BadHours bad_hours[] = {
  { "nan", "nan" },
  { "inf", "inf" },
  { "huge", "1e300" },
  { "zero", "0" },
  { "negative", "-2" },
};

static void
test_bad_give_up_after (gconstpointer data)
{
  const BadHours *bad = data;
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("hours.zip");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--give-up-after", bad->hours, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--give-up-after"));
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "requests"), ==, 0);

  cd_test_sandbox_stop (sandbox);
}

/* A day of Retry-After does not outlast --give-up-after; the job is left
 * unfinished (exit 1), for resume. */
static void
test_give_up_during_retry_after (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:600,COMPLETED",
                                          "--fault", "429:1000:86400");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("patient.zip");
  CdTestRun run = { 0 };
  gint64 begin = g_get_monotonic_time ();

  /* 0.001 h = 3.6 s */
  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--give-up-after", "0.001", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - begin, <, 30 * G_TIME_SPAN_SECOND);
  g_assert_nonnull (strstr (run.err, "did not finish within 0.001 hours"));
  g_assert_nonnull (strstr (run.err, "coursedrop-cli resume --job-token 8840"));
  cd_test_run_clear (&run);
  g_assert_true (journal_has_unfinished ("8840"));

  cd_test_sandbox_stop (sandbox);
}

/* Moves every "started" in the journal @hours into the past. */
static void
age_journal (int hours)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_hours (now, -hours);
  g_autofree char *when = g_date_time_format_iso8601 (then);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *jobs;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  jobs = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "jobs");
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    json_object_set_string_member (json_array_get_object_element (jobs, i), "started", when);

  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, path, &error));
  g_assert_no_error (error);
}

/* resume of a job started more than 36 h ago asks the server once, and
 * ends (it used to hang without asking). */
static void
test_resume_after_deadline (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:600,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("old.zip");
  CdTestRun run = { 0 };
  guint before;

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  age_journal (37);

  before = cd_test_sandbox_count (sandbox, "requests");
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "did not finish within 36 hours"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "requests"), >, before);
  g_assert_true (journal_has_unfinished ("8840"));

  cd_test_sandbox_stop (sandbox);
}

/* The sandbox goes away mid-job: after a few refused connections, exit 4
 * and the job stays unfinished; once a server answers there again, resume
 * completes it. */
static void
test_attention_refused (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:1,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("refused.zip");
  g_autofree char *port = g_strdup (strrchr (sandbox->url, ':') + 1);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);
  cd_test_sandbox_stop (sandbox);

  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_nonnull (strstr (run.err, "refused"));
  g_assert_nonnull (strstr (run.err, "coursedrop-cli resume --job-token 8840"));
  cd_test_run_clear (&run);
  g_assert_true (journal_has_unfinished ("8840"));

  /* A server at the same address again, which knows job 8840. */
  sandbox = start_sandbox ("UPLOADING:0.2,PROCESSING:1,COMPLETED", "--port", port);
  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "resume", "--job-token", "8840", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);
  g_assert_false (journal_has_unfinished ("8840"));

  cd_test_sandbox_stop (sandbox);
}

static void
add_issue_9_tests (void)
{
  g_test_add_func ("/cli/import/seed-command-line", test_seed_command_line);
  g_test_add_func ("/cli/import/attention/keys", test_attention_keys);
  g_test_add_func ("/cli/import/attention/refused", test_attention_refused);
  for (guint i = 0; i < G_N_ELEMENTS (bad_hours); i++)
    {
      g_autofree char *name = g_strdup_printf ("/cli/import/bad-give-up-after/%s", bad_hours[i].name);
      g_test_add_data_func (name, &bad_hours[i], test_bad_give_up_after);
    }
  g_test_add_func ("/cli/import/give-up-during-retry-after", test_give_up_during_retry_after);
  g_test_add_func ("/cli/import/resume-after-deadline", test_resume_after_deadline);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  add_issue_9_tests ();

  return g_test_run ();
}
