/* test-hostile.c: CdClient against a sandbox that misbehaves on purpose:
 * its answers (JSON too deep, bodies too large, silence, clocks, tokens)
 *
 * Every answer here comes from a server that is broken or hostile: JSON
 * nested 100,000 levels deep, endless bodies, silence, a byte every so
 * often, absurd clocks, unusable job tokens, uploads whose answer never
 * comes, and packages that change while they are sent.  The client must
 * fail each time with a clear error, promptly, and without crashing,
 * hoarding memory or sending anything twice.
 *
 * Uploads whose answer never comes: test-hostile-upload.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cd-chain-input-stream.h"
#include "cd-client-imports.h"
#include "cd-json.h"
#include "cd-sandbox.h"
#include "hostile-test-util.h"

/* 1. JSON nested 100,000 levels deep, wherever it comes */

static void
test_deep_versions (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DEEP_JSON, 4, 0);
  cd_client_discover_versions_async (f->client, NULL, result_cb, f);
  result = wait_result (f);
  g_assert_false (cd_client_discover_versions_finish (f->client, result, &error));
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "levels deep"));
}

static void
test_deep_whoami (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  cd_client_set_lp_version (f->client, "1.46");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DEEP_JSON, 4, 0);
  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
}

static void
test_deep_status_and_logs (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autofree char *status = NULL;

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DEEP_JSON, 1, 0);
  status = run_status (f, "8840", NULL, &error);
  g_assert_null (status);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_clear_error (&error);

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DEEP_JSON, 4, 0);
  logs = run_logs (f, "8840", &error);
  g_assert_null (logs);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
}

/* An error body too deep is shown as text, never parsed by json-glib. */
static void
test_deep_error_body (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  cd_client_set_lp_version (f->client, "1.46");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DEEP_JSON, 1, 400);
  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "400"));
}

static void
test_deep_upload_answer (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = make_package (f, 1024);
  g_autofree char *token = NULL;
  g_autoptr(GString) deep = g_string_new (NULL);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_upload_answer (f->sandbox, 200, deep->str);
  token = run_import (f, path, NULL, NULL, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_remove (path);
}

/* 2. Answers too large to hold */

static void
test_huge_endless (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GPtrArray) logs = NULL;

  cd_client_set_le_version (f->client, "1.79");

  /* An endless status answer: refused once it passes 1 MiB. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_HUGE_BODY, 1, 0);
  status = run_status (f, "8840", NULL, &error);
  g_assert_null (status);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "larger than 1.0"));
  /* Read up to the cap, plus what socket buffers held: far from 100 MiB. */
  g_assert_cmpuint (cd_sandbox_get_bytes_served (f->sandbox), <, 32 * MIB);
  g_clear_error (&error);

  /* Log pages may be longer, but not endless; and a refusal is not retried. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_HUGE_BODY, 4, 0);
  logs = run_logs (f, "8840", &error);
  g_assert_null (logs);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "larger than 4.2"));

  settle (200);
  g_assert_cmpuint (cd_sandbox_get_bytes_served (f->sandbox), <, 64 * MIB);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
}

/* A large answer within the cap still arrives. */
static void
test_huge_within_cap (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new ("{\"Identifier\": \"1\", \"Padding\": \"");
  g_autoptr(JsonObject) me = NULL;

  cd_client_set_lp_version (f->client, "1.46");
  while (body->len < 900 * 1024)
    g_string_append (body, "0123456789abcdef");
  g_string_append (body, "\"}");
  cd_sandbox_add_answer (f->sandbox, 1, 200, body->str);
  me = run_whoami (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (me, "Identifier"), ==, "1");
}

/* 3. Servers that never answer, or drip */

static void
test_timeout_silent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  gint64 start = g_get_monotonic_time ();

  cd_client_set_request_timeout (f->client, 500);
  g_assert_cmpuint (cd_client_get_request_timeout (f->client), ==, 500);
  cd_client_set_lp_version (f->client, "1.46");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SILENT, 4, 0);
  me = run_whoami (f, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "did not answer in time"));
  /* The deadline covers every attempt, not each one. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
}

static void
test_timeout_drip (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  gint64 start = g_get_monotonic_time ();

  cd_client_set_request_timeout (f->client, 600);
  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DRIP, 4, 50);
  status = run_status (f, "8840", NULL, &error);
  g_assert_null (status);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  /* It did drip: the byte-wise answer was kept alive past its timeout. */
  g_assert_cmpuint (cd_sandbox_get_bytes_served (f->sandbox), >, 3);
}

/* The default, for everyone else. */
static void
test_timeout_default (Fixture       *f,
                      gconstpointer  data)
{
  g_assert_cmpuint (cd_client_get_request_timeout (f->client), ==,
                    CD_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS);
  cd_client_set_request_timeout (f->client, 0);
  g_assert_cmpuint (cd_client_get_request_timeout (f->client), ==,
                    CD_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS);
}

