/* test-window-util.h: what the headless GUI tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-job-list.h"
#include "cd-window-private.h"

G_BEGIN_DECLS

typedef struct
{
  int unused;
} LogCheck;

/* Each test's teardown fails on any CRITICAL or WARNING it logged. */
void log_check_setup    (LogCheck      *check,
                         gconstpointer  data);
void log_check_teardown (LogCheck      *check,
                         gconstpointer  data);

#define add_test(path, func) \
  g_test_add (path, LogCheck, NULL, log_check_setup, func, log_check_teardown)

char       *test_gui_init   (int         *argc,
                             char      ***argv);
int         test_gui_run    (char        *home);

void        flush           (GtkWidget   *widget);
const char *visible_page    (CdWindow    *window);
CdJobList  *create_job_list (void);
void        destroy_window  (CdWindow    *window);

/* The first descendant of @root that is a @type whose label is @label. */
GtkWidget  *find_labelled   (GtkWidget   *root,
                             GType        type,
                             const char  *label);
gboolean    shows           (GtkWidget   *root,
                             GType        type,
                             const char  *label);
GtkWidget  *find_type       (GtkWidget   *root,
                             GType        type);
void        remove_tree     (const char  *path);

G_END_DECLS
