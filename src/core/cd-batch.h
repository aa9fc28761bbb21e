/* cd-batch.h: running a migration plan — checks, offerings, imports
 *
 * First cd_batch_check_async(): every package is read and hashed, every
 * offering, template and semester is found, and the journal says which
 * rows were imported before (skipped) or are still running (followed by
 * their tokens).  Nothing is sent but look-ups.  Then, only if every row
 * is fine, cd_batch_run_async(): the offerings to create are created, and
 * up to CdBatch:parallel imports run at once, counting every job not in a
 * final status; a 429 anywhere pauses the whole batch for its Retry-After.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-import-job.h"
#include "cd-org-units.h"
#include "cd-plan.h"

G_BEGIN_DECLS

#define CD_BATCH_DEFAULT_PARALLEL 3
#define CD_BATCH_MAX_PARALLEL     10

typedef enum {
  CD_BATCH_ROW_PENDING,      /* not checked yet */
  CD_BATCH_ROW_INVALID,      /* the check found a problem: see message */
  CD_BATCH_ROW_READY,        /* checked: would import (or follow its job) */
  CD_BATCH_ROW_SKIPPED,      /* imported before, says the journal */
  CD_BATCH_ROW_RUNNING,
  CD_BATCH_ROW_IMPORTED,
  CD_BATCH_ROW_FAILED,       /* the import failed, or the offering could not be made */
  CD_BATCH_ROW_UNFINISHED,   /* stopped (interrupted, or needs attention); resumable */
} CdBatchRowState;

typedef struct
{
  guint            index;          /* in the plan */
  const CdPlanRow *plan_row;       /* (unowned) */
  CdBatchRowState  state;
  char            *message;        /* (nullable) why invalid, failed or skipped */
  GError          *error;          /* (nullable) what stopped it, for exit codes */

  char            *package_name;   /* for display */
  char            *sha256;         /* (nullable) */
  gint64           offering_id;    /* 0 until known (a new offering: once created) */
  char            *offering_code;  /* (nullable) */
  char            *offering_name;  /* (nullable) */
  gboolean         create;         /* the offering is created by the run */
  CdJobRecord     *resume;         /* (nullable) an unfinished job to follow, not upload */

  char            *token;          /* (nullable) */
  char            *status;         /* (nullable) Brightspace's last word */
  GDateTime       *started;        /* (nullable) */
  GDateTime       *finished;       /* (nullable) */
  guint            warnings;
  guint            errors;
} CdBatchRow;

#define CD_TYPE_BATCH (cd_batch_get_type ())

G_DECLARE_FINAL_TYPE (CdBatch, cd_batch, CD, BATCH, GObject)

/* Signals: row-changed (guint index) whenever a row's state changes;
 * offering-ready (guint index, gboolean created) when a row's new
 * offering exists; paused (guint seconds) when a 429 stops new work;
 * job-started (guint index, CdImportJob *job) just before a row's job
 * starts, for a window that shows the jobs too (it may keep a reference;
 * an upload refused with 429 puts its row back, a new job follows);
 * job-retry (guint index, CdImportJob *job) once per attempt of a row's
 * job that got no (good) answer, so that the row can say what is wrong
 * and when it tries again (cd_import_job_dup_retry_message()). */
CdBatch          *cd_batch_new            (CdClient      *client,
                                           CdJobJournal  *journal,
                                           CdPlan        *plan) G_GNUC_WARN_UNUSED_RESULT;
/* 1 to CD_BATCH_MAX_PARALLEL. */
void              cd_batch_set_parallel   (CdBatch       *self,
                                           guint          parallel);
/* Import rows again that the journal says were imported. */
void              cd_batch_set_again      (CdBatch       *self,
                                           gboolean       again);
/* For tests and benchmarks: the jobs' polling (see CdImportJob). */
void              cd_batch_set_poll_interval (CdBatch    *self,
                                              guint       initial_ms,
                                              guint       max_ms);

guint             cd_batch_get_n_rows     (CdBatch       *self);
const CdBatchRow *cd_batch_get_row        (CdBatch       *self,
                                           guint          index);
/* The largest number of jobs this batch had running at once. */
guint             cd_batch_get_max_running (CdBatch      *self);

/* TRUE when every row can run (READY or SKIPPED); FALSE without an error
 * when some row is INVALID; FALSE with an error when the check itself
 * could not go on (network, permission, cancelled). */
void              cd_batch_check_async    (CdBatch             *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean          cd_batch_check_finish   (CdBatch             *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* After a successful check.  TRUE when every row was imported or
 * skipped; FALSE without an error when some failed; G_IO_ERROR_CANCELLED
 * after cd_batch_stop(), once every job has let go. */
void              cd_batch_run_async      (CdBatch             *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean          cd_batch_run_finish     (CdBatch             *self,
                                           GAsyncResult        *result,
                                           GError             **error);
/* Starts nothing more and stops every job (kept in the journal). */
void              cd_batch_stop           (CdBatch             *self);

/* The report: one CSV row per plan row (package, offering ID and code,
 * job token, final status, started, finished, seconds, warnings, errors). */
gboolean          cd_batch_write_report   (CdBatch             *self,
                                           const char          *path,
                                           GError             **error);

const char       *cd_batch_row_state_to_string (CdBatchRowState state);

G_END_DECLS
