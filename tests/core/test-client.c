/* test-client.c: CdClient against the in-process sandbox and a stub server: host
 * validation, API version discovery and the plain calls (whoami, course
 * lookups, error mapping); retries: test-client-retry.c; TLS and log
 * redaction: test-client-tls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "client-test-util.h"

/* Host validation */

static void
test_host_validation (void)
{
  static const char * const accepted[][2] = {
    { "https://school.brightspace.com", "https://school.brightspace.com" },
    { "HTTPS://School.Example.com/", "https://school.example.com" },
    { "  https://x.example.com:8443  ", "https://x.example.com:8443" },
    { "https://x.example.com:443", "https://x.example.com" },
    { "http://127.0.0.1:1", "http://127.0.0.1:1" },
    { "http://127.8.9.10", "http://127.8.9.10" },
    { "http://localhost", "http://localhost" },
    { "http://[::1]:8080/", "http://[::1]:8080" },
  };
  static const char * const refused[] = {
    "http://example.com",
    "http://school.example.com",
    "http://128.0.0.1",
    "https://x/path?q",
    "https://x/d2l/home",
    "https://x/?q",
    "https://x/#top",
    "https://user:secret@x.example.com",
    "ftp://x",
    "file:///etc/passwd",
    "https://",
    "school.example.com",
    "garbage with spaces",
    "",
    NULL,
  };
  g_autoptr(CdIdKeyContext) context = demo_context (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CdClient) client = NULL;

      g_assert_true (cd_client_check_host (accepted[i][0], &error));
      g_assert_no_error (error);
      client = cd_client_new (accepted[i][0], context, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cd_client_get_host (client), ==, accepted[i][1]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CdClient) client = NULL;

      g_assert_false (cd_client_check_host (refused[i], &error));
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST);
      g_assert_null (strstr (error->message, "secret"));
      g_clear_error (&error);

      client = cd_client_new (refused[i], context, &error);
      g_assert_null (client);
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST);
    }

  {
    g_autoptr(GError) error = NULL;

    cd_client_check_host ("http://school.example.com/", &error);
    g_assert_cmpstr (error->message, ==,
                     "“http://school.example.com” uses plain HTTP; "
                     "Brightspace needs an https:// address.");
  }
}

/* Versions */

static void
test_versions_sandbox (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (cd_client_get_lp_version (f->client));

  cd_client_discover_versions_async (f->client, NULL, result_cb, f);
  result = wait_result (f);
  g_assert_true (cd_client_discover_versions_finish (f->client, result, &error));
  g_assert_no_error (error);

  /* The sandbox lists 1.0 … 1.46: "1.9" is the largest string. */
  g_assert_cmpstr (cd_client_get_lp_version (f->client), ==, "1.46");
  g_assert_cmpstr (cd_client_get_le_version (f->client), ==, "1.79");
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 1);
}

static void
test_versions_numeric (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Stub) stub = stub_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  stub_set (stub, "/d2l/api/versions/", 200,
            "[{\"ProductCode\": \"lp\", \"LatestVersion\": \"1.2\","
            "  \"SupportedVersions\": [\"1.2\", \"1.10\", \"1.9\", \"bogus\", 7]},"
            " {\"ProductCode\": \"le\", \"LatestVersion\": \"1.67\"},"
            " {\"ProductCode\": \"ep\", \"SupportedVersions\": [\"2.5\"]}]",
            NULL, NULL);
  g_clear_object (&f->client);
  f->client = make_client (stub->url, NULL);

  cd_client_discover_versions_async (f->client, NULL, result_cb, f);
  result = wait_result (f);
  g_assert_true (cd_client_discover_versions_finish (f->client, result, &error));
  g_assert_no_error (error);

  /* Numeric, not string order, and SupportedVersions wins over LatestVersion. */
  g_assert_cmpstr (cd_client_get_lp_version (f->client), ==, "1.10");
  /* Without SupportedVersions, LatestVersion is the fallback. */
  g_assert_cmpstr (cd_client_get_le_version (f->client), ==, "1.67");
}

