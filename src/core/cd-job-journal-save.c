/* cd-job-journal-save.c: saving the journal, and seeing other processes' saves
 *
 * A save sends only what changed here since the last save (the records
 * whose fingerprint differs from the one last written or read, and the ids
 * removed here) to a locked read-merge-write on the worker thread.  What
 * comes back is the whole journal as written: records another process
 * added, changed or removed are brought into memory, unless this process
 * changed them again meanwhile, and CdJobJournal::changed says so.  Each
 * operation has a number, so that the answer of an older one never
 * overrides what a newer one knows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <stdlib.h>
#include <glib/gi18n-lib.h>

#include "cd-job-journal-private.h"

/* Ignore a burst of file events: one re-read after it is enough. */
#define REFRESH_DELAY_MS 50

/* Collects this process's changes since the last save. */
static CdJournalOp *
prepare (CdJobJournal *self,
         gboolean      write)
{
  CdJournalOp *op = cd_journal_op_new (self->path, write, ++self->seq);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GHashTableIter iter;
  CdJournalKnown *known;
  gboolean on_disk;
  const char *id;

  if (!write)
    return op;

  for (guint i = 0; i < self->records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (self->records, i);
      g_autofree char *fingerprint = cd_job_record_fingerprint (record);

      known = g_hash_table_lookup (self->known, record->id);
      if (known != NULL && g_strcmp0 (known->fingerprint, fingerprint) == 0)
        continue;

      on_disk = known != NULL && known->on_disk;
      if (on_disk)
        g_hash_table_add (op->on_disk, g_strdup (record->id));
      g_clear_pointer (&record->updated, g_date_time_unref);
      record->updated = g_date_time_ref (now);
      g_ptr_array_add (op->changes, cd_job_record_dup_private (record));
      cd_job_journal_set_known (self, record->id, cd_job_record_fingerprint (record), op->seq,
                                on_disk);
    }

  g_hash_table_iter_init (&iter, self->removed);
  while (g_hash_table_iter_next (&iter, (gpointer *)&id, (gpointer *)&known))
    if (known->seq == 0)
      {
        known->seq = op->seq;
        g_ptr_array_add (op->removed, g_strdup (id));
      }

  return op;
}

/* The operation failed: what it carried is to be sent again. */
static void
undo (CdJobJournal *self,
      CdJournalOp  *op)
{
  CdJournalKnown *known;

  for (guint i = 0; i < op->changes->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (op->changes, i);

      known = g_hash_table_lookup (self->known, record->id);
      if (known != NULL && known->seq == op->seq)
        g_clear_pointer (&known->fingerprint, g_free);
    }

  for (guint i = 0; i < op->removed->len; i++)
    {
      known = g_hash_table_lookup (self->removed, g_ptr_array_index (op->removed, i));
      if (known != NULL && known->seq == op->seq)
        known->seq = 0;
    }
}

/* Whether this process changed @record after @seq, or a later operation
 * already knows better: then the file's version of it is not taken. */
static gboolean
is_newer_here (CdJobJournal *self,
               CdJobRecord  *record,
               guint64       seq)
{
  CdJournalKnown *known = g_hash_table_lookup (self->known, record->id);
  g_autofree char *fingerprint = NULL;

  if (known == NULL || known->seq > seq || known->fingerprint == NULL)
    return TRUE;

  fingerprint = cd_job_record_fingerprint (record);
  return g_strcmp0 (fingerprint, known->fingerprint) != 0;
}

/* Only the records whose file version differs from what this process
 * last knew cost more than a comparison. */
static void
take_from_disk (CdJobJournal *self,
                CdJournalOp  *op,
                GHashTable   *by_id,
                GPtrArray    *added,
                GPtrArray    *updated)
{
  for (guint i = 0; i < op->merged->len; i++)
    {
      CdJobRecord *theirs = g_ptr_array_index (op->merged, i);
      const char *fingerprint = g_ptr_array_index (op->fingerprints, i);
      CdJobRecord *ours = g_hash_table_lookup (by_id, theirs->id);
      CdJournalKnown *known = g_hash_table_lookup (self->known, theirs->id);

      if (g_hash_table_contains (self->removed, theirs->id))
        continue;

      if (ours == NULL)
        {
          g_ptr_array_add (self->records, cd_job_record_ref (theirs));
          g_ptr_array_add (added, cd_job_record_ref (theirs));
        }
      else if (known != NULL && known->seq <= op->seq &&
               g_strcmp0 (known->fingerprint, fingerprint) == 0)
        {
          known->seq = op->seq;
          known->on_disk = TRUE;
          continue;
        }
      else if (is_newer_here (self, ours, op->seq))
        continue;
      else
        {
          cd_job_record_assign (ours, theirs);
          g_ptr_array_add (updated, cd_job_record_ref (ours));
        }

      cd_job_journal_set_known (self, theirs->id, g_strdup (fingerprint), op->seq, TRUE);
    }
}

