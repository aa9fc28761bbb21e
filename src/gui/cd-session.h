/* cd-session.h: the signed-in session the window shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cd-account.h"
#include "cd-certificate.h"
#include "cd-job-list.h"

G_BEGIN_DECLS

#define CD_TYPE_SESSION (cd_session_get_type ())

G_DECLARE_FINAL_TYPE (CdSession, cd_session, CD, SESSION, GObject)

/* @demo: the demo's sandbox account, which cannot expire or be untrusted. */
CdSession   *cd_session_new                (gboolean              demo) G_GNUC_WARN_UNUSED_RESULT;

/* Finds the account (the environment, then the saved settings and the
 * keyring) and connects when it has a user; without one the session stays
 * signed out.  The keyring lookups and the journal's read run on worker
 * threads: the main loop never waits for them.  Never fails: what went
 * wrong is the "problem" property. */
void         cd_session_load_async         (CdSession            *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
void         cd_session_load_finish        (CdSession            *self,
                                            GAsyncResult         *result);

/* Connects @account with the journal at @journal_path (NULL: the user's)
 * and shows @subtitle (NULL: the account's name and address). */
void         cd_session_connect            (CdSession            *self,
                                            CdAccount            *account,
                                            const char           *journal_path,
                                            const char           *subtitle);
/* The account window saved @account: on the same site the jobs stay and
 * paused ones go on with the new keys. */
void         cd_session_sign_in            (CdSession            *self,
                                            CdAccount            *account);
void         cd_session_sign_out           (CdSession            *self);
/* Stops the uploads and polls of the account's jobs (a sign-out begins):
 * nothing more is sent with its keys.  cd_session_sign_out() does it too;
 * cd_session_resume_jobs() follows the stopped ones again (the sign-out
 * failed). */
void         cd_session_stop_jobs          (CdSession            *self);
void         cd_session_resume_jobs        (CdSession            *self);
/* Trusts exactly @info for the account's host, saves that, and connects
 * again. */
gboolean     cd_session_trust_certificate  (CdSession            *self,
                                            CdCertificateInfo    *info,
                                            GError              **error);
/* An expired sign-in emits "expired", an untrusted certificate (when
 * @client kept it) "untrusted-certificate".  TRUE when @error was one. */
gboolean     cd_session_handle_error       (CdSession            *self,
                                            CdClient             *client,
                                            const GError         *error);
/* Stops following the jobs; the journal keeps them for the next start. */
void         cd_session_close              (CdSession            *self);

void         cd_session_set_subtitle       (CdSession            *self,
                                            const char           *subtitle);
/* A problem that stops all imports; title NULL: none. */
void         cd_session_set_failure        (CdSession            *self,
                                            const char           *title,
                                            const char           *text);

gboolean     cd_session_get_demo           (CdSession            *self);
/* (nullable): what the account window edits. */
CdAccount   *cd_session_get_account        (CdSession            *self);
/* (nullable): the newest client of the account. */
CdClient    *cd_session_get_client         (CdSession            *self);
/* (nullable): NULL while not connected. */
CdJobList   *cd_session_get_jobs           (CdSession            *self);
gboolean     cd_session_get_expired        (CdSession            *self);
const char  *cd_session_get_subtitle       (CdSession            *self);
const char  *cd_session_get_failure_title  (CdSession            *self);
const char  *cd_session_get_failure_text   (CdSession            *self);
/* (nullable): why there is no account, when that is not a first start. */
const char  *cd_session_get_problem        (CdSession            *self);
/* (nullable): COURSEDROP_CA_FILE, extra authorities for every client. */
const char  *cd_session_get_ca_file        (CdSession            *self);
/* Whether a package is being uploaded right now. */
gboolean     cd_session_is_uploading       (CdSession            *self);

G_END_DECLS
