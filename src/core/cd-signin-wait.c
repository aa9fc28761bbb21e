/* cd-signin-wait.c: the wait for Brightspace's callback (valence-idkey.md §5)
 *
 * The loopback listener's one handler, the pages it answers the browser
 * with, the whoami check of the keys it brings, and the end of the wait
 * (callback, timeout or cancel).  Split from cd-signin.c, which starts the
 * listener and owns the object, to keep each file short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "cd-account-private.h"
#include "cd-signin-private.h"

static void finish_wait        (CdSignIn  *self,
                                CdAccount *account,
                                GError    *error);

/* --- pages for the browser ------------------------------------------------------ */

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *text)
{
  g_autofree char *title_html = g_markup_escape_text (title, -1);
  g_autofree char *text_html = g_markup_escape_text (text, -1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char *page;

  page = g_strdup_printf ("<!DOCTYPE html>\n"
                          "<html><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width\">"
                          "<title>%s</title>"
                          "<style>body{font-family:sans-serif;max-width:36em;margin:4em auto;"
                          "padding:0 1em;text-align:center;line-height:1.5}</style>"
                          "</head><body><h1>%s</h1><p>%s</p></body></html>\n",
                          title_html, title_html, text_html);

  /* The callback URL carries the keys: keep it out of caches and out of
   * the Referer of anything the page could load (it loads nothing). */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE,
                                    page, strlen (page));
}

/* Answers the paused callback, if it is still waiting for an answer.
 * Returns (transfer full) (nullable) the message answered. */
SoupServerMessage *
_cd_signin_answer_callback (CdSignIn   *self,
                            guint       status,
                            const char *title,
                            const char *text)
{
  SoupServerMessage *msg = g_steal_pointer (&self->callback);

  if (msg == NULL)
    return NULL;

  respond_page (msg, status, title, text);
  soup_server_message_unpause (msg);

  return msg;
}

static SoupServerMessage *
answer_callback_error (CdSignIn     *self,
                       const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _cd_signin_answer_callback (self, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                       _("Sign-in cancelled"),
                                       _("The sign-in was cancelled in Coursedrop. You can "
                                         "close this tab and start again from Coursedrop."));

  return _cd_signin_answer_callback (self, SOUP_STATUS_BAD_REQUEST, _("Sign-in failed"),
                                     error->message);
}

/* The outcome waits until the browser has its page: a command-line caller
 * exits as soon as the wait ends, which would cut the page off. */
typedef struct
{
  CdSignIn          *self;
  SoupServerMessage *msg;
  gulong             finished_id;
  guint              source_id;
  CdAccount         *account;  /* (nullable) */
  GError            *error;    /* (nullable) */
} Delivery;

static gboolean
deliver_cb (gpointer user_data)
{
  Delivery *delivery = user_data;

  delivery->source_id = 0;
  g_clear_signal_handler (&delivery->finished_id, delivery->msg);
  finish_wait (delivery->self, g_steal_pointer (&delivery->account),
               g_steal_pointer (&delivery->error));

  g_object_unref (delivery->msg);
  g_object_unref (delivery->self);
  g_free (delivery);

  return G_SOURCE_REMOVE;
}

/* From an idle, not from inside the server's own signal. */
static void
answered_cb (SoupServerMessage *msg,
             Delivery          *delivery)
{
  g_clear_signal_handler (&delivery->finished_id, delivery->msg);
  g_source_remove (delivery->source_id);
  delivery->source_id = g_idle_add (deliver_cb, delivery);
}

