/* cd-oauth-private.h: what cd-oauth.c, cd-oauth-signin.c and cd-oauth-token.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-oauth.h"
#include "cd-secret.h"

G_BEGIN_DECLS

/* cd-oauth.c */
struct _CdOAuth
{
  GObject    parent_instance;

  char      *host;            /* normalized */
  char      *client_id;       /* (nullable) for a token from elsewhere */
  CdSecret  *client_secret;   /* (nullable) */
  char      *auth_url;
  char      *token_url;
  char      *redirect_uri;
  char      *scope;

  CdSecret  *access_token;    /* (nullable): in memory only */
  gint64     expires_us;      /* monotonic */
  gint64     lifetime_s;
  char      *granted_scope;   /* (nullable) */
  gboolean   signed_in;       /* a refresh token is in the keyring */
  gboolean   fixed_token;     /* COURSEDROP_ACCESS_TOKEN: never renewed */

  CdSecret  *state;           /* (nullable): of the sign-in under way */
  CdSecret  *verifier;        /* (nullable) */

  GPtrArray *waiters;         /* (element-type GTask): wait for the renewal under way */
  gboolean   renewing;
};

typedef enum {
  CD_OAUTH_GRANT_CODE,
  CD_OAUTH_GRANT_REFRESH,
} CdOAuthGrant;

/* One token request, made on a worker thread: everything it needs is
 * copied in, and its results are copied out, so the CdOAuth is only ever
 * touched in its own context. */
typedef struct
{
  CdOAuthGrant  grant;
  char         *host;
  char         *client_id;
  CdSecret     *client_secret;
  char         *token_url;
  char         *redirect_uri;
  char         *scope;
  char         *lock_path;
  CdSecret     *code;          /* code grant */
  char         *verifier;      /* code grant */
  CdSecret     *had_refresh;   /* (nullable) refresh grant: the one we last knew */
  GTlsDatabase *tls_database;  /* (nullable) */

  /* Results */
  CdSecret     *access_token;
  CdSecret     *refresh_token; /* (nullable): stored in the keyring already */
  gint64        expires_in;    /* seconds */
  char         *granted_scope; /* (nullable) */
} CdOAuthTokenJob;

CdOAuthTokenJob *_cd_oauth_token_job_new (CdOAuth         *self,
                                          CdOAuthGrant     grant,
                                          GTlsDatabase    *tls_database);
/* Takes the tokens of a finished @job. */
void      _cd_oauth_adopt_tokens     (CdOAuth          *self,
                                      CdOAuthTokenJob  *job);

/* (transfer full) (nullable): for saving it in the keyring. */
CdSecret *_cd_oauth_dup_client_secret (CdOAuth        *self);

void      _cd_oauth_token_job_free   (CdOAuthTokenJob *job);
/* Runs @job (g_task_run_in_thread); returns TRUE or an error. */
void      _cd_oauth_token_job_run    (GTask            *task,
                                      gpointer          source_object,
                                      gpointer          task_data,
                                      GCancellable     *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdOAuthTokenJob, _cd_oauth_token_job_free)

G_END_DECLS
