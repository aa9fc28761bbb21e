/* cd-drag-source.c: a window to drag files from, for the GUI test
 *
 * cd-drag-source [--title TITLE] FILE...
 *
 * Shows a small window titled "Drag Source" whose whole area is a
 * GtkDragSource offering FILEs as a GDK_TYPE_FILE_LIST, as a file manager
 * does.  The test drives the pointer with xdotool; there is no window
 * manager under Xvfb, so the window places itself nowhere in particular
 * and the test moves it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gtk/gtk.h>

static GdkContentProvider *
prepare_cb (GtkDragSource *source,
            double         x,
            double         y,
            GSList        *files)
{
  GdkFileList *list = gdk_file_list_new_from_list (files);
  GdkContentProvider *provider;

  /* The provider keeps a copy of the boxed list. */
  provider = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);

  return provider;
}

static void
drag_end_cb (GtkDragSource *source,
             GdkDrag       *drag,
             gboolean       delete_data,
             gpointer       user_data)
{
  g_print ("drag-end\n");
}

static void
activate_cb (GtkApplication *app,
             GSList         *files)
{
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *label;
  GtkDragSource *source;
  g_autofree char *text = NULL;

  text = g_strdup_printf ("Drag me: %s", g_file_peek_path (files->data));
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);

  gtk_window_set_title (GTK_WINDOW (window), g_get_application_name ());
  gtk_window_set_default_size (GTK_WINDOW (window), 240, 140);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), label);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (prepare_cb), files);
  g_signal_connect (source, "drag-end", G_CALLBACK (drag_end_cb), NULL);
  gtk_widget_add_controller (window, GTK_EVENT_CONTROLLER (source));

  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;
  g_autoslist(GFile) files = NULL;
  const char *title = "Drag Source";
  int first = 1;

  if (argc > 2 && g_str_equal (argv[1], "--title"))
    {
      title = argv[2];
      first = 3;
    }

  if (first >= argc)
    {
      g_printerr ("usage: %s [--title TITLE] FILE...\n", argv[0]);
      return 2;
    }

  for (int i = argc - 1; i >= first; i--)
    files = g_slist_prepend (files, g_file_new_for_commandline_arg (argv[i]));

  g_set_application_name (title);
  app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), files);

  return g_application_run (G_APPLICATION (app), 1, argv);
}
