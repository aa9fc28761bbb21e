/* test-client-retry.c: CdClient recovering, or rightly not: clock skew, retries of
 * rate limits, server errors and broken JSON, refused connections,
 * POSTs never replayed, and cancellation (also during backoff)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "client-test-util.h"

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

int
main (int   argc,
      char *argv[])
{
  client_test_init (&argc, &argv);

#define ADD(path, func, data) \
  g_test_add ("/client/" path, Fixture, data, fixture_setup, func, fixture_teardown)

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

#undef ADD

  return g_test_run ();
}
