/* cd-track-job-dialog.h: follow an import started elsewhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CD_TYPE_TRACK_JOB_DIALOG (cd_track_job_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CdTrackJobDialog, cd_track_job_dialog, CD, TRACK_JOB_DIALOG, AdwMessageDialog)

/* Answers "cancel" or "track"; "track" is enabled only for valid input. */
CdTrackJobDialog *cd_track_job_dialog_new             (GtkWindow        *parent)
                                                      G_GNUC_WARN_UNUSED_RESULT;

gint64            cd_track_job_dialog_get_offering_id (CdTrackJobDialog *self);
/* (transfer full) */
char             *cd_track_job_dialog_dup_token       (CdTrackJobDialog *self);

G_END_DECLS
