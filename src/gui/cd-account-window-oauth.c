/* cd-account-window-oauth.c: signing in with OAuth 2.0 from the Account window
 *
 * The browser opens the authorization address; the answer comes back one
 * of three ways, chosen by the redirect URI the administrator registered:
 * a loopback address (CdSignIn listens there), the app's private-use
 * scheme (the desktop delivers it to the running app, which passes it to
 * cd_account_window_finish_sign_in()), an https address (the embedded
 * sign-in window catches it, when built), or — always possible — the address
 * the browser ended on, pasted by the user.  After the sign-in the window
 * says what the granted scopes allow, from core's route → scope table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-account-window-private.h"

/* What Coursedrop does, each with the routes it needs (core's table
 * gives their scopes): said as "can …" or "cannot …: missing scope". */
typedef struct
{
  const char *can;
  const char *cannot;  /* followed by the missing scope */
  const char *routes[2][2];
} Capability;

static const Capability capabilities[] = {
  { N_("Can import packages"), N_("Cannot import packages"),
    { { "POST", "/d2l/api/le/1.0/import/1/imports/" },
      { "GET", "/d2l/api/le/1.0/import/1/imports/token" } } },
  { N_("Can read import logs"), N_("Cannot read import logs"),
    { { "GET", "/d2l/api/le/1.0/import/1/imports/token/logs/" } } },
  { N_("Can read course names"), N_("Cannot read course names"),
    { { "GET", "/d2l/api/lp/1.0/courses/1" } } },
  { N_("Can create course offerings"), N_("Cannot create course offerings"),
    { { "POST", "/d2l/api/lp/1.0/courses/" } } },
  { N_("Can search your school’s courses"),
    N_("Cannot search your school’s courses"),
    { { "GET", "/d2l/api/lp/1.0/orgstructure/" } } },
  { N_("Can enroll you in new offerings"), N_("Cannot enroll you in new offerings"),
    { { "POST", "/d2l/api/lp/1.0/enrollments/" } } },
  { N_("Can check imported content"), N_("Cannot check imported content"),
    { { "GET", "/d2l/api/le/1.0/1/content/toc" } } },
};

static void
show_message (CdAccountWindow *self,
              const char      *message,
              gboolean         is_error)
{
  _cd_account_window_show_message (self, self->sign_in_message, message, is_error);
}

/* NULL for an empty field: the default. */
static char *
dup_setting (AdwEntryRow *row)
{
  char *text = dup_stripped (row);

  if (text[0] == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static void
set_text_if (AdwEntryRow *row,
             const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

void
_cd_account_window_load_oauth (CdAccountWindow *self,
                               CdOAuth         *oauth)
{
  gboolean custom;

  set_text_if (self->redirect_row, oauth != NULL ? cd_oauth_get_redirect_uri (oauth)
                                                 : CD_ACCOUNT_WINDOW_DEFAULT_REDIRECT_URI);
  set_text_if (self->scope_row, oauth != NULL ? cd_oauth_get_scope (oauth)
                                              : CD_OAUTH_DEFAULT_SCOPE);
  set_text_if (self->auth_url_row, oauth != NULL ? cd_oauth_get_auth_url (oauth)
                                                 : CD_OAUTH_DEFAULT_AUTH_URL);
  set_text_if (self->token_url_row, oauth != NULL ? cd_oauth_get_token_url (oauth)
                                                  : CD_OAUTH_DEFAULT_TOKEN_URL);
  if (oauth == NULL)
    return;

  set_text_if (self->client_id_row, cd_oauth_get_client_id (oauth));
  /* What differs from the defaults is shown, not hidden. */
  custom = g_strcmp0 (cd_oauth_get_scope (oauth), CD_OAUTH_DEFAULT_SCOPE) != 0 ||
           g_strcmp0 (cd_oauth_get_auth_url (oauth), CD_OAUTH_DEFAULT_AUTH_URL) != 0 ||
           g_strcmp0 (cd_oauth_get_token_url (oauth), CD_OAUTH_DEFAULT_TOKEN_URL) != 0;
  if (custom)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);
}

/* http only on this computer, where CdSignIn listens. */
static gboolean
check_redirect (const char  *uri,
                GError     **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);

  if (parsed == NULL || g_uri_get_fragment (parsed) != NULL)
    {
      g_set_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                   _("Not an address. Enter the redirect URI exactly as registered, such as %s."),
                   CD_ACCOUNT_WINDOW_DEFAULT_REDIRECT_URI);
      return FALSE;
    }
  if (g_ascii_strcasecmp (g_uri_get_scheme (parsed), "http") == 0)
    return cd_signin_check_callback_url (uri, NULL, error);

  return TRUE;
}

