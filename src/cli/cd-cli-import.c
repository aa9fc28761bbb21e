/* cd-cli-import.c: coursedrop-cli import
 *
 * Standard output keeps the shape of D2L's sample script ("Import job
 * TOKEN status:" and then each new status as Brightspace spells it), so
 * scripts written for it keep working; everything else goes to stderr.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-import-job.h"
#include "cd-package-reader.h"
#include "cd-time-format.h"
#include "cd-validate.h"

typedef struct
{
  CdCliOutput   *out;          /* (owned) */
  CdImportJob   *job;          /* (owned) */
  GMainLoop     *loop;         /* (owned) */
  gboolean       no_wait;
  gboolean       strict;       /* anything missing fails the import */
  gboolean       header_done;
  gboolean       interrupted;
  int            exit_code;
} ImportRun;

static void
print_header (ImportRun *run)
{
  if (run->header_done || cd_import_job_get_token (run->job) == NULL)
    return;

  run->header_done = TRUE;
  cd_cli_output_token (run->out, cd_import_job_get_token (run->job),
                       cd_import_job_get_offering_id (run->job));
}

static void
token_cb (CdImportJob *job,
          GParamSpec  *pspec,
          ImportRun   *run)
{
  cd_cli_output_uploaded (run->out, cd_import_job_get_bytes_total (job),
                          cd_import_job_get_upload_seconds (job));

  if (run->no_wait && !run->interrupted)
    {
      /* The server has the job; following it is someone else's business. */
      cd_cli_output_token (run->out, cd_import_job_get_token (job),
                           cd_import_job_get_offering_id (job));
      run->header_done = TRUE;
      run->exit_code = CD_EXIT_OK;
      cd_import_job_stop (job);
      return;
    }

  print_header (run);
}

static void
status_changed_cb (CdImportJob *job,
                   const char  *word,
                   ImportRun   *run)
{
  if (run->no_wait)
    return;

  print_header (run);
  cd_cli_output_status (run->out, word);
}

static void
progress_cb (CdImportJob *job,
             GParamSpec  *pspec,
             ImportRun   *run)
{
  cd_cli_output_progress (run->out, cd_import_job_get_package_name (job),
                          cd_import_job_get_bytes_sent (job),
                          cd_import_job_get_bytes_total (job));
}

static void
retry_cb (CdImportJob *job,
          ImportRun   *run)
{
  cd_cli_output_retrying (run->out, job);
}

static void
print_resume_hint (ImportRun *run)
{
  const char *token = cd_import_job_get_token (run->job);

  if (token == NULL)
    return;

  g_printerr (_("The import goes on in Brightspace; Coursedrop recorded job %s. Follow it again "
                "with:\n  coursedrop-cli resume --job-token %s\nor:\n  coursedrop-cli "
                "--course-offering-id %" PRId64 " --job-token %s\n"),
              token, token, cd_import_job_get_offering_id (run->job), token);
}

/* Stopped unfinished: say why, how to check or go on, and exit with the
 * code of the cause. */
static void
report_attention (ImportRun    *run,
                  const GError *attention)
{
  cd_cli_output_error (run->out, attention);

  if (g_error_matches (attention, CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN))
    {
      g_printerr (_("Coursedrop kept this attempt in its journal (see coursedrop-cli jobs). "
                    "Look at the course’s import history in Brightspace (Course Admin › "
                    "Import/Export/Copy Components) before you import the package again: "
                    "Brightspace adds imported content again, so the course may end up with "
                    "duplicates.\n"));
      run->exit_code = CD_EXIT_NETWORK;
      return;
    }

  print_resume_hint (run);
  if (g_error_matches (attention, CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT))
    run->exit_code = CD_EXIT_IMPORT_FAILED;
  else
    run->exit_code = cd_cli_exit_code_for_error (attention);
}

