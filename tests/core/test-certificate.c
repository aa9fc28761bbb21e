/* test-certificate.c: certificate details, fingerprints and exact pins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cd-account.h"
#include "cd-certificate.h"
#include "cd-client-imports.h"
#include "cd-sandbox.h"
#include "cd-settings.h"

typedef struct
{
  CdSandbox *sandbox;
  CdClient  *client;
  char      *tmpdir;
  char      *cert_path;
} Fixture;

static CdClient *
make_client (const char *url)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID,
                                                            CD_SANDBOX_DEFAULT_APP_KEY,
                                                            CD_SANDBOX_DEFAULT_USER_ID,
                                                            CD_SANDBOX_DEFAULT_USER_KEY);
  g_autoptr(GError) error = NULL;
  CdClient *client = cd_client_new (url, context, &error);

  g_assert_no_error (error);
  cd_client_set_retry_policy (client, 1, 10, 10);
  return client;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("test-certificate-XXXXXX", &error);
  g_assert_no_error (error);
  f->cert_path = g_build_filename (f->tmpdir, "cert.pem", NULL);

  f->sandbox = cd_sandbox_new ();
  cd_sandbox_listen (f->sandbox, 0, TRUE, f->cert_path, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cd_sandbox_get_url (f->sandbox), "https://"));

  f->client = make_client (cd_sandbox_get_url (f->sandbox));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_remove (f->cert_path);
  g_rmdir (f->tmpdir);
  g_free (f->cert_path);
  g_free (f->tmpdir);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  return *slot;
}

static JsonObject *
run_whoami (CdClient  *client,
            GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_whoami_async (client, NULL, store_result_cb, &result);
  return cd_client_whoami_finish (client, await (&result), error);
}

/* The fingerprint of the PEM file computed on its own with GnuTLS, not
 * with the code under test. */
static char *
gnutls_fingerprint_of_pem (const char *path)
{
  g_autofree char *pem = NULL;
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum;
  guint8 digest[32];
  size_t digest_len = sizeof digest;
  guint8 der[8192];
  size_t der_len = sizeof der;
  GString *text = g_string_new (NULL);
  gsize len;

  g_assert_true (g_file_get_contents (path, &pem, &len, NULL));
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  datum.data = (unsigned char *) pem;
  datum.size = (unsigned int) len;
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export (crt, GNUTLS_X509_FMT_DER, der, &der_len), ==, 0);
  gnutls_x509_crt_deinit (crt);

  datum.data = der;
  datum.size = (unsigned int) der_len;
  g_assert_cmpint (gnutls_fingerprint (GNUTLS_DIG_SHA256, &datum, digest, &digest_len), ==, 0);
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (text, i ? ":%02X" : "%02X", digest[i]);

  return g_string_free (text, FALSE);
}

/* What `openssl x509 -noout -fingerprint -sha256` says, or NULL without openssl. */
static char *
openssl_fingerprint_of_pem (const char *path)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *equals;

  if (openssl == NULL)
    return NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, openssl, "x509",
                              "-noout", "-fingerprint", "-sha256", "-in", path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  equals = strchr (out, '=');
  g_assert_nonnull (equals);
  return g_strstrip (g_strdup (equals + 1));
}

/* --- without a server ------------------------------------------------------------- */

static void
test_normalize (void)
{
  static const char *canonical =
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
  const char *same[] = {
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef",
    "sha256 Fingerprint=01:23:45:67:89:ab:cd:ef:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "  01 23 45 67 89 AB CD EF 01 23 45 67 89 AB CD EF 01 23 45 67 89 AB CD EF 01 23 45 67 89 AB CD EF\n",
  };
  const char *bad[] = {
    "",
    "0123",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
    "SHA1 Fingerprint=01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = cd_certificate_normalize_fingerprint (same[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, canonical);
      g_assert_true (cd_certificate_fingerprint_equal (same[i], canonical));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = cd_certificate_normalize_fingerprint (bad[i], &error);

      g_assert_null (normalized);
      g_assert_error (error, CD_CERTIFICATE_ERROR, CD_CERTIFICATE_ERROR_INVALID_FINGERPRINT);
      g_assert_false (cd_certificate_fingerprint_equal (bad[i], canonical));
    }

  g_assert_false (cd_certificate_fingerprint_equal (NULL, canonical));
}

