/* cd-batch-run.c: creating the plan's offerings, then the import scheduler
 *
 * Up to CdBatch:parallel CdImportJobs run at once; a job counts until it
 * stops running, i.e. until Brightspace gave a final status (or it needs
 * attention).  An upload refused with 429 reached nothing: its journal
 * record is dropped, its row goes back to the front of the queue, and no
 * new job starts until the Retry-After the session saw has passed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-batch-private.h"

/* When a 429 came without a readable Retry-After. */
#define DEFAULT_PAUSE_MS 2000

static void schedule (CdBatch *self);
static void create_next (CdBatch *self);

static void
run_complete (CdBatch *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->run_task);
  gboolean all_done = TRUE;

  if (task == NULL)
    return;

  g_clear_handle_id (&self->resume_source, g_source_remove);
  _cd_batch_unwatch_session (self);

  if (self->stopping)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The batch was stopped; run it again to go on."));
      return;
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      CdBatchRow *row = g_ptr_array_index (self->rows, i);

      all_done &= row->state == CD_BATCH_ROW_IMPORTED || row->state == CD_BATCH_ROW_SKIPPED;
    }

  g_task_return_boolean (task, all_done);
}

/* --- offerings ------------------------------------------------------------------ */

static gboolean
same_new_offering (CdBatchRow *a,
                   CdBatchRow *b)
{
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;

  if (!a->create || !b->create)
    return FALSE;
  ka = g_utf8_casefold (a->plan_row->code, -1);
  kb = g_utf8_casefold (b->plan_row->code, -1);
  return g_strcmp0 (ka, kb) == 0;
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CdBatch) self = user_data;
  CdBatchRow *first = g_ptr_array_index (self->rows, self->create_index);
  g_autoptr(CdOrgUnit) unit = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  unit = cd_org_units_create_offering_finish (CD_ORG_UNITS (object), result, &created, &error);
  if (self->run_task == NULL)
    return;

  /* Every row that names this offering gets its ID, or its failure. */
  for (guint i = self->create_index; i < self->rows->len; i++)
    {
      CdBatchRow *row = g_ptr_array_index (self->rows, i);

      if (row->state != CD_BATCH_ROW_READY || !same_new_offering (first, row))
        continue;

      if (unit != NULL)
        {
          row->offering_id = unit->id;
          g_signal_emit (self, _cd_batch_signals[CD_BATCH_SIGNAL_OFFERING_READY], 0,
                         row->index, created);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&row->error);
          row->error = g_error_copy (error);
          _cd_batch_set_state (self, row, CD_BATCH_ROW_FAILED, error->message);
        }
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->stopping = TRUE;
      run_complete (self);
      return;
    }

  self->create_index++;
  create_next (self);
}

static void
create_next (CdBatch *self)
{
  const CdOrgUnit *template, *semester;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  CdOfferingRequest request = { 0 };
  const CdPlanRow *plan;
  CdBatchRow *row = NULL;

  for (; self->create_index < self->rows->len; self->create_index++)
    {
      row = g_ptr_array_index (self->rows, self->create_index);
      if (row->create && row->state == CD_BATCH_ROW_READY && row->offering_id == 0)
        break;
    }

  if (self->create_index >= self->rows->len || self->stopping)
    {
      for (guint i = 0; i < self->rows->len; i++)
        {
          row = g_ptr_array_index (self->rows, i);
          if (row->state == CD_BATCH_ROW_READY && row->offering_id > 0)
            g_queue_push_tail (&self->queue, GUINT_TO_POINTER (i));
        }
      schedule (self);
      return;
    }

  plan = row->plan_row;
  template = _cd_batch_cached_unit (self, self->templates, plan->template);
  semester = _cd_batch_cached_unit (self, self->semesters, plan->semester);
  start = plan->start ? cd_org_units_parse_date (plan->start, NULL) : NULL;
  end = plan->end ? cd_org_units_parse_date (plan->end, NULL) : NULL;

  request.code = plan->code;
  request.name = plan->name;
  request.template_id = template ? template->id : 0;
  request.semester_id = semester ? semester->id : 0;
  request.start = start;
  request.end = end;

  cd_org_units_create_offering_async (self->units, &request,
                                      g_task_get_cancellable (self->run_task),
                                      created_cb, g_object_ref (self));
}

