/* cd-batch-private.h: what cd-batch*.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-batch.h"
#include "cd-package.h"

G_BEGIN_DECLS

/* What Brightspace said about one package, offering, template or semester:
 * cached, so that 10,000 rows sharing a few of each cost a few look-ups. */
typedef struct
{
  CdPackage *package;  /* (nullable) checked and hashed */
  CdOrgUnit *unit;     /* (nullable) */
  char      *message;  /* (nullable) why it cannot be used */
} CdBatchLookup;

/* 429s seen on any request of the client's session, from any thread. */
typedef struct
{
  GMutex  lock;
  gint64  pause_until;  /* monotonic µs */
  guint   seen;
} CdBatchRateWatch;

enum {
  CD_BATCH_SIGNAL_ROW_CHANGED,
  CD_BATCH_SIGNAL_OFFERING_READY,
  CD_BATCH_SIGNAL_PAUSED,
  CD_BATCH_SIGNAL_JOB_STARTED,
  CD_BATCH_SIGNAL_JOB_RETRY,
  CD_BATCH_N_SIGNALS
};

extern guint _cd_batch_signals[CD_BATCH_N_SIGNALS];

struct _CdBatch
{
  GObject           parent_instance;

  CdClient         *client;
  CdJobJournal     *journal;
  CdPlan           *plan;
  CdOrgUnits       *units;
  GPtrArray        *rows;           /* CdBatchRow */
  guint             parallel;
  gboolean          again;
  guint             poll_initial_ms; /* 0: the job's own policy */
  guint             poll_max_ms;
  gboolean          checked;

  /* The check (cd-batch-check.c). */
  GHashTable       *packages;       /* path → CdBatchLookup */
  GHashTable       *by_id;          /* "ID" → CdBatchLookup (offerings) */
  GHashTable       *by_code;        /* casefolded code → CdBatchLookup (offerings) */
  GHashTable       *templates;      /* reference → CdBatchLookup */
  GHashTable       *semesters;      /* reference → CdBatchLookup */
  GHashTable       *pairs;          /* "offering/sha256" → first line (guint) */
  guint             check_index;
  guint             create_index;   /* the run's next row that may need an offering */

  /* The run (cd-batch-run.c). */
  GTask            *run_task;       /* (nullable) */
  GQueue            queue;          /* row indices (GUINT_TO_POINTER) still to start */
  GHashTable       *jobs;           /* CdImportJob → row */
  guint             running;
  guint             max_running;
  gboolean          stopping;
  guint             resume_source;  /* the end of a pause */
  CdBatchRateWatch *watch;          /* (owned) shared with the session's handlers */
  gulong            queued_handler;
};

void           _cd_batch_lookup_free    (CdBatchLookup *lookup);
void           _cd_batch_row_changed    (CdBatch       *self,
                                         CdBatchRow    *row);
void           _cd_batch_set_state      (CdBatch       *self,
                                         CdBatchRow    *row,
                                         CdBatchRowState state,
                                         const char    *message);
/* Whether @error means the look-ups cannot go on (rather than: this row
 * names something that does not exist). */
gboolean       _cd_batch_error_is_fatal (const GError  *error);
/* TRUE (and *@wait_ms) when a 429 asked the batch to wait. */
gboolean       _cd_batch_paused         (CdBatch       *self,
                                         guint         *wait_ms);
/* cd-batch-check.c: what the check found.  (transfer none) (nullable) */
const CdOrgUnit *_cd_batch_cached_unit  (CdBatch       *self,
                                         GHashTable    *table,
                                         const char    *key);
CdPackage     *_cd_batch_cached_package (CdBatch       *self,
                                         const char    *path);

/* cd-batch-run.c: stops and lets go of every job (dispose). */
void           _cd_batch_release_jobs   (CdBatch       *self);
void           _cd_batch_watch_session  (CdBatch       *self);
void           _cd_batch_unwatch_session (CdBatch      *self);

G_END_DECLS