static void
test_versions_not_brightspace (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(Stub) stub = stub_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  stub_set (stub, "/d2l/api/versions/", 200, "{\"hello\": \"world\"}", NULL, NULL);
  g_clear_object (&f->client);
  f->client = make_client (stub->url, NULL);

  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (stub->count, ==, 1);
}

static void
test_versions_override (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autofree char *url = NULL;

  cd_client_set_le_version (f->client, "1.67");
  g_assert_cmpstr (cd_client_get_le_version (f->client), ==, "1.67");

  cd_client_discover_versions_async (f->client, NULL, result_cb, f);
  result = wait_result (f);
  g_assert_true (cd_client_discover_versions_finish (f->client, result, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (cd_client_get_le_version (f->client), ==, "1.67");
  g_assert_cmpstr (cd_client_get_lp_version (f->client), ==, "1.46");

  url = cd_client_build_url (f->client, "GET", "/d2l/api/le/{le}/import/6606/imports/");
  g_assert_true (g_str_has_prefix (url, cd_sandbox_get_url (f->sandbox)));
  g_assert_nonnull (strstr (url, "/d2l/api/le/1.67/import/6606/imports/?x_a="));

  /* With both overridden, no discovery happens at all. */
  g_clear_object (&f->client);
  f->client = make_client (cd_sandbox_get_url (f->sandbox), NULL);
  g_object_set (f->client, "lp-version", "1.30", "le-version", "1.60", NULL);
  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
  g_assert_cmpstr (cd_client_get_lp_version (f->client), ==, "1.30");
}

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fixture *f = g_object_get_data (object, "fixture");
  guint *pending = user_data;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GError) error = NULL;

  me = cd_client_whoami_finish (CD_CLIENT (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);

  if (--(*pending) == 0)
    g_main_loop_quit (f->loop);
}

static void
test_versions_concurrent (Fixture       *f,
                          gconstpointer  data)
{
  guint pending = 3;

  g_object_set_data (G_OBJECT (f->client), "fixture", f);
  for (guint i = 0; i < 3; i++)
    cd_client_whoami_async (f->client, NULL, count_cb, &pending);
  g_main_loop_run (f->loop);

  /* One discovery shared by the three calls. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 1 + 3);
}

static void
test_versions_cancel_one_waiter (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(JsonObject) other = NULL;
  g_autoptr(GError) error = NULL;

  cd_client_whoami_async (f->client, cancellable, result_cb, f);
  g_cancellable_cancel (cancellable);
  first = wait_result (f);
  other = cd_client_whoami_finish (f->client, first, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (other);
  g_clear_error (&error);

  /* The next caller is not hurt by the abandoned discovery. */
  cd_client_whoami_async (f->client, NULL, result_cb, f);
  second = wait_result (f);
  me = cd_client_whoami_finish (f->client, second, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
}

/* Calls */

static void
test_whoami (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpstr (json_object_get_string_member (me, "Identifier"), ==, "30771");
  g_assert_cmpstr (json_object_get_string_member (me, "UniqueName"), ==, "dana.demo");
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
  g_assert_cmpint (cd_client_get_skew (f->client), ==, 0);
}

static void
test_course (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) course = NULL;
  g_autoptr(JsonObject) other = NULL;

  course = run_course (f, 6606, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (course, "Name"), ==, "Biology 101");

  g_assert_true (cd_sandbox_add_offering (f->sandbox, "777:Chemistry 101;CHEM101", &error));
  g_assert_no_error (error);
  other = run_course (f, 777, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (other, "Name"), ==, "Chemistry 101");
  g_assert_cmpstr (json_object_get_string_member (other, "Code"), ==, "CHEM101");
}

static void
test_course_not_found (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) course = NULL;
  guint before;

  course = run_course (f, 999999, &error);
  g_assert_null (course);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND);
  assert_no_secrets (error->message);
  g_clear_error (&error);

  /* Not transient: one request, no retries. */
  before = cd_sandbox_get_request_count (f->sandbox);
  course = run_course (f, 424242, &error);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, before + 1);
}

static void
test_course_forbidden (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) course = NULL;

  cd_sandbox_add_forbidden (f->sandbox, 12345);
  course = run_course (f, 12345, &error);
  g_assert_null (course);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN);
  g_assert_true (g_str_has_prefix (error->message, "Your account is not permitted to"));
  assert_no_secrets (error->message);
}

