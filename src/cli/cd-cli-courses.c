/* cd-cli-courses.c: coursedrop-cli courses and create-offering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-org-units.h"
#include "cd-validate.h"

static void
add_unit (JsonBuilder     *builder,
          const CdOrgUnit *unit)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, unit->id);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, unit->code);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, unit->name);
}

/* With @semesters (nullable): a "semester" member, an object or null. */
static void
print_unit_json (const CdOrgUnit *unit,
                 GHashTable      *semesters)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  add_unit (builder, unit);
  if (semesters != NULL)
    {
      const CdOrgUnit *semester = g_hash_table_lookup (semesters, &unit->id);

      json_builder_set_member_name (builder, "semester");
      if (semester == NULL)
        json_builder_add_null_value (builder);
      else
        {
          add_unit (builder, semester);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  g_print ("%s\n", text);
}

static void
semester_cb (gint64           offering_id,
             const CdOrgUnit *semester,
             gpointer         user_data)
{
  if (semester != NULL)
    g_hash_table_insert (user_data, g_memdup2 (&offering_id, sizeof offering_id),
                         cd_org_unit_copy (semester));
}

/* Listings carry no semester: one GET per offering (core sends a few at
 * once).  One that cannot be read is left out, as one without. */
static GHashTable *
fetch_semesters (CdOrgUnits *units,
                 GPtrArray  *found)
{
  GHashTable *semesters = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                 (GDestroyNotify)cd_org_unit_free);
  g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), found->len);
  g_autoptr(GAsyncResult) result = NULL;

  for (guint i = 0; i < found->len; i++)
    g_array_append_val (ids, ((CdOrgUnit *)g_ptr_array_index (found, i))->id);

  cd_org_units_fetch_semesters_async (units, (gint64 *)ids->data, ids->len, semester_cb,
                                      semesters, NULL, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  cd_org_units_fetch_semesters_finish (units, result, NULL);
  return semesters;
}

