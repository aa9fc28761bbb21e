/* cd-account-window.c: the Brightspace account, signing in and out
 *
 * First the kind of sign-in: OAuth 2.0 (client ID and secret, a redirect
 * URI; the default for new accounts) or the legacy ID-Key (App ID and
 * App Key, then signing in with the browser or user keys typed in and
 * checked with whoami).  Either way the account is saved with cd_account_save_async(),
 * which puts the keys in the keyring and nothing else anywhere else.
 * This part holds the fields and what they allow; the buttons' work is in
 * cd-account-window-signin.c, OAuth's in cd-account-window-oauth.c.
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
                                 GtkLabel        *label,
                                 const char      *message,
                                 gboolean         is_error)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");

  /* The page scrolls to the focused widget: the reason is in view, beside
   * the fields it is about, and read out. */
  if (is_error && message != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (label));
}

void
_cd_account_window_clear_messages (CdAccountWindow *self)
{
  _cd_account_window_show_message (self, self->server_message, NULL, FALSE);
  _cd_account_window_show_message (self, self->sign_in_message, NULL, FALSE);
  _cd_account_window_show_message (self, self->keys_message, NULL, FALSE);
  _cd_account_window_show_message (self, self->paste_message, NULL, FALSE);
}

/* An empty version is fine (the newest the server offers); anything else
 * must be one, or the reason shows in its row. */
gboolean
_cd_account_window_validate_le_version (CdAccountWindow *self)
{
  g_autofree char *version = g_strstrip (g_strdup (gtk_editable_get_text (
                                           GTK_EDITABLE (self->le_version_entry))));
  g_autoptr(GError) error = NULL;
  gboolean ok = version[0] == '\0' || cd_validate_api_version (version, &error);

  mark_row (GTK_WIDGET (self->le_version_row), !ok);
  adw_action_row_set_subtitle (self->le_version_row,
                               ok ? _("Empty: the newest the server offers") : error->message);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->le_version_entry),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               ok ? GTK_ACCESSIBLE_INVALID_FALSE : GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  /* A reason nobody can see helps nobody. */
  if (!ok)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);

  return ok;
}

/* The address, with its reason as the tooltip; only what was typed is
 * complained about. */
static gboolean
validate_host (CdAccountWindow *self)
{
  g_autofree char *host = dup_stripped (self->host_row);
  g_autoptr(GError) error = NULL;
  gboolean ok = host[0] != '\0' && cd_client_check_host (host, &error);

  mark_row (GTK_WIDGET (self->host_row), host[0] != '\0' && !ok);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->host_row),
                               error != NULL && host[0] != '\0' ? error->message : NULL);
  return ok;
}

/* Whether what is typed is enough for a sign-in (@manual: with user keys). */
gboolean
_cd_account_window_validate (CdAccountWindow *self,
                             gboolean         manual)
{
  g_autofree char *app_id = dup_stripped (self->app_id_row);
  g_autofree char *callback = dup_stripped (self->callback_row);
  g_autofree char *user_id = dup_stripped (self->user_id_row);
  g_autoptr(GError) callback_error = NULL;
  gboolean host_ok = validate_host (self);
  gboolean version_ok = _cd_account_window_validate_le_version (self);
  gboolean callback_ok;

  if (is_oauth (self))
    return _cd_account_window_validate_oauth (self) && host_ok && version_ok && !manual;

  callback_ok = cd_signin_check_callback_url (callback, NULL, &callback_error);
  mark_row (GTK_WIDGET (self->callback_row), !callback_ok);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->callback_row),
                               callback_error != NULL ? callback_error->message : NULL);

  if (!version_ok || !host_ok || app_id[0] == '\0' || text_of (self->app_key_row)[0] == '\0')
    return FALSE;

  if (manual)
    return user_id[0] != '\0' && text_of (self->user_key_row)[0] != '\0';

  return callback_ok;
}

