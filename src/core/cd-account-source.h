/* cd-account-source.h: where the account comes from, decided in one place
 *
 * Every part of the account is taken from the first of these that has it:
 *
 *   1. options: what the caller was told (--host, an app ID typed at a
 *      prompt, --trust-fingerprint);
 *   2. the environment: COURSEDROP_HOST, COURSEDROP_APP_ID,
 *      COURSEDROP_APP_KEY, COURSEDROP_USER_ID, COURSEDROP_USER_KEY;
 *      COURSEDROP_ACCESS_TOKEN (an OAuth bearer token from elsewhere, used
 *      as it is, before anything saved); COURSEDROP_CLIENT_SECRET (the
 *      saved OAuth account's client secret, before the keyring's);
 *   3. the saved settings (GSettings): host, app-id, user-id,
 *      display-name, le-version, and for an OAuth 2.0 account (auth-kind
 *      "oauth", unless ID-Key variables are set) client-id and the oauth-*
 *      keys — only for the saved host;
 *   4. the keyring: the app and user keys of those IDs, or the OAuth
 *      client secret and refresh token.
 *
 * TLS trust is applied here too: COURSEDROP_CA_FILE (read nowhere else)
 * and the certificate fingerprint the user chose to trust, on top of the
 * pins saved in settings (which every client made from an account honours).
 *
 * Everything here comes from outside, so every bad value is a GError
 * whose message names where it came from; nothing asserts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-account.h"
#include "cd-signin.h"

G_BEGIN_DECLS

typedef enum {
  CD_ACCOUNT_SOURCE_NONE    = 0,
  /* Sign-in: no user is looked up, and an account without its app ID or
   * key is returned rather than an error (the caller asks for them).  A
   * host is still required. */
  CD_ACCOUNT_SOURCE_APP_ONLY = 1 << 0,
} CdAccountSourceFlags;

typedef struct
{
  const char           *host;               /* (nullable) before COURSEDROP_HOST */
  const char           *app_id;             /* (nullable) before COURSEDROP_APP_ID */
  const char           *trust_fingerprint;  /* (nullable) SHA-256 to trust for the host */
  CdAccountSourceFlags  flags;
} CdAccountOptions;

/* Resolves the account in the order above, synchronously (keyring
 * lookups block: for the command line, or once at start-up).  @options
 * may be NULL.  Errors: CD_ACCOUNT_ERROR (NO_HOST, NO_APP, NO_USER for
 * half a user, INVALID for a bad COURSEDROP_CA_FILE or saved value),
 * CD_CLIENT_ERROR_INVALID_HOST, CD_CERTIFICATE_ERROR for a malformed
 * fingerprint, CD_CREDENTIALS_ERROR when the keyring fails. */
CdAccount  *cd_account_source_resolve           (const CdAccountOptions *options,
                                                 GCancellable           *cancellable,
                                                 GError                **error) G_GNUC_WARN_UNUSED_RESULT;

/* Whether any of the COURSEDROP_* account variables is set (non-empty):
 * then the environment, not only the saved account, decides. */
gboolean    cd_account_source_has_environment   (void);

/* (nullable): COURSEDROP_CA_FILE, or NULL when unset or empty. */
const char *cd_account_source_get_ca_file       (void);

/* Applies this run's TLS trust to an account made elsewhere (loaded with
 * cd_account_load_saved_async(), or typed into a window):
 * COURSEDROP_CA_FILE, checked to be a readable PEM file, and
 * @trust_fingerprint (nullable).  FALSE with a CD_ACCOUNT_ERROR_INVALID or
 * CD_CERTIFICATE_ERROR naming the problem. */
gboolean    cd_account_source_apply_tls         (CdAccount   *account,
                                                 const char  *trust_fingerprint,
                                                 GError     **error);
/* The same for a browser sign-in, before cd_signin_start(). */
gboolean    cd_account_source_apply_signin_tls  (CdSignIn    *signin,
                                                 const char  *trust_fingerprint,
                                                 GError     **error);

G_END_DECLS
