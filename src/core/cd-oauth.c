/* cd-oauth.c: OAuth 2.0 sign-in and bearer tokens for Brightspace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"
#include "cd-oauth-private.h"

/* Renew this long before expiry, or halfway through a short lifetime. */
#define RENEW_MARGIN_SECONDS 60


static void cd_oauth_auth_iface_init (CdAuthInterface *iface);

G_DEFINE_QUARK (cd-oauth-error-quark, cd_oauth_error)
G_DEFINE_FINAL_TYPE_WITH_CODE (CdOAuth, cd_oauth, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CD_TYPE_AUTH, cd_oauth_auth_iface_init))

/* --- settings ---------------------------------------------------------------------- */

/* https anywhere, plain http on a loopback host only, as for the site. */
static char *
check_endpoint (const char  *url,
                const char  *what,
                GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *base = NULL;
  g_autoptr(GError) local_error = NULL;

  if (uri != NULL && g_uri_get_host (uri) != NULL && g_uri_get_userinfo (uri) == NULL &&
      g_uri_get_fragment (uri) == NULL)
    {
      g_autoptr(GUri) origin = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                            g_uri_get_host (uri), g_uri_get_port (uri), "",
                                            NULL, NULL);
      g_autofree char *text = g_uri_to_string (origin);

      base = _cd_client_normalize_host (text, &local_error);
    }

  if (base == NULL)
    {
      g_set_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                   /* Translators: "The token endpoint" or "The authorization endpoint". */
                   _("%s “%s” cannot be used: it must be an https:// address (plain http "
                     "only on this computer)."), what, url);
      return NULL;
    }

  return g_uri_to_string (uri);
}

gboolean
cd_oauth_set_auth_url (CdOAuth     *self,
                       const char  *url,
                       GError     **error)
{
  char *checked;

  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);

  if (!(checked = check_endpoint (url != NULL ? url : CD_OAUTH_DEFAULT_AUTH_URL,
                                  _("The authorization endpoint"), error)))
    return FALSE;
  g_free (self->auth_url);
  self->auth_url = checked;
  return TRUE;
}

gboolean
cd_oauth_set_token_url (CdOAuth     *self,
                        const char  *url,
                        GError     **error)
{
  char *checked;

  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);

  if (!(checked = check_endpoint (url != NULL ? url : CD_OAUTH_DEFAULT_TOKEN_URL,
                                  _("The token endpoint"), error)))
    return FALSE;
  g_free (self->token_url);
  self->token_url = checked;
  return TRUE;
}

gboolean
cd_oauth_set_redirect_uri (CdOAuth     *self,
                           const char  *uri,
                           GError     **error)
{
  g_autoptr(GUri) parsed = NULL;

  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);

  if (uri == NULL)
    uri = CD_OAUTH_DEFAULT_REDIRECT_URI;

  /* Sent exactly as given: the server compares it with the registered one. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_uri_get_fragment (parsed) != NULL || !g_utf8_validate (uri, -1, NULL))
    {
      g_set_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                   _("“%s” cannot be a redirect URI. Use the address registered for the "
                     "app, such as %s."), uri, CD_OAUTH_DEFAULT_REDIRECT_URI);
      return FALSE;
    }

  g_free (self->redirect_uri);
  self->redirect_uri = g_strdup (uri);
  return TRUE;
}

gboolean
cd_oauth_set_scope (CdOAuth     *self,
                    const char  *scope,
                    GError     **error)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);

  if (scope == NULL)
    scope = CD_OAUTH_DEFAULT_SCOPE;
  if (!cd_oauth_scope_is_valid (scope))
    {
      g_set_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                   _("“%s” is not a list of scopes such as “import:job:create,fetch "
                     "core:*:*”."), scope);
      return FALSE;
    }

  g_free (self->scope);
  self->scope = g_strdup (scope);
  return TRUE;
}

const char *
cd_oauth_get_host (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);
  return self->host;
}

const char *
cd_oauth_get_client_id (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);
  return self->client_id;
}

const char *
cd_oauth_get_auth_url (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);
  return self->auth_url;
}

const char *
cd_oauth_get_token_url (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);
  return self->token_url;
}

const char *
cd_oauth_get_redirect_uri (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);
  return self->redirect_uri;
}

const char *
cd_oauth_get_scope (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);
  return self->scope;
}

void
cd_oauth_set_client_secret (CdOAuth    *self,
                            const char *secret)
{
  g_return_if_fail (CD_IS_OAUTH (self));

  cd_secret_clear (&self->client_secret);
  if (secret != NULL && *secret != '\0')
    self->client_secret = cd_secret_dup (secret);
}

CdSecret *
_cd_oauth_dup_client_secret (CdOAuth *self)
{
  return cd_secret_dup (self->client_secret);
}

gboolean
cd_oauth_has_client_secret (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);
  return self->client_secret != NULL;
}

gboolean
cd_oauth_is_signed_in (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);
  return self->access_token != NULL || self->signed_in;
}

void
cd_oauth_set_signed_in (CdOAuth  *self,
                        gboolean  signed_in)
{
  g_return_if_fail (CD_IS_OAUTH (self));
  self->signed_in = !!signed_in;
}

gboolean
cd_oauth_can_refresh (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);
  return !self->fixed_token && self->signed_in;
}

const char *
cd_oauth_get_granted_scope (CdOAuth *self)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);
  return self->granted_scope;
}

gboolean
cd_oauth_scope_granted (CdOAuth    *self,
                        const char *scope)
{
  g_return_val_if_fail (CD_IS_OAUTH (self), FALSE);

  /* A token from elsewhere: what it carries is unknown, so not doubted. */
  if (self->fixed_token && self->granted_scope == NULL)
    return TRUE;

  return cd_oauth_scopes_satisfy (self->granted_scope != NULL ? self->granted_scope
                                                              : self->scope, scope);
}

