/* cd-sandbox-routes.c: versions, identity and course offerings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-sandbox-orgunits-private.h"
#include "cd-sandbox-private.h"

typedef struct
{
  const char *code;
  int         major;
  int         last_minor;
} ProductVersions;

/* Versions a current Brightspace tenant lists, oldest first. */
static const ProductVersions products[] = {
  { "lp", 1, 46 },
  { "le", 1, 79 },
  { "ep", 2, 5 },
  { "lr", 1, 3 },
};

gboolean
_cd_sandbox_version_supported (const char *product,
                               const char *version)
{
  for (guint i = 0; i < G_N_ELEMENTS (products); i++)
    {
      if (g_strcmp0 (products[i].code, product) != 0)
        continue;

      for (int minor = 0; minor <= products[i].last_minor; minor++)
        {
          g_autofree char *v = g_strdup_printf ("%d.%d", products[i].major, minor);

          if (g_strcmp0 (v, version) == 0)
            return TRUE;
        }
    }

  return FALSE;
}

void
_cd_sandbox_handle_versions (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (products); i++)
    {
      g_autofree char *latest = g_strdup_printf ("%d.%d", products[i].major, products[i].last_minor);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ProductCode");
      json_builder_add_string_value (builder, products[i].code);
      json_builder_set_member_name (builder, "LatestVersion");
      json_builder_add_string_value (builder, latest);
      json_builder_set_member_name (builder, "SupportedVersions");
      json_builder_begin_array (builder);
      for (int minor = 0; minor <= products[i].last_minor; minor++)
        {
          g_autofree char *v = g_strdup_printf ("%d.%d", products[i].major, minor);

          json_builder_add_string_value (builder, v);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

void
_cd_sandbox_handle_whoami (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Identifier");
  json_builder_add_string_value (builder, "30771");
  json_builder_set_member_name (builder, "FirstName");
  json_builder_add_string_value (builder, "Dana");
  json_builder_set_member_name (builder, "LastName");
  json_builder_add_string_value (builder, "Demo");
  json_builder_set_member_name (builder, "UniqueName");
  json_builder_add_string_value (builder, "dana.demo");
  json_builder_set_member_name (builder, "ProfileIdentifier");
  json_builder_add_string_value (builder, "q6bvwqYkP0");
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

static void
add_null_member (JsonBuilder *builder,
                 const char  *name)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_null_value (builder);
}

void
_cd_sandbox_handle_course (CdSandbox         *self,
               SoupServerMessage *msg,
               gint64             org_unit_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *template_id = NULL;
  g_autofree char *template_name = NULL;
  g_autofree char *template_code = NULL;
  CdSandboxOffering *o;

  if (!_cd_sandbox_check_offering (self, msg, org_unit_id))
    return;

  o = g_hash_table_lookup (self->offerings, &org_unit_id);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, o->id);
  path = g_strdup_printf ("/content/enforced/%s%s%s/", id, o->code ? "-" : "", o->code ? o->code : "");
  template_id = g_strdup_printf ("%" G_GINT64_FORMAT, o->id - 1);
  template_name = g_strdup_printf ("%s Template", o->name);
  template_code = g_strdup_printf ("TPL-%s", o->code ? o->code : id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Identifier");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, o->name);
  json_builder_set_member_name (builder, "Code");
  json_builder_add_string_value (builder, o->code ? o->code : "");
  json_builder_set_member_name (builder, "IsActive");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "Path");
  json_builder_add_string_value (builder, path);
  add_null_member (builder, "StartDate");
  add_null_member (builder, "EndDate");
  json_builder_set_member_name (builder, "CourseTemplate");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Identifier");
  json_builder_add_string_value (builder, template_id);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, template_name);
  json_builder_set_member_name (builder, "Code");
  json_builder_add_string_value (builder, template_code);
  json_builder_end_object (builder);
  _cd_sandbox_units_add_semester (self, builder, "Semester", o->semester_id);
  add_null_member (builder, "Department");
  json_builder_set_member_name (builder, "Description");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Text");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "Html");
  json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "CanSelfRegister");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}

void
_cd_sandbox_handle_stats (CdSandbox         *self,
              SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "requests");
  json_builder_add_int_value (builder, self->request_count);
  json_builder_set_member_name (builder, "uploads");
  json_builder_add_int_value (builder, self->job_order->len);
  json_builder_set_member_name (builder, "content_requests");
  json_builder_add_int_value (builder, _cd_sandbox_content_requests (self));
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}