static void
drop_removed_elsewhere (CdJobJournal *self,
                        CdJournalOp  *op,
                        GPtrArray    *removed)
{
  g_autoptr(GHashTable) on_disk = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < op->merged->len; i++)
    g_hash_table_add (on_disk, ((CdJobRecord *)g_ptr_array_index (op->merged, i))->id);

  for (guint i = self->records->len; i > 0; i--)
    {
      CdJobRecord *record = g_ptr_array_index (self->records, i - 1);

      /* Never saved, or changed here since: the next save decides. */
      if (!g_hash_table_contains (self->known, record->id) ||
          g_hash_table_contains (on_disk, record->id) ||
          is_newer_here (self, record, op->seq))
        continue;

      g_hash_table_remove (self->known, record->id);
      g_ptr_array_add (removed, cd_job_record_ref (record));
      g_ptr_array_remove_index (self->records, i - 1);
    }
}

static gboolean
forget_sent_removal (gpointer key,
                     gpointer value,
                     gpointer user_data)
{
  CdJournalKnown *known = value;

  return known->seq != 0 && known->seq <= *(guint64 *)user_data;
}

/* Brings the journal as written or read by @op into memory. */
static void
reconcile (CdJobJournal *self,
           CdJournalOp  *op)
{
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  g_autoptr(GPtrArray) updated = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  g_autoptr(GHashTable) by_id = NULL;

  /* A journal that could not be loaded is not ours to fill. */
  if (self->state != CD_JOURNAL_LOADED)
    return;

  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (self->records, i);

      g_hash_table_insert (by_id, record->id, record);
    }

  take_from_disk (self, op, by_id, added, updated);
  drop_removed_elsewhere (self, op, removed);
  g_hash_table_foreach_remove (self->removed, forget_sent_removal, &op->seq);

  if (added->len > 0 || updated->len > 0 || removed->len > 0)
    cd_job_journal_emit_changed (self, added, updated, removed);
}

static void
complete (CdJobJournal *self,
          CdJournalOp  *op)
{
  if (op->merged != NULL)
    reconcile (self, op);
  else if (op->write)
    undo (self, op);

  if (op->write)
    cd_job_journal_set_write_error (self, op->error);
}

static gboolean
check_state (CdJobJournal  *self,
             GError       **error)
{
  if (self->state == CD_JOURNAL_BLOCKED)
    {
      g_set_error (error, CD_JOB_JOURNAL_ERROR, self->load_error->code,
                   /* Translators: %s is a sentence explaining why the journal was not loaded. */
                   _("Jobs were not saved, so that the existing job journal is not overwritten. "
                     "%s"),
                   self->load_error->message);
      return FALSE;
    }
  if (self->state == CD_JOURNAL_NOT_LOADED)
    {
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_NOT_LOADED,
                   /* Translators: %s is a file path. */
                   _("Jobs were not saved because the job journal “%s” has not been loaded "
                     "yet."),
                   self->path);
      return FALSE;
    }

  return TRUE;
}

/**
 * cd_job_journal_save:
 *
 * Writes this process's changes (records added, changed in place or
 * removed) into the journal file, merged with what other processes wrote
 * meanwhile: under the journal's lock, atomically and durably (a temporary
 * file in the same folder, synced, renamed over the journal, mode 0600).
 * Blocks until then, after the saves queued before it: for command-line
 * runs and tests; a main loop uses cd_job_journal_save_async().
 */
gboolean
cd_job_journal_save (CdJobJournal  *self,
                     GError       **error)
{
  g_autoptr(CdJournalOp) op = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_state (self, &local_error))
    {
      cd_job_journal_set_write_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  cd_journal_queue_wait_idle ();
  op = prepare (self, TRUE);
  cd_journal_op_run (op);
  complete (self, op);

  if (op->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&op->error));
      return FALSE;
    }

  return TRUE;
}

