/* cd-sandbox-orgunits.c: org-unit types, the org structure, course creation,
 * and the tenant's limits (concurrent imports, request rate)
 *
 * What it imitates is in courses-and-batches.md §2 and §5.2: type names are
 * renamed the way tenants do (only the Codes are standard), listings come
 * in small pages, and course creation refuses what Brightspace refuses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-json.h"
#include "cd-sandbox-orgunits.h"
#include "cd-sandbox-private.h"

#define FIRST_GENERATED_ID 100001
#define FIRST_CREATED_ID   200001
#define MAX_CODE_LENGTH    50

enum { TYPE_ORG = 1, TYPE_TEMPLATE = 2, TYPE_OFFERING = 3, TYPE_GROUP = 4, TYPE_SEMESTER = 5,
       TYPE_SECTION = 101 };

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

typedef struct
{
  gint64  id;
  int     type;
  char   *name;
  char   *code;
} Unit;

struct _CdSandboxOrgUnits
{
  GPtrArray  *templates;        /* Unit */
  GPtrArray  *semesters;        /* Unit */
  gboolean    custom_templates;
  gboolean    custom_semesters;
  gint64      next_id;

  guint       page_size;
  guint       max_imports;
  guint       rate_limit;
  guint       drop_answers;

  GHashTable *inflight;         /* uploads not answered yet (SoupServerMessage*) */
  gint64      window;           /* the current second of the rate limit */
  guint       window_count;

  guint       course_posts;
  guint       courses_created;
  guint       max_seen;
  guint       import_refusals;
  guint       rate_refusals;
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

static void
insert_offering (CdSandbox  *self,
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
      insert_offering (self, FIRST_GENERATED_ID + i - 1, name, code);
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

/* --- limits ------------------------------------------------------------------ */

static void
respond_too_many (SoupServerMessage *msg,
                  guint              seconds)
{
  char retry[16];

  g_snprintf (retry, sizeof retry, "%u", seconds);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", retry);
  _cd_sandbox_respond_text (msg, 429, "text/plain; charset=utf-8", "Too Many Requests");
}

static gboolean
job_active (CdSandboxJob *job,
            gint64        now)
{
  double total = 0;

  for (guint i = 0; i < job->timeline->len; i++)
    {
      CdSandboxStage *stage = g_ptr_array_index (job->timeline, i);

      if (stage->seconds >= 0)
        total += stage->seconds;
    }

  return now - job->started_mono < (gint64)(total * G_USEC_PER_SEC);
}

/* Jobs not in a final status, and uploads not answered yet. */
static guint
count_active_imports (CdSandbox *self)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer msg;
  guint active = 0;

  for (guint i = 0; i < self->job_order->len; i++)
    active += job_active (g_ptr_array_index (self->job_order, i), now);

  g_hash_table_iter_init (&iter, self->org_units->inflight);
  while (g_hash_table_iter_next (&iter, &msg, NULL))
    active += soup_server_message_get_status (msg) == 0;

  return active;
}

typedef struct
{
  CdSandboxOrgUnits *units;
  SoupServerMessage *msg;
} Inflight;

static void
inflight_done (gpointer data)
{
  Inflight *entry = data;

  g_hash_table_remove (entry->units->inflight, entry->msg);
  g_free (entry);
}

/* Before the body: the request rate, then the import limit.  TRUE when
 * the request was refused. */
