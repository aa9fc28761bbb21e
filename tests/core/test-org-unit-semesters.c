/* test-org-unit-semesters.c: the semesters of course offerings, which
 * org-structure listings lack, fetched from each offering's details
 * against the in-process sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-org-units.h"
#include "cd-sandbox.h"
#include "cd-sandbox-orgunits.h"

typedef struct
{
  CdSandbox  *sandbox;
  CdClient   *client;
  CdOrgUnits *units;

  GHashTable *seen;  /* &offering ID → semester name ("" for none) */
  guint       calls;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char * const offerings[] = {
    "6606:Biology 101;BIO101", "6610:Biology 102;BIO102", "6620:Advanced Biology;BIO201",
    "6630:Chemistry;CHEM1", "6650:History;HIST1",
  };
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  for (guint i = 0; i < G_N_ELEMENTS (offerings); i++)
    g_assert_true (cd_sandbox_add_offering (f->sandbox, offerings[i], &error));
  /* The sandbox's default semesters: 7001 Fall Term, 7002 Spring Term. */
  g_assert_true (cd_sandbox_set_offering_semester (f->sandbox, "6606=7001", &error));
  g_assert_true (cd_sandbox_set_offering_semester (f->sandbox, "6610=7002", &error));
  g_assert_true (cd_sandbox_set_offering_semester (f->sandbox, "6650=7001", &error));
  g_assert_no_error (error);
  cd_sandbox_add_forbidden (f->sandbox, 6650);
  g_assert_true (cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);

  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  f->client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);
  g_assert_no_error (error);
  cd_client_set_retry_policy (f->client, 1, 1, 1);
  f->units = cd_org_units_new (f->client);
  f->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_hash_table_unref (f->seen);
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

static void
each_cb (gint64           offering_id,
         const CdOrgUnit *semester,
         gpointer         user_data)
{
  Fixture *f = user_data;

  /* Once per offering and fetch. */
  g_assert_false (g_hash_table_contains (f->seen, &offering_id));
  g_hash_table_insert (f->seen, g_memdup2 (&offering_id, sizeof offering_id),
                       g_strdup (semester ? semester->name : ""));
  f->calls++;
}

/* Fetches and returns the finish's error (nullable); f->seen is reset. */
static GError *
fetch (Fixture      *f,
       const gint64 *ids,
       guint         n_ids,
       GCancellable *cancellable)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  g_hash_table_remove_all (f->seen);
  f->calls = 0;
  cd_org_units_fetch_semesters_async (f->units, ids, n_ids, each_cb, f, cancellable,
                                      store_cb, &result);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  if (cd_org_units_fetch_semesters_finish (f->units, wait_for (&result), &error))
    g_assert_no_error (error);
  else
    g_assert_nonnull (error);
  return error;
}

static const char *
seen (Fixture *f,
      gint64   id)
{
  return g_hash_table_lookup (f->seen, &id);
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
  return units;
}

static void
test_after_search (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) units = search_text (f, "bio");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint requests;

  for (guint i = 0; i < units->len; i++)
    g_array_append_val (ids, ((CdOrgUnit *)g_ptr_array_index (units, i))->id);
  g_assert_cmpuint (ids->len, ==, 3);

  /* The listing has no semester; the offerings' details do. */
  requests = cd_sandbox_get_request_count (f->sandbox);
  error = fetch (f, (gint64 *)ids->data, ids->len, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (f->calls, ==, 3);
  g_assert_cmpstr (seen (f, 6606), ==, "Fall Term");
  g_assert_cmpstr (seen (f, 6610), ==, "Spring Term");
  g_assert_cmpstr (seen (f, 6620), ==, "");
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, requests + 3);

  /* Asked again (the same text typed again): kept, nothing sent. */
  requests = cd_sandbox_get_request_count (f->sandbox);
  error = fetch (f, (gint64 *)ids->data, ids->len, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (f->calls, ==, 3);
  g_assert_cmpstr (seen (f, 6610), ==, "Spring Term");
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, requests);
}

static void
test_failures (Fixture       *f,
               gconstpointer  data)
{
  /* 6650 is forbidden to this account, 9999 does not exist. */
  const gint64 ids[] = { 6650, 9999, 6606 };
  const gint64 first[] = { 6606 };
  g_autoptr(GError) error = NULL;

  error = fetch (f, ids, G_N_ELEMENTS (ids), NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (f->calls, ==, 3);
  g_assert_cmpstr (seen (f, 6650), ==, "");
  g_assert_cmpstr (seen (f, 9999), ==, "");
  g_assert_cmpstr (seen (f, 6606), ==, "Fall Term");

  /* A server in trouble: that one is skipped without a word, and not
   * kept, so that the next time asks again. */
  g_clear_object (&f->units);
  f->units = cd_org_units_new (f->client);
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BROKEN_JSON, 1, 0);
  error = fetch (f, first, 1, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (f->calls, ==, 0);
  error = fetch (f, first, 1, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (seen (f, 6606), ==, "Fall Term");
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  const gint64 ids[] = { 6606, 6610, 6620, 6630 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  /* Cancelled at once (the text changed): no semester is reported. */
  error = fetch (f, ids, G_N_ELEMENTS (ids), cancellable);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->calls, ==, 0);
  g_clear_error (&error);

  error = fetch (f, ids, G_N_ELEMENTS (ids), NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (f->calls, ==, 4);
  g_assert_cmpstr (seen (f, 6610), ==, "Spring Term");
}

static void
test_created (Fixture       *f,
              gconstpointer  data)
{
  /* 6605 and 7002: the sandbox's default template and Spring Term. */
  CdOfferingRequest request = { .code = "BIO301", .name = "Biology 301",
                                .template_id = 6605, .semester_id = 7002 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdOrgUnit) offering = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  /* An offering made with a semester names it in its details after. */
  cd_org_units_create_offering_async (f->units, &request, NULL, store_cb, &result);
  offering = cd_org_units_create_offering_finish (f->units, wait_for (&result), &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);

  error = fetch (f, &offering->id, 1, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (seen (f, offering->id), ==, "Spring Term");
}

static void
test_sandbox_option (void)
{
  g_autoptr(CdSandbox) sandbox = cd_sandbox_new ();
  g_autoptr(GError) error = NULL;

  /* Unknown offerings and semesters, and nonsense, are refused. */
  g_assert_true (cd_sandbox_add_offering (sandbox, "6606:Biology 101;BIO101", &error));
  g_assert_false (cd_sandbox_set_offering_semester (sandbox, "6606=1234", &error));
  g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cd_sandbox_set_offering_semester (sandbox, "1=7001", &error));
  g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cd_sandbox_set_offering_semester (sandbox, "6606", &error));
  g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (cd_sandbox_set_offering_semester (sandbox, "6606 = 7002", &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)

  ADD ("/org-unit-semesters/after-search", test_after_search);
  ADD ("/org-unit-semesters/failures", test_failures);
  ADD ("/org-unit-semesters/cancelled", test_cancelled);
  ADD ("/org-unit-semesters/created", test_created);
  g_test_add_func ("/org-unit-semesters/sandbox-option", test_sandbox_option);

#undef ADD

  return g_test_run ();
}