/* --- jobs ------------------------------------------------------------------------- */

static void
count_logs (CdBatchRow  *row,
            CdImportJob *job)
{
  GPtrArray *logs = cd_import_job_get_logs (job);

  row->warnings = row->errors = 0;
  for (guint i = 0; logs != NULL && i < logs->len; i++)
    {
      CdImportLogEntry *entry = g_ptr_array_index (logs, i);

      row->warnings += entry->type == CD_IMPORT_LOG_WARNING;
      row->errors += entry->type == CD_IMPORT_LOG_ERROR;
    }
}

static void
copy_job (CdBatchRow  *row,
          CdImportJob *job)
{
  GDateTime *started = cd_import_job_get_started (job);
  GDateTime *finished = cd_import_job_get_finished (job);

  g_free (row->token);
  row->token = g_strdup (cd_import_job_get_token (job));
  g_free (row->status);
  row->status = g_strdup (cd_import_job_get_status_text (job));
  g_clear_pointer (&row->started, g_date_time_unref);
  row->started = started ? g_date_time_ref (started) : NULL;
  g_clear_pointer (&row->finished, g_date_time_unref);
  row->finished = finished ? g_date_time_ref (finished) : NULL;
  count_logs (row, job);
}

static gboolean
drop_job_cb (gpointer job)
{
  g_object_unref (job);
  return G_SOURCE_REMOVE;
}

/* A 429 on the upload: Brightspace has nothing, so nothing is recorded
 * and the row waits its turn again. */
static void
requeue (CdBatch     *self,
         CdBatchRow  *row,
         CdImportJob *job)
{
  guint wait_ms;

  cd_job_journal_remove (self->journal, cd_import_job_get_record (job));
  cd_job_journal_save_async (self->journal, NULL, NULL, NULL);

  if (!_cd_batch_paused (self, &wait_ms))
    {
      g_mutex_lock (&self->watch->lock);
      self->watch->pause_until = g_get_monotonic_time () + DEFAULT_PAUSE_MS * 1000;
      g_mutex_unlock (&self->watch->lock);
    }

  g_clear_pointer (&row->started, g_date_time_unref);
  g_queue_push_head (&self->queue, GUINT_TO_POINTER (row->index));
  _cd_batch_set_state (self, row, CD_BATCH_ROW_READY, NULL);
}

static void
job_ended (CdBatch     *self,
           CdBatchRow  *row,
           CdImportJob *job)
{
  const GError *error = cd_import_job_get_error (job);
  const GError *attention = cd_import_job_get_attention (job);

  copy_job (row, job);
  g_clear_error (&row->error);

  if (cd_import_job_get_finished (job) != NULL && error == NULL)
    {
      g_clear_pointer (&row->message, g_free);
      _cd_batch_set_state (self, row, CD_BATCH_ROW_IMPORTED, NULL);
    }
  else if (cd_import_job_get_finished (job) != NULL &&
           g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_RATE_LIMITED) &&
           row->token == NULL && !self->stopping)
    requeue (self, row, job);
  else if (cd_import_job_get_finished (job) != NULL &&
           !g_error_matches (error, CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED))
    {
      const char *reason = cd_import_job_get_failure_reason (job);

      row->error = g_error_copy (error);
      _cd_batch_set_state (self, row, CD_BATCH_ROW_FAILED, reason ? reason : error->message);
    }
  else
    {
      /* Unfinished: stopped by us, or waiting for someone to act. */
      if (attention != NULL)
        row->error = g_error_copy (attention);
      _cd_batch_set_state (self, row, CD_BATCH_ROW_UNFINISHED,
                           attention ? attention->message : _("interrupted; run the plan again "
                                                              "to go on"));
    }
}

static void
job_running_cb (CdImportJob *job,
                GParamSpec  *pspec,
                CdBatch     *self)
{
  CdBatchRow *row = g_hash_table_lookup (self->jobs, job);

  if (cd_import_job_is_running (job) || row == NULL)
    return;

  g_signal_handlers_disconnect_by_data (job, self);
  g_hash_table_steal (self->jobs, job);
  /* Not from inside the job's own notification. */
  g_idle_add (drop_job_cb, job);
  self->running--;

  job_ended (self, row, job);
  schedule (self);
}

