/* test-sandbox-job.c: the sandbox's import jobs (status timelines,
 * failures, custom statuses, log paging) and its injected faults (server
 * errors, rate limits, broken JSON, slow answers, cut uploads, hostile
 * answers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "sandbox-test-util.h"

/* --- tests: import jobs ---------------------------------------------------------------- */

static char *
job_status (Fixture    *f,
            const char *org_unit,
            const char *token)
{
  g_autofree char *path = g_strdup_printf ("/d2l/api/le/1.79/import/%s/imports/%s", org_unit, token);
  g_autoptr(Response) r = signed_get (f, path);
  g_autoptr(JsonNode) root = parse_json (r);
  JsonObject *o = json_node_get_object (root);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "JobToken"), ==, token);
  g_assert_cmpint (json_object_get_int_member (o, "TargetOrgUnitId"), ==,
                   g_ascii_strtoll (org_unit, NULL, 10));
  return g_strdup (json_object_get_string_member (o, "Status"));
}

/* Polls until @final, returning the distinct statuses seen, in order. */
static GPtrArray *
walk_timeline (Fixture    *f,
               const char *org_unit,
               const char *token,
               const char *final)
{
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      char *status = job_status (f, org_unit, token);

      if (seen->len == 0 || g_strcmp0 (g_ptr_array_index (seen, seen->len - 1), status) != 0)
        g_ptr_array_add (seen, status);
      else
        g_free (status);

      if (g_strcmp0 (g_ptr_array_index (seen, seen->len - 1), final) == 0)
        break;
      sleep_ms (40);
    }

  return seen;
}

/* Fetches every page of a job's log; checks paging on the way. */
static GPtrArray *
all_logs (Fixture    *f,
          const char *org_unit,
          const char *token,
          guint      *pages)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autofree char *bookmark = NULL;
  gboolean more = TRUE;

  *pages = 0;
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/d2l/api/le/1.79/import/%s/imports/%s/logs/",
                                               org_unit, token);
      g_autofree char *query = bookmark ? g_strdup_printf ("bookmark=%s", bookmark) : NULL;
      g_autofree char *url = signed_url_full (f->sandbox, "GET", path, query, now_seconds (),
                                              CD_SANDBOX_DEFAULT_USER_KEY);
      g_autoptr(Response) r = get (f->session, url);
      g_autoptr(JsonNode) root = parse_json (r);
      JsonObject *paging = json_object_get_object_member (json_node_get_object (root), "PagingInfo");
      JsonArray *page = json_object_get_array_member (json_node_get_object (root), "Items");

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (++*pages, <, 50);
      more = json_object_get_boolean_member (paging, "HasMoreItems");
      g_free (bookmark);
      bookmark = g_strdup (json_object_get_string_member (paging, "Bookmark"));
      if (more)
        g_assert_cmpuint (json_array_get_length (page), >, 0);

      for (guint i = 0; i < json_array_get_length (page); i++)
        g_ptr_array_add (items, json_node_ref (json_array_get_element (page, i)));
    }

  return items;
}

static gboolean
logs_have_type (GPtrArray *items,
                gint64     type)
{
  for (guint i = 0; i < items->len; i++)
    if (json_object_get_int_member (json_node_get_object (g_ptr_array_index (items, i)),
                                    "TypeId") == type)
      return TRUE;
  return FALSE;
}

static void
test_job_timeline (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(Response) unknown = NULL;
  g_autoptr(Response) other = NULL;
  g_autofree char *other_path = NULL;
  guint pages;

  cd_sandbox_set_timeline (f->sandbox, FAST_TIMELINE, &error);
  g_assert_no_error (error);
  token = upload_zip (f, IMPORTS_6606);

  seen = walk_timeline (f, "6606", token, "COMPLETED");
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "UPLOADING");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "PROCESSING");
  g_assert_cmpstr (g_ptr_array_index (seen, 2), ==, "COMPLETED");

  logs = all_logs (f, "6606", token, &pages);
  g_assert_true (logs_have_type (logs, 0));
  g_assert_true (logs_have_type (logs, 1));
  g_assert_true (logs_have_type (logs, 2));
  g_assert_false (logs_have_type (logs, 4));

  unknown = signed_get (f, "/d2l/api/le/1.79/import/6606/imports/1");
  g_assert_cmpuint (unknown->status, ==, 404);
  other_path = g_strdup_printf ("/d2l/api/le/1.79/import/12345/imports/%s", token);
  other = signed_get (f, other_path);
  g_assert_cmpuint (other->status, ==, 404);
}

