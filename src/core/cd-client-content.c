/* cd-client-content.c: an offering's content TOC and tool inventories
 *
 * One TOC call and one call per tool (plus each forum's topics) are
 * enough: walking module structures would spend the rate limit
 * (packages-and-verification.md §3.4, step 5).  Every answer is read with
 * cd-json.h: no member's presence or type is trusted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-content.h"
#include "cd-client-private.h"
#include "cd-json.h"

/* A server that keeps saying "more" cannot keep us paging forever. */
#define MAX_QUIZ_PAGES 1000
#define MAX_FORUMS     1000

typedef enum {
  STEP_TOC,
  STEP_QUIZZES,
  STEP_FOLDERS,
  STEP_FORUMS,
  STEP_TOPICS,
} Step;

typedef struct
{
  gint64             org_unit_id;
  CdContentSnapshot *snapshot;    /* (owned) */
  Step               step;
  char              *next;        /* (owned) (nullable): the next quiz page's route */
  GHashTable        *seen;        /* (owned): quiz pages asked for */
  GArray            *forums;      /* (owned) (element-type gint64) */
  guint              forum_index;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_pointer (&fetch->snapshot, cd_content_snapshot_free);
  g_clear_pointer (&fetch->next, g_free);
  g_clear_pointer (&fetch->seen, g_hash_table_unref);
  g_clear_pointer (&fetch->forums, g_array_unref);
  g_free (fetch);
}

static gboolean
bad_shape (GError     **error,
           const char  *what)
{
  g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
               /* Translators: %s is e.g. "the table of contents" */
               _("Brightspace sent %s in a form Coursedrop cannot read."), what);
  return FALSE;
}

static gint64
get_int (JsonObject *object,
         const char *member,
         gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;

  return json_node_get_int (node);
}

/* What a TOC topic is, by ActivityType (ACTIVITYTYPE_T), else by
 * TypeIdentifier; -1 for tool topics (quizzes, folders, discussions),
 * which the tools' own lists count. */
static int
topic_type (JsonObject *topic)
{
  const char *identifier = cd_json_get_string (topic, "TypeIdentifier");

  switch (get_int (topic, "ActivityType", -1))
    {
    case 1: return CD_PACKAGE_ITEM_FILE;
    case 2: return CD_PACKAGE_ITEM_LINK;
    case 3: case 4: case 5: case 6: return -1;
    case 7: case 27: return CD_PACKAGE_ITEM_LTI;
    case 20: case 21: case 22: case 23: case 24: case 26: return CD_PACKAGE_ITEM_SCORM;
    default: break;
    }

  if (g_strcmp0 (identifier, "File") == 0)
    return CD_PACKAGE_ITEM_FILE;
  if (g_strcmp0 (identifier, "Link") == 0)
    return CD_PACKAGE_ITEM_LINK;
  return CD_PACKAGE_ITEM_OTHER;
}

static void
add_module (CdContentSnapshot *self,
            JsonObject        *module)
{
  JsonArray *modules = cd_json_get_array (module, "Modules");
  JsonArray *topics = cd_json_get_array (module, "Topics");

  cd_content_snapshot_add (self, CD_PACKAGE_ITEM_MODULE, cd_json_get_string (module, "Title"));

  for (guint i = 0; topics != NULL && i < json_array_get_length (topics); i++)
    {
      JsonNode *node = json_array_get_element (topics, i);
      JsonObject *topic = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *title;
      int type;

      if (topic == NULL)
        continue;

      title = cd_json_get_string (topic, "Title");
      type = topic_type (topic);
      if (type >= 0)
        cd_content_snapshot_add (self, type, title);
      if (cd_json_get_boolean (topic, "IsBroken", FALSE))
        cd_content_snapshot_add_broken (self, type >= 0 ? type : CD_PACKAGE_ITEM_OTHER, title);
    }

  /* Nesting is bounded by the parser's depth limit. */
  for (guint i = 0; modules != NULL && i < json_array_get_length (modules); i++)
    {
      JsonNode *node = json_array_get_element (modules, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        add_module (self, json_node_get_object (node));
    }
}

gboolean
cd_content_snapshot_add_toc (CdContentSnapshot  *self,
                             JsonNode           *toc,
                             GError            **error)
{
  JsonArray *modules;

  if (toc == NULL || !JSON_NODE_HOLDS_OBJECT (toc) ||
      !(modules = cd_json_get_array (json_node_get_object (toc), "Modules")))
    return bad_shape (error, _("the course’s table of contents"));

  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonNode *node = json_array_get_element (modules, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        add_module (self, json_node_get_object (node));
    }

  return TRUE;
}

/* Adds the Name of each object in @array as @type. */
static void
add_names (CdContentSnapshot *self,
           JsonArray         *array,
           CdPackageItemType  type)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        cd_content_snapshot_add (self, type, cd_json_get_string (json_node_get_object (node), "Name"));
    }
}

