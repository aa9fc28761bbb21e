/* cd-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-job-list.h"

G_BEGIN_DECLS

#define CD_TYPE_WINDOW (cd_window_get_type ())

G_DECLARE_FINAL_TYPE (CdWindow, cd_window, CD, WINDOW, AdwApplicationWindow)

/* Signals:
 *   client-error (CdClient *client, GError *error): a request of the window
 *     failed; an expired sign-in or an untrusted certificate is for whoever
 *     owns the session (cd_session_handle_error()). */

CdWindow   *cd_window_new                (GtkApplication *application) G_GNUC_WARN_UNUSED_RESULT;

/* (nullable): the jobs of the account, and through them its client and
 * journal.  Without it the window asks for an account. */
void        cd_window_set_job_list       (CdWindow       *self,
                                          CdJobList      *jobs);
CdJobList  *cd_window_get_job_list       (CdWindow       *self);
/* (nullable): the client new imports use; by default the job list's.  It
 * changes when the user signs in again. */
void        cd_window_set_client         (CdWindow       *self,
                                          CdClient       *client);
/* Shows the “sign-in has expired” banner. */
void        cd_window_set_sign_in_expired (CdWindow      *self,
                                           gboolean       expired);
void        cd_window_set_subtitle       (CdWindow       *self,
                                          const char     *subtitle);
/* Shows a spinner page while the demo sandbox starts. */
void        cd_window_set_starting       (CdWindow       *self,
                                          gboolean        starting);
/* Shows a spinner page while the account and the job history load. */
void        cd_window_set_loading        (CdWindow       *self,
                                          gboolean        loading);
/* Shows an error page instead of the jobs: nothing can be imported. */
void        cd_window_set_failure        (CdWindow       *self,
                                          const char     *title,
                                          const char     *description);
/* (nullable): offered on the empty page in demo mode. */
void        cd_window_set_sample_package (CdWindow       *self,
                                          GFile          *file);

/* Adds @file as a pending import, or says in a toast why not.  The file
 * is checked in the background: one that is no package leaves again, with
 * a toast, once that is known.  FALSE when refused at once. */
gboolean    cd_window_add_file           (CdWindow       *self,
                                          GFile          *file);
void        cd_window_show_toast         (CdWindow       *self,
                                          const char     *message);
/* Scrolls to and highlights the job with @token. */
/* Whether the window may close (or the app quit, @quit_app) now: TRUE
 * unless an upload runs, in which case it asks first and, on Quit, closes
 * or quits by itself. */
gboolean    cd_window_confirm_quit       (CdWindow       *self,
                                          gboolean        quit_app);
gboolean    cd_window_show_job           (CdWindow       *self,
                                          const char     *token);

G_END_DECLS
