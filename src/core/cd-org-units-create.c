/* cd-org-units-create.c: creating a course offering at most once
 *
 * The code is looked up before the POST, so a second run reuses what the
 * first made.  A POST whose answer is lost (the connection closed, a 5xx,
 * a cut reply) may have created the offering: it is never repeated, the
 * code is looked up again instead (courses-and-batches.md §2.5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-org-units-private.h"

typedef struct
{
  char      *code;
  char      *name;
  gint64     template_id;
  gint64     semester_id;
  GDateTime *start;
  GDateTime *end;
  gboolean   posted;     /* a POST went out: never another */
  gboolean   created;
  GError    *refused;    /* (nullable) a 400 that a concurrent creation may explain */
} Create;

static void
create_free (Create *create)
{
  g_free (create->code);
  g_free (create->name);
  g_clear_pointer (&create->start, g_date_time_unref);
  g_clear_pointer (&create->end, g_date_time_unref);
  g_clear_error (&create->refused);
  g_free (create);
}

/* LP 1.26 and later: TRUE for @minor_needed 26 on "1.26", "1.40", "2.0". */
static gboolean
lp_at_least (const char *version,
             guint64     minor_needed)
{
  g_auto(GStrv) parts = version ? g_strsplit (version, ".", 2) : NULL;
  guint64 major = 0, minor = 0;

  if (parts == NULL || g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, 999, &major, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, 999, &minor, NULL))
    return FALSE;

  return major > 1 || (major == 1 && minor >= minor_needed);
}

static void
add_date (JsonBuilder *builder,
          const char  *member,
          GDateTime   *date)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *text = NULL;

  json_builder_set_member_name (builder, member);
  if (date == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  utc = g_date_time_to_utc (date);
  text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.000Z");
  json_builder_add_string_value (builder, text);
}

/* Course.CreateCourseOffering as LP @version takes it (§2.2). */
static JsonNode *
build_body (Create     *create,
            const char *version)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, create->name);
  json_builder_set_member_name (builder, "Code");
  json_builder_add_string_value (builder, create->code);
  /* Empty, so that tenants with path enforcement fill it in themselves. */
  json_builder_set_member_name (builder, "Path");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "CourseTemplateId");
  json_builder_add_int_value (builder, create->template_id);
  json_builder_set_member_name (builder, "SemesterId");
  if (create->semester_id > 0)
    json_builder_add_int_value (builder, create->semester_id);
  else
    json_builder_add_null_value (builder);
  add_date (builder, "StartDate", create->start);
  add_date (builder, "EndDate", create->end);
  json_builder_set_member_name (builder, "LocaleId");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "ForceLocale");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "ShowAddressBook");
  json_builder_add_boolean_value (builder, FALSE);

  if (lp_at_least (version, 26))
    {
      json_builder_set_member_name (builder, "Description");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Content");
      json_builder_add_string_value (builder, "");
      json_builder_set_member_name (builder, "Type");
      json_builder_add_string_value (builder, "Text");
      json_builder_end_object (builder);
    }
  if (lp_at_least (version, 27))
    {
      json_builder_set_member_name (builder, "CanSelfRegister");
      json_builder_add_boolean_value (builder, FALSE);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Whether Brightspace may have acted on a POST that got this error. */
static gboolean
answer_lost (const GError *error)
{
  return g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN) ||
         g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK) ||
         g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_SERVER) ||
         g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void look_up (GTask *task);

