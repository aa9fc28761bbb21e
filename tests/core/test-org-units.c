/* test-org-units.c: CdOrgUnits against the in-process sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-org-units.h"
#include "cd-sandbox.h"
#include "cd-sandbox-orgunits.h"
#include "cd-validate.h"

typedef struct
{
  CdSandbox  *sandbox;
  CdClient   *client;
  CdOrgUnits *units;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char * const offerings[] = {
    "6606:Biology 101;BIO101", "6610:Biology 102;BIO102", "6620:Advanced Biology;BIO201",
    "6630:Chemistry;CHEM1", "6640:Lab Safety for biology;SAFE1", "6650:History;HIST1",
  };
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  for (guint i = 0; i < G_N_ELEMENTS (offerings); i++)
    g_assert_true (cd_sandbox_add_offering (f->sandbox, offerings[i], &error));
  cd_sandbox_set_orgstructure_page_size (f->sandbox, 2);
  g_assert_true (cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);

  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  f->client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);
  g_assert_no_error (error);
  /* No waiting between retries: the tests are about what is sent. */
  cd_client_set_retry_policy (f->client, 2, 1, 1);
  f->units = cd_org_units_new (f->client);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->units);
  g_clear_object (&f->client);
  g_clear_object (&f->sandbox);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static GPtrArray *
search (Fixture    *f,
        const char *name,
        const char *code)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *units;

  cd_org_units_search_async (f->units, CD_ORG_UNIT_OFFERING, name, code, NULL, store_cb, &result);
  units = cd_org_units_search_finish (f->units, wait_for (&result), &error);
  g_assert_no_error (error);
  return units;
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
test_search_pages (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) by_name = NULL;
  g_autoptr(GPtrArray) by_code = NULL;
  g_autoptr(GPtrArray) all = NULL;
  guint before;

  /* Four offerings match, two per page: only following bookmarks finds the last. */
  before = cd_sandbox_get_request_count (f->sandbox);
  by_name = search (f, "biology", NULL);
  g_assert_cmpuint (by_name->len, ==, 4);
  g_assert_true (has_id (by_name, 6606) && has_id (by_name, 6610) &&
                 has_id (by_name, 6620) && has_id (by_name, 6640));
  /* Versions, types and at least two pages. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox) - before, >=, 4);

  by_code = search (f, NULL, "BIO");
  g_assert_cmpuint (by_code->len, ==, 3);
  g_assert_false (has_id (by_code, 6640));

  /* Templates and semesters are org units too, but not offerings. */
  all = search (f, NULL, NULL);
  g_assert_cmpuint (all->len, ==, 6);
  g_assert_false (has_id (all, 6605));
}

static GPtrArray *
search_text (Fixture    *f,
             const char *text)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *units;

  cd_org_units_search_text_async (f->units, CD_ORG_UNIT_OFFERING, text, NULL, store_cb, &result);
  units = cd_org_units_search_text_finish (f->units, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (units);
  return units;
}

static gint64
id_at (GPtrArray *units,
       guint      index)
{
  g_assert_cmpuint (index, <, units->len);
  return ((CdOrgUnit *)g_ptr_array_index (units, index))->id;
}

/* What the window's course field does: part of a name or of a code. */
static void
test_search_text (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) chem = NULL;
  g_autoptr(GPtrArray) bio1 = NULL;
  g_autoptr(GPtrArray) ones = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  guint before;

  g_assert_true (cd_sandbox_add_offering (f->sandbox, "6660:Zoology;BIO1", &error));
  g_assert_no_error (error);

  /* Found by its name and by its code: listed once. */
  chem = search_text (f, "  chem ");
  g_assert_cmpuint (chem->len, ==, 1);
  g_assert_cmpint (id_at (chem, 0), ==, 6630);

  /* By code only; the exact code first although "Zoology" sorts last,
   * then by name. */
  bio1 = search_text (f, "bio1");
  g_assert_cmpuint (bio1->len, ==, 3);
  g_assert_cmpint (id_at (bio1, 0), ==, 6660);
  g_assert_cmpint (id_at (bio1, 1), ==, 6606);
  g_assert_cmpint (id_at (bio1, 2), ==, 6610);

  /* Names ("Biology 101") and codes ("HIST1") together, across pages. */
  ones = search_text (f, "1");
  g_assert_cmpuint (ones->len, ==, 7);

  /* Nothing typed: nothing asked. */
  before = cd_sandbox_get_request_count (f->sandbox);
  none = search_text (f, " ");
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, before);
}

static CdOrgUnit *
find (Fixture       *f,
      CdOrgUnitKind  kind,
      const char    *code,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_org_units_find_by_code_async (f->units, kind, code, NULL, store_cb, &result);
  return cd_org_units_find_by_code_finish (f->units, wait_for (&result), error);
}

static CdOrgUnit *
resolve (Fixture       *f,
         CdOrgUnitKind  kind,
         const char    *reference,
         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_org_units_resolve_async (f->units, kind, reference, NULL, store_cb, &result);
  return cd_org_units_resolve_finish (f->units, wait_for (&result), error);
}

