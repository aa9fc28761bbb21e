/* test-client-tls.c: CdClient over TLS (a trusted and an untrusted certificate)
 * and the redaction of secrets in its debug log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "client-test-util.h"

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
  client_test_init (&argc, &argv);

#define ADD(path, func, data) \
  g_test_add ("/client/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("tls/trusted", test_tls_trusted, "tls");
  ADD ("tls/untrusted", test_tls_untrusted, "tls");
  ADD ("log/redaction", test_log_redaction, NULL);

#undef ADD

  return g_test_run ();
}