void
cd_oauth_forget_tokens (CdOAuth *self)
{
  g_return_if_fail (CD_IS_OAUTH (self));

  cd_secret_clear (&self->access_token);
  g_clear_pointer (&self->granted_scope, g_free);
  self->signed_in = FALSE;
}

char *
cd_oauth_dup_lock_path (CdOAuth *self)
{
  g_autofree char *key = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);

  key = g_strconcat (self->host, "\n", self->client_id != NULL ? self->client_id : "", NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  name = g_strdup_printf ("oauth-%.16s.lock", digest);

  return g_build_filename (g_get_user_runtime_dir (), "coursedrop", name, NULL);
}

/* --- tokens ----------------------------------------------------------------------------- */

static gboolean
token_is_fresh (CdOAuth *self)
{
  gint64 margin_s = MIN (RENEW_MARGIN_SECONDS, self->lifetime_s / 2);

  if (self->access_token == NULL)
    return FALSE;
  if (self->fixed_token)
    return TRUE;

  return g_get_monotonic_time () < self->expires_us - margin_s * G_USEC_PER_SEC;
}

void
_cd_oauth_adopt_tokens (CdOAuth         *self,
                        CdOAuthTokenJob *job)
{
  cd_secret_clear (&self->access_token);
  self->access_token = g_steal_pointer (&job->access_token);
  self->lifetime_s = job->expires_in;
  self->expires_us = g_get_monotonic_time () + job->expires_in * G_USEC_PER_SEC;
  self->signed_in = job->refresh_token != NULL;
  if (job->granted_scope != NULL)
    {
      g_free (self->granted_scope);
      self->granted_scope = g_steal_pointer (&job->granted_scope);
    }
  else if (self->granted_scope == NULL)
    self->granted_scope = g_strdup (self->scope);

  g_debug ("OAuth: new access token for %s, good for %" G_GINT64_FORMAT " s", self->host,
           self->lifetime_s);
}

CdOAuthTokenJob *
_cd_oauth_token_job_new (CdOAuth      *self,
                         CdOAuthGrant  grant,
                         GTlsDatabase *tls_database)
{
  CdOAuthTokenJob *job = g_new0 (CdOAuthTokenJob, 1);

  job->grant = grant;
  job->host = g_strdup (self->host);
  job->client_id = g_strdup (self->client_id);
  job->client_secret = cd_secret_dup (self->client_secret);
  job->token_url = g_strdup (self->token_url);
  job->redirect_uri = g_strdup (self->redirect_uri);
  job->scope = g_strdup (self->scope);
  job->lock_path = cd_oauth_dup_lock_path (self);
  job->tls_database = tls_database != NULL ? g_object_ref (tls_database) : NULL;

  return job;
}

static void
renewed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CdOAuth *self = CD_OAUTH (object);
  CdOAuthTokenJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);
  g_autoptr(GError) error = NULL;

  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->renewing = FALSE;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    _cd_oauth_adopt_tokens (self, job);
  else
    {
      g_debug ("OAuth: renewal failed: %s", error->message);
      cd_secret_clear (&self->access_token);
      /* Signed out for good only when the keyring said so. */
      if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED))
        self->signed_in = FALSE;
    }

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_boolean (waiter, TRUE);
    }
}

static void
start_renewal (CdOAuth      *self,
               GTlsDatabase *tls_database)
{
  g_autoptr(GTask) task = NULL;
  CdOAuthTokenJob *job;

  job = _cd_oauth_token_job_new (self, CD_OAUTH_GRANT_REFRESH, tls_database);
  self->renewing = TRUE;

  /* Not the caller's cancellable: other requests wait for this renewal,
   * and a refresh token sent must have its answer stored. */
  task = g_task_new (self, NULL, renewed_cb, NULL);
  g_task_set_source_tag (task, start_renewal);
  g_task_set_task_data (task, job, (GDestroyNotify) _cd_oauth_token_job_free);
  g_task_run_in_thread (task, _cd_oauth_token_job_run);
}

