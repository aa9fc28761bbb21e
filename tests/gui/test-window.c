/* test-window.c: the main window builds, shows its states and goes away
 *
 * A quick headless check (run under tests/gui/with-xvfb.sh) for template
 * errors and leaks; the end-to-end behaviour is drive.py's job.  Jobs in
 * the window are in test-window-jobs.c, its dialogs in test-dialogs.c.
 *
 * No test may make GLib, GTK, libadwaita or Coursedrop log a CRITICAL or a
 * WARNING.  G_DEBUG=fatal-warnings (meson.build) aborts at the first one;
 * each test's teardown also fails on any that was logged, so the rule holds
 * when the test runs by hand without G_DEBUG (see test-window-util.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "test-window-util.h"

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* TRUE once @widget is visible; FALSE when it is not within two seconds. */
static gboolean
wait_until_visible (GtkWidget *widget)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (2000, timed_out_cb, &timed_out);

  while (!timed_out && !gtk_widget_get_visible (widget))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);
  return !timed_out;
}

static void
test_window_no_account (LogCheck      *check,
                        gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));

  /* Not on screen yet: no icon is loaded for the page it would show. */
  g_assert_cmpstr (visible_page (window), ==, "no-account");
  g_assert_null (adw_status_page_get_icon_name (window->no_account_page));

  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  g_assert_cmpstr (visible_page (window), ==, "no-account");
  g_assert_cmpstr (adw_status_page_get_icon_name (window->no_account_page), ==,
                   "network-server-symbolic");
  /* Pages not shown yet load no icon (see show_page_icon). */
  g_assert_null (adw_status_page_get_icon_name (window->empty_page));
  g_assert_null (adw_status_page_get_icon_name (window->failure_page));

  destroy_window (window);
}

static void
test_window_empty (LogCheck      *check,
                   gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  g_autoptr(GFile) sample = g_file_new_for_path ("/nonexistent/sample.imscc");
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(GError) error = NULL;

  cd_window_set_job_list (window, jobs);
  cd_window_set_subtitle (window, "dana.demo on school.brightspace.com");
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  g_assert_cmpstr (visible_page (window), ==, "empty");
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (window->empty_page)));
  g_assert_cmpstr (adw_status_page_get_icon_name (window->empty_page), ==,
                   "folder-download-symbolic");
  g_assert_false (gtk_widget_get_visible (window->sample_button));

  cd_window_set_sample_package (window, sample);
  g_assert_true (gtk_widget_get_visible (window->sample_button));

  /* The demo's spinner page, until the sandbox answers; the spinner
   * itself once the wait is long enough to notice. */
  cd_window_set_starting (window, TRUE);
  g_assert_cmpstr (visible_page (window), ==, "starting");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->starting_spinner)));
  g_assert_true (wait_until_visible (GTK_WIDGET (window->starting_spinner)));
  g_assert_true (gtk_spinner_get_spinning (window->starting_spinner));
  cd_window_set_starting (window, FALSE);
  g_assert_cmpstr (visible_page (window), ==, "empty");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->starting_spinner)));
  g_assert_false (gtk_spinner_get_spinning (window->starting_spinner));
  /* A short wait shows none. */
  cd_window_set_starting (window, TRUE);
  flush (GTK_WIDGET (window));
  cd_window_set_starting (window, FALSE);
  g_assert_false (wait_until_visible (GTK_WIDGET (window->starting_spinner)));

  g_assert_null (adw_status_page_get_icon_name (window->failure_page));
  cd_window_set_failure (window, "The Job History Could Not Be Read", "Details");
  g_assert_cmpstr (visible_page (window), ==, "failure");
  g_assert_cmpstr (adw_status_page_get_icon_name (window->failure_page), ==,
                   "dialog-error-symbolic");
  cd_window_set_failure (window, NULL, NULL);
  g_assert_cmpstr (visible_page (window), ==, "empty");

  /* Setting the same list again keeps following it. */
  cd_window_set_job_list (window, jobs);
  job = cd_import_job_new_for_token (cd_job_list_get_client (jobs), cd_job_list_get_journal (jobs),
                                     6606, "8840");
  cd_job_list_add (jobs, job);
  g_assert_cmpstr (visible_page (window), ==, "jobs");
  g_assert_true (gtk_widget_get_visible (window->jobs_section));
  g_assert_nonnull (gtk_list_box_get_row_at_index (window->jobs_list, 0));
  g_assert_true (cd_window_show_job (window, "8840"));
  g_assert_false (cd_window_show_job (window, "1"));

  g_assert_true (cd_job_list_remove (jobs, job, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (visible_page (window), ==, "empty");

  destroy_window (window);
}

static void
test_window_add_files (LogCheck      *check,
                       gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  g_autofree char *dir = g_dir_make_tmp ("cd-test-window-XXXXXX", NULL);
  g_autofree char *zip_path = g_build_filename (dir, "Week 1.imscc", NULL);
  g_autofree char *text_path = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(GFile) zip = g_file_new_for_path (zip_path);
  g_autoptr(GFile) text = g_file_new_for_path (text_path);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  static const char zip_bytes[] = "PK\x05\x06" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

  g_assert_true (g_file_set_contents (zip_path, zip_bytes, sizeof zip_bytes - 1, NULL));
  g_assert_true (g_file_set_contents (text_path, "not a zip", -1, NULL));

  cd_window_set_job_list (window, jobs);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  /* Refused, each with a toast, once the check in the background knows:
   * a folder and a file that is not a zip.  Until then each is a card. */
  g_assert_true (cd_window_add_file (window, folder));
  g_assert_true (cd_window_add_file (window, text));
  g_assert_cmpuint (window->n_pending, ==, 2);
  while (window->n_pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (visible_page (window), ==, "empty");

  g_assert_true (cd_window_add_file (window, zip));
  g_assert_cmpuint (window->n_pending, ==, 1);
  g_assert_cmpstr (visible_page (window), ==, "jobs");
  g_assert_true (gtk_widget_get_visible (window->pending_section));
  g_assert_false (gtk_widget_get_visible (window->jobs_section));

  /* The same file twice is one pending import. */
  cd_window_add_file (window, zip);
  g_assert_cmpuint (window->n_pending, ==, 1);

  flush (GTK_WIDGET (window));
  destroy_window (window);

  g_unlink (zip_path);
  g_unlink (text_path);
  g_rmdir (dir);
}

/* The empty page leads somewhere: its primary action opens packages. */
static void
test_window_empty_action (LogCheck      *check,
                          gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  GtkWidget *open;

  cd_window_set_job_list (window, jobs);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  g_assert_cmpstr (visible_page (window), ==, "empty");
  open = find_labelled (GTK_WIDGET (window->empty_page), GTK_TYPE_BUTTON,
                        "_Open Course Packages…");
  g_assert_nonnull (open);
  g_assert_true (gtk_widget_is_visible (open));
  g_assert_true (gtk_widget_has_css_class (open, "suggested-action"));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (open)), ==, "win.open");
  /* One suggested action: the sample, in the demo, is the second choice. */
  g_assert_false (gtk_widget_has_css_class (window->sample_button, "suggested-action"));

  destroy_window (window);
}

