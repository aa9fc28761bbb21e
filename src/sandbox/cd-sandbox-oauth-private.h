/* cd-sandbox-oauth-private.h: what the sandbox's OAuth files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cd-sandbox.h"

G_BEGIN_DECLS

#define CD_SANDBOX_OAUTH_CODE_LIFE_US (60 * G_USEC_PER_SEC)

typedef struct
{
  char   *redirect_uri;
  char   *scope;
  char   *challenge;   /* (nullable) */
  gint64  expires_us;  /* monotonic */
} CdSandboxOAuthCode;

typedef struct
{
  char   *scope;
  gint64  expires_us;  /* monotonic */
} CdSandboxOAuthToken;

typedef struct
{
  char       *client_id;     /* (nullable): no OAuth without it */
  char       *client_secret;
  char       *redirect_uri;
  char       *scope;         /* registered */
  gboolean    only;
  guint       token_life;

  GHashTable *codes;         /* code → CdSandboxOAuthCode */
  GHashTable *access;        /* token → CdSandboxOAuthToken */
  GHashTable *refresh;       /* token → scope */
  GHashTable *used_refresh;  /* set */

  guint       tokens;
  guint       refreshes;
  guint       reuses;
  guint       bearers;
  guint       refused;
} CdSandboxOAuthState;

/* cd-sandbox-oauth.c */
CdSandboxOAuthState *_cd_sandbox_oauth_state        (CdSandbox           *self);
void                 _cd_sandbox_oauth_code_free    (CdSandboxOAuthCode  *code);
char                *_cd_sandbox_oauth_random_token (const char          *prefix);
void                 _cd_sandbox_oauth_respond_page (SoupServerMessage   *msg,
                                                     guint                status,
                                                     const char          *title,
                                                     const char          *body_html);
/* The requested scopes the registration covers, space-separated. */
char                *_cd_sandbox_oauth_grant_scope  (CdSandboxOAuthState *state,
                                                     const char          *requested);

/* cd-sandbox-oauth-authorize.c: GET /oauth2/auth, and the consent form
 * POSTed to /oauth2/auth/allow (@form). */
void                 _cd_sandbox_oauth_authorize    (CdSandbox           *self,
                                                     SoupServerMessage   *msg,
                                                     GHashTable          *params,
                                                     gboolean             form);

G_END_DECLS
