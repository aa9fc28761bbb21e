/* cd-cli-inspect.c: coursedrop-cli inspect, a package's preview
 *
 * Reads only the local file (no account, no network): what kind of package
 * it is, its title, what it holds and what may go wrong on import.  A
 * package the reader refuses exits 2 with the reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-cli.h"
#include "cd-cli-output.h"
#include "cd-package-reader.h"

static void
print_outline (GPtrArray *items,
               guint      depth)
{
  for (guint i = 0; i < items->len; i++)
    {
      CdPackageOutlineItem *item = g_ptr_array_index (items, i);
      g_autofree char *title = cd_cli_escape (item->title[0] != '\0' ? item->title : _("(untitled)"));

      g_print ("%*s%s (%s)\n", (int)(2 + 2 * depth), "", title, cd_package_item_type_label (item->type));
      print_outline (item->children, depth + 1);
    }
}

static void
print_summary (CdPackagePreview *preview)
{
  const char *version = cd_package_preview_get_version (preview);
  g_autofree char *title = cd_cli_escape (cd_package_preview_get_title (preview));
  g_autofree char *code = cd_cli_escape (cd_package_preview_get_code (preview));
  const char *label = cd_package_kind_to_label (cd_package_preview_get_kind (preview));
  g_autofree char *raw_kind = version[0] != '\0' ? g_strdup_printf ("%s %s", label, version) : g_strdup (label);
  g_autofree char *kind = cd_cli_escape (raw_kind);
  g_autofree char *size = g_format_size (cd_package_preview_get_size (preview));
  g_autofree char *unpacked = g_format_size (cd_package_preview_get_uncompressed_size (preview));
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  GPtrArray *warnings = cd_package_preview_get_warnings (preview);

  g_print (_("Kind:     %s\n"), kind);
  if (title[0] != '\0')
    g_print (_("Title:    %s\n"), title);
  if (code[0] != '\0')
    g_print (_("Code:     %s\n"), code);
  g_print (ngettext ("Archive:  %u entry, %s (unpacks to %s)\n",
                     "Archive:  %u entries, %s (unpacks to %s)\n",
                     cd_package_preview_get_entry_count (preview)),
           cd_package_preview_get_entry_count (preview), size, unpacked);

  for (guint t = 0; t < CD_PACKAGE_N_ITEM_TYPES; t++)
    if (cd_package_preview_get_count (preview, t) > 0)
      g_ptr_array_add (counts, cd_package_item_format_count (t, cd_package_preview_get_count (preview, t)));
  g_ptr_array_add (counts, NULL);
  joined = g_strjoinv (", ", (char **)counts->pdata);
  g_print (_("Contents: %s\n"), joined[0] != '\0' ? joined : _("nothing Coursedrop recognises"));

  if (cd_package_preview_get_outline (preview)->len > 0)
    {
      g_print ("%s\n", _("Outline:"));
      print_outline (cd_package_preview_get_outline (preview), 0);
    }

  if (warnings->len > 0)
    {
      g_print ("%s\n", _("Warnings:"));
      for (guint i = 0; i < warnings->len; i++)
        {
          g_autofree char *warning = cd_cli_escape (g_ptr_array_index (warnings, i));

          g_print ("  • %s\n", warning);
        }
    }
}

int
cd_cli_inspect (int    argc,
                char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the preview as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = cd_cli_option_context_new (_("PACKAGE"),
                                       _("Show what a course package holds, without sending it anywhere."),
                                       entries);
  if ((status = cd_cli_parse (context, &argc, &argv)) != CD_EXIT_OK)
    return status;
  if (argc != 2)
    return cd_cli_usage (_("inspect takes one package file."));

  if (!(preview = cd_package_reader_read (argv[1], NULL, &error)))
    {
      g_autofree char *message = cd_cli_escape (error->message);

      g_printerr ("coursedrop-cli: %s\n", message);
      return CD_EXIT_USAGE;
    }

  if (json)
    {
      g_autoptr(JsonNode) node = cd_package_preview_to_json (preview);
      g_autofree char *text = json_to_string (node, TRUE);

      g_print ("%s\n", text);
    }
  else
    print_summary (preview);

  return CD_EXIT_OK;
}