/* A job nobody answers needs attention; the row says so and why, and its
 * Try Again follows the job again. */
static void
test_window_attention (LogCheck      *check,
                       gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  g_autoptr(CdImportJob) job = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GtkWidget *row;

  cd_window_set_job_list (window, jobs);
  gtk_window_present (GTK_WINDOW (window));
  job = cd_import_job_new_for_token (cd_job_list_get_client (jobs), cd_job_list_get_journal (jobs),
                                     6606, "8840");
  cd_import_job_set_poll_interval (job, 10, 20);
  cd_job_list_add (jobs, job);
  cd_import_job_start (job);
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->jobs_list, 0));
  g_assert_false (shows (row, GTK_TYPE_LABEL, "Needs attention"));
  g_assert_false (shows (row, GTK_TYPE_BUTTON, "_Try Again"));

  /* Port 9 refuses: a few polls later the job needs attention. */
  while (cd_import_job_get_attention (job) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (cd_import_job_get_attention (job));
  g_assert_false (cd_import_job_is_running (job));
  flush (GTK_WIDGET (window));
  g_assert_true (shows (row, GTK_TYPE_LABEL, "Needs attention"));
  g_assert_true (shows (row, GTK_TYPE_LABEL, cd_import_job_get_attention (job)->message));
  g_assert_true (shows (row, GTK_TYPE_BUTTON, "_Try Again"));
  g_assert_false (shows (row, GTK_TYPE_BUTTON, "_Check in Brightspace"));

  g_signal_emit_by_name (find_labelled (row, GTK_TYPE_BUTTON, "_Try Again"), "clicked");
  g_assert_true (cd_import_job_is_running (job));
  g_assert_null (cd_import_job_get_attention (job));
  g_assert_false (shows (row, GTK_TYPE_LABEL, "Needs attention"));
  g_assert_false (shows (row, GTK_TYPE_BUTTON, "_Try Again"));

  /* Forgotten, so that the next tests' lists do not follow it. */
  g_assert_true (cd_job_list_remove (jobs, job, NULL));
  while (cd_job_journal_is_saving (cd_job_list_get_journal (jobs)))
    g_main_context_iteration (NULL, TRUE);
  destroy_window (window);
}

/* An upload whose outcome is unknown, as a later start finds it (still
 * unfinished, its status word saying so): it needs attention, but has no
 * token to follow: the row offers to look. */
