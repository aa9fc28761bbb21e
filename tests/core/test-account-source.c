/* test-account-source.c: the order in which the account is resolved
 *
 * Runs under tests/keyring/run-with-keyring.sh (a private session bus with
 * a fresh gnome-keyring); settings are GSETTINGS_BACKEND=memory, so each
 * test starts from defaults in its own process state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "cd-account-source.h"
#include "cd-certificate.h"
#include "cd-client.h"
#include "cd-credentials.h"
#include "cd-sandbox.h"
#include "cd-settings.h"
#include "cd-validate.h"

#define SAVED_HOST  "https://saved.example"
#define ENV_HOST    "https://env.example"
#define OPTION_HOST "https://option.example"
#define FINGERPRINT "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:" \
                    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

static const char * const variables[] = {
  "COURSEDROP_HOST", "COURSEDROP_APP_ID", "COURSEDROP_APP_KEY", "COURSEDROP_USER_ID",
  "COURSEDROP_USER_KEY", "COURSEDROP_CA_FILE",
};

static void
clear_environment (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_unsetenv (variables[i]);
}

static void
forget_everything (void)
{
  g_autoptr(GSettings) settings = cd_settings_open ();
  const char *hosts[] = { SAVED_HOST, ENV_HOST, OPTION_HOST };

  g_assert_nonnull (settings);
  g_settings_reset (settings, "host");
  g_settings_reset (settings, "app-id");
  g_settings_reset (settings, "user-id");
  g_settings_reset (settings, "display-name");
  g_settings_reset (settings, "le-version");
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      cd_credentials_clear (CD_CREDENTIAL_APP_KEY, hosts[i], NULL, NULL, NULL, NULL);
      cd_credentials_clear (CD_CREDENTIAL_USER_KEY, hosts[i], NULL, NULL, NULL, NULL);
    }
  clear_environment ();
}

/* Saves SAVED_HOST with SavedApp, SavedUser and LE 1.67. */
static void
save_account (void)
{
  g_autoptr(CdAccount) saved = cd_account_new (SAVED_HOST, "SavedApp", "saved-app-key",
                                               "SavedUser", "saved-user-key");
  g_autoptr(GError) error = NULL;

  cd_account_set_display_name (saved, "Sam Saved");
  g_assert_true (cd_account_set_le_version (saved, "1.67"));
  g_assert_true (cd_account_save (saved, NULL, &error));
  g_assert_no_error (error);
}

static CdAccount *
resolve (const CdAccountOptions *options)
{
  g_autoptr(GError) error = NULL;
  CdAccount *account = cd_account_source_resolve (options, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (account);
  return account;
}

static void
assert_fails (const CdAccountOptions *options,
              GQuark                  domain,
              int                     code,
              const char             *says)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdAccount) account = cd_account_source_resolve (options, NULL, &error);

  g_assert_null (account);
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  if (says != NULL)
    g_assert_nonnull (strstr (error->message, says));
}

static void
test_nothing (void)
{
  forget_everything ();

  g_assert_false (cd_account_source_has_environment ());
  assert_fails (NULL, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST, "COURSEDROP_HOST");
}

/* Nothing in the environment: everything saved, keys from the keyring. */
static void
test_saved (void)
{
  g_autoptr(CdAccount) account = NULL;

  forget_everything ();
  save_account ();

  account = resolve (NULL);
  g_assert_cmpstr (cd_account_get_host (account), ==, SAVED_HOST);
  g_assert_cmpstr (cd_account_get_app_id (account), ==, "SavedApp");
  g_assert_true (cd_account_has_app (account));
  g_assert_cmpstr (cd_account_get_user_id (account), ==, "SavedUser");
  g_assert_true (cd_account_has_user (account));
  g_assert_cmpstr (cd_account_get_display_name (account), ==, "Sam Saved");
  g_assert_cmpstr (cd_account_get_le_version (account), ==, "1.67");
  g_assert_null (cd_account_get_ca_file (account));
  g_assert_null (cd_account_get_pinned_certificate (account));

  /* The user key gone from the keyring: signed out, not an error. */
  g_assert_true (cd_credentials_clear (CD_CREDENTIAL_USER_KEY, SAVED_HOST, NULL, NULL, NULL,
                                       NULL));
  g_clear_object (&account);
  account = resolve (NULL);
  g_assert_true (cd_account_has_app (account));
  g_assert_false (cd_account_has_user (account));
  g_assert_null (cd_account_get_display_name (account));
}