gboolean
_cd_sandbox_org_units_early (CdSandbox         *self,
                             SoupServerMessage *msg,
                             CdSandboxRoute    *route)
{
  CdSandboxOrgUnits *units = self->org_units;
  Inflight *entry;
  guint active;

  if (!route->api || route->kind == CD_SANDBOX_ROUTE_VERSIONS)
    return FALSE;

  if (units->rate_limit > 0)
    {
      gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;

      if (second != units->window)
        {
          units->window = second;
          units->window_count = 0;
        }
      if (++units->window_count > units->rate_limit)
        {
          units->rate_refusals++;
          respond_too_many (msg, 1);
          return TRUE;
        }
    }

  if (route->kind != CD_SANDBOX_ROUTE_IMPORT_CREATE)
    return FALSE;

  active = count_active_imports (self);
  if (units->max_imports > 0 && active >= units->max_imports)
    {
      units->import_refusals++;
      respond_too_many (msg, 1);
      return TRUE;
    }

  units->max_seen = MAX (units->max_seen, active + 1);

  entry = g_new0 (Inflight, 1);
  entry->units = units;
  entry->msg = msg;
  g_hash_table_add (units->inflight, msg);
  g_object_set_data_full (G_OBJECT (msg), "cd-sandbox-inflight", entry, inflight_done);
  return FALSE;
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

/* Every org unit as a borrowed-or-temporary Unit, in no order. */
static GPtrArray *
all_units (CdSandbox *self)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)unit_free);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < self->org_units->templates->len; i++)
    {
      Unit *u = g_ptr_array_index (self->org_units->templates, i);
      g_ptr_array_add (all, unit_new (u->id, u->type, u->name, u->code));
    }
  for (guint i = 0; i < self->org_units->semesters->len; i++)
    {
      Unit *u = g_ptr_array_index (self->org_units->semesters, i);
      g_ptr_array_add (all, unit_new (u->id, u->type, u->name, u->code));
    }
  g_hash_table_iter_init (&iter, self->offerings);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CdSandboxOffering *o = value;
      g_ptr_array_add (all, unit_new (o->id, TYPE_OFFERING, o->name, o->code));
    }

  return all;
}

