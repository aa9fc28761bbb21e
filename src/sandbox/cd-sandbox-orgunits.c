/* cd-sandbox-orgunits.c: org-unit types, templates, semesters and the
 * paged org structure
 *
 * What it imitates is in courses-and-batches.md §2.3: type names are
 * renamed the way tenants do (only the Codes are standard), and listings
 * come in small pages, so that clients must follow bookmarks.  Course
 * creation is in cd-sandbox-courses.c, the limits in cd-sandbox-limits.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-json.h"
#include "cd-sandbox-orgunits.h"
#include "cd-sandbox-orgunits-private.h"

#define FIRST_GENERATED_ID 100001
#define FIRST_CREATED_ID   200001

typedef struct
{
  int         id;
  const char *code;
  const char *name;
} UnitType;

/* A tenant that renamed everything: clients must go by Code.  The custom
 * type is *named* "Course Offering" to catch those that go by Name. */
static const UnitType unit_types[] = {
  { TYPE_ORG, "Organization", "University" },
  { TYPE_TEMPLATE, "Course Template", "Site Template" },
  { TYPE_OFFERING, "Course Offering", "Course Site" },
  { TYPE_GROUP, "Group", "Group" },
  { TYPE_SEMESTER, "Semester", "Term" },
  { TYPE_SECTION, "Section", "Course Offering" },
};


static void
unit_free (Unit *unit)
{
  g_free (unit->name);
  g_free (unit->code);
  g_free (unit);
}

static Unit *
unit_new (gint64      id,
          int         type,
          const char *name,
          const char *code)
{
  Unit *unit = g_new0 (Unit, 1);

  unit->id = id;
  unit->type = type;
  unit->name = g_strdup (name);
  unit->code = g_strdup (code);
  return unit;
}

CdSandboxOrgUnits *
_cd_sandbox_org_units_new (void)
{
  CdSandboxOrgUnits *units = g_new0 (CdSandboxOrgUnits, 1);

  units->templates = g_ptr_array_new_with_free_func ((GDestroyNotify)unit_free);
  units->semesters = g_ptr_array_new_with_free_func ((GDestroyNotify)unit_free);
  units->inflight = g_hash_table_new (NULL, NULL);
  units->next_id = FIRST_CREATED_ID;
  units->page_size = 2;

  g_ptr_array_add (units->templates, unit_new (6605, TYPE_TEMPLATE, "Sciences Template", "TPL-SCI"));
  g_ptr_array_add (units->templates, unit_new (6607, TYPE_TEMPLATE, "Humanities Template", "TPL-HUM"));
  g_ptr_array_add (units->templates, unit_new (6609, TYPE_TEMPLATE, "Languages Template", "TPL-LANG"));
  g_ptr_array_add (units->semesters, unit_new (7001, TYPE_SEMESTER, "Fall Term", "TERM-FALL"));
  g_ptr_array_add (units->semesters, unit_new (7002, TYPE_SEMESTER, "Spring Term", "TERM-SPRING"));

  return units;
}

void
_cd_sandbox_org_units_free (CdSandboxOrgUnits *units)
{
  if (units == NULL)
    return;

  g_ptr_array_unref (units->templates);
  g_ptr_array_unref (units->semesters);
  g_hash_table_unref (units->inflight);
  g_free (units);
}

/* --- configuration --------------------------------------------------------- */

static gboolean
add_unit (GPtrArray   *list,
          gboolean    *custom,
          int          type,
          const char  *spec,
          GError     **error)
{
  const char *colon = strchr (spec, ':');
  const char *semicolon = colon ? strrchr (colon + 1, ';') : NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *code = NULL;
  gint64 id;

  if (colon != NULL && semicolon != NULL)
    {
      id_text = g_strstrip (g_strndup (spec, colon - spec));
      name = g_strstrip (g_strndup (colon + 1, semicolon - colon - 1));
      code = g_strstrip (g_strdup (semicolon + 1));
    }

  if (id_text == NULL || !g_ascii_string_to_signed (id_text, 10, 1, G_MAXINT64, &id, NULL) ||
      *name == '\0' || *code == '\0')
    {
      g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                   "“%s” is not ID:NAME;CODE", spec);
      return FALSE;
    }

  if (!*custom)
    {
      g_ptr_array_set_size (list, 0);
      *custom = TRUE;
    }
  g_ptr_array_add (list, unit_new (id, type, name, code));
  return TRUE;
}

