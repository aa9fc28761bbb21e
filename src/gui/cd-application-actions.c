/* cd-application-actions.c: the application's actions
 *
 * Quit (which lets the main window ask first while an upload runs),
 * About, Account (the Account window, whose sign-in and sign-out go to
 * the session) and show-job (a notification's button), with their
 * keyboard shortcuts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-application-private.h"

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  /* A running upload would be lost: the main window asks first. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (user_data)); l; l = l->next)
    if (CD_IS_WINDOW (l->data) && !cd_window_confirm_quit (CD_WINDOW (l->data), TRUE))
      return;
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CdApplication *self = user_data;

  adw_show_about_window (GTK_WINDOW (_cd_application_ensure_window (self)),
                         "application-name", _("Coursedrop"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Coursedrop developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Import course packages into D2L Brightspace"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
signed_in_cb (CdAccountWindow *window,
              CdAccount       *account,
              CdApplication   *self)
{
  cd_session_sign_in (self->session, account);
}

static void
signed_out_cb (CdAccountWindow *window,
               CdApplication   *self)
{
  cd_session_sign_out (self->session);
}

/* From the press of Sign Out on, nothing goes out with the keys. */
static void
signing_out_cb (CdAccountWindow *window,
                CdApplication   *self)
{
  cd_session_stop_jobs (self->session);
}

static void
sign_out_failed_cb (CdAccountWindow *window,
                    CdApplication   *self)
{
  cd_session_resume_jobs (self->session);
}

static void
account_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  CdApplication *self = user_data;

  if (self->account_window == NULL)
    {
      self->account_window =
        cd_account_window_new (GTK_WINDOW (_cd_application_ensure_window (self)),
                               cd_session_get_account (self->session));
      g_object_add_weak_pointer (G_OBJECT (self->account_window),
                                 (gpointer *)&self->account_window);
      /* The demo keeps its own account: shown, nothing to save or sign out of. */
      cd_account_window_set_demo (self->account_window, self->demo_mode);
      cd_account_window_set_ca_file (self->account_window,
                                     cd_session_get_ca_file (self->session));
      g_signal_connect_object (self->account_window, "signed-in",
                               G_CALLBACK (signed_in_cb), self, 0);
      g_signal_connect_object (self->account_window, "signed-out",
                               G_CALLBACK (signed_out_cb), self, 0);
      g_signal_connect_object (self->account_window, "signing-out",
                               G_CALLBACK (signing_out_cb), self, 0);
      g_signal_connect_object (self->account_window, "sign-out-failed",
                               G_CALLBACK (sign_out_failed_cb), self, 0);
      if (cd_session_get_problem (self->session) != NULL)
        cd_window_show_toast (_cd_application_ensure_window (self),
                              cd_session_get_problem (self->session));
    }

  gtk_window_present (GTK_WINDOW (self->account_window));
}

static void
show_job_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CdApplication *self = user_data;
  CdWindow *window = _cd_application_ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
  cd_window_show_job (window, g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "account", account_action },
  { "show-job", show_job_action, "s" },
};

void
_cd_application_add_actions (CdApplication *self)
{
  static const char * const quit_accels[] = { "<Control>q", NULL };
  static const char * const close_accels[] = { "<Control>w", NULL };
  static const char * const open_accels[] = { "<Control>o", NULL };
  static const char * const plan_accels[] = { "<Control><Shift>o", NULL };
  static const char * const shortcuts_accels[] = { "<Control>question", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.open-plan", plan_accels);
  /* CdWindow builds its shortcuts window itself, on first use. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         shortcuts_accels);
}
