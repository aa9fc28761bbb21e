/* test-window.c: the main window builds, shows its states and goes away
 *
 * A quick headless check (run under tests/gui/with-xvfb.sh) for template
 * errors and leaks; the end-to-end behaviour is drive.py's job.
 *
 * No test may make GLib, GTK, libadwaita or Coursedrop log a CRITICAL or a
 * WARNING.  G_DEBUG=fatal-warnings (meson.build) aborts at the first one;
 * each test's teardown also fails on any that was logged, so the rule holds
 * when the test runs by hand without G_DEBUG.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cd-account-window.h"
#include "cd-job-list.h"
#include "cd-sandbox.h"
#include "cd-track-job-dialog.h"
#include "cd-window-private.h"

/* The CRITICALs and WARNINGs logged since the current test began. */
static GPtrArray *logged_problems;

static GLogWriterOutput
record_problems_writer (GLogLevelFlags   level,
                        const GLogField *fields,
                        gsize            n_fields,
                        gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      const char *domain = NULL;
      const char *message = NULL;

      for (gsize i = 0; i < n_fields; i++)
        {
          if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
            domain = fields[i].value;
          else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
            message = fields[i].value;
        }
      g_ptr_array_add (logged_problems,
                       g_strdup_printf ("%s-%s **: %s", domain != NULL ? domain : "**",
                                        level & G_LOG_LEVEL_WARNING ? "WARNING" : "CRITICAL",
                                        message != NULL ? message : ""));
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

typedef struct
{
  int unused;
} LogCheck;

static void
log_check_setup (LogCheck      *check,
                 gconstpointer  data)
{
  g_ptr_array_set_size (logged_problems, 0);
}

static void
log_check_teardown (LogCheck      *check,
                    gconstpointer  data)
{
  for (guint i = 0; i < logged_problems->len; i++)
    g_test_message ("logged: %s", (const char *) g_ptr_array_index (logged_problems, i));
  g_assert_cmpuint (logged_problems->len, ==, 0);
}

#define add_test(path, func) \
  g_test_add (path, LogCheck, NULL, log_check_setup, func, log_check_teardown)

static void
flush (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const char *
visible_page (CdWindow *window)
{
  return gtk_stack_get_visible_child_name (window->stack);
}

static CdJobList *
create_job_list (void)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new ("app", "key", "user", "key");
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(CdJobList) jobs = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing listens there: the window must not need the network to show. */
  client = cd_client_new ("http://127.0.0.1:9", context, &error);
  g_assert_no_error (error);

  /* main() points XDG_DATA_HOME at a fresh dir: the journal starts empty. */
  journal = cd_job_journal_new (NULL);
  g_assert_true (cd_job_journal_load (journal, &error));
  g_assert_no_error (error);

  jobs = cd_job_list_new (client, journal);
  g_assert_true (cd_job_list_load (jobs, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&jobs);
}

static void
destroy_window (CdWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_window_no_account (LogCheck      *check,
                        gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));

  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  g_assert_cmpstr (visible_page (window), ==, "no-account");

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
  g_assert_false (gtk_widget_get_visible (window->sample_button));

  cd_window_set_sample_package (window, sample);
  g_assert_true (gtk_widget_get_visible (window->sample_button));

  /* The demo's spinner page, until the sandbox answers. */
  cd_window_set_starting (window, TRUE);
  g_assert_cmpstr (visible_page (window), ==, "starting");
  cd_window_set_starting (window, FALSE);
  g_assert_cmpstr (visible_page (window), ==, "empty");

  cd_window_set_failure (window, "The Job History Could Not Be Read", "Details");
  g_assert_cmpstr (visible_page (window), ==, "failure");
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

/* The first descendant of @root that is a @type whose label is @label. */
static GtkWidget *
find_labelled (GtkWidget  *root,
               GType       type,
               const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    {
      const char *text = GTK_IS_BUTTON (root) ? gtk_button_get_label (GTK_BUTTON (root))
                                              : gtk_label_get_label (GTK_LABEL (root));

      if (g_strcmp0 (text, label) == 0)
        return root;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_labelled (child, type, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
shows (GtkWidget  *root,
       GType       type,
       const char *label)
{
  GtkWidget *widget = find_labelled (root, type, label);

  return widget != NULL && gtk_widget_is_visible (widget);
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

/* The entry row titled @title under @root. */
static GtkEditable *
find_row (GtkWidget  *root,
          const char *title)
{
  if (ADW_IS_ENTRY_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return GTK_EDITABLE (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkEditable *found = find_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The text of the visible error label under @root, or NULL. */
static const char *
shown_error (GtkWidget *root)
{
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, "error") &&
      gtk_widget_is_visible (root) && gtk_label_get_text (GTK_LABEL (root))[0] != '\0')
    return gtk_label_get_text (GTK_LABEL (root));

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found = shown_error (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
assert_error_shown (GtkWidget  *root,
                    const char *part)
{
  const char *shown = shown_error (root);

  g_assert_nonnull (shown);
  g_assert_nonnull (strstr (shown, part));
}

static void
count_track_cb (CdTrackJobDialog *dialog,
                gint64            offering,
                const char       *token,
                const char       *word,
                guint            *count)
{
  (*count)++;
}

static void
test_track_dialog_inline_errors (LogCheck      *check,
                                 gconstpointer  data)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new ("app", "key", "user", "key");
  g_autoptr(GError) error = NULL;
  /* Nothing listens there: Brightspace cannot be asked. */
  g_autoptr(CdClient) client = cd_client_new ("http://127.0.0.1:9", context, &error);
  CdTrackJobDialog *dialog = g_object_ref_sink (cd_track_job_dialog_new (NULL, client));
  gint64 give_up = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint tracked = 0;
  AdwMessageDialog *message = ADW_MESSAGE_DIALOG (dialog);
  GtkEditable *offering = find_row (GTK_WIDGET (dialog), "Course offering ID");
  GtkEditable *token = find_row (GTK_WIDGET (dialog), "Job token");
  g_autofree char *typed = NULL;

  gtk_window_present (GTK_WINDOW (dialog));
  flush (GTK_WIDGET (dialog));
  g_assert_nonnull (offering);
  g_assert_nonnull (token);

  /* Empty fields are not wrong yet, but there is nothing to track. */
  g_assert_null (shown_error (GTK_WIDGET (dialog)));
  g_assert_false (adw_message_dialog_get_response_enabled (message, "track"));

  gtk_editable_set_text (offering, "six");
  assert_error_shown (GTK_WIDGET (dialog), "digits only");
  gtk_editable_set_text (offering, "99999999999999999999");
  assert_error_shown (GTK_WIDGET (dialog), "too large");
  gtk_editable_set_text (offering, "6606");
  g_assert_null (shown_error (GTK_WIDGET (dialog)));

  gtk_editable_set_text (token, "../8840?x");
  assert_error_shown (GTK_WIDGET (dialog), "not a job token");
  g_assert_false (adw_message_dialog_get_response_enabled (message, "track"));

  gtk_editable_set_text (token, " 8840 ");
  g_assert_null (shown_error (GTK_WIDGET (dialog)));
  g_assert_true (adw_message_dialog_get_response_enabled (message, "track"));
  g_assert_cmpint (cd_track_job_dialog_get_offering_id (dialog), ==, 6606);
  typed = cd_track_job_dialog_dup_token (dialog);
  g_assert_cmpstr (typed, ==, "8840");

  /* Track asks Brightspace first: unreachable, the dialog stays and says
   * why beside the fields, and nothing is tracked. */
  cd_client_set_retry_policy (client, 1, 0, 0);
  cd_client_set_le_version (client, "1.67");
  g_signal_connect (dialog, "track", G_CALLBACK (count_track_cb), &tracked);
  /* Enter in a field, as the default response would. */
  g_signal_emit_by_name (token, "entry-activated");
  g_assert_false (adw_message_dialog_get_response_enabled (message, "track"));
  while (shown_error (GTK_WIDGET (dialog)) == NULL && g_get_monotonic_time () < give_up)
    g_main_context_iteration (NULL, TRUE);
  assert_error_shown (GTK_WIDGET (dialog), "refused the connection");
  g_assert_cmpuint (tracked, ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (adw_message_dialog_get_response_enabled (message, "track"));

  /* Escape (the window's close) still closes it. */
  gtk_window_close (GTK_WINDOW (dialog));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_cmpuint (tracked, ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The dialog keeps itself open for Track only: Cancel closes it. */
static void
test_track_dialog_cancel (LogCheck      *check,
                          gconstpointer  data)
{
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new ("app", "key", "user", "key");
  g_autoptr(GError) error = NULL;
  g_autoptr(CdClient) client = cd_client_new ("http://127.0.0.1:9", context, &error);
  CdTrackJobDialog *dialog = g_object_ref_sink (cd_track_job_dialog_new (NULL, client));
  GtkWidget *cancel;

  gtk_window_present (GTK_WINDOW (dialog));
  flush (GTK_WIDGET (dialog));
  cancel = find_button (GTK_WIDGET (dialog), "_Cancel");
  g_assert_nonnull (cancel);
  g_signal_emit_by_name (cancel, "clicked");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

static GtkWidget *find_type (GtkWidget *root, GType type);

static void
test_account_window_le_version (LogCheck      *check,
                                gconstpointer  data)
{
  CdAccountWindow *window = g_object_ref_sink (cd_account_window_new (NULL, NULL));
  /* The only GtkEntry: the version, in a row under Advanced. */
  GtkEditable *version = GTK_EDITABLE (find_type (GTK_WIDGET (window), GTK_TYPE_ENTRY));
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (version), ADW_TYPE_ACTION_ROW);

  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "Brightspace API version");
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  /* Said in the field's own row, never a CRITICAL from core. */
  gtk_editable_set_text (version, "banana");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "two numbers"));
  gtk_editable_set_text (version, "1.74");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  gtk_editable_set_text (version, "");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "Empty: the newest the server offers");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* A new account is OAuth 2.0, with the app's own redirect URI; the legacy
 * ID-Key fields show only when chosen. */
static void
test_account_window_kinds (LogCheck      *check,
                           gconstpointer  data)
{
  CdAccountWindow *window = g_object_ref_sink (cd_account_window_new (NULL, NULL));
  GtkEditable *client_id = find_row (GTK_WIDGET (window), "Client ID");
  GtkEditable *app_id = find_row (GTK_WIDGET (window), "App ID");
  GtkEditable *redirect = find_row (GTK_WIDGET (window), "Redirect URI");

  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (client_id)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (app_id)));
  g_assert_cmpstr (gtk_editable_get_text (redirect), ==, CD_ACCOUNT_WINDOW_DEFAULT_REDIRECT_URI);
  g_assert_true (cd_account_window_is_redirect (CD_ACCOUNT_WINDOW_DEFAULT_REDIRECT_URI
                                                "?code=1&state=2"));
  g_assert_true (cd_account_window_is_redirect ("IO.github.Coursedrop.coursedrop:/oauth"));
  g_assert_false (cd_account_window_is_redirect ("/home/dana/io.github.coursedrop.coursedrop:"));
  g_assert_false (cd_account_window_is_redirect ("https://example.com/oauth"));

  /* No sign-in waits: an answer is refused, in words, not with a CRITICAL. */
  g_assert_false (cd_account_window_finish_sign_in (window, "io.github.coursedrop.coursedrop:"
                                                            "/oauth?code=1&state=2"));
  assert_error_shown (GTK_WIDGET (window), "none is waiting");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The demo's Account view: who and where, the address whole on one line;
 * nothing to change or sign out of. */
static void
test_account_window_demo (LogCheck      *check,
                          gconstpointer  data)
{
  g_autoptr(CdAccount) account = cd_account_new ("http://127.0.0.1:41234", "DemoApp",
                                                 "demo-app-key", "DemoUser", "demo-user-key");
  CdAccountWindow *window = NULL;
  GtkWidget *row;

  window = g_object_ref_sink (cd_account_window_new (NULL, account));
  cd_account_window_set_demo (window, TRUE);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  row = find_labelled (GTK_WIDGET (window), GTK_TYPE_LABEL, "Signed in as user DemoUser");
  g_assert_nonnull (row);
  row = gtk_widget_get_ancestor (row, ADW_TYPE_ACTION_ROW);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_visible (row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "http://127.0.0.1:41234");
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (find_row (GTK_WIDGET (window),
                                                               "Brightspace address"))));
  g_assert_false (gtk_widget_is_visible (find_labelled (GTK_WIDGET (window), GTK_TYPE_BUTTON,
                                                        "Sign _Out")));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* A package file that cd_package_check() accepts: a local header, then the
 * end record of an empty archive. */
static char *
write_package (const char *dir)
{
  char *path = g_build_filename (dir, "Week 1.imscc", NULL);
  g_autofree char *data = g_malloc0 (4096);

  memcpy (data, "PK\003\004", 4);
  memcpy (data + 4096 - 22, "PK\005\006", 4);
  g_assert_true (g_file_set_contents (path, data, 4096, NULL));
  return path;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
focus_is_in (CdWindow  *window,
             GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static guint
n_items (CdJobList *jobs)
{
  return g_list_model_get_n_items (G_LIST_MODEL (jobs));
}

/* The button that started, retried or removed a job goes away with its
 * card or row; the keyboard focus must not go with it.  Remove only takes
 * the job off the list, and its toast's Undo brings it back. */
static void
test_window_focus_and_undo (LogCheck      *check,
                            gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  g_autofree char *dir = g_dir_make_tmp ("cd-test-window-XXXXXX", NULL);
  g_autofree char *path = write_package (dir);
  g_autoptr(CdJobRecord) record = cd_job_record_new ();
  g_autoptr(CdImportJob) failed = NULL;
  g_autofree char *id = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GtkWidget *row;

  /* An upload that failed before it got a token: nothing to duplicate. */
  record->host = g_strdup (cd_client_get_host (cd_job_list_get_client (jobs)));
  record->offering = 6606;
  record->package = g_strdup (path);
  record->started = g_date_time_new_now_utc ();
  record->finished = g_date_time_ref (record->started);
  record->error = g_strdup ("The upload failed.");
  id = g_strdup (record->id);
  cd_job_journal_add (cd_job_list_get_journal (jobs), record);
  failed = cd_import_job_new_for_record (cd_job_list_get_client (jobs),
                                         cd_job_list_get_journal (jobs), record);

  cd_window_set_job_list (window, jobs);
  cd_job_list_add (jobs, failed);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  /* Retry: a new upload, first in the list, with the focus. */
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->jobs_list, 0));
  g_signal_emit_by_name (row, "retry");
  while (n_items (jobs) < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (n_items (jobs), ==, 2);
  flush (GTK_WIDGET (window));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->jobs_list, 0));
  g_assert_true (focus_is_in (window, row));

  /* Remove the failed one (second): the focus goes to the row now last. */
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->jobs_list, 1));
  g_signal_emit_by_name (row, "remove");
  g_assert_cmpuint (n_items (jobs), ==, 1);
  flush (GTK_WIDGET (window));
  g_assert_true (focus_is_in (window,
                              GTK_WIDGET (gtk_list_box_get_row_at_index (window->jobs_list, 0))));

  /* Undo brings it back, into the journal too, with the focus. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-remove", "s", id);
  g_assert_cmpuint (n_items (jobs), ==, 2);
  {
    GPtrArray *records = cd_job_journal_get_records (cd_job_list_get_journal (jobs));
    gboolean found = FALSE;

    for (guint i = 0; i < records->len; i++)
      found |= g_strcmp0 (((CdJobRecord *)g_ptr_array_index (records, i))->id, id) == 0;
    g_assert_true (found);
  }
  flush (GTK_WIDGET (window));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->jobs_list, 0));
  g_assert_true (focus_is_in (window, row));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->jobs_list)));

  /* A second Undo of the same toast does nothing. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-remove", "s", id);
  g_assert_cmpuint (n_items (jobs), ==, 2);

  while (n_items (jobs) > 0)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (jobs), 0);

      g_assert_true (cd_job_list_remove (jobs, job, NULL));
    }
  while (cd_job_journal_is_saving (cd_job_list_get_journal (jobs)))
    g_main_context_iteration (NULL, TRUE);
  destroy_window (window);

  g_unlink (path);
  g_rmdir (dir);
}

/* The demo's sample card suggests an offering: selected, so that typing
 * replaces it. */
static void
test_window_sample_selected (LogCheck      *check,
                             gconstpointer  data)
{
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  g_autoptr(CdJobList) jobs = create_job_list ();
  g_autofree char *dir = g_dir_make_tmp ("cd-test-window-XXXXXX", NULL);
  g_autofree char *path = write_package (dir);
  g_autoptr(GFile) sample = g_file_new_for_path (path);
  GtkWidget *card;
  GtkWidget *text = NULL;
  int start = -1, end = -1;

  cd_window_set_job_list (window, jobs);
  cd_window_set_sample_package (window, sample);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.try-sample", NULL);
  flush (GTK_WIDGET (window));
  card = gtk_widget_get_first_child (GTK_WIDGET (window->pending_box));
  g_assert_nonnull (card);
  text = find_type (card, GTK_TYPE_TEXT);
  g_assert_nonnull (text);
  g_assert_true (GTK_IS_EDITABLE (text));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (text)), ==, "6606");
  g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (text), &start, &end));
  g_assert_cmpint (MIN (start, end), ==, 0);
  g_assert_cmpint (MAX (start, end), ==, 4);

  destroy_window (window);
  g_unlink (path);
  g_rmdir (dir);
}