static void
test_window_outcome_unknown (LogCheck      *check,
                             gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  g_autoptr(CdJobRecord) record = cd_job_record_new ();
  g_autoptr(CdImportJob) job = NULL;
  GtkWidget *row;

  record->host = g_strdup (cd_client_get_host (cd_job_list_get_client (jobs)));
  record->offering = 6606;
  record->package = g_strdup ("/nonexistent/Week 1.imscc");
  record->status = g_strdup ("OUTCOME_UNKNOWN");
  record->started = g_date_time_new_now_utc ();
  record->error = g_strdup ("The upload was sent whole, but Brightspace never answered.");
  job = cd_import_job_new_for_record (cd_job_list_get_client (jobs), NULL, record);

  cd_window_set_job_list (window, jobs);
  cd_job_list_add (jobs, job);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->jobs_list, 0));

  g_assert_true (shows (row, GTK_TYPE_LABEL, "Needs attention"));
  g_assert_true (shows (row, GTK_TYPE_BUTTON, "_Check in Brightspace"));
  g_assert_false (shows (row, GTK_TYPE_BUTTON, "_Try Again"));
  g_assert_false (shows (row, GTK_TYPE_LABEL, record->error));
  g_assert_false (shows (row, GTK_TYPE_LABEL, "OUTCOME_UNKNOWN"));

  destroy_window (window);
}

/* A journal that cannot be written is a banner, until a save succeeds. */
static void
test_window_journal_banner (LogCheck      *check,
                            gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  CdJobJournal *journal = cd_job_list_get_journal (jobs);
  g_autofree char *lock = g_strconcat (cd_job_journal_get_path (journal), ".lock", NULL);
  g_autofree char *folder = g_path_get_dirname (cd_job_journal_get_path (journal));

  cd_window_set_job_list (window, jobs);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->journal_revealer)));

  /* Root writes anywhere: a folder in the way of the lock file stops it. */
  g_unlink (lock);
  g_assert_cmpint (g_mkdir_with_parents (lock, 0700), ==, 0);
  cd_job_journal_save_async (journal, NULL, NULL, NULL);
  while (cd_job_journal_get_write_error (journal) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->journal_revealer)));
  g_assert_true (gtk_revealer_get_reveal_child (window->journal_revealer));
  g_assert_nonnull (strstr (gtk_label_get_label (window->journal_label), folder));

  g_assert_cmpint (g_rmdir (lock), ==, 0);
  g_signal_emit_by_name (find_labelled (GTK_WIDGET (window->journal_revealer), GTK_TYPE_BUTTON,
                                        "_Save Again"), "clicked");
  while (cd_job_journal_get_write_error (journal) != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gtk_revealer_get_reveal_child (window->journal_revealer));

  /* The sign-in banner comes and goes the same way. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->expired_revealer)));
  cd_window_set_sign_in_expired (window, TRUE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->expired_revealer)));
  g_assert_true (gtk_revealer_get_reveal_child (window->expired_revealer));
  cd_window_set_sign_in_expired (window, FALSE);
  g_assert_false (gtk_revealer_get_reveal_child (window->expired_revealer));

  destroy_window (window);
}

/* A phone-sized window (360 px, the metainfo's promise) stays that wide
 * with a job whose title is long and whose row shows every button. */
static void
test_window_narrow (LogCheck      *check,
                    gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  g_autoptr(CdJobRecord) record = cd_job_record_new ();
  g_autoptr(CdImportJob) job = NULL;
  g_autoptr(CdJobRecord) unknown = cd_job_record_new ();
  g_autoptr(CdImportJob) unknown_job = NULL;
  int minimum = 0, natural = 0;

  record->host = g_strdup (cd_client_get_host (cd_job_list_get_client (jobs)));
  record->offering = 6606;
  record->offering_name = g_strdup ("Introduction to Comparative Vertebrate Anatomy and Physiology");
  record->token = g_strdup ("88400000000000000000");
  record->package = g_strdup ("/nonexistent/Semester_Archive_Complete_With_All_Quizzes_2024.imscc");
  record->status = g_strdup ("IMPORTFAILED");
  record->started = g_date_time_new_now_utc ();
  record->finished = g_date_time_ref (record->started);
  record->error = g_strdup ("Import failed: a long reason that wraps over several lines.");
  job = cd_import_job_new_for_record (cd_job_list_get_client (jobs), NULL, record);

  /* And one that needs attention: its row has a line of buttons more. */
  unknown->host = g_strdup (record->host);
  unknown->offering = 6606;
  unknown->offering_name = g_strdup (record->offering_name);
  unknown->package = g_strdup (record->package);
  unknown->status = g_strdup ("OUTCOME_UNKNOWN");
  unknown->started = g_date_time_new_now_utc ();
  unknown_job = cd_import_job_new_for_record (cd_job_list_get_client (jobs), NULL, unknown);

  cd_window_set_job_list (window, jobs);
  cd_job_list_add (jobs, job);
  cd_job_list_add (jobs, unknown_job);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, &natural, NULL, NULL);
  g_test_message ("minimum width %d", minimum);
  g_assert_cmpint (minimum, <=, 360);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  char *home = test_gui_init (&argc, &argv);

  if (home == NULL)
    return 0;

  add_test ("/gui/window/no-account", test_window_no_account);
  add_test ("/gui/window/empty", test_window_empty);
  add_test ("/gui/window/empty-action", test_window_empty_action);
  add_test ("/gui/window/add-files", test_window_add_files);
  add_test ("/gui/window/attention", test_window_attention);
  add_test ("/gui/window/outcome-unknown", test_window_outcome_unknown);
  add_test ("/gui/window/journal-banner", test_window_journal_banner);
  add_test ("/gui/window/narrow", test_window_narrow);

  return test_gui_run (home);
}