/* Each level wins over the ones below it, for what it sets. */
static void
test_order (void)
{
  CdAccountOptions options = { 0 };
  g_autoptr(CdAccount) account = NULL;

  forget_everything ();
  save_account ();

  /* The environment's app key over the keyring's; the rest saved. */
  g_setenv ("COURSEDROP_APP_KEY", "env-app-key", TRUE);
  g_assert_true (cd_account_source_has_environment ());
  account = resolve (NULL);
  g_assert_cmpstr (cd_account_get_app_id (account), ==, "SavedApp");
  g_assert_true (cd_account_has_user (account));
  g_clear_object (&account);

  /* Another app in the environment: the saved user is the saved app's. */
  g_setenv ("COURSEDROP_APP_ID", "EnvApp", TRUE);
  account = resolve (NULL);
  g_assert_cmpstr (cd_account_get_app_id (account), ==, "EnvApp");
  g_assert_false (cd_account_has_user (account));
  g_clear_object (&account);

  /* An app ID option over the environment's; its key still from there. */
  options.app_id = "OptionApp";
  account = resolve (&options);
  g_assert_cmpstr (cd_account_get_app_id (account), ==, "OptionApp");
  g_clear_object (&account);
  options.app_id = NULL;

  /* The environment's user over the saved one. */
  g_unsetenv ("COURSEDROP_APP_ID");
  g_setenv ("COURSEDROP_USER_ID", "EnvUser", TRUE);
  g_setenv ("COURSEDROP_USER_KEY", "env-user-key", TRUE);
  account = resolve (NULL);
  g_assert_cmpstr (cd_account_get_user_id (account), ==, "EnvUser");
  g_assert_null (cd_account_get_display_name (account));
  g_clear_object (&account);

  /* The environment's host: no saved ID, version or key belongs to it. */
  clear_environment ();
  g_setenv ("COURSEDROP_HOST", ENV_HOST, TRUE);
  assert_fails (NULL, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP, "COURSEDROP_APP_ID");
  g_setenv ("COURSEDROP_APP_ID", "SavedApp", TRUE);
  assert_fails (NULL, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP, NULL);
  g_setenv ("COURSEDROP_APP_KEY", "env-app-key", TRUE);
  account = resolve (NULL);
  g_assert_cmpstr (cd_account_get_host (account), ==, ENV_HOST);
  g_assert_false (cd_account_has_user (account));
  g_assert_null (cd_account_get_le_version (account));
  g_clear_object (&account);

  /* The --host option over the environment's. */
  options.host = OPTION_HOST;
  account = resolve (&options);
  g_assert_cmpstr (cd_account_get_host (account), ==, OPTION_HOST);
  g_clear_object (&account);

  /* The option naming the saved host brings the saved account back. */
  clear_environment ();
  g_setenv ("COURSEDROP_HOST", ENV_HOST, TRUE);
  options.host = SAVED_HOST "/";
  account = resolve (&options);
  g_assert_cmpstr (cd_account_get_host (account), ==, SAVED_HOST);
  g_assert_cmpstr (cd_account_get_user_id (account), ==, "SavedUser");
}

/* Half a user, and bad values from each place. */
static void
test_bad_values (void)
{
  CdAccountOptions options = { 0 };
  g_autoptr(GSettings) settings = cd_settings_open ();
  g_autoptr(CdAccount) account = NULL;

  forget_everything ();
  save_account ();

  g_setenv ("COURSEDROP_USER_KEY", "lonely-key", TRUE);
  assert_fails (NULL, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER, "COURSEDROP_USER_ID");
  g_unsetenv ("COURSEDROP_USER_KEY");

  /* A user ID whose key is in neither the environment nor the keyring. */
  g_setenv ("COURSEDROP_USER_ID", "Nobody", TRUE);
  assert_fails (NULL, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER, "COURSEDROP_USER_KEY");
  g_unsetenv ("COURSEDROP_USER_ID");

  g_setenv ("COURSEDROP_HOST", "banana", TRUE);
  assert_fails (NULL, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST, "COURSEDROP_HOST “banana”");
  g_unsetenv ("COURSEDROP_HOST");
  options.host = "ftp://school.example";
  assert_fails (&options, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST, "--host");
  options.host = NULL;

  options.trust_fingerprint = "12:34";
  assert_fails (&options, CD_CERTIFICATE_ERROR, CD_CERTIFICATE_ERROR_INVALID_FINGERPRINT,
                "“12:34”");
  options.trust_fingerprint = NULL;

  /* A saved version edited by hand: refused, saying how to fix it. */
  g_settings_set_string (settings, "le-version", "1.banana");
  assert_fails (NULL, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_INVALID, "gsettings reset");

  /* …but no obstacle to signing in again, which saves the account anew. */
  options.flags = CD_ACCOUNT_SOURCE_APP_ONLY;
  account = resolve (&options);
  g_assert_true (cd_account_has_app (account));
  g_assert_false (cd_account_has_user (account));
  g_clear_object (&account);
  options.flags = CD_ACCOUNT_SOURCE_NONE;

  /* The setters refuse what is not a version, keeping the old one. */
  account = cd_account_new (SAVED_HOST, "a", "b", NULL, NULL);
  g_assert_true (cd_account_set_le_version (account, "1.79"));
  g_assert_false (cd_account_set_le_version (account, "banana"));
  g_assert_false (cd_account_set_le_version (account, "1.2.3"));
  g_assert_cmpstr (cd_account_get_le_version (account), ==, "1.79");
  g_assert_true (cd_account_set_le_version (account, ""));
  g_assert_null (cd_account_get_le_version (account));
}

