/* cd-track-job-dialog.h: follow an import started elsewhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-client.h"

G_BEGIN_DECLS

#define CD_TYPE_TRACK_JOB_DIALOG (cd_track_job_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CdTrackJobDialog, cd_track_job_dialog, CD, TRACK_JOB_DIALOG, AdwMessageDialog)

/* Track (or Enter) asks @client whether Brightspace knows the job; the
 * dialog stays open with the reason beside the fields when it does not,
 * and closes after emitting ::track (gint64 offering ID, const char *token,
 * const char *Brightspace's status word) when it does. */
CdTrackJobDialog *cd_track_job_dialog_new             (GtkWindow        *parent,
                                                       CdClient         *client)
                                                      G_GNUC_WARN_UNUSED_RESULT;

gint64            cd_track_job_dialog_get_offering_id (CdTrackJobDialog *self);
/* (transfer full) */
char             *cd_track_job_dialog_dup_token       (CdTrackJobDialog *self);

G_END_DECLS
