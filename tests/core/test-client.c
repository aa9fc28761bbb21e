/* test-client.c: CdClient against the in-process sandbox and a stub server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cd-client.h"
#include "cd-sandbox.h"
#include "../cd-test-port.h"

#define WRONG_USER_KEY "not-the-user-key-at-all"

/* Debug output of the "Coursedrop" domain, while a test captures it. */
static GString *captured_log;

static void
log_handler_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  /* Outside captures the lines are dropped: they would only be noise. */
  if (captured_log != NULL)
    g_string_append_printf (captured_log, "%s\n", message);
}

/* A minimal server for answers the sandbox does not give: each path maps
 * to a fixed reply; every request is counted. */
typedef struct
{
  guint       status;
  char       *body;
  char       *header_name;
  char       *header_value;
} StubReply;

typedef struct
{
  SoupServer *server;
  GHashTable *replies;   /* path → StubReply */
  char       *url;
  guint       count;
  char       *last_method;
} Stub;

static void
stub_reply_free (StubReply *reply)
{
  g_free (reply->body);
  g_free (reply->header_name);
  g_free (reply->header_value);
  g_free (reply);
}

static void
stub_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Stub *stub = user_data;
  StubReply *reply = g_hash_table_lookup (stub->replies, path);

  stub->count++;
  g_free (stub->last_method);
  stub->last_method = g_strdup (soup_server_message_get_method (msg));

  if (reply == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (reply->header_name != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  reply->header_name, reply->header_value);
  soup_server_message_set_status (msg, reply->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    reply->body, strlen (reply->body));
}

static Stub *
stub_new (void)
{
  g_autoptr(GError) error = NULL;
  Stub *stub = g_new0 (Stub, 1);
  GSList *uris;

  stub->replies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) stub_reply_free);
  stub->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (stub->server, NULL, stub_cb, stub, NULL);
  soup_server_listen_local (stub->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (stub->server);
  stub->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return stub;
}

static void
stub_set (Stub       *stub,
          const char *path,
          guint       status,
          const char *body,
          const char *header_name,
          const char *header_value)
{
  StubReply *reply = g_new0 (StubReply, 1);

  reply->status = status;
  reply->body = g_strdup (body);
  reply->header_name = g_strdup (header_name);
  reply->header_value = g_strdup (header_value);
  g_hash_table_replace (stub->replies, g_strdup (path), reply);
}

static void
stub_free (Stub *stub)
{
  soup_server_disconnect (stub->server);
  g_object_unref (stub->server);
  g_hash_table_unref (stub->replies);
  g_free (stub->url);
  g_free (stub->last_method);
  g_free (stub);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stub, stub_free)

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  GMainLoop    *loop;
  GAsyncResult *result;
  char         *tmpdir;
  guint         watchdog;
} Fixture;

static CdIdKeyContext *
demo_context (const char *user_key)
{
  return cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                               CD_SANDBOX_DEFAULT_USER_ID,
                               user_key != NULL ? user_key : CD_SANDBOX_DEFAULT_USER_KEY);
}

static CdClient *
make_client (const char *url,
             const char *user_key)
{
  g_autoptr(CdIdKeyContext) context = demo_context (user_key);
  g_autoptr(GError) error = NULL;
  CdClient *client;

  client = cd_client_new (url, context, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client);

  /* Fast enough for tests, same shape as the defaults. */
  cd_client_set_retry_policy (client, 4, 10, 40);

  return client;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  g_error ("Test did not finish in time");
  return G_SOURCE_REMOVE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  cd_sandbox_set_credentials (f->sandbox, CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                              CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  f->tmpdir = g_dir_make_tmp ("test-client-XXXXXX", &error);
  g_assert_no_error (error);
  f->loop = g_main_loop_new (NULL, FALSE);
  f->watchdog = g_timeout_add_seconds (60, watchdog_cb, NULL);

  /* TLS tests listen themselves. */
  if (data == NULL)
    {
      cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error);
      g_assert_no_error (error);
      f->client = make_client (cd_sandbox_get_url (f->sandbox), NULL);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (f->tmpdir, "cert.pem", NULL);

  while (g_main_context_iteration (NULL, FALSE))
    ;

  if (f->client != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (f->client), (gpointer *) &f->client);
      g_object_unref (f->client);
      /* Nothing (a task, a timer) may still hold the client. */
      g_assert_null (f->client);
    }
  g_clear_object (&f->sandbox);
  g_clear_object (&f->result);
  g_clear_pointer (&f->loop, g_main_loop_unref);
  g_source_remove (f->watchdog);

  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_remove (cert);
  g_rmdir (f->tmpdir);
  g_free (f->tmpdir);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
  g_main_loop_quit (f->loop);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  if (f->result == NULL)
    g_main_loop_run (f->loop);
  g_assert_nonnull (f->result);

  return g_steal_pointer (&f->result);
}