/* What users type for a version reaches the setters: refused, no assertion
 * (GTest makes criticals fatal, so one would end this test). */
static void
test_le_version_setters (void)
{
  const char *bad[] = { "banana", "1.2.3", "1.", ".1", "1234.1", "1.-1", " 1.2", "1,2",
                        "99999999999999999999.1", "" };
  g_autoptr(CdAccount) account = cd_account_new (SAVED_HOST, "a", "b", NULL, NULL);
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_account_set_le_version (account, "1.74"));
  client = cd_account_create_client (account, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_client_get_le_version (client), ==, "1.74");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("“%s”", bad[i]);
      g_assert_false (cd_client_set_le_version (client, bad[i]));
      g_assert_cmpstr (cd_client_get_le_version (client), ==, "1.74");
      if (bad[i][0] != '\0')
        g_assert_false (cd_account_set_le_version (account, bad[i]));
      g_assert_cmpstr (cd_account_get_le_version (account), ==, "1.74");
    }

  g_assert_true (cd_client_set_le_version (client, "1.80"));
  g_assert_cmpstr (cd_client_get_le_version (client), ==, "1.80");
  g_assert_true (cd_client_set_le_version (client, NULL));
  g_assert_null (cd_client_get_le_version (client));
}

/* Sign-in needs only a host; what is missing the caller asks for. */
static void
test_app_only (void)
{
  CdAccountOptions options = { .host = ENV_HOST, .flags = CD_ACCOUNT_SOURCE_APP_ONLY };
  g_autoptr(CdAccount) account = NULL;

  forget_everything ();

  account = resolve (&options);
  g_assert_cmpstr (cd_account_get_host (account), ==, ENV_HOST);
  g_assert_null (cd_account_get_app_id (account));
  g_assert_false (cd_account_has_app (account));

  cd_account_set_app (account, "TypedApp", "typed-key");
  g_assert_true (cd_account_has_app (account));

  options.host = NULL;
  assert_fails (&options, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST, NULL);
}

/* COURSEDROP_CA_FILE and the trusted fingerprint, applied in one place. */
static void
test_tls (void)
{
  g_autoptr(CdSandbox) sandbox = cd_sandbox_new ();
  g_autofree char *dir = g_dir_make_tmp ("test-account-source-XXXXXX", NULL);
  g_autofree char *pem = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);
  CdAccountOptions options = { .trust_fingerprint = FINGERPRINT };
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdSignIn) signin = cd_signin_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = cd_certificate_normalize_fingerprint (FINGERPRINT, NULL);

  forget_everything ();
  save_account ();
  g_assert_true (cd_sandbox_listen (sandbox, 0, TRUE, pem, &error));
  g_assert_no_error (error);

  g_setenv ("COURSEDROP_CA_FILE", pem, TRUE);
  g_assert_cmpstr (cd_account_source_get_ca_file (), ==, pem);
  account = resolve (&options);
  g_assert_cmpstr (cd_account_get_ca_file (account), ==, pem);
  g_assert_cmpstr (cd_account_get_pinned_certificate (account), ==, canonical);
  g_assert_true (cd_account_source_apply_signin_tls (signin, FINGERPRINT, &error));
  g_assert_no_error (error);
  g_clear_object (&account);

  g_setenv ("COURSEDROP_CA_FILE", missing, TRUE);
  assert_fails (NULL, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_INVALID, "COURSEDROP_CA_FILE");
  account = cd_account_new (SAVED_HOST, "a", "b", NULL, NULL);
  g_assert_false (cd_account_source_apply_tls (account, NULL, &error));
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cd_account_source_apply_signin_tls (signin, NULL, &error));
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);

  /* Empty is unset. */
  g_setenv ("COURSEDROP_CA_FILE", "", TRUE);
  g_assert_null (cd_account_source_get_ca_file ());
  g_assert_true (cd_account_source_apply_tls (account, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (cd_account_get_ca_file (account));

  g_remove (pem);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/account-source/nothing", test_nothing);
  g_test_add_func ("/account-source/saved", test_saved);
  g_test_add_func ("/account-source/order", test_order);
  g_test_add_func ("/account-source/bad-values", test_bad_values);
  g_test_add_func ("/account-source/app-only", test_app_only);
  g_test_add_func ("/account-source/le-version-setters", test_le_version_setters);
  g_test_add_func ("/account-source/tls", test_tls);

  return g_test_run ();
}
