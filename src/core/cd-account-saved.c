/* cd-account-saved.c: the account kept between sessions
 *
 * The address, app ID, user and callback live in GSettings; the app and
 * user keys only in the keyring.  Saving and signing out change both as
 * one batch, so a failure leaves no half-saved account.
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
static char *
normalized_host (const char *host)
{
  return host != NULL ? _cd_client_normalize_host (host, NULL) : NULL;
}

static GSettings *
open_settings (GError **error)
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
  if (host == NULL || !(saved->host = normalized_host (host)))
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

/* Saving and signing out are a few keyring changes, then a few settings
 * changes, in that order: settings never name a key that failed to reach
 * the keyring. */
typedef struct
{
  gboolean          store;   /* else clear */
  CdCredentialKind  kind;
  char             *host;
  char             *app_id;  /* (nullable) for clear */
  char             *user_id; /* (nullable) for clear */
  char             *secret;  /* wiped; store only */
} KeyringOp;

typedef struct
{
  GPtrArray  *ops;        /* KeyringOp */
  guint       next;
  GSettings  *settings;
  GHashTable *values;     /* settings key → string */
} Batch;

static void
keyring_op_free (KeyringOp *op)
{
  g_free (op->host);
  g_free (op->app_id);
  g_free (op->user_id);
  g_clear_pointer (&op->secret, cd_secret_free);
  g_free (op);
}

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->ops);
  g_clear_object (&batch->settings);
  g_hash_table_unref (batch->values);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

static Batch *
batch_new (GSettings *settings)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) keyring_op_free);
  batch->settings = g_object_ref (settings);
  batch->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  return batch;
}

static void
batch_add (Batch            *batch,
           gboolean          store,
           CdCredentialKind  kind,
           const char       *host,
           const char       *app_id,
           const char       *user_id,
           const char       *secret)
{
  KeyringOp *op = g_new0 (KeyringOp, 1);

  op->store = store;
  op->kind = kind;
  op->host = g_strdup (host);
  op->app_id = g_strdup (app_id);
  op->user_id = g_strdup (user_id);
  op->secret = g_strdup (secret);
  g_ptr_array_add (batch->ops, op);
}

static void
batch_set (Batch      *batch,
           const char *key,
           const char *value)
{
  g_hash_table_replace (batch->values, (gpointer) key, g_strdup (value != NULL ? value : ""));
}

static void
batch_apply_settings (Batch *batch)
{
  GHashTableIter iter;
  gpointer key, value;

  /* One change notification for the whole account. */
  g_settings_delay (batch->settings);
  g_hash_table_iter_init (&iter, batch->values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_settings_set_string (batch->settings, key, value);
  g_settings_apply (batch->settings);
  g_settings_sync ();
}

static gboolean
batch_run (Batch         *batch,
           GCancellable  *cancellable,
           GError       **error)
{
  for (guint i = 0; i < batch->ops->len; i++)
    {
      KeyringOp *op = g_ptr_array_index (batch->ops, i);
      gboolean ok;

      if (op->store)
        ok = cd_credentials_store (op->kind, op->host, op->app_id, op->user_id, op->secret,
                                   cancellable, error);
      else
        ok = cd_credentials_clear (op->kind, op->host, op->app_id, op->user_id,
                                   cancellable, error);
      if (!ok)
        return FALSE;
    }

  batch_apply_settings (batch);
  return TRUE;
}

static void batch_step (GTask *task);

static void
batch_op_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Batch *batch = g_task_get_task_data (task);
  KeyringOp *op = g_ptr_array_index (batch->ops, batch->next);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = op->store ? cd_credentials_store_finish (result, &error)
                 : cd_credentials_clear_finish (result, &error);
  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  batch->next++;
  batch_step (g_steal_pointer (&task));
}