/* A Next link is followed only on the same site and under /d2l/api/: the
 * request is signed with our keys. */
char *
cd_client_content_next_route (CdClient   *client,
                              const char *next)
{
  const char *host = cd_client_get_host (client);
  gsize host_len = strlen (host);
  const char *path = next;

  if (g_ascii_strncasecmp (next, host, host_len) == 0 && next[host_len] == '/')
    path = next + host_len;

  if (!g_str_has_prefix (path, "/d2l/api/") || strstr (path, "/../") != NULL ||
      strchr (path, '#') != NULL || !g_utf8_validate (path, -1, NULL))
    return NULL;
  for (const char *p = path; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p) || *p == ' ')
      return NULL;

  return g_strdup (path);
}

static gboolean
read_quizzes (CdClient   *client,
              Fetch      *fetch,
              JsonNode   *root,
              GError    **error)
{
  JsonArray *objects;
  const char *next;

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !(objects = cd_json_get_array (json_node_get_object (root), "Objects")))
    return bad_shape (error, _("the list of quizzes"));

  add_names (fetch->snapshot, objects, CD_PACKAGE_ITEM_QUIZ);

  g_clear_pointer (&fetch->next, g_free);
  next = cd_json_get_string (json_node_get_object (root), "Next");
  if (next == NULL || next[0] == '\0')
    return TRUE;

  if (!(fetch->next = cd_client_content_next_route (client, next)) ||
      g_hash_table_contains (fetch->seen, fetch->next) ||
      g_hash_table_size (fetch->seen) >= MAX_QUIZ_PAGES)
    return bad_shape (error, _("the list of quizzes"));

  return TRUE;
}

static gboolean
read_forums (Fetch     *fetch,
             JsonNode  *root,
             GError   **error)
{
  JsonArray *forums;

  if (!JSON_NODE_HOLDS_ARRAY (root))
    return bad_shape (error, _("the list of discussion forums"));

  forums = json_node_get_array (root);
  add_names (fetch->snapshot, forums, CD_PACKAGE_ITEM_DISCUSSION);
  for (guint i = 0; i < json_array_get_length (forums) && fetch->forums->len < MAX_FORUMS; i++)
    {
      JsonNode *node = json_array_get_element (forums, i);
      gint64 id = JSON_NODE_HOLDS_OBJECT (node) ? get_int (json_node_get_object (node), "ForumId", -1)
                                                : -1;

      if (id > 0)
        g_array_append_val (fetch->forums, id);
    }

  return TRUE;
}

