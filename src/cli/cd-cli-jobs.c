/* cd-cli-jobs.c: coursedrop-cli jobs and coursedrop-cli logs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <glib/gi18n.h>

#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-client-imports.h"

static const char *
or_dash (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : "-";
}

int
cd_cli_jobs (int    argc,
             char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the journal as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = cd_cli_option_context_new (NULL, _("List the import jobs Coursedrop has recorded."),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("jobs takes no arguments, but “%s” was given."), argv[1]);

  if (!(journal = cd_cli_load_journal ()))
    return CD_EXIT_USAGE;

  if (json)
    {
      g_autofree char *text = NULL;

      if (!g_file_get_contents (cd_job_journal_get_path (journal), &text, NULL, NULL))
        text = g_strdup ("{\"version\": 1, \"jobs\": []}");
      g_print ("%s\n", text);
      return CD_EXIT_OK;
    }

  records = cd_job_journal_get_records (journal);
  if (records->len == 0)
    {
      g_printerr (_("No import jobs yet. Start one with coursedrop-cli import.\n"));
      return CD_EXIT_OK;
    }

  /* Translators: column headings of the job list. */
  g_print ("%-20s %-10s %-9s %-14s %s\n", _("Started"), _("Token"), _("Offering"), _("Status"),
           _("Package"));
  for (guint i = 0; i < records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (records, i);
      g_autofree char *started = record->started != NULL
        ? g_date_time_format (record->started, "%Y-%m-%d %H:%M:%S") : g_strdup ("-");
      g_autofree char *package = record->package != NULL
        ? g_filename_display_basename (record->package) : NULL;

      g_autofree char *token = cd_cli_escape (or_dash (record->token));
      g_autofree char *word = cd_cli_escape (or_dash (record->status));
      g_autofree char *name = cd_cli_escape (or_dash (package));
      g_autofree char *failure = cd_cli_escape (record->error);

      g_print ("%-20s %-10s %-9" G_GINT64_FORMAT " %-14s %s\n", started, token,
               record->offering, word, name);
      if (record->error != NULL)
        g_print ("%20s %s\n", "", failure);
    }

  return CD_EXIT_OK;
}

int
cd_cli_logs (int    argc,
             char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *offering_text = NULL;
  g_autofree char *token = NULL;
  g_autofree char *message = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "course-offering-id", 0, 0, G_OPTION_ARG_STRING, &offering_text, N_("The course offering of the job"), N_("ID") },
    { "job-token", 0, 0, G_OPTION_ARG_STRING, &token, N_("The job’s token"), N_("TOKEN") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the log as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GError) error = NULL;
  gint64 offering_id;
  int status;

  context = cd_cli_option_context_new (NULL, _("Print an import job’s log, errors and warnings first."),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("logs takes no arguments, but “%s” was given."), argv[1]);
  if (!cd_cli_parse_offering_id (offering_text, &offering_id, &message))
    return cd_cli_usage ("%s", message);
  if ((status = cd_cli_check_job_token (token)) != CD_EXIT_OK)
    return status;

  if (!(client = cd_cli_create_client (host, TRUE, &error)))
    return cd_cli_fail (error);

  cd_client_get_import_logs_async (client, offering_id, token, NULL, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);

  if (!(logs = cd_client_get_import_logs_finish (client, result, &error)))
    return cd_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonNode) node = cd_cli_log_entries_to_json (logs);
      g_autofree char *text = json_to_string (node, TRUE);

      g_print ("%s\n", text);
    }
  else if (logs->len == 0)
    g_printerr (_("The job’s log is empty.\n"));
  else
    cd_cli_print_log_entries (stdout, logs);

  return CD_EXIT_OK;
}

int
cd_cli_resume (int    argc,
               char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *token = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { "job-token", 0, 0, G_OPTION_ARG_STRING, &token, N_("Follow only this job"), N_("TOKEN") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object per event on standard output"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(GPtrArray) unfinished = NULL;
  g_autoptr(GError) error = NULL;
  int worst = CD_EXIT_OK;
  guint followed = 0;
  int status;

  context = cd_cli_option_context_new (NULL,
                                       _("Follow again every import job that was interrupted before "
                                         "it finished (by Ctrl+C, a crash or a lost connection)."),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("resume takes no arguments, but “%s” was given."), argv[1]);
  if (token != NULL && (status = cd_cli_check_job_token (token)) != CD_EXIT_OK)
    return status;

  if (!(client = cd_cli_create_client (host, TRUE, &error)))
    return cd_cli_fail (error);
  if (!(journal = cd_cli_load_journal ()))
    return CD_EXIT_USAGE;

  unfinished = cd_job_journal_get_unfinished (journal);
  for (guint i = 0; i < unfinished->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (unfinished, i);
      g_autoptr(CdImportJob) job = NULL;

      if (record->token == NULL || (token != NULL && g_strcmp0 (record->token, token) != 0) ||
          g_ascii_strcasecmp (record->host, cd_client_get_host (client)) != 0)
        continue;

      job = cd_import_job_new_for_record (client, journal, record);
      status = cd_cli_follow_job (job, json, FALSE);
      followed++;
      if (status == CD_EXIT_INTERRUPTED)
        return status;
      worst = MAX (worst, status);
    }

  if (followed == 0)
    g_printerr (_("No unfinished import jobs on %s.\n"), cd_client_get_host (client));

  return worst;
}
