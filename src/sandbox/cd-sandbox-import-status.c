/* cd-sandbox-import-status.c: the LE import job's status and log routes
 *
 * What Brightspace answers about a job once it exists: its status, the log
 * a real import would have written by now, and the test route listing all
 * uploads.  Split from cd-sandbox-imports.c (uploads and timelines) to keep
 * each file short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-sandbox-private.h"

/* COI_IMPORTLOGMESSAGE_T and COI_IMPORTOPERATION_T (import-api.md §A3). */
enum { LOG_SYSTEM = 0, LOG_PROGRESS = 1, LOG_WARNING = 2, LOG_ERROR = 4 };
enum { OP_CONVERSION = 1, OP_IMPORT = 2 };

typedef struct
{
  int     type;
  int     operation;
  gint64  offset;   /* µs after the job started */
  char   *message;
} LogEntry;

/* --- job status and logs -------------------------------------------------------- */

static CdSandboxJob *
lookup_job (CdSandbox         *self,
            SoupServerMessage *msg,
            CdSandboxRoute    *route)
{
  CdSandboxJob *job;

  if (!_cd_sandbox_check_offering (self, msg, route->org_unit_id))
    return NULL;

  /* A token of another offering is as unknown as a made-up one. */
  job = g_hash_table_lookup (self->jobs, route->token);
  if (job == NULL || job->org_unit_id != route->org_unit_id)
    {
      _cd_sandbox_respond_not_found (msg);
      return NULL;
    }

  return job;
}

void
_cd_sandbox_import_status (CdSandbox         *self,
                           SoupServerMessage *msg,
                           CdSandboxRoute    *route)
{
  g_autoptr(JsonBuilder) builder = NULL;
  CdSandboxJob *job = lookup_job (self, msg, route);
  CdSandboxStage *stage;

  if (job == NULL)
    return;

  stage = g_ptr_array_index (job->timeline, _cd_sandbox_job_current_stage (job, NULL));

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "JobToken");
  json_builder_add_string_value (builder, job->token);
  json_builder_set_member_name (builder, "TargetOrgUnitId");
  json_builder_add_int_value (builder, job->org_unit_id);
  json_builder_set_member_name (builder, "Status");
  if (self->evil_statuses > 0)
    {
      g_autofree char *evil = g_strconcat (CD_SANDBOX_EVIL_TEXT, stage->status, NULL);

      self->evil_statuses--;
      json_builder_add_string_value (builder, evil);
    }
  else
    json_builder_add_string_value (builder, stage->status);
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

static void
log_entry_free (LogEntry *entry)
{
  g_free (entry->message);
  g_free (entry);
}

static void G_GNUC_PRINTF (5, 6)
add_log (GPtrArray  *logs,
         int         type,
         int         operation,
         gint64      offset,
         const char *format,
         ...)
{
  LogEntry *entry = g_new0 (LogEntry, 1);
  va_list args;

  va_start (args, format);
  entry->message = g_strdup_vprintf (format, args);
  va_end (args);

  entry->type = type;
  entry->operation = operation;
  /* Entries of one stage are a few milliseconds apart, in order. */
  entry->offset = offset + logs->len * 7 * 1000;
  g_ptr_array_add (logs, entry);
}

/* The log a real import would have written by now: it grows with the stages. */
static GPtrArray *
job_logs (CdSandboxJob *job)
{
  g_autofree gint64 *starts = g_new0 (gint64, job->timeline->len);
  GPtrArray *logs = g_ptr_array_new_with_free_func ((GDestroyNotify)log_entry_free);
  guint current = _cd_sandbox_job_current_stage (job, starts);
  int op = OP_CONVERSION;

  add_log (logs, LOG_SYSTEM, op, 0, "Import job %s created.", job->token);

  for (guint i = 0; i <= current; i++)
    {
      const char *status = ((CdSandboxStage *)g_ptr_array_index (job->timeline, i))->status;
      gint64 at = starts[i];

      if (g_str_equal (status, "UPLOADING"))
        add_log (logs, LOG_PROGRESS, op, at, "Package received: %s (%" G_GOFFSET_FORMAT " bytes).",
                 job->filename ? job->filename : "(unnamed)", job->size);
      else if (g_str_equal (status, "PROCESSING"))
        {
          add_log (logs, LOG_PROGRESS, op, at, "Conversion started: reading imsmanifest.xml.");
          add_log (logs, LOG_PROGRESS, op, at,
                   "Found 14 resources, 3 quizzes and 2 discussion forums.");
        }
      else if (g_str_equal (status, "PROCESSED"))
        add_log (logs, LOG_PROGRESS, op, at, "Conversion finished.");
      else if (g_str_equal (status, "READYTOIMPORTNATIVELY"))
        add_log (logs, LOG_PROGRESS, op, at, "The converted package is ready to import.");
      else if (g_str_equal (status, "IMPORTING"))
        {
          op = OP_IMPORT;
          add_log (logs, LOG_PROGRESS, op, at,
                   "Importing components: Content, Quizzes, Discussions, Grades.");
        }
      else if (g_str_equal (status, "COMPLETED"))
        {
          op = OP_IMPORT;
          add_log (logs, LOG_WARNING, op, at,
                   "Quiz \"Week 1 Check-in\": 2 question types are not supported and were skipped.");
          /* What --drop-titles left out, as Brightspace logs what it skips. */
          for (guint k = 0; job->skipped != NULL && k < job->skipped->len; k++)
            add_log (logs, LOG_WARNING, op, at, "%s", (char *)g_ptr_array_index (job->skipped, k));
          add_log (logs, LOG_PROGRESS, op, at, "Import finished: 42 items imported, 2 skipped.");
        }
      else if (g_str_equal (status, "IMPORTFAILED"))
        {
          add_log (logs, LOG_WARNING, op, at,
                   "Resource \"res-0007\" has no title; \"Untitled\" was used.");
          add_log (logs, LOG_ERROR, op, at,
                   "The package could not be converted: imsmanifest.xml references a "
                   "missing resource \"res-0003\".");
          add_log (logs, LOG_ERROR, op, at, "Import failed; no components were imported.");
        }
      else if (g_str_equal (status, "Timeout"))
        {
          add_log (logs, LOG_WARNING, op, at, "The package is large; conversion is slow.");
          add_log (logs, LOG_ERROR, op, at,
                   "The import did not finish within the allowed time and was stopped.");
        }
      else
        add_log (logs, LOG_PROGRESS, op, at, "Status changed to %s.", status);

      if (g_str_equal (status, "PROCESSED"))
        op = OP_IMPORT;
    }

  return logs;
}

