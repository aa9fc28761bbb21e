/* cd-account-window-private.h: what the parts of CdAccountWindow share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-account-window.h"
#include "cd-signin.h"

G_BEGIN_DECLS

struct _CdAccountWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *user_group;
  AdwActionRow         *user_row;
  GtkWidget            *sign_out_button;
  AdwEntryRow          *host_row;
  AdwEntryRow          *app_id_row;
  AdwEntryRow          *app_key_row;
  AdwEntryRow          *callback_row;
  AdwEntryRow          *le_version_row;
  GtkLabel             *le_version_error;
  GtkStack             *sign_in_stack;
  GtkWidget            *sign_in_button;
  GtkSpinner           *spinner;
  GtkLabel             *waiting_label;
  GtkLabel             *message_label;
  AdwEntryRow          *user_id_row;
  AdwEntryRow          *user_key_row;
  GtkWidget            *verify_button;

  /* Owned */
  CdAccount            *account;      /* (nullable) */
  CdSignIn             *signin;       /* (nullable): while waiting */
  GCancellable         *cancellable;  /* (nullable): while busy */
  GCancellable         *lookup_cancellable;  /* (owned): the app key's keyring lookup */
  GSettings            *settings;     /* (nullable) */
  char                 *ca_file;      /* (nullable) */
};

static inline const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static inline char *
dup_stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (text_of (row)));
}

static inline gboolean
is_busy (CdAccountWindow *self)
{
  return self->cancellable != NULL;
}

/* cd-account-window.c */
void     _cd_account_window_show_message       (CdAccountWindow *self,
                                                const char      *message,
                                                gboolean         is_error);
/* Whether the LE API version is empty or one; else says why under it. */
gboolean _cd_account_window_validate_le_version (CdAccountWindow *self);
/* Whether what is typed is enough for a sign-in (@manual: with user keys). */
gboolean _cd_account_window_validate           (CdAccountWindow *self,
                                                gboolean         manual);
void     _cd_account_window_update             (CdAccountWindow *self);
/* Busy: a cancellable for the work, and no second press; @waiting shows
 * the spinner while the browser is open. */
void     _cd_account_window_set_busy           (CdAccountWindow *self,
                                                gboolean         busy,
                                                gboolean         waiting);
void     _cd_account_window_emit_signed_in     (CdAccountWindow *self,
                                                CdAccount       *account);
void     _cd_account_window_emit_signed_out    (CdAccountWindow *self);
/* "signing-out" when the sign-out begins, "sign-out-failed" if it failed. */
void     _cd_account_window_emit_signing_out   (CdAccountWindow *self,
                                                gboolean         failed);

/* cd-account-window-signin.c: the buttons' work (template callbacks) */
void     _cd_account_window_sign_in_clicked_cb  (CdAccountWindow *self);
void     _cd_account_window_cancel_clicked_cb   (CdAccountWindow *self);
void     _cd_account_window_verify_clicked_cb   (CdAccountWindow *self);
void     _cd_account_window_sign_out_clicked_cb (CdAccountWindow *self);

G_END_DECLS
