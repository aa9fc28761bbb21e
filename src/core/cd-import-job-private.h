/* cd-import-job-private.h: what the parts of CdImportJob share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-import-job.h"
#include "cd-verification.h"

G_BEGIN_DECLS

struct _CdImportJob
{
  GObject         parent_instance;

  CdClient       *client;          /* (owned) */
  CdJobJournal   *journal;         /* (owned) (nullable) */
  CdJobRecord    *record;          /* (owned) */
  CdPackage      *package;         /* (owned) (nullable) */
  char           *package_name;    /* (owned) (nullable) */
  char           *callback_url;    /* (owned) (nullable) */
  GCancellable   *cancellable;     /* (owned): replaced after each stop */
  GError         *error;           /* (owned) (nullable): how it finished */
  GError         *attention;       /* (owned) (nullable): why it stopped unfinished */
  GError         *journal_error;   /* (owned) (nullable): the last failed journal save */
  GPtrArray      *logs;            /* (owned) (element-type CdImportLogEntry) */
  char           *failure_reason;  /* (owned) (nullable) */
  char           *retry_reason;    /* (owned) (nullable): the last failed poll, in a few words */
  gint64          retry_time;      /* monotonic µs of the next attempt; 0 when not retrying */
  gint64          poll_due;        /* monotonic µs the pending poll fires */
  CdPackagePreview  *preview;      /* (owned) (nullable): what the package should add */
  CdContentSnapshot *before;       /* (owned) (nullable): the offering before the upload */
  CdVerification    *verification; /* (owned) (nullable) */

  CdImportStatus  status;
  CdImportStage   stage;
  goffset         bytes_sent;
  goffset         bytes_total;
  GTimeSpan       deadline;
  GDateTime      *followed_since;  /* (owned) (nullable): the deadline's start without a known one */
  gint64          upload_started;  /* monotonic µs */
  double          upload_seconds;
  double          time_scale;      /* real waits = policy waits × this (tests) */
  guint           initial_ms;
  guint           max_ms;
  guint           interval_ms;     /* the policy's interval, before caps and jitter */
  guint           poll_delay_ms;   /* the wait before the pending poll, before jitter */
  guint           network_failures;
  guint           generation;      /* answers to older requests are ignored */
  guint           start_source;
  guint           poll_source;
  guint           deadline_source;

  guint           in_journal : 1;
  guint           running : 1;
  guint           retrying : 1;
  guint           retry_unreachable : 1; /* no answer at all, rather than a bad one */
  guint           stopping : 1;
  guint           verify : 1;
};

enum {
  PROP_0,
  PROP_TOKEN,
  PROP_STATUS,
  PROP_STATUS_TEXT,
  PROP_STAGE,
  PROP_OFFERING_NAME,
  PROP_BYTES_SENT,
  PROP_BYTES_TOTAL,
  PROP_FINISHED,
  PROP_RETRYING,
  PROP_PAUSED,
  PROP_RUNNING,
  PROP_ATTENTION,
  PROP_JOURNAL_ERROR,
  PROP_POLL_INTERVAL,
  PROP_VERIFICATION,
  N_PROPS
};

extern GParamSpec *_cd_import_job_properties[N_PROPS];

/* The record of an upload that may have reached Brightspace unanswered. */
#define CD_IMPORT_JOB_WORD_OUTCOME_UNKNOWN "OUTCOME_UNKNOWN"

/* cd-import-job-journal.c */
typedef void (*CdImportJobSavedFunc) (CdImportJob *self,
                                      gboolean     saved);

void      _cd_import_job_save            (CdImportJob    *self);
void      _cd_import_job_save_then       (CdImportJob          *self,
                                          CdImportJobSavedFunc  then);

/* cd-import-job.c */
void      _cd_import_job_set_running     (CdImportJob    *self,
                                          gboolean        running);
void      _cd_import_job_set_retrying    (CdImportJob    *self,
                                          gboolean        retrying);
void      _cd_import_job_set_status      (CdImportJob    *self,
                                          CdImportStatus  status,
                                          const char     *word);
void      _cd_import_job_finish          (CdImportJob    *self,
                                          GError         *error);
void      _cd_import_job_need_attention  (CdImportJob    *self,
                                          GError         *error);
void      _cd_import_job_renew_cancellable (CdImportJob  *self);
/* @attention: (transfer full) (nullable) */
void      _cd_import_job_set_attention   (CdImportJob    *self,
                                          GError         *attention);

/* cd-import-job-verify.c */
typedef void (*CdImportJobThen) (CdImportJob *self);

/* Snapshots the offering, when the job verifies, then calls @then. */
void      _cd_import_job_verify_before   (CdImportJob    *self,
                                          CdImportJobThen then);
/* Finishes the job with @outcome (transfer full) (nullable), after
 * verifying a COMPLETED import when it verifies. */
void      _cd_import_job_verify_then_finish (CdImportJob *self,
                                             GError      *outcome);
/* The verification a record holds, if any. */
void      _cd_import_job_load_verification (CdImportJob  *self);

void      _cd_import_job_emit_retry      (CdImportJob    *self);

/* cd-import-job-retry.c */
/* The poll that failed with @error will be tried again at
 * CdImportJob->poll_due: records why, and emits CdImportJob::retry. */
void      _cd_import_job_note_retry      (CdImportJob    *self,
                                          const GError   *error);
void      _cd_import_job_clear_retry     (CdImportJob    *self);

/* cd-import-job-poll.c */
guint     _cd_import_job_next_interval   (guint           current_ms,
                                          guint           max_ms);
void      _cd_import_job_begin_polling   (CdImportJob    *self);
void      _cd_import_job_stop_polling    (CdImportJob    *self);

G_END_DECLS
