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
  AdwPreferencesGroup  *scope_group;
  AdwPreferencesGroup  *kind_group;
  GtkCheckButton       *oauth_check;
  GtkCheckButton       *idkey_check;
  AdwPreferencesGroup  *server_group;
  AdwEntryRow          *host_row;
  AdwEntryRow          *client_id_row;
  AdwEntryRow          *client_secret_row;
  AdwEntryRow          *app_id_row;
  AdwEntryRow          *app_key_row;
  GtkLabel             *server_message;
  AdwPreferencesGroup  *sign_in_group;
  AdwEntryRow          *redirect_row;
  AdwActionRow         *register_scope_row;
  AdwEntryRow          *callback_row;
  AdwExpanderRow       *advanced_row;
  AdwEntryRow          *scope_row;
  AdwEntryRow          *auth_url_row;
  AdwEntryRow          *token_url_row;
  AdwActionRow         *le_version_row;
  GtkEntry             *le_version_entry;
  GtkStack             *sign_in_stack;
  GtkWidget            *sign_in_button;
  GtkSpinner           *spinner;
  GtkLabel             *waiting_label;
  GtkLabel             *sign_in_message;
  AdwPreferencesGroup  *paste_group;
  AdwEntryRow          *paste_row;
  GtkWidget            *paste_button;
  GtkLabel             *paste_message;
  AdwPreferencesGroup  *manual_group;
  AdwEntryRow          *user_id_row;
  AdwEntryRow          *user_key_row;
  GtkWidget            *verify_button;
  GtkLabel             *keys_message;
  GtkLabel             *save_message;  /* (unowned): where a save's problems go */

  /* Owned */
  CdAccount            *account;      /* (nullable) */
  CdAccount            *pending;      /* (nullable): an OAuth account waiting for the redirect */
  CdSignIn             *signin;       /* (nullable): while waiting */
  GtkWindow            *embedded;     /* (nullable) (unowned): the embedded sign-in, open */
  GCancellable         *cancellable;  /* (nullable): while busy */
  GCancellable         *wait_cancellable;    /* (nullable): the loopback listener's wait */
  GCancellable         *lookup_cancellable;  /* (owned): the keyring lookups of the fields */
  GPtrArray            *scope_rows;   /* (owned) (element-type GtkWidget): in scope_group */
  GSettings            *settings;     /* (nullable) */
  char                 *ca_file;      /* (nullable) */
  gboolean              demo;
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

static inline void
mark_row (GtkWidget *row,
          gboolean   bad)
{
  if (bad)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

static inline gboolean
is_oauth (CdAccountWindow *self)
{
  return gtk_check_button_get_active (self->oauth_check);
}

static inline gboolean
is_busy (CdAccountWindow *self)
{
  return self->cancellable != NULL;
}

/* cd-account-window.c */
/* Shows @message in @label (one of the message labels, each beside what it
 * is about), or hides it for NULL; an error is scrolled into view and
 * takes the focus, so that a screen reader reads it. */
void     _cd_account_window_show_message       (CdAccountWindow *self,
                                                GtkLabel        *label,
                                                const char      *message,
                                                gboolean         is_error);
/* Hides every message. */
void     _cd_account_window_clear_messages     (CdAccountWindow *self);
/* Whether the API version is empty or one; else says why beside it. */
gboolean _cd_account_window_validate_le_version (CdAccountWindow *self);
/* Whether what is typed is enough for a sign-in (@manual: with user keys). */
gboolean _cd_account_window_validate           (CdAccountWindow *self,
                                                gboolean         manual);
void     _cd_account_window_update             (CdAccountWindow *self);
/* Busy: a cancellable for the work, and no second press; @waiting shows
 * the spinner (and, for OAuth, the paste field) while the browser is open. */
void     _cd_account_window_set_busy           (CdAccountWindow *self,
                                                gboolean         busy,
                                                gboolean         waiting);
void     _cd_account_window_emit_signed_in     (CdAccountWindow *self,
                                                CdAccount       *account);
void     _cd_account_window_emit_signed_out    (CdAccountWindow *self);
/* "signing-out" when the sign-out begins, "sign-out-failed" if it failed. */
void     _cd_account_window_emit_signing_out   (CdAccountWindow *self,
                                                gboolean         failed);
void     _cd_account_window_kind_toggled_cb    (CdAccountWindow *self);

/* cd-account-window-signin.c: the buttons' work (template callbacks) */
void     _cd_account_window_sign_in_clicked_cb  (CdAccountWindow *self);
void     _cd_account_window_cancel_clicked_cb   (CdAccountWindow *self);
void     _cd_account_window_verify_clicked_cb   (CdAccountWindow *self);
void     _cd_account_window_sign_out_clicked_cb (CdAccountWindow *self);
/* Saves @account (signed in) and says so; @message: where problems go. */
void     _cd_account_window_save               (CdAccountWindow *self,
                                                CdAccount       *account,
                                                GtkLabel        *message);
/* Opens @url in the browser; with a listener (self->signin), waits for it. */
void     _cd_account_window_wait               (CdAccountWindow *self,
                                                const char      *url);
void     _cd_account_window_apply_ca_file      (CdAccountWindow *self,
                                                CdAccount       *account,
                                                CdSignIn        *signin);

/* cd-account-window-oauth.c: OAuth 2.0 */
/* Fills the OAuth fields from @oauth (nullable: the defaults). */
void     _cd_account_window_load_oauth         (CdAccountWindow *self,
                                                CdOAuth         *oauth);
/* Whether the OAuth fields are enough for a sign-in (marks the bad ones). */
gboolean _cd_account_window_validate_oauth     (CdAccountWindow *self);
void     _cd_account_window_oauth_sign_in      (CdAccountWindow *self);
/* What the granted scopes allow, for a signed-in OAuth account. */
void     _cd_account_window_update_scopes      (CdAccountWindow *self);
void     _cd_account_window_stop_waiting       (CdAccountWindow *self);
void     _cd_account_window_paste_clicked_cb   (CdAccountWindow *self);
void     _cd_account_window_copy_redirect_cb   (CdAccountWindow *self);
void     _cd_account_window_copy_scope_cb      (CdAccountWindow *self);

/* cd-account-window-webkit.c: the embedded sign-in (https redirects) */
/* Opens it at @url when @redirect_uri is https and the module is there. */
gboolean _cd_account_window_open_embedded      (CdAccountWindow *self,
                                                const char      *url,
                                                const char      *redirect_uri);
void     _cd_account_window_close_embedded     (CdAccountWindow *self);

G_END_DECLS
