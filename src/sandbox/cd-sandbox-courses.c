/* cd-sandbox-courses.c: creating course offerings the way Brightspace does
 *
 * POST /d2l/api/lp/(v)/courses/ with a Course.CreateCourseOffering body:
 * the fields that LP version takes and no other (courses-and-batches.md
 * §2.2), codes of at most 50 characters without the forbidden ones, unique
 * whatever the case.  A fault drops the answer after the offering exists.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-json.h"
#include "cd-sandbox-orgunits-private.h"

#define MAX_CODE_LENGTH 50

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
code_is (const Unit *unit,
         gpointer    code)
{
  return _cd_sandbox_units_equal (unit->code, code);
}

static gboolean
code_in_use (CdSandbox  *self,
             const char *code)
{
  g_autoptr(GPtrArray) same = _cd_sandbox_units_collect (self, code_is, (gpointer)code);

  return same->len > 0;
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

void
_cd_sandbox_units_add_semester (CdSandbox   *self,
                                JsonBuilder *builder,
                                const char  *member,
                                gint64       semester_id)
{
  add_basic_unit (builder, member, semester_id > 0
                  ? _cd_sandbox_units_find (self->org_units->semesters, semester_id) : NULL);
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

void
_cd_sandbox_units_create (CdSandbox         *self,
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
      _cd_sandbox_units_bad_request (msg, "The body must be a Course.CreateCourseOffering object");
      return;
    }
  body = json_node_get_object (root);

  if ((problem = check_course_body (self, body, lp_minor (version))) != NULL)
    {
      _cd_sandbox_units_bad_request (msg, problem);
      return;
    }

  template = _cd_sandbox_units_find (units->templates, json_object_get_int_member (body, "CourseTemplateId"));
  if (template == NULL)
    {
      _cd_sandbox_respond_not_found (msg);
      return;
    }
  if (member_is (body, "SemesterId", G_TYPE_INT64, FALSE) &&
      (semester = _cd_sandbox_units_find (units->semesters, json_object_get_int_member (body, "SemesterId"))) == NULL)
    {
      _cd_sandbox_units_bad_request (msg, "SemesterId is not a semester");
      return;
    }

  id = units->next_id++;
  _cd_sandbox_units_insert_offering (self, id, json_object_get_string_member (body, "Name"),
                   json_object_get_string_member (body, "Code"));
  ((CdSandboxOffering *)g_hash_table_lookup (self->offerings, &id))->semester_id =
    semester ? semester->id : 0;
  units->courses_created++;

  if (units->drop_answers > 0)
    {
      units->drop_answers--;
      units->answers_dropped++;
      drop_answer (msg);
      return;
    }

  respond_created (msg, body, id, template, semester);
}
