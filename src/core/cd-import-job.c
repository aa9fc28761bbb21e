/* cd-import-job.c: one course import, from upload to a final status
 *
 * Uploads the package (when there is one), records the token in the
 * journal before the first poll, then polls on GLib timeouts: 1 s at first,
 * ×1.5 while nothing changes up to 15 s, back to 1 s after each change,
 * Retry-After honoured, ±10 % jitter.  Transient failures never end a job:
 * they back off and set CdImportJob:retrying.  A final status fetches the
 * logs, so a failure comes with Brightspace's reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-client-imports.h"
#include "cd-import-job.h"

#define POLL_FACTOR 1.5

struct _CdImportJob
{
  GObject         parent_instance;

  CdClient       *client;          /* (owned) */
  CdJobJournal   *journal;         /* (owned) (nullable) */
  CdJobRecord    *record;          /* (owned) */
  CdPackage      *package;         /* (owned) (nullable) */
  char           *package_name;    /* (owned) (nullable) */
  char           *callback_url;    /* (owned) (nullable) */
  GCancellable   *cancellable;     /* (owned) */
  GError         *error;           /* (owned) (nullable) */
  GPtrArray      *logs;            /* (owned) (element-type CdImportLogEntry) */
  char           *failure_reason;  /* (owned) (nullable) */

  CdImportStatus  status;
  CdImportStage   stage;
  goffset         bytes_sent;
  goffset         bytes_total;
  GTimeSpan       deadline;
  gint64          upload_started;  /* monotonic µs */
  double          upload_seconds;
  guint           initial_ms;
  guint           max_ms;
  guint           interval_ms;
  guint           poll_source;

  guint           in_journal : 1;
  guint           running : 1;
  guint           retrying : 1;
  guint           paused : 1;
};

G_DEFINE_QUARK (cd-job-error-quark, cd_job_error)
G_DEFINE_FINAL_TYPE (CdImportJob, cd_import_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TOKEN,
  PROP_STATUS,
  PROP_STATUS_TEXT,
  PROP_STAGE,
  PROP_OFFERING_NAME,
  PROP_BYTES_SENT,
  PROP_BYTES_TOTAL,
  PROP_FINISHED,
  PROP_RETRYING,
  PROP_PAUSED,
  PROP_RUNNING,
  N_PROPS
};

enum {
  STATUS_CHANGED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void poll_now (CdImportJob *self);

typedef void (*SavedFunc) (CdImportJob *self);

typedef struct
{
  CdImportJob *job;   /* (owned) (nullable) */
  SavedFunc    then;  /* (nullable) */
} SaveData;

static void
journal_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!cd_job_journal_save_finish (CD_JOB_JOURNAL (object), result, &error))
    g_warning ("Could not save the job journal: %s", error->message);

  if (data->then != NULL)
    data->then (data->job);
  g_clear_object (&data->job);
  g_free (data);
}

/* Saves off the main thread, then calls @then (nullable) once the journal
 * was written (or could not be). */
static void
save_journal_then (CdImportJob *self,
                   SavedFunc    then)
{
  SaveData *data;

  if (self->journal == NULL)
    {
      if (then != NULL)
        then (self);
      return;
    }

  data = g_new0 (SaveData, 1);
  data->job = then != NULL ? g_object_ref (self) : NULL;
  data->then = then;
  cd_job_journal_save_async (self->journal, NULL, journal_saved_cb, data);
}

static void
save_journal (CdImportJob *self)
{
  save_journal_then (self, NULL);
}