static char *
format_log_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, (int)(usec % G_USEC_PER_SEC / 1000));
}

void
_cd_sandbox_import_logs (CdSandbox         *self,
                         SoupServerMessage *msg,
                         GHashTable        *query,
                         CdSandboxRoute    *route)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autofree char *bookmark = NULL;
  CdSandboxJob *job = lookup_job (self, msg, route);
  const char *given = query ? g_hash_table_lookup (query, "bookmark") : NULL;
  gint64 first_id, start = 0;
  guint end;

  if (job == NULL)
    return;

  logs = job_logs (job);
  if (self->evil_logs)
    add_log (logs, LOG_ERROR, OP_IMPORT, 0, "%s", CD_SANDBOX_EVIL_TEXT "The screen was cleared.");
  first_id = (gint64)job->token_number * 1000 + 1;

  /* The bookmark is the LogId of the last entry already seen. */
  if (given != NULL && *given != '\0')
    {
      gint64 seen;

      if (!g_ascii_string_to_signed (given, 10, first_id, first_id + logs->len - 1, &seen, NULL))
        {
          _cd_sandbox_respond_bad_request (msg, "Invalid bookmark");
          return;
        }
      start = seen - first_id + 1;
    }

  end = MIN (start + self->log_page_size, logs->len);
  if (end > start)
    bookmark = g_strdup_printf ("%" G_GINT64_FORMAT, first_id + end - 1);
  else
    bookmark = g_strdup (given ? given : "");

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "PagingInfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Bookmark");
  json_builder_add_string_value (builder, bookmark);
  json_builder_set_member_name (builder, "HasMoreItems");
  json_builder_add_boolean_value (builder, end < logs->len);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "Items");
  json_builder_begin_array (builder);
  for (guint i = start; i < end; i++)
    {
      LogEntry *entry = g_ptr_array_index (logs, i);
      g_autofree char *when = format_log_time (job->started_server + entry->offset);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "LogId");
      json_builder_add_int_value (builder, first_id + i);
      json_builder_set_member_name (builder, "ConversionImportJobId");
      json_builder_add_int_value (builder, job->token_number);
      json_builder_set_member_name (builder, "OperationTypeId");
      json_builder_add_int_value (builder, entry->operation);
      json_builder_set_member_name (builder, "LogDateTime");
      json_builder_add_string_value (builder, when);
      json_builder_set_member_name (builder, "Message");
      json_builder_add_string_value (builder, entry->message);
      json_builder_set_member_name (builder, "TypeId");
      json_builder_add_int_value (builder, entry->type);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

void
_cd_sandbox_test_uploads (CdSandbox         *self,
                          SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < self->job_order->len; i++)
    {
      CdSandboxJob *job = g_ptr_array_index (self->job_order, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "JobToken");
      json_builder_add_string_value (builder, job->token);
      json_builder_set_member_name (builder, "OrgUnitId");
      json_builder_add_int_value (builder, job->org_unit_id);
      json_builder_set_member_name (builder, "FileName");
      if (job->filename != NULL)
        json_builder_add_string_value (builder, job->filename);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "Size");
      json_builder_add_int_value (builder, job->size);
      json_builder_set_member_name (builder, "Sha256");
      json_builder_add_string_value (builder, job->sha256);
      json_builder_set_member_name (builder, "CallbackUrl");
      if (job->callback_url != NULL)
        json_builder_add_string_value (builder, job->callback_url);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}