static void
test_host_for_url (void)
{
  const struct {
    const char *url;
    const char *host;
  } cases[] = {
    { "https://School.Brightspace.com", "school.brightspace.com" },
    { "https://school.brightspace.com:443/d2l/home", "school.brightspace.com" },
    { "https://127.0.0.1:8443", "127.0.0.1:8443" },
    { "http://localhost:80/", "localhost" },
    { "http://localhost:8080", "localhost:8080" },
    { "https://[::1]:9000", "[::1]:9000" },
    { "ftp://example.com", NULL },
    { "not a url", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *host = cd_certificate_host_for_url (cases[i].url);

      g_assert_cmpstr (host, ==, cases[i].host);
    }
}

static void
test_settings_pins (void)
{
  g_autoptr(GSettings) settings = cd_settings_open ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;
  g_auto(GStrv) entries = NULL;
  const char *fp = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:"
                   "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99";

  g_assert_nonnull (settings);
  g_assert_true (cd_settings_set_trusted_certificate (settings, "https://a.example:8443", fp,
                                                      &error));
  g_assert_true (cd_settings_set_trusted_certificate (settings, "https://b.example", fp, &error));
  g_assert_no_error (error);

  pin = cd_settings_dup_trusted_certificate (settings, "https://A.example:8443/d2l");
  g_assert_true (cd_certificate_fingerprint_equal (pin, fp));
  g_assert_null (cd_settings_dup_trusted_certificate (settings, "https://a.example"));

  entries = g_settings_get_strv (settings, "trusted-certificates");
  g_assert_cmpuint (g_strv_length (entries), ==, 2);
  g_assert_true (g_str_has_prefix (entries[0], "a.example:8443=AA:BB:"));

  g_assert_false (cd_settings_set_trusted_certificate (settings, "https://b.example", "nope",
                                                       &error));
  g_assert_error (error, CD_CERTIFICATE_ERROR, CD_CERTIFICATE_ERROR_INVALID_FINGERPRINT);
  g_clear_error (&error);

  g_assert_true (cd_settings_set_trusted_certificate (settings, "https://b.example", NULL,
                                                      &error));
  g_assert_null (cd_settings_dup_trusted_certificate (settings, "https://b.example"));
  g_settings_reset (settings, "trusted-certificates");
}

/* --- against the --tls sandbox -------------------------------------------------------- */

static CdCertificateInfo *
untrusted_info (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  CdCertificateInfo *info;

  g_assert_null (cd_client_get_last_untrusted_certificate (f->client));

  me = run_whoami (f->client, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS);

  info = cd_client_get_last_untrusted_certificate (f->client);
  g_assert_nonnull (info);
  return info;
}

static void
test_untrusted_details (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CdCertificateInfo) info = untrusted_info (f);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *expected = gnutls_fingerprint_of_pem (f->cert_path);
  g_autofree char *openssl = openssl_fingerprint_of_pem (f->cert_path);
  g_autofree char *host = cd_certificate_host_for_url (cd_sandbox_get_url (f->sandbox));
  g_autofree char *reason = cd_certificate_info_describe_errors (info);

  g_assert_cmpstr (cd_certificate_info_get_host (info), ==, host);
  g_assert_nonnull (strstr (cd_certificate_info_get_subject (info), "CN=localhost"));
  g_assert_nonnull (strstr (cd_certificate_info_get_issuer (info), "CN=localhost"));
  g_assert_nonnull (cd_certificate_info_get_not_before (info));
  g_assert_nonnull (cd_certificate_info_get_not_after (info));
  g_assert_cmpint (g_date_time_compare (cd_certificate_info_get_not_before (info), now), <, 0);
  g_assert_cmpint (g_date_time_compare (now, cd_certificate_info_get_not_after (info)), <, 0);
  g_assert_true (cd_certificate_info_get_errors (info) & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_nonnull (cd_certificate_info_get_certificate (info));
  g_assert_nonnull (strstr (reason, host));

  /* 32 bytes as colon-separated upper-case hex… */
  g_assert_cmpuint (strlen (cd_certificate_info_get_sha256 (info)), ==, 95);
  /* …equal to GnuTLS on the written PEM, and to openssl when it is here. */
  g_assert_cmpstr (cd_certificate_info_get_sha256 (info), ==, expected);
  if (openssl != NULL)
    g_assert_cmpstr (cd_certificate_info_get_sha256 (info), ==, openssl);
  else
    g_test_message ("openssl is not installed; compared with GnuTLS only");

  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 0);
}

