/* cd-client-versions.c: which Valence API versions a client speaks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"
#include "cd-json.h"

#define VERSIONS_ROUTE "/d2l/api/versions/"

/* "1.9" < "1.10": compare dot-separated numbers, not strings.  Entries that
 * are not all digits sort below every real version. */
static int
compare_versions (const char *a,
                  const char *b)
{
  g_auto(GStrv) pa = g_strsplit (a, ".", -1);
  g_auto(GStrv) pb = g_strsplit (b, ".", -1);

  for (guint i = 0; pa[i] != NULL || pb[i] != NULL; i++)
    {
      guint64 va = 0;
      guint64 vb = 0;

      if (pa[i] != NULL)
        g_ascii_string_to_unsigned (pa[i], 10, 0, G_MAXUINT32, &va, NULL);
      if (pb[i] != NULL)
        g_ascii_string_to_unsigned (pb[i], 10, 0, G_MAXUINT32, &vb, NULL);
      if (va != vb)
        return va < vb ? -1 : 1;
      if (pa[i] == NULL || pb[i] == NULL)
        break;
    }

  return 0;
}

gboolean
_cd_client_version_is_valid (const char *version)
{
  g_auto(GStrv) parts = NULL;

  if (version == NULL || *version == '\0')
    return FALSE;

  parts = g_strsplit (version, ".", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT32, NULL, NULL))
      return FALSE;

  return TRUE;
}

static const char *
newest_version (JsonObject *product)
{
  const char *newest = NULL;

  if (json_object_has_member (product, "SupportedVersions") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (product, "SupportedVersions")))
    {
      JsonArray *versions = cd_json_get_array (product, "SupportedVersions");

      for (guint i = 0; i < json_array_get_length (versions); i++)
        {
          JsonNode *node = json_array_get_element (versions, i);
          const char *version;

          if (json_node_get_value_type (node) != G_TYPE_STRING)
            continue;
          version = json_node_get_string (node);
          if (_cd_client_version_is_valid (version) &&
              (newest == NULL || compare_versions (version, newest) > 0))
            newest = version;
        }

      if (newest != NULL)
        return newest;
    }

  /* Only a fallback: the docs do not promise this field. */
  newest = cd_json_get_string (product, "LatestVersion");
  return _cd_client_version_is_valid (newest) ? newest : NULL;
}

static gboolean
apply_versions (CdClient  *self,
                JsonNode  *root,
                GError   **error)
{
  const char *le = NULL;
  const char *lp = NULL;
  JsonArray *products;

  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("The site did not list its Brightspace API versions. "
                             "Check that the address is that of a Brightspace site."));
      return FALSE;
    }

  products = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonNode *node = json_array_get_element (products, i);
      JsonObject *product;
      const char *code;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      product = json_node_get_object (node);
      code = cd_json_get_string_or (product, "ProductCode", "");
      if (g_ascii_strcasecmp (code, "le") == 0)
        le = newest_version (product);
      else if (g_ascii_strcasecmp (code, "lp") == 0)
        lp = newest_version (product);
    }

  if (le == NULL && lp == NULL)
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("The site did not list its Brightspace API versions. "
                             "Check that the address is that of a Brightspace site."));
      return FALSE;
    }

  if (!self->le_overridden && le != NULL)
    _cd_client_set_version (self, "le", le);
  if (!self->lp_overridden && lp != NULL)
    _cd_client_set_version (self, "lp", lp);

  g_debug ("Brightspace API versions: lp %s, le %s",
           self->lp_version ? self->lp_version : "(none)",
           self->le_version ? self->le_version : "(none)");

  return TRUE;
}

static void start_discovery (CdClient *self);

static void
discovery_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CdClient *self = CD_CLIENT (object);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;

  root = _cd_client_request_finish (self, result, &error);
  g_clear_object (&self->discovery_cancellable);

  /* Everyone who waited gave up and cancelled it, but someone new came
   * along before the cancellation landed: they still need the answer. */
  if (root == NULL && self->discovery_waiters->len > 0 &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      start_discovery (self);
      return;
    }

  if (root != NULL)
    apply_versions (self, root, &error);

  waiters = g_steal_pointer (&self->discovery_waiters);
  self->discovery_waiters = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      /* Drops the waiter's cancellation watch. */
      g_task_set_task_data (waiter, NULL, NULL);
      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_boolean (waiter, TRUE);
    }
}

