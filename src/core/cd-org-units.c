/* cd-org-units.c: org units, their types, and look-ups by reference
 *
 * Routes and rules: courses-and-batches.md §2.3.  Types are found once per
 * CdOrgUnits from /outypes/ by their Code, never their Name.  Paged
 * searches are in cd-org-units-search.c, creation in
 * cd-org-units-create.c, offerings' semesters in
 * cd-org-units-semesters.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-org-units-private.h"

G_DEFINE_QUARK (cd-org-units-error-quark, cd_org_units_error)

G_DEFINE_BOXED_TYPE (CdOrgUnit, cd_org_unit, cd_org_unit_copy, cd_org_unit_free)

G_DEFINE_FINAL_TYPE (CdOrgUnits, cd_org_units, G_TYPE_OBJECT)

static const char * const type_codes[] = {
  [CD_ORG_UNIT_OFFERING] = "Course Offering",
  [CD_ORG_UNIT_TEMPLATE] = "Course Template",
  [CD_ORG_UNIT_SEMESTER] = "Semester",
};

CdOrgUnit *
cd_org_unit_new (gint64      id,
                 const char *name,
                 const char *code)
{
  CdOrgUnit *unit = g_new0 (CdOrgUnit, 1);

  unit->id = id;
  unit->name = g_strdup (name ? name : "");
  unit->code = g_strdup (code ? code : "");
  return unit;
}

CdOrgUnit *
cd_org_unit_copy (const CdOrgUnit *unit)
{
  return cd_org_unit_new (unit->id, unit->name, unit->code);
}

void
cd_org_unit_free (CdOrgUnit *unit)
{
  if (unit == NULL)
    return;
  g_free (unit->name);
  g_free (unit->code);
  g_free (unit);
}

static void
cd_org_units_finalize (GObject *object)
{
  CdOrgUnits *self = CD_ORG_UNITS (object);

  g_clear_object (&self->client);
  g_clear_pointer (&self->semesters, g_hash_table_unref);

  G_OBJECT_CLASS (cd_org_units_parent_class)->finalize (object);
}

static void
cd_org_units_class_init (CdOrgUnitsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cd_org_units_finalize;
}

static void
cd_org_units_init (CdOrgUnits *self)
{
  self->semesters = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify)cd_org_unit_free);
}

CdOrgUnits *
cd_org_units_new (CdClient *client)
{
  CdOrgUnits *self;

  g_return_val_if_fail (CD_IS_CLIENT (client), NULL);

  self = g_object_new (CD_TYPE_ORG_UNITS, NULL);
  self->client = g_object_ref (client);
  return self;
}

CdClient *
cd_org_units_get_client (CdOrgUnits *self)
{
  g_return_val_if_fail (CD_IS_ORG_UNITS (self), NULL);

  return self->client;
}

const char *
_cd_org_units_kind_label (CdOrgUnitKind kind)
{
  switch (kind)
    {
    case CD_ORG_UNIT_TEMPLATE:
      return _("course template");
    case CD_ORG_UNIT_SEMESTER:
      return _("semester");
    case CD_ORG_UNIT_OFFERING:
    default:
      return _("course offering");
    }
}

/* --- parsing what users give ------------------------------------------------ */

GDateTime *
cd_org_units_parse_date (const char  *text,
                         GError     **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *full = NULL;
  GDateTime *date;

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID,
                           _("No date was given."));
      return NULL;
    }

  /* A plain day is midnight UTC, the way Brightspace shows such dates. */
  if (strlen (text) == 10 && strchr (text, 'T') == NULL)
    full = g_strconcat (text, "T00:00:00Z", NULL);

  date = g_date_time_new_from_iso8601 (full ? full : text, utc);
  if (date == NULL)
    {
      g_set_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID,
                   _("“%s” is not a date. Write it as YYYY-MM-DD, for example 2026-09-01, or "
                     "with a time as 2026-09-01T08:00:00Z."), text);
      return NULL;
    }

  return date;
}

gboolean
cd_org_units_parse_reference (const char  *text,
                              gint64      *id,
                              char       **code,
                              GError     **error)
{
  g_autoptr(GError) local = NULL;

  *id = 0;
  *code = NULL;

  if (text != NULL && g_str_has_prefix (text, "code:"))
    {
      if (!cd_validate_offering_code (text + strlen ("code:"), &local))
        {
          g_set_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID,
                       _("“%s”: %s"), text, local->message);
          return FALSE;
        }
      *code = g_strdup (text + strlen ("code:"));
      return TRUE;
    }

  /* Never take a number for a code: "code:" says which one is meant. */
  if (!cd_validate_offering_id (text, id, &local))
    {
      g_set_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID,
                   _("“%s” is neither an org unit ID (digits, for example 6606) nor "
                     "code:CODE (for example code:BIO101)."), text ? text : "");
      return FALSE;
    }

  return TRUE;
}

/* --- replies ------------------------------------------------------------------ */

gint64
_cd_org_units_json_id (JsonObject *object,
                       const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  gint64 id = 0;

  /* D2LIDs come as numbers in some blocks and as strings in others. */
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    id = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_STRING &&
           !cd_validate_offering_id (json_node_get_string (node), &id, NULL))
    id = 0;

  return id > 0 ? id : 0;
}