static char *
authorization_for (const char *token)
{
  return token != NULL ? g_strconcat ("Bearer ", token, NULL) : NULL;
}

static void
oauth_prepare_async (CdAuth              *auth,
                     GTlsDatabase        *tls_database,
                     const char          *rejected,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  CdOAuth *self = CD_OAUTH (auth);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(CdSecret) current = authorization_for (self->access_token);

  g_task_set_source_tag (task, oauth_prepare_async);

  if (rejected == NULL && token_is_fresh (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Another request renewed it since this one was sent. */
  if (rejected != NULL && current != NULL && strcmp (rejected, current) != 0 &&
      token_is_fresh (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (self->fixed_token || !self->signed_in || self->client_secret == NULL)
    {
      cd_secret_clear (&self->access_token);
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED,
                               self->fixed_token
                                 ? _("Brightspace refused the access token in "
                                     "COURSEDROP_ACCESS_TOKEN. Get a new one.")
                                 : _("Your Brightspace sign-in has expired. Sign in again."));
      return;
    }

  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  if (!self->renewing)
    start_renewal (self, tls_database);
}

static gboolean
oauth_prepare_finish (CdAuth        *auth,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static CdAuthKind
oauth_get_kind (CdAuth *auth)
{
  return CD_AUTH_KIND_OAUTH;
}

/* No query parameters: the token goes in the header only. */
static char *
oauth_build_url (CdAuth     *auth,
                 const char *host,
                 const char *method,
                 const char *route)
{
  return g_strconcat (host, route, NULL);
}

static char *
oauth_dup_authorization (CdAuth *auth)
{
  return authorization_for (CD_OAUTH (auth)->access_token);
}

static void
cd_oauth_auth_iface_init (CdAuthInterface *iface)
{
  iface->get_kind = oauth_get_kind;
  iface->build_url = oauth_build_url;
  iface->dup_authorization = oauth_dup_authorization;
  iface->prepare_async = oauth_prepare_async;
  iface->prepare_finish = oauth_prepare_finish;
}

/* --- GObject ---------------------------------------------------------------------------------- */

static void
cd_oauth_finalize (GObject *object)
{
  CdOAuth *self = CD_OAUTH (object);

  g_assert (self->waiters->len == 0);

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->client_id, g_free);
  cd_secret_clear (&self->client_secret);
  g_clear_pointer (&self->auth_url, g_free);
  g_clear_pointer (&self->token_url, g_free);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_pointer (&self->scope, g_free);
  cd_secret_clear (&self->access_token);
  g_clear_pointer (&self->granted_scope, g_free);
  cd_secret_clear (&self->state);
  cd_secret_clear (&self->verifier);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (cd_oauth_parent_class)->finalize (object);
}

static void
cd_oauth_class_init (CdOAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cd_oauth_finalize;
}

static void
cd_oauth_init (CdOAuth *self)
{
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->auth_url = g_strdup (CD_OAUTH_DEFAULT_AUTH_URL);
  self->token_url = g_strdup (CD_OAUTH_DEFAULT_TOKEN_URL);
  self->redirect_uri = g_strdup (CD_OAUTH_DEFAULT_REDIRECT_URI);
  self->scope = g_strdup (CD_OAUTH_DEFAULT_SCOPE);
}

CdOAuth *
cd_oauth_new (const char  *host,
              const char  *client_id,
              GError     **error)
{
  g_autofree char *normalized = NULL;
  CdOAuth *self;

  if (!(normalized = _cd_client_normalize_host (host, error)))
    return NULL;

  if (client_id == NULL || *client_id == '\0' || !g_utf8_validate (client_id, -1, NULL) ||
      strpbrk (client_id, "\r\n") != NULL || strlen (client_id) > 256)
    {
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                           _("Enter the client ID of the app registered in Brightspace."));
      return NULL;
    }

  self = g_object_new (CD_TYPE_OAUTH, NULL);
  self->host = g_steal_pointer (&normalized);
  self->client_id = g_strdup (client_id);
  return self;
}

CdOAuth *
cd_oauth_new_for_access_token (const char  *host,
                               const char  *access_token,
                               GError     **error)
{
  g_autofree char *normalized = NULL;
  CdOAuth *self;

  if (!(normalized = _cd_client_normalize_host (host, error)))
    return NULL;

  if (access_token == NULL || *access_token == '\0' ||
      strpbrk (access_token, "\r\n \t") != NULL)
    {
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                           _("COURSEDROP_ACCESS_TOKEN does not hold an access token."));
      return NULL;
    }

  self = g_object_new (CD_TYPE_OAUTH, NULL);
  self->host = g_steal_pointer (&normalized);
  self->access_token = cd_secret_dup (access_token);
  self->fixed_token = TRUE;
  self->lifetime_s = G_MAXINT32;
  return self;
}
