/* main.c: coursedrop, the desktop app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <glib/gi18n.h>

#include "cd-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* COURSEDROP_LOCALEDIR: a test (tests/install/check-german.sh) points this at its own .mo tree. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("COURSEDROP_LOCALEDIR") ? g_getenv ("COURSEDROP_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = cd_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