gboolean
cd_sandbox_add_template (CdSandbox   *self,
                         const char  *spec,
                         GError     **error)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  return add_unit (self->org_units->templates, &self->org_units->custom_templates,
                   TYPE_TEMPLATE, spec, error);
}

gboolean
cd_sandbox_add_semester (CdSandbox   *self,
                         const char  *spec,
                         GError     **error)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  return add_unit (self->org_units->semesters, &self->org_units->custom_semesters,
                   TYPE_SEMESTER, spec, error);
}

gboolean
cd_sandbox_set_offering_semester (CdSandbox   *self,
                                  const char  *spec,
                                  GError     **error)
{
  g_auto(GStrv) parts = NULL;
  CdSandboxOffering *offering = NULL;
  gint64 offering_id = 0, semester_id = 0;

  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  parts = g_strsplit (spec, "=", 2);
  if (g_strv_length (parts) == 2 &&
      _cd_sandbox_parse_id (g_strstrip (parts[0]), &offering_id) &&
      _cd_sandbox_parse_id (g_strstrip (parts[1]), &semester_id))
    offering = g_hash_table_lookup (self->offerings, &offering_id);

  if (offering == NULL || _cd_sandbox_units_find (self->org_units->semesters, semester_id) == NULL)
    {
      g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                   "Offering semester “%s” is not OFFERING_ID=SEMESTER_ID of an offering "
                   "and a semester the sandbox has", spec);
      return FALSE;
    }

  offering->semester_id = semester_id;
  return TRUE;
}

void
_cd_sandbox_units_insert_offering (CdSandbox  *self,
                 gint64      id,
                 const char *name,
                 const char *code)
{
  /* Freed by cd-sandbox.c's offering_free, like its own. */
  CdSandboxOffering *offering = g_new0 (CdSandboxOffering, 1);

  offering->id = id;
  offering->name = g_strdup (name);
  offering->code = g_strdup (code);
  g_hash_table_replace (self->offerings, &offering->id, offering);
}

void
cd_sandbox_generate_offerings (CdSandbox *self,
                               guint      count)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  for (guint i = 1; i <= count; i++)
    {
      char name[64], code[32];

      g_snprintf (name, sizeof name, "Generated Course %05u", i);
      g_snprintf (code, sizeof code, "GEN-%05u", i);
      _cd_sandbox_units_insert_offering (self, FIRST_GENERATED_ID + i - 1, name, code);
    }
}

void
cd_sandbox_set_orgstructure_page_size (CdSandbox *self,
                                       guint      page_size)
{
  g_return_if_fail (CD_IS_SANDBOX (self));
  g_return_if_fail (page_size > 0);

  self->org_units->page_size = page_size;
}

void
cd_sandbox_set_max_concurrent_imports (CdSandbox *self,
                                       guint      limit)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  self->org_units->max_imports = limit;
}

void
cd_sandbox_set_rate_limit (CdSandbox *self,
                           guint      per_second)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  self->org_units->rate_limit = per_second;
}

void
cd_sandbox_drop_create_answers (CdSandbox *self,
                                guint      count)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  self->org_units->drop_answers += count;
}

guint
cd_sandbox_get_course_posts (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), 0);

  return self->org_units->course_posts;
}

guint
cd_sandbox_get_courses_created (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), 0);

  return self->org_units->courses_created;
}

guint
cd_sandbox_get_max_concurrent_imports (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), 0);

  return self->org_units->max_seen;
}

guint
cd_sandbox_get_answers_dropped (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), 0);

  return self->org_units->answers_dropped;
}

/* --- replies --------------------------------------------------------------------- */

static const UnitType *
find_type (int id)
{
  for (guint i = 0; i < G_N_ELEMENTS (unit_types); i++)
    if (unit_types[i].id == id)
      return &unit_types[i];
  return NULL;
}

static void
add_type (JsonBuilder *builder,
          int          type_id)
{
  const UnitType *type = find_type (type_id);

  /* Every unit the sandbox makes has one of its types; never crash if not. */
  if (type == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Id");
  json_builder_add_int_value (builder, type->id);
  json_builder_set_member_name (builder, "Code");
  json_builder_add_string_value (builder, type->code);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, type->name);
  json_builder_end_object (builder);
}

