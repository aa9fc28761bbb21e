/* cd-job-notifier.h: tells the desktop about finished imports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cd-session.h"

G_BEGIN_DECLS

#define CD_TYPE_JOB_NOTIFIER (cd_job_notifier_get_type ())

G_DECLARE_FINAL_TYPE (CdJobNotifier, cd_job_notifier, CD, JOB_NOTIFIER, GObject)

/* Follows the jobs of @session, whichever list it has, and sends a
 * notification through @application when one finishes while its main
 * window is not in use. */
CdJobNotifier *cd_job_notifier_new (GtkApplication *application,
                                    CdSession      *session) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