/* Marks @row and gives it the reason as tooltip; TRUE when @ok. */
static gboolean
mark (GtkWidget    *row,
      gboolean      ok,
      const GError *error)
{
  mark_row (row, !ok);
  gtk_widget_set_tooltip_text (row, !ok && error != NULL ? error->message : NULL);
  return ok;
}

static gboolean
check_endpoints (CdAccountWindow *self)
{
  /* A scratch client for core's rules; the host does not matter here. */
  g_autoptr(CdOAuth) probe = cd_oauth_new ("https://localhost", "probe", NULL);
  g_autofree char *auth_url = dup_setting (self->auth_url_row);
  g_autofree char *token_url = dup_setting (self->token_url_row);
  g_autoptr(GError) auth_error = NULL;
  g_autoptr(GError) token_error = NULL;
  gboolean auth_ok = cd_oauth_set_auth_url (probe, auth_url, &auth_error);
  gboolean token_ok = cd_oauth_set_token_url (probe, token_url, &token_error);

  mark (GTK_WIDGET (self->auth_url_row), auth_ok, auth_error);
  mark (GTK_WIDGET (self->token_url_row), token_ok, token_error);
  return auth_ok && token_ok;
}

gboolean
_cd_account_window_validate_oauth (CdAccountWindow *self)
{
  g_autofree char *client_id = dup_stripped (self->client_id_row);
  g_autofree char *redirect = dup_stripped (self->redirect_row);
  g_autofree char *scope = dup_setting (self->scope_row);
  g_autoptr(GError) redirect_error = NULL;
  gboolean redirect_ok = mark (GTK_WIDGET (self->redirect_row),
                               check_redirect (redirect, &redirect_error), redirect_error);
  gboolean scope_ok = mark (GTK_WIDGET (self->scope_row),
                            scope == NULL || cd_oauth_scope_is_valid (scope), NULL);
  gboolean endpoints_ok = check_endpoints (self);

  adw_action_row_set_subtitle (self->register_scope_row,
                               scope != NULL ? scope : CD_OAUTH_DEFAULT_SCOPE);
  if (!scope_ok || !endpoints_ok)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);

  return redirect_ok && scope_ok && endpoints_ok && client_id[0] != '\0' &&
         text_of (self->client_secret_row)[0] != '\0';
}

