/* cd-account-window-signin.c: signing in and out from the Account window
 *
 * Signing in with the browser (CdSignIn waits for Brightspace to send the
 * browser back to the callback address), or checking typed user keys with
 * whoami; either way the account is then saved (keys to the keyring).
 * Signing out removes the user keys.  Each runs with the window busy, and
 * its outcome is said beside the fields it concerns (the sign-in's under
 * its button, the typed keys' under them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-account-window-private.h"

#define SIGN_IN_TIMEOUT_SECONDS 300

static void
show_message (CdAccountWindow *self,
              GtkLabel        *label,
              const char      *message,
              gboolean         is_error)
{
  _cd_account_window_show_message (self, label, message, is_error);
}

static void
set_busy (CdAccountWindow *self,
          gboolean         busy,
          gboolean         waiting)
{
  _cd_account_window_set_busy (self, busy, waiting);
}

/* Saving */

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CdAccountWindow) self = user_data;
  CdAccount *account = CD_ACCOUNT (object);
  GtkLabel *label = self->save_message;
  g_autoptr(GError) error = NULL;

  if (!cd_account_save_finish (account, result, &error))
    {
      set_busy (self, FALSE, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, label, error->message, TRUE);
      return;
    }

  if (self->settings != NULL && cd_account_get_kind (account) == CD_AUTH_KIND_IDKEY)
    g_settings_set_string (self->settings, "callback-url", text_of (self->callback_row));

  set_busy (self, FALSE, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->user_key_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->paste_row), "");
  _cd_account_window_clear_messages (self);
  cd_account_window_set_account (self, account);
  /* Who is signed in is said at the top: bring it into view. */
  gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
  _cd_account_window_emit_signed_in (self, account);
}

void
_cd_account_window_save (CdAccountWindow *self,
                         CdAccount       *account,
                         GtkLabel        *label)
{
  g_autofree char *le_version = g_strstrip (g_strdup (gtk_editable_get_text (
                                              GTK_EDITABLE (self->le_version_entry))));

  /* The field stays editable while the browser is open: check it again. */
  if (!_cd_account_window_validate_le_version (self))
    {
      set_busy (self, FALSE, FALSE);
      show_message (self, label, _("Nothing was saved: correct the API version under Advanced, "
                                   "then sign in again."), TRUE);
      return;
    }

  cd_account_set_le_version (account, le_version);
  show_message (self, label, _("Saving…"), FALSE);
  self->save_message = label;
  cd_account_save_async (account, self->cancellable, save_cb, g_object_ref (self));
}

void
_cd_account_window_apply_ca_file (CdAccountWindow *self,
                                  CdAccount       *account,
                                  CdSignIn        *signin)
{
  if (self->ca_file == NULL)
    return;
  if (account != NULL)
    cd_account_set_ca_file (account, self->ca_file);
  if (signin != NULL)
    cd_signin_set_ca_file (signin, self->ca_file);
}

void
cd_account_window_set_ca_file (CdAccountWindow *self,
                               const char      *ca_file)
{
  g_return_if_fail (CD_IS_ACCOUNT_WINDOW (self));

  g_free (self->ca_file);
  self->ca_file = ca_file != NULL && ca_file[0] != '\0' ? g_strdup (ca_file) : NULL;
}

/* Sign in with the browser */

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CdAccountWindow) self = user_data;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = cd_signin_wait_finish (CD_SIGNIN (object), result, &error);
  /* A wait given up for a pasted address, or an older sign-in. */
  if (self->signin != CD_SIGNIN (object))
    return;
  _cd_account_window_stop_waiting (self);

  if (account == NULL)
    {
      const char *message = error->message;

      set_busy (self, FALSE, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        message = _("Sign-in cancelled.");
      else if (g_error_matches (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_TIMED_OUT))
        message = _("Brightspace did not send the browser back in time. Sign in again.");
      show_message (self, self->sign_in_message, message, TRUE);
      return;
    }

  _cd_account_window_apply_ca_file (self, account, NULL);
  gtk_stack_set_visible_child_name (self->sign_in_stack, "idle");
  _cd_account_window_save (self, account, self->sign_in_message);
}