/* Reads @root for the current step and moves to the next one. */
static gboolean
read_answer (CdClient  *client,
             Fetch     *fetch,
             JsonNode  *root,
             GError   **error)
{
  switch (fetch->step)
    {
    case STEP_TOC:
      if (!cd_content_snapshot_add_toc (fetch->snapshot, root, error))
        return FALSE;
      fetch->step = STEP_QUIZZES;
      return TRUE;

    case STEP_QUIZZES:
      if (!read_quizzes (client, fetch, root, error))
        return FALSE;
      if (fetch->next == NULL)
        fetch->step = STEP_FOLDERS;
      return TRUE;

    case STEP_FOLDERS:
      if (!JSON_NODE_HOLDS_ARRAY (root))
        return bad_shape (error, _("the list of assignment folders"));
      add_names (fetch->snapshot, json_node_get_array (root), CD_PACKAGE_ITEM_ASSIGNMENT);
      fetch->step = STEP_FORUMS;
      return TRUE;

    case STEP_FORUMS:
      if (!read_forums (fetch, root, error))
        return FALSE;
      fetch->step = STEP_TOPICS;
      return TRUE;

    case STEP_TOPICS:
    default:
      if (!JSON_NODE_HOLDS_ARRAY (root))
        return bad_shape (error, _("the list of discussion topics"));
      add_names (fetch->snapshot, json_node_get_array (root), CD_PACKAGE_ITEM_DISCUSSION);
      fetch->forum_index++;
      return TRUE;
    }
}

static void fetch_next (GTask *task);

static void
answer_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = cd_client_get_json_finish (CD_CLIENT (object), result, &error);
  if (root == NULL || !read_answer (CD_CLIENT (object), fetch, root, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  fetch_next (g_steal_pointer (&task));
}

static void
fetch_next (GTask *task)
{
  CdClient *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  g_autofree char *route = NULL;
  gint64 ou = fetch->org_unit_id;

  switch (fetch->step)
    {
    case STEP_TOC:
      route = g_strdup_printf ("/d2l/api/le/{le}/%" G_GINT64_FORMAT "/content/toc"
                               "?ignoreModuleDateRestrictions=true&ignoreDateRestrictions=true", ou);
      break;
    case STEP_QUIZZES:
      route = fetch->next != NULL
        ? g_strdup (fetch->next)
        : g_strdup_printf ("/d2l/api/le/{le}/%" G_GINT64_FORMAT "/quizzes/", ou);
      g_hash_table_add (fetch->seen, g_strdup (route));
      break;
    case STEP_FOLDERS:
      route = g_strdup_printf ("/d2l/api/le/{le}/%" G_GINT64_FORMAT "/dropbox/folders/", ou);
      break;
    case STEP_FORUMS:
      route = g_strdup_printf ("/d2l/api/le/{le}/%" G_GINT64_FORMAT "/discussions/forums/", ou);
      break;
    case STEP_TOPICS:
    default:
      if (fetch->forum_index >= fetch->forums->len)
        {
          g_task_return_pointer (task, g_steal_pointer (&fetch->snapshot),
                                 (GDestroyNotify)cd_content_snapshot_free);
          g_object_unref (task);
          return;
        }
      route = g_strdup_printf ("/d2l/api/le/{le}/%" G_GINT64_FORMAT "/discussions/forums/%"
                               G_GINT64_FORMAT "/topics/", ou,
                               g_array_index (fetch->forums, gint64, fetch->forum_index));
      break;
    }

  _cd_client_get_large_json_async (self, route, g_task_get_cancellable (task), answer_cb, task);
}

void
cd_client_get_content_snapshot_async (CdClient            *self,
                                      gint64               org_unit_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  Fetch *fetch;

  g_return_if_fail (CD_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_client_get_content_snapshot_async);

  fetch = g_new0 (Fetch, 1);
  fetch->org_unit_id = org_unit_id;
  fetch->snapshot = cd_content_snapshot_new ();
  fetch->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fetch->forums = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, fetch, (GDestroyNotify)fetch_free);

  if (org_unit_id <= 0)
    {
      g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST,
                               _("“%" PRId64 "” is not a course offering ID; "
                                 "IDs are positive numbers."), org_unit_id);
      g_object_unref (task);
      return;
    }

  fetch_next (task);
}

CdContentSnapshot *
cd_client_get_content_snapshot_finish (CdClient      *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (CD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_client_get_content_snapshot_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
