/* cd-import-job-poll.c: following an import job until Brightspace ends it
 *
 * Polls on GLib timeouts: 1 s at first, ×1.5 while nothing changes up to
 * 15 s, back to 1 s after each change, Retry-After honoured, ±10 % jitter.
 * Only Brightspace ends a job: a final status, or a 404 for the token.
 * Anything else that stops the poller (a rejected key, an untrusted
 * certificate, a refused time, no answer at all for several tries, the
 * local deadline) leaves the job unfinished and resumable, with the reason
 * in CdImportJob:attention.  The deadline caps every wait, and the server
 * is always asked at least once before the job is given up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-client-imports.h"
#include "cd-import-job-private.h"

#define POLL_FACTOR 1.5
/* Polls in a row that got no answer at all before the job asks for
 * attention: about 13 s with the default intervals.  Answers that say
 * "later" (5xx, 429, garbage) retry until the deadline instead. */
#define MAX_NETWORK_FAILURES 5

typedef struct
{
  CdImportJob *job;         /* (owned) */
  guint        generation;
} Call;

static Call *
call_new (CdImportJob *self)
{
  Call *call = g_new0 (Call, 1);

  call->job = g_object_ref (self);
  call->generation = self->generation;
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->job);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

/* Whether the answer to @call still matters: the job may have been stopped
 * (and even resumed) since it was sent. */
static gboolean
call_is_current (Call *call)
{
  return call->job->running && call->generation == call->job->generation;
}

guint
_cd_import_job_next_interval (guint current_ms,
                              guint max_ms)
{
  guint64 next = (guint64)current_ms * 3 / 2;

  return (guint)MIN (next, (guint64)max_ms);
}

/* Milliseconds left before the local deadline; negative once it passed. */
static gint64
remaining_ms (CdImportJob *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GDateTime *since = self->record->started != NULL ? self->record->started : self->followed_since;
  GTimeSpan elapsed = since != NULL ? g_date_time_difference (now, since) : 0;

  return (self->deadline - elapsed) / G_TIME_SPAN_MILLISECOND;
}

static void
give_up (CdImportJob *self)
{
  double hours = (double)self->deadline / G_TIME_SPAN_HOUR;
  g_autofree char *amount = g_strdup_printf ("%g", hours);

  _cd_import_job_need_attention (self,
    g_error_new (CD_JOB_ERROR, CD_JOB_ERROR_TIMED_OUT,
                 /* Translators: %s is a number of hours, such as 36 or 0.5. */
                 g_dngettext (GETTEXT_PACKAGE, "The import did not finish within %s hour; Coursedrop stopped "
                           "following it. It may still finish in Brightspace: check the course, "
                           "or follow the job again.",
                           "The import did not finish within %s hours; Coursedrop stopped "
                           "following it. It may still finish in Brightspace: check the course, "
                           "or follow the job again.",
                           hours == 1.0 ? 1 : 2),
                 amount));
}

static gboolean deadline_cb (gpointer user_data);

static void
arm_deadline (CdImportJob *self)
{
  gint64 left = remaining_ms (self);

  if (self->deadline_source != 0)
    return;

  /* A year does not fit in a guint of milliseconds: wake up and look again. */
  self->deadline_source = g_timeout_add ((guint)CLAMP (left, 0, G_MAXINT32), deadline_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->deadline_source),
                            "[coursedrop] import deadline");
}

/* Fires even while a request is out (a slow server, a long Retry-After
 * inside the client): the deadline caps every wait. */
static gboolean
deadline_cb (gpointer user_data)
{
  CdImportJob *self = user_data;

  self->deadline_source = 0;
  if (remaining_ms (self) > 0)
    arm_deadline (self);
  else
    give_up (self);

  return G_SOURCE_REMOVE;
}

static void poll_now (CdImportJob *self);

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
  double real = delay_ms * g_random_double_range (0.9, 1.1) * self->time_scale;

  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->poll_source = g_timeout_add ((guint)CLAMP (real, 0, G_MAXINT32), poll_timeout_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->poll_source),
                            "[coursedrop] import poll");

  self->poll_delay_ms = delay_ms;
  self->poll_due = g_get_monotonic_time () + (gint64) (CLAMP (real, 0, G_MAXINT32) * 1000);
  g_object_notify_by_pspec (G_OBJECT (self), _cd_import_job_properties[PROP_POLL_INTERVAL]);
}

/* The next poll after @interval_ms, but never past the deadline; once it
 * passed (and the server was asked), the job is given up. */
