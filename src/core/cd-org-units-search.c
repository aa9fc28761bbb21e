/* cd-org-units-search.c: paged searches of the org structure, and
 * look-ups by exact code
 *
 * Listings follow the bookmark of every page until HasMoreItems is false;
 * orgUnitType is the type's ID, found by its Code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-org-units-private.h"

/* A listing that never ends is a server bug, not a large tenant. */
#define MAX_PAGES 100000

typedef struct
{
  CdOrgUnitKind  kind;
  char          *name;      /* (nullable) */
  char          *code;      /* (nullable) */
  gboolean       exact;
  char          *bookmark;  /* (nullable) */
  guint          pages;
  GPtrArray     *units;
} Search;

static void
search_free (Search *search)
{
  g_free (search->name);
  g_free (search->code);
  g_free (search->bookmark);
  g_ptr_array_unref (search->units);
  g_free (search);
}

static void
append_param (GString    *route,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL || *value == '\0')
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (route, "&%s=%s", name, escaped);
}

static void search_next_page (GTask *task);

static void
page_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Search *search = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *page, *paging;
  JsonArray *items;
  const char *bookmark;

  root = cd_client_get_json_finish (CD_CLIENT (object), result, &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  page = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  paging = page ? cd_json_get_object (page, "PagingInfo") : NULL;
  items = page ? cd_json_get_array (page, "Items") : NULL;
  if (paging == NULL || items == NULL)
    {
      g_task_return_error (task, _cd_org_units_bad_reply ());
      return;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      CdOrgUnit *unit = _cd_org_units_unit_from_json (json_array_get_element (items, i), search->kind);

      if (unit != NULL)
        g_ptr_array_add (search->units, unit);
    }

  bookmark = cd_json_get_string (paging, "Bookmark");
  if (!cd_json_get_boolean (paging, "HasMoreItems", FALSE))
    {
      g_task_return_pointer (task, g_ptr_array_ref (search->units),
                             (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  /* A bookmark that does not move would loop for ever. */
  if (bookmark == NULL || *bookmark == '\0' || g_strcmp0 (bookmark, search->bookmark) == 0 ||
      ++search->pages > MAX_PAGES)
    {
      g_task_return_error (task, _cd_org_units_bad_reply ());
      return;
    }

  g_free (search->bookmark);
  search->bookmark = g_strdup (bookmark);
  search_next_page (task);
}

static void
search_next_page (GTask *task)
{
  CdOrgUnits *self = g_task_get_source_object (task);
  Search *search = g_task_get_task_data (task);
  g_autoptr(GString) route = g_string_new ("/d2l/api/lp/{lp}/orgstructure/");
  g_autoptr(GError) error = NULL;
  gint64 type_id;

  if (!_cd_org_units_type_id (self, search->kind, &type_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_string_append_printf (route, "?orgUnitType=%" G_GINT64_FORMAT, type_id);
  append_param (route, "orgUnitName", search->name);
  append_param (route, search->exact ? "exactOrgUnitCode" : "orgUnitCode", search->code);
  append_param (route, "bookmark", search->bookmark);

  cd_client_get_json_async (self->client, route->str, g_task_get_cancellable (task),
                            page_cb, g_object_ref (task));
}

static void
search_start (CdOrgUnits          *self,
              CdOrgUnitKind        kind,
              const char          *name,
              const char          *code,
              gboolean             exact,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Search *search = g_new0 (Search, 1);

  g_task_set_source_tag (task, source_tag);
  search->kind = kind;
  search->name = g_strdup (name);
  search->code = g_strdup (code);
  search->exact = exact;
  search->units = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_org_unit_free);
  g_task_set_task_data (task, search, (GDestroyNotify)search_free);

  _cd_org_units_with_types (self, task, search_next_page);
}

void
cd_org_units_search_async (CdOrgUnits          *self,
                           CdOrgUnitKind        kind,
                           const char          *name,
                           const char          *code,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CD_IS_ORG_UNITS (self));
  g_return_if_fail (kind <= CD_ORG_UNIT_SEMESTER);

  search_start (self, kind, name, code, FALSE, cancellable, callback, user_data,
                cd_org_units_search_async);
}

GPtrArray *
cd_org_units_search_finish (CdOrgUnits    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- look-ups by code -------------------------------------------------------------------- */

static void
found_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Search *search = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) units = NULL;
  g_autoptr(GError) error = NULL;
  CdOrgUnit *match = NULL;
  guint count = 0;

  units = g_task_propagate_pointer (G_TASK (result), &error);
  if (units == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Exactly, whatever the server's filter did; case does not matter to
   * Brightspace's uniqueness rule. */
  for (guint i = 0; i < units->len; i++)
    {
      CdOrgUnit *unit = g_ptr_array_index (units, i);

      if (g_ascii_strcasecmp (unit->code, search->code) == 0)
        {
          match = unit;
          count++;
        }
    }

  if (count > 1)
    {
      g_task_return_new_error (task, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_AMBIGUOUS,
                               _("%u org units of the kind %s have the code “%s”; give the "
                                 "ID of the one you mean."),
                               count, _cd_org_units_kind_label (search->kind), search->code);
      return;
    }

  g_task_return_pointer (task, match ? cd_org_unit_copy (match) : NULL,
                         (GDestroyNotify)cd_org_unit_free);
}

void
cd_org_units_find_by_code_async (CdOrgUnits          *self,
                                 CdOrgUnitKind        kind,
                                 const char          *code,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CD_IS_ORG_UNITS (self));
  g_return_if_fail (kind <= CD_ORG_UNIT_SEMESTER);
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_org_units_find_by_code_async);
  search_start (self, kind, NULL, code, TRUE, cancellable, found_cb, task, search_start);
}

CdOrgUnit *
cd_org_units_find_by_code_finish (CdOrgUnits    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- what people type: part of a name or of a code --------------------------------------- */

typedef struct
{
  CdOrgUnitKind  kind;
  char          *text;
  GPtrArray     *units;   /* by name first, then by code, no ID twice */
  gboolean       by_code; /* the second search is running */
} Text;

static void
text_free (Text *text)
{
  g_free (text->text);
  g_ptr_array_unref (text->units);
  g_free (text);
}

/* Exact code matches first (that is what was meant), then by name. */
static int
compare_units (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const CdOrgUnit *ua = *(const CdOrgUnit * const *)a;
  const CdOrgUnit *ub = *(const CdOrgUnit * const *)b;
  const char *text = user_data;
  gboolean exact_a = g_ascii_strcasecmp (ua->code, text) == 0;
  gboolean exact_b = g_ascii_strcasecmp (ub->code, text) == 0;
  int order;

  if (exact_a != exact_b)
    return exact_a ? -1 : 1;
  if ((order = g_utf8_collate (ua->name, ub->name)) != 0)
    return order;
  return ua->id < ub->id ? -1 : ua->id > ub->id;
}

static gboolean
has_id (GPtrArray *units,
        gint64     id)
{
  for (guint i = 0; i < units->len; i++)
    if (((CdOrgUnit *)g_ptr_array_index (units, i))->id == id)
      return TRUE;
  return FALSE;
}

static void
text_part_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Text *text = g_task_get_task_data (task);
  g_autoptr(GPtrArray) units = NULL;
  g_autoptr(GError) error = NULL;

  units = cd_org_units_search_finish (CD_ORG_UNITS (object), result, &error);
  if (units == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < units->len; i++)
    {
      CdOrgUnit *unit = g_ptr_array_index (units, i);

      if (!has_id (text->units, unit->id))
        g_ptr_array_add (text->units, cd_org_unit_copy (unit));
    }

  /* Brightspace's filters are "and": name OR code takes two listings. */
  if (!text->by_code)
    {
      text->by_code = TRUE;
      cd_org_units_search_async (CD_ORG_UNITS (object), text->kind, NULL, text->text,
                                 g_task_get_cancellable (task), text_part_cb,
                                 g_object_ref (task));
      return;
    }

  g_ptr_array_sort_with_data (text->units, compare_units, text->text);
  g_task_return_pointer (task, g_ptr_array_ref (text->units),
                         (GDestroyNotify)g_ptr_array_unref);
}

void
cd_org_units_search_text_async (CdOrgUnits          *self,
                                CdOrgUnitKind        kind,
                                const char          *text,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Text *data;

  g_return_if_fail (CD_IS_ORG_UNITS (self));
  g_return_if_fail (kind <= CD_ORG_UNIT_SEMESTER);
  g_return_if_fail (text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_org_units_search_text_async);
  data = g_new0 (Text, 1);
  data->kind = kind;
  data->text = g_strstrip (g_strdup (text));
  data->units = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_org_unit_free);
  g_task_set_task_data (task, data, (GDestroyNotify)text_free);

  if (*data->text == '\0')
    {
      g_task_return_pointer (task, g_ptr_array_ref (data->units),
                             (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  cd_org_units_search_async (self, kind, data->text, NULL, cancellable, text_part_cb,
                             g_steal_pointer (&task));
}

GPtrArray *
cd_org_units_search_text_finish (CdOrgUnits    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