static void
test_job_failed (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *status_6606 = NULL;
  g_autofree char *token_6606 = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  guint pages;

  cd_sandbox_set_offering_timeline (f->sandbox, "12345=UPLOADING:0.1,PROCESSING:0.1,IMPORTFAILED",
                                    &error);
  g_assert_no_error (error);
  token = upload_zip (f, "/d2l/api/le/1.79/import/12345/imports/");
  token_6606 = upload_zip (f, IMPORTS_6606);

  seen = walk_timeline (f, "12345", token, "IMPORTFAILED");
  g_assert_cmpstr (g_ptr_array_index (seen, seen->len - 1), ==, "IMPORTFAILED");

  logs = all_logs (f, "12345", token, &pages);
  g_assert_true (logs_have_type (logs, 4));
  g_assert_true (logs_have_type (logs, 2));

  /* Other offerings keep the default (slow) timeline. */
  status_6606 = job_status (f, "6606", token_6606);
  g_assert_cmpstr (status_6606, ==, "UPLOADING");
}

static void
test_job_custom_statuses (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) seen = NULL;

  cd_sandbox_set_timeline (f->sandbox, "PROCESSING:0.1,READYTOIMPORTNATIVELY:0.1,SOMETHINGNEW:0.1,Timeout",
                           &error);
  g_assert_no_error (error);
  token = upload_zip (f, IMPORTS_6606);

  seen = walk_timeline (f, "6606", token, "Timeout");
  g_assert_cmpstr (g_ptr_array_index (seen, seen->len - 1), ==, "Timeout");
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "PROCESSING");
}

static void
test_logs_paging (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) paged = NULL;
  g_autoptr(GPtrArray) whole = NULL;
  g_autofree char *token = NULL;
  g_autofree char *bad_path = NULL;
  g_autofree char *bad_url = NULL;
  g_autofree char *no_slash = NULL;
  g_autoptr(Response) bad = NULL;
  g_autoptr(Response) slashless = NULL;
  guint pages;

  cd_sandbox_set_timeline (f->sandbox, "UPLOADING:0,PROCESSING:0,PROCESSED:0,IMPORTING:0,COMPLETED",
                           &error);
  g_assert_no_error (error);
  cd_sandbox_set_log_page_size (f->sandbox, 3);
  token = upload_zip (f, IMPORTS_6606);

  paged = all_logs (f, "6606", token, &pages);
  g_assert_cmpuint (paged->len, >=, 7);
  g_assert_cmpuint (pages, ==, (paged->len + 2) / 3);

  for (guint i = 0; i < paged->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (paged, i));
      gint64 *id = g_new (gint64, 1);

      *id = json_object_get_int_member (o, "LogId");
      g_assert_false (g_hash_table_contains (ids, id));
      g_hash_table_add (ids, id);
      g_assert_cmpint (json_object_get_int_member (o, "ConversionImportJobId"), ==,
                       g_ascii_strtoll (token, NULL, 10));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "LogDateTime"), "Z"));
      g_assert_cmpuint (strlen (json_object_get_string_member (o, "LogDateTime")), ==, 24);
      g_assert_cmpstr (json_object_get_string_member (o, "Message"), !=, "");
    }

  /* One big page holds exactly the same entries. */
  cd_sandbox_set_log_page_size (f->sandbox, 100);
  whole = all_logs (f, "6606", token, &pages);
  g_assert_cmpuint (pages, ==, 1);
  g_assert_cmpuint (whole->len, ==, paged->len);
  g_assert_cmpuint (g_hash_table_size (ids), ==, paged->len);

  bad_path = g_strdup_printf ("/d2l/api/le/1.79/import/6606/imports/%s/logs/", token);
  bad_url = signed_url_full (f->sandbox, "GET", bad_path, "bookmark=zzz", now_seconds (),
                             CD_SANDBOX_DEFAULT_USER_KEY);
  bad = get (f->session, bad_url);
  g_assert_cmpuint (bad->status, ==, 400);

  no_slash = g_strdup_printf ("/d2l/api/le/1.79/import/6606/imports/%s/logs", token);
  slashless = signed_get (f, no_slash);
  g_assert_cmpuint (slashless->status, ==, 200);
}

