/* cd-account-save.c: saving the account, and signing out
 *
 * Both change the keyring and GSettings as one batch, so a failure leaves
 * no half-saved account.  Split from cd-account-saved.c, which loads the
 * saved account, to keep each file short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include "cd-account-private.h"
#include "cd-client-private.h"
#include "cd-credentials.h"

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
  if (!(settings = _cd_account_open_settings (error)))
    return NULL;

  batch = batch_new (settings);

  /* Another site's user key would linger unused: the keyring keeps only
   * what the saved account needs. */
  old_value = g_settings_get_string (settings, "host");
  old_host = _cd_account_normalized_host (old_value);
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
  if (!(settings = _cd_account_open_settings (error)))
    return NULL;

  batch = batch_new (settings);
  /* Every secret of a sign-in: ID-Key user keys, OAuth refresh tokens and
   * client secrets (the OAuth equivalent of a user's key and an app). */
  batch_add (batch, FALSE, CD_CREDENTIAL_USER_KEY, host, NULL, NULL, NULL);
  batch_add (batch, FALSE, CD_CREDENTIAL_REFRESH_TOKEN, host, NULL, NULL, NULL);
  batch_add (batch, FALSE, CD_CREDENTIAL_CLIENT_SECRET, host, NULL, NULL, NULL);

  saved_value = g_settings_get_string (settings, "host");
  saved_host = _cd_account_normalized_host (saved_value);
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
