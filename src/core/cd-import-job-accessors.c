/* cd-import-job-accessors.c: the public setters and getters of CdImportJob
 *
 * Plain reads and writes of the job's fields and record, split from
 * cd-import-job.c (the type, its properties and how a run ends) to keep
 * that file short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-import-job-private.h"

#define properties _cd_import_job_properties

void
cd_import_job_set_callback_url (CdImportJob *self,
                                const char  *callback_url)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  g_free (self->callback_url);
  self->callback_url = g_strdup (callback_url);
}

void
cd_import_job_set_deadline (CdImportJob *self,
                            GTimeSpan    deadline)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  self->deadline = deadline;
}

void
cd_import_job_set_time_scale (CdImportJob *self,
                              double       scale)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  g_return_if_fail (scale > 0);
  self->time_scale = scale;
}

void
cd_import_job_set_poll_interval (CdImportJob *self,
                                 guint        initial_ms,
                                 guint        max_ms)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  self->initial_ms = MAX (initial_ms, 1);
  self->max_ms = MAX (max_ms, self->initial_ms);
}

CdClient *
cd_import_job_get_client (CdImportJob *self)
{
  return self->client;
}

CdJobRecord *
cd_import_job_get_record (CdImportJob *self)
{
  return self->record;
}

CdJobJournal *
cd_import_job_get_journal (CdImportJob *self)
{
  return self->journal;
}

CdPackage *
cd_import_job_get_package (CdImportJob *self)
{
  return self->package;
}

const char *
cd_import_job_get_package_name (CdImportJob *self)
{
  if (self->package_name == NULL && self->record->package != NULL)
    self->package_name = g_filename_display_basename (self->record->package);

  return self->package_name;
}

gint64
cd_import_job_get_offering_id (CdImportJob *self)
{
  return self->record->offering;
}

const char *
cd_import_job_get_offering_name (CdImportJob *self)
{
  return self->record->offering_name;
}

void
cd_import_job_set_offering_name (CdImportJob *self,
                                 const char  *name)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));

  if (g_strcmp0 (name, self->record->offering_name) == 0)
    return;

  g_free (self->record->offering_name);
  self->record->offering_name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFERING_NAME]);
  /* Saved at once: a change kept only in memory would make this process's
   * version "newer" forever, and another process's token or end, arriving
   * meanwhile, would wait for a save that never comes. */
  _cd_import_job_save (self);
}

const char *
cd_import_job_get_token (CdImportJob *self)
{
  return self->record->token;
}

CdImportStatus
cd_import_job_get_status (CdImportJob *self)
{
  return self->status;
}

const char *
cd_import_job_get_status_text (CdImportJob *self)
{
  return self->record->status;
}

CdImportStage
cd_import_job_get_stage (CdImportJob *self)
{
  return self->stage;
}

goffset
cd_import_job_get_bytes_sent (CdImportJob *self)
{
  return self->bytes_sent;
}

goffset
cd_import_job_get_bytes_total (CdImportJob *self)
{
  return self->bytes_total;
}

GDateTime *
cd_import_job_get_started (CdImportJob *self)
{
  return self->record->started;
}

GDateTime *
cd_import_job_get_finished (CdImportJob *self)
{
  return self->record->finished;
}

gboolean
cd_import_job_get_retrying (CdImportJob *self)
{
  return self->retrying;
}

/* Waiting for a new sign-in: the attention is a rejected or expired key. */
gboolean
cd_import_job_get_paused (CdImportJob *self)
{
  return g_error_matches (self->attention, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN) ||
         g_error_matches (self->attention, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);
}

const GError *
cd_import_job_get_attention (CdImportJob *self)
{
  return self->attention;
}

const GError *
cd_import_job_get_journal_error (CdImportJob *self)
{
  return self->journal_error;
}

guint
cd_import_job_get_poll_interval (CdImportJob *self)
{
  return self->poll_delay_ms;
}

gboolean
cd_import_job_is_running (CdImportJob *self)
{
  return self->running;
}

gboolean
cd_import_job_succeeded (CdImportJob *self)
{
  return self->record->finished != NULL && self->error == NULL &&
         self->status == CD_IMPORT_STATUS_COMPLETED;
}

/* Seconds from the start of the upload to the token; 0 without one. */
double
cd_import_job_get_upload_seconds (CdImportJob *self)
{
  return self->upload_seconds;
}

/* How the job finished, or else why it needs attention. */
const GError *
cd_import_job_get_error (CdImportJob *self)
{
  return self->error != NULL ? self->error : self->attention;
}

GPtrArray *
cd_import_job_get_logs (CdImportJob *self)
{
  return self->logs;
}

const char *
cd_import_job_get_failure_reason (CdImportJob *self)
{
  return self->failure_reason;
}
