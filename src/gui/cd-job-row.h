/* cd-job-row.h: one import job in the window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cd-import-job.h"

G_BEGIN_DECLS

#define CD_TYPE_JOB_ROW (cd_job_row_get_type ())

G_DECLARE_FINAL_TYPE (CdJobRow, cd_job_row, CD, JOB_ROW, GtkListBoxRow)

CdJobRow    *cd_job_row_new       (CdImportJob *job) G_GNUC_WARN_UNUSED_RESULT;

CdImportJob *cd_job_row_get_job   (CdJobRow    *self);
/* Draws the eye to this row for a few seconds. */
void         cd_job_row_highlight (CdJobRow    *self);

G_END_DECLS
