/* cd-client-logs.c: the log of an import job, every page of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-client-imports.h"
#include "cd-client-private.h"
#include "cd-json.h"

/* A server that keeps saying "more" cannot keep us paging forever. */
#define MAX_LOG_PAGES 1000

/* Job logs: a paged result set, followed by bookmark to the end. */

typedef struct
{
  GPtrArray  *entries;    /* (owned) (element-type CdImportLogEntry) */
  GHashTable *bookmarks;  /* (owned): seen, so a looping server cannot trap us */
  char       *route;      /* (owned) */
} Logs;

static void
logs_free (Logs *logs)
{
  g_clear_pointer (&logs->entries, g_ptr_array_unref);
  g_clear_pointer (&logs->bookmarks, g_hash_table_unref);
  g_clear_pointer (&logs->route, g_free);
  g_free (logs);
}

static void logs_fetch (GTask *task, const char *bookmark);

static void
logs_page_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Logs *logs = g_object_get_data (G_OBJECT (task), "logs");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *page, *paging;
  JsonArray *items;
  const char *bookmark = NULL;
  gboolean more = FALSE;

  if (!(root = cd_client_get_json_finish (CD_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !(items = cd_json_get_array (page = json_node_get_object (root), "Items")))
    {
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                               _("Brightspace sent the import log in a form Coursedrop cannot "
                                 "read."));
      return;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      CdImportLogEntry *entry;

      if (JSON_NODE_HOLDS_OBJECT (item) &&
          (entry = cd_import_log_entry_new_from_json (json_node_get_object (item))))
        g_ptr_array_add (logs->entries, entry);
    }

  if ((paging = cd_json_get_object (page, "PagingInfo")) != NULL)
    {
      bookmark = cd_json_get_string (paging, "Bookmark");
      more = cd_json_get_boolean (paging, "HasMoreItems", FALSE);
    }

  if (more && bookmark != NULL && bookmark[0] != '\0' &&
      !g_hash_table_contains (logs->bookmarks, bookmark) &&
      g_hash_table_size (logs->bookmarks) < MAX_LOG_PAGES)
    {
      logs_fetch (task, bookmark);
      return;
    }

  g_ptr_array_sort (logs->entries, cd_import_log_entry_compare);
  g_task_return_pointer (task, g_ptr_array_ref (logs->entries), (GDestroyNotify)g_ptr_array_unref);
}

static void
logs_fetch (GTask      *task,
            const char *bookmark)
{
  CdClient *self = g_task_get_source_object (task);
  Logs *logs = g_object_get_data (G_OBJECT (task), "logs");
  g_autofree char *route = NULL;

  if (bookmark != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (bookmark, NULL, FALSE);

      g_hash_table_add (logs->bookmarks, g_strdup (bookmark));
      route = g_strconcat (logs->route, "?bookmark=", escaped, NULL);
    }
  else
    route = g_strdup (logs->route);

  /* Log pages may be longer than other answers, but not without bound. */
  _cd_client_get_large_json_async (self, route, g_task_get_cancellable (task), logs_page_cb,
                                   g_object_ref (task));
}

void
cd_client_get_import_logs_async (CdClient            *self,
                                 gint64               org_unit_id,
                                 const char          *token,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  Logs *logs;

  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (org_unit_id > 0);
  g_return_if_fail (token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_client_get_import_logs_async);
  if (!_cd_client_check_job_token (token, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  escaped = g_uri_escape_string (token, NULL, FALSE);
  logs = g_new0 (Logs, 1);
  logs->entries = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_import_log_entry_free);
  logs->bookmarks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* {le} is expanded by get_json, which discovers versions when needed. */
  logs->route = g_strdup_printf (CD_CLIENT_IMPORTS_ROUTE "%s/logs/", org_unit_id, escaped);
  g_object_set_data_full (G_OBJECT (task), "logs", logs, (GDestroyNotify)logs_free);

  logs_fetch (task, NULL);
}

GPtrArray *
cd_client_get_import_logs_finish (CdClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_get_import_logs_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