static void
add_unit_object (JsonBuilder *builder,
                 const Unit  *unit)
{
  g_autofree char *path = g_strdup_printf ("/content/enforced/%" G_GINT64_FORMAT "-%s/",
                                           unit->id, unit->code ? unit->code : "");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Identifier");
  json_builder_add_int_value (builder, unit->id);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, unit->name);
  json_builder_set_member_name (builder, "Code");
  json_builder_add_string_value (builder, unit->code ? unit->code : "");
  json_builder_set_member_name (builder, "Path");
  json_builder_add_string_value (builder, unit->type == TYPE_OFFERING ? path : "");
  json_builder_set_member_name (builder, "Type");
  add_type (builder, unit->type);
  json_builder_end_object (builder);
}

static void
handle_outypes (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (unit_types); i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Id");
      json_builder_add_int_value (builder, unit_types[i].id);
      json_builder_set_member_name (builder, "Code");
      json_builder_add_string_value (builder, unit_types[i].code);
      json_builder_set_member_name (builder, "Name");
      json_builder_add_string_value (builder, unit_types[i].name);
      json_builder_set_member_name (builder, "Description");
      json_builder_add_string_value (builder, "");
      json_builder_set_member_name (builder, "SortOrder");
      json_builder_add_int_value (builder, i);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

/* Copies of the org units @filter accepts (all when NULL), in no order.
 * Nothing is copied for those it refuses: tenants of 10,000 offerings are
 * searched by exact code once per plan row. */
GPtrArray *
_cd_sandbox_units_collect (CdSandbox  *self,
               CdSandboxUnitFilter  filter,
               gpointer    data)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)unit_free);
  GPtrArray *lists[] = { self->org_units->templates, self->org_units->semesters };
  GHashTableIter iter;
  gpointer value;

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        Unit *u = g_ptr_array_index (lists[l], i);

        if (filter == NULL || filter (u, data))
          g_ptr_array_add (all, unit_new (u->id, u->type, u->name, u->code));
      }

  g_hash_table_iter_init (&iter, self->offerings);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CdSandboxOffering *o = value;
      Unit view = { o->id, TYPE_OFFERING, o->name, o->code };

      if (filter == NULL || filter (&view, data))
        g_ptr_array_add (all, unit_new (o->id, TYPE_OFFERING, o->name, o->code));
    }

  return all;
}

static GPtrArray *
all_units (CdSandbox *self)
{
  return _cd_sandbox_units_collect (self, NULL, NULL);
}

const Unit *
_cd_sandbox_units_find (GPtrArray *units,
           gint64     id)
{
  for (guint i = 0; i < units->len; i++)
    if (((Unit *)g_ptr_array_index (units, i))->id == id)
      return g_ptr_array_index (units, i);
  return NULL;
}

static gboolean
contains_nocase (const char *haystack,
                 const char *needle)
{
  g_autofree char *h = g_utf8_casefold (haystack ? haystack : "", -1);
  g_autofree char *n = g_utf8_casefold (needle, -1);

  return strstr (h, n) != NULL;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar)*p >= 0x80)
      return FALSE;
  return TRUE;
}

gboolean
_cd_sandbox_units_equal (const char *a,
              const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  a = a ? a : "";
  b = b ? b : "";
  if (is_ascii (a) && is_ascii (b))
    return g_ascii_strcasecmp (a, b) == 0;

  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return strcmp (fa, fb) == 0;
}

static const char *
query_get (GHashTable *query,
           const char *name)
{
  GHashTableIter iter;
  gpointer key, value;

  /* Brightspace takes its query parameters in any case (orgUnitType, OrgUnitType). */
  if (query == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_ascii_strcasecmp (key, name) == 0 && *(const char *)value != '\0')
      return value;
  return NULL;
}

typedef struct
{
  GHashTable *query;
  gint64      type;
} Match;

static gboolean
unit_matches (const Unit *unit,
              gpointer    data)
{
  GHashTable *query = ((Match *)data)->query;
  gint64 type = ((Match *)data)->type;
  const char *text;

  if (type > 0 && unit->type != type)
    return FALSE;
  if ((text = query_get (query, "orgUnitCode")) && !contains_nocase (unit->code, text))
    return FALSE;
  if ((text = query_get (query, "orgUnitName")) && !contains_nocase (unit->name, text))
    return FALSE;
  if ((text = query_get (query, "exactOrgUnitCode")) && !_cd_sandbox_units_equal (unit->code, text))
    return FALSE;
  if ((text = query_get (query, "exactOrgUnitName")) && !_cd_sandbox_units_equal (unit->name, text))
    return FALSE;
  return TRUE;
}

