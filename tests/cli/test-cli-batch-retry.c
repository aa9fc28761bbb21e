/* test-cli-batch-retry.c: coursedrop-cli batch while Brightspace cannot be
 * reached for a while
 *
 * The CLI talks to the sandbox through a proxy (cd-test-proxy.h) that
 * refuses connections once both jobs have their tokens, and accepts them
 * again a few seconds later.  Each retry of a row's job is a line naming
 * the row, what is wrong and when it tries again (import's words), or
 * with --json a "retrying" event; and the run still completes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-job-journal.h"
#include "cd-test-proxy.h"
#include "cd-test-util.h"

/* Each import ends in the sandbox 8 s after its upload: when the proxy
 * starts refusing, both jobs are still being followed. */
#define TIMELINE "UPLOADING:1,IMPORTING:7,COMPLETED"
/* Long enough for each job to fail a poll (the next is at most 2.25 s
 * away, and the client may retry it inside for 3.5 s); short of the job's
 * patience with a server it cannot reach (5 failed polls in a row, with
 * waits of 2.25, 3.4, 5 and 7.6 s between them). */
#define OUTAGE_US (8 * G_USEC_PER_SEC)

typedef struct
{
  CdTestSandbox       *sandbox;
  CdTestProxy         *proxy;
  GSubprocessLauncher *launcher;
  char                *plan;
  char                *expected;  /* "Cannot reach 127.0.0.1:PORT: connection refused. Retrying in " */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *week1 = cd_test_make_zip ("week1.imscc");
  g_autofree char *week2 = cd_test_make_zip ("week2.imscc");
  g_autofree char *dir = g_path_get_dirname (week1);
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_test_sandbox_start ("--timeline", TIMELINE,
                                      "--offering", "6606:Biology 101;BIO101",
                                      "--offering", "6630:Chemistry;CHEM1", NULL);
  f->proxy = cd_test_proxy_new (f->sandbox->url);
  f->launcher = cd_test_cli_launcher (f->sandbox);
  g_subprocess_launcher_setenv (f->launcher, "COURSEDROP_HOST", cd_test_proxy_get_url (f->proxy),
                                TRUE);
  f->expected = g_strdup_printf ("Cannot reach %s: connection refused. Retrying in ",
                                 cd_test_proxy_get_url (f->proxy) + strlen ("http://"));

  /* The same package, but into two offerings: two rows, two jobs. */
  f->plan = g_build_filename (dir, "plan.csv", NULL);
  g_file_set_contents (f->plan, "package,offering\n"
                                "week1.imscc,6606\n"
                                "week2.imscc,code:CHEM1\n", -1, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cd_test_proxy_free (f->proxy);
  cd_test_sandbox_stop (f->sandbox);
  g_object_unref (f->launcher);
  g_free (f->plan);
  g_free (f->expected);
}

/* Jobs of the CLI's journal that have their tokens. */
static guint
count_tokens (void)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (path);
  g_autoptr(GPtrArray) records = NULL;
  guint n = 0;

  /* Not written yet, or being replaced: nothing known yet. */
  if (!cd_job_journal_load (journal, NULL))
    return 0;

  records = cd_job_journal_get_records (journal);
  g_ptr_array_set_free_func (records, (GDestroyNotify)cd_job_record_unref);
  for (guint i = 0; i < records->len; i++)
    n += ((CdJobRecord *)g_ptr_array_index (records, i))->token != NULL;

  return n;
}

/* Runs `coursedrop-cli batch @arg PLAN` and cuts the proxy off for
 * OUTAGE_US once the CLI has the tokens of @jobs uploads. */
