/* cd-client-imports.c: the Valence course import routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <libsoup/soup.h>
#include <glib/gi18n-lib.h>

#include "cd-client-imports.h"
#include "cd-client-private.h"
#include "cd-secret.h"
#include "cd-json.h"
#include "cd-validate.h"

#define IMPORTS_ROUTE CD_CLIENT_IMPORTS_ROUTE

/* A garbled answer to a status poll is as passing as a 503: the job is
 * still there, so try again later. */
gboolean
cd_client_error_is_transient (const GError *error)
{
  return _cd_client_error_is_transient (error) ||
         g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
}

static char *
imports_route (CdClient  *self,
               gint64     org_unit_id,
               GError   **error)
{
  g_autofree char *route = g_strdup_printf (IMPORTS_ROUTE, org_unit_id);

  return cd_client_expand_route (self, route, error);
}

/* Starting an import */

typedef struct
{
  GFile                *file;              /* (owned) */
  gint64                org_unit_id;
  char                 *callback_url;      /* (owned) (nullable) */
  char                 *route;             /* (owned) (nullable) */
  CdUploadProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;
  gboolean              resigned;
} StartImport;

static void
start_import_free (StartImport *start)
{
  if (start->progress_destroy != NULL)
    start->progress_destroy (start->progress_data);
  g_clear_object (&start->file);
  g_clear_pointer (&start->callback_url, g_free);
  g_clear_pointer (&start->route, g_free);
  g_free (start);
}

static void start_import_send (GTask *task);

static char *
token_from_response (GBytes  *body,
                     GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonNode *token;

  if (!(root = _cd_client_parse_json (body, error)))
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !(token = json_object_get_member (json_node_get_object (root), "JobToken")) ||
      !JSON_NODE_HOLDS_VALUE (token))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("Brightspace accepted the package but sent back no job token. "
                             "Check the course’s import history before trying again."));
      return NULL;
    }

  /* Tokens look numeric but are opaque; accept both spellings, and
   * nothing else: 1.5 or true would be followed as job "1". */
  if (json_node_get_value_type (token) == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (token));
  else if (json_node_get_value_type (token) == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (token));

  /* It goes into routes later: ".." or "a/b" must never get that far. */
  if (text == NULL || !cd_validate_job_token (text, NULL))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("Brightspace accepted the package but sent back a job token "
                             "Coursedrop cannot use. Check the course’s import history "
                             "before trying again."));
      return NULL;
    }

  return g_steal_pointer (&text);
}

/* What a failed upload means for the user.  Once the whole body was sent,
 * the server may have received and imported the package even though no
 * answer came: saying "nothing was imported" could make them import twice. */
static GError *
upload_error (CdClient     *self,
              StartImport  *start,
              GAsyncResult *result,
              GError       *error)
{
  g_autoptr(GError) owned = error;
  g_autoptr(GError) mapped = NULL;
  g_autofree char *reason = NULL;

  g_debug ("POST %s failed: %s", start->route, owned->message);

  if (owned->domain == CD_UPLOAD_ERROR)
    return g_steal_pointer (&owned);

  if (cd_upload_file_body_was_sent (result))
    {
      if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        reason = g_strdup (_("the wait for it was stopped"));
      else if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        reason = g_strdup (_("none in time"));
      else
        reason = cd_idkey_redact (owned->message);

      return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN,
                          _("The whole package was sent to %s, but no complete answer came "
                            "back (%s). The package may have been received and imported: "
                            "check the course (or the job list) before importing it again."),
                          self->host, reason);
    }

  mapped = _cd_client_error_from_transport (self->host, NULL, owned);
  if (mapped->domain == CD_CLIENT_ERROR && mapped->code == CD_CLIENT_ERROR_NETWORK)
    g_prefix_error_literal (&mapped, _("The upload was interrupted, so nothing was imported; "
                                       "try again. "));

  return g_steal_pointer (&mapped);
}