static void
op_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CdJobJournal *self = CD_JOB_JOURNAL (object);
  CdJournalOp *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = user_data;

  complete (self, op);
  if (op->write)
    cd_job_journal_set_saving (self, FALSE);

  if (task == NULL)
    return;
  if (op->error != NULL)
    g_task_return_error (task, g_error_copy (op->error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Queues @op; @task (nullable) is told when it is done. */
static void
push (CdJobJournal *self,
      CdJournalOp  *op,
      GTask        *task)
{
  g_autoptr(GTask) worker = g_task_new (self, NULL, op_done_cb, task);

  g_task_set_source_tag (worker, push);
  g_task_set_task_data (worker, op, (GDestroyNotify) cd_journal_op_free);
  if (op->write)
    cd_job_journal_set_saving (self, TRUE);
  cd_journal_queue_push (worker);
}

/**
 * cd_job_journal_save_async:
 *
 * Like cd_job_journal_save(), on a worker thread: saves are written one at
 * a time, in the order they were asked for, and each carries the changes
 * made up to its call.  A failure also sets CdJobJournal:write-error; a
 * success clears it.  @cancellable only stops the report: a save that was
 * asked for is written.
 */
void
cd_job_journal_save_async (CdJobJournal        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CD_IS_JOB_JOURNAL (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_job_journal_save_async);

  if (!check_state (self, &error))
    {
      cd_job_journal_set_write_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  push (self, prepare (self, TRUE), g_steal_pointer (&task));
}

gboolean
cd_job_journal_save_finish (CdJobJournal  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
refresh_cb (gpointer user_data)
{
  CdJobJournal *self = user_data;

  self->refresh_source = 0;
  if (self->state == CD_JOURNAL_LOADED)
    push (self, prepare (self, FALSE), NULL);

  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other_file,
                 GFileMonitorEvent  event,
                 CdJobJournal      *self)
{
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT ||
      event == G_FILE_MONITOR_EVENT_UNMOUNTED ||
      self->refresh_source != 0)
    return;

  self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->refresh_source),
                            "[coursedrop] journal refresh");
}

/**
 * cd_job_journal_watch:
 *
 * From now on, whenever another process (another window, a coursedrop-cli
 * run) saves the journal, re-reads it on the worker thread and brings its
 * changes into memory; CdJobJournal::changed says what changed.  Renames
 * over the file, the way every save writes it, are seen too.
 */
void
cd_job_journal_watch (CdJobJournal *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  g_return_if_fail (CD_IS_JOB_JOURNAL (self));

  if (self->monitor != NULL)
    return;

  /* A folder that does not exist yet can only be polled, every few
   * seconds; the journal is written there soon anyway. */
  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_debug ("Could not create %s: %s", dir, g_strerror (errno));

  file = g_file_new_for_path (self->path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (self->monitor == NULL)
    {
      g_message ("Not following other programs' changes to %s: %s", self->path, error->message);
      return;
    }

  g_signal_connect (self->monitor, "changed", G_CALLBACK (file_changed_cb), self);
}

void
cd_job_journal_stop_watching (CdJobJournal *self)
{
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, file_changed_cb, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_handle_id (&self->refresh_source, g_source_remove);
}

/* The queue.  One worker thread for every journal of the process: writes
 * happen one at a time and in the order they were asked for. */

static GThreadPool *queue;
static GMutex queue_mutex;
static GCond queue_cond;
static guint queue_pending;

static void
queue_run (gpointer data,
           gpointer user_data)
{
  GTask *task = data;

  cd_journal_op_run (g_task_get_task_data (task));
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);

  g_mutex_lock (&queue_mutex);
  queue_pending--;
  g_cond_broadcast (&queue_cond);
  g_mutex_unlock (&queue_mutex);
}

/* A command-line run exits as soon as its job ends; the write that
 * recorded the end must land first. */
static void
wait_at_exit (void)
{
  cd_journal_queue_wait_idle ();
}

void
cd_journal_queue_push (GTask *task)
{
  if (g_once_init_enter (&queue))
    {
      GThreadPool *pool = g_thread_pool_new (queue_run, NULL, 1, FALSE, NULL);

      atexit (wait_at_exit);
      g_once_init_leave (&queue, pool);
    }

  g_mutex_lock (&queue_mutex);
  queue_pending++;
  g_mutex_unlock (&queue_mutex);

  g_thread_pool_push (queue, g_object_ref (task), NULL);
}

/* Waits, at most half a minute, until every queued write was done. */
void
cd_journal_queue_wait_idle (void)
{
  gint64 end = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&queue_mutex);
  while (queue_pending > 0)
    if (!g_cond_wait_until (&queue_cond, &queue_mutex, end))
      break;
  g_mutex_unlock (&queue_mutex);
}
