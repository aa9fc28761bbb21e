/* cd-import-job-journal.c: saving an import job's record in the journal
 *
 * Saves run on the journal's writer thread; the job hears the outcome on
 * the main thread and keeps the last failure in CdImportJob:journal-error.
 * Split from cd-import-job.c to keep that file short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-import-job-private.h"

#define properties _cd_import_job_properties

typedef struct
{
  CdImportJob          *job;   /* (owned) */
  CdImportJobSavedFunc  then;  /* (nullable) */
} SaveData;

static void
journal_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SaveData *data = user_data;
  CdImportJob *self = data->job;
  g_autoptr(GError) error = NULL;
  gboolean had_error = self->journal_error != NULL;
  gboolean saved = cd_job_journal_save_finish (CD_JOB_JOURNAL (object), result, &error);

  if (saved)
    {
      g_clear_error (&self->journal_error);
      if (had_error)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOURNAL_ERROR]);
    }
  else
    {
      g_debug ("Could not save the job journal: %s", error->message);
      g_clear_error (&self->journal_error);
      self->journal_error = g_steal_pointer (&error);
      /* Once per run of failures, not once per status. */
      if (!had_error)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOURNAL_ERROR]);
    }

  if (data->then != NULL)
    data->then (self, saved);
  g_object_unref (data->job);
  g_free (data);
}

/* Saves on the journal's writer thread, then calls @then (nullable) on the
 * main thread with whether the record is on disk; a failure is kept in
 * CdImportJob:journal-error until a later save succeeds. */
void
_cd_import_job_save_then (CdImportJob          *self,
                          CdImportJobSavedFunc  then)
{
  SaveData *data;

  if (self->journal == NULL)
    {
      if (then != NULL)
        then (self, TRUE);
      return;
    }

  data = g_new0 (SaveData, 1);
  data->job = g_object_ref (self);
  data->then = then;
  cd_job_journal_save_async (self->journal, NULL, journal_saved_cb, data);
}

void
_cd_import_job_save (CdImportJob *self)
{
  _cd_import_job_save_then (self, NULL);
}