static JsonObject *
run_whoami (Fixture  *f,
            GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_whoami_async (f->client, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_whoami_finish (f->client, result, error);
}

static JsonObject *
run_course (Fixture  *f,
            gint64    org_unit_id,
            GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_get_course_async (f->client, org_unit_id, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_get_course_finish (f->client, result, error);
}

static JsonNode *
run_get (Fixture    *f,
         const char *route,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_get_json_async (f->client, route, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_get_json_finish (f->client, result, error);
}

static JsonNode *
run_post (Fixture    *f,
          const char *route,
          GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) body = json_from_string ("{\"Name\": \"x\"}", NULL);

  cd_client_post_json_async (f->client, route, body, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_post_json_finish (f->client, result, error);
}

/* No key, and every x_* value (signatures, IDs, timestamp) redacted. */
static void
assert_no_secrets (const char *text)
{
  g_assert_null (strstr (text, CD_SANDBOX_DEFAULT_APP_KEY));
  g_assert_null (strstr (text, CD_SANDBOX_DEFAULT_USER_KEY));
  g_assert_null (strstr (text, WRONG_USER_KEY));
  g_assert_null (strstr (text, CD_SANDBOX_DEFAULT_APP_ID));
  g_assert_null (strstr (text, CD_SANDBOX_DEFAULT_USER_ID));

  for (const char *p = strstr (text, "x_"); p != NULL; p = strstr (p + 2, "x_"))
    if (g_ascii_islower (p[2]) && p[3] == '=')
      g_assert_true (g_str_has_prefix (p + 4, "REDACTED"));
}

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

/* Clock skew */

static void
skew_notify_cb (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data)
{
  guint *notified = user_data;

  (*notified)++;
}

static void
test_skew (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(JsonObject) again = NULL;
  guint notified = 0;

  cd_sandbox_set_skew (f->sandbox, 7200);
  g_signal_connect (f->client, "notify::skew", G_CALLBACK (skew_notify_cb), &notified);

  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);

  /* Versions, the rejected call, the re-signed one. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 3);
  g_assert_cmpint (ABS (cd_client_get_skew (f->client) - 7200), <=, 2);
  g_assert_cmpint (cd_idkey_context_get_skew (cd_client_get_context (f->client)), ==,
                   cd_client_get_skew (f->client));
  g_assert_cmpuint (notified, ==, 1);

  /* The skew is kept: the next call goes through at once. */
  again = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 4);
}

static void
test_skew_post (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* A POST rejected for its timestamp was provably not acted upon, so it
   * is signed again once; this route then answers 404. */
  cd_sandbox_set_skew (f->sandbox, -3600);
  node = run_post (f, "/d2l/api/lp/{lp}/nothing/here/", &error);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 3);
  g_assert_cmpint (ABS (cd_client_get_skew (f->client) + 3600), <=, 2);
}

