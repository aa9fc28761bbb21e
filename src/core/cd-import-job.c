/* cd-import-job.c: one course import, from upload to a final status
 *
 * The type, its properties and the three ways a run ends: finished (only
 * by Brightspace's word, or an upload that reached nothing), needing
 * attention (unfinished, resumable), or stopped.  Starting and stopping
 * are in cd-import-job-start.c, polling in cd-import-job-poll.c, the
 * public getters and setters in cd-import-job-accessors.c and journal saves
 * in cd-import-job-journal.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-client-imports.h"
#include "cd-import-job-private.h"

G_DEFINE_QUARK (cd-job-error-quark, cd_job_error)
G_DEFINE_FINAL_TYPE (CdImportJob, cd_import_job, G_TYPE_OBJECT)

enum {
  STATUS_CHANGED,
  FINISHED,
  RETRY,
  N_SIGNALS
};

GParamSpec *_cd_import_job_properties[N_PROPS];
#define properties _cd_import_job_properties
static guint signals[N_SIGNALS];

void
_cd_import_job_set_running (CdImportJob *self,
                            gboolean     running)
{
  if (self->running == !!running)
    return;

  self->running = !!running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
_cd_import_job_set_retrying (CdImportJob *self,
                             gboolean     retrying)
{
  if (self->retrying == !!retrying)
    return;

  self->retrying = !!retrying;
  if (!retrying)
    _cd_import_job_clear_retry (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRYING]);
}

void
_cd_import_job_emit_retry (CdImportJob *self)
{
  g_signal_emit (self, signals[RETRY], 0);
}

void
_cd_import_job_renew_cancellable (CdImportJob *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

void
_cd_import_job_set_attention (CdImportJob *self,
                              GError      *attention)
{
  if (self->attention == NULL && attention == NULL)
    return;

  g_clear_error (&self->attention);
  self->attention = attention;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

void
_cd_import_job_set_status (CdImportJob    *self,
                           CdImportStatus  status,
                           const char     *word)
{
  CdImportStage stage = cd_import_status_get_stage (status, self->stage);

  self->status = status;
  g_free (self->record->status);
  self->record->status = g_strdup (word);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);

  if (stage != self->stage)
    {
      self->stage = stage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }

  _cd_import_job_save (self);
  g_signal_emit (self, signals[STATUS_CHANGED], 0, word);
}

/* Ends the job for good; @error (transfer full) NULL means it completed.
 * Only Brightspace's word (a final status, a 404 for the token) ends a job
 * with a token; without one, it ends an upload that reached nothing. */
