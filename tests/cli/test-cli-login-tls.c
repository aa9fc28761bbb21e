/* test-cli-login-tls.c: coursedrop-cli and untrusted certificates:
 * --trust-fingerprint, the message every command gives, and login saving
 * the pin for a --tls sandbox
 *
 * Runs under tests/keyring/run-with-keyring.sh.  Settings go through the
 * keyfile backend in the test's own XDG_CONFIG_HOME, so what one process
 * saves the next one reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libsoup/soup.h>

#include "cd-credentials.h"
#include "cd-sandbox.h"
#include "cd-test-util.h"
#include "../cd-test-port.h"
#include "login-test-util.h"

static char *
fingerprint_of_pem (const char *path)
{
  g_autofree char *pem = read_file (path);
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum = { (unsigned char *) pem, (unsigned int) strlen (pem) };
  guint8 der[8192], digest[32];
  size_t der_len = sizeof der, digest_len = sizeof digest;
  GString *text = g_string_new (NULL);

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
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

static void
test_trust_fingerprint (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-cli-tls-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *fingerprint = NULL;
  g_autofree char *lower = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  CdTestSandbox *sandbox;
  CdTestRun run = { 0 };

  sandbox = cd_test_sandbox_start ("--tls", "--cert-out", cert, NULL);
  launcher = cd_test_cli_launcher (sandbox);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  fingerprint = fingerprint_of_pem (cert);

  /* Untrusted: exit 4, with what it takes to decide. */
  cd_test_cli_run (launcher, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_nonnull (strstr (run.err, "certificate"));
  g_assert_nonnull (strstr (run.err, fingerprint));
  g_assert_nonnull (strstr (run.err, "CN=localhost"));
  g_assert_nonnull (strstr (run.err, "--trust-fingerprint"));
  cd_test_run_clear (&run);

  /* Trusted exactly, before or after the command name, in any spelling. */
  cd_test_cli_run (launcher, &run, "--trust-fingerprint", fingerprint, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "user ID 30771"));
  cd_test_run_clear (&run);

  lower = g_ascii_strdown (fingerprint, -1);
  g_strdelimit (lower, ":", ' ');
  cd_test_cli_run (launcher, &run, "whoami", "--trust-fingerprint", lower, NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  /* Another fingerprint changes nothing. */
  cd_test_cli_run (launcher, &run, "whoami", "--trust-fingerprint",
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", NULL);
  g_assert_cmpint (run.status, ==, 4);
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "whoami", "--trust-fingerprint", "12:34", NULL);
  g_assert_cmpint (run.status, ==, 2);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
  g_remove (cert);
  g_rmdir (dir);
}

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* Every command that meets an untrusted certificate says which, once, and
 * how to trust it: an import reports its end itself, not via cd_cli_fail. */
static void
test_untrusted_commands (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-cli-tls-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *zip = cd_test_make_zip ("week1.zip");
  g_autofree char *fingerprint = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  CdTestSandbox *sandbox;
  CdTestRun run = { 0 };
  const char *commands[][8] = {
    { "import", "--course-package", zip, "--course-offering-id", "6606" },
    { "--course-package", zip, "--course-offering-id", "6606", "--json" },
    { "import", "--course-offering-id", "6606", "--job-token", "8840" },
    { "logs", "--course-offering-id", "6606", "--job-token", "8840" },
    { "whoami" },
  };

  sandbox = cd_test_sandbox_start ("--tls", "--cert-out", cert,
                                   "--timeline", "UPLOADING:0.2,PROCESSING:0.2,COMPLETED",
                                   "--offering", "6606:Biology 101;BIO101", NULL);
  launcher = cd_test_cli_launcher (sandbox);
  fingerprint = fingerprint_of_pem (cert);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      cd_test_cli_runv (launcher, &run, commands[i]);
      g_test_message ("%s", commands[i][0]);
      g_assert_cmpint (run.status, ==, 4);
      g_assert_cmpuint (count_occurrences (run.err, "The server presented this certificate"),
                        ==, 1);
      g_assert_cmpuint (count_occurrences (run.err, fingerprint), ==, 2);
      g_assert_nonnull (strstr (run.err, "CN=localhost"));
      g_assert_nonnull (strstr (run.err, "--trust-fingerprint"));
      cd_test_run_clear (&run);
    }

  /* Trusting it is what the hint says, and the import goes through. */
  cd_test_cli_run (launcher, &run, "import", "--course-package", zip, "--course-offering-id",
                   "6606", "--trust-fingerprint", fingerprint, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.err, "The server presented this certificate"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
  g_remove (cert);
  g_rmdir (dir);
}

/* login --trust-fingerprint against a --tls sandbox: the pin is saved for
 * that host, so later commands need no option. */
static void
test_login_tls_pin (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) login = app_launcher ();
  g_autoptr(GSubprocessLauncher) bare = bare_launcher ();
  g_autofree char *fingerprint = fingerprint_of_pem (f->cert);
  g_autofree char *keyfile = NULL;
  CdTestRun run = { 0 };
  Result result = { 0 };

  /* Without trusting the certificate the sign-in cannot be checked. */
  run_login (f, login, 400, &result, "--host", f->sandbox->url, "--no-browser",
             "--callback-url", f->callback_url, NULL);
  g_assert_cmpint (result.status, ==, 4);
  g_assert_nonnull (strstr (result.err, fingerprint));
  result_clear (&result);

  run_login (f, login, 200, &result, "--trust-fingerprint", fingerprint, "--host",
             f->sandbox->url, "--no-browser", "--callback-url", f->callback_url, NULL);
  g_assert_cmpint (result.status, ==, 0);
  result_clear (&result);

  keyfile = keyfile_contents ();
  g_assert_nonnull (strstr (keyfile, "trusted-certificates"));
  g_assert_nonnull (strstr (keyfile, fingerprint));

  cd_test_cli_run (bare, &run, "whoami", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "user ID 30771"));
  cd_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/cli/login/tls-pin", Fixture, "tls", fixture_setup,
              test_login_tls_pin, fixture_teardown);
  g_test_add_func ("/cli/trust-fingerprint", test_trust_fingerprint);
  g_test_add_func ("/cli/untrusted-commands", test_untrusted_commands);

  return g_test_run ();
}
