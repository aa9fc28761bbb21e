/* cd-client.c: an asynchronous Brightspace Valence client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"
#include "cd-oauth.h"
#include "cd-validate.h"

/* Defaults for idempotent GETs: four tries spread over about four seconds
 * ride out a restarting load balancer without keeping the user waiting. */
#define DEFAULT_MAX_ATTEMPTS   4
#define DEFAULT_BASE_DELAY_MS  500
#define DEFAULT_MAX_DELAY_MS   8000

G_DEFINE_QUARK (cd-client-error-quark, cd_client_error)

G_DEFINE_FINAL_TYPE (CdClient, cd_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_LE_VERSION,
  PROP_LP_VERSION,
  PROP_SKEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Accessors */

char *
cd_client_normalize_host (const char  *host_url,
                          GError     **error)
{
  return _cd_client_normalize_host (host_url, error);
}

const char *
cd_client_get_host (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return self->host;
}

gint64
cd_client_get_skew (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), 0);

  return self->context != NULL ? cd_idkey_context_get_skew (self->context) : 0;
}

void
_cd_client_skew_changed (CdClient *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SKEW]);
}

const char *
cd_client_get_le_version (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return self->le_version;
}

const char *
cd_client_get_lp_version (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return self->lp_version;
}

void
_cd_client_set_version (CdClient   *self,
                        const char *product,
                        const char *version)
{
  gboolean le = strcmp (product, "le") == 0;
  char **field = le ? &self->le_version : &self->lp_version;

  if (g_strcmp0 (*field, version) == 0)
    return;

  g_free (*field);
  *field = g_strdup (version);
  g_object_notify_by_pspec (G_OBJECT (self), properties[le ? PROP_LE_VERSION : PROP_LP_VERSION]);
}

gboolean
cd_client_set_le_version (CdClient   *self,
                          const char *version)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), FALSE);

  /* Often typed by a user (--le-version, settings): refused, not asserted. */
  if (version != NULL && !cd_validate_api_version (version, NULL))
    {
      g_debug ("Not an LE API version, ignored: “%s”", version);
      return FALSE;
    }

  self->le_overridden = version != NULL;
  _cd_client_set_version (self, "le", version);
  return TRUE;
}

void
cd_client_set_lp_version (CdClient   *self,
                          const char *version)
{
  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (version == NULL || _cd_client_version_is_valid (version));

  self->lp_overridden = version != NULL;
  _cd_client_set_version (self, "lp", version);
}

/* All TLS policy of the session is decided here (and in cd-client-tls.c). */
gboolean
cd_client_set_ca_file (CdClient    *self,
                       const char  *pem_path,
                       GError     **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (CD_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (pem_path != NULL, FALSE);

  database = _cd_client_tls_database_new (pem_path, self->trust, error);
  if (database == NULL)
    return FALSE;

  g_object_set (self->session, "tls-database", database, NULL);
  return TRUE;
}

gboolean
cd_client_pin_certificate (CdClient    *self,
                           const char  *sha256,
                           GError     **error)
{
  g_autofree char *fingerprint = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (CD_IS_CLIENT (self), FALSE);

  if (sha256 != NULL && !(fingerprint = cd_certificate_normalize_fingerprint (sha256, error)))
    return FALSE;

  host = cd_certificate_host_for_url (self->host);
  g_return_val_if_fail (host != NULL, FALSE);

  _cd_certificate_trust_set_pin (self->trust, host, fingerprint);
  return TRUE;
}

char *
cd_client_dup_pinned_certificate (CdClient *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  host = cd_certificate_host_for_url (self->host);
  return host != NULL ? _cd_certificate_trust_dup_pin (self->trust, host) : NULL;
}

CdCertificateInfo *
cd_client_get_last_untrusted_certificate (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return _cd_certificate_trust_dup_last_untrusted (self->trust);
}

void
cd_client_set_retry_policy (CdClient *self,
                            guint     max_attempts,
                            guint     base_delay_ms,
                            guint     max_delay_ms)
{
  g_return_if_fail (CD_IS_CLIENT (self));

  self->max_attempts = MAX (max_attempts, 1);
  self->base_delay_ms = base_delay_ms;
  self->max_delay_ms = MAX (max_delay_ms, base_delay_ms);
}

/* The session's own timeouts, in whole seconds, bound connecting and each
 * read or write; the request deadline bounds the whole. */
static void
apply_session_timeouts (CdClient *self)
{
  guint seconds = MAX ((self->request_timeout_ms + 999) / 1000, 1);

  g_object_set (self->session, "timeout", seconds, "idle-timeout", MAX (seconds, 60), NULL);
}

void
cd_client_set_request_timeout (CdClient *self,
                               guint     timeout_ms)
{
  g_return_if_fail (CD_IS_CLIENT (self));

  self->request_timeout_ms = timeout_ms > 0 ? timeout_ms : CD_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS;
  apply_session_timeouts (self);
}

guint
cd_client_get_request_timeout (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), 0);

  return self->request_timeout_ms;
}