static void
report_finished (ImportRun    *run,
                 const GError *error)
{
  if (error != NULL && error->domain == CD_JOB_JOURNAL_ERROR)
    {
      /* The record could not be saved before the upload: none started. */
      cd_cli_output_error (run->out, error);
      g_printerr (_("Nothing was uploaded. Coursedrop records every import in %s before "
                    "uploading, so that no job can be lost. Free some disk space or fix the "
                    "permissions of that folder, then try again.\n"),
                  cd_job_journal_get_path (cd_import_job_get_journal (run->job)));
      run->exit_code = CD_EXIT_NETWORK;
      return;
    }

  if (g_error_matches (error, CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED))
    {
      /* Not an outcome of the import: there was none. */
      cd_cli_output_error (run->out, error);
      run->exit_code = CD_EXIT_INTERRUPTED;
      return;
    }

  cd_cli_output_finished (run->out, run->job);

  if (error == NULL && run->strict && cd_import_job_get_verification (run->job) != NULL &&
      cd_import_job_get_verification (run->job)->missing->len > 0)
    run->exit_code = CD_EXIT_IMPORT_FAILED;
  else if (error == NULL)
    run->exit_code = CD_EXIT_OK;
  else if (error->domain == CD_JOB_ERROR)
    run->exit_code = error->code == CD_JOB_ERROR_CANCELLED ? CD_EXIT_INTERRUPTED
                                                          : CD_EXIT_IMPORT_FAILED;
  else
    run->exit_code = cd_cli_exit_code_for_error (error);
}

/* A journal that could not be written after the upload: the job went on,
 * but what the journal says about it may be out of date. */
static void
report_journal (ImportRun *run)
{
  const GError *error = cd_import_job_get_journal_error (run->job);

  if (error == NULL || cd_import_job_get_journal (run->job) == NULL)
    return;

  g_printerr (_("Warning: %s\nCoursedrop could not record the latest state of this job in %s, "
                "so coursedrop-cli jobs and resume may show it out of date. Free some disk space "
                "or fix the permissions of that folder.\n"),
              error->message, cd_job_journal_get_path (cd_import_job_get_journal (run->job)));

  if (run->exit_code == CD_EXIT_OK || run->exit_code == CD_EXIT_IMPORT_FAILED)
    run->exit_code = CD_EXIT_NETWORK;
}

/* The job stopped running: finished, needing attention, or stopped by us. */
static void
running_cb (CdImportJob *job,
            GParamSpec  *pspec,
            ImportRun   *run)
{
  const GError *attention = cd_import_job_get_attention (job);

  if (cd_import_job_is_running (job))
    return;

  if (cd_import_job_get_finished (job) != NULL)
    report_finished (run, cd_import_job_get_error (job));
  else if (attention != NULL)
    report_attention (run, attention);
  else if (run->interrupted)
    print_resume_hint (run);

  if (run->interrupted)
    run->exit_code = CD_EXIT_INTERRUPTED;

  report_journal (run);
  g_main_loop_quit (run->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  ImportRun *run = user_data;

  /* A second Ctrl+C does not wait for the upload to let go. */
  if (run->interrupted)
    {
      g_main_loop_quit (run->loop);
      return G_SOURCE_CONTINUE;
    }

  run->interrupted = TRUE;
  run->exit_code = CD_EXIT_INTERRUPTED;
  cd_cli_output_interrupted (run->out);

  /* Polling stops at once; an upload stops once the client lets go of it,
   * and only then is it known whether the package reached Brightspace. */
  cd_import_job_stop (run->job);

  /* cd_cli_follow_job removes the source. */
  return G_SOURCE_CONTINUE;
}

/* Follows @job to its end, printing as the sample script does; returns
 * the exit code. */
static int
follow_import (CdImportJob *job,
               gboolean     json,
               gboolean     no_wait,
               gboolean     strict)
{
  ImportRun run = { 0 };
  guint sigint, sigterm;

  run.job = g_object_ref (job);
  run.no_wait = no_wait;
  run.strict = strict;
  run.out = cd_cli_output_new (json, isatty (STDERR_FILENO));
  run.loop = g_main_loop_new (NULL, FALSE);
  run.exit_code = CD_EXIT_NETWORK;

  g_signal_connect (run.job, "notify::token", G_CALLBACK (token_cb), &run);
  g_signal_connect (run.job, "status-changed", G_CALLBACK (status_changed_cb), &run);
  g_signal_connect (run.job, "notify::bytes-sent", G_CALLBACK (progress_cb), &run);
  g_signal_connect (run.job, "retry", G_CALLBACK (retry_cb), &run);
  g_signal_connect (run.job, "notify::running", G_CALLBACK (running_cb), &run);
  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, &run);

  if (cd_import_job_get_token (job) != NULL)
    print_header (&run);
  cd_import_job_start (run.job);
  /* The job reports every outcome from the loop; should it ever stop
   * inside start, the loop must not wait for an event that came already. */
  if (cd_import_job_is_running (run.job))
    g_main_loop_run (run.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (run.job, &run);
  g_clear_object (&run.job);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  g_clear_pointer (&run.out, cd_cli_output_free);

  return run.exit_code;
}

int
cd_cli_follow_job (CdImportJob *job,
                   gboolean     json,
                   gboolean     no_wait)
{
  return follow_import (job, json, no_wait, FALSE);
}

/* Returns NULL after telling the user why the journal cannot be used: a
 * job whose token cannot be recorded could be lost, so none starts. */
CdJobJournal *
cd_cli_load_journal (void)
{
  g_autoptr(CdJobJournal) journal = cd_job_journal_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!cd_job_journal_load (journal, &error))
    {
      g_printerr (_("coursedrop-cli: %s\nCoursedrop records every job there so that none is "
                    "lost; fix or move that file, then try again.\n"), error->message);
      return NULL;
    }

  if (cd_job_journal_get_load_warning (journal) != NULL)
    g_printerr (_("Warning: %s\n"), cd_job_journal_get_load_warning (journal));

  return g_steal_pointer (&journal);
}

