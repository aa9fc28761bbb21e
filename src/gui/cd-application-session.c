/* cd-application-session.c: what the application does with its session
 *
 * The session's reports answered: its state goes to the window, its
 * messages become toasts, and an untrusted certificate is asked about
 * once.  The session is set up (or the demo's sandbox started) once the
 * window has drawn its first frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-application-private.h"

static void
session_notify_cb (CdSession     *session,
                   GParamSpec    *pspec,
                   CdApplication *self)
{
  _cd_application_apply_state (self);
}

static void
account_changed_cb (CdSession     *session,
                    CdApplication *self)
{
  _cd_application_apply_state (self);
}

static void
expired_cb (CdSession     *session,
            CdApplication *self)
{
  /* The banner offers to sign in again; jobs wait paused meanwhile. */
  _cd_application_apply_state (self);
}

static void
message_cb (CdSession     *session,
            const char    *message,
            CdApplication *self)
{
  _cd_application_toast (self, message);
}

static void
trust_response_cb (CdCertificateDialog *dialog,
                   const char          *response,
                   CdApplication       *self)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "trust") &&
      !cd_session_trust_certificate (self->session,
                                     cd_certificate_dialog_get_certificate (dialog), &error))
    _cd_application_toast (self, error->message);
}

static void
untrusted_certificate_cb (CdSession         *session,
                          CdCertificateInfo *info,
                          CdApplication     *self)
{
  /* Every request that meets it fails the same way: ask once. */
  if (self->certificate_dialog != NULL)
    return;

  self->certificate_dialog =
    cd_certificate_dialog_new (GTK_WINDOW (_cd_application_ensure_window (self)), info);
  g_object_add_weak_pointer (G_OBJECT (self->certificate_dialog),
                             (gpointer *)&self->certificate_dialog);
  g_signal_connect_object (self->certificate_dialog, "response",
                           G_CALLBACK (trust_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (self->certificate_dialog));
}

/* The demo */

static void
demo_started_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CdApplication *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autofree char *url = NULL;
  g_autofree char *journal_path = NULL;

  url = cd_demo_start_finish (CD_DEMO (object), result, &error);
  self->starting = FALSE;

  if (url == NULL || (journal_path = cd_demo_create_journal (self->demo, &error)) == NULL ||
      (account = cd_demo_create_account (self->demo, url, &error)) == NULL)
    {
      cd_session_set_failure (self->session, _("The Demo Could Not Start"), error->message);
      g_application_release (G_APPLICATION (self));
      return;
    }

  self->sample_package = cd_demo_find_sample_package ();
  cd_session_connect (self->session, account, journal_path, _("Demo — local sandbox"));

  g_application_release (G_APPLICATION (self));
}

static void
start_demo (CdApplication *self)
{
  self->demo = cd_demo_new ();
  self->starting = TRUE;
  _cd_application_apply_state (self);
  /* Until the sandbox answers, nothing else may end the application. */
  g_application_hold (G_APPLICATION (self));
  cd_demo_start_async (self->demo, self->cancellable, demo_started_cb, self);
}

static void
session_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CdApplication *self = user_data;

  cd_session_load_finish (CD_SESSION (object), result);
  self->loading = FALSE;
  _cd_application_apply_state (self);
  g_application_release (G_APPLICATION (self));
}

/* The session's setup (the keyring, the journal, the demo's sandbox, the
 * first requests) starts once the window has been drawn, so that none of
 * it delays the window; the work itself runs off the main loop. */
static void
start_session (CdApplication *self)
{
  if (self->session_started)
    return;

  self->session_started = TRUE;
  /* Windows get it now: an X11 window icon is drawn from the theme at
   * several sizes, which need not delay the first frame. */
  gtk_window_set_default_icon_name (APPLICATION_ID);
  g_clear_signal_handler (&self->painted_id, self->paint_clock);
  g_clear_object (&self->paint_clock);
  g_clear_handle_id (&self->session_source, g_source_remove);

  if (self->demo_mode)
    {
      start_demo (self);
      g_application_release (G_APPLICATION (self));
      return;
    }

  /* The hold taken at start-up lasts until the account is known. */
  cd_session_load_async (self->session, self->cancellable, session_loaded_cb, self);
}

gboolean
_cd_application_start_session_cb (gpointer user_data)
{
  CdApplication *self = user_data;

  self->session_source = 0;
  start_session (self);
  return G_SOURCE_REMOVE;
}

/* After the first frame, GTK announces the window on the accessibility
 * bus from an idle (G_PRIORITY_DEFAULT_IDLE): the session waits behind
 * it, so that a screen reader finds the window without waiting for the
 * session's first steps and the frame they bring. */
static void
first_paint_cb (GdkFrameClock *frame_clock,
                CdApplication *self)
{
  g_clear_signal_handler (&self->painted_id, self->paint_clock);
  g_clear_handle_id (&self->session_source, g_source_remove);
  self->session_source = g_idle_add_full (G_PRIORITY_LOW, _cd_application_start_session_cb,
                                          self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->session_source),
                            "[coursedrop] start the session");
}

/* Called once the window was presented. */
void
_cd_application_start_session_after_paint (CdApplication *self)
{
  GdkFrameClock *frame_clock;

  if (self->session_started || self->paint_clock != NULL)
    return;

  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->window));
  if (frame_clock == NULL)
    {
      start_session (self);
      return;
    }
  self->paint_clock = g_object_ref (frame_clock);
  self->painted_id = g_signal_connect (frame_clock, "after-paint",
                                       G_CALLBACK (first_paint_cb), self);
}

void
_cd_application_create_session (CdApplication *self)
{
  self->session = cd_session_new (self->demo_mode);
  g_signal_connect_object (self->session, "notify", G_CALLBACK (session_notify_cb), self, 0);
  g_signal_connect_object (self->session, "account-changed", G_CALLBACK (account_changed_cb),
                           self, 0);
  g_signal_connect_object (self->session, "expired", G_CALLBACK (expired_cb), self, 0);
  g_signal_connect_object (self->session, "untrusted-certificate",
                           G_CALLBACK (untrusted_certificate_cb), self, 0);
  g_signal_connect_object (self->session, "message", G_CALLBACK (message_cb), self, 0);
}
