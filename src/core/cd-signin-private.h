/* cd-signin-private.h: what the parts of CdSignIn share
 *
 * cd-signin.c starts the sign-in and owns the object; cd-signin-wait.c
 * answers the browser's callback and ends the wait.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cd-secret.h"
#include "cd-signin.h"

G_BEGIN_DECLS

typedef enum {
  STATE_NEW,        /* not listening yet */
  STATE_WAITING,    /* listening; no callback yet */
  STATE_VERIFYING,  /* the callback came; whoami is on its way */
  STATE_DONE,       /* the one callback was handled */
} State;

struct _CdSignIn
{
  GObject            parent_instance;

  State              state;
  SoupServer        *server;           /* (nullable) */
  char              *path;             /* the callback's path */
  char              *host;             /* normalized */
  char              *app_id;
  CdSecret          *app_key;          /* (owned) (nullable) */
  char              *ca_file;          /* (nullable) */
  char              *pin;              /* (nullable) */

  GTask             *task;             /* (nullable): the wait */
  GSource           *timeout_source;   /* (nullable) */
  guint              timeout_seconds;
  GSource           *cancel_source;    /* (nullable) */
  SoupServerMessage *callback;         /* (nullable): paused until answered */
  CdAccount         *candidate;        /* (nullable): being verified */
  CdAccount         *oauth_account;    /* (nullable): an OAuth 2.0 sign-in */
  char              *redirect_uri;     /* (nullable): OAuth, as registered */
  GCancellable      *verify_cancellable;
};

/* cd-signin-wait.c */
void               _cd_signin_server_cb          (SoupServer        *server,
                                                  SoupServerMessage *msg,
                                                  const char        *path,
                                                  GHashTable        *query,
                                                  gpointer           user_data);
void               _cd_signin_clear_wait_sources (CdSignIn          *self);
/* Answers the paused callback, if it is still waiting for an answer.
 * Returns (transfer full) (nullable) the message answered. */
SoupServerMessage *_cd_signin_answer_callback    (CdSignIn          *self,
                                                  guint              status,
                                                  const char        *title,
                                                  const char        *text);

G_END_DECLS