static void
warn_about_duplicate (CdPackage   *package,
                      CdJobRecord *previous,
                      gint64       offering_id)
{
  g_autofree char *when = NULL;
  g_autofree char *safe_name = NULL;
  g_autofree char *safe_token = NULL;

  when = previous->started != NULL ? cd_time_format (previous->started) : g_strdup ("?");
  safe_name = cd_cli_escape (cd_package_get_display_name (package));
  safe_token = cd_cli_escape (previous->token);
  if (cd_import_job_record_outcome_unknown (previous))
    g_printerr (_("Warning: “%s” may already have been imported into course offering %" PRId64
                  " (%s): Coursedrop sent it but got no answer. Check the course’s import "
                  "history in Brightspace; Brightspace adds imported content again, so the "
                  "course may end up with duplicates.\n"),
                safe_name, offering_id, when);
  else
    g_printerr (_("Warning: “%s” was already imported into course offering %" PRId64
                  " (%s, job %s). Brightspace adds imported content again, so the course may "
                  "end up with duplicates.\n"),
                safe_name, offering_id, when, safe_token);
}

/* The manifest and file list, read off the main loop: a package the
 * reader refuses (unsafe paths, a zip bomb, entity tricks…) is never sent.
 * Returns (transfer full) (nullable). */
static CdPackagePreview *
read_package (const char  *path,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_package_reader_read_async (path, NULL, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);

  return cd_package_reader_read_finish (result, error);
}

/* The duplicate guard reads only the package's ends, unless an earlier
 * job may be of the same content: then the whole package is hashed. */
