/* main.c: coursedrop-cli, the scripting twin of Coursedrop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cd-cli.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "import", cd_cli_import, N_("Import a package and follow the job (the default)") },
  { "jobs",   cd_cli_jobs,   N_("List the recorded import jobs") },
  { "logs",   cd_cli_logs,   N_("Print an import job’s log") },
  { "resume", cd_cli_resume, N_("Follow again the jobs that were interrupted") },
  { "whoami", cd_cli_whoami, N_("Print who the credentials belong to") },
  { "login",  cd_cli_login,  N_("Sign in with the browser and save the account") },
  { "logout", cd_cli_logout, N_("Remove the signed-in user from the saved account") },
  { "sign",   cd_cli_sign,   N_("Print a signed URL for a route, for curl") },
  { "inspect", cd_cli_inspect, N_("Show what a course package holds, sending nothing") },
  { "courses", cd_cli_courses, N_("List course offerings by name or code") },
  { "create-offering", cd_cli_create_offering, N_("Create a course offering from a template") },
  { "batch",  cd_cli_batch,  N_("Run a migration plan (CSV): many packages, new offerings") },
};

static void
print_help (void)
{
  g_print ("%s\n\n", _("Usage: coursedrop-cli COMMAND [OPTION…]"));
  g_print ("%s\n\n", _("Import course packages into D2L Brightspace."));
  g_print ("%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-10s %s\n", commands[i].name, _(commands[i].summary));
  g_print ("\n%s\n", _("Run “coursedrop-cli COMMAND --help” for a command’s options."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* COURSEDROP_LOCALEDIR: a test (tests/install/check-german.sh) points this at its own .mo tree. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("COURSEDROP_LOCALEDIR") ? g_getenv ("COURSEDROP_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("coursedrop-cli");
  /* Standard output is for results scripts read; G_MESSAGES_DEBUG goes
   * with the other diagnostics. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      print_help ();
      return argc < 2 ? CD_EXIT_USAGE : CD_EXIT_OK;
    }

  /* Global options before the command: "--trust-fingerprint X whoami". */
  while (argc > 2 && g_str_has_prefix (argv[1], "--trust-fingerprint"))
    {
      const char *value = NULL;

      if (strcmp (argv[1], "--trust-fingerprint") == 0)
        {
          value = argv[2];
          argv[2] = argv[0];
          argc -= 2;
          argv += 2;
        }
      else if (g_str_has_prefix (argv[1], "--trust-fingerprint="))
        {
          value = argv[1] + strlen ("--trust-fingerprint=");
          argv[1] = argv[0];
          argc -= 1;
          argv += 1;
        }
      else
        break;

      cd_cli_set_trust_fingerprint (value);
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      g_print ("coursedrop-cli %s\n", PACKAGE_VERSION);
      return CD_EXIT_OK;
    }

  /* D2L's sample command line starts with an option: import is implied. */
  if (argv[1][0] == '-' && argv[1][1] == '-')
    {
      g_set_prgname ("coursedrop-cli import");
      return cd_cli_finish (cd_cli_import (argc, argv));
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        {
          /* The command sees itself as argv[0], so its --help reads right. */
          g_autofree char *prgname = g_strdup_printf ("coursedrop-cli %s", commands[i].name);

          g_set_prgname (prgname);
          return cd_cli_finish (commands[i].run (argc - 1, argv + 1));
        }
    }

  return cd_cli_usage (_("“%s” is not a command."), argv[1]);
}
