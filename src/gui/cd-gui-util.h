/* cd-gui-util.h: small helpers the window's widgets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cd-job-journal.h"

G_BEGIN_DECLS

/* Where the templates, the CSS and the help overlay live. */
#define RESOURCE_PATH "/io/github/coursedrop/Coursedrop"

/* What users type is checked with core's cd-validate.h. */

/* "0:42", "12:05", "1:02:03". */
char     *cd_format_duration         (GTimeSpan    span);
/* "school.brightspace.com" (with the port when there is one). */
char     *cd_format_host             (const char  *host_url);
/* A local date and time for a list, e.g. "14:05" today, else with the date. */
char     *cd_format_when             (GDateTime   *when);
/* "Week 1.imscc → Biology 101". */
char     *cd_format_job_title        (const char  *package_name,
                                      const char  *offering_name,
                                      gint64       offering_id,
                                      const char  *token);

/* Whether @record is an upload that sent everything and got no answer (it
 * may have been imported), also after a later start marked it finished:
 * it has no token to follow, but keeps its status word. */

/* (nullable): the app's settings, or NULL when the schema is not installed
 * (running from the build tree without `meson devenv`). */
GSettings *cd_settings_new           (void);

/* Finds a file that ships with Coursedrop: @env_var when set, else
 * @build_relative next to our executable when it runs from the build
 * tree (src/gui), else @installed.  NULL if none exists. */
char     *cd_find_data_file          (const char  *env_var,
                                      const char  *build_relative,
                                      const char  *installed);

/* GTK 4.8 names a button after its accessible label *and* the label it
 * shows: "Open Open", "_Import Import".  Gives every button under @root
 * (and @root) one name: the label it shows without the mnemonic's
 * underscore, or, for one showing other content (an icon,
 * AdwButtonContent), its accessible label.  Call it after the buttons
 * exist; a longer name for a labelled button goes in its description. */
void      cd_fix_button_names        (GtkWidget   *root);

G_END_DECLS