/* Only the fields of the chosen kind of sign-in are shown. */
static void
show_kind (CdAccountWindow *self)
{
  gboolean oauth = is_oauth (self);

  gtk_widget_set_visible (GTK_WIDGET (self->client_id_row), oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->client_secret_row), oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->redirect_row), oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->register_scope_row), oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->scope_row), oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->auth_url_row), oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->token_url_row), oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->app_id_row), !oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->app_key_row), !oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->callback_row), !oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_group), !oauth && !self->demo);

  adw_preferences_group_set_description (
    self->server_group,
    oauth ? _("Your Brightspace administrator registers Coursedrop as an OAuth 2.0 app and gives "
              "you its client ID and client secret. The secret is kept in your keyring only.")
          : _("Your Brightspace administrator registers Coursedrop and gives you its App ID and "
              "App Key."));
  adw_preferences_group_set_description (
    self->sign_in_group,
    oauth ? _("When registering the app (Manage Extensibility, OAuth 2.0), the administrator "
              "enters exactly this redirect URI and these scopes. After you sign in, "
              "Brightspace sends the browser back to the redirect URI.")
          : _("Brightspace sends your browser back to this callback address after you sign "
              "in. It must be registered as the app’s Trusted URL in Brightspace."));
}

void
_cd_account_window_kind_toggled_cb (CdAccountWindow *self)
{
  if (!gtk_check_button_get_active (self->oauth_check) &&
      !gtk_check_button_get_active (self->idkey_check))
    return;  /* halfway through the switch */

  _cd_account_window_clear_messages (self);
  _cd_account_window_update (self);
}

void
_cd_account_window_update (CdAccountWindow *self)
{
  gboolean busy = is_busy (self);
  gboolean signed_in = self->account != NULL && cd_account_has_user (self->account);
  gboolean browser_ok = _cd_account_window_validate (self, FALSE);
  gboolean keys_ok = _cd_account_window_validate (self, TRUE);

  show_kind (self);
  gtk_widget_set_sensitive (self->sign_in_button, !busy && browser_ok);
  gtk_widget_set_sensitive (self->verify_button, !busy && keys_ok);
  gtk_widget_set_sensitive (self->sign_out_button, !busy);
  gtk_widget_set_sensitive (self->paste_button, self->pending != NULL &&
                                                text_of (self->paste_row)[0] != '\0');
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_group), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->user_group), signed_in);
  gtk_widget_set_visible (self->sign_out_button, !self->demo);

  if (signed_in)
    {
      const char *name = cd_account_get_display_name (self->account);
      const char *user_id = cd_account_get_user_id (self->account);
      g_autofree char *title = NULL;
      g_autofree char *host = cd_format_host (cd_account_get_host (self->account));

      if (name != NULL && name[0] != '\0' && user_id != NULL)
        /* Translators: “Signed in as Dana Demo (12345)”. */
        title = g_strdup_printf (_("Signed in as %s (%s)"), name, user_id);
      else if (user_id != NULL)
        title = g_strdup_printf (_("Signed in as user %s"), user_id);
      else
        title = g_strdup (_("Signed in"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->user_row), title);
      /* The whole address: the demo's port matters. */
      adw_action_row_set_subtitle (self->user_row,
                                   self->demo ? cd_account_get_host (self->account) : host);
    }
  _cd_account_window_update_scopes (self);
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
  gtk_widget_set_visible (GTK_WIDGET (self->paste_group), waiting && self->pending != NULL);
  _cd_account_window_update (self);
}

/* Fills the fields from @account; the keys come from the keyring. */
static void
key_lookup_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AdwEntryRow *row = user_data;
  g_autoptr(GError) error = NULL;
  char *key = cd_credentials_lookup_finish (result, &error);

  /* Cancelled on dispose: the row is only touched while it lives. */
  if (key != NULL && text_of (row)[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (row), key);
  cd_credentials_free_secret (key);
  g_object_unref (row);
}