static void
test_course_invalid_id (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) course = NULL;

  course = run_course (f, 0, &error);
  g_assert_null (course);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 0);
}

static void
test_invalid_token (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  g_clear_object (&f->client);
  f->client = make_client (cd_sandbox_get_url (f->sandbox), WRONG_USER_KEY);

  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN);
  assert_no_secrets (error->message);
  /* Versions, then one signed try: a bad key is not worth repeating. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
}

static void
test_status_mapping (Fixture       *f,
                     gconstpointer  data)
{
  static const struct {
    const char *path;
    guint status;
    const char *body;
    int code;
  } cases[] = {
    { "/401", 401, "", CD_CLIENT_ERROR_INVALID_TOKEN },
    { "/expired", 403, "Token Expired", CD_CLIENT_ERROR_TOKEN_EXPIRED },
    { "/invalid", 403, "Invalid token", CD_CLIENT_ERROR_INVALID_TOKEN },
    { "/perm", 403, "{\"Errors\":[{\"Message\":\"Not Authorized\"}]}", CD_CLIENT_ERROR_FORBIDDEN },
    { "/400", 400, "{\"detail\": \"Code is too long\\n(see x_c=abc&x_d=def)\"}",
      CD_CLIENT_ERROR_BAD_REQUEST },
    { "/409", 409, "<html><body>conflict</body></html>", CD_CLIENT_ERROR_BAD_REQUEST },
    { "/302", 302, "", CD_CLIENT_ERROR_BAD_RESPONSE },
    { "/array", 200, "[1, 2]", CD_CLIENT_ERROR_BAD_RESPONSE },
  };
  g_autoptr(Stub) stub = stub_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    stub_set (stub, cases[i].path, cases[i].status, cases[i].body,
              cases[i].status == 302 ? "Location" : NULL, "https://elsewhere.example.com/");

  g_clear_object (&f->client);
  f->client = make_client (stub->url, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      guint before = stub->count;

      if (cases[i].status == 200)
        {
          /* Generic GETs take any JSON; typed calls check the shape. */
          node = run_get (f, cases[i].path, &error);
          g_assert_no_error (error);
          g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
          continue;
        }

      node = run_get (f, cases[i].path, &error);
      g_assert_null (node);
      g_assert_error (error, CD_CLIENT_ERROR, cases[i].code);
      assert_no_secrets (error->message);
      g_assert_cmpuint (stub->count, ==, before + 1);

      if (cases[i].status == 400)
        g_assert_nonnull (strstr (error->message, "Code is too long (see x_c=REDACTED"));
      if (cases[i].status == 409)
        g_assert_null (strstr (error->message, "<html>"));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) me = NULL;

    cd_client_set_lp_version (f->client, "1.46");
    stub_set (stub, "/d2l/api/lp/1.46/users/whoami", 200, "{\"FirstName\": \"x\"}", NULL, NULL);
    me = run_whoami (f, &error);
    g_assert_null (me);
    g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  }
}

int
main (int   argc,
      char *argv[])
{
  client_test_init (&argc, &argv);

#define ADD(path, func, data) \
  g_test_add ("/client/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/client/host/validation", test_host_validation);
  ADD ("versions/sandbox", test_versions_sandbox, NULL);
  ADD ("versions/numeric", test_versions_numeric, NULL);
  ADD ("versions/not-brightspace", test_versions_not_brightspace, NULL);
  ADD ("versions/override", test_versions_override, NULL);
  ADD ("versions/concurrent", test_versions_concurrent, NULL);
  ADD ("versions/cancel-one-waiter", test_versions_cancel_one_waiter, NULL);
  ADD ("whoami", test_whoami, NULL);
  ADD ("course/ok", test_course, NULL);
  ADD ("course/not-found", test_course_not_found, NULL);
  ADD ("course/forbidden", test_course_forbidden, NULL);
  ADD ("course/invalid-id", test_course_invalid_id, NULL);
  ADD ("auth/invalid-token", test_invalid_token, NULL);
  ADD ("errors/status-mapping", test_status_mapping, NULL);

#undef ADD

  return g_test_run ();
}
