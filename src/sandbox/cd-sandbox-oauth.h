/* cd-sandbox-oauth.h: the sandbox's OAuth 2.0 service (oauth2.md)
 *
 * GET /oauth2/auth (a consent page, or with auto-approve a redirect at
 * once), POST /core/connect/token (authorization_code with PKCE, and
 * refresh_token; codes and refresh tokens are single use), and Bearer
 * tokens on every API route: 401 for an unknown or expired token, 403
 * when it lacks the route's scope (cd_oauth_scope_for_route()).
 * GET /_sandbox/oauth reports the counters below as JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-sandbox.h"

G_BEGIN_DECLS

/* "CLIENT_ID:CLIENT_SECRET:REDIRECT_URI" (--oauth): registers the one
 * client; the redirect URI is compared byte for byte. */
gboolean    cd_sandbox_set_oauth_client       (CdSandbox   *self,
                                               const char  *spec,
                                               GError     **error);
/* The scopes registered for the app: tokens carry the requested scopes
 * these cover.  Default: CD_OAUTH_DEFAULT_SCOPE. */
void        cd_sandbox_set_oauth_scope        (CdSandbox   *self,
                                               const char  *scope);
/* Refuse ID-Key signed requests (--oauth-only). */
void        cd_sandbox_set_oauth_only         (CdSandbox   *self,
                                               gboolean     oauth_only);
/* Access token lifetime (--token-life), default 3600. */
void        cd_sandbox_set_token_life         (CdSandbox   *self,
                                               guint        seconds);
/* A bearer token accepted until the sandbox stops, with the registered
 * scopes (COURSEDROP_SANDBOX_ACCESS_TOKEN): the demo's sign-in, and
 * scripts' COURSEDROP_ACCESS_TOKEN.  FALSE for a short or malformed one. */
gboolean    cd_sandbox_add_oauth_access_token (CdSandbox   *self,
                                               const char  *token);
/* Every access token handed out so far stops working (401). */
void        cd_sandbox_expire_access_tokens   (CdSandbox   *self);

/* Counters for tests. */
guint       cd_sandbox_get_oauth_token_count  (CdSandbox   *self);  /* tokens issued */
guint       cd_sandbox_get_oauth_refresh_count (CdSandbox  *self);  /* refresh grants honoured */
guint       cd_sandbox_get_oauth_reuse_count  (CdSandbox   *self);  /* used refresh tokens sent again */
guint       cd_sandbox_get_oauth_bearer_count (CdSandbox   *self);  /* API requests with a good token */
guint       cd_sandbox_get_oauth_refused_count (CdSandbox  *self);  /* 401s for bad tokens */

G_END_DECLS
