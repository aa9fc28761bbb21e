/* cd-signin.c: sign in with the browser (valence-idkey.md §5)
 *
 * Brightspace sends the browser back to the app's Trusted URL with the
 * user ID and key in the query.  We catch that on a loopback listener that
 * exists only for this one sign-in: bound to 127.0.0.1 (never a public
 * address, so nobody on the network can hand us keys or read them), the
 * exact path only, one callback only.  The keys count only once whoami
 * accepts them, and only the caller saves them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "cd-account-private.h"
#include "cd-client-private.h"
#include "cd-secret.h"
#include "cd-signin.h"

typedef enum {
  STATE_NEW,        /* not listening yet */
  STATE_WAITING,    /* listening; no callback yet */
  STATE_VERIFYING,  /* the callback came; whoami is on its way */
  STATE_DONE,       /* the one callback was handled */
} State;

struct _CdSignIn
{
  GObject            parent_instance;

  State              state;
  SoupServer        *server;           /* (nullable) */
  char              *path;             /* the callback's path */
  char              *host;             /* normalized */
  char              *app_id;
  CdSecret          *app_key;          /* (owned) (nullable) */
  char              *ca_file;          /* (nullable) */
  char              *pin;              /* (nullable) */

  GTask             *task;             /* (nullable): the wait */
  GSource           *timeout_source;   /* (nullable) */
  guint              timeout_seconds;
  GSource           *cancel_source;    /* (nullable) */
  SoupServerMessage *callback;         /* (nullable): paused until answered */
  CdAccount         *candidate;        /* (nullable): being verified */
  CdAccount         *oauth_account;    /* (nullable): an OAuth 2.0 sign-in */
  char              *redirect_uri;     /* (nullable): OAuth, as registered */
  GCancellable      *verify_cancellable;
};

G_DEFINE_QUARK (cd-signin-error-quark, cd_signin_error)
G_DEFINE_FINAL_TYPE (CdSignIn, cd_signin, G_TYPE_OBJECT)

static void finish_wait        (CdSignIn  *self,
                                CdAccount *account,
                                GError    *error);
static void clear_wait_sources (CdSignIn  *self);

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
static SoupServerMessage *
answer_callback (CdSignIn     *self,
                 guint         status,
                 const char   *title,
                 const char   *text)
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
    return answer_callback (self, SOUP_STATUS_SERVICE_UNAVAILABLE, _("Sign-in cancelled"),
                            _("The sign-in was cancelled in Coursedrop. You can close this "
                              "tab and start again from Coursedrop."));

  return answer_callback (self, SOUP_STATUS_BAD_REQUEST, _("Sign-in failed"), error->message);
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
  clear_wait_sources (self);

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

  msg = answer_callback (self, SOUP_STATUS_OK, _("You are signed in"), text);
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