/* Takes @msg, @account and @error. */
static void
finish_when_answered (CdSignIn          *self,
                      SoupServerMessage *msg,
                      CdAccount         *account,
                      GError            *error)
{
  Delivery *delivery;

  if (msg == NULL)
    {
      finish_wait (self, account, error);
      return;
    }

  /* Decided: neither the timeout nor a cancel can change it now. */
  self->state = STATE_DONE;
  _cd_signin_clear_wait_sources (self);

  delivery = g_new0 (Delivery, 1);
  delivery->self = g_object_ref (self);
  delivery->msg = msg;
  delivery->account = account;
  delivery->error = error;
  delivery->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (answered_cb), delivery);
  /* Should the browser never read its page, the caller still hears. */
  delivery->source_id = g_timeout_add_seconds (5, deliver_cb, delivery);
}

/* --- the one callback ------------------------------------------------------------ */

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdSignIn) self = user_data;
  CdAccount *account = CD_ACCOUNT (object);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  SoupServerMessage *msg;
  const char *name;

  user = cd_account_verify_finish (account, result, &error);
  g_clear_object (&self->verify_cancellable);
  g_clear_object (&self->candidate);

  if (user == NULL)
    {
      g_debug ("Sign-in: whoami refused the new keys: %s", error->message);
      msg = answer_callback_error (self, error);
      finish_when_answered (self, msg, NULL, g_steal_pointer (&error));
      return;
    }

  name = cd_account_get_display_name (account);
  if (name != NULL)
    /* Translators: the name of the user who signed in. */
    text = g_strdup_printf (_("Coursedrop is now signed in as %s. You can close this tab."),
                            name);
  else
    text = g_strdup (_("Coursedrop is now signed in. You can close this tab."));

  msg = _cd_signin_answer_callback (self, SOUP_STATUS_OK, _("You are signed in"), text);
  finish_when_answered (self, msg, g_object_ref (account), NULL);
}

/* Reads the keys from the callback and checks them.  A callback without
 * them ends the sign-in: nothing else will come. */
static void
handle_callback (CdSignIn *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(CdSecret) user_key = NULL;
  GUri *uri = soup_server_message_get_uri (self->callback);
  const char *query = g_uri_get_query (uri);
  SoupServerMessage *msg;

  self->state = STATE_VERIFYING;

  if (self->oauth_account != NULL)
    {
      g_autofree char *redirected = g_strconcat (self->redirect_uri, "?",
                                                 query != NULL ? query : "", NULL);

      g_debug ("Sign-in: OAuth callback received; trading the code");
      self->candidate = g_object_ref (self->oauth_account);
      cd_account_set_ca_file (self->candidate, self->ca_file);
      cd_account_set_pinned_certificate (self->candidate, self->pin, NULL);
      self->verify_cancellable = g_cancellable_new ();
      cd_account_complete_sign_in_async (self->candidate, redirected, self->verify_cancellable,
                                         verify_cb, g_object_ref (self));
      return;
    }

  if (!cd_idkey_parse_callback (query != NULL ? query : "", &user_id, &user_key, &error))
    {
      g_debug ("Sign-in: the callback has no usable user ID and key");
      msg = answer_callback_error (self, error);
      finish_when_answered (self, msg, NULL, g_steal_pointer (&error));
      return;
    }

  g_debug ("Sign-in: callback received; checking the new keys with whoami");

  self->candidate = cd_account_new (self->host, self->app_id, self->app_key, user_id, user_key);
  cd_account_set_ca_file (self->candidate, self->ca_file);
  cd_account_set_pinned_certificate (self->candidate, self->pin, NULL);

  self->verify_cancellable = g_cancellable_new ();
  cd_account_verify_async (self->candidate, self->verify_cancellable, verify_cb,
                           g_object_ref (self));
}