/* Takes the reference on @task. */
static void
batch_step (GTask *task)
{
  Batch *batch = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  KeyringOp *op;

  if (batch->next >= batch->ops->len)
    {
      batch_apply_settings (batch);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  op = g_ptr_array_index (batch->ops, batch->next);
  if (op->store)
    cd_credentials_store_async (op->kind, op->host, op->app_id, op->user_id, op->secret,
                                cancellable, batch_op_cb, task);
  else
    cd_credentials_clear_async (op->kind, op->host, op->app_id, op->user_id,
                                cancellable, batch_op_cb, task);
}

static void
batch_add_cb (gpointer          batch,
              gboolean          store,
              CdCredentialKind  kind,
              const char       *host,
              const char       *app_id,
              const char       *secret)
{
  batch_add (batch, store, kind, host, app_id, NULL, secret);
}

static void
batch_set_cb (gpointer    batch,
              const char *key,
              const char *value)
{
  batch_set (batch, key, value);
}

static Batch *
save_batch (CdAccount  *self,
            GError    **error)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(Batch) batch = NULL;
  g_autofree char *host = NULL;
  g_autofree char *old_value = NULL;
  g_autofree char *old_host = NULL;

  if (!(host = _cd_client_normalize_host (self->host, error)))
    return NULL;
  if (!(settings = open_settings (error)))
    return NULL;

  batch = batch_new (settings);

  /* Another site's user key would linger unused: the keyring keeps only
   * what the saved account needs. */
  old_value = g_settings_get_string (settings, "host");
  old_host = normalized_host (old_value);
  if (old_host != NULL && strcmp (old_host, host) != 0)
    {
      batch_add (batch, FALSE, CD_CREDENTIAL_USER_KEY, old_host, NULL, NULL, NULL);
      batch_add (batch, FALSE, CD_CREDENTIAL_REFRESH_TOKEN, old_host, NULL, NULL, NULL);
    }

  if (self->oauth != NULL)
    {
      _cd_account_save_oauth (self, batch_add_cb, batch_set_cb, batch, host);
      return g_steal_pointer (&batch);
    }

  batch_set (batch, "auth-kind", "idkey");
  batch_add (batch, FALSE, CD_CREDENTIAL_REFRESH_TOKEN, host, NULL, NULL, NULL);

  if (cd_account_has_app (self))
    batch_add (batch, TRUE, CD_CREDENTIAL_APP_KEY, host, self->app_id, NULL, self->app_key);

  if (cd_account_has_user (self) && self->app_id != NULL)
    batch_add (batch, TRUE, CD_CREDENTIAL_USER_KEY, host, self->app_id, self->user_id,
               self->user_key);
  else
    batch_add (batch, FALSE, CD_CREDENTIAL_USER_KEY, host, NULL, NULL, NULL);

  batch_set (batch, "host", host);
  batch_set (batch, "app-id", self->app_id);
  batch_set (batch, "user-id", cd_account_has_user (self) ? self->user_id : NULL);
  batch_set (batch, "display-name", cd_account_has_user (self) ? self->display_name : NULL);
  batch_set (batch, "le-version", self->le_version);

  return g_steal_pointer (&batch);
}

/* Runs @batch (made by @make) on a task tagged @source_tag: the async
 * halves of save and sign-out differ only in the batch. */
static void
run_batch_async (CdAccount           *self,
                 Batch            *(*make) (CdAccount *, GError **),
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Batch *batch;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (!(batch = make (self, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_set_task_data (task, batch, (GDestroyNotify) batch_free);
  batch_step (g_steal_pointer (&task));
}

static gboolean
run_batch_finish (CdAccount     *self,
                  GAsyncResult  *result,
                  gpointer       source_tag,
                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
run_batch (CdAccount     *self,
           Batch       *(*make) (CdAccount *, GError **),
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(Batch) batch = NULL;

  if (!(batch = make (self, error)))
    return FALSE;

  return batch_run (batch, cancellable, error);
}

gboolean
cd_account_save (CdAccount     *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);
  return run_batch (self, save_batch, cancellable, error);
}

void
cd_account_save_async (CdAccount           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (CD_IS_ACCOUNT (self));
  run_batch_async (self, save_batch, cd_account_save_async, cancellable, callback, user_data);
}

gboolean
cd_account_save_finish (CdAccount     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return run_batch_finish (self, result, cd_account_save_async, error);
}

static Batch *
sign_out_batch (CdAccount  *self,
                GError    **error)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(Batch) batch = NULL;
  g_autofree char *host = NULL;
  g_autofree char *saved_value = NULL;
  g_autofree char *saved_host = NULL;

  if (!(host = _cd_client_normalize_host (self->host, error)))
    return NULL;
  if (!(settings = open_settings (error)))
    return NULL;

  batch = batch_new (settings);
  /* Every secret of a sign-in: ID-Key user keys, OAuth refresh tokens and
   * client secrets (the OAuth equivalent of a user's key and an app). */
  batch_add (batch, FALSE, CD_CREDENTIAL_USER_KEY, host, NULL, NULL, NULL);
  batch_add (batch, FALSE, CD_CREDENTIAL_REFRESH_TOKEN, host, NULL, NULL, NULL);
  batch_add (batch, FALSE, CD_CREDENTIAL_CLIENT_SECRET, host, NULL, NULL, NULL);

  saved_value = g_settings_get_string (settings, "host");
  saved_host = normalized_host (saved_value);
  if (g_strcmp0 (saved_host, host) == 0)
    {
      batch_set (batch, "user-id", NULL);
      batch_set (batch, "display-name", NULL);
    }

  /* Forgotten here at once: nothing may sign with it while the keyring works. */
  cd_account_set_user (self, NULL, NULL);

  return g_steal_pointer (&batch);
}

gboolean
cd_account_sign_out (CdAccount     *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);
  return run_batch (self, sign_out_batch, cancellable, error);
}

void
cd_account_sign_out_async (CdAccount           *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CD_IS_ACCOUNT (self));
  run_batch_async (self, sign_out_batch, cd_account_sign_out_async, cancellable, callback,
                   user_data);
}

gboolean
cd_account_sign_out_finish (CdAccount     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return run_batch_finish (self, result, cd_account_sign_out_async, error);
}
