/* cd-window-quit.c: asking before quitting stops an upload
 *
 * An upload cannot resume: quitting in the middle of one loses it, and the
 * package has to go again from the start.  Jobs that Brightspace already
 * has go on there, and the next start follows them again, so only uploads
 * are worth a question.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-window-private.h"

/* (transfer full) (nullable) */
static CdImportJob *
first_upload (CdWindow *self,
              guint    *n_uploads)
{
  CdImportJob *first = NULL;
  guint n = self->jobs != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->jobs)) : 0;

  *n_uploads = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (cd_import_job_is_running (job) && cd_import_job_get_token (job) == NULL)
        {
          (*n_uploads)++;
          if (first == NULL)
            first = g_steal_pointer (&job);
        }
    }

  return first;
}

static void
quit_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  CdWindow         *self)
{
  self->quit_asking = FALSE;
  if (g_strcmp0 (response, "quit") != 0)
    return;

  self->quit_confirmed = TRUE;
  if (self->quit_app && g_application_get_default () != NULL)
    g_application_quit (g_application_get_default ());
  else
    gtk_window_close (GTK_WINDOW (self));
}

gboolean
cd_window_confirm_quit (CdWindow *self,
                        gboolean  quit_app)
{
  g_autoptr(CdImportJob) upload = NULL;
  g_autofree char *title = NULL;
  AdwMessageDialog *dialog;
  guint n_uploads;

  g_return_val_if_fail (CD_IS_WINDOW (self), TRUE);

  if (self->quit_confirmed || (upload = first_upload (self, &n_uploads)) == NULL)
    return TRUE;
  if (self->quit_asking)
    return FALSE;

  title = cd_format_job_title (cd_import_job_get_package_name (upload),
                               cd_import_job_get_offering_name (upload),
                               cd_import_job_get_offering_id (upload), NULL);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       ngettext ("Stop the Upload?",
                                                                 "Stop the Uploads?",
                                                                 n_uploads),
                                                       NULL));
  if (n_uploads == 1)
    adw_message_dialog_format_body (dialog,
                                    /* Translators: %s is “package → course”. */
                                    _("“%s” is still uploading. An upload cannot resume: after "
                                      "quitting, the package has to be uploaded again from the "
                                      "start. Imports Brightspace already has go on, and "
                                      "Coursedrop follows them again the next time it starts."),
                                    title);
  else
    adw_message_dialog_format_body (dialog,
                                    ngettext ("%u package is still uploading. An upload cannot "
                                              "resume: after quitting, it has to be uploaded "
                                              "again from the start. Imports Brightspace "
                                              "already has go on, and Coursedrop follows them "
                                              "again the next time it starts.",
                                              "%u packages are still uploading. An upload "
                                              "cannot resume: after quitting, they have to be "
                                              "uploaded again from the start. Imports "
                                              "Brightspace already has go on, and Coursedrop "
                                              "follows them again the next time it starts.",
                                              n_uploads),
                                    n_uploads);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Uploading"),
                                    "quit", _("_Quit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "quit", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  self->quit_asking = TRUE;
  self->quit_app = !!quit_app;
  g_signal_connect_object (dialog, "response", G_CALLBACK (quit_response_cb), self, 0);
  cd_fix_button_names (GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));

  return FALSE;
}
