/* cd-plan-window.h: a migration plan's rows, checked and run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-job-list.h"

G_BEGIN_DECLS

#define CD_TYPE_PLAN_WINDOW (cd_plan_window_get_type ())

G_DECLARE_FINAL_TYPE (CdPlanWindow, cd_plan_window, CD, PLAN_WINDOW, AdwWindow)

/* Signals:
 *   client-error (CdClient *client, GError *error): a check or a run
 *     stopped on this error; an expired sign-in or an untrusted
 *     certificate is for whoever owns the session. */

/* Reads the CSV @file (in the background) and shows its rows.  The
 * checks and imports use @jobs' client and journal, and the jobs they
 * start join @jobs, so the main window shows them too. */
CdPlanWindow *cd_plan_window_new (CdJobList *jobs,
                                  GFile     *file) G_GNUC_WARN_UNUSED_RESULT;
GFile        *cd_plan_window_get_file (CdPlanWindow *self);

G_END_DECLS
