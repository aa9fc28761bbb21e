/* cd-plan-window-private.h: what the parts of CdPlanWindow share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-batch.h"
#include "cd-plan-window.h"

G_BEGIN_DECLS

typedef enum {
  CD_PLAN_PHASE_LOADING,
  CD_PLAN_PHASE_IDLE,      /* read; not checked, or the check could not finish */
  CD_PLAN_PHASE_CHECKING,
  CD_PLAN_PHASE_CHECKED,   /* see check_fine */
  CD_PLAN_PHASE_RUNNING,
  CD_PLAN_PHASE_DONE,      /* the run ended: finished, failed rows, or stopped */
} CdPlanPhase;

/* One plan row as the list shows it. */
typedef struct
{
  CdPlanWindow *window;      /* (unowned) */
  guint         index;       /* in the plan and the batch */
  GtkWidget    *row;         /* AdwActionRow */
  GtkImage     *icon;
  GtkSpinner   *spinner;
  GtkLabel     *status;
  GtkWidget    *log_button;
  CdImportJob  *job;         /* (owned) (nullable): the row's job in this batch */
  guint         retry_source; /* counts down "Retrying in N s…" */
} CdPlanRowView;

struct _CdPlanWindow
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkWidget            *check_button;
  GtkWidget            *run_button;
  GtkWidget            *stop_button;
  GtkWidget            *report_button;
  GtkStack             *stack;
  GtkSpinner           *loading_spinner;
  AdwStatusPage        *error_page;
  GtkLabel             *summary_label;
  GtkSpinButton        *parallel_spin;
  GtkListBox           *rows_list;

  /* Owned */
  CdJobList            *jobs;
  GFile                *file;
  CdPlan               *plan;           /* (nullable) until read */
  CdBatch              *batch;          /* (nullable) before the first check */
  GPtrArray            *views;          /* CdPlanRowView, by plan row */
  GCancellable         *cancellable;    /* reading, checking; cancelled on dispose */
  GtkFileChooserNative *report_chooser; /* (nullable) */
  char                 *message;        /* (nullable) what stopped the last check or run */
  gint64                paused_until;   /* monotonic µs */
  guint                 pause_source;

  CdPlanPhase           phase;
  guint                 check_fine : 1;
  guint                 run_after_check : 1;
  guint                 stopping : 1;
  guint                 disposed : 1;
};

/* cd-plan-window.c */
void     _cd_plan_window_update_summary (CdPlanWindow *self);

/* cd-plan-window-report.c: Save Report… (a file chooser, then the CSV) */
void     _cd_plan_window_save_report    (CdPlanWindow *self);

/* cd-plan-window-rows.c: the rows of the list */
void     _cd_plan_window_build_rows     (CdPlanWindow *self);
void     _cd_plan_window_update_row     (CdPlanWindow *self,
                                         guint         index);
void     _cd_plan_window_update_rows    (CdPlanWindow *self);
/* A row's job started: it joins the main window's job list too. */
void     _cd_plan_window_job_started    (CdPlanWindow *self,
                                         guint         index,
                                         CdImportJob  *job);
/* The row's job never reached Brightspace (a 429): off the job list. */
void     _cd_plan_window_withdraw_job   (CdPlanWindow *self,
                                         guint         index);
/* Lets go of every row's job (a new check starts a new batch). */
void     _cd_plan_window_forget_jobs    (CdPlanWindow *self);
void     _cd_plan_window_view_free      (CdPlanRowView *view);
/* Rows per state, for the summary. */
void     _cd_plan_window_count          (CdPlanWindow *self,
                                         guint        *done,
                                         guint        *imported,
                                         guint        *failed,
                                         guint        *skipped,
                                         guint        *invalid);

G_END_DECLS
