/* cd-client-request.c: one signed request, re-signed on every attempt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"
#include "cd-secret.h"

/* A Retry-After beyond this is not worth waiting for inside one call. */
#define MAX_RETRY_AFTER_MS (60 * 1000)

typedef struct
{
  char           *method;
  char           *route;
  GBytes         *body;          /* (nullable) */
  CdRequestFlags  flags;
  SoupMessage    *message;       /* (nullable): the attempt in flight */
  char           *log_target;    /* path and query, x_* redacted */
  GSource        *wait_source;   /* (nullable): backoff timer */
  GSource        *cancel_source; /* (nullable): cancels the backoff */
  gint64          started_us;
  gint64          deadline_us;   /* monotonic: the whole request, retries included */
  guint           retry_after_ms; /* of the last reply */
  guint           attempt;       /* 1-based; the skew retry does not count */
  char           *authorization; /* (nullable): the header of the attempt in flight */
  guint           skew_retried : 1;
  guint           auth_renewed : 1;
} Request;

static void
request_clear_wait (Request *req)
{
  if (req->wait_source != NULL)
    g_source_destroy (req->wait_source);
  g_clear_pointer (&req->wait_source, g_source_unref);
  if (req->cancel_source != NULL)
    g_source_destroy (req->cancel_source);
  g_clear_pointer (&req->cancel_source, g_source_unref);
}

static void
request_free (Request *req)
{
  request_clear_wait (req);
  g_clear_pointer (&req->method, g_free);
  g_clear_pointer (&req->route, g_free);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_object (&req->message);
  g_clear_pointer (&req->log_target, g_free);
  g_clear_pointer (&req->authorization, cd_secret_free);
  g_free (req);
}

static guint
elapsed_ms (Request *req)
{
  return (guint) ((g_get_monotonic_time () - req->started_us) / 1000);
}

static void request_send (GTask *task);

static gboolean
request_wait_done_cb (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (G_TASK (user_data));
  Request *req = g_task_get_task_data (task);

  request_clear_wait (req);
  request_send (task);

  return G_SOURCE_REMOVE;
}

static gboolean
request_wait_cancelled_cb (GCancellable *cancellable,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = g_object_ref (G_TASK (user_data));
  Request *req = g_task_get_task_data (task);

  request_clear_wait (req);
  g_debug ("%s %s: cancelled while waiting to retry", req->method, req->log_target);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

/* Returns FALSE when the caller should give up with its error instead. */
static gboolean
request_schedule_retry (GTask *task,
                        guint  retry_after_ms)
{
  CdClient *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint64 delay_ms;

  if ((req->flags & CD_REQUEST_IDEMPOTENT) == 0 || req->attempt >= self->max_attempts)
    return FALSE;

  /* The server told us how long: waiting less only earns another 429, and
   * waiting minutes inside one call is worse than telling the user. */
  if (retry_after_ms > MAX_RETRY_AFTER_MS)
    return FALSE;

  delay_ms = (guint64) self->base_delay_ms << MIN (req->attempt - 1, 16);
  delay_ms = MIN (delay_ms, self->max_delay_ms);
  /* Jitter keeps many clients that failed together from retrying together. */
  delay_ms += g_random_int_range (0, (gint32) (delay_ms / 10) + 1);
  delay_ms = MAX (delay_ms, retry_after_ms);
  delay_ms = MIN (delay_ms, MAX_RETRY_AFTER_MS);

  /* No retry that could not even start before the deadline. */
  if (g_get_monotonic_time () + (gint64) delay_ms * 1000 >= req->deadline_us)
    return FALSE;

  req->attempt++;
  g_debug ("%s %s: attempt %u of %u in %u ms", req->method, req->log_target,
           req->attempt, self->max_attempts, (guint) delay_ms);

  req->wait_source = g_timeout_source_new ((guint) delay_ms);
  g_source_set_static_name (req->wait_source, "[coursedrop] retry backoff");
  g_source_set_callback (req->wait_source, request_wait_done_cb,
                         g_object_ref (task), g_object_unref);
  g_source_attach (req->wait_source, g_task_get_context (task));

  /* A GCancellableSource rather than g_cancellable_connect(): it runs in
   * the task's context even when the cancel comes from another thread. */
  if (cancellable != NULL)
    {
      req->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (req->cancel_source, "[coursedrop] retry cancel");
      g_source_set_callback (req->cancel_source, G_SOURCE_FUNC (request_wait_cancelled_cb),
                             g_object_ref (task), g_object_unref);
      g_source_attach (req->cancel_source, g_task_get_context (task));
    }

  return TRUE;
}

static gboolean
request_handle_skew (GTask      *task,
                     guint       status,
                     GBytes     *body)
{
  CdClient *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gint64 server_time = 0;

  if (status != SOUP_STATUS_FORBIDDEN || (req->flags & CD_REQUEST_SIGNED) == 0 ||
      self->context == NULL)
    return FALSE;

  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (!cd_idkey_parse_timestamp_error (text, &server_time))
    return FALSE;

  if (req->skew_retried)
    {
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TIMESTAMP,
                               _("Brightspace keeps rejecting the time of the request, "
                                 "even after adjusting to the server’s clock. Check that "
                                 "the date, time and time zone of this computer are set "
                                 "automatically."));
      return TRUE;
    }

  /* The server refused before acting on anything, so even a POST can be
   * sent again.  The skew stays in the context for later calls; an absurd
   * server clock is refused rather than signed with. */
  if (!_cd_client_adopt_server_time (self, server_time, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return TRUE;
    }
  req->skew_retried = TRUE;
  request_send (task);

  return TRUE;
}

static void
request_renewed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!_cd_client_prepare_auth_finish (CD_CLIENT (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A request that changes something is never sent twice on our own,
   * even though a 401 means the server did not act on it. */
  if ((req->flags & CD_REQUEST_IDEMPOTENT) == 0)
    {
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN,
                               _("Brightspace refused the access token of this request. "
                                 "Coursedrop renewed it but did not send the request "
                                 "again: try again."));
      return;
    }

  g_debug ("%s %s: access token renewed; sending again", req->method, req->log_target);
  request_send (task);
}

/* A bearer token refused with 401: renew it once (unless another request
 * already did) and send again.  TRUE when that is under way. */
static gboolean
request_handle_unauthorized (GTask *task,
                             guint  status)
{
  CdClient *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);

  if (status != SOUP_STATUS_UNAUTHORIZED || (req->flags & CD_REQUEST_SIGNED) == 0 ||
      req->auth_renewed || req->authorization == NULL ||
      cd_auth_get_kind (self->auth) != CD_AUTH_KIND_OAUTH)
    return FALSE;

  req->auth_renewed = TRUE;
  _cd_client_prepare_auth_async (self, req->authorization, g_task_get_cancellable (task),
                                 request_renewed_cb, g_object_ref (task));
  return TRUE;
}

