/* cd-gui-util.c: small helpers the window's widgets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-time-format.h"

char *
cd_format_duration (GTimeSpan span)
{
  gint64 seconds = MAX (span, 0) / G_TIME_SPAN_SECOND;

  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int)(seconds / 60 % 60), (int)(seconds % 60));

  return g_strdup_printf ("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

char *
cd_format_host (const char *host_url)
{
  g_autoptr(GUri) uri = NULL;

  if (host_url == NULL)
    return NULL;

  uri = g_uri_parse (host_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (host_url);

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

char *
cd_format_when (GDateTime *when)
{
  /* One format for the window and the CLI: see cd-time-format.h. */
  return cd_time_format (when);
}

char *
cd_format_job_title (const char *package_name,
                     const char *offering_name,
                     gint64      offering_id,
                     const char *token)
{
  g_autofree char *what = NULL;
  g_autofree char *where = NULL;

  if (package_name != NULL)
    what = g_strdup (package_name);
  else if (token != NULL)
    /* Translators: a job followed by its token, whose package is unknown. */
    what = g_strdup_printf (_("Job %s"), token);
  else
    what = g_strdup (_("Import"));

  if (offering_name != NULL && offering_name[0] != '\0')
    where = g_strdup (offering_name);
  else
    where = g_strdup_printf (_("Course offering %" PRId64), offering_id);

  /* Translators: package → course, e.g. “Week 1.imscc → Biology 101”. */
  return g_strdup_printf (_("%s → %s"), what, where);
}

/* The folder of our executable, read from /proc so that it is right
 * however we were started (PATH, relative path, meson devenv). */
static char *
dup_exe_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL ? g_path_get_dirname (exe) : NULL;
}

char *
cd_find_data_file (const char *env_var,
                   const char *build_relative,
                   const char *installed)
{
  g_autofree char *exe_dir = NULL;
  const char *from_env = env_var != NULL ? g_getenv (env_var) : NULL;

  if (from_env != NULL && from_env[0] != '\0')
    return g_strdup (from_env);

  exe_dir = dup_exe_dir ();
  /* Only a build tree has the executable in src/gui; an installed
   * /usr/bin/coursedrop must not look at /usr/bin/../sandbox. */
  if (exe_dir != NULL && build_relative != NULL &&
      g_str_has_suffix (exe_dir, G_DIR_SEPARATOR_S "src" G_DIR_SEPARATOR_S "gui"))
    {
      g_autofree char *candidate = g_build_filename (exe_dir, build_relative, NULL);
      g_autofree char *canonical = g_canonicalize_filename (candidate, NULL);

      if (g_file_test (canonical, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&canonical);
    }

  if (installed != NULL && g_file_test (installed, G_FILE_TEST_EXISTS))
    return g_strdup (installed);

  return NULL;
}

GSettings *
cd_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* g_settings_new() would abort: then nothing is remembered instead. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found; settings are not saved", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static char *
strip_mnemonic (const char *label)
{
  GString *plain = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    {
      /* "__" is a literal underscore. */
      if (*p == '_' && p[1] == '_')
        p++;
      else if (*p == '_')
        continue;
      g_string_append_c (plain, *p);
    }

  return g_string_free (plain, FALSE);
}

void
cd_fix_button_names (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  /* A GtkMenuButton's own toggle button takes the menu button's name. */
  if (GTK_IS_BUTTON (root) && !GTK_IS_MENU_BUTTON (gtk_widget_get_parent (root)))
    {
      const char *label = gtk_button_get_label (GTK_BUTTON (root));

      gtk_accessible_reset_relation (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
      /* Buttons showing other content (an icon, AdwButtonContent) carry
       * their name in the .ui file. */
      if (label != NULL)
        {
          g_autofree char *plain = gtk_button_get_use_underline (GTK_BUTTON (root))
                                     ? strip_mnemonic (label) : g_strdup (label);

          gtk_accessible_update_property (GTK_ACCESSIBLE (root),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, plain, -1);
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    cd_fix_button_names (child);
}