static void
test_skew_unrecoverable (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(Stub) stub = stub_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;

  /* A server whose clock keeps jumping rejects every timestamp. */
  body = g_strdup_printf ("Timestamp out of range\r\n%" G_GINT64_FORMAT "\r\n",
                          g_get_real_time () / G_USEC_PER_SEC + 900);
  stub_set (stub, "/d2l/api/lp/1.46/users/whoami", 403, body, NULL, NULL);
  g_clear_object (&f->client);
  f->client = make_client (stub->url, NULL);
  cd_client_set_lp_version (f->client, "1.46");

  node = run_get (f, "/d2l/api/lp/{lp}/users/whoami", &error);
  g_assert_null (node);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TIMESTAMP);
  g_assert_cmpuint (stub->count, ==, 2);
  g_assert_cmpint (ABS (cd_client_get_skew (f->client) - 900), <=, 2);
}

/* Retries */

static void
test_retry_rate_limit (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  gint64 start;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, 1);

  start = g_get_monotonic_time ();
  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);

  /* Retry-After: 1 beats the 10 ms backoff. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 950 * 1000);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 3);
}

static void
test_retry_rate_limit_exhausted (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  /* A Retry-After of minutes is reported, not slept through. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, 600);
  me = run_whoami (f, &error);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
}

static void
test_retry_server_error (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SERVER_ERROR, 2, 0);
  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 1 + 3);
}

static void
test_retry_server_error_exhausted (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SERVER_ERROR, 10, 0);
  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "500"));
  /* Versions, then exactly max_attempts tries. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 1 + 4);
}

static void
test_retry_broken_json (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(JsonObject) course = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BROKEN_JSON, 1, 0);
  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 3);

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BROKEN_JSON, 10, 0);
  course = run_course (f, 6606, &error);
  g_assert_null (course);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 3 + 4);
}

static void
test_network_refused (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autofree char *url = NULL;

  url = g_strdup_printf ("http://127.0.0.1:%u", cd_test_free_port ());
  g_clear_object (&f->client);
  f->client = make_client (url, NULL);

  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK);
  assert_no_secrets (error->message);
}

/* POSTs */

static void
test_post_no_replay (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Stub) stub = stub_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) created = NULL;
  guint before = cd_sandbox_get_request_count (f->sandbox);

  /* A JSON POST route the sandbox does not have: a 404 arrives once. */
  node = run_post (f, "/d2l/api/lp/{lp}/enrollments/", &error);
  g_assert_null (node);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, before + 2);
  g_clear_error (&error);

  /* A 500 to a POST may have happened after the server acted: never replay.
   * The same 500 to a GET is retried. */
  stub_set (stub, "/d2l/api/lp/1.46/courses/", 500, "oops", NULL, NULL);
  stub_set (stub, "/d2l/api/lp/1.46/courses/1", 201, "{\"Identifier\": 1}", NULL, NULL);
  g_clear_object (&f->client);
  f->client = make_client (stub->url, NULL);
  cd_client_set_lp_version (f->client, "1.46");

  node = run_post (f, "/d2l/api/lp/{lp}/courses/", &error);
  g_assert_null (node);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (stub->count, ==, 1);
  g_assert_cmpstr (stub->last_method, ==, "POST");
  g_clear_error (&error);

  node = run_get (f, "/d2l/api/lp/{lp}/courses/", &error);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (stub->count, ==, 1 + 4);
  g_clear_error (&error);

  created = run_post (f, "/d2l/api/lp/{lp}/courses/1", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (created));
}

