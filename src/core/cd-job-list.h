/* cd-job-list.h: every import job of one Brightspace, as a GListModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cd-import-job.h"

G_BEGIN_DECLS

#define CD_TYPE_JOB_LIST (cd_job_list_get_type ())

G_DECLARE_FINAL_TYPE (CdJobList, cd_job_list, CD, JOB_LIST, GObject)

/* @journal must be loaded already.  The list holds the jobs of
 * @client's host only, newest first; it is empty until cd_job_list_load(). */
CdJobList    *cd_job_list_new           (CdClient      *client,
                                         CdJobJournal  *journal) G_GNUC_WARN_UNUSED_RESULT;

CdClient     *cd_job_list_get_client    (CdJobList     *self);
/* After a new sign-in to the same site: jobs created from now on use
 * @client, and paused jobs go on with it. */
void          cd_job_list_set_client    (CdJobList     *self,
                                         CdClient      *client);
CdJobJournal *cd_job_list_get_journal   (CdJobList     *self);

/* Creates a job for each of the host's records, marks unfinished records
 * without a token as failed (their upload was interrupted) and starts
 * following the unfinished ones that have a token.  The journal is saved
 * in the background: a failure shows in CdJobJournal:write-error.  Jobs
 * other processes record from now on are added (and followed) as they
 * appear, finished ones updated, removed ones dropped. */
gboolean      cd_job_list_load          (CdJobList     *self,
                                         GError       **error);

/* Puts @job first, or, when the list has a job of @job's record (a job
 * followed again), in that job's place; the old one stops following.
 * The caller starts @job. */
void          cd_job_list_add           (CdJobList     *self,
                                         CdImportJob   *job);
/* Stops following @job (a server-side job goes on) and forgets it, in the
 * list and in the journal, which is saved in the background (a failure
 * shows in CdJobJournal:write-error). */
gboolean      cd_job_list_remove        (CdJobList     *self,
                                         CdImportJob   *job,
                                         GError       **error);

/* Returns: (transfer none) (nullable) */
CdImportJob  *cd_job_list_find_token    (CdJobList     *self,
                                         gint64         offering_id,
                                         const char    *token);
/* Follows an existing job: the running job of that token if there is one
 * (@already set to TRUE), else a new job in place of a finished one, not
 * started yet.  Returns: (transfer none) */
CdImportJob  *cd_job_list_track_token   (CdJobList     *self,
                                         gint64         offering_id,
                                         const char    *token,
                                         gboolean      *already);
guint         cd_job_list_get_n_running (CdJobList     *self);

G_END_DECLS
