/* test-dialogs.c: the Track Existing Job dialog and the Account window
 *
 * Headless (run under tests/gui/with-xvfb.sh): the dialog's inline errors
 * and Cancel, and what the Account window offers and shows.
 *
 * No test may make GLib, GTK, libadwaita or Coursedrop log a CRITICAL or a
 * WARNING.  G_DEBUG=fatal-warnings (meson.build) aborts at the first one;
 * each test's teardown also fails on any that was logged, so the rule holds
 * when the test runs by hand without G_DEBUG (see test-window-util.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-account-window.h"
#include "cd-track-job-dialog.h"
#include "test-window-util.h"

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

int
main (int   argc,
      char *argv[])
{
  char *home = test_gui_init (&argc, &argv);

  if (home == NULL)
    return 0;

  add_test ("/gui/track-dialog/inline-errors", test_track_dialog_inline_errors);
  add_test ("/gui/track-dialog/cancel", test_track_dialog_cancel);
  add_test ("/gui/account-window/le-version", test_account_window_le_version);
  add_test ("/gui/account-window/kinds", test_account_window_kinds);
  add_test ("/gui/account-window/demo", test_account_window_demo);

  return test_gui_run (home);
}