static void
job_retry_cb (CdImportJob *job,
              CdBatch     *self)
{
  CdBatchRow *row = g_hash_table_lookup (self->jobs, job);

  if (row != NULL)
    g_signal_emit (self, _cd_batch_signals[CD_BATCH_SIGNAL_JOB_RETRY], 0, row->index, job);
}

static void
start_row (CdBatch    *self,
           CdBatchRow *row)
{
  CdImportJob *job;

  if (row->resume != NULL)
    job = cd_import_job_new_for_record (self->client, self->journal, row->resume);
  else
    job = cd_import_job_new_for_package (self->client, self->journal,
                                         _cd_batch_cached_package (self, row->plan_row->package),
                                         row->offering_id);
  if (row->offering_name != NULL)
    cd_import_job_set_offering_name (job, row->offering_name);
  if (self->poll_initial_ms > 0)
    cd_import_job_set_poll_interval (job, self->poll_initial_ms, self->poll_max_ms);

  g_hash_table_insert (self->jobs, job, row);
  g_signal_connect (job, "notify::running", G_CALLBACK (job_running_cb), self);
  g_signal_connect (job, "retry", G_CALLBACK (job_retry_cb), self);
  self->running++;
  self->max_running = MAX (self->max_running, self->running);

  g_clear_pointer (&row->started, g_date_time_unref);
  row->started = g_date_time_new_now_utc ();
  _cd_batch_set_state (self, row, CD_BATCH_ROW_RUNNING, NULL);

  g_signal_emit (self, _cd_batch_signals[CD_BATCH_SIGNAL_JOB_STARTED], 0, row->index, job);
  cd_import_job_start (job);
}

static gboolean
resume_cb (gpointer user_data)
{
  CdBatch *self = user_data;

  self->resume_source = 0;
  schedule (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (CdBatch *self)
{
  guint wait_ms;

  if (self->run_task == NULL)
    return;

  if (self->stopping)
    {
      if (self->running == 0)
        run_complete (self);
      return;
    }

  if (!g_queue_is_empty (&self->queue) && _cd_batch_paused (self, &wait_ms))
    {
      if (self->resume_source == 0)
        {
          self->resume_source = g_timeout_add (wait_ms, resume_cb, self);
          g_signal_emit (self, _cd_batch_signals[CD_BATCH_SIGNAL_PAUSED], 0,
                         (wait_ms + 999) / 1000);
        }
      return;
    }

  while (self->running < self->parallel && !g_queue_is_empty (&self->queue) && !self->stopping)
    start_row (self, g_ptr_array_index (self->rows,
                                        GPOINTER_TO_UINT (g_queue_pop_head (&self->queue))));

  if (self->running == 0 && g_queue_is_empty (&self->queue))
    run_complete (self);
}

void
cd_batch_run_async (CdBatch             *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (CD_IS_BATCH (self));
  g_return_if_fail (self->checked && self->run_task == NULL);

  self->run_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->run_task, cd_batch_run_async);
  self->stopping = FALSE;
  self->create_index = 0;
  _cd_batch_watch_session (self);

  create_next (self);
}

gboolean
cd_batch_run_finish (CdBatch       *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cd_batch_stop (CdBatch *self)
{
  g_autoptr(GList) jobs = NULL;

  g_return_if_fail (CD_IS_BATCH (self));

  if (self->run_task == NULL || self->stopping)
    return;

  self->stopping = TRUE;
  g_clear_handle_id (&self->resume_source, g_source_remove);

  /* A job may report at once; the table must not change under the loop. */
  jobs = g_hash_table_get_keys (self->jobs);
  for (GList *l = jobs; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = jobs; l != NULL; l = l->next)
    {
      cd_import_job_stop (l->data);
      g_object_unref (l->data);
    }

  schedule (self);
}

void
_cd_batch_release_jobs (CdBatch *self)
{
  GHashTableIter iter;
  gpointer job;

  if (self->jobs == NULL)
    return;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, &job, NULL))
    g_signal_handlers_disconnect_by_data (job, self);
  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, &job, NULL))
    cd_import_job_stop (job);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
}