static void
request_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdClient *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint status;

  body = _cd_client_send_capped_finish (result, &error);
  if (body == NULL)
    {
      g_autoptr(GError) mapped = NULL;
      g_autofree char *reason = cd_idkey_redact (error->message);

      g_debug ("%s %s → %s (%u ms)", req->method, req->log_target, reason, elapsed_ms (req));

      /* Too large an answer is no accident worth repeating. */
      if (error->domain == CD_CLIENT_ERROR)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      mapped = _cd_client_error_from_transport (self->host, req->message, error);
      g_free (self->last_failure);
      self->last_failure = _cd_client_transport_reason (error);
      if (_cd_client_error_is_transient (mapped) && request_schedule_retry (task, 0))
        return;

      g_task_return_error (task, g_steal_pointer (&mapped));
      return;
    }

  status = soup_message_get_status (req->message);
  req->retry_after_ms = _cd_client_retry_after_ms (req->message);
  self->last_retry_after_ms = req->retry_after_ms;
  g_debug ("%s %s → %u (%u ms, %" G_GSIZE_FORMAT " bytes)", req->method, req->log_target,
           status, elapsed_ms (req), g_bytes_get_size (body));

  if (request_handle_skew (task, status, body) || request_handle_unauthorized (task, status))
    return;

  if (!SOUP_STATUS_IS_SUCCESSFUL (status) &&
      _cd_client_auth_error (self, req->method, req->route, status, body, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!_cd_client_error_from_status (self->host, req->route, status, body, &error))
    {
      g_free (self->last_failure);
      self->last_failure = _cd_client_status_reason (status);

      /* Error bodies are plain text or small JSON; bodies of successful
       * replies may hold personal data and are never logged. */
      g_autofree char *excerpt = _cd_client_body_excerpt (body, 200);

      if (excerpt != NULL)
        g_debug ("%s %s: %s", req->method, req->log_target, excerpt);

      if (_cd_client_error_is_transient (error) &&
          request_schedule_retry (task, req->retry_after_ms))
        return;

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  node = _cd_client_parse_json (body, &error);
  if (node == NULL)
    {
      g_free (self->last_failure);
      self->last_failure = g_strdup (_("incomplete answer"));

      /* A truncated reply to a GET is worth another try; proxies and
       * overloaded front ends cut bodies short. */
      if (request_schedule_retry (task, 0))
        return;

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify) json_node_unref);
}

static void request_send_prepared (GTask *task);

