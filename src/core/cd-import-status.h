/* cd-import-status.h: Brightspace's import job statuses and log entries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The documented COI_IMPORTJOBTSTATUS_T values, the undocumented ones seen
 * in the wild, and UNKNOWN for anything else (kept raw, still running). */
typedef enum {
  CD_IMPORT_STATUS_UPLOADING_LOCAL,  /* our upload, before there is a token */
  CD_IMPORT_STATUS_UPLOADING,
  CD_IMPORT_STATUS_PROCESSING,
  CD_IMPORT_STATUS_PROCESSED,
  CD_IMPORT_STATUS_READYTOIMPORTNATIVELY,
  CD_IMPORT_STATUS_IMPORTING,
  CD_IMPORT_STATUS_COMPLETED,
  CD_IMPORT_STATUS_IMPORT_FAILED,
  CD_IMPORT_STATUS_TIMEOUT,
  CD_IMPORT_STATUS_UNKNOWN,
} CdImportStatus;

/* The stepper the window shows: Upload → Convert → Import → Done. */
typedef enum {
  CD_IMPORT_STAGE_UPLOAD,
  CD_IMPORT_STAGE_CONVERT,
  CD_IMPORT_STAGE_IMPORT,
  CD_IMPORT_STAGE_DONE,
  CD_IMPORT_STAGE_FAILED,
} CdImportStage;

CdImportStatus  cd_import_status_from_string (const char     *word);
const char     *cd_import_status_to_string   (CdImportStatus  status);
gboolean        cd_import_status_is_final    (CdImportStatus  status);
CdImportStage   cd_import_status_get_stage   (CdImportStatus  status,
                                              CdImportStage   previous);
const char     *cd_import_stage_get_label    (CdImportStage   stage);

/* COI_IMPORTLOGMESSAGE_T */
typedef enum {
  CD_IMPORT_LOG_SYSTEM = 0,
  CD_IMPORT_LOG_PROGRESS = 1,
  CD_IMPORT_LOG_WARNING = 2,
  CD_IMPORT_LOG_ERROR = 4,
} CdImportLogType;

#define CD_TYPE_IMPORT_LOG_ENTRY (cd_import_log_entry_get_type ())

typedef struct
{
  gint64           id;
  CdImportLogType  type;
  int              operation;  /* 1 conversion, 2 import */
  GDateTime       *time;       /* (owned) (nullable) */
  char            *message;    /* (owned) */
} CdImportLogEntry;

GType             cd_import_log_entry_get_type  (void) G_GNUC_CONST;
CdImportLogEntry *cd_import_log_entry_copy      (const CdImportLogEntry *entry);
void              cd_import_log_entry_free      (CdImportLogEntry       *entry);
CdImportLogEntry *cd_import_log_entry_new_from_json (JsonObject *object);
int               cd_import_log_entry_compare   (gconstpointer           a,
                                                 gconstpointer           b);
const char       *cd_import_log_type_to_string  (CdImportLogType         type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdImportLogEntry, cd_import_log_entry_free)

G_END_DECLS
