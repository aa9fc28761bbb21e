/* test-course.c: the course search under the course field and the New
 * Course Offering window, against the in-process sandbox
 *
 * Headless (run under tests/gui/with-xvfb.sh); G_DEBUG=fatal-warnings
 * (meson.build) aborts at any CRITICAL or WARNING.  drive-course.py drives
 * the same through AT-SPI and the keyboard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <string.h>

#include "cd-course-search.h"
#include "cd-new-offering-dialog.h"
#include "cd-sandbox.h"
#include "cd-sandbox-orgunits.h"

typedef struct
{
  CdSandbox      *sandbox;
  CdClient       *client;
  CdOrgUnits     *units;

  /* What the widget under test said last. */
  guint           finished;
  guint           n_matches;
  GError         *error;
  CdOrgUnit      *chosen;
  gboolean        automatic;
  gboolean        created;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char * const offerings[] = {
    "6606:Biology 101;BIO101", "12345:Introduction to Chemistry;CHEM110",
    "12346:Organic Chemistry;CHEM210", "6650:History;HIST1",
  };
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  for (guint i = 0; i < G_N_ELEMENTS (offerings); i++)
    g_assert_true (cd_sandbox_add_offering (f->sandbox, offerings[i], &error));
  g_assert_true (cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error));
  g_assert_no_error (error);

  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  f->client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);
  g_assert_no_error (error);
  cd_client_set_retry_policy (f->client, 2, 1, 1);
  f->units = cd_org_units_new (f->client);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_error (&f->error);
  g_clear_pointer (&f->chosen, cd_org_unit_free);
  g_clear_object (&f->units);
  g_clear_object (&f->client);
  g_clear_object (&f->sandbox);
}

static void
wait_until (gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!*done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
finished_cb (CdCourseSearch *search,
             guint           n_matches,
             const GError   *error,
             Fixture        *f)
{
  f->finished++;
  f->n_matches = n_matches;
  g_clear_error (&f->error);
  f->error = error ? g_error_copy (error) : NULL;
}

static void
chosen_cb (GObject   *object,
           CdOrgUnit *unit,
           gboolean   flag,
           Fixture   *f)
{
  g_clear_pointer (&f->chosen, cd_org_unit_free);
  f->chosen = cd_org_unit_copy (unit);
  f->automatic = flag;
  f->created = flag;
}

/* Searches and waits for ::finished or ::chosen. */
static void
search (Fixture        *f,
        CdCourseSearch *widget,
        const char     *text)
{
  guint before = f->finished;
  gboolean done = FALSE;

  g_clear_pointer (&f->chosen, cd_org_unit_free);
  cd_course_search_search (widget, text);
  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      done = f->finished != before || f->chosen != NULL;
    }
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  CdCourseSearch *widget = g_object_ref_sink (cd_course_search_new ());
  const CdOrgUnit *single;

  g_signal_connect (widget, "finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (widget, "chosen", G_CALLBACK (chosen_cb), f);
  cd_course_search_set_org_units (widget, f->units);

  /* Part of a name: both, listed to be picked. */
  search (f, widget, "chem");
  g_assert_no_error (f->error);
  g_assert_cmpuint (f->n_matches, ==, 2);
  g_assert_null (f->chosen);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (widget)));
  g_assert_null (cd_course_search_get_single (widget));

  /* One match: Return in the field picks it. */
  search (f, widget, "organic");
  g_assert_cmpuint (f->n_matches, ==, 1);
  single = cd_course_search_get_single (widget);
  g_assert_nonnull (single);
  g_assert_cmpint (single->id, ==, 12346);
  cd_course_search_choose (widget, single);
  g_assert_nonnull (f->chosen);
  g_assert_cmpint (f->chosen->id, ==, 12346);
  g_assert_false (f->automatic);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (widget)));

  /* An exact code needs no choice, whatever its case. */
  search (f, widget, "chem110");
  g_assert_nonnull (f->chosen);
  g_assert_cmpint (f->chosen->id, ==, 12345);
  g_assert_true (f->automatic);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (widget)));

  search (f, widget, "zzz");
  g_assert_no_error (f->error);
  g_assert_cmpuint (f->n_matches, ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (widget)));

  /* A newer search cancels the older: only one answer comes. */
  cd_course_search_search (widget, "bio");
  search (f, widget, "hist");
  g_assert_cmpuint (f->n_matches, ==, 1);
  g_assert_cmpint (cd_course_search_get_single (widget)->id, ==, 6650);

  g_object_unref (widget);
}