static void
request_prepared_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!_cd_client_prepare_auth_finish (CD_CLIENT (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    request_send_prepared (task);
}

/* Every attempt of a signed request first makes sure its credentials are
 * still good (an access token about to expire is renewed). */
static void
request_send (GTask *task)
{
  CdClient *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* ID-Key keys need no preparing: sent at once, as they always were. */
  if ((req->flags & CD_REQUEST_SIGNED) == 0 ||
      cd_auth_get_kind (self->auth) == CD_AUTH_KIND_IDKEY)
    {
      request_send_prepared (task);
      return;
    }

  _cd_client_prepare_auth_async (self, NULL, g_task_get_cancellable (task),
                                 request_prepared_cb, g_object_ref (task));
}

static void
request_send_prepared (GTask *task)
{
  CdClient *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  g_autofree char *target = NULL;
  SoupMessageHeaders *headers;

  if (g_task_return_error_if_cancelled (task))
    return;

  /* A fresh timestamp, hence fresh signatures, for every attempt. */
  cd_secret_clear (&req->authorization);
  if (req->flags & CD_REQUEST_SIGNED)
    {
      url = cd_auth_build_url (self->auth, self->host, req->method, req->route);
      req->authorization = cd_auth_dup_authorization (self->auth);
    }
  else
    url = g_strconcat (self->host, req->route, NULL);

  g_clear_object (&req->message);
  req->retry_after_ms = 0;
  if (url != NULL)
    req->message = soup_message_new (req->method, url);
  if (req->message == NULL)
    {
      g_autofree char *path = g_strndup (req->route, strcspn (req->route, "?"));

      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST,
                               _("“%s” is not a valid Brightspace route."), path);
      return;
    }

  /* Redirects are not followed: a signed request is only valid for its
   * own path, and a redirect usually means the site address is wrong. */
  soup_message_add_flags (req->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (req->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (req->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", req->authorization);
  if (req->body != NULL)
    soup_message_set_request_body_from_bytes (req->message, "application/json", req->body);

  target = g_str_has_prefix (url, self->host) ? g_strdup (url + strlen (self->host))
                                                : g_strdup (url);
  g_free (req->log_target);
  req->log_target = cd_idkey_redact (target);
  req->started_us = g_get_monotonic_time ();
  g_debug ("%s %s", req->method, req->log_target);

  _cd_client_send_capped_async (self->session, req->message,
                                (req->flags & CD_REQUEST_LARGE_ANSWER) ? CD_CLIENT_MAX_LOG_ANSWER
                                                                       : CD_CLIENT_MAX_JSON_ANSWER,
                                req->deadline_us, g_task_get_cancellable (task),
                                request_sent_cb, g_object_ref (task));
}

void
_cd_client_request_async (CdClient            *self,
                          const char          *method,
                          const char          *route,
                          GBytes              *body,
                          CdRequestFlags       flags,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *req;

  g_assert (CD_IS_CLIENT (self));
  g_assert (route != NULL && route[0] == '/');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _cd_client_request_async);

  req = g_new0 (Request, 1);
  req->method = g_strdup (method);
  req->route = g_strdup (route);
  req->body = body != NULL ? g_bytes_ref (body) : NULL;
  req->flags = flags;
  req->attempt = 1;
  req->deadline_us = g_get_monotonic_time () + (gint64) self->request_timeout_ms * 1000;
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  request_send (task);
}

JsonNode *
_cd_client_request_finish (CdClient      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return _cd_client_request_finish_full (self, result, NULL, error);
}

JsonNode *
_cd_client_request_finish_full (CdClient      *self,
                                GAsyncResult  *result,
                                guint         *retry_after_ms,
                                GError       **error)
{
  Request *req;

  g_assert (g_task_is_valid (result, self));
  g_assert (g_task_get_source_tag (G_TASK (result)) == _cd_client_request_async);

  req = g_task_get_task_data (G_TASK (result));
  if (retry_after_ms != NULL)
    *retry_after_ms = req->retry_after_ms;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Keeps the server's clock as the skew for this and later calls, unless it
 * is absurd: a server claiming a time decades away is broken or hostile,
 * and signing with its clock would overflow. */
gboolean
_cd_client_adopt_server_time (CdClient  *self,
                              gint64     server_time,
                              GError   **error)
{
  gint64 skew;

  if (self->context == NULL)
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TIMESTAMP,
                           _("Brightspace rejected the time of the request. Check that the "
                             "date and time of this computer are set automatically."));
      return FALSE;
    }

  if (!cd_idkey_skew_from_server_time (server_time, g_get_real_time () / G_USEC_PER_SEC, &skew))
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TIMESTAMP,
                   _("%s claims a time more than ten years away from this computer’s "
                     "clock, so Coursedrop cannot sign requests for it. Check the date "
                     "and time of this computer and the address of the site."), self->host);
      return FALSE;
    }

  cd_idkey_context_set_skew (self->context, skew);
  _cd_client_skew_changed (self);
  g_debug ("Clock skew against %s is %" G_GINT64_FORMAT " s; signing again", self->host, skew);

  return TRUE;
}
