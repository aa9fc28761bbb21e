/* test-sandbox.c: the Brightspace stand-in over real HTTP on loopback: API versions,
 * ID-key authentication, course lookups, request statistics, the
 * configuration checks and TLS (uploads: test-sandbox-upload.c; import
 * jobs and faults: test-sandbox-job.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "cd-idkey.h"

#include "sandbox-test-util.h"

/* --- tests: versions and auth ------------------------------------------------------- */

static JsonObject *
find_product (JsonArray  *products,
              const char *code)
{
  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonObject *o = json_array_get_object_element (products, i);

      if (g_strcmp0 (json_object_get_string_member (o, "ProductCode"), code) == 0)
        return o;
    }
  return NULL;
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static void
test_versions (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/", NULL);
  g_autoptr(Response) r = get (f->session, url);
  g_autoptr(Response) signed_r = signed_get (f, "/d2l/api/versions/");
  g_autoptr(JsonNode) root = parse_json (r);
  JsonObject *lp, *le;

  g_assert_cmpuint (r->status, ==, 200);
  assert_content_type (r, "application/json; charset=utf-8");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));

  lp = find_product (json_node_get_array (root), "lp");
  le = find_product (json_node_get_array (root), "le");
  g_assert_nonnull (lp);
  g_assert_nonnull (le);
  g_assert_cmpstr (json_object_get_string_member (lp, "LatestVersion"), ==, "1.46");
  g_assert_cmpstr (json_object_get_string_member (le, "LatestVersion"), ==, "1.79");
  g_assert_true (array_has_string (json_object_get_array_member (lp, "SupportedVersions"), "1.0"));
  g_assert_true (array_has_string (json_object_get_array_member (lp, "SupportedVersions"), "1.46"));
  g_assert_true (array_has_string (json_object_get_array_member (le, "SupportedVersions"), "1.51"));
  g_assert_false (array_has_string (json_object_get_array_member (le, "SupportedVersions"), "1.80"));

  g_assert_cmpuint (signed_r->status, ==, 200);
  g_assert_cmpstr (signed_r->body, ==, r->body);
}

static void
test_whoami (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Response) r = signed_get (f, WHOAMI);
  g_autoptr(JsonNode) root = parse_json (r);
  JsonObject *o = json_node_get_object (root);
  const char *id = json_object_get_string_member (o, "Identifier");
  gint64 parsed;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_ascii_string_to_signed (id, 10, 1, G_MAXINT64, &parsed, NULL));
  g_assert_cmpstr (json_object_get_string_member (o, "FirstName"), ==, "Dana");
  g_assert_cmpstr (json_object_get_string_member (o, "LastName"), ==, "Demo");
  g_assert_cmpstr (json_object_get_string_member (o, "UniqueName"), ==, "dana.demo");
  g_assert_true (json_object_has_member (o, "ProfileIdentifier"));
}

/* The client signs the path as sent, percent-encoded; the server must not
 * see a decoded copy. */
static void
test_encoded_path (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Response) r = signed_get (f, "/d2l/api/lp/1.46/users/%77hoami");

  g_assert_cmpuint (r->status, ==, 200);
}

static void
test_auth_missing (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *plain = g_strconcat (cd_sandbox_get_url (f->sandbox), WHOAMI, NULL);
  g_autofree char *url = signed_url (f->sandbox, "GET", WHOAMI);
  g_autofree char *without_d = NULL;
  g_autoptr(Response) r1 = get (f->session, plain);
  g_autoptr(Response) r2 = NULL;
  char *x_d = strstr (url, "&x_d=");
  char *x_t = strstr (url, "&x_t=");

  assert_invalid_token (r1);

  g_assert_nonnull (x_d);
  g_assert_nonnull (x_t);
  without_d = g_strdup_printf ("%.*s%s", (int)(x_d - url), url, x_t);
  r2 = get (f->session, without_d);
  assert_invalid_token (r2);
}

static void
test_auth_wrong_key (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *url = signed_url_full (f->sandbox, "GET", WHOAMI, NULL, now_seconds (),
                                          "not-the-user-key");
  g_autofree char *other_path = signed_url (f->sandbox, "GET", "/d2l/api/lp/1.46/courses/6606");
  g_autofree char *moved = NULL;
  g_autoptr(Response) r1 = get (f->session, url);
  g_autoptr(Response) r2 = NULL;

  assert_invalid_token (r1);

  /* The signature covers the path: reuse it on another course. */
  moved = g_strdup (other_path);
  memcpy (strstr (moved, "/courses/6606") + 9, "6607", 4);
  r2 = get (f->session, moved);
  assert_invalid_token (r2);
}