/* The client as typed; NULL with the reason said beside the fields. */
static CdOAuth *
make_oauth (CdAccountWindow *self)
{
  g_autofree char *host = dup_stripped (self->host_row);
  g_autofree char *client_id = dup_stripped (self->client_id_row);
  g_autofree char *redirect = dup_stripped (self->redirect_row);
  g_autofree char *scope = dup_setting (self->scope_row);
  g_autofree char *auth_url = dup_setting (self->auth_url_row);
  g_autofree char *token_url = dup_setting (self->token_url_row);
  g_autoptr(CdOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;

  if (!(oauth = cd_oauth_new (host, client_id, &error)))
    {
      _cd_account_window_show_message (self, self->server_message, error->message, TRUE);
      return NULL;
    }
  cd_oauth_set_client_secret (oauth, text_of (self->client_secret_row));
  if (!cd_oauth_set_redirect_uri (oauth, redirect, &error) ||
      !cd_oauth_set_scope (oauth, scope, &error) ||
      !cd_oauth_set_auth_url (oauth, auth_url, &error) ||
      !cd_oauth_set_token_url (oauth, token_url, &error))
    {
      show_message (self, error->message, TRUE);
      return NULL;
    }

  return g_steal_pointer (&oauth);
}

void
_cd_account_window_oauth_sign_in (CdAccountWindow *self)
{
  g_autoptr(CdOAuth) oauth = make_oauth (self);
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  if (oauth == NULL)
    return;

  account = cd_account_new_oauth (oauth);
  _cd_account_window_apply_ca_file (self, account, NULL);

  /* A loopback redirect: listen there.  Otherwise the answer comes through
   * the app (the private-use scheme) or is pasted. */
  if (cd_signin_check_callback_url (cd_oauth_get_redirect_uri (oauth), NULL, NULL))
    {
      self->signin = cd_signin_new ();
      _cd_account_window_apply_ca_file (self, NULL, self->signin);
      url = cd_signin_start_oauth (self->signin, account, &error);
      if (url == NULL)
        g_clear_object (&self->signin);
    }
  else
    url = cd_oauth_begin_sign_in (oauth, &error);

  if (url == NULL)
    {
      show_message (self, error->message, TRUE);
      return;
    }

  g_set_object (&self->pending, account);
  gtk_editable_set_text (GTK_EDITABLE (self->paste_row), "");
  _cd_account_window_set_busy (self, TRUE, TRUE);
  if (self->signin == NULL &&
      _cd_account_window_open_embedded (self, url, cd_oauth_get_redirect_uri (oauth)))
    show_message (self, _("Sign in to Brightspace in the window that opened."), FALSE);
  else
    _cd_account_window_wait (self, url);
}

void
_cd_account_window_stop_waiting (CdAccountWindow *self)
{
  if (self->wait_cancellable != NULL)
    g_cancellable_cancel (self->wait_cancellable);
  g_clear_object (&self->wait_cancellable);
  if (self->signin != NULL)
    cd_signin_stop (self->signin);
  g_clear_object (&self->signin);
  g_clear_object (&self->pending);
  _cd_account_window_close_embedded (self);
}

/* Finishing with the address the browser ended on */

static void
complete_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdAccountWindow) self = user_data;
  CdAccount *account = CD_ACCOUNT (object);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;

  user = cd_account_complete_sign_in_finish (account, result, &error);
  if (user == NULL)
    {
      _cd_account_window_set_busy (self, FALSE, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, _("Sign-in cancelled."), TRUE);
      else
        show_message (self, error->message, TRUE);
      return;
    }

  _cd_account_window_save (self, account, self->sign_in_message);
}

static void
complete (CdAccountWindow *self,
          const char      *redirected)
{
  /* Taken: a second answer finds no sign-in waiting. */
  g_autoptr(CdAccount) account = g_steal_pointer (&self->pending);

  _cd_account_window_stop_waiting (self);
  _cd_account_window_set_busy (self, TRUE, FALSE);
  show_message (self, _("Checking the sign-in with Brightspace…"), FALSE);
  cd_account_complete_sign_in_async (account, redirected, self->cancellable, complete_cb,
                                     g_object_ref (self));
}

gboolean
cd_account_window_is_redirect (const char *uri)
{
  g_autofree char *scheme = uri != NULL ? g_uri_parse_scheme (uri) : NULL;

  return scheme != NULL && g_ascii_strcasecmp (scheme, CD_ACCOUNT_WINDOW_REDIRECT_SCHEME) == 0;
}

gboolean
cd_account_window_finish_sign_in (CdAccountWindow *self,
                                  const char      *redirected)
{
  g_return_val_if_fail (CD_IS_ACCOUNT_WINDOW (self), FALSE);
  g_return_val_if_fail (redirected != NULL, FALSE);

  if (self->pending == NULL)
    {
      show_message (self, _("Brightspace sent an answer to a sign-in, but none is waiting. "
                            "Press Sign In with Browser to sign in."), TRUE);
      return FALSE;
    }

  complete (self, redirected);
  return TRUE;
}

/* Whether @text is an address with Brightspace's answer (a code or an
 * error) in its query: anything else cannot finish a sign-in, and the
 * sign-in waits on for the right address. */
