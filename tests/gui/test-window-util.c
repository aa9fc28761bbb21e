/* test-window-util.c: what the headless GUI tests share
 *
 * The check that no test makes GLib, GTK, libadwaita or Coursedrop log a
 * CRITICAL or a WARNING, a private HOME for each program, and helpers to
 * build a window and find widgets in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "test-window-util.h"

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

void
log_check_setup (LogCheck      *check,
                 gconstpointer  data)
{
  g_ptr_array_set_size (logged_problems, 0);
}

void
log_check_teardown (LogCheck      *check,
                    gconstpointer  data)
{
  for (guint i = 0; i < logged_problems->len; i++)
    g_test_message ("logged: %s", (const char *) g_ptr_array_index (logged_problems, i));
  g_assert_cmpuint (logged_problems->len, ==, 0);
}

void
flush (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

const char *
visible_page (CdWindow *window)
{
  return gtk_stack_get_visible_child_name (window->stack);
}

CdJobList *
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

void
destroy_window (CdWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}
/* The first descendant of @root that is a @type whose label is @label. */
GtkWidget *
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

gboolean
shows (GtkWidget  *root,
       GType       type,
       const char *label)
{
  GtkWidget *widget = find_labelled (root, type, label);

  return widget != NULL && gtk_widget_is_visible (widget);
}
GtkWidget *
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
void
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

/* Everything main() sets up before adding its tests: a private HOME and
 * data dir, the log writer and GTK.  Returns the private HOME, for
 * test_gui_finish(), or NULL when there is no display (the TAP plan that
 * skips is printed then, and main() must return 0). */
char *
test_gui_init (int    *argc,
               char ***argv)
{
  g_autofree char *home = NULL;
  g_autofree char *data_home = NULL;

  /* gtk_test_init() aborts without a display: skip instead. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under tests/gui/with-xvfb.sh)\n");
      return NULL;
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

  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();

  return g_steal_pointer (&home);
}

/* Runs the tests added since test_gui_init(), then removes @home. */
int
test_gui_run (char *home)
{
  int status;

  status = g_test_run ();
  g_ptr_array_unref (logged_problems);

  remove_tree (home);
  g_free (home);
  return status;
}