static void
set_bool (CdImportJob *self,
          guint        prop,
          gboolean     value)
{
  gboolean current = prop == PROP_RETRYING ? self->retrying :
                     prop == PROP_PAUSED ? self->paused : self->running;

  if (current == !!value)
    return;

  if (prop == PROP_RETRYING)
    self->retrying = !!value;
  else if (prop == PROP_PAUSED)
    self->paused = !!value;
  else
    self->running = !!value;

  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_status (CdImportJob    *self,
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

  save_journal (self);
  g_signal_emit (self, signals[STATUS_CHANGED], 0, word);
}

static void
clear_poll (CdImportJob *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
}

/* Ends the job; @error NULL means it completed. */
static void
finish (CdImportJob *self,
        GError      *error)
{
  clear_poll (self);
  g_clear_error (&self->error);
  self->error = error;

  g_clear_pointer (&self->record->finished, g_date_time_unref);
  self->record->finished = g_date_time_new_now_utc ();
  g_clear_pointer (&self->record->error, g_free);
  if (error != NULL)
    self->record->error = g_strdup (error->message);
  save_journal (self);

  set_bool (self, PROP_RETRYING, FALSE);
  set_bool (self, PROP_RUNNING, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
  g_signal_emit (self, signals[FINISHED], 0);
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  CdImportJob *self = user_data;

  self->poll_source = 0;
  poll_now (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_poll (CdImportJob *self,
               guint        delay_ms)
{
  /* ±10 % jitter keeps many jobs from polling in lockstep. */
  double jitter = g_random_double_range (0.9, 1.1);

  clear_poll (self);
  self->poll_source = g_timeout_add ((guint)(delay_ms * jitter), poll_timeout_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->poll_source),
                            "[coursedrop] import poll");
}

static guint
grow (CdImportJob *self)
{
  return MIN ((guint)(self->interval_ms * POLL_FACTOR), self->max_ms);
}

static void
logs_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CdImportJob) self = user_data;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GError) error = NULL;
  GError *outcome = NULL;

  logs = cd_client_get_import_logs_finish (CD_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (logs != NULL)
    {
      g_clear_pointer (&self->logs, g_ptr_array_unref);
      self->logs = g_ptr_array_ref (logs);

      for (guint i = 0; i < logs->len; i++)
        {
          CdImportLogEntry *entry = g_ptr_array_index (logs, i);

          if (entry->type == CD_IMPORT_LOG_ERROR)
            {
              self->failure_reason = g_strdup (entry->message);
              break;
            }
        }
    }
  else
    g_warning ("Could not read the import job’s log: %s", error->message);

  if (self->status == CD_IMPORT_STATUS_IMPORT_FAILED)
    outcome = g_error_new (CD_JOB_ERROR, CD_JOB_ERROR_FAILED, _("Import failed: %s"),
                           self->failure_reason != NULL
                             ? self->failure_reason
                             : _("Brightspace gave no reason. Check the course’s import history."));
  else if (self->status == CD_IMPORT_STATUS_TIMEOUT && self->failure_reason != NULL)
    outcome = g_error_new (CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT,
                           _("Brightspace stopped the import because it took too long: %s"),
                           self->failure_reason);
  else if (self->status == CD_IMPORT_STATUS_TIMEOUT)
    outcome = g_error_new_literal (CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT,
                                   _("Brightspace stopped the import because it took too long, "
                                     "and logged no reason."));

  finish (self, outcome);
}

static void
status_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdImportJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *word = NULL;
  guint retry_after_ms = 0;
  CdImportStatus status;

  word = cd_client_get_import_status_finish (CD_CLIENT (object), result, &retry_after_ms, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
    return;

  if (error != NULL)
    {
      if (cd_client_error_is_transient (error))
        {
          g_debug ("Poll of job %s failed, retrying: %s", self->record->token, error->message);
          set_bool (self, PROP_RETRYING, TRUE);
          self->interval_ms = MAX (grow (self), retry_after_ms);
          schedule_poll (self, self->interval_ms);
        }
      else if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN) ||
               g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED))
        {
          /* The sign-in expired: the import goes on on the server, so wait
           * for a new sign-in instead of failing. */
          g_clear_error (&self->error);
          self->error = g_steal_pointer (&error);
          set_bool (self, PROP_RETRYING, FALSE);
          set_bool (self, PROP_PAUSED, TRUE);
        }
      else
        finish (self, g_steal_pointer (&error));

      return;
    }

  set_bool (self, PROP_RETRYING, FALSE);

  if (g_strcmp0 (word, self->record->status) != 0 ||
      self->status == CD_IMPORT_STATUS_UPLOADING_LOCAL)
    {
      status = cd_import_status_from_string (word);
      if (status == CD_IMPORT_STATUS_UNKNOWN)
        g_message ("Job %s has a status Coursedrop does not know: %s; still following it",
                   self->record->token, word);
      set_status (self, status, word);
      self->interval_ms = self->initial_ms;
    }
  else
    self->interval_ms = grow (self);

  if (cd_import_status_is_final (self->status))
    {
      cd_client_get_import_logs_async (self->client, self->record->offering, self->record->token,
                                       self->cancellable, logs_cb, g_object_ref (self));
      return;
    }

  self->interval_ms = MAX (self->interval_ms, retry_after_ms);
  schedule_poll (self, self->interval_ms);
}

