/* cd-import-job.h: one course import, from upload to a final status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client.h"
#include "cd-import-status.h"
#include "cd-job-journal.h"
#include "cd-package.h"
#include "cd-package-preview.h"
#include "cd-verification.h"

G_BEGIN_DECLS

#define CD_JOB_ERROR (cd_job_error_quark ())

typedef enum {
  CD_JOB_ERROR_FAILED,     /* Brightspace said IMPORTFAILED */
  CD_JOB_ERROR_TIMED_OUT,  /* Brightspace said Timeout, or our deadline passed (then
                            * the job is left unfinished: see CdImportJob:attention) */
  CD_JOB_ERROR_CANCELLED,  /* the upload was stopped before Brightspace had the package */
} CdJobError;

GQuark cd_job_error_quark (void);

#define CD_IMPORT_JOB_DEFAULT_DEADLINE (36 * G_TIME_SPAN_HOUR)

#define CD_TYPE_IMPORT_JOB (cd_import_job_get_type ())

G_DECLARE_FINAL_TYPE (CdImportJob, cd_import_job, CD, IMPORT_JOB, GObject)

/* @journal: (nullable): where the job is recorded; it is saved before the
 * upload (which does not start if that fails), with the token before the
 * first poll, and after every status change.
 *
 * States: running (uploading or polling); finished (CdImportJob:finished
 * set: only by a final Brightspace status, a 404 for the token, or an
 * upload that reached nothing); or stopped unfinished, which is resumable
 * and, with CdImportJob:attention set, needs someone to act first (sign in
 * again, trust a certificate, fix the clock, reconnect, or check an upload
 * whose outcome is unknown). */
CdImportJob    *cd_import_job_new_for_package (CdClient      *client,
                                               CdJobJournal  *journal,
                                               CdPackage     *package,
                                               gint64         offering_id) G_GNUC_WARN_UNUSED_RESULT;
CdImportJob    *cd_import_job_new_for_token   (CdClient      *client,
                                               CdJobJournal  *journal,
                                               gint64         offering_id,
                                               const char    *token) G_GNUC_WARN_UNUSED_RESULT;
/* Follows (again) a job the journal recorded. */
CdImportJob    *cd_import_job_new_for_record  (CdClient      *client,
                                               CdJobJournal  *journal,
                                               CdJobRecord   *record) G_GNUC_WARN_UNUSED_RESULT;

/* Never ends the job by itself: outcomes arrive from the main loop. */
void            cd_import_job_start           (CdImportJob   *self);
/* Stops uploading and following (sign-out, account switch, Ctrl+C) and
 * sends nothing more; see the comment in cd-import-job.c. */
void            cd_import_job_stop            (CdImportJob   *self);
/* The same as cd_import_job_stop(). */
void            cd_import_job_cancel          (CdImportJob   *self);
/* Follows a stopped, unfinished job again, with @client (nullable: the
 * same) — e.g. after a new sign-in; clears CdImportJob:attention. */
void            cd_import_job_resume          (CdImportJob   *self,
                                               CdClient      *client);

/* The duplicate guard: the last import of that package into that offering,
 * or an upload of it whose outcome is unknown.  (transfer none) (nullable) */
CdJobRecord    *cd_import_job_find_previous   (CdJobJournal  *journal,
                                               const char    *host,
                                               gint64         offering,
                                               const char    *sha256);
/* Whether @package's quick key leaves a duplicate in @journal possible. */
gboolean        cd_import_job_needs_full_check (CdJobJournal *journal,
                                                const char   *host,
                                                gint64        offering,
                                                CdPackage    *package);
/* The guard without waiting for the full digest unless it must: see
 * cd-import-job-guard.c.  Finish: (transfer full) (nullable). */
