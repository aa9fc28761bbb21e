/* test-signin-account.c: accounts without the browser (manual keys, the
 * environment or the saved account) and a token expiring mid-import
 * (resume after signing in again, --expire-after, POST /_sandbox/expire)
 *
 * Runs under tests/keyring/run-with-keyring.sh (see signin-test-util.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "cd-credentials.h"
#include "cd-import-job.h"
#include "cd-settings.h"

#include "signin-test-util.h"

/* --- manual keys, and the environment ------------------------------------------------------------ */

static void
test_manual_keys (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CdAccount) good = NULL;
  g_autoptr(CdAccount) bad = NULL;
  g_autoptr(CdAccount) anonymous = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GError) error = NULL;

  good = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                         CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID,
                         CD_SANDBOX_DEFAULT_USER_KEY);
  cd_account_verify_async (good, NULL, store_result_cb, &result);
  me = cd_account_verify_finish (good, await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (me, "UniqueName"), ==, "dana.demo");
  g_assert_cmpstr (cd_account_get_display_name (good), ==, "Dana Demo");
  g_clear_object (&result);

  bad = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                        CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID, "typo");
  cd_account_verify_async (bad, NULL, store_result_cb, &result);
  g_assert_null (cd_account_verify_finish (bad, await (&result), &error));
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN);
  g_assert_null (cd_account_get_display_name (bad));
  g_clear_object (&result);
  g_clear_error (&error);

  anonymous = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                              CD_SANDBOX_DEFAULT_APP_KEY, NULL, NULL);
  cd_account_verify_async (anonymous, NULL, store_result_cb, &result);
  g_assert_null (cd_account_verify_finish (anonymous, await (&result), &error));
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER);
}

static void
test_environment_or_saved (Fixture       *f,
                           gconstpointer  data)
{
  const char *names[] = { "COURSEDROP_HOST", "COURSEDROP_APP_ID", "COURSEDROP_APP_KEY",
                          "COURSEDROP_USER_ID", "COURSEDROP_USER_KEY" };
  g_autoptr(CdAccount) saved = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *url = cd_sandbox_get_url (f->sandbox);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_unsetenv (names[i]);

  account = cd_account_new_from_environment_or_saved (NULL, NULL, &error);
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST);
  g_assert_nonnull (strstr (error->message, "COURSEDROP_HOST"));
  g_clear_error (&error);

  saved = cd_account_new (url, CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                          CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  cd_account_set_display_name (saved, "Dana Demo");
  cd_account_set_le_version (saved, "1.67");
  g_assert_true (cd_account_save (saved, NULL, &error));
  g_assert_no_error (error);

  /* Nothing in the environment: all of it saved. */
  account = cd_account_new_from_environment_or_saved (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cd_account_has_user (account));
  g_assert_cmpstr (cd_account_get_display_name (account), ==, "Dana Demo");
  g_assert_cmpstr (cd_account_get_le_version (account), ==, "1.67");
  g_clear_object (&account);

  /* The environment wins for what it sets. */
  g_setenv ("COURSEDROP_USER_ID", "SomeoneElse", TRUE);
  g_setenv ("COURSEDROP_USER_KEY", "their-key", TRUE);
  account = cd_account_new_from_environment_or_saved (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_user_id (account), ==, "SomeoneElse");
  g_clear_object (&account);
  g_unsetenv ("COURSEDROP_USER_ID");
  g_unsetenv ("COURSEDROP_USER_KEY");

  /* Another site: the saved IDs and keys stay out of it. */
  account = cd_account_new_from_environment_or_saved ("https://other.example", NULL, &error);
  g_assert_error (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP);
  g_clear_error (&error);

  /* Saving another host drops the old host's user key. */
  g_clear_object (&saved);
  saved = cd_account_new ("https://other.example", "OtherApp", "other-app-key", "u", "k");
  g_assert_true (cd_account_save (saved, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (lookup_user_key (url));
  g_assert_true (cd_account_sign_out (saved, NULL, &error));
  g_assert_null (lookup_user_key ("https://other.example"));
  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, "https://other.example", NULL, NULL, NULL, &error);
  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, url, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* --- token expiry mid-import ------------------------------------------------------------------- */

static void
test_expired_resume (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdAccount) renewed = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdClient) new_client = NULL;
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdPackage) package = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "pkg", NULL);
  g_autofree char *zip = g_build_filename (dir, "Week 1.zip", NULL);
  const char *new_key = NULL;

  g_assert_true (cd_sandbox_set_timeline (f->sandbox, "UPLOADING:0.1,PROCESSING:0.3,COMPLETED",
                                          &error));
  account = sign_in (f, &error);
  g_assert_no_error (error);
  client = cd_account_create_client (account, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  {
    g_autofree char *bytes = g_malloc0 (4096);

    memcpy (bytes, "PK\003\004", 4);
    memcpy (bytes + 4096 - 22, "PK\005\006", 4);  /* an empty archive's end record */
    g_assert_true (g_file_set_contents (zip, bytes, 4096, NULL));
  }
  file = g_file_new_for_path (zip);
  package = cd_package_new (file);

  job = cd_import_job_new_for_package (client, NULL, package, 6606);
  cd_import_job_set_poll_interval (job, 20, 50);
  cd_import_job_start (job);
  while (cd_import_job_get_token (job) == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The key expires while the job is followed. */
  cd_sandbox_expire_user_key (f->sandbox);
  while (cd_import_job_is_running (job) && !cd_import_job_get_paused (job))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_import_job_get_paused (job));
  g_assert_error (cd_import_job_get_error (job), CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);

  /* Signing in again gives a new key, and the job goes on with it. */
  g_clear_object (&f->signin);
  f->signin = cd_signin_new ();
  renewed = sign_in (f, &error);
  g_assert_no_error (error);
  cd_sandbox_get_credentials (f->sandbox, NULL, NULL, NULL, &new_key);
  g_assert_cmpstr (new_key, !=, CD_SANDBOX_DEFAULT_USER_KEY);

  new_client = cd_account_create_client (renewed, &error);
  g_assert_no_error (error);
  cd_import_job_resume (job, new_client);
  while (cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_import_job_succeeded (job));
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);

  g_remove (zip);
}