static void
test_pinned (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CdCertificateInfo) info = untrusted_info (f);
  g_autofree char *lower = g_ascii_strdown (cd_certificate_info_get_sha256 (info), -1);
  g_autofree char *pinned = NULL;
  g_autofree char *zip_path = g_build_filename (f->tmpdir, "week1.zip", NULL);
  g_autoptr(GFile) zip = g_file_new_for_path (zip_path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  char data_bytes[2048] = "PK\003\004";

  /* Any case, without colons: the same pin. */
  g_strdelimit (lower, ":", ' ');
  g_assert_true (cd_client_pin_certificate (f->client, lower, &error));
  g_assert_no_error (error);
  pinned = cd_client_dup_pinned_certificate (f->client);
  g_assert_cmpstr (pinned, ==, cd_certificate_info_get_sha256 (info));
  g_assert_null (cd_client_get_last_untrusted_certificate (f->client));

  me = run_whoami (f->client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (me, "Identifier"), ==, "30771");

  /* The upload's own session, on its own thread, honours the pin too. */
  g_assert_true (g_file_set_contents (zip_path, data_bytes, sizeof data_bytes, NULL));
  cd_client_start_import_async (f->client, zip, 6606, NULL, NULL, NULL, NULL, NULL,
                                store_result_cb, &result);
  token = cd_client_start_import_finish (f->client, await (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
  g_assert_null (cd_client_get_last_untrusted_certificate (f->client));

  g_remove (zip_path);
}

static void
test_wrong_pin (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CdCertificateInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autofree char *zip_path = g_build_filename (f->tmpdir, "week1.zip", NULL);
  g_autoptr(GFile) zip = g_file_new_for_path (zip_path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *token = NULL;

  g_assert_true (cd_client_pin_certificate (f->client, "00112233445566778899aabbccddeeff"
                                                       "00112233445566778899aabbccddeeff",
                                            &error));
  me = run_whoami (f->client, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS);
  g_clear_error (&error);

  info = cd_client_get_last_untrusted_certificate (f->client);
  g_assert_nonnull (info);

  /* Not even an upload gets through, skipping discovery. */
  cd_client_set_le_version (f->client, "1.79");
  g_assert_true (g_file_set_contents (zip_path, "PK\003\004", 4, NULL));
  cd_client_start_import_async (f->client, zip, 6606, NULL, NULL, NULL, NULL, NULL,
                                store_result_cb, &result);
  token = cd_client_start_import_finish (f->client, await (&result), &error);
  g_assert_null (token);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 0);

  /* A garbage pin is refused, and the old one stays. */
  g_clear_error (&error);
  g_assert_false (cd_client_pin_certificate (f->client, "not-a-fingerprint", &error));
  g_assert_error (error, CD_CERTIFICATE_ERROR, CD_CERTIFICATE_ERROR_INVALID_FINGERPRINT);

  g_remove (zip_path);
}

/* A pin is for one host: the same certificate under another name is not
 * trusted, though "localhost" reaches the same server. */
static void
test_pin_other_host (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CdCertificateInfo) info = untrusted_info (f);
  g_autoptr(GSettings) settings = cd_settings_open ();
  g_autofree char *other_url = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdClient) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;
  const char *port = strrchr (cd_sandbox_get_url (f->sandbox), ':');

  g_assert_true (cd_settings_set_trusted_certificate (settings, cd_sandbox_get_url (f->sandbox),
                                                      cd_certificate_info_get_sha256 (info),
                                                      &error));

  other_url = g_strdup_printf ("https://localhost%s", port);
  account = cd_account_new (other_url, CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                            CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  other = cd_account_create_client (account, &error);
  g_assert_no_error (error);
  g_assert_null (cd_client_dup_pinned_certificate (other));

  me = run_whoami (other, &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS);

  g_settings_reset (settings, "trusted-certificates");
}

/* Pins saved in settings hold for every client an account makes. */
static void
test_saved_pin (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CdCertificateInfo) info = untrusted_info (f);
  g_autoptr(GSettings) settings = cd_settings_open ();
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) me = NULL;

  g_assert_nonnull (settings);
  g_assert_true (cd_settings_set_trusted_certificate (settings, cd_sandbox_get_url (f->sandbox),
                                                      cd_certificate_info_get_sha256 (info),
                                                      &error));

  account = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                            CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID,
                            CD_SANDBOX_DEFAULT_USER_KEY);
  client = cd_account_create_client (account, &error);
  g_assert_no_error (error);

  me = run_whoami (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);

  g_settings_reset (settings, "trusted-certificates");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/certificate/fingerprint/normalize", test_normalize);
  g_test_add_func ("/certificate/host-for-url", test_host_for_url);
  g_test_add_func ("/certificate/settings/pins", test_settings_pins);

#define ADD(path, func) \
  g_test_add ("/certificate/tls/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("untrusted-details", test_untrusted_details);
  ADD ("pinned", test_pinned);
  ADD ("wrong-pin", test_wrong_pin);
  ADD ("pin-other-host", test_pin_other_host);
  ADD ("saved-pin", test_saved_pin);

#undef ADD

  return g_test_run ();
}