void
_cd_signin_server_cb (SoupServer        *server,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  CdSignIn *self = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (g_strcmp0 (path, self->path) != 0 || g_strcmp0 (method, SOUP_METHOD_GET) != 0)
    {
      respond_page (msg, SOUP_STATUS_NOT_FOUND, _("Not found"),
                    _("There is nothing here. Coursedrop only waits for Brightspace’s "
                      "sign-in answer."));
      return;
    }

  if (self->state != STATE_WAITING || self->callback != NULL)
    {
      g_debug ("Sign-in: ignoring another callback");
      respond_page (msg, self->state == STATE_VERIFYING || self->callback != NULL
                           ? SOUP_STATUS_CONFLICT : SOUP_STATUS_GONE,
                    _("Already handled"),
                    _("Coursedrop already received an answer for this sign-in, so this "
                      "one is ignored. You can close this tab."));
      return;
    }

  /* Answered when whoami has spoken, so the page tells the truth. */
  self->callback = g_object_ref (msg);
  soup_server_message_pause (msg);

  if (self->task != NULL)
    handle_callback (self);
}

/* --- ending the wait ---------------------------------------------------------------- */

void
_cd_signin_clear_wait_sources (CdSignIn *self)
{
  if (self->timeout_source != NULL)
    g_source_destroy (self->timeout_source);
  g_clear_pointer (&self->timeout_source, g_source_unref);
  if (self->cancel_source != NULL)
    g_source_destroy (self->cancel_source);
  g_clear_pointer (&self->cancel_source, g_source_unref);
}

/* Takes @account or @error.  The first outcome wins; a whoami still on its
 * way is cancelled and answers the browser when it stops. */
static void
finish_wait (CdSignIn  *self,
             CdAccount *account,
             GError    *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(CdAccount) owned_account = account;
  g_autoptr(GError) owned_error = error;

  self->state = STATE_DONE;
  _cd_signin_clear_wait_sources (self);

  if (self->verify_cancellable != NULL)
    g_cancellable_cancel (self->verify_cancellable);

  if (task == NULL)
    return;

  if (owned_error != NULL)
    g_task_return_error (task, g_steal_pointer (&owned_error));
  else
    g_task_return_pointer (task, g_steal_pointer (&owned_account), g_object_unref);
}

static gboolean
timeout_cb (gpointer user_data)
{
  CdSignIn *self = user_data;
  guint minutes = MAX (1, (self->timeout_seconds + 59) / 60);
  GError *error;

  error = g_error_new (CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_TIMED_OUT,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Brightspace did not send the sign-in back within %u "
                                    "minute. Finish signing in in the browser, or start "
                                    "again.",
                                    "Brightspace did not send the sign-in back within %u "
                                    "minutes. Finish signing in in the browser, or start "
                                    "again.",
                                    minutes),
                       minutes);

  g_debug ("Sign-in: timed out");
  g_clear_pointer (&self->timeout_source, g_source_unref);
  finish_wait (self, NULL, error);

  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  CdSignIn *self = user_data;

  g_debug ("Sign-in: cancelled");
  g_clear_pointer (&self->cancel_source, g_source_unref);
  finish_wait (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                _("The sign-in was cancelled.")));

  return G_SOURCE_REMOVE;
}

void
cd_signin_wait_async (CdSignIn            *self,
                      guint                timeout_seconds,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CD_IS_SIGNIN (self));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_signin_wait_async);

  if (self->state != STATE_WAITING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("The sign-in is not waiting for Brightspace. Start it "
                                 "again."));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->task = g_steal_pointer (&task);

  if (timeout_seconds > 0)
    {
      self->timeout_seconds = timeout_seconds;
      self->timeout_source = g_timeout_source_new_seconds (timeout_seconds);
      g_source_set_static_name (self->timeout_source, "[coursedrop] sign-in timeout");
      g_source_set_callback (self->timeout_source, timeout_cb, self, NULL);
      g_source_attach (self->timeout_source, g_task_get_context (self->task));
    }

  /* A GCancellableSource: the cancel may come from another thread. */
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->cancel_source, "[coursedrop] sign-in cancel");
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (cancelled_cb), self, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (self->task));
    }

  /* Brightspace may have been quicker than our caller. */
  if (self->callback != NULL)
    handle_callback (self);
}

CdAccount *
cd_signin_wait_finish (CdSignIn      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (CD_IS_SIGNIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_signin_wait_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
