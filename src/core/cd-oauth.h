/* cd-oauth.h: OAuth 2.0 sign-in and bearer tokens for Brightspace
 *
 * The authorization-code grant with state and PKCE (S256), the client
 * authenticated with HTTP Basic (oauth2.md §1.5, §1.6).  The access token
 * lives only in this object's memory; the refresh token and the client
 * secret only in the keyring (cd-credentials.h).  Refresh tokens are
 * single use: a renewal runs under a lock file shared by every Coursedrop
 * process of the user, takes the refresh token the keyring holds now, and
 * stores the new one before the new access token is used.
 *
 * For a window: cd_oauth_new() with what the user typed, then
 * cd_oauth_begin_sign_in() for the address to show (in a browser or a web
 * view), then cd_oauth_complete_sign_in_async() with the address the
 * browser ended on (caught, or pasted), then cd_account_new_oauth() and
 * cd_account_save_async().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cd-auth.h"
#include "cd-secret.h"

G_BEGIN_DECLS

#define CD_OAUTH_ERROR (cd_oauth_error_quark ())

typedef enum {
  CD_OAUTH_ERROR_INVALID_SETTING,   /* an endpoint, redirect URI or client ID that cannot be used */
  CD_OAUTH_ERROR_INVALID_REDIRECT,  /* the address the browser ended on has no code */
  CD_OAUTH_ERROR_STATE_MISMATCH,    /* not the answer to our request: refused */
  CD_OAUTH_ERROR_DENIED,            /* the user or the server said no (error=…) */
  CD_OAUTH_ERROR_TOKEN_REFUSED,     /* the token endpoint refused the code */
  CD_OAUTH_ERROR_NOT_STARTED,       /* complete without begin */
} CdOAuthError;

GQuark cd_oauth_error_quark (void);

#define CD_OAUTH_DEFAULT_AUTH_URL  "https://auth.brightspace.com/oauth2/auth"
#define CD_OAUTH_DEFAULT_TOKEN_URL "https://auth.brightspace.com/core/connect/token"
/* What an administrator registers: nothing needs to listen there (the
 * address is pasted back, or caught by the app's web view). */
#define CD_OAUTH_DEFAULT_REDIRECT_URI "https://localhost:47214/coursedrop-callback"
/* Every route Coursedrop calls (oauth2.md §1.8). */
#define CD_OAUTH_DEFAULT_SCOPE \
  "import:job:create,fetch orgunits:course:create,read organizations:organization:read " \
  "users:own_profile:read users:profile:read enrollment:orgunit:create " \
  "enrollment:own_enrollment:read content:toc:read content:modules:readonly " \
  "content:topics:readonly quizzing:quizzes:read dropbox:folders:read " \
  "discussions:forums:readonly discussions:topics:readonly core:*:*"

/* Scopes (cd-oauth-scopes.c), shared with the sandbox. */
/* The scope a Valence route needs (static); NULL for an anonymous one
 * (versions) or one outside /d2l/api/. */
const char *cd_oauth_scope_for_route    (const char  *method,
                                         const char  *path);
/* Whether the space-separated @granted scopes satisfy @required
 * ("group:resource:perm[,perm]", "*" anywhere). */
gboolean    cd_oauth_scopes_satisfy     (const char  *granted,
                                         const char  *required);
/* Whether @scope is a space-separated list of group:resource:perms. */
gboolean    cd_oauth_scope_is_valid     (const char  *scope);

#define CD_TYPE_OAUTH (cd_oauth_get_type ())

G_DECLARE_FINAL_TYPE (CdOAuth, cd_oauth, CD, OAUTH, GObject)

/* @host: the Brightspace site (normalized here); @client_id: as
 * registered.  NULL with CD_CLIENT_ERROR_INVALID_HOST or
 * CD_OAUTH_ERROR_INVALID_SETTING. */