static void
schedule_next (CdImportJob *self,
               guint        interval_ms)
{
  gint64 left = remaining_ms (self);

  if (left <= 0)
    {
      give_up (self);
      return;
    }

  arm_deadline (self);
  schedule_poll (self, (guint)MIN ((gint64)interval_ms, left));
}

static void
logs_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  CdImportJob *self = call->job;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GError) error = NULL;
  GError *outcome = NULL;

  logs = cd_client_get_import_logs_finish (CD_CLIENT (object), result, &error);
  if (!call_is_current (call))
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
              g_free (self->failure_reason);
              self->failure_reason = g_strdup (entry->message);
              break;
            }
        }
    }
  else
    g_debug ("Could not read the log of job %s: %s", self->record->token, error->message);

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

  _cd_import_job_verify_then_finish (self, outcome);
}

static void
poll_failed (CdImportJob *self,
             GError      *error,
             guint        retry_after_ms)
{
  /* Brightspace says there is no such job: that is its word on it. */
  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND))
    {
      _cd_import_job_finish (self, error);
      return;
    }

  if (!cd_client_error_is_transient (error))
    {
      /* A rejected key or time, an untrusted certificate…: the import goes
       * on in Brightspace, only we cannot see it until someone acts. */
      _cd_import_job_need_attention (self, error);
      return;
    }

  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK))
    self->network_failures++;
  else
    self->network_failures = 0;

  if (self->network_failures >= MAX_NETWORK_FAILURES)
    {
      _cd_import_job_need_attention (self, error);
      return;
    }

  g_debug ("Poll of job %s failed, retrying: %s", self->record->token, error->message);
  _cd_import_job_set_retrying (self, TRUE);
  self->interval_ms = MAX (_cd_import_job_next_interval (self->interval_ms, self->max_ms),
                           retry_after_ms);
  schedule_next (self, self->interval_ms);

  /* Once per attempt, with the real wait (not given up at the deadline). */
  if (self->poll_source != 0)
    _cd_import_job_note_retry (self, error);
  g_error_free (error);
}

static void
status_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  CdImportJob *self = call->job;
  GError *error = NULL;
  g_autofree char *word = NULL;
  guint retry_after_ms = 0;
  CdImportStatus status;

  word = cd_client_get_import_status_finish (CD_CLIENT (object), result, &retry_after_ms, &error);

  if (!call_is_current (call))
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    {
      poll_failed (self, error, retry_after_ms);
      return;
    }

  self->network_failures = 0;
  _cd_import_job_set_retrying (self, FALSE);

  if (g_strcmp0 (word, self->record->status) != 0 ||
      self->status == CD_IMPORT_STATUS_UPLOADING_LOCAL)
    {
      status = cd_import_status_from_string (word);
      if (status == CD_IMPORT_STATUS_UNKNOWN)
        g_message ("Job %s has a status Coursedrop does not know: %s; still following it",
                   self->record->token, word);
      _cd_import_job_set_status (self, status, word);
      self->interval_ms = self->initial_ms;
    }
  else
    self->interval_ms = _cd_import_job_next_interval (self->interval_ms, self->max_ms);

  if (cd_import_status_is_final (self->status))
    {
      /* Brightspace has spoken: the log is fetched whatever the clock says. */
      g_clear_handle_id (&self->deadline_source, g_source_remove);
      cd_client_get_import_logs_async (self->client, self->record->offering, self->record->token,
                                       self->cancellable, logs_cb, call_new (self));
      return;
    }

  self->interval_ms = MAX (self->interval_ms, retry_after_ms);
  schedule_next (self, self->interval_ms);
}

static void
poll_now (CdImportJob *self)
{
  cd_client_get_import_status_async (self->client, self->record->offering, self->record->token,
                                     self->cancellable, status_cb, call_new (self));
}

/* Asks the server at once, whatever the deadline: a job is given up only
 * after an answer (or the lack of one) shows it is still not final. */
void
_cd_import_job_begin_polling (CdImportJob *self)
{
  _cd_import_job_stop_polling (self);
  self->interval_ms = self->initial_ms;
  self->network_failures = 0;

  if (remaining_ms (self) > 0)
    arm_deadline (self);
  poll_now (self);
}

/* Forgets timers and makes the answers to requests still out stale. */
void
_cd_import_job_stop_polling (CdImportJob *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_handle_id (&self->deadline_source, g_source_remove);
  self->generation++;

  if (self->poll_delay_ms != 0)
    {
      self->poll_delay_ms = 0;
      g_object_notify_by_pspec (G_OBJECT (self), _cd_import_job_properties[PROP_POLL_INTERVAL]);
    }
}
