/* cd-account-saved.c: the account kept between sessions
 *
 * The address, app ID, user and callback live in GSettings; the app and
 * user keys only in the keyring.  This file loads them; saving and signing
 * out, which change both as one batch, are in cd-account-save.c.
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

/* --- the saved account ---------------------------------------------------------- */

static char *
settings_string (GSettings  *settings,
                 const char *key)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  return _cd_account_non_empty (value);
}

/* The host as settings and the keyring spell it; NULL if it is not one. */
char *
_cd_account_normalized_host (const char *host)
{
  return host != NULL ? _cd_client_normalize_host (host, NULL) : NULL;
}

GSettings *
_cd_account_open_settings (GError **error)
{
  GSettings *settings = cd_settings_open ();

  if (settings == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                         _("Coursedrop cannot remember accounts because its settings "
                           "schema is not installed. Reinstall Coursedrop."));
  return settings;
}

typedef struct
{
  char *host;
  char *app_id;
  char *user_id;
  char *display_name;
  char *le_version;
  char *app_key;   /* wiped */
  char *user_key;  /* wiped */
  CdOAuth *oauth;  /* (nullable): an OAuth 2.0 account */
} SavedAccount;

static void
saved_account_free (SavedAccount *saved)
{
  g_free (saved->host);
  g_free (saved->app_id);
  g_free (saved->user_id);
  g_free (saved->display_name);
  g_free (saved->le_version);
  cd_credentials_free_secret (saved->app_key);
  cd_credentials_free_secret (saved->user_key);
  g_clear_object (&saved->oauth);
  g_free (saved);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SavedAccount, saved_account_free)

static SavedAccount *
saved_account_read (GError **error)
{
  g_autoptr(GSettings) settings = cd_settings_open ();
  g_autoptr(SavedAccount) saved = g_new0 (SavedAccount, 1);
  g_autofree char *host = NULL;

  if (settings != NULL)
    host = settings_string (settings, "host");
  if (host == NULL || !(saved->host = _cd_account_normalized_host (host)))
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST,
                           _("No Brightspace account is saved. Sign in first."));
      return NULL;
    }

  saved->app_id = settings_string (settings, "app-id");
  saved->user_id = settings_string (settings, "user-id");
  saved->display_name = settings_string (settings, "display-name");
  saved->le_version = settings_string (settings, "le-version");
  if (!_cd_account_read_saved_oauth (settings, saved->host, &saved->oauth, error))
    return NULL;

  return g_steal_pointer (&saved);
}

static CdAccount *
saved_account_to_account (SavedAccount *saved)
{
  CdAccount *self;
  gboolean user = saved->user_key != NULL;

  if (saved->oauth != NULL)
    {
      user = cd_oauth_is_signed_in (saved->oauth);
      self = cd_account_new_oauth (saved->oauth);
      if (user)
        {
          self->user_id = g_strdup (saved->user_id);
          cd_account_set_display_name (self, saved->display_name);
        }
      cd_account_set_le_version (self, saved->le_version);
      return self;
    }

  /* A user ID whose key is gone (cleared in the keyring) is signed out. */
  self = cd_account_new (saved->host, saved->app_id, saved->app_key,
                         user ? saved->user_id : NULL, saved->user_key);
  if (user)
    cd_account_set_display_name (self, saved->display_name);
  /* A version that is not one (edited by hand) is dropped: the newest
   * the server offers is used, and saving the account again clears it. */
  cd_account_set_le_version (self, saved->le_version);

  return self;
}

CdAccount *
cd_account_load_saved (GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(SavedAccount) saved = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(saved = saved_account_read (error)))
    return NULL;

  if (saved->oauth != NULL)
    {
      if (!_cd_account_load_oauth_secrets (saved->oauth, NULL, cancellable, error))
        return NULL;
      return saved_account_to_account (saved);
    }

  if (saved->app_id != NULL)
    {
      saved->app_key = cd_credentials_lookup (CD_CREDENTIAL_APP_KEY, saved->host, saved->app_id,
                                              NULL, cancellable, &local_error);
      if (local_error == NULL && saved->user_id != NULL)
        saved->user_key = cd_credentials_lookup (CD_CREDENTIAL_USER_KEY, saved->host,
                                                 saved->app_id, saved->user_id, cancellable,
                                                 &local_error);
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return saved_account_to_account (saved);
}

static void
load_user_key_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SavedAccount *saved = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  saved->user_key = cd_credentials_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, saved_account_to_account (saved), g_object_unref);
}

static void
load_app_key_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SavedAccount *saved = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  saved->app_key = cd_credentials_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (saved->user_id == NULL)
    {
      g_task_return_pointer (task, saved_account_to_account (saved), g_object_unref);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  cd_credentials_lookup_async (CD_CREDENTIAL_USER_KEY, saved->host, saved->app_id,
                               saved->user_id, cancellable, load_user_key_cb,
                               g_steal_pointer (&task));
}

static void
load_oauth_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SavedAccount *saved = task_data;
  GError *error = NULL;

  if (!_cd_account_load_oauth_secrets (saved->oauth, NULL, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, saved_account_to_account (saved), g_object_unref);
}

void
cd_account_load_saved_async (GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SavedAccount *saved;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_account_load_saved_async);

  if (!(saved = saved_account_read (&error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, saved, (GDestroyNotify) saved_account_free);

  /* Two keyring reads at start-up, on a worker. */
  if (saved->oauth != NULL)
    {
      g_task_run_in_thread (task, load_oauth_thread);
      return;
    }

  if (saved->app_id == NULL)
    {
      g_task_return_pointer (task, saved_account_to_account (saved), g_object_unref);
      return;
    }

  cd_credentials_lookup_async (CD_CREDENTIAL_APP_KEY, saved->host, saved->app_id, NULL,
                               cancellable, load_app_key_cb, g_steal_pointer (&task));
}

CdAccount *
cd_account_load_saved_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_account_load_saved_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