static void
server_cb (SoupServer        *server,
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

static void
clear_wait_sources (CdSignIn *self)
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
  clear_wait_sources (self);

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

/* --- starting --------------------------------------------------------------------------- */

static gboolean
path_is_plain (const char *path)
{
  if (path == NULL || path[0] != '/')
    return FALSE;

  /* Nothing to encode, so the browser's path and ours compare as strings. */
  for (const char *p = path; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/-._~", *p) == NULL)
      return FALSE;

  return TRUE;
}

gboolean
cd_signin_check_callback_url (const char  *callback_url,
                              guint16     *port,
                              GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;
  int uri_port;

  g_return_val_if_fail (callback_url != NULL, FALSE);

  uri = g_uri_parse (callback_url, G_URI_FLAGS_ENCODED, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  uri_port = uri != NULL ? g_uri_get_port (uri) : -1;

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || host == NULL ||
      (strcmp (host, "127.0.0.1") != 0 && g_ascii_strcasecmp (host, "localhost") != 0) ||
      uri_port <= 0 || uri_port > G_MAXUINT16 || g_uri_get_userinfo (uri) != NULL ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      !path_is_plain (g_uri_get_path (uri)) || strcmp (g_uri_get_path (uri), "/") == 0)
    {
      g_set_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_INVALID_CALLBACK,
                   _("“%s” cannot be the sign-in callback address. Use an address like "
                     "%s (or with localhost), with a port and a path, exactly as "
                     "registered as the trusted URL of the app in Brightspace."),
                   callback_url, CD_SIGNIN_DEFAULT_CALLBACK_URL);
      return FALSE;
    }

  if (port != NULL)
    *port = (guint16) uri_port;
  return TRUE;
}

static gboolean
listen_loopback (CdSignIn  *self,
                 guint16    port,
                 GError   **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) local_error = NULL;
  guint other = port < G_MAXUINT16 ? port + 1u : port - 1u;

  server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (server, NULL, server_cb, self, NULL);

  /* 127.0.0.1 and nothing else: no other machine can reach it. */
  if (soup_server_listen (server, address, 0, &local_error))
    {
      self->server = g_steal_pointer (&server);
      return TRUE;
    }

  g_debug ("Sign-in: cannot listen on 127.0.0.1:%u: %s", port, local_error->message);

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    g_set_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_PORT_IN_USE,
                 _("Port %u on this computer is already in use by another program, so "
                   "Coursedrop cannot receive the sign-in there. Close that program, or "
                   "register another callback address, such as "
                   "http://127.0.0.1:%u/callback, as the app’s trusted URL in Brightspace "
                   "and use that."),
                 port, other);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_INVALID_CALLBACK,
                 _("Coursedrop may not use port %u on this computer. Register a callback "
                   "address with a port above 1024, such as %s, in Brightspace and use "
                   "that."),
                 port, CD_SIGNIN_DEFAULT_CALLBACK_URL);
  else
    g_set_error (error, CD_SIGNIN_ERROR, CD_SIGNIN_ERROR_PORT_IN_USE,
                 _("Coursedrop cannot wait for the sign-in on port %u (%s). Try another "
                   "callback address registered in Brightspace."),
                 port, local_error->message);

  return FALSE;
}

char *
cd_signin_start (CdSignIn    *self,
                 const char  *host,
                 const char  *app_id,
                 const char  *app_key,
                 const char  *callback_url,
                 GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GUri) uri = NULL;
  guint16 port = 0;

  g_return_val_if_fail (CD_IS_SIGNIN (self), NULL);
  g_return_val_if_fail (self->state == STATE_NEW, NULL);
  g_return_val_if_fail (callback_url != NULL, NULL);

  if (!(normalized = _cd_client_normalize_host (host, error)))
    return NULL;

  if (app_id == NULL || *app_id == '\0' || app_key == NULL || *app_key == '\0')
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP,
                           _("Signing in needs the ID and key of the Brightspace app. Enter "
                             "them, or ask your Brightspace administrator for them."));
      return NULL;
    }

  if (!cd_signin_check_callback_url (callback_url, &port, error))
    return NULL;

  if (!listen_loopback (self, port, error))
    return NULL;

  uri = g_uri_parse (callback_url, G_URI_FLAGS_ENCODED, NULL);
  self->path = g_strdup (g_uri_get_path (uri));
  self->host = g_steal_pointer (&normalized);
  self->app_id = g_strdup (app_id);
  self->app_key = cd_secret_dup (app_key);
  self->state = STATE_WAITING;

  g_debug ("Sign-in: waiting on 127.0.0.1:%u for %s", port, self->path);

  /* Signed exactly as given: Brightspace compares it with the Trusted URL. */
  return cd_idkey_build_auth_url (self->host, app_id, app_key, callback_url, FALSE);
}

char *
cd_signin_start_for_account (CdSignIn    *self,
                             CdAccount   *account,
                             const char  *callback_url,
                             GError     **error)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (account), NULL);

  return cd_signin_start (self, account->host, account->app_id, account->app_key,
                          callback_url, error);
}

