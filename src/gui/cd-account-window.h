/* cd-account-window.h: the Brightspace account, signing in and out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-account.h"

G_BEGIN_DECLS

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

G_END_DECLS
