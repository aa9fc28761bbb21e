/* cd-signin.h: sign in with the browser (valence-idkey.md §5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-account.h"

G_BEGIN_DECLS

#define CD_SIGNIN_ERROR (cd_signin_error_quark ())

typedef enum {
  CD_SIGNIN_ERROR_INVALID_CALLBACK,  /* not http://127.0.0.1:PORT/PATH or localhost */
  CD_SIGNIN_ERROR_PORT_IN_USE,       /* another program listens on the callback port */
  CD_SIGNIN_ERROR_TIMED_OUT,         /* no callback within the timeout */
} CdSignInError;

GQuark cd_signin_error_quark (void);

/* The callback address registered as the app's Trusted URL by default. */
#define CD_SIGNIN_DEFAULT_CALLBACK_URL "http://127.0.0.1:47213/callback"

#define CD_TYPE_SIGNIN (cd_signin_get_type ())

G_DECLARE_FINAL_TYPE (CdSignIn, cd_signin, CD, SIGNIN, GObject)

CdSignIn   *cd_signin_new                    (void) G_GNUC_WARN_UNUSED_RESULT;

/* TLS trust for the verification (see cd_account_set_ca_file() and
 * cd_account_set_pinned_certificate()); certificates pinned in settings
 * apply anyway.  Call before cd_signin_start(). */
void        cd_signin_set_ca_file            (CdSignIn     *self,
                                              const char   *pem_path);
gboolean    cd_signin_set_pinned_certificate (CdSignIn     *self,
                                              const char   *sha256,
                                              GError      **error);

/* Whether @callback_url is http://127.0.0.1:PORT/PATH or
 * http://localhost:PORT/PATH (no query, user or fragment); @port gets
 * PORT.  For settings pages that check what the user typed. */
gboolean    cd_signin_check_callback_url     (const char   *callback_url,
                                              guint16      *port,
                                              GError      **error);

/* Listens on 127.0.0.1 only, on the callback's port, for one callback, and
 * returns (transfer full) the URL to open in the browser.  Fails with
 * CD_SIGNIN_ERROR_PORT_IN_USE naming the port, INVALID_CALLBACK, or
 * CD_CLIENT_ERROR_INVALID_HOST.  Once per object. */
char       *cd_signin_start                  (CdSignIn     *self,
                                              const char   *host,
                                              const char   *app_id,
                                              const char   *app_key,
                                              const char   *callback_url,
                                              GError      **error);

/* cd_signin_start() with the host, app ID and app key of @account, which
 * keeps its keys to itself.  Fails with CD_ACCOUNT_ERROR_NO_APP when it
 * has no app. */
char       *cd_signin_start_for_account      (CdSignIn     *self,
                                              CdAccount    *account,
                                              const char   *callback_url,
                                              GError      **error);

/* OAuth 2.0 with a loopback redirect URI (http://127.0.0.1:PORT/PATH or
 * localhost, see cd_signin_check_callback_url()) on @account, made with
 * cd_account_new_oauth(): listens there and returns (transfer full) the
 * authorization address to open (cd_oauth_begin_sign_in()).  The wait
 * then trades the code (state checked, PKCE) and verifies the tokens with
 * whoami; it returns @account itself, signed in.  Once per object. */
char       *cd_signin_start_oauth            (CdSignIn     *self,
                                              CdAccount    *account,
                                              GError      **error);

/* Waits for Brightspace to send the browser to the callback, reads the
 * user ID and key from it (nothing else arriving there counts: other paths
 * get 404, later callbacks 409/410), checks them with whoami, and answers
 * the browser with a page saying how it went.  @timeout_seconds 0 waits
 * forever.  Errors: CD_SIGNIN_ERROR_TIMED_OUT, G_IO_ERROR_CANCELLED,
 * CD_IDKEY_ERROR_MISSING_USER_ID/KEY (the callback lacked x_a/x_b), and
 * any CD_CLIENT_ERROR of whoami.
 *
 * Returns (transfer full) a new account with host, app, user and display
 * name, not saved yet: the caller saves it (cd_account_save_async()). */
void        cd_signin_wait_async             (CdSignIn            *self,
                                              guint                timeout_seconds,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
CdAccount  *cd_signin_wait_finish            (CdSignIn            *self,
                                              GAsyncResult        *result,
                                              GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* Stops listening; later callbacks find nothing there.  Also done when
 * the object is finalized.  Until then a callback after the first gets
 * 410 Gone, so keep the object only as long as the sign-in dialog. */
void        cd_signin_stop                   (CdSignIn     *self);

G_END_DECLS
