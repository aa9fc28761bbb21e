/* cd-session-private.h: what the parts of CdSession share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-session.h"

G_BEGIN_DECLS

struct _CdSession
{
  GObject       parent_instance;

  GSettings    *settings;       /* (owned) (nullable): no schema installed */
  CdAccount    *account;        /* (owned) (nullable) */
  CdClient     *client;         /* (owned) (nullable) */
  CdJobList    *jobs;           /* (owned) (nullable): not connected */
  GCancellable *cancellable;    /* (owned): whoami; cancelled on close */
  GCancellable *connecting;     /* (owned) (nullable): the start-up's journal load */
  char         *ca_file;        /* (owned) (nullable) */
  char         *subtitle;       /* (owned) (nullable) */
  char         *failure_title;  /* (owned) (nullable) */
  char         *failure_text;   /* (owned) (nullable) */
  char         *problem;        /* (owned) (nullable) */

  gboolean      demo;
  gboolean      expired;
};

/* cd-session.c: each setter notifies its property when it changes. */
void _cd_session_set_account      (CdSession  *self,
                                   CdAccount  *account);
void _cd_session_set_client       (CdSession  *self,
                                   CdClient   *client);
/* Follows @jobs (nullable): a job that pauses means the sign-in expired. */
void _cd_session_set_jobs         (CdSession  *self,
                                   CdJobList  *jobs);
/* Jobs of the same site that poll with another client go on with @client. */
void _cd_session_move_jobs        (CdSession  *self,
                                   CdClient   *client);
void _cd_session_set_expired      (CdSession  *self,
                                   gboolean    expired);
void _cd_session_set_problem      (CdSession  *self,
                                   const char *problem);
/* Emits "message" and "account-changed". */
void _cd_session_message          (CdSession  *self,
                                   const char *text);
void _cd_session_account_changed  (CdSession  *self);

G_END_DECLS