static gboolean
has_answer (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) params = NULL;

  if (uri == NULL || g_uri_get_query (uri) == NULL)
    return FALSE;
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  return params != NULL && (g_hash_table_contains (params, "code") ||
                            g_hash_table_contains (params, "error"));
}

void
_cd_account_window_paste_clicked_cb (CdAccountWindow *self)
{
  g_autofree char *pasted = dup_stripped (self->paste_row);

  if (self->pending == NULL || pasted[0] == '\0')
    return;

  if (!has_answer (pasted))
    {
      mark_row (GTK_WIDGET (self->paste_row), TRUE);
      _cd_account_window_show_message (self, self->paste_message,
                                       _("This address has no answer from Brightspace in it. "
                                         "Copy the whole address the browser shows after you "
                                         "signed in, starting with the redirect URI."), TRUE);
      return;
    }

  mark_row (GTK_WIDGET (self->paste_row), FALSE);
  complete (self, pasted);
}

/* Copying what the administrator registers */

static void
copy (CdAccountWindow *self,
      const char      *text,
      const char      *toast)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (toast));
}

void
_cd_account_window_copy_redirect_cb (CdAccountWindow *self)
{
  g_autofree char *redirect = dup_stripped (self->redirect_row);

  copy (self, redirect, _("Redirect URI copied"));
}

void
_cd_account_window_copy_scope_cb (CdAccountWindow *self)
{
  g_autofree char *scope = dup_setting (self->scope_row);

  copy (self, scope != NULL ? scope : CD_OAUTH_DEFAULT_SCOPE, _("Scopes copied"));
}

/* What the granted scopes allow */

/* (nullable): the first scope @capability needs that @oauth lacks. */
static const char *
missing_scope (CdOAuth          *oauth,
               const Capability *capability)
{
  for (guint i = 0; i < G_N_ELEMENTS (capability->routes); i++)
    {
      const char *scope;

      if (capability->routes[i][0] == NULL)
        break;
      scope = cd_oauth_scope_for_route (capability->routes[i][0], capability->routes[i][1]);
      if (scope != NULL && !cd_oauth_scope_granted (oauth, scope))
        return scope;
    }

  return NULL;
}

static GtkWidget *
capability_row (CdOAuth          *oauth,
                const Capability *capability)
{
  const char *missing = missing_scope (oauth, capability);
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;
  GtkWidget *icon = gtk_image_new_from_icon_name (missing != NULL ? "dialog-warning-symbolic"
                                                                  : "object-select-symbolic");

  if (missing != NULL)
    /* Translators: “Cannot read course names: missing “orgunits:course:read””. */
    title = g_strdup_printf (_("%s: missing “%s”"), _(capability->cannot), missing);
  else
    title = g_strdup (_(capability->can));

  /* The title says it all: the icon is decoration. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  gtk_widget_add_css_class (icon, missing != NULL ? "warning" : "success");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  return row;
}

void
_cd_account_window_update_scopes (CdAccountWindow *self)
{
  CdOAuth *oauth = self->account != NULL ? cd_account_get_oauth (self->account) : NULL;
  const char *granted = oauth != NULL ? cd_oauth_get_granted_scope (oauth) : NULL;
  gboolean show = granted != NULL && cd_account_has_user (self->account);
  const char *shown = g_object_get_data (G_OBJECT (self->scope_group), "cd-granted");

  gtk_widget_set_visible (GTK_WIDGET (self->scope_group), show);
  if (!show || g_strcmp0 (shown, granted) == 0)
    return;

  g_object_set_data_full (G_OBJECT (self->scope_group), "cd-granted", g_strdup (granted), g_free);
  for (guint i = 0; i < self->scope_rows->len; i++)
    adw_preferences_group_remove (self->scope_group, g_ptr_array_index (self->scope_rows, i));
  g_ptr_array_set_size (self->scope_rows, 0);

  for (guint i = 0; i < G_N_ELEMENTS (capabilities); i++)
    {
      GtkWidget *row = capability_row (oauth, &capabilities[i]);

      adw_preferences_group_add (self->scope_group, row);
      g_ptr_array_add (self->scope_rows, row);
    }
}