void
_cd_import_job_finish (CdImportJob *self,
                       GError      *error)
{
  _cd_import_job_stop_polling (self);
  g_clear_error (&self->error);
  self->error = error;
  self->stopping = FALSE;
  _cd_import_job_set_attention (self, NULL);

  g_clear_pointer (&self->record->finished, g_date_time_unref);
  self->record->finished = g_date_time_new_now_utc ();
  g_clear_pointer (&self->record->error, g_free);
  if (error != NULL)
    self->record->error = g_strdup (error->message);
  _cd_import_job_save (self);

  _cd_import_job_set_retrying (self, FALSE);
  _cd_import_job_set_running (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
  g_signal_emit (self, signals[FINISHED], 0);
}

/* Stops, unfinished and resumable, until someone acts on @error
 * (transfer full): signs in again, trusts the certificate, fixes the
 * clock, reconnects, or just tries again. */
void
_cd_import_job_need_attention (CdImportJob *self,
                               GError      *error)
{
  _cd_import_job_stop_polling (self);
  _cd_import_job_renew_cancellable (self);
  self->stopping = FALSE;

  g_free (self->record->error);
  self->record->error = g_strdup (error->message);
  _cd_import_job_save (self);

  _cd_import_job_set_retrying (self, FALSE);
  _cd_import_job_set_attention (self, error);
  _cd_import_job_set_running (self, FALSE);
}

static void
cd_import_job_dispose (GObject *object)
{
  CdImportJob *self = CD_IMPORT_JOB (object);

  g_clear_handle_id (&self->start_source, g_source_remove);
  _cd_import_job_stop_polling (self);
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (cd_import_job_parent_class)->dispose (object);
}

static void
cd_import_job_finalize (GObject *object)
{
  CdImportJob *self = CD_IMPORT_JOB (object);

  g_clear_object (&self->client);
  g_clear_object (&self->journal);
  g_clear_pointer (&self->record, cd_job_record_unref);
  g_clear_object (&self->package);
  g_clear_pointer (&self->package_name, g_free);
  g_clear_pointer (&self->callback_url, g_free);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_error (&self->attention);
  g_clear_error (&self->journal_error);
  g_clear_pointer (&self->logs, g_ptr_array_unref);
  g_clear_pointer (&self->failure_reason, g_free);
  g_clear_pointer (&self->retry_reason, g_free);
  g_clear_pointer (&self->followed_since, g_date_time_unref);
  g_clear_object (&self->preview);
  g_clear_pointer (&self->before, cd_content_snapshot_free);
  g_clear_pointer (&self->verification, cd_verification_free);

  G_OBJECT_CLASS (cd_import_job_parent_class)->finalize (object);
}

static void
cd_import_job_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CdImportJob *self = CD_IMPORT_JOB (object);

  switch (prop_id)
    {
    case PROP_TOKEN:
      g_value_set_string (value, self->record->token);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->record->status);
      break;
    case PROP_STAGE:
      g_value_set_int (value, self->stage);
      break;
    case PROP_OFFERING_NAME:
      g_value_set_string (value, self->record->offering_name);
      break;
    case PROP_BYTES_SENT:
      g_value_set_int64 (value, self->bytes_sent);
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_int64 (value, self->bytes_total);
      break;
    case PROP_FINISHED:
      g_value_set_boxed (value, self->record->finished);
      break;
    case PROP_RETRYING:
      g_value_set_boolean (value, self->retrying);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, cd_import_job_get_paused (self));
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_ATTENTION:
      g_value_set_boxed (value, self->attention);
      break;
    case PROP_JOURNAL_ERROR:
      g_value_set_boxed (value, self->journal_error);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_delay_ms);
      break;
    case PROP_VERIFICATION:
      g_value_set_pointer (value, self->verification);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_import_job_class_init (CdImportJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cd_import_job_dispose;
  object_class->finalize = cd_import_job_finalize;
  object_class->get_property = cd_import_job_get_property;

  properties[PROP_TOKEN] = g_param_spec_string ("token", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL,
                                              0, CD_IMPORT_STATUS_UNKNOWN, 0, flags);
  properties[PROP_STATUS_TEXT] = g_param_spec_string ("status-text", NULL, NULL, NULL, flags);
  properties[PROP_STAGE] = g_param_spec_int ("stage", NULL, NULL,
                                             0, CD_IMPORT_STAGE_FAILED, 0, flags);
  properties[PROP_OFFERING_NAME] = g_param_spec_string ("offering-name", NULL, NULL, NULL, flags);
  properties[PROP_BYTES_SENT] = g_param_spec_int64 ("bytes-sent", NULL, NULL,
                                                    0, G_MAXINT64, 0, flags);
  properties[PROP_BYTES_TOTAL] = g_param_spec_int64 ("bytes-total", NULL, NULL,
                                                     0, G_MAXINT64, 0, flags);
  properties[PROP_FINISHED] = g_param_spec_boxed ("finished", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_RETRYING] = g_param_spec_boolean ("retrying", NULL, NULL, FALSE, flags);
  properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE, flags);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  /* Why the job stopped unfinished (a GError); cd_import_job_resume()
   * goes on once the cause is dealt with. */
  properties[PROP_ATTENTION] = g_param_spec_boxed ("attention", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_JOURNAL_ERROR] = g_param_spec_boxed ("journal-error", NULL, NULL,
                                                       G_TYPE_ERROR, flags);
  /* Milliseconds before the next poll (before jitter); 0 when none is due. */
  properties[PROP_POLL_INTERVAL] = g_param_spec_uint ("poll-interval", NULL, NULL,
                                                      0, G_MAXUINT, 0, flags);
  /* (type CdVerification) (nullable): see cd_import_job_get_verification(). */
  properties[PROP_VERIFICATION] = g_param_spec_pointer ("verification", NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STATUS_CHANGED] = g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Once per attempt that got no answer: see cd_import_job_dup_retry_message(). */
  signals[RETRY] = g_signal_new ("retry", G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cd_import_job_init (CdImportJob *self)
{
  self->cancellable = g_cancellable_new ();
  self->deadline = CD_IMPORT_JOB_DEFAULT_DEADLINE;
  self->verify = TRUE;
  self->initial_ms = 1000;
  self->max_ms = 15000;
  self->time_scale = 1.0;
  self->status = CD_IMPORT_STATUS_UPLOADING_LOCAL;
  self->stage = CD_IMPORT_STAGE_UPLOAD;
}

static CdImportJob *
job_new (CdClient     *client,
         CdJobJournal *journal,
         CdJobRecord  *record)
{
  CdImportJob *self = g_object_new (CD_TYPE_IMPORT_JOB, NULL);

  self->client = g_object_ref (client);
  self->journal = journal != NULL ? g_object_ref (journal) : NULL;
  self->record = record;

  if (record->status != NULL)
    {
      self->status = cd_import_status_from_string (record->status);
      self->stage = cd_import_status_get_stage (self->status, CD_IMPORT_STAGE_UPLOAD);
    }
  _cd_import_job_load_verification (self);

  return self;
}

CdImportJob *
cd_import_job_new_for_package (CdClient     *client,
                               CdJobJournal *journal,
                               CdPackage    *package,
                               gint64        offering_id)
{
  CdJobRecord *record;
  CdImportJob *self;

  g_return_val_if_fail (CD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (CD_IS_PACKAGE (package), NULL);
  g_return_val_if_fail (offering_id > 0, NULL);

  record = cd_job_record_new ();
  record->host = g_strdup (cd_client_get_host (client));
  record->offering = offering_id;
  record->package = g_strdup (cd_package_get_path (package));
  record->sha256 = g_strdup (cd_package_get_sha256 (package));
  record->quick_key = g_strdup (cd_package_get_quick_key (package));
  record->bytes = cd_package_get_size (package);

  self = job_new (client, journal, record);
  self->package = g_object_ref (package);
  self->bytes_total = MAX (0, record->bytes);

  return self;
}

CdImportJob *
cd_import_job_new_for_token (CdClient     *client,
                             CdJobJournal *journal,
                             gint64        offering_id,
                             const char   *token)
{
  CdJobRecord *record;
  CdJobRecord *known;
  CdImportJob *self;

  g_return_val_if_fail (CD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (offering_id > 0, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  known = journal != NULL ? cd_job_journal_find (journal, cd_client_get_host (client), token) : NULL;
  if (known != NULL && known->offering == offering_id)
    {
      /* Following it again: forget the last outcome. */
      g_clear_pointer (&known->finished, g_date_time_unref);
      g_clear_pointer (&known->error, g_free);
      self = job_new (client, journal, cd_job_record_ref (known));
      self->in_journal = TRUE;
      return self;
    }

  record = cd_job_record_new ();
  record->host = g_strdup (cd_client_get_host (client));
  record->offering = offering_id;
  record->token = g_strdup (token);

  return job_new (client, journal, record);
}

CdImportJob *
cd_import_job_new_for_record (CdClient     *client,
                              CdJobJournal *journal,
                              CdJobRecord  *record)
{
  CdImportJob *self;

  g_return_val_if_fail (CD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (record != NULL, NULL);

  self = job_new (client, journal, cd_job_record_ref (record));
  self->in_journal = journal != NULL;
  return self;
}