void
_cd_account_window_sign_in_clicked_cb (CdAccountWindow *self)
{
  g_autofree char *host = dup_stripped (self->host_row);
  g_autofree char *app_id = dup_stripped (self->app_id_row);
  g_autofree char *callback = dup_stripped (self->callback_row);
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  if (is_busy (self) || !_cd_account_window_validate (self, FALSE))
    return;

  _cd_account_window_clear_messages (self);
  if (is_oauth (self))
    {
      _cd_account_window_oauth_sign_in (self);
      return;
    }

  self->signin = cd_signin_new ();
  _cd_account_window_apply_ca_file (self, NULL, self->signin);
  url = cd_signin_start (self->signin, host, app_id, text_of (self->app_key_row), callback,
                         &error);
  if (url == NULL)
    {
      g_clear_object (&self->signin);
      show_message (self, self->sign_in_message, error->message, TRUE);
      return;
    }

  set_busy (self, TRUE, TRUE);
  _cd_account_window_wait (self, url);
}

/* The browser opens @url; the listener (self->signin) waits for it to
 * come back.  Shared with OAuth's loopback redirect. */
void
_cd_account_window_wait (CdAccountWindow *self,
                         const char      *url)
{
  show_message (self, self->sign_in_message,
                _("Sign in to Brightspace in the browser window that opened."), FALSE);
  gtk_show_uri (GTK_WINDOW (self), url, GDK_CURRENT_TIME);
  if (self->signin == NULL)
    return;

  self->wait_cancellable = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                           self->wait_cancellable, G_CONNECT_SWAPPED);
  cd_signin_wait_async (self->signin, SIGN_IN_TIMEOUT_SECONDS, self->wait_cancellable,
                        wait_cb, g_object_ref (self));
}

void
_cd_account_window_cancel_clicked_cb (CdAccountWindow *self)
{
  if (self->pending != NULL && self->signin == NULL)
    {
      /* Nothing listens: the redirect would have come through the app. */
      _cd_account_window_stop_waiting (self);
      set_busy (self, FALSE, FALSE);
      show_message (self, self->sign_in_message, _("Sign-in cancelled."), TRUE);
      return;
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* Keys typed in */

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdAccountWindow) self = user_data;
  CdAccount *account = CD_ACCOUNT (object);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;

  user = cd_account_verify_finish (account, result, &error);
  if (user == NULL)
    {
      /* Nothing is stored for keys Brightspace refused. */
      set_busy (self, FALSE, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, self->keys_message, error->message, TRUE);
      return;
    }

  _cd_account_window_save (self, account, self->keys_message);
}

void
_cd_account_window_verify_clicked_cb (CdAccountWindow *self)
{
  g_autofree char *host = dup_stripped (self->host_row);
  g_autofree char *app_id = dup_stripped (self->app_id_row);
  g_autofree char *user_id = dup_stripped (self->user_id_row);
  g_autofree char *le_version = g_strstrip (g_strdup (gtk_editable_get_text (
                                              GTK_EDITABLE (self->le_version_entry))));
  g_autoptr(CdAccount) account = NULL;

  if (is_busy (self) || !_cd_account_window_validate (self, TRUE))
    return;

  _cd_account_window_clear_messages (self);

  account = cd_account_new (host, app_id, text_of (self->app_key_row), user_id,
                            text_of (self->user_key_row));
  cd_account_set_le_version (account, le_version);
  _cd_account_window_apply_ca_file (self, account, NULL);

  set_busy (self, TRUE, FALSE);
  show_message (self, self->keys_message, _("Checking the keys with Brightspace…"), FALSE);
  cd_account_verify_async (account, self->cancellable, verify_cb, g_object_ref (self));
}

/* Sign out */

static void
sign_out_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdAccountWindow) self = user_data;
  CdAccount *account = CD_ACCOUNT (object);
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE, FALSE);
  if (!cd_account_sign_out_finish (account, result, &error))
    {
      show_message (self, self->sign_in_message, error->message, TRUE);
      _cd_account_window_emit_signing_out (self, TRUE);
      return;
    }

  cd_account_set_user (account, NULL, NULL);
  show_message (self, self->sign_in_message,
                _("Signed out. The keys were removed from the keyring."), FALSE);
  /* The message and the button to sign in again, in view. */
  gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_message));
  _cd_account_window_update (self);
  _cd_account_window_emit_signed_out (self);
}

void
_cd_account_window_sign_out_clicked_cb (CdAccountWindow *self)
{
  if (is_busy (self) || self->account == NULL)
    return;

  set_busy (self, TRUE, FALSE);
  _cd_account_window_emit_signing_out (self, FALSE);
  cd_account_sign_out_async (self->account, self->cancellable, sign_out_cb, g_object_ref (self));
}
