/* cd-account-window.c: the Brightspace account, signing in and out
 *
 * The address, App ID and App Key, then one of two ways to a user: signing
 * in with the browser (CdSignIn), or user keys typed in and checked with
 * whoami.  Either way the account is saved with cd_account_save_async(),
 * which puts the keys in the keyring and nothing else anywhere else.
 * This part holds the fields and what they allow; the buttons' work is in
 * cd-account-window-signin.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-account-window-private.h"
#include "cd-credentials.h"
#include "cd-gui-util.h"
#include "cd-signin.h"
#include "cd-validate.h"

G_DEFINE_FINAL_TYPE (CdAccountWindow, cd_account_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

enum {
  SIGNED_IN,
  SIGNED_OUT,
  SIGNING_OUT,
  SIGN_OUT_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
_cd_account_window_show_message (CdAccountWindow *self,
                                 const char      *message,
                                 gboolean         is_error)
{
  gtk_label_set_text (self->message_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
mark_row (AdwEntryRow *row,
          gboolean     bad)
{
  if (bad)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* An empty version is fine (the newest the server offers); anything else
 * must be one, or the reason shows under the field. */
gboolean
_cd_account_window_validate_le_version (CdAccountWindow *self)
{
  g_autofree char *version = dup_stripped (self->le_version_row);
  g_autoptr(GError) error = NULL;
  gboolean ok = version[0] == '\0' || cd_validate_api_version (version, &error);
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (self->le_version_row));

  mark_row (self->le_version_row, !ok);
  gtk_label_set_text (self->le_version_error, ok ? "" : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->le_version_error), !ok);
  if (text != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_STATE_INVALID,
                                 ok ? GTK_ACCESSIBLE_INVALID_FALSE : GTK_ACCESSIBLE_INVALID_TRUE,
                                 -1);

  return ok;
}

/* Whether what is typed is enough for a sign-in (@manual: with user keys). */
gboolean
_cd_account_window_validate (CdAccountWindow *self,
                             gboolean         manual)
{
  g_autofree char *host = dup_stripped (self->host_row);
  g_autofree char *app_id = dup_stripped (self->app_id_row);
  g_autofree char *callback = dup_stripped (self->callback_row);
  g_autofree char *user_id = dup_stripped (self->user_id_row);
  g_autoptr(GError) host_error = NULL;
  g_autoptr(GError) callback_error = NULL;
  gboolean host_ok = host[0] != '\0' && cd_client_check_host (host, &host_error);
  gboolean callback_ok = cd_signin_check_callback_url (callback, NULL, &callback_error);

  /* Only complain about what was typed. */
  mark_row (self->host_row, host[0] != '\0' && !host_ok);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->host_row),
                               host_error != NULL && host[0] != '\0' ? host_error->message : NULL);
  mark_row (self->callback_row, !callback_ok);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->callback_row),
                               callback_error != NULL ? callback_error->message : NULL);

  if (!_cd_account_window_validate_le_version (self) || !host_ok || app_id[0] == '\0' ||
      text_of (self->app_key_row)[0] == '\0')
    return FALSE;

  if (manual)
    return user_id[0] != '\0' && text_of (self->user_key_row)[0] != '\0';

  return callback_ok;
}

void
_cd_account_window_update (CdAccountWindow *self)
{
  gboolean busy = is_busy (self);
  gboolean signed_in = self->account != NULL && cd_account_has_user (self->account);
  gboolean browser_ok = _cd_account_window_validate (self, FALSE);
  gboolean keys_ok = _cd_account_window_validate (self, TRUE);

  gtk_widget_set_sensitive (self->sign_in_button, !busy && browser_ok);
  gtk_widget_set_sensitive (self->verify_button, !busy && keys_ok);
  gtk_widget_set_sensitive (self->sign_out_button, !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->user_group), signed_in);

  if (signed_in)
    {
      const char *name = cd_account_get_display_name (self->account);
      const char *user_id = cd_account_get_user_id (self->account);
      g_autofree char *title = NULL;
      g_autofree char *host = cd_format_host (cd_account_get_host (self->account));

      if (name != NULL && name[0] != '\0')
        /* Translators: “Signed in as Dana Demo (12345)”. */
        title = g_strdup_printf (_("Signed in as %s (%s)"), name, user_id);
      else
        title = g_strdup_printf (_("Signed in as user %s"), user_id);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->user_row), title);
      adw_action_row_set_subtitle (self->user_row, host);
    }
}

static void
changed_cb (CdAccountWindow *self)
{
  _cd_account_window_update (self);
}

void
_cd_account_window_set_busy (CdAccountWindow *self,
                             gboolean         busy,
                             gboolean         waiting)
{
  if (busy && self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  else if (!busy)
    g_clear_object (&self->cancellable);

  gtk_stack_set_visible_child_name (self->sign_in_stack, waiting ? "waiting" : "idle");
  gtk_spinner_set_spinning (self->spinner, waiting);
  _cd_account_window_update (self);
}

/* Fills the fields from @account; the app key comes from the keyring. */
static void
app_key_lookup_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CdAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  char *key = cd_credentials_lookup_finish (result, &error);

  if (key == NULL)
    return;

  if (text_of (self->app_key_row)[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->app_key_row), key);
  cd_credentials_free_secret (key);
}