static const Unit *
find_unit (GPtrArray *units,
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
equal_nocase (const char *a,
              const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a ? a : "", -1);
  g_autofree char *fb = g_utf8_casefold (b ? b : "", -1);

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

static gboolean
unit_matches (const Unit *unit,
              GHashTable *query,
              gint64      type)
{
  const char *text;

  if (type > 0 && unit->type != type)
    return FALSE;
  if ((text = query_get (query, "orgUnitCode")) && !contains_nocase (unit->code, text))
    return FALSE;
  if ((text = query_get (query, "orgUnitName")) && !contains_nocase (unit->name, text))
    return FALSE;
  if ((text = query_get (query, "exactOrgUnitCode")) && !equal_nocase (unit->code, text))
    return FALSE;
  if ((text = query_get (query, "exactOrgUnitName")) && !equal_nocase (unit->name, text))
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

static void
respond_bad_request (SoupServerMessage *msg,
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
  g_autoptr(GPtrArray) all = all_units (self);
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  const char *type_text = query_get (query, "orgUnitType");
  const char *bookmark_text = query_get (query, "bookmark");
  gint64 type = 0, bookmark = 0;
  guint start = 0, end;
  char bookmark_out[32] = "";

  if ((type_text && !g_ascii_string_to_signed (type_text, 10, 1, G_MAXINT32, &type, NULL)) ||
      (bookmark_text && !g_ascii_string_to_signed (bookmark_text, 10, 1, G_MAXINT64, &bookmark, NULL)))
    {
      respond_bad_request (msg, "orgUnitType and bookmark must be numbers");
      return;
    }

  for (guint i = 0; i < all->len; i++)
    if (unit_matches (g_ptr_array_index (all, i), query, type))
      g_ptr_array_add (matches, g_ptr_array_index (all, i));
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
  const Unit *unit = find_unit (all, id);

  if (unit == NULL)
    {
      _cd_sandbox_respond_not_found (msg);
      return;
    }

  add_unit_object (builder, unit);
  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

/* --- course creation --------------------------------------------------------------- */

/* LP "1.26" as 26; -1 when not 1.x. */
static int
lp_minor (const char *version)
{
  gint64 minor;

  if (!g_str_has_prefix (version, "1.") ||
      !g_ascii_string_to_signed (version + 2, 10, 0, 999, &minor, NULL))
    return -1;
  return (int)minor;
}

static gboolean
code_in_use (CdSandbox  *self,
             const char *code)
{
  g_autoptr(GPtrArray) all = all_units (self);

  for (guint i = 0; i < all->len; i++)
    if (equal_nocase (((Unit *)g_ptr_array_index (all, i))->code, code))
      return TRUE;
  return FALSE;
}

static const char *
check_code (const char *code)
{
  if (code == NULL || *code == '\0')
    return "Code is required";
  if (g_utf8_strlen (code, -1) > MAX_CODE_LENGTH)
    return "Code must be 50 characters or fewer";
  if (strpbrk (code, "\\:*?\"<>|'#,%&\n\r") != NULL)
    return "Code contains characters that are not allowed";
  return NULL;
}

static gboolean
member_is (JsonObject *object,
           const char *name,
           GType       type,
           gboolean    nullable)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    return nullable;
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
date_ok (JsonObject *body,
         const char *name)
{
  JsonNode *node = json_object_get_member (body, name);
  g_autoptr(GDateTime) date = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!member_is (body, name, G_TYPE_STRING, FALSE))
    return FALSE;
  date = g_date_time_new_from_iso8601 (json_node_get_string (node), NULL);
  return date != NULL;
}

/* The reason Brightspace would refuse @body on LP 1.@minor, or NULL. */
static const char *
check_course_body (CdSandbox  *self,
                   JsonObject *body,
                   int         minor)
{
  JsonObject *description;
  const char *problem;

  if (!member_is (body, "Name", G_TYPE_STRING, FALSE) ||
      *json_object_get_string_member (body, "Name") == '\0')
    return "Name is required";
  if (!member_is (body, "Code", G_TYPE_STRING, FALSE))
    return "Code is required";
  if ((problem = check_code (json_object_get_string_member (body, "Code"))) != NULL)
    return problem;
  /* With path enforcement on, the path must be left to the server. */
  if (!member_is (body, "Path", G_TYPE_STRING, FALSE) ||
      *json_object_get_string_member (body, "Path") != '\0')
    return "Path must be an empty string";
  if (!member_is (body, "CourseTemplateId", G_TYPE_INT64, FALSE))
    return "CourseTemplateId is required";
  if (!member_is (body, "SemesterId", G_TYPE_INT64, TRUE))
    return "SemesterId must be a number or null";
  if (!date_ok (body, "StartDate") || !date_ok (body, "EndDate"))
    return "StartDate and EndDate must be UTC dates or null";

  if (minor < 26 && json_object_has_member (body, "Description"))
    return "Description is not supported by this API version";
  if (minor < 27 && json_object_has_member (body, "CanSelfRegister"))
    return "CanSelfRegister is not supported by this API version";
  if (minor >= 26)
    {
      description = json_object_has_member (body, "Description") &&
                    JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "Description"))
                    ? json_object_get_object_member (body, "Description") : NULL;
      if (description == NULL || !member_is (description, "Content", G_TYPE_STRING, FALSE) ||
          !member_is (description, "Type", G_TYPE_STRING, FALSE) ||
          (g_strcmp0 (json_object_get_string_member (description, "Type"), "Text") != 0 &&
           g_strcmp0 (json_object_get_string_member (description, "Type"), "Html") != 0))
        return "Description must be a RichTextInput";
    }
  if (minor >= 27 && !member_is (body, "CanSelfRegister", G_TYPE_BOOLEAN, FALSE))
    return "CanSelfRegister is required";

  if (code_in_use (self, json_object_get_string_member (body, "Code")))
    return "The org unit code is already in use";
  return NULL;
}

static void
add_basic_unit (JsonBuilder *builder,
                const char  *member,
                const Unit  *unit)
{
  char id[32];

  json_builder_set_member_name (builder, member);
  if (unit == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, unit->id);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Identifier");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, unit->name);
  json_builder_set_member_name (builder, "Code");
  json_builder_add_string_value (builder, unit->code);
  json_builder_end_object (builder);
}