/* An OrgUnitProperties or OrgUnit block of @kind, or NULL. */
CdOrgUnit *
_cd_org_units_unit_from_json (JsonNode      *node,
                CdOrgUnitKind  kind)
{
  JsonObject *object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *type = object ? cd_json_get_object (object, "Type") : NULL;
  gint64 id = _cd_org_units_json_id (object, "Identifier");

  if (id == 0 || type == NULL ||
      g_strcmp0 (cd_json_get_string (type, "Code"), type_codes[kind]) != 0)
    return NULL;

  return cd_org_unit_new (id, cd_json_get_string_or (object, "Name", ""),
                          cd_json_get_string_or (object, "Code", ""));
}

GError *
_cd_org_units_bad_reply (void)
{
  return g_error_new_literal (CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                              _("Brightspace sent a reply Coursedrop does not understand."));
}

/* --- org unit types ----------------------------------------------------------------- */

static void
types_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdOrgUnits *self = g_task_get_source_object (task);
  CdOrgUnitsThen then = g_object_get_data (G_OBJECT (task), "cd-then");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  root = cd_client_get_json_finish (CD_CLIENT (object), result, &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_task_return_error (task, _cd_org_units_bad_reply ());
      return;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *type = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      gint64 id = _cd_org_units_json_id (type, "Id");

      for (guint k = 0; type != NULL && id > 0 && k < G_N_ELEMENTS (type_codes); k++)
        if (g_strcmp0 (cd_json_get_string (type, "Code"), type_codes[k]) == 0)
          self->type_ids[k] = id;
    }

  self->types_known = TRUE;
  then (task);
}

void
_cd_org_units_with_types (CdOrgUnits     *self,
                          GTask          *task,
                          CdOrgUnitsThen  then)
{
  if (self->types_known)
    {
      then (task);
      return;
    }

  g_object_set_data (G_OBJECT (task), "cd-then", then);
  cd_client_get_json_async (self->client, "/d2l/api/lp/{lp}/outypes/",
                            g_task_get_cancellable (task), types_cb, g_object_ref (task));
}

gboolean
_cd_org_units_type_id (CdOrgUnits     *self,
                       CdOrgUnitKind   kind,
                       gint64         *id,
                       GError        **error)
{
  *id = self->type_ids[kind];
  if (*id > 0)
    return TRUE;

  g_set_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_NO_TYPE,
               _("This Brightspace has no org unit type with the code “%s”; ask your "
                 "administrator which type its course offerings use."), type_codes[kind]);
  return FALSE;
}

/* --- references ------------------------------------------------------------------------------ */

typedef struct
{
  CdOrgUnitKind  kind;
  gint64         id;
  char          *code;
} Resolve;

static void
resolve_free (Resolve *resolve)
{
  g_free (resolve->code);
  g_free (resolve);
}

static GError *
not_found (Resolve *resolve)
{
  if (resolve->code != NULL)
    return g_error_new (CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_NOT_FOUND,
                        _("No %s has the code “%s”."),
                        _cd_org_units_kind_label (resolve->kind), resolve->code);

  return g_error_new (CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_NOT_FOUND,
                      _("Org unit %" PRId64 " is not a %s this account can see."),
                      resolve->id, _cd_org_units_kind_label (resolve->kind));
}

static void
resolved_by_code_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  CdOrgUnit *unit;

  unit = cd_org_units_find_by_code_finish (CD_ORG_UNITS (object), result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (unit == NULL)
    g_task_return_error (task, not_found (g_task_get_task_data (task)));
  else
    g_task_return_pointer (task, unit, (GDestroyNotify)cd_org_unit_free);
}

static void
resolved_by_id_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Resolve *resolve = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  CdOrgUnit *unit;

  root = cd_client_get_json_finish (CD_CLIENT (object), result, &error);
  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, not_found (resolve));
      return;
    }
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* An ID of a template given as an offering is as wrong as no ID at all. */
  unit = _cd_org_units_unit_from_json (root, resolve->kind);
  if (unit == NULL || unit->id != resolve->id)
    {
      cd_org_unit_free (unit);
      g_task_return_error (task, not_found (resolve));
      return;
    }

  g_task_return_pointer (task, unit, (GDestroyNotify)cd_org_unit_free);
}

void
cd_org_units_resolve_async (CdOrgUnits          *self,
                            CdOrgUnitKind        kind,
                            const char          *reference,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *route = NULL;
  Resolve *resolve = g_new0 (Resolve, 1);

  g_return_if_fail (CD_IS_ORG_UNITS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_org_units_resolve_async);
  resolve->kind = kind;
  g_task_set_task_data (task, resolve, (GDestroyNotify)resolve_free);

  if (!cd_org_units_parse_reference (reference, &resolve->id, &resolve->code, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (resolve->code != NULL)
    {
      cd_org_units_find_by_code_async (self, kind, resolve->code, cancellable,
                                       resolved_by_code_cb, g_steal_pointer (&task));
      return;
    }

  route = g_strdup_printf ("/d2l/api/lp/{lp}/orgstructure/%" G_GINT64_FORMAT, resolve->id);
  cd_client_get_json_async (self->client, route, cancellable, resolved_by_id_cb,
                            g_steal_pointer (&task));
}

CdOrgUnit *
cd_org_units_resolve_finish (CdOrgUnits    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
