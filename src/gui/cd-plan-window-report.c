/* cd-plan-window-report.c: Save Report… after a run
 *
 * The report is core's CSV (cd_batch_write_report()): one row per plan
 * row, with its offering, job, final status, times, warnings and errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n.h>

#include "cd-plan-window-private.h"

static void
show_toast (CdPlanWindow *self,
            const char   *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
report_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    CdPlanWindow    *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->report_chooser);

  if (file == NULL || self->batch == NULL)
    return;

  if ((path = g_file_get_path (file)) == NULL)
    show_toast (self, _("The report can only be saved in a local folder."));
  else if (!cd_batch_write_report (self->batch, path, &error))
    show_toast (self, error->message);
  else
    show_toast (self, _("Report saved"));
}

void
_cd_plan_window_save_report (CdPlanWindow *self)
{
  g_autofree char *base = g_file_get_basename (self->file);
  g_autofree char *name = NULL;
  g_autoptr(GFile) folder = NULL;
  char *dot;

  if (self->report_chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->report_chooser));
      return;
    }

  if (base != NULL && (dot = strrchr (base, '.')) != NULL)
    *dot = '\0';
  /* Translators: the report's file name; %s is the plan's, without .csv. */
  name = g_strdup_printf (_("%s-report.csv"), base != NULL ? base : "plan");

  self->report_chooser = gtk_file_chooser_native_new (_("Save Report"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Save"), _("_Cancel"));
  /* Beside the plan, named after it: where one looks for it afterwards. */
  if ((folder = g_file_get_parent (self->file)) != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->report_chooser), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->report_chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->report_chooser), TRUE);
  g_signal_connect (self->report_chooser, "response", G_CALLBACK (report_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->report_chooser));
}