const char *
cd_client_get_last_failure (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return self->last_failure;
}

guint
cd_client_get_retry_after (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), 0);

  return self->last_retry_after_ms;
}

CdIdKeyContext *
cd_client_get_context (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return self->context;
}

CdAuth *
cd_client_get_auth (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return self->auth;
}

char *
cd_client_dup_authorization (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return cd_auth_dup_authorization (self->auth);
}

static void
prepare_auth_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!cd_auth_prepare_finish (CD_AUTH (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
_cd_client_prepare_auth_async (CdClient            *self,
                               const char          *rejected,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _cd_client_prepare_auth_async);
  /* The token endpoint is trusted exactly as the site is. */
  cd_auth_prepare_async (self->auth, soup_session_get_tls_database (self->session), rejected,
                         cancellable, prepare_auth_cb, task);
}

gboolean
_cd_client_prepare_auth_finish (CdClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A 401 on a bearer token means it was refused (expired or revoked) after
 * a renewal was tried; a 403, that the token lacks the route's scope or
 * the user a permission: only the scope can be named for sure. */
gboolean
_cd_client_auth_error (CdClient    *self,
                       const char  *method,
                       const char  *route,
                       guint        status,
                       GBytes      *body,
                       GError     **error)
{
  g_autofree char *path = NULL;
  const char *scope;

  if (cd_auth_get_kind (self->auth) != CD_AUTH_KIND_OAUTH)
    return FALSE;

  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED,
                           _("Brightspace no longer accepts this sign-in. Sign in again."));
      return TRUE;
    }

  if (status != SOUP_STATUS_FORBIDDEN)
    return FALSE;

  path = g_strndup (route, strcspn (route, "?#"));
  scope = cd_oauth_scope_for_route (method, path);
  if (scope == NULL)
    return FALSE;

  if (!cd_oauth_scope_granted (CD_OAUTH (self->auth), scope))
    g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN,
                 /* Translators: an OAuth scope such as import:job:create, then a path. */
                 _("The sign-in lacks the OAuth scope “%s” needed for “%s”. Ask your "
                   "Brightspace administrator to add it to the app’s registration, then "
                   "sign in again."), scope, path);
  else
    g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN,
                 /* Translators: a path, then an OAuth scope such as import:job:create. */
                 _("Brightspace refused “%s”. Either your role lacks the Brightspace "
                   "permission for it, or the app’s registration lacks the OAuth scope "
                   "“%s”: ask your Brightspace administrator."), path, scope);
  return TRUE;
}

SoupSession *
cd_client_get_session (CdClient *self)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);

  return self->session;
}

char *
cd_client_build_url (CdClient   *self,
                     const char *method,
                     const char *path_and_query)
{
  g_autofree char *route = NULL;

  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path_and_query != NULL && path_and_query[0] == '/', NULL);

  route = _cd_client_expand_known (self, path_and_query);

  return cd_auth_build_url (self->auth, self->host, method, route);
}

