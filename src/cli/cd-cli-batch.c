/* cd-cli-batch.c: coursedrop-cli batch PLAN.csv
 *
 * Reads the plan, checks every row (nothing but look-ups is sent), and
 * then, unless --dry-run, creates the offerings it names and runs the
 * imports through CdBatch.  Ctrl+C stops every job; each stays in the
 * journal, so running the same plan again follows them and skips what
 * was done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <stdlib.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "cd-cli-batch.h"

static void
row_changed_cb (CdBatch    *batch,
                guint       index,
                CdCliBatch *run)
{
  cd_cli_batch_print_row (run, cd_batch_get_row (batch, index));
}

static void
offering_ready_cb (CdBatch    *batch,
                   guint       index,
                   gboolean    created,
                   CdCliBatch *run)
{
  cd_cli_batch_print_offering (run, cd_batch_get_row (batch, index), created);
}

static void
job_retry_cb (CdBatch     *batch,
              guint        index,
              CdImportJob *job,
              CdCliBatch  *run)
{
  cd_cli_batch_print_retry (run, cd_batch_get_row (batch, index), job);
}

static void
paused_cb (CdBatch    *batch,
           guint       seconds,
           CdCliBatch *run)
{
  cd_cli_batch_print_paused (run, seconds);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  CdCliBatch *run = user_data;

  /* A second Ctrl+C does not wait for uploads to let go. */
  if (run->interrupted)
    exit (CD_EXIT_INTERRUPTED);

  run->interrupted = TRUE;
  g_printerr (_("Stopping; every job started so far is kept in the journal. Run the same plan "
                "again to go on.\n"));
  g_cancellable_cancel (run->cancellable);
  cd_batch_stop (run->batch);
  return G_SOURCE_CONTINUE;
}

/* The exit code for rows that did not complete: 1 for a failed import,
 * else the code of what stopped them. */
static int
exit_code_for_rows (CdBatch *batch)
{
  int code = CD_EXIT_OK;
  guint imported = 0, failed = 0, skipped = 0, unfinished = 0;

  for (guint i = 0; i < cd_batch_get_n_rows (batch); i++)
    {
      const CdBatchRow *row = cd_batch_get_row (batch, i);

      imported += row->state == CD_BATCH_ROW_IMPORTED;
      skipped += row->state == CD_BATCH_ROW_SKIPPED;
      failed += row->state == CD_BATCH_ROW_FAILED;
      unfinished += row->state == CD_BATCH_ROW_UNFINISHED || row->state == CD_BATCH_ROW_READY;

      if (row->state == CD_BATCH_ROW_FAILED &&
          (row->error == NULL || row->error->domain == CD_JOB_ERROR))
        code = CD_EXIT_IMPORT_FAILED;
      else if ((row->state == CD_BATCH_ROW_FAILED || row->state == CD_BATCH_ROW_UNFINISHED) &&
               row->error != NULL && code == CD_EXIT_OK)
        code = cd_cli_exit_code_for_error (row->error);
    }

  return code;
}

static void
print_summary (CdCliBatch *run)
{
  guint imported = 0, failed = 0, skipped = 0, unfinished = 0;

  for (guint i = 0; i < cd_batch_get_n_rows (run->batch); i++)
    {
      const CdBatchRow *row = cd_batch_get_row (run->batch, i);

      imported += row->state == CD_BATCH_ROW_IMPORTED;
      skipped += row->state == CD_BATCH_ROW_SKIPPED;
      failed += row->state == CD_BATCH_ROW_FAILED;
      unfinished += row->state == CD_BATCH_ROW_UNFINISHED || row->state == CD_BATCH_ROW_READY ||
                    row->state == CD_BATCH_ROW_RUNNING;
    }

  cd_cli_batch_print_summary (run, imported, failed, skipped, unfinished);
}

static void
print_plan_problems (CdPlan     *plan,
                     const char *plan_name)
{
  GPtrArray *problems = cd_plan_get_problems (plan);

  for (guint i = 0; i < problems->len; i++)
    {
      const CdPlanProblem *problem = g_ptr_array_index (problems, i);

      if (problem->line > 0)
        g_printerr ("%s:%u: %s\n", plan_name, problem->line, problem->message);
      else
        g_printerr ("%s: %s\n", plan_name, problem->message);
    }
}

static int
refuse_plan (void)
{
  g_printerr (_("The plan has problems (see above); nothing was sent.\n"));
  return CD_EXIT_USAGE;
}

static void
write_report (CdCliBatch *run,
              const char *path)
{
  g_autoptr(GError) error = NULL;

  if (path != NULL && !cd_batch_write_report (run->batch, path, &error))
    g_printerr (_("Warning: the report could not be written: %s\n"), error->message);
}