/* The subtitle of the @index-th row. */
static const char *
subtitle_of (CdCourseSearch *widget,
             int             index)
{
  GtkListBox *list = GTK_LIST_BOX (adw_bin_get_child (ADW_BIN (widget)));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, index);

  g_assert_true (ADW_IS_ACTION_ROW (row));
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* Runs the main loop for @ms, for answers that must not change anything. */
static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, g_main_context_pending (NULL));
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
test_search_semesters (Fixture       *f,
                       gconstpointer  data)
{
  CdCourseSearch *widget = g_object_ref_sink (cd_course_search_new ());
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  /* Wakes the loops below, so that a semester that never comes fails at
   * the deadline. */
  guint tick = g_timeout_add (50, tick_cb, NULL);
  g_autoptr(GError) error = NULL;
  guint requests;

  /* Listings have no semester; Introduction to Chemistry's details say
   * Fall Term, and Organic Chemistry's may not be read by this account. */
  g_assert_true (cd_sandbox_set_offering_semester (f->sandbox, "12345=7001", &error));
  g_assert_no_error (error);
  cd_sandbox_add_forbidden (f->sandbox, 12346);

  g_signal_connect (widget, "finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (widget, "chosen", G_CALLBACK (chosen_cb), f);
  cd_course_search_set_org_units (widget, f->units);

  search (f, widget, "chem");
  g_assert_cmpuint (f->n_matches, ==, 2);
  requests = cd_sandbox_get_request_count (f->sandbox);
  g_assert_cmpstr (subtitle_of (widget, 0), ==, "CHEM110 · ID 12345");
  while (g_strcmp0 (subtitle_of (widget, 0), "CHEM110 · ID 12345 · Fall Term") != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  /* The refused one stays as it was, without a word, and can be picked. */
  while (cd_sandbox_get_request_count (f->sandbox) < requests + 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  spin (300);
  g_assert_cmpstr (subtitle_of (widget, 1), ==, "CHEM210 · ID 12346");
  g_assert_cmpuint (f->finished, ==, 1);
  g_assert_no_error (f->error);

  /* Typed again: the semester is there at once, and not asked again. */
  search (f, widget, "chem");
  g_assert_cmpstr (subtitle_of (widget, 0), ==, "CHEM110 · ID 12345 · Fall Term");
  requests = cd_sandbox_get_request_count (f->sandbox);
  spin (300);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, requests);

  search (f, widget, "organic");
  g_assert_cmpstr (subtitle_of (widget, 0), ==, "CHEM210 · ID 12346");
  cd_course_search_choose (widget, cd_course_search_get_single (widget));
  g_assert_nonnull (f->chosen);
  g_assert_cmpint (f->chosen->id, ==, 12346);

  g_source_remove (tick);
  g_object_unref (widget);
}

static void
test_search_error (Fixture       *f,
                   gconstpointer  data)
{
  CdCourseSearch *widget = g_object_ref_sink (cd_course_search_new ());
  g_autoptr(CdOrgUnits) units = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdIdKeyContext) context = cd_idkey_context_new ("app", "key", "user", "key");
  g_autoptr(GError) error = NULL;

  /* Wrong keys: the sandbox refuses, the widget says so by ::finished. */
  client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);
  g_assert_no_error (error);
  cd_client_set_retry_policy (client, 1, 1, 1);
  units = cd_org_units_new (client);

  g_signal_connect (widget, "finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (widget, "chosen", G_CALLBACK (chosen_cb), f);
  cd_course_search_set_org_units (widget, units);
  search (f, widget, "chem");
  g_assert_nonnull (f->error);
  g_assert_cmpuint (f->n_matches, ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (widget)));

  g_object_unref (widget);
}