CdOAuth    *cd_oauth_new                 (const char  *host,
                                          const char  *client_id,
                                          GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* A bearer token from elsewhere (COURSEDROP_ACCESS_TOKEN): used as it is,
 * never renewed; a 401 ends in CD_CLIENT_ERROR_TOKEN_EXPIRED. */
CdOAuth    *cd_oauth_new_for_access_token (const char *host,
                                           const char *access_token,
                                           GError    **error) G_GNUC_WARN_UNUSED_RESULT;

const char *cd_oauth_get_host            (CdOAuth     *self);
const char *cd_oauth_get_client_id       (CdOAuth     *self);
/* NULL restores the default; https, or http on a loopback host only. */
gboolean    cd_oauth_set_auth_url        (CdOAuth     *self,
                                          const char  *url,
                                          GError     **error);
gboolean    cd_oauth_set_token_url       (CdOAuth     *self,
                                          const char  *url,
                                          GError     **error);
const char *cd_oauth_get_auth_url        (CdOAuth     *self);
const char *cd_oauth_get_token_url       (CdOAuth     *self);
/* Exactly as registered; NULL restores the default. */
gboolean    cd_oauth_set_redirect_uri    (CdOAuth     *self,
                                          const char  *uri,
                                          GError     **error);
const char *cd_oauth_get_redirect_uri    (CdOAuth     *self);
/* Space-separated; NULL restores CD_OAUTH_DEFAULT_SCOPE. */
gboolean    cd_oauth_set_scope           (CdOAuth     *self,
                                          const char  *scope,
                                          GError     **error);
const char *cd_oauth_get_scope           (CdOAuth     *self);
/* (nullable): copied into wiped memory. */
void        cd_oauth_set_client_secret   (CdOAuth     *self,
                                          const char  *secret);
gboolean    cd_oauth_has_client_secret   (CdOAuth     *self);
/* Whether it can authorize a request: an access token, or a refresh token
 * known to be in the keyring. */
gboolean    cd_oauth_is_signed_in        (CdOAuth     *self);
/* The refresh token was found in the keyring (at load): renewals read it
 * from there again each time. */
void        cd_oauth_set_signed_in       (CdOAuth     *self,
                                          gboolean     signed_in);
gboolean    cd_oauth_can_refresh         (CdOAuth     *self);
/* The scopes the token endpoint granted (or those asked for, when it did
 * not say); NULL before the first token. */
const char *cd_oauth_get_granted_scope   (CdOAuth     *self);
/* Whether @scope is among the granted (or, before any token, the asked
 * for) scopes. */
gboolean    cd_oauth_scope_granted       (CdOAuth     *self,
                                          const char  *scope);

/* Makes a new state and PKCE verifier and returns (transfer full) the
 * address of the authorization endpoint to open.  Fails with
 * CD_OAUTH_ERROR_INVALID_SETTING without a client secret. */
char       *cd_oauth_begin_sign_in       (CdOAuth     *self,
                                          GError     **error);
/* Parses the address the browser ended on (@redirected: caught on a
 * loopback listener, or pasted), checks its state, trades the code for
 * tokens and stores the refresh token in the keyring.  @tls_database
 * (nullable): whom to trust for the token endpoint. */
void        cd_oauth_complete_sign_in_async  (CdOAuth             *self,
                                              const char          *redirected,
                                              GTlsDatabase        *tls_database,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    cd_oauth_complete_sign_in_finish (CdOAuth             *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* (transfer full): @n_bytes (at most 64) from GnuTLS's CSPRNG as
 * base64url without padding, for states, verifiers and tokens. */
CdSecret   *cd_oauth_random_b64url       (gsize        n_bytes);

/* Forgets the access token and the sign-in (after a sign-out). */
void        cd_oauth_forget_tokens       (CdOAuth     *self);

/* The lock file renewals take (for tests): in $XDG_RUNTIME_DIR, else the
 * user data dir.  (transfer full) */
char       *cd_oauth_dup_lock_path       (CdOAuth     *self);

G_END_DECLS