/* --- tests: faults -------------------------------------------------------------------- */

static void
test_fault_server_error (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *versions = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/", NULL);
  g_autoptr(Response) r1 = NULL;
  g_autoptr(Response) v = NULL;
  g_autoptr(Response) r2 = NULL;
  g_autoptr(Response) r3 = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SERVER_ERROR, 2, 0);
  r1 = signed_get (f, WHOAMI);
  v = get (f->session, versions);  /* never faulted, and does not use one up */
  r2 = signed_get (f, WHOAMI);
  r3 = signed_get (f, WHOAMI);

  g_assert_cmpuint (r1->status, ==, 500);
  g_assert_cmpuint (v->status, ==, 200);
  g_assert_cmpuint (r2->status, ==, 500);
  g_assert_cmpuint (r3->status, ==, 200);
}

static void
test_fault_rate_limit (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) r1 = NULL;
  g_autoptr(Response) r2 = NULL;
  g_autoptr(Response) r3 = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, 7);
  g_assert_true (cd_sandbox_parse_fault (f->sandbox, "429:1", &error));
  g_assert_no_error (error);

  r1 = signed_get (f, WHOAMI);
  r2 = signed_get (f, WHOAMI);
  r3 = signed_get (f, WHOAMI);
  g_assert_cmpuint (r1->status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (r1->headers, "Retry-After"), ==, "7");
  g_assert_cmpuint (r2->status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (r2->headers, "Retry-After"), ==, "1");
  g_assert_cmpuint (r3->status, ==, 200);
}

static void
test_fault_broken_json (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) r = NULL;

  g_assert_true (cd_sandbox_parse_fault (f->sandbox, "badjson:1", NULL));
  r = signed_get (f, WHOAMI);

  g_assert_cmpuint (r->status, ==, 200);
  assert_content_type (r, "application/json; charset=utf-8");
  g_assert_true (g_str_has_prefix (r->body, "{\""));
  g_assert_false (json_parser_load_from_data (parser, r->body, r->len, &error));
  g_assert_nonnull (error);
}

static void
test_fault_slow (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *slow_url = signed_url (f->sandbox, "GET", WHOAMI);
  g_autofree char *fast_url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/", NULL);
  g_autoptr(SoupSession) other = new_session (NULL);
  g_autoptr(Response) slow = NULL;
  g_autoptr(Response) fast = NULL;
  gint64 start = g_get_monotonic_time ();

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SLOW, 1, 600);
  slow = start_request (f->session, "GET", slow_url, NULL, NULL, NULL);
  sleep_ms (50);
  fast = start_request (other, "GET", fast_url, NULL, NULL, NULL);
  wait_for (slow);
  wait_for (fast);

  g_assert_cmpuint (slow->status, ==, 200);
  g_assert_cmpuint (fast->status, ==, 200);
  g_assert_cmpint (slow->finished - start, >=, 550 * 1000);
  /* The server kept serving while the slow reply waited. */
  g_assert_cmpint (fast->finished, <, slow->finished - 300 * 1000);
}

