/* cd-cli-jobs.c: coursedrop-cli jobs and coursedrop-cli logs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <glib/gi18n.h>

#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-client-imports.h"

#include "cd-time-format.h"

static const char *
or_dash (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : "-";
}

/* "school.brightspace.com" from "https://school.brightspace.com": the
 * column tells sites apart, the scheme adds nothing. */
static char *
short_host (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (or_dash (url));
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

/* An attempt that never got a token is no job in Brightspace: say what
 * became of the upload instead of a bare dash. */
static const char *
status_of (CdJobRecord *record)
{
  if (record->token != NULL)
    return or_dash (record->status);
  if (cd_import_job_record_outcome_unknown (record))
    return _("sent, no answer — check Brightspace");
  if (record->finished != NULL)
    return _("upload failed — no job");

  return _("upload interrupted — no job");
}

/* Pads @text with spaces to @width characters (not bytes). */
static void
print_cell (const char *text,
            gsize       width,
            gboolean    last)
{
  gsize length = g_utf8_strlen (text, -1);

  fputs (text, stdout);
  if (last)
    return;
  for (gsize i = length; i < width + 2; i++)
    fputc (' ', stdout);
}

enum { COL_STARTED, COL_HOST, COL_TOKEN, COL_OFFERING, COL_STATUS, COL_PACKAGE, N_COLUMNS };

static void
print_table (GPtrArray *records)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gsize widths[N_COLUMNS] = { 0 };

  /* Translators: column headings of the job list. */
  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("Started"), _("Host"), _("Token"),
                                                 _("Offering"), _("Status"), _("Package"),
                                                 NULL }));
  for (guint i = 0; i < records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (records, i);
      g_autofree char *started = cd_time_format (record->started);
      g_autofree char *host = short_host (record->host);
      g_autofree char *package = record->package != NULL
        ? g_filename_display_basename (record->package) : NULL;
      char **row = g_new0 (char *, N_COLUMNS + 1);

      /* Whatever the journal holds, one line per job and no escapes. */
      row[COL_STARTED] = g_strdup (started != NULL ? started : "-");
      row[COL_HOST] = cd_cli_escape (host);
      row[COL_TOKEN] = record->token != NULL ? cd_cli_escape (record->token)
                                             : g_strdup (_("none"));
      row[COL_OFFERING] = g_strdup_printf ("%" G_GINT64_FORMAT, record->offering);
      row[COL_STATUS] = cd_cli_escape (status_of (record));
      row[COL_PACKAGE] = cd_cli_escape (or_dash (package));
      g_ptr_array_add (rows, row);
    }

  for (guint i = 0; i < rows->len; i++)
    for (guint c = 0; c < N_COLUMNS; c++)
      widths[c] = MAX (widths[c], (gsize) g_utf8_strlen (((char **) rows->pdata[i])[c], -1));

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = rows->pdata[i];
      CdJobRecord *record = i > 0 ? g_ptr_array_index (records, i - 1) : NULL;

      for (guint c = 0; c < N_COLUMNS; c++)
        print_cell (row[c], widths[c], c == N_COLUMNS - 1);
      fputc ('\n', stdout);

      if (record != NULL && record->error != NULL)
        {
          g_autofree char *failure = cd_cli_escape (record->error);

          print_cell ("", widths[COL_STARTED], FALSE);
          fputs (failure, stdout);
          fputc ('\n', stdout);
        }
    }
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
  int status;

  context = cd_cli_option_context_new (NULL, _("List the import jobs Coursedrop has recorded, "
                                               "of every Brightspace site: the Host column "
                                               "tells them apart, since each site numbers its "
                                               "jobs on its own. An attempt whose upload never "
                                               "became a job says so in the Status column."),
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

  print_table (records);
  fflush (stdout);

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