/* Cancellation */

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_slow (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  gint64 start;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SLOW, 1, 10000);

  start = g_get_monotonic_time ();
  cd_client_whoami_async (f->client, cancellable, result_cb, f);
  g_timeout_add (200, cancel_cb, cancellable);
  result = wait_result (f);
  me = cd_client_whoami_finish (f->client, result, &error);

  g_assert_null (me);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_cancel_backoff (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  gint64 start;

  /* The client waits 20 s before retrying (within its 30 s deadline); the
   * cancel must end that wait. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, 20);

  start = g_get_monotonic_time ();
  cd_client_whoami_async (f->client, cancellable, result_cb, f);
  g_timeout_add (300, cancel_cb, cancellable);
  result = wait_result (f);
  me = cd_client_whoami_finish (f->client, result, &error);

  g_assert_null (me);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
}

/* TLS */

static void
test_tls_trusted (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (f->tmpdir, "cert.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  cd_sandbox_listen (f->sandbox, 0, TRUE, cert, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cd_sandbox_get_url (f->sandbox), "https://"));

  f->client = make_client (cd_sandbox_get_url (f->sandbox), NULL);
  g_assert_true (cd_client_set_ca_file (f->client, cert, &error));
  g_assert_no_error (error);

  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpstr (json_object_get_string_member (me, "Identifier"), ==, "30771");
}

static void
test_tls_untrusted (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (f->tmpdir, "cert.pem", NULL);
  g_autofree char *missing = g_build_filename (f->tmpdir, "missing.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  cd_sandbox_listen (f->sandbox, 0, TRUE, cert, &error);
  g_assert_no_error (error);

  f->client = make_client (cd_sandbox_get_url (f->sandbox), NULL);
  g_assert_false (cd_client_set_ca_file (f->client, missing, &error));
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS);
  g_clear_error (&error);

  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS);
  assert_no_secrets (error->message);
  /* Untrusted is not transient: no retries, and no request got through. */
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 0);
}

/* Logging */

static void
test_log_redaction (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(JsonObject) course = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  const char *p;

  captured_log = log;
  cd_sandbox_set_skew (f->sandbox, 7200);
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SERVER_ERROR, 1, 0);
  me = run_whoami (f, &error);
  g_assert_no_error (error);
  course = run_course (f, 999999, &error);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND);
  captured_log = NULL;

  g_test_message ("captured:\n%s", log->str);

  /* A line per request and per response, with the path. */
  g_assert_nonnull (strstr (log->str, "GET /d2l/api/versions/"));
  g_assert_nonnull (strstr (log->str, "GET /d2l/api/lp/1.46/users/whoami?x_a=REDACTED"));
  g_assert_nonnull (strstr (log->str, "→ 200"));
  g_assert_nonnull (strstr (log->str, "→ 403"));
  g_assert_nonnull (strstr (log->str, "→ 500"));
  g_assert_nonnull (strstr (log->str, "→ 404"));

  assert_no_secrets (log->str);
  for (p = strstr (log->str, "x_c="); p != NULL; p = strstr (p + 1, "x_c="))
    g_assert_true (g_str_has_prefix (p, "x_c=REDACTED"));
  /* Nor the body of a successful reply. */
  g_assert_null (strstr (log->str, "dana.demo"));
}

int
main (int   argc,
      char *argv[])
{
  /* Before the first log call.  The handler sees the client's debug lines
   * whatever the environment; the variable keeps them on should the
   * domain ever log through the structured writer instead. */
  g_setenv ("G_MESSAGES_DEBUG", "Coursedrop", TRUE);
  g_log_set_handler ("Coursedrop", G_LOG_LEVEL_DEBUG, log_handler_cb, NULL);

  /* The isolated XDG dirs have no GSettings schemas for the GNOME proxy
   * module, and the tests only talk to 127.0.0.1 anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

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
  ADD ("skew/recovered", test_skew, NULL);
  ADD ("skew/post", test_skew_post, NULL);
  ADD ("skew/unrecoverable", test_skew_unrecoverable, NULL);
  ADD ("retry/rate-limit", test_retry_rate_limit, NULL);
  ADD ("retry/rate-limit-too-long", test_retry_rate_limit_exhausted, NULL);
  ADD ("retry/server-error", test_retry_server_error, NULL);
  ADD ("retry/server-error-exhausted", test_retry_server_error_exhausted, NULL);
  ADD ("retry/broken-json", test_retry_broken_json, NULL);
  ADD ("network/refused", test_network_refused, NULL);
  ADD ("post/no-replay", test_post_no_replay, NULL);
  ADD ("cancel/slow-response", test_cancel_slow, NULL);
  ADD ("cancel/backoff", test_cancel_backoff, NULL);
  ADD ("tls/trusted", test_tls_trusted, "tls");
  ADD ("tls/untrusted", test_tls_untrusted, "tls");
  ADD ("log/redaction", test_log_redaction, NULL);

#undef ADD

  return g_test_run ();
}
