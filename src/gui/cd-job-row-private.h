/* cd-job-row-private.h: what the parts of CdJobRow share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-job-row.h"
#include "cd-stage-stepper.h"

G_BEGIN_DECLS

struct _CdJobRow
{
  GtkListBoxRow   parent_instance;

  /* Template widgets */
  GtkLabel       *title_label;
  GtkLabel       *subtitle_label;
  GtkButton      *log_button;
  GtkButton      *browser_button;
  GtkButton      *copy_button;
  GtkButton      *retry_button;
  GtkButton      *remove_button;
  GtkWidget      *attention_box;
  GtkWidget      *attention_label;
  GtkWidget      *check_button;
  GtkWidget      *try_again_button;
  CdStageStepper *stepper;
  GtkProgressBar *progress_bar;
  GtkLabel       *state_label;
  GtkLabel       *retrying_label;
  GtkWidget      *warnings_button;
  GtkLabel       *elapsed_label;
  GtkLabel       *verify_label;

  /* Owned */
  CdImportJob    *job;

  guint           elapsed_source;
  guint           pulse_source;
  guint           highlight_source;
  guint           minute_source;   /* "Started 5 minutes ago" grows older */

  /* The last stage before a failure, to show where it failed. */
  CdImportStage   reached;

  /* Upload rate, smoothed over samples at least RATE_SAMPLE_USEC apart. */
  gint64          rate_time;
  goffset         rate_bytes;
  double          rate;
};

/* cd-job-row-update.c */
void _cd_job_row_update         (CdJobRow   *self);
void _cd_job_row_bytes_sent_cb  (CdJobRow   *self,
                                 GParamSpec *pspec);

G_END_DECLS
