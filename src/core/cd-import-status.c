/* cd-import-status.c: Brightspace's import job statuses and log entries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-import-status.h"
#include "cd-json.h"

static const char * const status_words[] = {
  [CD_IMPORT_STATUS_UPLOADING_LOCAL] = "UPLOADING",
  [CD_IMPORT_STATUS_UPLOADING] = "UPLOADING",
  [CD_IMPORT_STATUS_PROCESSING] = "PROCESSING",
  [CD_IMPORT_STATUS_PROCESSED] = "PROCESSED",
  [CD_IMPORT_STATUS_READYTOIMPORTNATIVELY] = "READYTOIMPORTNATIVELY",
  [CD_IMPORT_STATUS_IMPORTING] = "IMPORTING",
  [CD_IMPORT_STATUS_COMPLETED] = "COMPLETED",
  [CD_IMPORT_STATUS_IMPORT_FAILED] = "IMPORTFAILED",
  [CD_IMPORT_STATUS_TIMEOUT] = "Timeout",
  [CD_IMPORT_STATUS_UNKNOWN] = "UNKNOWN",
};

/* Brightspace spells "Timeout" in mixed case: compare without case. */
CdImportStatus
cd_import_status_from_string (const char *word)
{
  if (word == NULL)
    return CD_IMPORT_STATUS_UNKNOWN;

  for (guint i = CD_IMPORT_STATUS_UPLOADING; i < CD_IMPORT_STATUS_UNKNOWN; i++)
    {
      if (g_ascii_strcasecmp (word, status_words[i]) == 0)
        return (CdImportStatus)i;
    }

  return CD_IMPORT_STATUS_UNKNOWN;
}

const char *
cd_import_status_to_string (CdImportStatus status)
{
  g_return_val_if_fail (status <= CD_IMPORT_STATUS_UNKNOWN, "UNKNOWN");
  return status_words[status];
}

gboolean
cd_import_status_is_final (CdImportStatus status)
{
  return status == CD_IMPORT_STATUS_COMPLETED ||
         status == CD_IMPORT_STATUS_IMPORT_FAILED ||
         status == CD_IMPORT_STATUS_TIMEOUT;
}

/* An unknown status stays at the last stage shown. */
CdImportStage
cd_import_status_get_stage (CdImportStatus status,
                            CdImportStage  previous)
{
  switch (status)
    {
    case CD_IMPORT_STATUS_UPLOADING_LOCAL:
    case CD_IMPORT_STATUS_UPLOADING:
      return CD_IMPORT_STAGE_UPLOAD;
    case CD_IMPORT_STATUS_PROCESSING:
    case CD_IMPORT_STATUS_PROCESSED:
    case CD_IMPORT_STATUS_READYTOIMPORTNATIVELY:
      return CD_IMPORT_STAGE_CONVERT;
    case CD_IMPORT_STATUS_IMPORTING:
      return CD_IMPORT_STAGE_IMPORT;
    case CD_IMPORT_STATUS_COMPLETED:
      return CD_IMPORT_STAGE_DONE;
    case CD_IMPORT_STATUS_IMPORT_FAILED:
    case CD_IMPORT_STATUS_TIMEOUT:
      return CD_IMPORT_STAGE_FAILED;
    case CD_IMPORT_STATUS_UNKNOWN:
    default:
      return previous;
    }
}

const char *
cd_import_stage_get_label (CdImportStage stage)
{
  switch (stage)
    {
    case CD_IMPORT_STAGE_UPLOAD:
      return _("Upload");
    case CD_IMPORT_STAGE_CONVERT:
      return _("Convert");
    case CD_IMPORT_STAGE_IMPORT:
      return _("Import");
    case CD_IMPORT_STAGE_DONE:
      return _("Done");
    case CD_IMPORT_STAGE_FAILED:
    default:
      return _("Failed");
    }
}

G_DEFINE_BOXED_TYPE (CdImportLogEntry, cd_import_log_entry,
                     cd_import_log_entry_copy, cd_import_log_entry_free)

CdImportLogEntry *
cd_import_log_entry_copy (const CdImportLogEntry *entry)
{
  CdImportLogEntry *copy = g_memdup2 (entry, sizeof *entry);

  copy->time = entry->time != NULL ? g_date_time_ref (entry->time) : NULL;
  copy->message = g_strdup (entry->message);

  return copy;
}

void
cd_import_log_entry_free (CdImportLogEntry *entry)
{
  if (entry == NULL)
    return;

  g_clear_pointer (&entry->time, g_date_time_unref);
  g_free (entry->message);
  g_free (entry);
}

/* The docs type these fields as strings in one place and numbers in
 * another: accept both. */
static gint64
member_as_int (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value = 0;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64, &value, NULL);
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    value = (gint64)json_node_get_double (node);

  return value;
}

/**
 * cd_import_log_entry_new_from_json:
 *
 * Returns: (transfer full) (nullable): the entry, or %NULL when @object
 *   has no message
 */
CdImportLogEntry *
cd_import_log_entry_new_from_json (JsonObject *object)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  CdImportLogEntry *entry;
  const char *message;
  const char *time;
  gint64 type;

  message = cd_json_get_string (object, "Message");
  if (message == NULL)
    return NULL;

  entry = g_new0 (CdImportLogEntry, 1);
  entry->message = g_strdup (message);
  entry->id = member_as_int (object, "LogId");
  entry->operation = (int)member_as_int (object, "OperationTypeId");

  type = member_as_int (object, "TypeId");
  entry->type = type == 1 || type == 2 || type == 4 ? (CdImportLogType)type : CD_IMPORT_LOG_SYSTEM;

  time = cd_json_get_string (object, "LogDateTime");
  if (time != NULL)
    entry->time = g_date_time_new_from_iso8601 (time, utc);

  return entry;
}

static int
severity (CdImportLogType type)
{
  switch (type)
    {
    case CD_IMPORT_LOG_ERROR:
      return 0;
    case CD_IMPORT_LOG_WARNING:
      return 1;
    case CD_IMPORT_LOG_SYSTEM:
    case CD_IMPORT_LOG_PROGRESS:
    default:
      return 2;
    }
}

/* Errors first, then warnings, then the rest; in time order within each. */
int
cd_import_log_entry_compare (gconstpointer a,
                             gconstpointer b)
{
  const CdImportLogEntry *x = *(CdImportLogEntry * const *)a;
  const CdImportLogEntry *y = *(CdImportLogEntry * const *)b;
  int by_severity = severity (x->type) - severity (y->type);

  if (by_severity != 0)
    return by_severity;

  if (x->time != NULL && y->time != NULL && !g_date_time_equal (x->time, y->time))
    return g_date_time_compare (x->time, y->time);

  return (x->id > y->id) - (x->id < y->id);
}

const char *
cd_import_log_type_to_string (CdImportLogType type)
{
  switch (type)
    {
    case CD_IMPORT_LOG_ERROR:
      return _("Error");
    case CD_IMPORT_LOG_WARNING:
      return _("Warning");
    case CD_IMPORT_LOG_PROGRESS:
      return _("Progress");
    case CD_IMPORT_LOG_SYSTEM:
    default:
      return _("System");
    }
}