static void
add_member_copy (JsonBuilder *builder,
                 JsonObject  *body,
                 const char  *name)
{
  JsonNode *node = json_object_get_member (body, name);

  json_builder_set_member_name (builder, name);
  if (node == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_value (builder, json_node_copy (node));
}

static void
respond_created (SoupServerMessage *msg,
                 JsonObject        *body,
                 gint64             id,
                 const Unit        *template,
                 const Unit        *semester)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  const char *code = json_object_get_string_member (body, "Code");
  g_autofree char *path = g_strdup_printf ("/content/enforced/%s-%s/", id_text, code);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Identifier");
  json_builder_add_string_value (builder, id_text);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, json_object_get_string_member (body, "Name"));
  json_builder_set_member_name (builder, "Code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "IsActive");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "Path");
  json_builder_add_string_value (builder, path);
  add_member_copy (builder, body, "StartDate");
  add_member_copy (builder, body, "EndDate");
  add_basic_unit (builder, "CourseTemplate", template);
  add_basic_unit (builder, "Semester", semester);
  add_basic_unit (builder, "Department", NULL);
  json_builder_set_member_name (builder, "CanSelfRegister");
  json_builder_add_boolean_value (builder, cd_json_get_boolean (body, "CanSelfRegister", FALSE));
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

static void
drop_answer (SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  /* The offering exists; the client never hears of it. */
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static void
handle_create (CdSandbox         *self,
               SoupServerMessage *msg,
               const char        *version)
{
  CdSandboxOrgUnits *units = self->org_units;
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *body;
  const Unit *template, *semester = NULL;
  const char *problem;
  gint64 id;

  units->course_posts++;

  root = cd_json_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_bad_request (msg, "The body must be a Course.CreateCourseOffering object");
      return;
    }
  body = json_node_get_object (root);

  if ((problem = check_course_body (self, body, lp_minor (version))) != NULL)
    {
      respond_bad_request (msg, problem);
      return;
    }

  template = find_unit (units->templates, json_object_get_int_member (body, "CourseTemplateId"));
  if (template == NULL)
    {
      _cd_sandbox_respond_not_found (msg);
      return;
    }
  if (member_is (body, "SemesterId", G_TYPE_INT64, FALSE) &&
      (semester = find_unit (units->semesters, json_object_get_int_member (body, "SemesterId"))) == NULL)
    {
      respond_bad_request (msg, "SemesterId is not a semester");
      return;
    }

  id = units->next_id++;
  insert_offering (self, id, json_object_get_string_member (body, "Name"),
                   json_object_get_string_member (body, "Code"));
  units->courses_created++;

  if (units->drop_answers > 0)
    {
      units->drop_answers--;
      drop_answer (msg);
      return;
    }

  respond_created (msg, body, id, template, semester);
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
    handle_create (self, msg, seg[4]);
  else
    return FALSE;

  return TRUE;
}

/* GET /_sandbox/orgunits: the counters tests read. */
gboolean
_cd_sandbox_org_units_test_route (CdSandbox         *self,
                                  SoupServerMessage *msg)
{
  const char *raw = g_uri_get_path (soup_server_message_get_uri (msg));
  CdSandboxOrgUnits *units = self->org_units;
  g_autoptr(JsonBuilder) builder = NULL;

  if (g_strcmp0 (raw, "/_sandbox/orgunits") != 0 ||
      g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "course_posts");
  json_builder_add_int_value (builder, units->course_posts);
  json_builder_set_member_name (builder, "courses_created");
  json_builder_add_int_value (builder, units->courses_created);
  json_builder_set_member_name (builder, "max_concurrent_imports");
  json_builder_add_int_value (builder, units->max_seen);
  json_builder_set_member_name (builder, "import_limit_refusals");
  json_builder_add_int_value (builder, units->import_refusals);
  json_builder_set_member_name (builder, "rate_limit_refusals");
  json_builder_add_int_value (builder, units->rate_refusals);
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
  return TRUE;
}