static void
posted_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Create *create = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *offering;
  gint64 id;

  root = cd_client_post_json_finish (CD_CLIENT (object), result, &error);
  offering = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  id = _cd_org_units_json_id (offering, "Identifier");

  if (root != NULL && id > 0)
    {
      create->created = TRUE;
      g_task_return_pointer (task, cd_org_unit_new (id, create->name, create->code),
                             (GDestroyNotify)cd_org_unit_free);
      return;
    }

  if (root != NULL || answer_lost (error))
    {
      g_debug ("The answer to creating %s was lost; looking the code up", create->code);
      look_up (task);
      return;
    }

  /* Refused: perhaps because another run made it a moment ago. */
  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST))
    {
      create->refused = g_steal_pointer (&error);
      look_up (task);
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
post (GTask *task)
{
  CdOrgUnits *self = g_task_get_source_object (task);
  Create *create = g_task_get_task_data (task);
  g_autoptr(JsonNode) body = build_body (create, cd_client_get_lp_version (self->client));

  create->posted = TRUE;
  cd_client_post_json_async (self->client, "/d2l/api/lp/{lp}/courses/", body,
                             g_task_get_cancellable (task), posted_cb, g_object_ref (task));
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Create *create = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  CdOrgUnit *unit;

  unit = cd_org_units_find_by_code_finish (CD_ORG_UNITS (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (unit != NULL)
    {
      /* Ours if our POST went out and was not refused. */
      create->created = create->posted && create->refused == NULL;
      g_task_return_pointer (task, unit, (GDestroyNotify)cd_org_unit_free);
      return;
    }

  if (create->refused != NULL)
    g_task_return_error (task, g_steal_pointer (&create->refused));
  else if (create->posted)
    g_task_return_new_error (task, CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN,
                             _("Brightspace did not answer the request to create the course "
                               "offering “%s”, and no offering with that code can be seen yet. "
                               "Coursedrop does not send it again by itself: check Brightspace, "
                               "then run the command again."), create->code);
  else
    post (task);
}

static void
look_up (GTask *task)
{
  CdOrgUnits *self = g_task_get_source_object (task);
  Create *create = g_task_get_task_data (task);

  cd_org_units_find_by_code_async (self, CD_ORG_UNIT_OFFERING, create->code,
                                   g_task_get_cancellable (task), looked_up_cb,
                                   g_object_ref (task));
}

static gboolean
check_request (const CdOfferingRequest  *request,
               GError                  **error)
{
  g_autofree char *name = g_strstrip (g_strdup (request->name ? request->name : ""));

  if (!cd_validate_offering_code (request->code, error))
    return FALSE;

  if (*name == '\0')
    {
      g_set_error_literal (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID,
                           _("A new course offering needs a name."));
      return FALSE;
    }

  if (request->template_id <= 0)
    {
      g_set_error_literal (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID,
                           _("A new course offering needs the course template it belongs to."));
      return FALSE;
    }

  if (request->start != NULL && request->end != NULL &&
      g_date_time_compare (request->end, request->start) < 0)
    {
      g_set_error_literal (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID,
                           _("The course offering would end before it starts."));
      return FALSE;
    }

  return TRUE;
}

void
cd_org_units_create_offering_async (CdOrgUnits              *self,
                                    const CdOfferingRequest *request,
                                    GCancellable            *cancellable,
                                    GAsyncReadyCallback      callback,
                                    gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Create *create;

  g_return_if_fail (CD_IS_ORG_UNITS (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_org_units_create_offering_async);

  if (!check_request (request, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  create = g_new0 (Create, 1);
  create->code = g_strdup (request->code);
  create->name = g_strstrip (g_strdup (request->name));
  create->template_id = request->template_id;
  create->semester_id = request->semester_id;
  create->start = request->start ? g_date_time_ref (request->start) : NULL;
  create->end = request->end ? g_date_time_ref (request->end) : NULL;
  g_task_set_task_data (task, create, (GDestroyNotify)create_free);

  /* The look-up also finds the LP version the body depends on. */
  look_up (task);
}

CdOrgUnit *
cd_org_units_create_offering_finish (CdOrgUnits    *self,
                                     GAsyncResult  *result,
                                     gboolean      *created,
                                     GError       **error)
{
  Create *create;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  create = g_task_get_task_data (G_TASK (result));
  if (created != NULL)
    *created = create != NULL && create->created;

  return g_task_propagate_pointer (G_TASK (result), error);
}