static gint64
parse_timestamp_error (Response *r)
{
  gint64 server_time = 0;

  g_assert_cmpuint (r->status, ==, 403);
  assert_content_type (r, "text/html; charset=utf-8");
  g_assert_true (g_str_has_prefix (r->body, "Timestamp out of range\n"));
  g_assert_false (g_str_has_suffix (r->body, "\n"));
  g_assert_true (g_ascii_string_to_signed (r->body + strlen ("Timestamp out of range\n"),
                                           10, 0, G_MAXINT64, &server_time, NULL));
  g_assert_true (cd_idkey_parse_timestamp_error (r->body, &server_time));
  return server_time;
}

static void
test_auth_stale (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *stale = signed_url_full (f->sandbox, "GET", WHOAMI, NULL, now_seconds () - 1000,
                                            CD_SANDBOX_DEFAULT_USER_KEY);
  g_autofree char *now_url = NULL;
  g_autofree char *fixed = NULL;
  g_autoptr(Response) r1 = get (f->session, stale);
  g_autoptr(Response) r2 = NULL;
  g_autoptr(Response) r3 = NULL;
  gint64 server_time;

  server_time = parse_timestamp_error (r1);
  g_assert_cmpint (ABS (server_time - now_seconds ()), <=, 5);

  /* A server whose clock runs two hours ahead rejects our "now"... */
  cd_sandbox_set_skew (f->sandbox, 7200);
  now_url = signed_url (f->sandbox, "GET", WHOAMI);
  r2 = get (f->session, now_url);
  server_time = parse_timestamp_error (r2);
  g_assert_cmpint (ABS (server_time - (now_seconds () + 7200)), <=, 5);

  /* ...and accepts a request signed with its own time. */
  fixed = signed_url_full (f->sandbox, "GET", WHOAMI, NULL, server_time,
                           CD_SANDBOX_DEFAULT_USER_KEY);
  r3 = get (f->session, fixed);
  g_assert_cmpuint (r3->status, ==, 200);
}

/* --- tests: courses and versions --------------------------------------------------- */

static void
test_course (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Response) ok = signed_get (f, "/d2l/api/lp/1.46/courses/6606");
  g_autoptr(Response) missing = signed_get (f, "/d2l/api/lp/1.46/courses/99999");
  g_autoptr(Response) forbidden = signed_get (f, "/d2l/api/lp/1.46/courses/777");
  g_autoptr(Response) not_number = signed_get (f, "/d2l/api/lp/1.46/courses/abc");
  g_autoptr(JsonNode) root = parse_json (ok);
  g_autoptr(JsonNode) errors = NULL;
  JsonObject *o = json_node_get_object (root);

  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "Identifier"), ==, "6606");
  g_assert_cmpstr (json_object_get_string_member (o, "Name"), ==, "Biology 101");
  g_assert_cmpstr (json_object_get_string_member (o, "Code"), ==, "BIO101");
  g_assert_true (json_object_get_boolean_member (o, "IsActive"));
  g_assert_cmpstr (json_object_get_string_member (o, "Path"), ==, "/content/enforced/6606-BIO101/");
  g_assert_true (json_object_get_null_member (o, "StartDate"));
  g_assert_true (json_object_get_null_member (o, "Semester"));
  g_assert_nonnull (json_object_get_object_member (o, "CourseTemplate"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "Description"),
                                                  "Html"), ==, "");
  g_assert_false (json_object_get_boolean_member (o, "CanSelfRegister"));

  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpuint (not_number->status, ==, 404);

  g_assert_cmpuint (forbidden->status, ==, 403);
  g_assert_cmpstr (forbidden->body, !=, "Invalid token");
  errors = parse_json (forbidden);
  g_assert_true (json_object_has_member (json_node_get_object (errors), "Errors"));
}

static void
test_unsupported_version (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Response) lp = signed_get (f, "/d2l/api/lp/9.99/users/whoami");
  g_autoptr(Response) le = signed_get (f, "/d2l/api/le/1.80/import/6606/imports/8840");
  g_autoptr(Response) unknown = signed_get (f, "/d2l/api/lp/1.46/nothing/here");
  g_autofree char *outside = g_strconcat (cd_sandbox_get_url (f->sandbox), "/index.html", NULL);
  g_autoptr(Response) page = get (f->session, outside);

  g_assert_cmpuint (lp->status, ==, 404);
  g_assert_cmpuint (le->status, ==, 404);
  g_assert_cmpuint (unknown->status, ==, 404);
  g_assert_cmpuint (page->status, ==, 404);
}

