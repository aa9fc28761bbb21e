/* bare-window.c: the yardsticks for start-up time
 *
 * bench-window.py times it from exec to its window on the accessibility
 * bus, the same way as Coursedrop's.  Without arguments: a bare libadwaita
 * window (the target's yardstick), which has no header bar, so its first
 * frame loads neither the icon theme nor a font.  With --header-bar: the
 * same window with the header bar every GNOME app has (a title and the
 * window's buttons), to tell that cost from Coursedrop's own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>

static gboolean header_bar;

static void
activate_cb (GApplication *application)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (application));

  gtk_window_set_title (GTK_WINDOW (window), header_bar ? "Bare Header" : "Bare");
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 640);
  if (header_bar)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

      gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
    }
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) application = NULL;

  header_bar = argc > 1 && g_str_equal (argv[1], "--header-bar");
  application = adw_application_new ("io.github.coursedrop.BenchBare", G_APPLICATION_NON_UNIQUE);
  g_set_prgname ("bare-window");
  g_signal_connect (application, "activate", G_CALLBACK (activate_cb), NULL);

  /* The option is ours, not GApplication's. */
  return g_application_run (G_APPLICATION (application), 1, argv);
}
