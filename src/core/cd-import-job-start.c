/* cd-import-job-start.c: starting, stopping and resuming an import job
 *
 * Saves the record before the upload (no record, no upload: a token that
 * cannot be recorded could be lost), uploads the package when there is
 * one, and saves the token before the poller (cd-import-job-poll.c) takes
 * over.  Nothing ends inside cd_import_job_start(): every outcome arrives
 * from the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-client-imports.h"
#include "cd-import-job-private.h"

#define properties _cd_import_job_properties

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

/* The whole package went out and no answer came: Brightspace may have
 * started the import.  The attempt stays unfinished in the journal, so the
 * duplicate guard and the job list keep seeing it. */
static void
outcome_unknown (CdImportJob *self)
{
  g_autofree char *name = g_strdup (cd_import_job_get_package_name (self));

  g_free (self->record->status);
  self->record->status = g_strdup (CD_IMPORT_JOB_WORD_OUTCOME_UNKNOWN);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);

  _cd_import_job_need_attention (self,
    g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN,
                 _("Coursedrop sent all of “%s” to Brightspace but got no answer, so it cannot "
                   "tell whether the import started. Check the course’s import history in "
                   "Brightspace before importing this package again."),
                 name != NULL ? name : "?"));
}

static void token_saved (CdImportJob *self,
                         gboolean     saved);

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdImportJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const char *sha256 = cd_client_start_import_get_sha256 (result);
  const char *quick_key = cd_client_start_import_get_quick_key (result);

  /* The digests of what was sent (the file may have changed since it was
   * checked), for the duplicate guard: saved with the token, or with an
   * unknown outcome. */
  if (sha256 != NULL && quick_key != NULL)
    {
      g_free (self->record->sha256);
      self->record->sha256 = g_strdup (sha256);
      g_free (self->record->quick_key);
      self->record->quick_key = g_strdup (quick_key);
    }
  token = cd_client_start_import_finish (CD_CLIENT (object), result, &error);

  if (token == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _cd_import_job_finish (self,
          g_error_new_literal (CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED,
                               _("The upload was stopped before Brightspace received the whole "
                                 "package; nothing was imported.")));
      else if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN))
        outcome_unknown (self);
      else
        _cd_import_job_finish (self, g_steal_pointer (&error));
      return;
    }

  self->upload_seconds = (double)(g_get_monotonic_time () - self->upload_started) / G_USEC_PER_SEC;

  /* The token goes to disk before anything else can go wrong, and before
   * anyone hears of it.  Should that fail, the job still goes on: the
   * token is shown, and journal-error says what is missing. */
  self->record->token = g_strdup (token);
  _cd_import_job_save_then (self, token_saved);
}

static void
token_saved (CdImportJob *self,
             gboolean     saved)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
  _cd_import_job_set_status (self, CD_IMPORT_STATUS_UPLOADING, "UPLOADING");

  if (self->stopping)
    {
      /* Stopped while the answer was on its way: no request follows. */
      self->stopping = FALSE;
      _cd_import_job_set_running (self, FALSE);
      return;
    }

  _cd_import_job_begin_polling (self);
}

static void
start_upload (CdImportJob *self)
{
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      /* Stopped while the attempt was being recorded. */
      self->stopping = FALSE;
      _cd_import_job_finish (self,
        g_error_new_literal (CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED,
                             _("The import was stopped before the upload began; nothing was "
                               "imported.")));
      return;
    }

  self->upload_started = g_get_monotonic_time ();
  cd_client_start_import_async (self->client,
                                cd_package_get_file (self->package),
                                self->record->offering,
                                self->callback_url,
                                upload_progress_cb, g_object_ref (self), g_object_unref,
                                self->cancellable,
                                upload_cb, g_object_ref (self));
}

/* A record without token or package: nothing to send, nothing to follow.
 * That is known inside cd_import_job_start(), so it waits for the main
 * loop: the caller has connected and runs its loop when it arrives. */
static gboolean
nothing_to_do_cb (gpointer user_data)
{
  CdImportJob *self = user_data;

  self->start_source = 0;
  _cd_import_job_set_running (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
attempt_recorded (CdImportJob *self,
                  gboolean     saved)
{
  if (saved)
    {
      /* The offering as it was, so that only what this import adds counts. */
      _cd_import_job_verify_before (self, start_upload);
      return;
    }

  /* No record, no upload: its token could be lost. */
  if (self->in_journal)
    cd_job_journal_remove (self->journal, self->record);
  self->in_journal = FALSE;
  _cd_import_job_finish (self, g_error_copy (self->journal_error));
}

void
cd_import_job_start (CdImportJob *self)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  g_return_if_fail (!self->running);

  /* Only an upload of ours has a start we know; a job followed by its
   * token started whenever someone else started it. */
  if (self->record->started == NULL && self->record->token == NULL)
    self->record->started = g_date_time_new_now_utc ();
  if (self->followed_since == NULL)
    self->followed_since = g_date_time_new_now_utc ();

  _cd_import_job_set_running (self, TRUE);

  if (self->journal != NULL && !self->in_journal)
    {
      cd_job_journal_add (self->journal, self->record);
      self->in_journal = TRUE;
    }

  if (self->record->token != NULL)
    {
      _cd_import_job_save (self);
      _cd_import_job_begin_polling (self);
      return;
    }

  if (self->package != NULL)
    {
      _cd_import_job_save_then (self, attempt_recorded);
      return;
    }

  self->start_source = g_idle_add_full (G_PRIORITY_DEFAULT, nothing_to_do_cb,
                                        g_object_ref (self), g_object_unref);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->start_source),
                            "[coursedrop] import start");
}

/**
 * cd_import_job_stop:
 *
 * Stops uploading and following, for a sign-out, an account switch or a
 * Ctrl+C: no request is sent afterwards.  A job with a token stops at once
 * and stays resumable (it goes on in Brightspace).  An upload stops when
 * the client lets go of it: CdImportJob:running turns %FALSE then, the
 * job finished as cancelled when the package did not reach Brightspace,
 * or needing attention when the outcome is unknown.
 */
void
cd_import_job_stop (CdImportJob *self)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));

  if (!self->running)
    return;

  /* It ends from the main loop already. */
  if (self->start_source != 0)
    return;

  if (self->record->token == NULL)
    {
      self->stopping = TRUE;
      g_cancellable_cancel (self->cancellable);
      return;
    }

  _cd_import_job_stop_polling (self);
  _cd_import_job_renew_cancellable (self);
  _cd_import_job_set_retrying (self, FALSE);
  _cd_import_job_save (self);
  _cd_import_job_set_running (self, FALSE);
}

void
cd_import_job_cancel (CdImportJob *self)
{
  cd_import_job_stop (self);
}

void
cd_import_job_resume (CdImportJob *self,
                      CdClient    *client)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  g_return_if_fail (!client || CD_IS_CLIENT (client));

  if (client != NULL)
    g_set_object (&self->client, client);

  if (self->running || self->record->token == NULL || self->record->finished != NULL)
    return;

  g_clear_pointer (&self->record->error, g_free);
  _cd_import_job_set_attention (self, NULL);
  if (g_cancellable_is_cancelled (self->cancellable))
    _cd_import_job_renew_cancellable (self);
  _cd_import_job_set_running (self, TRUE);
  _cd_import_job_begin_polling (self);
}

gboolean
cd_import_job_record_outcome_unknown (const CdJobRecord *record)
{
  return record->token == NULL && record->finished == NULL &&
         g_strcmp0 (record->status, CD_IMPORT_JOB_WORD_OUTCOME_UNKNOWN) == 0;
}