/* --- the New Course Offering window ------------------------------------------------ */

static GtkEditable *
find_row (GtkWidget  *root,
          const char *title)
{
  if (ADW_IS_ENTRY_ROW (root) &&
      g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title))
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

/* The visible label under @root whose text starts with @start. */
static GtkWidget *
find_note (GtkWidget  *root,
           const char *start)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_visible (root) &&
      g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), start))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_note (child, start);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
wait_for_note (GtkWidget  *root,
               const char *start)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (find_note (root, start) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
closed_cb (GtkWindow *window,
           gboolean  *closed)
{
  *closed = TRUE;
}

/* Fills in the window, presses Create and waits for ::created. */
static void
create (Fixture    *f,
        const char *code)
{
  CdNewOfferingDialog *dialog = cd_new_offering_dialog_new (f->units);
  GtkWidget *root = GTK_WIDGET (dialog);
  GtkWidget *button = find_button (root, "C_reate");
  GtkWidget *note;
  gboolean closed = FALSE;

  g_signal_connect (dialog, "created", G_CALLBACK (chosen_cb), f);
  g_signal_connect (dialog, "destroy", G_CALLBACK (closed_cb), &closed);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));

  gtk_editable_set_text (find_row (root, "Course template"), "TPL-NONE");
  wait_for_note (root, "No course template has the code");
  gtk_editable_set_text (find_row (root, "Course template"), "6605");
  wait_for_note (root, "Sciences Template (TPL-SCI, ID 6605)");

  /* The code is checked as it is typed, with the reason beside it. */
  gtk_editable_set_text (find_row (root, "Name"), "Chemistry Lab");
  gtk_editable_set_text (find_row (root, "Code"), "CHEM#300");
  note = find_note (root, "A course offering code cannot contain");
  g_assert_nonnull (note);
  g_assert_true (gtk_widget_has_css_class (note, "error"));
  g_assert_false (gtk_widget_get_sensitive (button));

  gtk_editable_set_text (find_row (root, "Start date"), "2026-13-40");
  g_assert_nonnull (find_note (root, "“2026-13-40” is not a date"));
  gtk_editable_set_text (find_row (root, "Start date"), "");

  gtk_editable_set_text (find_row (root, "Semester"), "TERM-FALL");
  wait_for_note (root, "Fall Term (TERM-FALL, ID 7001)");

  gtk_editable_set_text (find_row (root, "Code"), code);
  g_assert_null (find_note (root, "A course offering code"));
  g_assert_true (gtk_widget_get_sensitive (button));

  g_clear_pointer (&f->chosen, cd_org_unit_free);
  gtk_widget_activate (button);
  wait_until (&closed);
  g_assert_nonnull (f->chosen);
}

static void
test_new_offering (Fixture       *f,
                   gconstpointer  data)
{
  gint64 id;

  create (f, "CHEM300");
  g_assert_true (f->created);
  g_assert_cmpstr (f->chosen->code, ==, "CHEM300");
  g_assert_cmpint (f->chosen->id, >, 0);
  id = f->chosen->id;
  g_assert_cmpuint (cd_sandbox_get_courses_created (f->sandbox), ==, 1);

  /* The same code again: the offering that has it, not a second one. */
  create (f, "CHEM300");
  g_assert_false (f->created);
  g_assert_cmpint (f->chosen->id, ==, id);
  g_assert_cmpuint (cd_sandbox_get_courses_created (f->sandbox), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  /* gtk_test_init() aborts without a display: skip instead. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under tests/gui/with-xvfb.sh)\n");
      return 0;
    }

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)

  ADD ("/course/search", test_search);
  ADD ("/course/search/error", test_search_error);
  ADD ("/course/search/semesters", test_search_semesters);
  ADD ("/course/new-offering", test_new_offering);

#undef ADD

  return g_test_run ();
}
