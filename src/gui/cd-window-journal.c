/* cd-window-journal.c: the banner for a job list that cannot be saved
 *
 * Imports go on when the journal cannot be written, but a record that is
 * not on disk is forgotten when Coursedrop quits, and no new upload starts
 * without one: the user must know, and know where.  The banner follows
 * CdJobJournal:write-error and goes once a save succeeds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-window-private.h"

static void
journal_write_error_cb (CdWindow *self)
{
  const GError *error = self->journal != NULL ? cd_job_journal_get_write_error (self->journal)
                                              : NULL;
  g_autofree char *folder = NULL;
  g_autofree char *text = NULL;

  _cd_window_reveal_banner (self->journal_revealer, error != NULL);
  if (error == NULL)
    return;

  folder = g_path_get_dirname (cd_job_journal_get_path (self->journal));
  /* Translators: %s is a folder. */
  text = g_strdup_printf (_("The job list cannot be saved in %s. Make sure that folder exists "
                            "and can be written to (and the disk is not full), then save "
                            "again: until then, Coursedrop cannot start new imports and may "
                            "forget the jobs it follows when it quits."), folder);
  gtk_label_set_label (self->journal_label, text);
  gtk_label_set_label (self->journal_detail_label, error->message);
}

static void
journal_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  /* The outcome shows in CdJobJournal:write-error. */
  cd_job_journal_save_finish (CD_JOB_JOURNAL (object), result, NULL);
}

static void
journal_save_clicked_cb (CdWindow *self)
{
  if (self->journal != NULL)
    cd_job_journal_save_async (self->journal, NULL, journal_saved_cb, NULL);
}

void
_cd_window_set_journal (CdWindow     *self,
                        CdJobJournal *journal)
{
  if (self->journal == journal)
    return;

  if (self->journal != NULL)
    g_signal_handlers_disconnect_by_data (self->journal, self);
  g_set_object (&self->journal, journal);
  if (journal != NULL)
    g_signal_connect_object (journal, "notify::write-error",
                             G_CALLBACK (journal_write_error_cb), self, G_CONNECT_SWAPPED);
  journal_write_error_cb (self);
}

void
_cd_window_journal_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, journal_save_clicked_cb);
}
