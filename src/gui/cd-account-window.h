/* cd-account-window.h: the Brightspace account, signing in and out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-account.h"

G_BEGIN_DECLS

/* The private-use URI scheme of the OAuth redirect (RFC 8252 §7.1): the
 * desktop file makes the app its handler, so the browser's last address
 * reaches the running app through GApplication::open. */
#define CD_ACCOUNT_WINDOW_REDIRECT_SCHEME "io.github.coursedrop.coursedrop"
#define CD_ACCOUNT_WINDOW_DEFAULT_REDIRECT_URI CD_ACCOUNT_WINDOW_REDIRECT_SCHEME ":/oauth"

#define CD_TYPE_ACCOUNT_WINDOW (cd_account_window_get_type ())

G_DECLARE_FINAL_TYPE (CdAccountWindow, cd_account_window, CD, ACCOUNT_WINDOW, AdwPreferencesWindow)

/* @account: (nullable): what to show and edit.  Emits "signed-in" with a
 * saved account that has a user; "signing-out" when the user presses Sign
 * Out, then "signed-out" once the user keys are gone or "sign-out-failed". */
CdAccountWindow *cd_account_window_new         (GtkWindow       *parent,
                                                CdAccount       *account) G_GNUC_WARN_UNUSED_RESULT;
CdAccount       *cd_account_window_get_account (CdAccountWindow *self);
void             cd_account_window_set_account (CdAccountWindow *self,
                                                CdAccount       *account);
/* (nullable): a PEM file of extra authorities for signing in and checking
 * keys (the session's COURSEDROP_CA_FILE). */
void             cd_account_window_set_ca_file (CdAccountWindow *self,
                                                const char      *ca_file);

/* The demo's account: shown, with nothing to change or sign out of. */
void             cd_account_window_set_demo    (CdAccountWindow *self,
                                                gboolean         demo);

/* Whether @uri is an answer to a sign-in (the redirect scheme). */
gboolean         cd_account_window_is_redirect (const char      *uri);
/* The browser came back with @redirected (the address it was sent to):
 * finishes the OAuth sign-in waiting for it.  FALSE, saying so in the
 * window, when none waits. */
gboolean         cd_account_window_finish_sign_in (CdAccountWindow *self,
                                                   const char      *redirected);

G_END_DECLS