void            cd_import_job_find_previous_async  (CdJobJournal        *journal,
                                                    const char          *host,
                                                    gint64               offering,
                                                    CdPackage           *package,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
CdJobRecord    *cd_import_job_find_previous_finish (GAsyncResult        *result,
                                                    GError             **error);
/* An upload that sent everything and got no answer: possibly imported. */
gboolean        cd_import_job_record_outcome_unknown (const CdJobRecord *record);

void            cd_import_job_set_callback_url (CdImportJob  *self,
                                                const char   *callback_url);
/* What the package holds (from cd_package_reader_read_async()): set
 * before cd_import_job_start(), it makes the job verify a COMPLETED
 * import (see cd-verification.h) unless cd_import_job_set_verify() said
 * no.  @preview: (nullable) */
void            cd_import_job_set_preview     (CdImportJob      *self,
                                               CdPackagePreview *preview);
/* (nullable) (transfer none) */
CdPackagePreview *cd_import_job_get_preview   (CdImportJob      *self);
void            cd_import_job_set_verify      (CdImportJob      *self,
                                               gboolean          verify);
/* The verification of a finished import (also of one the journal
 * recorded), or NULL when there is none (notify::verification).
 * (transfer none) (nullable) */
const CdVerification *cd_import_job_get_verification (CdImportJob *self);
void            cd_import_job_set_deadline    (CdImportJob   *self,
                                               GTimeSpan      deadline);
/* For tests: the first interval and the cap of the polling backoff. */
void            cd_import_job_set_poll_interval (CdImportJob *self,
                                                 guint        initial_ms,
                                                 guint        max_ms);
/* For tests: real waits are the policy's waits times @scale (> 0), so the
 * policy's own intervals can be observed in CdImportJob:poll-interval. */
void            cd_import_job_set_time_scale  (CdImportJob   *self,
                                               double         scale);

CdClient       *cd_import_job_get_client      (CdImportJob   *self);
CdJobRecord    *cd_import_job_get_record      (CdImportJob   *self);
/* (nullable) */
CdJobJournal   *cd_import_job_get_journal     (CdImportJob   *self);
CdPackage      *cd_import_job_get_package     (CdImportJob   *self);
const char     *cd_import_job_get_package_name (CdImportJob  *self);
gint64          cd_import_job_get_offering_id (CdImportJob   *self);
const char     *cd_import_job_get_offering_name (CdImportJob *self);
void            cd_import_job_set_offering_name (CdImportJob *self,
                                                 const char  *name);
const char     *cd_import_job_get_token       (CdImportJob   *self);
CdImportStatus  cd_import_job_get_status      (CdImportJob   *self);
const char     *cd_import_job_get_status_text (CdImportJob   *self);
CdImportStage   cd_import_job_get_stage       (CdImportJob   *self);
goffset         cd_import_job_get_bytes_sent  (CdImportJob   *self);
goffset         cd_import_job_get_bytes_total (CdImportJob   *self);
GDateTime      *cd_import_job_get_started     (CdImportJob   *self);
GDateTime      *cd_import_job_get_finished    (CdImportJob   *self);
double          cd_import_job_get_upload_seconds (CdImportJob *self);
gboolean        cd_import_job_get_retrying    (CdImportJob   *self);
/* While CdImportJob:retrying, after each attempt that got no (good)
 * answer (CdImportJob::retry): what went wrong in a few words ("connection
 * refused"), and when the next attempt is (monotonic µs, as
 * g_get_monotonic_time()); NULL and 0 otherwise. */
const char     *cd_import_job_get_retry_reason (CdImportJob  *self);
gint64          cd_import_job_get_retry_time  (CdImportJob   *self);
/* "Cannot reach school.brightspace.com: connection refused. Retrying in
 * 8 s…", counted down to @now_us (monotonic); NULL when not retrying.
 * The one sentence the window and the CLI show.  (transfer full) */
char           *cd_import_job_dup_retry_message (CdImportJob *self,
                                                 gint64       now_us);
/* Whether the job needs attention because Brightspace rejected the key
 * (a new sign-in, then cd_import_job_resume(), goes on). */
gboolean        cd_import_job_get_paused      (CdImportJob   *self);
const GError   *cd_import_job_get_attention   (CdImportJob   *self);
/* The last journal save that failed, NULL once one succeeds again. */
const GError   *cd_import_job_get_journal_error (CdImportJob *self);
guint           cd_import_job_get_poll_interval (CdImportJob *self);
gboolean        cd_import_job_is_running      (CdImportJob   *self);
gboolean        cd_import_job_succeeded       (CdImportJob   *self);
/* How the job finished, or else why it needs attention. */
const GError   *cd_import_job_get_error       (CdImportJob   *self);
/* (element-type CdImportLogEntry): errors and warnings first. */
GPtrArray      *cd_import_job_get_logs        (CdImportJob   *self);
const char     *cd_import_job_get_failure_reason (CdImportJob *self);

G_END_DECLS
