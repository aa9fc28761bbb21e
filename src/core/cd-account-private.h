/* cd-account-private.h: what the parts of CdAccount share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-account.h"
#include "cd-credentials.h"
#include "cd-oauth.h"
#include "cd-secret.h"

G_BEGIN_DECLS

struct _CdAccount
{
  GObject   parent_instance;

  char     *host;          /* (owned) */
  char     *app_id;        /* (owned) (nullable) */
  CdSecret *app_key;       /* (owned) (nullable) */
  char     *user_id;       /* (owned) (nullable) */
  CdSecret *user_key;      /* (owned) (nullable) */
  char     *display_name;  /* (owned) (nullable) */
  char     *le_version;    /* (owned) (nullable) */
  char     *ca_file;       /* (owned) (nullable) */
  char     *pin;           /* (owned) (nullable): canonical fingerprint */
  CdOAuth  *oauth;         /* (owned) (nullable): an OAuth 2.0 account; no app or user keys */
};

char *_cd_account_non_empty (const char  *value);

/* cd-account-saved.c */
/* The host as settings and the keyring spell it; NULL if it is not one. */
char      *_cd_account_normalized_host (const char  *host);
GSettings *_cd_account_open_settings   (GError     **error);

/* cd-account-oauth.c: the saved OAuth 2.0 account. */
typedef void (*CdAccountBatchAdd) (gpointer          batch,
                                   gboolean          store,
                                   CdCredentialKind  kind,
                                   const char       *host,
                                   const char       *app_id,
                                   const char       *secret);
typedef void (*CdAccountBatchSet) (gpointer          batch,
                                   const char       *key,
                                   const char       *value);

/* *@oauth: (transfer full) (nullable): NULL unless settings say "oauth". */
gboolean _cd_account_read_saved_oauth   (GSettings          *settings,
                                         const char         *host,
                                         CdOAuth           **oauth,
                                         GError            **error);
/* The client secret (@secret_override, else the keyring's) and whether a
 * refresh token is there.  Blocks: start-up or a worker thread. */
gboolean _cd_account_load_oauth_secrets (CdOAuth            *oauth,
                                         const char         *secret_override,
                                         GCancellable       *cancellable,
                                         GError            **error);
void     _cd_account_save_oauth         (CdAccount          *self,
                                         CdAccountBatchAdd   add,
                                         CdAccountBatchSet   set,
                                         gpointer            batch,
                                         const char         *host);

G_END_DECLS