/* --- tests: stats ----------------------------------------------------------------- */

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *stats_url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/_sandbox/stats", NULL);
  g_autoptr(Response) a = signed_get (f, WHOAMI);
  g_autoptr(Response) b = signed_get (f, "/d2l/api/lp/1.46/courses/99999");
  g_autoptr(Response) s1 = get (f->session, stats_url);
  g_autoptr(Response) s2 = get (f->session, stats_url);
  g_autoptr(JsonNode) root = parse_json (s2);
  JsonObject *o = json_node_get_object (root);

  g_assert_cmpstr (s1->body, ==, s2->body);
  g_assert_cmpint (json_object_get_int_member (o, "requests"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "uploads"), ==, 0);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
}

/* --- tests: configuration and TLS --------------------------------------------------------- */

static void
test_config_errors (void)
{
  g_autoptr(CdSandbox) sandbox = cd_sandbox_new ();
  const char *bad_timelines[] = { "", "A:1", "A:x,B", "A,B", "A:-1,B", "A:1,B:2", ",B" };
  const char *bad_faults[] = { "", "500", "500:0", "429:1:x", "slow:1", "cut-upload:x", "boom:1" };
  const char *bad_offerings[] = { "6606", "x:Name", "0:Name", "6606:", "6606:Name;" };
  g_auto(GStrv) offerings = NULL;
  g_autofree char *timeline = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_timelines); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cd_sandbox_set_timeline (sandbox, bad_timelines[i], &error));
      g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_faults); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cd_sandbox_parse_fault (sandbox, bad_faults[i], &error));
      g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_offerings); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cd_sandbox_add_offering (sandbox, bad_offerings[i], &error));
      g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
    }
  g_assert_false (cd_sandbox_set_offering_timeline (sandbox, "x=A:1,B", NULL));
  g_assert_false (cd_sandbox_set_offering_timeline (sandbox, "6606=A,B", NULL));

  /* The first offering replaces the defaults. */
  g_assert_true (cd_sandbox_add_offering (sandbox, "42:Physics", NULL));
  g_assert_true (cd_sandbox_add_offering (sandbox, "7:Art; History;ART1", NULL));
  offerings = cd_sandbox_dup_offerings (sandbox);
  g_assert_cmpuint (g_strv_length (offerings), ==, 2);
  g_assert_cmpstr (offerings[0], ==, "7:Art; History;ART1");
  g_assert_cmpstr (offerings[1], ==, "42:Physics");

  g_assert_true (cd_sandbox_set_timeline (sandbox, " A:0.5 , B ", NULL));
  timeline = cd_sandbox_dup_timeline (sandbox);
  g_assert_cmpstr (timeline, ==, "A:0.5,B");
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdSandbox) sandbox = cd_sandbox_new ();
  g_autofree char *dir = g_dir_make_tmp ("test-sandbox-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "sandbox.pem", NULL);
  g_autofree char *pem = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) trusting = NULL;
  g_autoptr(SoupSession) plain = NULL;
  g_autoptr(Response) ok = NULL;
  g_autoptr(Response) refused = NULL;

  g_assert_no_error (error);
  cd_sandbox_listen (sandbox, 0, TRUE, cert, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cd_sandbox_get_url (sandbox), "https://127.0.0.1:"));

  g_file_get_contents (cert, &pem, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----"));
  g_assert_null (strstr (pem, "PRIVATE KEY"));

  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  url = g_strconcat (cd_sandbox_get_url (sandbox), "/d2l/api/versions/", NULL);

  trusting = new_session (database);
  ok = get (trusting, url);
  g_assert_no_error (ok->error);
  g_assert_cmpuint (ok->status, ==, 200);

  plain = new_session (NULL);
  refused = get (plain, url);
  g_assert_nonnull (refused->error);
  g_test_message ("untrusted certificate: %s", refused->error->message);
  g_assert_true (refused->error->domain == G_TLS_ERROR);

  g_clear_object (&trusting);
  g_clear_object (&plain);
  g_clear_object (&sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_unlink (cert);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  char *tmp = sandbox_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sandbox/versions/anonymous", test_versions);
  ADD ("/sandbox/auth/whoami", test_whoami);
  ADD ("/sandbox/auth/encoded-path", test_encoded_path);
  ADD ("/sandbox/auth/missing", test_auth_missing);
  ADD ("/sandbox/auth/wrong-key", test_auth_wrong_key);
  ADD ("/sandbox/auth/stale-timestamp", test_auth_stale);
  ADD ("/sandbox/course/lookup", test_course);
  ADD ("/sandbox/course/unsupported-version", test_unsupported_version);
  ADD ("/sandbox/stats", test_stats);
#undef ADD
  g_test_add_func ("/sandbox/config/errors", test_config_errors);
  g_test_add_func ("/sandbox/tls", test_tls);

  return sandbox_test_finish (tmp, g_test_run ());
}
