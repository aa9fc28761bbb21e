/* cd-client-calls.c: signed JSON calls and the typed calls built on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"

/* The state of one get_json/post_json call while versions are found. */
typedef struct
{
  char     *method;
  char     *route;   /* as given, may hold {le}/{lp} */
  GBytes   *body;    /* (nullable) */
  CdRequestFlags extra_flags;
} Call;

static void
call_free (Call *call)
{
  g_clear_pointer (&call->method, g_free);
  g_clear_pointer (&call->route, g_free);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = _cd_client_request_finish (CD_CLIENT (object), result, &error);
  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
call_send (GTask *task)
{
  CdClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *route = NULL;
  g_autoptr(GError) error = NULL;
  CdRequestFlags flags = CD_REQUEST_SIGNED | call->extra_flags;

  route = cd_client_expand_route (self, call->route, &error);
  if (route == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (strcmp (call->method, "GET") == 0)
    flags |= CD_REQUEST_IDEMPOTENT;

  _cd_client_request_async (self, call->method, route, call->body, flags,
                            g_task_get_cancellable (task), call_done_cb, g_object_ref (task));
}

static void
call_start (CdClient            *self,
            const char          *method,
            const char          *route,
            JsonNode            *body,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag,
            CdRequestFlags       extra_flags)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(Call) call = g_new0 (Call, 1);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  call->method = g_strdup (method);
  call->route = g_strdup (route);
  call->extra_flags = extra_flags;
  if (body != NULL)
    {
      g_autofree char *json = json_to_string (body, FALSE);
      gsize len = strlen (json);

      call->body = g_bytes_new_take (g_steal_pointer (&json), len);
    }
  g_task_set_task_data (task, g_steal_pointer (&call), (GDestroyNotify) call_free);

  _cd_client_with_versions (self, route, task, call_send);
}

void
cd_client_get_json_async (CdClient            *self,
                          const char          *route,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (route != NULL && route[0] == '/');
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  call_start (self, "GET", route, NULL, cancellable, callback, user_data,
              cd_client_get_json_async, 0);
}

/* The same call, for answers allowed to reach CD_CLIENT_MAX_LOG_ANSWER;
 * finished with cd_client_get_json_finish(). */
void
_cd_client_get_large_json_async (CdClient            *self,
                                 const char          *route,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  call_start (self, "GET", route, NULL, cancellable, callback, user_data,
              cd_client_get_json_async, CD_REQUEST_LARGE_ANSWER);
}

JsonNode *
cd_client_get_json_finish (CdClient      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_get_json_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cd_client_post_json_async (CdClient            *self,
                           const char          *route,
                           JsonNode            *body,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (route != NULL && route[0] == '/');
  g_return_if_fail (body != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  call_start (self, "POST", route, body, cancellable, callback, user_data,
              cd_client_post_json_async, 0);
}

JsonNode *
cd_client_post_json_finish (CdClient      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_post_json_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Checks the shape the UI relies on, so that it never meets a half object. */
static void
object_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *required = g_task_get_task_data (task);
  JsonObject *json;

  node = cd_client_get_json_finish (CD_CLIENT (object), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  json = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  /* Present and a plain value: callers read them as strings. */
  for (guint i = 0; json != NULL && required[i] != NULL; i++)
    {
      JsonNode *member = json_object_get_member (json, required[i]);

      if (member == NULL || !JSON_NODE_HOLDS_VALUE (member))
        json = NULL;
    }

  if (json == NULL)
    {
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                               _("Brightspace sent a reply Coursedrop does not understand."));
      return;
    }

  g_task_return_pointer (task, json_object_ref (json), (GDestroyNotify) json_object_unref);
}

static const char * const whoami_members[] = { "Identifier", NULL };
static const char * const course_members[] = { "Identifier", "Name", NULL };

void
cd_client_whoami_async (CdClient            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_client_whoami_async);
  g_task_set_task_data (task, (gpointer) whoami_members, NULL);

  cd_client_get_json_async (self, "/d2l/api/lp/{lp}/users/whoami", cancellable,
                            object_done_cb, g_steal_pointer (&task));
}

JsonObject *
cd_client_whoami_finish (CdClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_whoami_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cd_client_get_course_async (CdClient            *self,
                            gint64               org_unit_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *route = NULL;

  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_client_get_course_async);
  g_task_set_task_data (task, (gpointer) course_members, NULL);

  if (org_unit_id <= 0)
    {
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST,
                               _("“%" PRId64 "” is not a course offering ID; "
                                 "IDs are positive numbers."), org_unit_id);
      return;
    }

  route = g_strdup_printf ("/d2l/api/lp/{lp}/courses/%" G_GINT64_FORMAT, org_unit_id);
  cd_client_get_json_async (self, route, cancellable, object_done_cb, g_steal_pointer (&task));
}

JsonObject *
cd_client_get_course_finish (CdClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_get_course_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
