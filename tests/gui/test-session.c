/* test-session.c: CdSession, the signed-in session the window shows
 *
 * Against the in-process sandbox over loopback: connecting, signing in
 * again on the same site (the jobs stay), signing out, an expired sign-in,
 * a journal that cannot be read, and an untrusted certificate that is
 * then trusted.  No display is needed: the session knows no widgets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "cd-sandbox.h"
#include "cd-session.h"

typedef struct
{
  CdSandbox         *sandbox;
  CdSession         *session;
  char              *dir;
  char              *journal;
  CdCertificateInfo *untrusted;   /* the last "untrusted-certificate" */
  guint              n_changed;   /* "account-changed" */
  guint              n_expired;   /* "expired" */
  guint              n_messages;  /* "message" */
} Fixture;

static void
account_changed_cb (CdSession *session,
                    Fixture   *fixture)
{
  fixture->n_changed++;
}

static void
expired_cb (CdSession *session,
            Fixture   *fixture)
{
  fixture->n_expired++;
}

static void
message_cb (CdSession  *session,
            const char *message,
            Fixture    *fixture)
{
  g_test_message ("message: %s", message);
  fixture->n_messages++;
}

static void
untrusted_cb (CdSession         *session,
              CdCertificateInfo *info,
              Fixture           *fixture)
{
  g_clear_pointer (&fixture->untrusted, cd_certificate_info_unref);
  fixture->untrusted = cd_certificate_info_ref (info);
}