char *
cd_signin_start_oauth (CdSignIn   *self,
                       CdAccount  *account,
                       GError    **error)
{
  g_autoptr(GUri) uri = NULL;
  CdOAuth *oauth;
  const char *redirect;
  char *url;
  guint16 port = 0;

  g_return_val_if_fail (CD_IS_SIGNIN (self), NULL);
  g_return_val_if_fail (self->state == STATE_NEW, NULL);
  g_return_val_if_fail (CD_IS_ACCOUNT (account), NULL);

  if (!(oauth = cd_account_get_oauth (account)))
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP,
                           _("This account does not sign in with OAuth 2.0."));
      return NULL;
    }

  redirect = cd_oauth_get_redirect_uri (oauth);
  if (!cd_signin_check_callback_url (redirect, &port, error))
    return NULL;
  if (!(url = cd_oauth_begin_sign_in (oauth, error)))
    return NULL;
  if (!listen_loopback (self, port, error))
    {
      g_free (url);
      return NULL;
    }

  uri = g_uri_parse (redirect, G_URI_FLAGS_ENCODED, NULL);
  self->path = g_strdup (g_uri_get_path (uri));
  self->host = g_strdup (cd_account_get_host (account));
  self->redirect_uri = g_strdup (redirect);
  self->oauth_account = g_object_ref (account);
  self->state = STATE_WAITING;

  g_debug ("Sign-in: waiting on 127.0.0.1:%u for %s (OAuth)", port, self->path);
  return url;
}

void
cd_signin_stop (CdSignIn *self)
{
  g_return_if_fail (CD_IS_SIGNIN (self));

  if (self->server != NULL)
    {
      soup_server_remove_handler (self->server, NULL);
      soup_server_disconnect (self->server);
    }
  g_clear_object (&self->server);
}

void
cd_signin_set_ca_file (CdSignIn   *self,
                       const char *pem_path)
{
  g_return_if_fail (CD_IS_SIGNIN (self));

  g_free (self->ca_file);
  self->ca_file = g_strdup (pem_path);
}

gboolean
cd_signin_set_pinned_certificate (CdSignIn    *self,
                                  const char  *sha256,
                                  GError     **error)
{
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (CD_IS_SIGNIN (self), FALSE);

  if (sha256 != NULL && !(fingerprint = cd_certificate_normalize_fingerprint (sha256, error)))
    return FALSE;

  g_free (self->pin);
  self->pin = g_steal_pointer (&fingerprint);
  return TRUE;
}

/* --- GObject ------------------------------------------------------------------------------ */

CdSignIn *
cd_signin_new (void)
{
  return g_object_new (CD_TYPE_SIGNIN, NULL);
}

static void
cd_signin_dispose (GObject *object)
{
  CdSignIn *self = CD_SIGNIN (object);
  SoupServerMessage *msg;

  clear_wait_sources (self);
  if (self->verify_cancellable != NULL)
    g_cancellable_cancel (self->verify_cancellable);

  /* A browser still waiting for the page gets one. */
  msg = answer_callback (self, SOUP_STATUS_SERVICE_UNAVAILABLE, _("Sign-in stopped"),
                         _("Coursedrop stopped waiting for this sign-in. You can close this "
                           "tab."));
  g_clear_object (&msg);
  cd_signin_stop (self);

  G_OBJECT_CLASS (cd_signin_parent_class)->dispose (object);
}

static void
cd_signin_finalize (GObject *object)
{
  CdSignIn *self = CD_SIGNIN (object);

  g_assert (self->task == NULL);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->app_id, g_free);
  cd_secret_clear (&self->app_key);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pin, g_free);
  g_clear_object (&self->candidate);
  g_clear_object (&self->oauth_account);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_object (&self->verify_cancellable);

  G_OBJECT_CLASS (cd_signin_parent_class)->finalize (object);
}

static void
cd_signin_class_init (CdSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_signin_dispose;
  object_class->finalize = cd_signin_finalize;
}

static void
cd_signin_init (CdSignIn *self)
{
}