/* --expire-after N: the (N+1)th signed request hears "Token expired". */
static void
test_expire_after (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;

  account = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                            CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID,
                            CD_SANDBOX_DEFAULT_USER_KEY);
  client = cd_account_create_client (account, &error);
  cd_sandbox_set_expire_after (f->sandbox, 2);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonObject) me = NULL;

      cd_client_whoami_async (client, NULL, store_result_cb, &result);
      me = cd_client_whoami_finish (client, await (&result), &error);
      if (i < 2)
        g_assert_no_error (error);
      else
        g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);
      g_clear_error (&error);
    }
}

/* POST /_sandbox/expire: the same from outside the process. */
static void
test_expire_route (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *expire = g_strdup_printf ("%s/_sandbox/expire", cd_sandbox_get_url (f->sandbox));
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GError) error = NULL;

  account = cd_account_new (cd_sandbox_get_url (f->sandbox), CD_SANDBOX_DEFAULT_APP_ID,
                            CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_ID,
                            CD_SANDBOX_DEFAULT_USER_KEY);
  client = cd_account_create_client (account, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (status_of (f, "GET", expire, NULL), ==, 404);
  g_assert_cmpuint (status_of (f, "POST", expire, ""), ==, 200);

  cd_client_whoami_async (client, NULL, store_result_cb, &result);
  me = cd_client_whoami_finish (client, await (&result), &error);
  g_assert_null (me);
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED);
}

int
main (int   argc,
      char *argv[])
{
  signin_test_init (&argc, &argv);

#define ADD(path, setup, func) \
  g_test_add ("/signin/" path, Fixture, setup, fixture_setup, func, fixture_teardown)

  ADD ("account/manual-keys", &auto_approve, test_manual_keys);
  ADD ("account/environment-or-saved", &auto_approve, test_environment_or_saved);
  ADD ("expiry/resume", &auto_approve, test_expired_resume);
  ADD ("expiry/after", &auto_approve, test_expire_after);
  ADD ("expiry/route", &auto_approve, test_expire_route);

#undef ADD

  return g_test_run ();
}