/* Checks, then runs; returns the exit code. */
static int
check_and_run (CdCliBatch *run,
               const char *report,
               gboolean    plan_invalid)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean fine;
  int code;

  run->checking = TRUE;
  cd_batch_check_async (run->batch, run->cancellable, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  fine = cd_batch_check_finish (run->batch, result, &error);
  run->checking = FALSE;
  g_clear_object (&result);

  if (error != NULL)
    return run->interrupted ? CD_EXIT_INTERRUPTED : cd_cli_fail (error);

  if (!fine || run->dry_run || plan_invalid)
    {
      write_report (run, report);
      if (!fine || plan_invalid)
        return refuse_plan ();
      return CD_EXIT_OK;
    }

  for (guint i = 0; i < cd_batch_get_n_rows (run->batch); i++)
    if (cd_batch_get_row (run->batch, i)->state == CD_BATCH_ROW_SKIPPED)
      cd_cli_batch_print_row (run, cd_batch_get_row (run->batch, i));

  cd_batch_run_async (run->batch, NULL, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  cd_batch_run_finish (run->batch, result, &error);

  print_summary (run);
  write_report (run, report);

  if (run->interrupted || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CD_EXIT_INTERRUPTED;
  if (error != NULL)
    return cd_cli_fail (error);

  code = exit_code_for_rows (run->batch);
  return code;
}

int
cd_cli_batch (int    argc,
              char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *report = NULL;
  gboolean dry_run = FALSE, json = FALSE, again = FALSE;
  int parallel = CD_BATCH_DEFAULT_PARALLEL;
  GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Check every row and print what would happen; change nothing"), NULL },
    { "parallel", 0, 0, G_OPTION_ARG_INT, &parallel, N_("Imports running at once (default 3, at most 10)"), N_("N") },
    { "again", 0, 0, G_OPTION_ARG_NONE, &again, N_("Import rows again that were imported before"), NULL },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report, N_("Write one CSV row per plan row to FILE"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object per event on standard output"), NULL },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdPlan) plan = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  CdCliBatch run = { 0 };
  gboolean plan_invalid;
  guint sigint, sigterm;
  int status;

  context = cd_cli_option_context_new (_("PLAN.csv"),
                                       _("Import many packages, as a CSV plan says: one row per "
                                         "import, with the columns\n" CD_PLAN_COLUMNS ".\n"
                                         "Example: coursedrop-cli batch --dry-run fall.csv"),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc != 2)
    return cd_cli_usage (_("Give one plan, for example: coursedrop-cli batch fall.csv"));
  if (parallel < 1 || parallel > CD_BATCH_MAX_PARALLEL)
    return cd_cli_usage (_("--parallel must be between 1 and %d."), CD_BATCH_MAX_PARALLEL);

  if (!(plan = cd_plan_new_from_file (argv[1], &error)))
    return cd_cli_usage ("%s", error->message);
  run.plan_name = g_filename_display_basename (argv[1]);
  plan_invalid = cd_plan_get_problems (plan)->len > 0;
  print_plan_problems (plan, run.plan_name);

  /* With problems in the file, the other rows are still checked (look-ups
   * only), so that one pass shows everything to fix. */
  if (plan_invalid && cd_plan_get_n_rows (plan) == 0)
    {
      g_free (run.plan_name);
      return refuse_plan ();
    }
  if (!(client = cd_cli_create_client (host, TRUE, &error)))
    {
      g_free (run.plan_name);
      return plan_invalid ? refuse_plan () : cd_cli_fail (error);
    }
  if (!(journal = cd_cli_load_journal ()))
    {
      g_free (run.plan_name);
      return CD_EXIT_USAGE;
    }

  run.batch = cd_batch_new (client, journal, plan);
  run.cancellable = g_cancellable_new ();
  run.offerings_told = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run.json = json;
  run.dry_run = dry_run;
  cd_batch_set_parallel (run.batch, (guint)parallel);
  cd_batch_set_again (run.batch, again);

  g_signal_connect (run.batch, "row-changed", G_CALLBACK (row_changed_cb), &run);
  g_signal_connect (run.batch, "offering-ready", G_CALLBACK (offering_ready_cb), &run);
  g_signal_connect (run.batch, "job-retry", G_CALLBACK (job_retry_cb), &run);
  g_signal_connect (run.batch, "paused", G_CALLBACK (paused_cb), &run);
  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, &run);

  status = check_and_run (&run, report, plan_invalid);

  /* What the jobs recorded reaches the disk before we go, and jobs let
   * go from idle callbacks are released. */
  while (cd_job_journal_is_saving (journal))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (run.batch, &run);
  g_clear_object (&run.batch);
  g_clear_object (&run.cancellable);
  g_clear_pointer (&run.offerings_told, g_hash_table_unref);
  g_free (run.plan_name);

  return status;
}
