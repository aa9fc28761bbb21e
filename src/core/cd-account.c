/* cd-account.c: who we are on which Brightspace
 *
 * The keys stay inside this object (and the keyring); only signing
 * contexts made from it ever see them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-account-private.h"
#include "cd-client-private.h"
#include "cd-credentials.h"
#include "cd-settings.h"
#include "cd-json.h"
#include "cd-validate.h"

G_DEFINE_QUARK (cd-account-error-quark, cd_account_error)
G_DEFINE_FINAL_TYPE (CdAccount, cd_account, G_TYPE_OBJECT)

static void
cd_account_finalize (GObject *object)
{
  CdAccount *self = CD_ACCOUNT (object);

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->app_id, g_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->le_version, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pin, g_free);
  g_clear_pointer (&self->app_key, cd_secret_free);
  g_clear_pointer (&self->user_key, cd_secret_free);
  g_clear_object (&self->oauth);

  G_OBJECT_CLASS (cd_account_parent_class)->finalize (object);
}

static void
cd_account_class_init (CdAccountClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cd_account_finalize;
}

static void
cd_account_init (CdAccount *self)
{
}

char *
_cd_account_non_empty (const char *value)
{
  return value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

CdAccount *
cd_account_new (const char *host,
                const char *app_id,
                const char *app_key,
                const char *user_id,
                const char *user_key)
{
  CdAccount *self = g_object_new (CD_TYPE_ACCOUNT, NULL);

  self->host = _cd_account_non_empty (host);
  self->app_id = _cd_account_non_empty (app_id);
  self->app_key = _cd_account_non_empty (app_key);
  self->user_id = _cd_account_non_empty (user_id);
  self->user_key = _cd_account_non_empty (user_key);

  return self;
}

CdAccount *
cd_account_new_oauth (CdOAuth *oauth)
{
  CdAccount *self;

  g_return_val_if_fail (CD_IS_OAUTH (oauth), NULL);

  self = g_object_new (CD_TYPE_ACCOUNT, NULL);
  self->host = g_strdup (cd_oauth_get_host (oauth));
  self->oauth = g_object_ref (oauth);
  return self;
}

CdAuthKind
cd_account_get_kind (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), CD_AUTH_KIND_IDKEY);
  return self->oauth != NULL ? CD_AUTH_KIND_OAUTH : CD_AUTH_KIND_IDKEY;
}

CdOAuth *
cd_account_get_oauth (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->oauth;
}

const char *
cd_account_get_host (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->host;
}

const char *
cd_account_get_app_id (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->app_id;
}

const char *
cd_account_get_user_id (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->user_id;
}

const char *
cd_account_get_display_name (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

void
cd_account_set_display_name (CdAccount  *self,
                             const char *display_name)
{
  g_return_if_fail (CD_IS_ACCOUNT (self));

  g_free (self->display_name);
  self->display_name = _cd_account_non_empty (display_name);
}

const char *
cd_account_get_le_version (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->le_version;
}

gboolean
cd_account_set_le_version (CdAccount  *self,
                           const char *version)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);

  /* Typed by a user or read from settings: refused, never asserted. */
  if (version != NULL && version[0] != '\0' && !cd_validate_api_version (version, NULL))
    {
      g_debug ("Not an LE API version, ignored: “%s”", version);
      return FALSE;
    }

  g_free (self->le_version);
  self->le_version = _cd_account_non_empty (version);
  return TRUE;
}

void
cd_account_set_app (CdAccount  *self,
                    const char *app_id,
                    const char *app_key)
{
  g_return_if_fail (CD_IS_ACCOUNT (self));

  g_clear_pointer (&self->app_id, g_free);
  cd_secret_clear (&self->app_key);

  self->app_id = _cd_account_non_empty (app_id);
  self->app_key = _cd_account_non_empty (app_key);
}

void
cd_account_set_user (CdAccount  *self,
                     const char *user_id,
                     const char *user_key)
{
  g_return_if_fail (CD_IS_ACCOUNT (self));

  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->user_key, cd_secret_free);
  g_clear_pointer (&self->display_name, g_free);
  if (self->oauth != NULL && user_id == NULL)
    cd_oauth_forget_tokens (self->oauth);

  self->user_id = _cd_account_non_empty (user_id);
  self->user_key = _cd_account_non_empty (user_key);
}

gboolean
cd_account_has_app (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);
  return self->app_id != NULL && self->app_key != NULL;
}

gboolean
cd_account_has_user (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);
  if (self->oauth != NULL)
    return cd_oauth_is_signed_in (self->oauth);
  return self->user_id != NULL && self->user_key != NULL;
}

gboolean
cd_account_require_user (CdAccount  *self,
                         GError    **error)
{
  if (cd_account_has_user (self))
    return TRUE;

  g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER,
                       _("No user is signed in. Sign in to Brightspace, or set "
                         "COURSEDROP_USER_ID and COURSEDROP_USER_KEY to your Brightspace "
                         "user ID and key."));
  return FALSE;
}