static void
test_fault_cut_upload (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) zip = make_zip (256 * 1024);
  g_autoptr(GBytes) form = make_form ("name=\"file\"; filename=\"big.zip\"", zip);
  g_autoptr(Response) cut = NULL;
  g_autoptr(Response) ok = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_sandbox_parse_fault (f->sandbox, "cut-upload:1", &error));
  g_assert_no_error (error);

  cut = upload_to (f, IMPORTS_6606, NULL, form);
  g_assert_nonnull (cut->error);
  g_test_message ("cut upload: %s", cut->error->message);
  g_assert_cmpuint (cut->status, ==, 0);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 0);

  /* Only the next upload was cut. */
  g_clear_object (&f->session);
  f->session = new_session (NULL);
  ok = upload_to (f, IMPORTS_6606, NULL, form);
  g_assert_no_error (ok->error);
  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
}

/* Hostile answers, as the client tests (test-hostile.c) rely on them. */
static void
test_fault_hostile (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const good[] = {
    "deep:1", "deep:1:400", "huge:1", "huge:1:2", "silent:1", "drip:1:50", "badtime:1",
    "badtime:1:5", "no-answer:1", "cut-answer:1", "slow-answer:1:10", "slow-read:1",
    "slow-read:1:64", "evil:1",
  };
  static const char * const bad[] = {
    "deep:0", "drip:1", "slow-answer:1", "huge:x", "evil", "silent:1:2", "badtime:1:-5",
  };
  g_autoptr(Response) deep = NULL;
  g_autoptr(Response) deep_versions = NULL;
  g_autoptr(Response) bad_time = NULL;
  g_autoptr(Response) answer = NULL;
  g_autoptr(Response) normal = NULL;
  g_autofree char *versions = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/",
                                           NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (cd_sandbox_parse_fault (f->sandbox, bad[i], NULL));

  /* Hostile faults apply to the version list too, in order. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DEEP_JSON, 2, 0);
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BAD_TIME, 1, 0);
  cd_sandbox_add_answer (f->sandbox, 1, 418, "{\"x\": 1}");

  deep_versions = get (f->session, versions);
  g_assert_cmpuint (deep_versions->status, ==, 200);
  g_assert_cmpuint (deep_versions->len, ==, 200000);
  g_assert_true (g_str_has_prefix (deep_versions->body, "[[[[") &&
                 g_str_has_suffix (deep_versions->body, "]]]]"));

  deep = signed_get (f, "/d2l/api/lp/1.46/users/whoami");
  g_assert_cmpuint (deep->len, ==, 200000);

  bad_time = signed_get (f, "/d2l/api/lp/1.46/users/whoami");
  g_assert_cmpuint (bad_time->status, ==, 403);
  g_assert_cmpstr (bad_time->body, ==, "Timestamp out of range 9223372036854775807");

  answer = signed_get (f, "/d2l/api/lp/1.46/users/whoami");
  g_assert_cmpuint (answer->status, ==, 418);
  g_assert_cmpstr (answer->body, ==, "{\"x\": 1}");

  normal = get (f->session, versions);
  g_assert_cmpuint (normal->status, ==, 200);
  g_assert_nonnull (strstr (normal->body, "ProductCode"));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (cd_sandbox_parse_fault (f->sandbox, good[i], &error));
      g_assert_no_error (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  char *tmp = sandbox_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sandbox/job/timeline", test_job_timeline);
  ADD ("/sandbox/job/failed", test_job_failed);
  ADD ("/sandbox/job/custom-statuses", test_job_custom_statuses);
  ADD ("/sandbox/job/logs-paging", test_logs_paging);
  ADD ("/sandbox/fault/server-error", test_fault_server_error);
  ADD ("/sandbox/fault/rate-limit", test_fault_rate_limit);
  ADD ("/sandbox/fault/broken-json", test_fault_broken_json);
  ADD ("/sandbox/fault/slow", test_fault_slow);
  ADD ("/sandbox/fault/cut-upload", test_fault_cut_upload);
  ADD ("/sandbox/fault/hostile", test_fault_hostile);
#undef ADD

  return sandbox_test_finish (tmp, g_test_run ());
}