static void
load_fields (CdAccountWindow *self)
{
  CdAccount *account = self->account;
  CdOAuth *oauth = account != NULL ? cd_account_get_oauth (account) : NULL;
  g_autofree char *callback = NULL;

  if (self->settings != NULL)
    callback = g_settings_get_string (self->settings, "callback-url");
  if (callback == NULL || callback[0] == '\0')
    {
      g_free (callback);
      callback = g_strdup (CD_SIGNIN_DEFAULT_CALLBACK_URL);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->callback_row), callback);

  /* New accounts are OAuth 2.0: what D2L recommends. */
  gtk_check_button_set_active (account != NULL && oauth == NULL ? self->idkey_check
                                                                : self->oauth_check, TRUE);
  _cd_account_window_load_oauth (self, oauth);

  if (account == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->host_row), cd_account_get_host (account));
  if (cd_account_get_app_id (account) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->app_id_row), cd_account_get_app_id (account));
  if (cd_account_get_le_version (account) != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->le_version_entry),
                             cd_account_get_le_version (account));
      adw_expander_row_set_expanded (self->advanced_row, TRUE);
    }

  if (oauth != NULL && cd_oauth_get_client_id (oauth) != NULL)
    cd_credentials_lookup_async (CD_CREDENTIAL_CLIENT_SECRET, cd_account_get_host (account),
                                 cd_oauth_get_client_id (oauth), NULL, self->lookup_cancellable,
                                 key_lookup_cb, g_object_ref (self->client_secret_row));
  else if (cd_account_has_app (account))
    cd_credentials_lookup_async (CD_CREDENTIAL_APP_KEY, cd_account_get_host (account),
                                 cd_account_get_app_id (account), NULL,
                                 self->lookup_cancellable, key_lookup_cb,
                                 g_object_ref (self->app_key_row));
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

void
cd_account_window_set_demo (CdAccountWindow *self,
                            gboolean         demo)
{
  g_return_if_fail (CD_IS_ACCOUNT_WINDOW (self));

  /* The demo keeps its own account: nothing to change, save or sign out. */
  self->demo = !!demo;
  gtk_widget_set_visible (GTK_WIDGET (self->kind_group), !demo);
  gtk_widget_set_visible (GTK_WIDGET (self->server_group), !demo);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_group), !demo);
  adw_preferences_group_set_description (
    self->user_group,
    demo ? _("This is the demo: a local sandbox stands in for Brightspace, and nothing leaves "
             "this computer.") : NULL);
  _cd_account_window_update (self);
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
  _cd_account_window_stop_waiting (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_ACCOUNT_WINDOW);

  G_OBJECT_CLASS (cd_account_window_parent_class)->dispose (object);
}

static void
cd_account_window_finalize (GObject *object)
{
  CdAccountWindow *self = CD_ACCOUNT_WINDOW (object);

  g_clear_object (&self->account);
  g_clear_object (&self->signin);
  g_clear_object (&self->pending);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->wait_cancellable);
  g_clear_pointer (&self->scope_rows, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, scope_group);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, kind_group);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, oauth_check);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, idkey_check);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, server_group);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, client_secret_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, app_id_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, app_key_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, server_message);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, sign_in_group);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, redirect_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, register_scope_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, callback_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, scope_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, auth_url_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, token_url_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, le_version_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, le_version_entry);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, sign_in_stack);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, sign_in_message);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, paste_group);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, paste_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, paste_button);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, paste_message);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, manual_group);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, user_id_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, user_key_row);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, verify_button);
  gtk_widget_class_bind_template_child (widget_class, CdAccountWindow, keys_message);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_sign_in_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_verify_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_sign_out_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_kind_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_paste_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_copy_redirect_cb);
  gtk_widget_class_bind_template_callback (widget_class, _cd_account_window_copy_scope_cb);
}

static void
cd_account_window_init (CdAccountWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
  self->settings = cd_settings_new ();
  self->lookup_cancellable = g_cancellable_new ();
  self->scope_rows = g_ptr_array_new ();
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
