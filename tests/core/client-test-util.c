/* client-test-util.c: the stub server, the fixture, log capture and the
 * call helpers shared by the CdClient tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "client-test-util.h"

/* Debug output of the "Coursedrop" domain, while a test captures it. */
GString *captured_log;

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

/* One fixed reply of the stub server (the Stub type is in the header). */
typedef struct
{
  guint       status;
  char       *body;
  char       *header_name;
  char       *header_value;
} StubReply;

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

Stub *
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

void
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

void
stub_free (Stub *stub)
{
  soup_server_disconnect (stub->server);
  g_object_unref (stub->server);
  g_hash_table_unref (stub->replies);
  g_free (stub->url);
  g_free (stub->last_method);
  g_free (stub);
}

CdIdKeyContext *
demo_context (const char *user_key)
{
  return cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                               CD_SANDBOX_DEFAULT_USER_ID,
                               user_key != NULL ? user_key : CD_SANDBOX_DEFAULT_USER_KEY);
}

CdClient *
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

void
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

void
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

void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
  g_main_loop_quit (f->loop);
}

GAsyncResult *
wait_result (Fixture *f)
{
  if (f->result == NULL)
    g_main_loop_run (f->loop);
  g_assert_nonnull (f->result);

  return g_steal_pointer (&f->result);
}

JsonObject *
run_whoami (Fixture  *f,
            GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_whoami_async (f->client, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_whoami_finish (f->client, result, error);
}

JsonObject *
run_course (Fixture  *f,
            gint64    org_unit_id,
            GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_get_course_async (f->client, org_unit_id, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_get_course_finish (f->client, result, error);
}

JsonNode *
run_get (Fixture    *f,
         const char *route,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_get_json_async (f->client, route, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_get_json_finish (f->client, result, error);
}

JsonNode *
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
void
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

void
client_test_init (int    *argc,
                  char ***argv)
{
  /* Before the first log call.  The handler sees the client's debug lines
   * whatever the environment; the variable keeps them on should the
   * domain ever log through the structured writer instead. */
  g_setenv ("G_MESSAGES_DEBUG", "Coursedrop", TRUE);
  g_log_set_handler ("Coursedrop", G_LOG_LEVEL_DEBUG, log_handler_cb, NULL);

  /* The isolated XDG dirs have no GSettings schemas for the GNOME proxy
   * module, and the tests only talk to 127.0.0.1 anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}