static void
set_up (Fixture       *fixture,
        gconstpointer  data)
{
  gboolean tls = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  fixture->sandbox = cd_sandbox_new ();
  g_assert_true (cd_sandbox_listen (fixture->sandbox, 0, tls, NULL, &error));
  g_assert_no_error (error);

  fixture->dir = g_dir_make_tmp ("cd-test-session-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->journal = g_build_filename (fixture->dir, "jobs.json", NULL);

  fixture->session = cd_session_new (FALSE);
  g_signal_connect (fixture->session, "account-changed", G_CALLBACK (account_changed_cb), fixture);
  g_signal_connect (fixture->session, "expired", G_CALLBACK (expired_cb), fixture);
  g_signal_connect (fixture->session, "message", G_CALLBACK (message_cb), fixture);
  g_signal_connect (fixture->session, "untrusted-certificate", G_CALLBACK (untrusted_cb), fixture);
}

static const char * const account_variables[] = {
  "COURSEDROP_HOST", "COURSEDROP_APP_ID", "COURSEDROP_APP_KEY",
  "COURSEDROP_USER_ID", "COURSEDROP_USER_KEY", "COURSEDROP_CA_FILE",
};

static gboolean
keep_ticking (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
tear_down (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  CdSession *session = fixture->session;
  const char *name;

  /* Closing cancels whoami; its callback still holds the session until
   * the main loop runs it. */
  guint tick;

  cd_session_close (session);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *)&session);
  g_clear_object (&fixture->session);
  /* The tick wakes the loop, so the deadline holds even when nothing else
   * happens: a leak fails here instead of hanging until meson's timeout. */
  tick = g_timeout_add (100, keep_ticking, NULL);
  while (session != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_null (session);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);

  for (guint i = 0; i < G_N_ELEMENTS (account_variables); i++)
    g_unsetenv (account_variables[i]);

  g_clear_pointer (&fixture->untrusted, cd_certificate_info_unref);
  g_clear_object (&fixture->sandbox);
  g_clear_pointer (&fixture->journal, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

static CdAccount *
demo_account (Fixture *fixture)
{
  return cd_account_new (cd_sandbox_get_url (fixture->sandbox),
                         CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                         CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
}

static gboolean
subtitle_has_prefix (CdSession  *session,
                     const char *prefix)
{
  const char *subtitle = cd_session_get_subtitle (session);

  return subtitle != NULL && g_str_has_prefix (subtitle, prefix);
}

/* Runs the main loop until whoami has named the user, for 10 s at most. */
static void
wait_for_user (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (!subtitle_has_prefix (fixture->session, "dana.demo on ") &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_connect_sign_in_out (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(CdAccount) account = demo_account (fixture);
  g_autoptr(CdAccount) again = demo_account (fixture);
  g_autofree char *host = g_strdup (cd_sandbox_get_url (fixture->sandbox) + strlen ("http://"));
  CdJobList *jobs;
  CdClient *client;

  cd_session_connect (fixture->session, account, fixture->journal, NULL);
  g_assert_cmpuint (fixture->n_changed, ==, 1);
  g_assert_true (cd_session_get_account (fixture->session) == account);
  g_assert_nonnull (cd_session_get_client (fixture->session));
  g_assert_nonnull ((jobs = cd_session_get_jobs (fixture->session)));
  g_assert_null (cd_session_get_failure_title (fixture->session));
  /* No name yet: the address, until whoami answers. */
  g_assert_cmpstr (cd_session_get_subtitle (fixture->session), ==, host);

  wait_for_user (fixture);
  g_assert_true (subtitle_has_prefix (fixture->session, "dana.demo on "));
  g_assert_true (g_str_has_suffix (cd_session_get_subtitle (fixture->session), host));
  g_assert_false (cd_session_get_expired (fixture->session));
  g_assert_cmpuint (fixture->n_messages, ==, 0);

  /* Signed in again on the same site: the same jobs, a new client. */
  client = cd_session_get_client (fixture->session);
  cd_session_sign_in (fixture->session, again);
  g_assert_cmpuint (fixture->n_changed, ==, 2);
  g_assert_true (cd_session_get_account (fixture->session) == again);
  g_assert_true (cd_session_get_jobs (fixture->session) == jobs);
  g_assert_true (cd_session_get_client (fixture->session) != client);
  g_assert_true (cd_job_list_get_client (jobs) == cd_session_get_client (fixture->session));

  cd_session_sign_out (fixture->session);
  g_assert_cmpuint (fixture->n_changed, ==, 3);
  g_assert_null (cd_session_get_jobs (fixture->session));
  g_assert_null (cd_session_get_client (fixture->session));
  g_assert_null (cd_session_get_subtitle (fixture->session));
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* A checked package in the test's folder, with its SHA-256. */
static CdPackage *
create_package (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->dir, "Week 1.imscc", NULL);
  g_autofree char *data = g_malloc0 (4096);
  g_autoptr(GFile) file = NULL;
  g_autoptr(CdPackage) package = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  memcpy (data, "PK\003\004", 4);
  /* The end record of an empty archive: cd-package checks the structure. */
  memcpy (data + 4096 - 22, "PK\005\006", 4);
  g_assert_true (g_file_set_contents (path, data, 4096, NULL));
  file = g_file_new_for_path (path);
  package = cd_package_new (file);
  cd_package_check_async (package, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cd_package_check_finish (package, result, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&package);
}

/* Runs the main loop for @ms milliseconds. */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* Runs the main loop until the sandbox answered more than @count requests. */
static void
wait_for_requests (Fixture *fixture,
                   guint    count)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (cd_sandbox_get_request_count (fixture->sandbox) <= count &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cd_sandbox_get_request_count (fixture->sandbox), >, count);
}

/* Nothing reaches the sandbox for a while. */
static void
assert_quiet (Fixture *fixture)
{
  guint before = cd_sandbox_get_request_count (fixture->sandbox);

  run_for (600);
  g_assert_cmpuint (cd_sandbox_get_request_count (fixture->sandbox), ==, before);
}

/* Signing out stops the account's jobs before any more requests go out
 * with its keys; they stay resumable.  A new sign-in on the same site
 * moves the polls to the new keys. */
static void
test_sign_out_stops_jobs (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(CdAccount) account = demo_account (fixture);
  g_autoptr(CdAccount) again = demo_account (fixture);
  g_autoptr(CdPackage) package = create_package (fixture);
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(GError) error = NULL;
  CdJobList *jobs;

  g_assert_true (cd_sandbox_set_timeline (fixture->sandbox,
                                          "UPLOADING:0.1,PROCESSING:60,COMPLETED", &error));
  g_assert_no_error (error);
  cd_session_connect (fixture->session, account, fixture->journal, NULL);
  jobs = cd_session_get_jobs (fixture->session);
  job = cd_import_job_new_for_package (cd_session_get_client (fixture->session),
                                       cd_job_list_get_journal (jobs), package, 6606);
  cd_import_job_set_poll_interval (job, 50, 100);
  cd_job_list_add (jobs, job);
  cd_import_job_start (job);
  while (cd_import_job_get_token (job) == NULL && cd_import_job_is_running (job))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (cd_import_job_get_token (job));
  wait_for_requests (fixture, cd_sandbox_get_request_count (fixture->sandbox));

  /* Sign Out pressed: stopped at once, resumable. */
  cd_session_stop_jobs (fixture->session);
  g_assert_false (cd_import_job_is_running (job));
  assert_quiet (fixture);
  /* The keyring would not let go of the keys: following again. */
  cd_session_resume_jobs (fixture->session);
  g_assert_true (cd_import_job_is_running (job));
  wait_for_requests (fixture, cd_sandbox_get_request_count (fixture->sandbox));

  /* Signed in again on the same site: the job polls with the new keys. */
  cd_session_sign_in (fixture->session, again);
  g_assert_true (cd_import_job_is_running (job));
  g_assert_true (cd_import_job_get_client (job) == cd_session_get_client (fixture->session));

  cd_session_sign_out (fixture->session);
  g_assert_false (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_finished (job));
  g_assert_null (cd_import_job_get_attention (job));
  g_assert_null (cd_import_job_get_record (job)->finished);
  assert_quiet (fixture);
}

static void
test_expired (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) expired = g_error_new_literal (CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED,
                                                   "Token expired");
  g_autoptr(GError) invalid = g_error_new_literal (CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN,
                                                   "Invalid token");
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "Other");
  g_autoptr(CdSession) demo = cd_session_new (TRUE);
  g_autoptr(CdAccount) account = demo_account (fixture);

  /* Neither an error nor one the session handles. */
  g_assert_false (cd_session_handle_error (fixture->session, NULL, NULL));
  g_assert_false (cd_session_handle_error (fixture->session, NULL, other));
  g_assert_cmpuint (fixture->n_expired, ==, 0);

  g_assert_true (cd_session_handle_error (fixture->session, NULL, expired));
  g_assert_true (cd_session_get_expired (fixture->session));
  g_assert_cmpuint (fixture->n_expired, ==, 1);
  /* Every request fails the same way: one "expired" for all of them. */
  g_assert_true (cd_session_handle_error (fixture->session, NULL, invalid));
  g_assert_cmpuint (fixture->n_expired, ==, 1);

  /* Signing in again ends it. */
  cd_session_connect (fixture->session, account, fixture->journal, NULL);
  cd_session_sign_in (fixture->session, account);
  g_assert_false (cd_session_get_expired (fixture->session));

  /* The demo's sandbox account does not expire. */
  g_assert_false (cd_session_handle_error (demo, NULL, expired));
  g_assert_false (cd_session_get_expired (demo));
}

static void
test_unreadable_journal (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(CdAccount) account = demo_account (fixture);

  /* A folder where the journal should be: it cannot be read. */
  g_assert_cmpint (g_mkdir (fixture->journal, 0700), ==, 0);

  cd_session_connect (fixture->session, account, fixture->journal, NULL);
  g_assert_cmpuint (fixture->n_changed, ==, 1);
  g_assert_cmpstr (cd_session_get_failure_title (fixture->session), ==,
                   "The Job History Could Not Be Read");
  g_assert_nonnull (cd_session_get_failure_text (fixture->session));
  g_assert_null (cd_session_get_jobs (fixture->session));

  g_rmdir (fixture->journal);
}

static void
test_untrusted_certificate (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(CdAccount) account = demo_account (fixture);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  g_assert_true (g_str_has_prefix (cd_sandbox_get_url (fixture->sandbox), "https://"));

  /* whoami meets the sandbox's self-signed certificate. */
  cd_session_connect (fixture->session, account, fixture->journal, NULL);
  while (fixture->untrusted == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (fixture->untrusted);
  g_assert_cmpuint (fixture->n_messages, ==, 0);
  g_assert_cmpuint (strlen (cd_certificate_info_get_sha256 (fixture->untrusted)), ==, 95);

  /* Trusted: connected again, and whoami gets through. */
  g_assert_true (cd_session_trust_certificate (fixture->session, fixture->untrusted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_changed, ==, 2);
  wait_for_user (fixture);
  g_assert_true (subtitle_has_prefix (fixture->session, "dana.demo on "));
  g_assert_cmpuint (fixture->n_messages, ==, 0);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  cd_session_load_finish (CD_SESSION (object), result);
  *done = TRUE;
}

/* cd_session_load_async() with the account of the sandbox in the
 * environment, @user_id left out when NULL. */
static void
load_from_environment (Fixture    *fixture,
                       const char *user_id)
{
  gboolean done = FALSE;

  g_setenv ("COURSEDROP_HOST", cd_sandbox_get_url (fixture->sandbox), TRUE);
  g_setenv ("COURSEDROP_APP_ID", CD_SANDBOX_DEFAULT_APP_ID, TRUE);
  g_setenv ("COURSEDROP_APP_KEY", CD_SANDBOX_DEFAULT_APP_KEY, TRUE);
  if (user_id != NULL)
    g_setenv ("COURSEDROP_USER_ID", user_id, TRUE);
  g_setenv ("COURSEDROP_USER_KEY", CD_SANDBOX_DEFAULT_USER_KEY, TRUE);

  cd_session_load_async (fixture->session, NULL, loaded_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_load_environment (Fixture       *fixture,
                       gconstpointer  data)
{
  load_from_environment (fixture, CD_SANDBOX_DEFAULT_USER_ID);

  g_assert_cmpuint (fixture->n_changed, ==, 1);
  g_assert_nonnull (cd_session_get_account (fixture->session));
  g_assert_cmpstr (cd_account_get_host (cd_session_get_account (fixture->session)), ==,
                   cd_sandbox_get_url (fixture->sandbox));
  g_assert_nonnull (cd_session_get_jobs (fixture->session));
  g_assert_null (cd_session_get_problem (fixture->session));
  g_assert_null (cd_session_get_failure_title (fixture->session));
  g_assert_null (cd_session_get_ca_file (fixture->session));
  wait_for_user (fixture);
  g_assert_true (subtitle_has_prefix (fixture->session, "dana.demo on "));
}

static void
test_load_ca_file (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *ca_file = g_build_filename (fixture->dir, "missing-ca.pem", NULL);

  /* Read once, at loading: a later change does not count. */
  g_setenv ("COURSEDROP_CA_FILE", ca_file, TRUE);
  load_from_environment (fixture, CD_SANDBOX_DEFAULT_USER_ID);
  g_setenv ("COURSEDROP_CA_FILE", "/elsewhere.pem", TRUE);

  /* Checked as the command line checks it: a problem that names the file. */
  g_assert_cmpstr (cd_session_get_ca_file (fixture->session), ==, ca_file);
  g_assert_nonnull (cd_session_get_problem (fixture->session));
  g_assert_nonnull (strstr (cd_session_get_problem (fixture->session), "missing-ca.pem"));
  g_assert_null (cd_session_get_jobs (fixture->session));
}

static void
test_load_half_user (Fixture       *fixture,
                     gconstpointer  data)
{
  /* A user key without a user ID: said, and nothing connects. */
  load_from_environment (fixture, NULL);

  g_assert_nonnull (cd_session_get_problem (fixture->session));
  g_assert_null (cd_session_get_account (fixture->session));
  g_assert_null (cd_session_get_jobs (fixture->session));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/gui/session/connect-sign-in-out", Fixture, GINT_TO_POINTER (FALSE),
              set_up, test_connect_sign_in_out, tear_down);
  g_test_add ("/gui/session/sign-out-stops-jobs", Fixture, GINT_TO_POINTER (FALSE),
              set_up, test_sign_out_stops_jobs, tear_down);
  g_test_add ("/gui/session/expired", Fixture, GINT_TO_POINTER (FALSE),
              set_up, test_expired, tear_down);
  g_test_add ("/gui/session/unreadable-journal", Fixture, GINT_TO_POINTER (FALSE),
              set_up, test_unreadable_journal, tear_down);
  g_test_add ("/gui/session/load-environment", Fixture, GINT_TO_POINTER (FALSE),
              set_up, test_load_environment, tear_down);
  g_test_add ("/gui/session/load-ca-file", Fixture, GINT_TO_POINTER (FALSE),
              set_up, test_load_ca_file, tear_down);
  g_test_add ("/gui/session/load-half-user", Fixture, GINT_TO_POINTER (FALSE),
              set_up, test_load_half_user, tear_down);
  g_test_add ("/gui/session/untrusted-certificate", Fixture, GINT_TO_POINTER (TRUE),
              set_up, test_untrusted_certificate, tear_down);

  return g_test_run ();
}