/* A Retry-After of 136 years is reported, capped, and not slept through. */
static void
test_retry_after_capped (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  guint retry_after_ms = 0;
  gint64 start = g_get_monotonic_time ();

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, G_MAXUINT);
  status = run_status (f, "8840", &retry_after_ms, &error);
  g_assert_null (status);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpuint (retry_after_ms, ==, CD_CLIENT_MAX_RETRY_AFTER_MS);
  g_assert_cmpuint (cd_client_get_retry_after (f->client), ==, CD_CLIENT_MAX_RETRY_AFTER_MS);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* A GET that would retry does not wait beyond its deadline either. */
  cd_client_set_lp_version (f->client, "1.46");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, 40);
  g_assert_null (run_whoami (f, &error));
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (cd_client_get_retry_after (f->client), ==, 40 * 1000);
}

/* 4. Job tokens and clocks from the server */

static void
test_token_shapes (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const refused[] = {
    "{\"JobToken\": 1.5}",
    "{\"JobToken\": true}",
    "{\"JobToken\": null}",
    "{\"JobToken\": \"..\"}",
    "{\"JobToken\": \"8840/../../x\"}",
    "{\"JobToken\": \"\"}",
    "{\"JobToken\": [8840]}",
  };
  g_autofree char *path = make_package (f, 1024);

  cd_client_set_le_version (f->client, "1.79");

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *token = NULL;

      cd_sandbox_add_upload_answer (f->sandbox, 200, refused[i]);
      token = run_import (f, path, NULL, NULL, NULL, &error);
      g_test_message ("%s → %s", refused[i], token ? token : error->message);
      g_assert_null (token);
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
      g_assert_nonnull (strstr (error->message, "import history"));
    }

  /* An integer token is fine. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *token = NULL;

    cd_sandbox_add_upload_answer (f->sandbox, 200, "{\"JobToken\": 9001}");
    token = run_import (f, path, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (token, ==, "9001");
  }

  g_remove (path);
}

/* A token never goes into a route unchecked: an error, never a request. */
static void
test_token_in_route (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const tokens[] = { "..", ".", "", "a/b", "8840?x=1", "%2e%2e", "a b" };

  cd_client_set_le_version (f->client, "1.79");

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) logs = NULL;
      g_autofree char *status = NULL;

      status = run_status (f, tokens[i], NULL, &error);
      g_assert_null (status);
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST);
      g_clear_error (&error);

      logs = run_logs (f, tokens[i], &error);
      g_assert_null (logs);
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST);
    }

  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 0);
}

static void
test_absurd_server_time (Fixture       *f,
                         gconstpointer  data)
{
  /* 0 stands for G_MAXINT64; 1 is 1970. */
  static const guint times[] = { 0, 1 };

  cd_client_set_lp_version (f->client, "1.46");

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) me = NULL;

      cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BAD_TIME, 1, times[i]);
      me = run_whoami (f, &error);
      g_assert_null (me);
      g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TIMESTAMP);
      g_assert_nonnull (strstr (error->message, "ten years"));
      /* Never signed with it. */
      g_assert_cmpint (cd_client_get_skew (f->client), ==, 0);
      g_assert_cmpint (cd_idkey_context_get_skew (cd_client_get_context (f->client)), ==, 0);
    }

  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
}

/* Two documents in one answer: which JobToken would be the real one? */
static void
test_two_documents (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = make_package (f, 1024);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(JsonNode) one = NULL;

  one = cd_json_parse ("{\"JobToken\": \"1\"}  \n", -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (one);

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_upload_answer (f->sandbox, 200, "{\"JobToken\": \"1\"}{\"JobToken\": \"2\"}");
  token = run_import (f, path, NULL, NULL, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE);
  g_remove (path);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/hostile/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("deep/versions", test_deep_versions);
  ADD ("deep/whoami", test_deep_whoami);
  ADD ("deep/status-and-logs", test_deep_status_and_logs);
  ADD ("deep/error-body", test_deep_error_body);
  ADD ("deep/upload-answer", test_deep_upload_answer);
  ADD ("json/two-documents", test_two_documents);
  ADD ("huge/endless", test_huge_endless);
  ADD ("huge/within-cap", test_huge_within_cap);
  ADD ("timeout/silent", test_timeout_silent);
  ADD ("timeout/drip", test_timeout_drip);
  ADD ("timeout/default", test_timeout_default);
  ADD ("retry-after/capped", test_retry_after_capped);
  ADD ("token/shapes", test_token_shapes);
  ADD ("token/in-route", test_token_in_route);
  ADD ("skew/absurd-server-time", test_absurd_server_time);

#undef ADD

  return g_test_run ();
}