static gboolean
guard_against_duplicate (CdJobJournal  *journal,
                         CdClient      *client,
                         CdPackage     *package,
                         gint64         offering_id,
                         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdJobRecord) previous = NULL;
  const char *host = cd_client_get_host (client);

  cd_package_check_async (package, NULL, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  if (!cd_package_check_finish (package, result, error))
    return FALSE;
  g_clear_object (&result);

  if (cd_import_job_needs_full_check (journal, host, offering_id, package))
    {
      g_autofree char *safe_name = cd_cli_escape (cd_package_get_display_name (package));

      g_printerr (_("Checking whether “%s” was imported into course offering %" PRId64
                    " before…\n"), safe_name, offering_id);
    }

  cd_import_job_find_previous_async (journal, host, offering_id, package, NULL,
                                     cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  previous = cd_import_job_find_previous_finish (result, error);
  if (previous == NULL)
    return error == NULL || *error == NULL;

  warn_about_duplicate (package, previous, offering_id);
  return TRUE;
}

int
cd_cli_import (int    argc,
               char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *package_path = NULL;
  g_autofree char *offering_text = NULL;
  g_autofree char *token = NULL;
  g_autofree char *le_version = NULL;
  g_autofree char *callback_url = NULL;
  g_autofree char *message = NULL;
  double give_up_hours = CD_IMPORT_JOB_DEFAULT_DEADLINE / (double)G_TIME_SPAN_HOUR;
  gboolean json = FALSE;
  gboolean no_wait = FALSE;
  gboolean strict = FALSE;
  gboolean no_verify = FALSE;
  GOptionEntry entries[] = {
    { "course-package", 0, 0, G_OPTION_ARG_FILENAME, &package_path, N_("The package to import (.zip or .imscc)"), N_("FILE") },
    { "course-offering-id", 0, 0, G_OPTION_ARG_STRING, &offering_text, N_("The course offering to import into"), N_("ID") },
    { "job-token", 0, 0, G_OPTION_ARG_STRING, &token, N_("Follow an import job that was already started, without uploading"), N_("TOKEN") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { "le-version", 0, 0, G_OPTION_ARG_STRING, &le_version, N_("Use this LE API version instead of the newest the server offers"), N_("VERSION") },
    { "callback-url", 0, 0, G_OPTION_ARG_STRING, &callback_url, N_("Ask Brightspace to post the job’s status to this address"), N_("URL") },
    { "no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, N_("Print the job token once the upload is accepted, and exit"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object per event on standard output"), NULL },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, N_("Exit with status 1 when an item of the package did not arrive in the course"), NULL },
    { "no-verify", 0, 0, G_OPTION_ARG_NONE, &no_verify, N_("Do not check what arrived in the course after the import"), NULL },
    { "give-up-after", 0, 0, G_OPTION_ARG_DOUBLE, &give_up_hours, N_("Stop following a job that has not finished after this many hours (default 36)"), N_("HOURS") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdPackage) package = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *size_warning = NULL;
  gint64 offering_id = 0;
  GTimeSpan deadline = 0;
  int status;

  context = cd_cli_option_context_new (NULL,
                                       _("Import a course package into a course offering and follow "
                                         "the job to its end.\n"
                                         "Example: coursedrop-cli import --course-package \"Week 1.imscc\" "
                                         "--course-offering-id 6606"),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("Unexpected argument “%s”. Give the package with --course-package."),
                         argv[1]);

  /* Every local check comes before anything is sent. */
  if (!cd_cli_parse_offering_id (offering_text, &offering_id, &message))
    return cd_cli_usage ("%s", message);
  if (package_path == NULL && token == NULL)
    return cd_cli_usage (_("Give the package to import with --course-package FILE, or an "
                           "existing job with --job-token TOKEN."));
  if (token != NULL && (status = cd_cli_check_job_token (token)) != CD_EXIT_OK)
    return status;
  if ((status = cd_cli_check_le_version (le_version)) != CD_EXIT_OK)
    return status;
  if (!cd_validate_hours (give_up_hours, &deadline, &error))
    return cd_cli_usage (_("--give-up-after: %s"), error->message);

  /* D2L's sample always wants --course-package; with --job-token it only
   * follows that job, so the package is neither checked nor sent. */
  if (package_path != NULL && token != NULL)
    {
      g_autofree char *name = g_filename_display_name (package_path);
      g_autofree char *shown = cd_cli_escape (name);

      g_printerr (_("Following job %s; “%s” is not uploaded again.\n"), token, shown);
      g_clear_pointer (&package_path, g_free);
    }

  if (package_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (package_path);

      package = cd_package_new (file);
      if (!cd_package_check (package, &error))
        return cd_cli_fail (error);
      if ((size_warning = cd_package_get_size_warning (package)) != NULL)
        g_printerr (_("Warning: %s\n"), size_warning);

      if (!(preview = read_package (g_file_peek_path (cd_package_get_file (package)), &error)))
        {
          g_autofree char *safe = cd_cli_escape_lines (error->message);

          g_printerr (_("coursedrop-cli: %s\nNothing was uploaded.\n"), safe);
          return CD_EXIT_USAGE;
        }
    }

  if (!(client = cd_cli_create_client (host, TRUE, &error)))
    return cd_cli_fail (error);
  if (le_version != NULL)
    cd_client_set_le_version (client, le_version);

  if (!(journal = cd_cli_load_journal ()))
    return CD_EXIT_USAGE;

  if (package != NULL)
    {
      if (!guard_against_duplicate (journal, client, package, offering_id, &error))
        return cd_cli_fail (error);
      job = cd_import_job_new_for_package (client, journal, package, offering_id);
      cd_import_job_set_preview (job, preview);
      cd_import_job_set_verify (job, !no_verify);
    }
  else
    job = cd_import_job_new_for_token (client, journal, offering_id, token);

  cd_import_job_set_callback_url (job, callback_url);
  cd_import_job_set_deadline (job, deadline);

  return follow_import (job, json, no_wait, strict);
}