int
cd_cli_courses (int    argc,
                char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *search = NULL;
  g_autofree char *code = NULL;
  gboolean json = FALSE;
  gboolean with_semester = FALSE;
  GOptionEntry entries[] = {
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("Only offerings whose name contains TEXT"), N_("TEXT") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("Only offerings whose code contains CODE"), N_("CODE") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object per offering"), NULL },
    { "semester", 0, 0, G_OPTION_ARG_NONE, &with_semester, N_("Also print each offering’s semester (one request per offering)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdOrgUnits) units = NULL;
  g_autoptr(GHashTable) semesters = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = cd_cli_option_context_new (NULL,
                                       _("List course offerings: ID, code and name, one per line.\n"
                                         "Example: coursedrop-cli courses --search Biology"),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("Unexpected argument “%s”. Give the text with --search."), argv[1]);

  if (!(client = cd_cli_create_client (host, TRUE, &error)))
    return cd_cli_fail (error);

  units = cd_org_units_new (client);
  cd_org_units_search_async (units, CD_ORG_UNIT_OFFERING, search, code, NULL,
                             cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  if (!(found = cd_org_units_search_finish (units, result, &error)))
    return cd_cli_fail (error);
  if (with_semester)
    semesters = fetch_semesters (units, found);

  for (guint i = 0; i < found->len; i++)
    {
      const CdOrgUnit *unit = g_ptr_array_index (found, i);
      const CdOrgUnit *semester = semesters ? g_hash_table_lookup (semesters, &unit->id) : NULL;
      /* Names come from the server: a tab, a newline or an escape
       * sequence in one must not break the columns or the terminal. */
      g_autofree char *unit_code = cd_cli_escape (unit->code);
      g_autofree char *unit_name = cd_cli_escape (unit->name);
      g_autofree char *term = cd_cli_escape (semester ? semester->name : "");

      if (json)
        print_unit_json (unit, semesters);
      else if (semesters != NULL)
        g_print ("%" PRId64 "\t%s\t%s\t%s\n", unit->id, unit_code, unit_name, term);
      else
        g_print ("%" PRId64 "\t%s\t%s\n", unit->id, unit_code, unit_name);
    }

  if (found->len == 0)
    g_printerr (_("No course offering matches.\n"));

  return CD_EXIT_OK;
}

/* Resolves a template or semester reference; NULL after printing why. */
static CdOrgUnit *
resolve (CdOrgUnits     *units,
         CdOrgUnitKind   kind,
         const char     *reference,
         int            *status)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CdOrgUnit *unit;

  cd_org_units_resolve_async (units, kind, reference, NULL, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  unit = cd_org_units_resolve_finish (units, result, &error);
  if (unit == NULL)
    *status = cd_cli_fail (error);
  return unit;
}

static gboolean
check_reference (const char *option,
                 const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  gint64 id;

  if (text == NULL || cd_org_units_parse_reference (text, &id, &code, &error))
    return TRUE;

  cd_cli_usage ("%s: %s", option, error->message);
  return FALSE;
}

static gboolean
parse_date_option (const char  *option,
                   const char  *text,
                   GDateTime  **date)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if ((*date = cd_org_units_parse_date (text, &error)) != NULL)
    return TRUE;

  cd_cli_usage ("%s: %s", option, error->message);
  return FALSE;
}

int
cd_cli_create_offering (int    argc,
                        char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *template_ref = NULL;
  g_autofree char *semester_ref = NULL;
  g_autofree char *code = NULL;
  g_autofree char *name = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  GOptionEntry entries[] = {
    { "template", 0, 0, G_OPTION_ARG_STRING, &template_ref, N_("The course template, by ID or as code:CODE"), N_("ID|code:CODE") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("The new offering’s code (at most 50 characters)"), N_("CODE") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The new offering’s name"), N_("NAME") },
    { "semester", 0, 0, G_OPTION_ARG_STRING, &semester_ref, N_("The semester, by ID or as code:CODE"), N_("ID|code:CODE") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start_text, N_("Start date (YYYY-MM-DD, UTC)"), N_("DATE") },
    { "end", 0, 0, G_OPTION_ARG_STRING, &end_text, N_("End date (YYYY-MM-DD, UTC)"), N_("DATE") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Brightspace address (overrides COURSEDROP_HOST)"), N_("URL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdOrgUnits) units = NULL;
  g_autoptr(CdOrgUnit) template = NULL;
  g_autoptr(CdOrgUnit) semester = NULL;
  g_autoptr(CdOrgUnit) offering = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CdOfferingRequest request = { 0 };
  gboolean created = FALSE;
  int status;

  context = cd_cli_option_context_new (NULL,
                                       _("Create a course offering from a template, unless one has "
                                         "the code already; print its ID.\n"
                                         "Example: coursedrop-cli create-offering --template "
                                         "code:TPL-SCI --code BIO-101-F26 --name \"Biology 101\""),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc > 1)
    return cd_cli_usage (_("Unexpected argument “%s”."), argv[1]);

  /* Everything that can be checked here is, before anything is sent. */
  if (template_ref == NULL || code == NULL || name == NULL)
    return cd_cli_usage (_("Give --template, --code and --name."));
  if (!cd_validate_offering_code (code, &error))
    return cd_cli_usage ("--code: %s", error->message);
  if (!check_reference ("--template", template_ref) ||
      !check_reference ("--semester", semester_ref) ||
      !parse_date_option ("--start", start_text, &start) ||
      !parse_date_option ("--end", end_text, &end))
    return CD_EXIT_USAGE;
  if (start != NULL && end != NULL && g_date_time_compare (end, start) < 0)
    return cd_cli_usage (_("--end is before --start."));

  if (!(client = cd_cli_create_client (host, TRUE, &error)))
    return cd_cli_fail (error);
  units = cd_org_units_new (client);

  if (!(template = resolve (units, CD_ORG_UNIT_TEMPLATE, template_ref, &status)))
    return status;
  if (semester_ref != NULL && !(semester = resolve (units, CD_ORG_UNIT_SEMESTER, semester_ref, &status)))
    return status;

  request.code = code;
  request.name = name;
  request.template_id = template->id;
  request.semester_id = semester ? semester->id : 0;
  request.start = start;
  request.end = end;
  cd_org_units_create_offering_async (units, &request, NULL, cd_cli_store_result_cb, &result);
  cd_cli_wait_result (&result);
  if (!(offering = cd_org_units_create_offering_finish (units, result, &created, &error)))
    return cd_cli_fail (error);

  g_print ("%" PRId64 "\n", offering->id);
  if (created)
    g_printerr (_("created: %s (%s)\n"), offering->name, offering->code);
  else
    g_printerr (_("already exists: %s (%s); nothing was changed\n"), offering->name,
                offering->code);

  return CD_EXIT_OK;
}