void
cd_account_set_ca_file (CdAccount  *self,
                        const char *pem_path)
{
  g_return_if_fail (CD_IS_ACCOUNT (self));

  g_free (self->ca_file);
  self->ca_file = _cd_account_non_empty (pem_path);
}

const char *
cd_account_get_ca_file (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->ca_file;
}

const char *
cd_account_get_pinned_certificate (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  return self->pin;
}

gboolean
cd_account_set_pinned_certificate (CdAccount   *self,
                                   const char  *sha256,
                                   GError     **error)
{
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);

  if (sha256 != NULL && !(fingerprint = cd_certificate_normalize_fingerprint (sha256, error)))
    return FALSE;

  g_free (self->pin);
  self->pin = g_steal_pointer (&fingerprint);
  return TRUE;
}

/**
 * cd_account_create_context:
 *
 * Returns: (transfer full): a signing context for this account, anonymous
 *   when no user is signed in
 */
CdIdKeyContext *
cd_account_create_context (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (self->app_id != NULL && self->app_key != NULL, NULL);

  return cd_idkey_context_new (self->app_id, self->app_key, self->user_id, self->user_key);
}

CdClient *
cd_account_create_client (CdAccount  *self,
                          GError    **error)
{
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *saved_pin = NULL;

  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);

  if (self->oauth == NULL && !cd_account_has_app (self))
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP,
                           _("No app credentials are set. Enter the ID and key of your "
                             "Brightspace app."));
      return NULL;
    }

  if (self->oauth != NULL)
    client = cd_client_new_with_auth (self->host, CD_AUTH (self->oauth), error);
  else
    {
      context = cd_account_create_context (self);
      client = cd_client_new (self->host, context, error);
    }
  if (client == NULL)
    return NULL;

  /* The certificates the user chose to trust hold for every client. */
  settings = cd_settings_open ();
  if (settings != NULL)
    saved_pin = cd_settings_dup_trusted_certificate (settings, cd_client_get_host (client));
  if (self->pin != NULL || saved_pin != NULL)
    cd_client_pin_certificate (client, self->pin != NULL ? self->pin : saved_pin, NULL);

  if (self->ca_file != NULL && !cd_client_set_ca_file (client, self->ca_file, error))
    return NULL;

  if (self->le_version != NULL)
    cd_client_set_le_version (client, self->le_version);

  return g_steal_pointer (&client);
}

/* --- verification ------------------------------------------------------------ */

static char *
display_name_from_whoami (JsonObject *user)
{
  const char *first = cd_json_get_string_or (user, "FirstName", "");
  const char *last = cd_json_get_string_or (user, "LastName", "");
  g_autofree char *name = g_strstrip (g_strdup_printf ("%s %s", first, last));

  if (*name != '\0')
    return g_steal_pointer (&name);

  return _cd_account_non_empty (cd_json_get_string (user, "UniqueName"));
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  JsonObject *user;

  user = cd_client_whoami_finish (CD_CLIENT (object), result, &error);
  if (user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (self->display_name);
  self->display_name = display_name_from_whoami (user);
  /* OAuth has no user key: the ID is only shown. */
  if (self->oauth != NULL)
    {
      g_free (self->user_id);
      self->user_id = _cd_account_non_empty (cd_json_get_string (user, "Identifier"));
    }
  g_task_return_pointer (task, user, (GDestroyNotify) json_object_unref);
}

void
cd_account_verify_async (CdAccount           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CD_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_account_verify_async);

  if (!cd_account_require_user (self, &error) ||
      !(client = cd_account_create_client (self, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The client lives as long as the call. */
  g_task_set_task_data (task, g_object_ref (client), g_object_unref);
  cd_client_whoami_async (client, cancellable, verify_cb, g_steal_pointer (&task));
}

JsonObject *
cd_account_verify_finish (CdAccount     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_account_verify_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- OAuth sign-in ----------------------------------------------------------------- */

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdClient *client = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if (!cd_oauth_complete_sign_in_finish (CD_OAUTH (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  cd_client_whoami_async (client, cancellable, verify_cb, g_steal_pointer (&task));
}

void
cd_account_complete_sign_in_async (CdAccount           *self,
                                   const char          *redirected,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CD_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  /* verify_cb() finishes it: the same source tag. */
  g_task_set_source_tag (task, cd_account_verify_async);

  if (self->oauth == NULL)
    {
      g_task_return_new_error (task, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP,
                               _("This account does not sign in with OAuth 2.0."));
      return;
    }

  if (!(client = cd_account_create_client (self, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The token endpoint is trusted as the site is (COURSEDROP_CA_FILE). */
  g_task_set_task_data (task, g_object_ref (client), g_object_unref);
  cd_oauth_complete_sign_in_async (self->oauth, redirected,
                                   soup_session_get_tls_database (cd_client_get_session (client)),
                                   cancellable, signed_in_cb, g_steal_pointer (&task));
}

JsonObject *
cd_account_complete_sign_in_finish (CdAccount     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return cd_account_verify_finish (self, result, error);
}