/* The first label under @root whose text starts with @prefix, or NULL. */
static const char *
label_with_prefix (GtkWidget  *root,
                   const char *prefix)
{
  if (GTK_IS_LABEL (root) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return gtk_label_get_text (GTK_LABEL (root));

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found = label_with_prefix (child, prefix);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* When the duplicate guard must read the whole package (an earlier import
 * of that offering may hold the same content), the card says so, with how
 * far it got, instead of showing nothing; then the import starts. */
static void
test_window_guard_progress (LogCheck      *check,
                            gconstpointer  data)
{
  static const char checking[] = "Checking whether this package was imported before… ";
  g_autoptr(CdSandbox) sandbox = cd_sandbox_new ();
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(CdJobList) jobs = NULL;
  g_autoptr(CdJobRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cd-test-window-XXXXXX", NULL);
  g_autofree char *journal_path = g_build_filename (dir, "jobs.json", NULL);
  g_autofree char *path = write_package (dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CdWindow *window = g_object_ref (cd_window_new (NULL));
  CdNewImport *card;
  const char *shown;

  g_assert_true (cd_sandbox_listen (sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);
  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  client = cd_client_new (cd_sandbox_get_url (sandbox), context, &error);
  g_assert_no_error (error);
  journal = cd_job_journal_new (journal_path);
  g_assert_true (cd_job_journal_load (journal, &error));
  jobs = cd_job_list_new (client, journal);
  g_assert_true (cd_job_list_load (jobs, &error));

  /* An import into 6606 recorded before quick keys: only its digest (of
   * other content) can tell. */
  record = cd_job_record_new ();
  record->host = g_strdup (cd_client_get_host (client));
  record->offering = 6606;
  record->token = g_strdup ("8840");
  record->sha256 = g_strnfill (64, '0');
  record->bytes = -1;
  record->started = g_date_time_new_now_utc ();
  record->finished = g_date_time_new_now_utc ();
  cd_job_journal_add (journal, record);

  cd_window_set_job_list (window, jobs);
  gtk_window_present (GTK_WINDOW (window));
  flush (GTK_WIDGET (window));

  g_assert_true (cd_window_add_file (window, file));
  card = CD_NEW_IMPORT (gtk_widget_get_first_child (GTK_WIDGET (window->pending_box)));
  cd_new_import_set_offering_id (card, 6606);
  while (!cd_new_import_get_ready (card))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (label_with_prefix (GTK_WIDGET (card), checking));

  _cd_window_import_card (window, card);
  shown = label_with_prefix (GTK_WIDGET (card), checking);
  g_assert_nonnull (shown);
  g_assert_true (g_str_has_suffix (shown, " %"));

  /* Other content: no question, the import starts and the card goes. */
  while (window->n_pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 1);

  cd_window_set_job_list (window, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (jobs)); i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (jobs), i);

      cd_import_job_stop (job);
    }
  destroy_window (window);
  while (cd_job_journal_is_saving (journal))
    g_main_context_iteration (NULL, TRUE);
  g_unlink (journal_path);
  g_unlink (path);
  g_rmdir (dir);
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

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  g_autofree char *data_home = NULL;
  int status;

  /* gtk_test_init() aborts without a display: skip instead. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under tests/gui/with-xvfb.sh)\n");
      return 0;
    }

  /* A private HOME and data dir, but the system's XDG_DATA_DIRS: icons and
   * MIME data must stay reachable (G_TEST_OPTION_ISOLATE_DIRS hides them). */
  home = g_dir_make_tmp ("cd-test-window-home-XXXXXX", NULL);
  g_assert_nonnull (home);
  data_home = g_build_filename (home, "data", NULL);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);

  logged_problems = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (record_problems_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  add_test ("/gui/window/no-account", test_window_no_account);
  add_test ("/gui/window/empty", test_window_empty);
  add_test ("/gui/window/empty-action", test_window_empty_action);
  add_test ("/gui/window/add-files", test_window_add_files);
  add_test ("/gui/window/attention", test_window_attention);
  add_test ("/gui/window/outcome-unknown", test_window_outcome_unknown);
  add_test ("/gui/window/journal-banner", test_window_journal_banner);
  add_test ("/gui/window/focus-and-undo", test_window_focus_and_undo);
  add_test ("/gui/window/sample-selected", test_window_sample_selected);
  add_test ("/gui/window/guard-progress", test_window_guard_progress);
  add_test ("/gui/window/narrow", test_window_narrow);
  add_test ("/gui/track-dialog/inline-errors", test_track_dialog_inline_errors);
  add_test ("/gui/track-dialog/cancel", test_track_dialog_cancel);
  add_test ("/gui/account-window/le-version", test_account_window_le_version);
  add_test ("/gui/account-window/kinds", test_account_window_kinds);
  add_test ("/gui/account-window/demo", test_account_window_demo);

  status = g_test_run ();
  g_ptr_array_unref (logged_problems);

  remove_tree (home);
  return status;
}
