/* cd-signin.c: sign in with the browser (valence-idkey.md §5)
 *
 * Brightspace sends the browser back to the app's Trusted URL with the
 * user ID and key in the query.  We catch that on a loopback listener that
 * exists only for this one sign-in: bound to 127.0.0.1 (never a public
 * address, so nobody on the network can hand us keys or read them), the
 * exact path only, one callback only.  The keys count only once whoami
 * accepts them, and only the caller saves them.
 *
 * This file checks the callback address, starts the listener and owns the
 * object; cd-signin-wait.c answers the callback and ends the wait.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "cd-account-private.h"
#include "cd-client-private.h"
#include "cd-signin-private.h"

G_DEFINE_QUARK (cd-signin-error-quark, cd_signin_error)
G_DEFINE_FINAL_TYPE (CdSignIn, cd_signin, G_TYPE_OBJECT)

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
  soup_server_add_handler (server, NULL, _cd_signin_server_cb, self, NULL);

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

  _cd_signin_clear_wait_sources (self);
  if (self->verify_cancellable != NULL)
    g_cancellable_cancel (self->verify_cancellable);

  /* A browser still waiting for the page gets one. */
  msg = _cd_signin_answer_callback (self, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                    _("Sign-in stopped"),
                                    _("Coursedrop stopped waiting for this sign-in. You can "
                                      "close this tab."));
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