gboolean
cd_client_check_response (CdClient     *self,
                          SoupMessage  *message,
                          GBytes       *body,
                          GError      **error)
{
  g_autofree char *route = NULL;
  GUri *uri;

  g_return_val_if_fail (CD_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (SOUP_IS_MESSAGE (message), FALSE);

  uri = soup_message_get_uri (message);
  route = g_strdup (uri != NULL ? g_uri_get_path (uri) : "/");

  return _cd_client_error_from_status (self->host, route, soup_message_get_status (message),
                                       body, error);
}

/* GObject */

CdClient *
cd_client_new_with_auth (const char  *host_url,
                         CdAuth      *auth,
                         GError     **error)
{
  g_autofree char *base = NULL;
  CdClient *self;

  g_return_val_if_fail (CD_IS_AUTH (auth), NULL);

  base = _cd_client_normalize_host (host_url, error);
  if (base == NULL)
    return NULL;

  self = g_object_new (CD_TYPE_CLIENT, "host", base, NULL);
  self->auth = g_object_ref (auth);
  if (CD_IS_IDKEY_AUTH (auth))
    self->context = cd_idkey_auth_get_context (CD_IDKEY_AUTH (auth));

  return self;
}

CdClient *
cd_client_new (const char      *host_url,
               CdIdKeyContext  *context,
               GError         **error)
{
  g_autoptr(CdIdKeyAuth) auth = NULL;

  g_return_val_if_fail (context != NULL, NULL);

  auth = cd_idkey_auth_new (context);
  return cd_client_new_with_auth (host_url, CD_AUTH (auth), error);
}

static void
cd_client_dispose (GObject *object)
{
  CdClient *self = CD_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);

  G_OBJECT_CLASS (cd_client_parent_class)->dispose (object);
}

static void
cd_client_finalize (GObject *object)
{
  CdClient *self = CD_CLIENT (object);

  g_clear_object (&self->session);
  self->context = NULL;
  g_clear_object (&self->auth);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->last_failure, g_free);
  g_clear_pointer (&self->le_version, g_free);
  g_clear_pointer (&self->lp_version, g_free);
  g_clear_pointer (&self->discovery_waiters, g_ptr_array_unref);
  g_clear_object (&self->discovery_cancellable);
  g_clear_pointer (&self->trust, _cd_certificate_trust_unref);

  G_OBJECT_CLASS (cd_client_parent_class)->finalize (object);
}

static void
cd_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CdClient *self = CD_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_LE_VERSION:
      g_value_set_string (value, self->le_version);
      break;

    case PROP_LP_VERSION:
      g_value_set_string (value, self->lp_version);
      break;

    case PROP_SKEW:
      g_value_set_int64 (value, cd_client_get_skew (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_client_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CdClient *self = CD_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      {
        g_autoptr(GError) error = NULL;

        g_assert (self->host == NULL);
        self->host = _cd_client_normalize_host (g_value_get_string (value), &error);
        if (self->host == NULL)
          g_critical ("Invalid Brightspace host: %s", error->message);
      }
      break;

    case PROP_LE_VERSION:
      cd_client_set_le_version (self, g_value_get_string (value));
      break;

    case PROP_LP_VERSION:
      cd_client_set_lp_version (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_client_class_init (CdClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_client_dispose;
  object_class->finalize = cd_client_finalize;
  object_class->get_property = cd_client_get_property;
  object_class->set_property = cd_client_set_property;

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LE_VERSION] =
    g_param_spec_string ("le-version", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LP_VERSION] =
    g_param_spec_string ("lp-version", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SKEW] =
    g_param_spec_int64 ("skew", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* Whoever sends on this session (requests, import status polls), a
 * certificate that fails verification is checked against the pins. */
static void
request_queued_cb (SoupSession *session,
                   SoupMessage *message,
                   CdClient    *self)
{
  _cd_certificate_trust_watch (self->trust, message);
}

static void
cd_client_init (CdClient *self)
{
  g_autoptr(GTlsDatabase) database = NULL;

  /* One session per client: connections, TLS trust and the user agent are
   * shared by every request, including uploads. */
  self->session = soup_session_new_with_options ("user-agent", "Coursedrop/" PACKAGE_VERSION,
                                                 NULL);
  self->request_timeout_ms = CD_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS;
  apply_session_timeouts (self);
  self->trust = _cd_certificate_trust_new ();
  database = _cd_client_tls_database_new (NULL, self->trust, NULL);
  soup_session_set_tls_database (self->session, database);
  g_signal_connect_object (self->session, "request-queued", G_CALLBACK (request_queued_cb),
                           self, 0);
  self->discovery_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->max_attempts = DEFAULT_MAX_ATTEMPTS;
  self->base_delay_ms = DEFAULT_BASE_DELAY_MS;
  self->max_delay_ms = DEFAULT_MAX_DELAY_MS;
}