static void
run_with_outage (Fixture    *f,
                 guint       jobs,
                 const char *arg,
                 CdTestRun  *run)
{
  g_autoptr(GSubprocess) batch = NULL;
  g_autoptr(GError) error = NULL;

  batch = cd_test_cli_spawn (f->launcher, "batch", arg, f->plan, NULL);

  /* The jobs are followed by their tokens, no upload is under way. */
  for (guint i = 0; i < 500 && count_tokens () < jobs; i++)
    g_usleep (20 * 1000);
  g_assert_cmpuint (count_tokens (), ==, jobs);
  g_assert_cmpuint (cd_test_sandbox_count (f->sandbox, "uploads"), ==, jobs);

  cd_test_proxy_refuse (f->proxy);
  g_usleep (OUTAGE_US);
  cd_test_proxy_accept_again (f->proxy);

  g_subprocess_communicate_utf8 (batch, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (batch));
  run->status = g_subprocess_get_exit_status (batch);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

/* Lines of @text about retries, i.e. that say "Retrying". */
static GPtrArray *
retry_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "Retrying") != NULL)
      g_ptr_array_add (found, g_strdup (lines[i]));

  return found;
}

/* Text: "line 2: week1.imscc: Cannot reach 127.0.0.1:PORT: connection
 * refused. Retrying in 2 s…", at least once per row, on standard error. */
static void
test_text (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = NULL;
  guint per_row[2] = { 0, 0 };
  CdTestRun run = { 0 };

  run_with_outage (f, 2, "--parallel=2", &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "2 imported, 0 failed, 0 skipped\n"));
  g_assert_null (strstr (run.out, "Retrying"));
  g_assert_null (strstr (run.err, "did not answer as expected"));

  lines = retry_lines (run.err);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      for (guint row = 0; row < 2; row++)
        {
          g_autofree char *prefix = g_strdup_printf ("line %u: week%u.imscc: %s", row + 2,
                                                     row + 1, f->expected);

          if (g_str_has_prefix (line, prefix))
            per_row[row]++;
        }
      g_assert_true (g_str_has_suffix (line, " s…"));
    }
  /* Every retry line is one of the two rows', and each row had some. */
  g_assert_cmpuint (per_row[0] + per_row[1], ==, lines->len);
  g_assert_cmpuint (per_row[0], >=, 1);
  g_assert_cmpuint (per_row[1], >=, 1);
  g_assert_cmpuint (lines->len, <=, 10);

  cd_test_run_clear (&run);
}

/* JSON: standard output stays one valid object per line, with a
 * "retrying" event per attempt that names the row and the reason. */
static void
test_json (Fixture       *f,
           gconstpointer  data)
{
  g_auto(GStrv) lines = NULL;
  guint retrying = 0, n;
  CdTestRun run = { 0 };

  run_with_outage (f, 2, "--json", &run);
  g_assert_cmpint (run.status, ==, 0);

  lines = g_strsplit (g_strchomp (run.out), "\n", -1);
  n = g_strv_length (lines);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *package = NULL;
      JsonObject *object;
      gint64 row;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member (object, "event"), "retrying") != 0)
        continue;

      retrying++;
      row = json_object_get_int_member (object, "row");
      g_assert_cmpint (row, >=, 1);
      g_assert_cmpint (row, <=, 2);
      g_assert_cmpint (json_object_get_int_member (object, "line"), ==, row + 1);
      /* The package as the row events name it: the plan's path, resolved. */
      package = g_strdup_printf (G_DIR_SEPARATOR_S "week%" G_GINT64_FORMAT ".imscc", row);
      g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "package"),
                                       package));
      g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==,
                       "connection refused");
      g_assert_cmpint (json_object_get_int_member (object, "delay_ms"), >=, 0);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "message"),
                                       f->expected));
    }
  g_assert_cmpuint (retrying, >=, 2);
  g_assert_nonnull (strstr (lines[n - 1], "{\"event\":\"summary\",\"imported\":2,\"failed\":0"));
  /* People still read the lines on standard error. */
  g_assert_nonnull (strstr (run.err, f->expected));

  cd_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/cli/batch-retry/text", Fixture, NULL, fixture_set_up, test_text,
              fixture_tear_down);
  g_test_add ("/cli/batch-retry/json", Fixture, NULL, fixture_set_up, test_json,
              fixture_tear_down);

  return g_test_run ();
}