static void
start_import_uploaded_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdClient *self = g_task_get_source_object (task);
  StartImport *start = g_task_get_task_data (task);
  g_autoptr(CdUploadResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  char *token;
  gint64 server_time;

  /* For the job's record: the digest of what was sent, even if no answer came. */
  g_object_set_data_full (G_OBJECT (task), "sha256",
                          g_strdup (cd_upload_file_get_sha256 (result)), g_free);
  g_object_set_data_full (G_OBJECT (task), "quick-key",
                          g_strdup (cd_upload_file_get_quick_key (result)), g_free);
  if (!(response = cd_upload_file_finish (result, &error)))
    {
      g_task_return_error (task, upload_error (self, start, result, g_steal_pointer (&error)));
      return;
    }

  g_debug ("POST %s → %u", start->route, response->status);
  self->last_retry_after_ms = _cd_client_parse_retry_after (response->retry_after);

  if (SOUP_STATUS_IS_SUCCESSFUL (response->status))
    {
      if (!(token = token_from_response (response->body, &error)))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, token, g_free);
      return;
    }

  text = g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));

  /* Refused before the server acted: safe to sign again and resend once. */
  if (response->status == SOUP_STATUS_FORBIDDEN && !start->resigned &&
      cd_idkey_parse_timestamp_error (text, &server_time))
    {
      start->resigned = TRUE;
      if (!_cd_client_adopt_server_time (self, server_time, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        start_import_send (task);
      return;
    }

  if (_cd_client_auth_error (self, "POST", start->route, response->status, response->body,
                             &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (response->status == SOUP_STATUS_NOT_FOUND)
    g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND,
                             _("No course offering has the ID %" PRId64 " on %s. "
                               "Check the ID in the course’s address in Brightspace."),
                             start->org_unit_id, self->host);
  else if (response->status == SOUP_STATUS_FORBIDDEN && g_str_has_prefix (text, "{"))
    g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN,
                             _("Your account may not import into course offering %" PRId64
                               ". Ask an administrator for the Import/Export/Copy Components "
                               "permission in that course."),
                             start->org_unit_id);
  else if (!_cd_client_error_from_status (self->host, start->route, response->status,
                                          response->body, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_assert_not_reached ();
}

/* An upload may go without visible progress for longer than a call, e.g.
 * while the server checks a large package before it answers: the upload's
 * own default applies unless the caller chose a timeout. */
static guint
upload_timeout_ms (CdClient *self)
{
  return self->request_timeout_ms == CD_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS
           ? CD_UPLOAD_DEFAULT_TIMEOUT_MS : self->request_timeout_ms;
}

static void
start_import_send (GTask *task)
{
  CdClient *self = g_task_get_source_object (task);
  StartImport *start = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *route = NULL;
  g_autofree char *url = NULL;
  g_autoptr(CdSecret) authorization = NULL;
  g_autofree char *filename = NULL;

  if (!(route = imports_route (self, start->org_unit_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (start->callback_url != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (start->callback_url, NULL, FALSE);
      char *with_query = g_strconcat (route, "?callbackUrl=", escaped, NULL);

      g_free (route);
      route = with_query;
    }

  g_free (start->route);
  start->route = g_strdup (route);
  url = cd_client_build_url (self, "POST", route);
  authorization = cd_client_dup_authorization (self);
  filename = g_file_get_basename (start->file);
  if (!g_utf8_validate (filename, -1, NULL))
    {
      g_free (filename);
      filename = g_filename_display_basename (g_file_peek_path (start->file));
    }

  cd_upload_file_full_async (url, authorization, start->file, filename,
                             soup_session_get_tls_database (self->session),
                             upload_timeout_ms (self),
                             start->progress, start->progress_data, NULL,
                             g_task_get_cancellable (task),
                             start_import_uploaded_cb, g_object_ref (task));
}

static void
start_import_prepared_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!_cd_client_prepare_auth_finish (CD_CLIENT (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    start_import_send (task);
}

/* An access token about to expire is renewed before the package goes:
 * after a 401 the upload is never sent again. */
static void
start_import_prepare (GTask *task)
{
  CdClient *self = g_task_get_source_object (task);

  if (cd_auth_get_kind (self->auth) == CD_AUTH_KIND_IDKEY)
    {
      start_import_send (task);
      return;
    }

  _cd_client_prepare_auth_async (self, NULL, g_task_get_cancellable (task),
                                 start_import_prepared_cb, g_object_ref (task));
}

void
cd_client_start_import_async (CdClient             *self,
                              GFile                *package,
                              gint64                org_unit_id,
                              const char           *callback_url,
                              CdUploadProgressFunc  progress,
                              gpointer              progress_data,
                              GDestroyNotify        progress_destroy,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  StartImport *start;

  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (G_IS_FILE (package));
  g_return_if_fail (org_unit_id > 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start = g_new0 (StartImport, 1);
  start->file = g_object_ref (package);
  start->org_unit_id = org_unit_id;
  start->callback_url = g_strdup (callback_url);
  start->progress = progress;
  start->progress_data = progress_data;
  start->progress_destroy = progress_destroy;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_client_start_import_async);
  /* Cancelled after the package was sent is OUTCOME_UNKNOWN, not CANCELLED. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, start, (GDestroyNotify)start_import_free);

  _cd_client_with_versions (self, IMPORTS_ROUTE, task, start_import_prepare);
}

char *
cd_client_start_import_finish (CdClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_client_start_import_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Returns: (nullable): the SHA-256 of the package as it was sent, failed
 * or not; see cd_upload_file_get_sha256(). */
const char *
cd_client_start_import_get_sha256 (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_client_start_import_async,
                        NULL);

  return g_object_get_data (G_OBJECT (result), "sha256");
}

const char *
cd_client_start_import_get_quick_key (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_client_start_import_async,
                        NULL);

  return g_object_get_data (G_OBJECT (result), "quick-key");
}

/* Job status */

typedef struct
{
  gint64  org_unit_id;
  char   *token;           /* (owned) */
  guint   retry_after_ms;
} JobCall;

static void
job_call_free (JobCall *call)
{
  g_free (call->token);
  g_free (call);
}

static char *
job_route (CdClient    *self,
           JobCall     *call,
           const char  *suffix,
           GError     **error)
{
  g_autofree char *imports = NULL;
  g_autofree char *token = NULL;

  if (!(imports = imports_route (self, call->org_unit_id, error)))
    return NULL;

  token = g_uri_escape_string (call->token, NULL, FALSE);
  return g_strconcat (imports, token, suffix, NULL);
}

static void
status_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  JobCall *call = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  const char *status;

  root = _cd_client_request_finish_full (CD_CLIENT (object), result, &call->retry_after_ms, &error);
  if (root == NULL)
    {
      if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND))
        g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND,
                                 _("Brightspace knows no import job %s in course offering %"
                                   PRId64 ". Check the job token and the offering ID."),
                                 call->token, call->org_unit_id);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !(status = cd_json_get_string (json_node_get_object (root), "Status")))
    {
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                               _("Brightspace’s answer about import job %s has no status."),
                               call->token);
      return;
    }

  g_task_return_pointer (task, g_strdup (status), g_free);
}

static void
status_send (GTask *task)
{
  CdClient *self = g_task_get_source_object (task);
  JobCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *route = NULL;

  if (!(route = job_route (self, call, "", &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _cd_client_request_async (self, "GET", route, NULL, CD_REQUEST_SIGNED,
                            g_task_get_cancellable (task), status_done_cb, g_object_ref (task));
}

/* Every token that goes into a route is checked first: ".." would make
 * .../imports/../logs/ a request for something else entirely. */
gboolean
_cd_client_check_job_token (const char  *token,
                            GError     **error)
{
  g_autoptr(GError) invalid = NULL;

  if (cd_validate_job_token (token, &invalid))
    return TRUE;

  g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST,
               _("Not a Brightspace job token: %s"), invalid->message);
  return FALSE;
}

static GTask *
job_task_new (CdClient            *self,
              gint64               org_unit_id,
              const char          *token,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  JobCall *call = g_new0 (JobCall, 1);

  call->org_unit_id = org_unit_id;
  call->token = g_strdup (token);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify)job_call_free);

  return task;
}

void
cd_client_get_import_status_async (CdClient            *self,
                                   gint64               org_unit_id,
                                   const char          *token,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (org_unit_id > 0);
  g_return_if_fail (token != NULL);

  task = job_task_new (self, org_unit_id, token, cancellable, callback, user_data,
                       cd_client_get_import_status_async);
  if (!_cd_client_check_job_token (token, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _cd_client_with_versions (self, IMPORTS_ROUTE, task, status_send);
}

char *
cd_client_get_import_status_finish (CdClient      *self,
                                    GAsyncResult  *result,
                                    guint         *retry_after_ms,
                                    GError       **error)
{
  JobCall *call;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_get_import_status_async, NULL);

  call = g_task_get_task_data (G_TASK (result));
  if (retry_after_ms != NULL)
    *retry_after_ms = call->retry_after_ms;

  return g_task_propagate_pointer (G_TASK (result), error);
}