static void
test_find (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdOrgUnit) template = NULL;
  g_autoptr(CdOrgUnit) semester = NULL;
  g_autoptr(CdOrgUnit) offering = NULL;
  g_autoptr(CdOrgUnit) by_id = NULL;
  CdOrgUnit *none;

  /* The sandbox renamed every type ("Site Template", "Term", and a custom
   * type *named* "Course Offering"): only the Codes lead here. */
  template = find (f, CD_ORG_UNIT_TEMPLATE, "tpl-sci", &error);
  g_assert_no_error (error);
  g_assert_nonnull (template);
  g_assert_cmpint (template->id, ==, 6605);
  g_assert_cmpstr (template->code, ==, "TPL-SCI");

  semester = find (f, CD_ORG_UNIT_SEMESTER, "TERM-FALL", &error);
  g_assert_no_error (error);
  g_assert_cmpint (semester->id, ==, 7001);

  offering = find (f, CD_ORG_UNIT_OFFERING, "BIO201", &error);
  g_assert_no_error (error);
  g_assert_cmpint (offering->id, ==, 6620);

  /* "BIO" is a part of three codes, the exact code of none. */
  none = find (f, CD_ORG_UNIT_OFFERING, "BIO", &error);
  g_assert_no_error (error);
  g_assert_null (none);

  /* A template's code or ID never stands for an offering. */
  none = find (f, CD_ORG_UNIT_OFFERING, "TPL-SCI", &error);
  g_assert_no_error (error);
  g_assert_null (none);
  none = resolve (f, CD_ORG_UNIT_OFFERING, "6605", &error);
  g_assert_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_NOT_FOUND);
  g_assert_null (none);
  g_clear_error (&error);

  by_id = resolve (f, CD_ORG_UNIT_TEMPLATE, "6605", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_id->code, ==, "TPL-SCI");

  none = resolve (f, CD_ORG_UNIT_TEMPLATE, "code:NOPE", &error);
  g_assert_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_NOT_FOUND);
  g_assert_null (none);
  g_clear_error (&error);

  none = resolve (f, CD_ORG_UNIT_TEMPLATE, "TPL-SCI", &error);
  g_assert_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID);
  g_assert_null (none);
}

static CdOrgUnit *
create (Fixture    *f,
        const char *code,
        gboolean   *created,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) start = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_days (start, 90);
  CdOfferingRequest request = {
    .code = code, .name = "New course", .template_id = 6605, .semester_id = 7001,
    .start = start, .end = end,
  };

  cd_org_units_create_offering_async (f->units, &request, NULL, store_cb, &result);
  return cd_org_units_create_offering_finish (f->units, wait_for (&result), created, error);
}

static void
test_create_versions (Fixture       *f,
                      gconstpointer  data)
{
  static const char * const versions[] = { "1.20", "1.25", "1.26", "1.27", "1.46" };

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *code = g_strdup_printf ("LP-%s", versions[i]);
      g_autoptr(CdOrgUnit) unit = NULL;
      g_autoptr(GError) error = NULL;
      gboolean created = FALSE;

      /* The sandbox refuses a field the version does not know, and a
       * missing one it requires. */
      cd_client_set_lp_version (f->client, versions[i]);
      unit = create (f, code, &created, &error);
      g_assert_no_error (error);
      g_assert_true (created);
      g_assert_cmpint (unit->id, >, 0);
      g_assert_cmpstr (unit->code, ==, code);
    }

  g_assert_cmpuint (cd_sandbox_get_course_posts (f->sandbox), ==, G_N_ELEMENTS (versions));
  g_assert_cmpuint (cd_sandbox_get_courses_created (f->sandbox), ==, G_N_ELEMENTS (versions));
}

/* The sandbox's rules, so that the test above can fail. */
static void
test_sandbox_refuses (Fixture       *f,
                      gconstpointer  data)
{
  static const struct { const char *version; const char *body; } cases[] = {
    { "1.25", "{\"Name\":\"N\",\"Code\":\"R1\",\"Path\":\"\",\"CourseTemplateId\":6605,"
              "\"SemesterId\":null,\"Description\":{\"Content\":\"\",\"Type\":\"Text\"}}" },
    { "1.26", "{\"Name\":\"N\",\"Code\":\"R2\",\"Path\":\"\",\"CourseTemplateId\":6605,"
              "\"SemesterId\":null,\"Description\":{\"Content\":\"\",\"Type\":\"Text\"},"
              "\"CanSelfRegister\":false}" },
    { "1.27", "{\"Name\":\"N\",\"Code\":\"R3\",\"Path\":\"\",\"CourseTemplateId\":6605,"
              "\"SemesterId\":null,\"Description\":{\"Content\":\"\",\"Type\":\"Text\"}}" },
    { "1.46", "{\"Name\":\"N\",\"Code\":\"R4\",\"CourseTemplateId\":6605,\"SemesterId\":null,"
              "\"Description\":{\"Content\":\"\",\"Type\":\"Text\"},\"CanSelfRegister\":false}" },
    { "1.46", "{\"Name\":\"N\",\"Code\":\"R:5\",\"Path\":\"\",\"CourseTemplateId\":6605,"
              "\"SemesterId\":null,\"Description\":{\"Content\":\"\",\"Type\":\"Text\"},"
              "\"CanSelfRegister\":false}" },
    { "1.46", "{\"Name\":\"N\",\"Code\":\"bio101\",\"Path\":\"\",\"CourseTemplateId\":6605,"
              "\"SemesterId\":null,\"Description\":{\"Content\":\"\",\"Type\":\"Text\"},"
              "\"CanSelfRegister\":false}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) body = json_from_string (cases[i].body, NULL);
      g_autoptr(JsonNode) reply = NULL;
      g_autoptr(GError) error = NULL;

      cd_client_set_lp_version (f->client, cases[i].version);
      cd_client_post_json_async (f->client, "/d2l/api/lp/{lp}/courses/", body, NULL,
                                 store_cb, &result);
      reply = cd_client_post_json_finish (f->client, wait_for (&result), &error);
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST);
      g_assert_null (reply);
    }

  g_assert_cmpuint (cd_sandbox_get_courses_created (f->sandbox), ==, 0);
}

