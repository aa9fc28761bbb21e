/* test-window-jobs.c: jobs in the main window, headless
 *
 * The keyboard focus when a job starts, is retried or removed, and its
 * undo; the demo's sample card; the duplicate guard's progress while it
 * reads a whole package.  Run under tests/gui/with-xvfb.sh.
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

#include "cd-sandbox.h"
#include "test-window-util.h"

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

int
main (int   argc,
      char *argv[])
{
  char *home = test_gui_init (&argc, &argv);

  if (home == NULL)
    return 0;

  add_test ("/gui/window/focus-and-undo", test_window_focus_and_undo);
  add_test ("/gui/window/sample-selected", test_window_sample_selected);
  add_test ("/gui/window/guard-progress", test_window_guard_progress);

  return test_gui_run (home);
}