static int
compare_units (gconstpointer a,
               gconstpointer b)
{
  const Unit *ua = *(Unit * const *)a;
  const Unit *ub = *(Unit * const *)b;

  return (ua->id > ub->id) - (ua->id < ub->id);
}

void
_cd_sandbox_units_bad_request (SoupServerMessage *msg,
                     const char        *text)
{
  _cd_sandbox_respond_text (msg, SOUP_STATUS_BAD_REQUEST, "text/plain; charset=utf-8", text);
}

static void
handle_orgstructure (CdSandbox         *self,
                     SoupServerMessage *msg,
                     GHashTable        *query)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) matches = NULL;
  const char *type_text = query_get (query, "orgUnitType");
  Match match = { query, 0 };
  const char *bookmark_text = query_get (query, "bookmark");
  gint64 type = 0, bookmark = 0;
  guint start = 0, end;
  char bookmark_out[32] = "";

  if ((type_text && !g_ascii_string_to_signed (type_text, 10, 1, G_MAXINT32, &type, NULL)) ||
      (bookmark_text && !g_ascii_string_to_signed (bookmark_text, 10, 1, G_MAXINT64, &bookmark, NULL)))
    {
      _cd_sandbox_units_bad_request (msg, "orgUnitType and bookmark must be numbers");
      return;
    }

  match.type = type;
  matches = _cd_sandbox_units_collect (self, unit_matches, &match);
  g_ptr_array_sort (matches, compare_units);

  /* The bookmark is the last ID already seen. */
  while (start < matches->len && ((Unit *)g_ptr_array_index (matches, start))->id <= bookmark)
    start++;
  end = MIN (start + self->org_units->page_size, matches->len);
  if (end > start)
    g_snprintf (bookmark_out, sizeof bookmark_out, "%" G_GINT64_FORMAT,
                ((Unit *)g_ptr_array_index (matches, end - 1))->id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "PagingInfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Bookmark");
  json_builder_add_string_value (builder, bookmark_out);
  json_builder_set_member_name (builder, "HasMoreItems");
  json_builder_add_boolean_value (builder, end < matches->len);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "Items");
  json_builder_begin_array (builder);
  for (guint i = start; i < end; i++)
    add_unit_object (builder, g_ptr_array_index (matches, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

static void
handle_orgunit (CdSandbox         *self,
                SoupServerMessage *msg,
                gint64             id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) all = all_units (self);
  const Unit *unit = _cd_sandbox_units_find (all, id);

  if (unit == NULL)
    {
      _cd_sandbox_respond_not_found (msg);
      return;
    }

  add_unit_object (builder, unit);
  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

/* --- routing ------------------------------------------------------------------------ */

/* Handles the routes of this file after authentication; FALSE when the
 * request is not one of them. */
gboolean
_cd_sandbox_org_units_handle (CdSandbox         *self,
                              SoupServerMessage *msg,
                              GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  const char *raw = g_uri_get_path (soup_server_message_get_uri (msg));
  gboolean get = g_strcmp0 (method, SOUP_METHOD_GET) == 0;
  g_auto(GStrv) seg = g_strsplit (raw ? raw : "", "/", -1);
  guint n = g_strv_length (seg);
  gint64 id;

  /* "", "d2l", "api", "lp", VERSION, what, [id], [""] */
  if (n < 6 || strcmp (seg[1], "d2l") != 0 || strcmp (seg[2], "api") != 0 ||
      strcmp (seg[3], "lp") != 0 || !_cd_sandbox_version_supported ("lp", seg[4]))
    return FALSE;

  if (get && n == 7 && strcmp (seg[5], "outypes") == 0 && *seg[6] == '\0')
    handle_outypes (msg);
  else if (get && n == 7 && strcmp (seg[5], "orgstructure") == 0 && *seg[6] == '\0')
    handle_orgstructure (self, msg, query);
  else if (get && n == 7 && strcmp (seg[5], "orgstructure") == 0 &&
           g_ascii_isdigit (*seg[6]) &&
           g_ascii_string_to_signed (seg[6], 10, 1, G_MAXINT64, &id, NULL))
    handle_orgunit (self, msg, id);
  else if (g_strcmp0 (method, SOUP_METHOD_POST) == 0 && n == 7 &&
           strcmp (seg[5], "courses") == 0 && *seg[6] == '\0')
    _cd_sandbox_units_create (self, msg, seg[4]);
  else
    return FALSE;

  return TRUE;
}