static void
poll_now (CdImportJob *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (self->record->started != NULL &&
      g_date_time_difference (now, self->record->started) > self->deadline)
    {
      finish (self, g_error_new (CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT,
                                 _("The import did not finish within %d hours; Coursedrop "
                                   "stopped following it. Check the course in Brightspace."),
                                 (int)(self->deadline / G_TIME_SPAN_HOUR)));
      return;
    }

  cd_client_get_import_status_async (self->client, self->record->offering, self->record->token,
                                     self->cancellable, status_cb, g_object_ref (self));
}

static void
begin_polling (CdImportJob *self)
{
  self->interval_ms = self->initial_ms;
  set_bool (self, PROP_PAUSED, FALSE);
  poll_now (self);
}

static void
upload_progress_cb (goffset  sent,
                    goffset  total,
                    gpointer user_data)
{
  CdImportJob *self = user_data;

  self->bytes_sent = sent;
  if (total != self->bytes_total)
    {
      self->bytes_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TOTAL]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
}

/* The first poll waits until the token is on disk. */
static void
token_saved (CdImportJob *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
  set_status (self, CD_IMPORT_STATUS_UPLOADING, "UPLOADING");

  if (self->running)
    begin_polling (self);
}

static void
recorded_before_polling (CdImportJob *self)
{
  if (self->running)
    begin_polling (self);
}

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdImportJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = cd_client_start_import_finish (CD_CLIENT (object), result, &error);

  if (token == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          error = g_error_new_literal (CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED,
                                       _("The upload was cancelled before Brightspace accepted "
                                         "the package."));
        }
      finish (self, g_steal_pointer (&error));
      return;
    }

  self->upload_seconds = (double)(g_get_monotonic_time () - self->upload_started) / G_USEC_PER_SEC;

  /* The token goes to disk before anything else can go wrong, and before
   * anyone hears of it. */
  self->record->token = g_strdup (token);
  save_journal_then (self, token_saved);
}

void
cd_import_job_start (CdImportJob *self)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  g_return_if_fail (!self->running);

  set_bool (self, PROP_RUNNING, TRUE);

  if (self->record->started == NULL)
    self->record->started = g_date_time_new_now_utc ();

  if (self->journal != NULL && !self->in_journal)
    {
      cd_job_journal_add (self->journal, self->record);
      self->in_journal = TRUE;
    }

  if (self->record->token != NULL)
    {
      save_journal_then (self, recorded_before_polling);
      return;
    }

  save_journal (self);
  self->upload_started = g_get_monotonic_time ();
  cd_client_start_import_async (self->client,
                                cd_package_get_file (self->package),
                                self->record->offering,
                                self->callback_url,
                                upload_progress_cb, g_object_ref (self), g_object_unref,
                                self->cancellable,
                                upload_cb, g_object_ref (self));
}

void
cd_import_job_cancel (CdImportJob *self)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));

  if (!self->running)
    return;

  g_cancellable_cancel (self->cancellable);
  if (self->record->token != NULL)
    {
      /* Only we stop; the job goes on in Brightspace and stays resumable. */
      clear_poll (self);
      set_bool (self, PROP_RETRYING, FALSE);
      set_bool (self, PROP_PAUSED, FALSE);
      set_bool (self, PROP_RUNNING, FALSE);
      save_journal (self);
    }
}

void
cd_import_job_resume (CdImportJob *self,
                      CdClient    *client)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  g_return_if_fail (!client || CD_IS_CLIENT (client));

  if (client != NULL)
    g_set_object (&self->client, client);

  if (self->record->token == NULL || self->record->finished != NULL)
    return;

  g_clear_error (&self->error);
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  set_bool (self, PROP_RUNNING, TRUE);
  begin_polling (self);
}

static void
cd_import_job_dispose (GObject *object)
{
  CdImportJob *self = CD_IMPORT_JOB (object);

  clear_poll (self);
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
  g_clear_pointer (&self->logs, g_ptr_array_unref);
  g_clear_pointer (&self->failure_reason, g_free);

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
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STATUS_CHANGED] = g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cd_import_job_init (CdImportJob *self)
{
  self->cancellable = g_cancellable_new ();
  self->deadline = CD_IMPORT_JOB_DEFAULT_DEADLINE;
  self->initial_ms = 1000;
  self->max_ms = 15000;
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

gboolean
cd_import_job_get_paused (CdImportJob *self)
{
  return self->paused;
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

const GError *
cd_import_job_get_error (CdImportJob *self)
{
  return self->error;
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