static void
load_fields (CdAccountWindow *self)
{
  CdAccount *account = self->account;
  g_autofree char *callback = NULL;

  if (self->settings != NULL)
    callback = g_settings_get_string (self->settings, "callback-url");
  if (callback == NULL || callback[0] == '\0')
    {
      g_free (callback);
      callback = g_strdup (CD_SIGNIN_DEFAULT_CALLBACK_URL);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->callback_row), callback);

  if (account == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->host_row), cd_account_get_host (account));
  if (cd_account_get_app_id (account) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->app_id_row), cd_account_get_app_id (account));
  if (cd_account_get_le_version (account) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->le_version_row),
                           cd_account_get_le_version (account));

  /* Cancelled on dispose: the answer must not reach a disposed row. */
  if (cd_account_has_app (account))
    cd_credentials_lookup_async (CD_CREDENTIAL_APP_KEY, cd_account_get_host (account),
                                 cd_account_get_app_id (account), NULL,
                                 self->lookup_cancellable, app_key_lookup_cb,
                                 g_object_ref (self));
}

void
_cd_account_window_emit_signed_in (CdAccountWindow *self,
                                   CdAccount       *account)
{
  g_signal_emit (self, signals[SIGNED_IN], 0, account);
}

void
_cd_account_window_emit_signed_out (CdAccountWindow *self)
{
  g_signal_emit (self, signals[SIGNED_OUT], 0);
}

void
_cd_account_window_emit_signing_out (CdAccountWindow *self,
                                     gboolean         failed)
{
  g_signal_emit (self, signals[failed ? SIGN_OUT_FAILED : SIGNING_OUT], 0);
}

/* GObject */

CdAccount *
cd_account_window_get_account (CdAccountWindow *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT_WINDOW (self), NULL);
  return self->account;
}

void
cd_account_window_set_account (CdAccountWindow *self,
                               CdAccount       *account)
{
  g_return_if_fail (CD_IS_ACCOUNT_WINDOW (self));
  g_return_if_fail (!account || CD_IS_ACCOUNT (account));

  if (!g_set_object (&self->account, account))
    return;

  _cd_account_window_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

static void
cd_account_window_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CdAccountWindow *self = CD_ACCOUNT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_account_window_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CdAccountWindow *self = CD_ACCOUNT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      cd_account_window_set_account (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_account_window_constructed (GObject *object)
{
  CdAccountWindow *self = CD_ACCOUNT_WINDOW (object);

  G_OBJECT_CLASS (cd_account_window_parent_class)->constructed (object);

  load_fields (self);
  _cd_account_window_update (self);
}

static void
cd_account_window_dispose (GObject *object)
{
  CdAccountWindow *self = CD_ACCOUNT_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  if (self->signin != NULL)
    cd_signin_stop (self->signin);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_ACCOUNT_WINDOW);

  G_OBJECT_CLASS (cd_account_window_parent_class)->dispose (object);
}

static void
cd_account_window_finalize (GObject *object)
{
  CdAccountWindow *self = CD_ACCOUNT_WINDOW (object);

  g_clear_object (&self->account);
  g_clear_object (&self->signin);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->ca_file, g_free);

  G_OBJECT_CLASS (cd_account_window_parent_class)->finalize (object);
}

static void
cd_account_window_class_init (CdAccountWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cd_account_window_get_property;
  object_class->set_property = cd_account_window_set_property;
  object_class->constructed = cd_account_window_constructed;
  object_class->dispose = cd_account_window_dispose;
  object_class->finalize = cd_account_window_finalize;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, CD_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CD_TYPE_ACCOUNT);
  signals[SIGNED_OUT] =
    g_signal_new ("signed-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The user pressed Sign Out: the keys must not be used from now on,
   * before the keyring has even answered. */
  signals[SIGNING_OUT] =
    g_signal_new ("signing-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The keys could not be removed: the user is still signed in. */
  signals[SIGN_OUT_FAILED] =
    g_signal_new ("sign-out-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/cd-account-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, user_group);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, app_id_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, app_key_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, callback_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, le_version_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, le_version_error);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, sign_in_stack);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, message_label);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, user_id_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, user_key_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, verify_button);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_sign_in_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_verify_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_sign_out_clicked_cb);
}

static void
cd_account_window_init (CdAccountWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
  self->settings = cd_settings_new ();
  self->lookup_cancellable = g_cancellable_new ();
}

CdAccountWindow *
cd_account_window_new (GtkWindow *parent,
                       CdAccount *account)
{
  return g_object_new (CD_TYPE_ACCOUNT_WINDOW,
                       "transient-for", parent,
                       "account", account,
                       NULL);
}