static void
start_discovery (CdClient *self)
{
  g_assert (self->discovery_cancellable == NULL);

  /* The request has its own cancellable: one waiter cancelling must not
   * fail the others that joined it. */
  self->discovery_cancellable = g_cancellable_new ();
  _cd_client_request_async (self, "GET", VERSIONS_ROUTE, NULL, CD_REQUEST_IDEMPOTENT,
                            self->discovery_cancellable, discovery_done_cb, NULL);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_autoptr(GTask) waiter = g_object_ref (G_TASK (user_data));
  CdClient *self = g_task_get_source_object (waiter);

  g_ptr_array_remove (self->discovery_waiters, waiter);
  g_task_set_task_data (waiter, NULL, NULL);
  g_task_return_error_if_cancelled (waiter);

  if (self->discovery_waiters->len == 0 && self->discovery_cancellable != NULL)
    g_cancellable_cancel (self->discovery_cancellable);

  return G_SOURCE_REMOVE;
}

static void
destroy_source (gpointer data)
{
  g_source_destroy (data);
  g_source_unref (data);
}

void
cd_client_discover_versions_async (CdClient            *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_client_discover_versions_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* A GCancellableSource rather than g_cancellable_connect(): it fires in
   * this main context even when the cancel comes from another thread. */
  if (cancellable != NULL)
    {
      GSource *source = g_cancellable_source_new (cancellable);

      g_source_set_callback (source, G_SOURCE_FUNC (waiter_cancelled_cb), task, NULL);
      g_source_attach (source, g_task_get_context (task));
      g_task_set_task_data (task, source, destroy_source);
    }

  /* Concurrent callers share one request. */
  g_ptr_array_add (self->discovery_waiters, g_object_ref (task));
  if (self->discovery_cancellable == NULL)
    start_discovery (self);
}

gboolean
cd_client_discover_versions_finish (CdClient      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_discover_versions_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Placeholders whose version is not known stay as they are. */
char *
_cd_client_expand_known (CdClient   *self,
                         const char *route)
{
  GString *expanded = g_string_new (route);

  if (self->le_version != NULL)
    g_string_replace (expanded, "{le}", self->le_version, 0);
  if (self->lp_version != NULL)
    g_string_replace (expanded, "{lp}", self->lp_version, 0);

  return g_string_free (expanded, FALSE);
}

gboolean
_cd_client_route_needs_discovery (CdClient   *self,
                                  const char *route)
{
  return (strstr (route, "{le}") != NULL && self->le_version == NULL) ||
         (strstr (route, "{lp}") != NULL && self->lp_version == NULL);
}

char *
cd_client_expand_route (CdClient    *self,
                        const char  *route,
                        GError     **error)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (route != NULL, NULL);

  if (_cd_client_route_needs_discovery (self, route))
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                   _("The Brightspace site does not offer the “%s” API."),
                   strstr (route, "{le}") != NULL && self->le_version == NULL ? "le" : "lp");
      return NULL;
    }

  return _cd_client_expand_known (self, route);
}

/* Running a task once the versions its route needs are known */

typedef struct
{
  GTask               *task;  /* (owned) */
  CdClientVersionsThen then;
} Pending;

static void
pending_discovered_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GTask) task = pending->task;
  g_autoptr(GError) error = NULL;
  CdClientVersionsThen then = pending->then;

  g_free (pending);

  if (!cd_client_discover_versions_finish (CD_CLIENT (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    then (task);
}

/* Calls @then (@task) at once when @route needs no version that is still
 * unknown; otherwise discovers first, and on failure returns the error
 * through @task instead. */
void
_cd_client_with_versions (CdClient             *self,
                          const char           *route,
                          GTask                *task,
                          CdClientVersionsThen  then)
{
  Pending *pending;

  if (!_cd_client_route_needs_discovery (self, route))
    {
      then (task);
      return;
    }

  pending = g_new0 (Pending, 1);
  pending->task = g_object_ref (task);
  pending->then = then;
  cd_client_discover_versions_async (self, g_task_get_cancellable (task),
                                     pending_discovered_cb, pending);
}