static void
test_create_duplicate (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CdOrgUnit) existing = NULL;
  g_autoptr(CdOrgUnit) first = NULL;
  g_autoptr(CdOrgUnit) again = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = TRUE;

  /* The code is taken (in another case): that offering is the answer. */
  existing = create (f, "bio101", &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_cmpint (existing->id, ==, 6606);
  g_assert_cmpuint (cd_sandbox_get_course_posts (f->sandbox), ==, 0);

  first = create (f, "NEW-1", &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);

  again = create (f, "NEW-1", &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_cmpint (again->id, ==, first->id);
  g_assert_cmpuint (cd_sandbox_get_course_posts (f->sandbox), ==, 1);
}

static void
test_create_lost_answer (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CdOrgUnit) unit = NULL;
  g_autoptr(CdOrgUnit) found = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  cd_sandbox_drop_create_answers (f->sandbox, 1);
  unit = create (f, "LOST-1", &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);

  /* One POST, whose answer was lost; one offering, and its ID. */
  g_assert_cmpuint (cd_sandbox_get_answers_dropped (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_course_posts (f->sandbox), ==, 1);
  g_assert_cmpuint (cd_sandbox_get_courses_created (f->sandbox), ==, 1);
  found = find (f, CD_ORG_UNIT_OFFERING, "LOST-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, unit->id);
}

static void
test_create_invalid (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const codes[] = { "", "A:B", "A,B", "A&B",
                                        "123456789012345678901234567890123456789012345678901" };
  guint before = cd_sandbox_get_request_count (f->sandbox);

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean created = TRUE;

      g_assert_null (create (f, codes[i], &created, &error));
      g_assert_true (error != NULL && error->domain == CD_VALIDATE_ERROR);
      g_assert_false (created);
    }

  /* Refused here: nothing was sent. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, before);
}

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) moment = NULL;
  g_autofree char *code = NULL;
  gint64 id;

  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *with_zone = g_date_time_format (now, "%Y-%m-%dT08:30:00+02:00");

  day = cd_org_units_parse_date (today, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_get_hour (day), ==, 0);
  g_assert_cmpint (g_date_time_get_utc_offset (day), ==, 0);
  g_assert_cmpint (g_date_time_get_day_of_year (day), ==, g_date_time_get_day_of_year (now));
  moment = cd_org_units_parse_date (with_zone, &error);
  g_assert_no_error (error);
  /* 08:30 at +02:00 is 06:30 UTC. */
  g_assert_cmpint (g_date_time_to_unix (moment) - g_date_time_to_unix (day), ==, 6 * 3600 + 1800);
  g_assert_null (cd_org_units_parse_date ("next monday", &error));
  g_assert_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (cd_org_units_parse_reference ("6606", &id, &code, &error));
  g_assert_cmpint (id, ==, 6606);
  g_assert_null (code);
  g_assert_true (cd_org_units_parse_reference ("code:BIO101", &id, &code, &error));
  g_assert_cmpint (id, ==, 0);
  g_assert_cmpstr (code, ==, "BIO101");
  g_clear_pointer (&code, g_free);
  g_assert_false (cd_org_units_parse_reference ("BIO101", &id, &code, &error));
  g_assert_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cd_org_units_parse_reference ("code:", &id, &code, &error));
  g_assert_error (error, CD_ORG_UNITS_ERROR, CD_ORG_UNITS_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)

  ADD ("/org-units/search/pages", test_search_pages);
  ADD ("/org-units/search/text", test_search_text);
  ADD ("/org-units/find", test_find);
  ADD ("/org-units/create/lp-versions", test_create_versions);
  ADD ("/org-units/create/sandbox-refuses", test_sandbox_refuses);
  ADD ("/org-units/create/duplicate", test_create_duplicate);
  ADD ("/org-units/create/lost-answer", test_create_lost_answer);
  ADD ("/org-units/create/invalid", test_create_invalid);
  g_test_add_func ("/org-units/parse", test_parse);

#undef ADD

  return g_test_run ();
}
