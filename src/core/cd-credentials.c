/* cd-credentials.c: app and user keys in the keyring, and nowhere else
 *
 * Settings hold who and where (host, app ID, user ID); the keys that make
 * those identities usable live only here.  Secrets handed out are wiped
 * when freed, and no message ever contains one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-certificate.h"
#include "cd-credentials.h"

G_DEFINE_QUARK (cd-credentials-error-quark, cd_credentials_error)

const SecretSchema *
cd_credentials_get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID, SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "app-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static const char *
kind_name (CdCredentialKind kind)
{
  switch (kind)
    {
    case CD_CREDENTIAL_APP_KEY:
      return "app-key";
    case CD_CREDENTIAL_CLIENT_SECRET:
      return "client-secret";
    case CD_CREDENTIAL_REFRESH_TOKEN:
      return "refresh-token";
    case CD_CREDENTIAL_USER_KEY:
    default:
      return "user-key";
    }
}

/* Borrowed values: libsecret copies what it keeps. */
static GHashTable *
make_attributes (CdCredentialKind  kind,
                 const char       *host,
                 const char       *app_id,
                 const char       *user_id)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, "kind", (char *) kind_name (kind));
  g_hash_table_insert (attributes, "host", (char *) host);
  if (app_id != NULL)
    g_hash_table_insert (attributes, "app-id", (char *) app_id);
  if (user_id != NULL && kind == CD_CREDENTIAL_USER_KEY)
    g_hash_table_insert (attributes, "user-id", (char *) user_id);

  return attributes;
}

static char *
make_label (CdCredentialKind  kind,
            const char       *host,
            const char       *user_id)
{
  g_autofree char *name = cd_certificate_host_for_url (host);
  const char *shown = name != NULL ? name : host;

  /* What Passwords and Keys (Seahorse) lists. */
  if (kind == CD_CREDENTIAL_APP_KEY)
    return g_strdup_printf (_("Coursedrop app key for %s"), shown);
  if (kind == CD_CREDENTIAL_CLIENT_SECRET)
    return g_strdup_printf (_("Coursedrop OAuth client secret for %s"), shown);
  if (kind == CD_CREDENTIAL_REFRESH_TOKEN)
    return g_strdup_printf (_("Coursedrop sign-in (OAuth refresh token) for %s"), shown);

  /* Translators: a user ID, then a Brightspace host name. */
  return g_strdup_printf (_("Coursedrop user key of %s for %s"), user_id, shown);
}

static GError *
keyring_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  g_debug ("Keyring: %s", error->message);
  return g_error_new (CD_CREDENTIALS_ERROR, CD_CREDENTIALS_ERROR_UNAVAILABLE,
                      _("Coursedrop could not use the keyring (%s). Check that a keyring "
                        "such as GNOME Keyring is running and unlocked, then try again."),
                      error->message);
}

static gboolean
check_arguments (CdCredentialKind  kind,
                 const char       *host,
                 const char       *app_id,
                 const char       *user_id)
{
  return host != NULL && *host != '\0' &&
         (kind == CD_CREDENTIAL_APP_KEY || kind == CD_CREDENTIAL_USER_KEY ||
          kind == CD_CREDENTIAL_CLIENT_SECRET || kind == CD_CREDENTIAL_REFRESH_TOKEN);
}

/* --- store ------------------------------------------------------------------ */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
cd_credentials_store_async (CdCredentialKind     kind,
                            const char          *host,
                            const char          *app_id,
                            const char          *user_id,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (check_arguments (kind, host, app_id, user_id));
  g_return_if_fail (app_id != NULL);
  g_return_if_fail (kind != CD_CREDENTIAL_USER_KEY || user_id != NULL);
  g_return_if_fail (secret != NULL && *secret != '\0');

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_credentials_store_async);

  attributes = make_attributes (kind, host, app_id, user_id);
  label = make_label (kind, host, user_id);
  secret_password_storev (cd_credentials_get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                          label, secret, cancellable, store_cb, task);
}

gboolean
cd_credentials_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cd_credentials_store (CdCredentialKind   kind,
                      const char        *host,
                      const char        *app_id,
                      const char        *user_id,
                      const char        *secret,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (check_arguments (kind, host, app_id, user_id), FALSE);
  g_return_val_if_fail (app_id != NULL, FALSE);
  g_return_val_if_fail (kind != CD_CREDENTIAL_USER_KEY || user_id != NULL, FALSE);
  g_return_val_if_fail (secret != NULL && *secret != '\0', FALSE);

  attributes = make_attributes (kind, host, app_id, user_id);
  label = make_label (kind, host, user_id);
  if (!secret_password_storev_sync (cd_credentials_get_schema (), attributes,
                                    SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                                    &local_error))
    {
      g_propagate_error (error, keyring_error (local_error));
      return FALSE;
    }

  return TRUE;
}

/* --- lookup ------------------------------------------------------------------- */

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

void
cd_credentials_lookup_async (CdCredentialKind     kind,
                             const char          *host,
                             const char          *app_id,
                             const char          *user_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (check_arguments (kind, host, app_id, user_id));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_credentials_lookup_async);

  attributes = make_attributes (kind, host, app_id, user_id);
  secret_password_lookupv (cd_credentials_get_schema (), attributes, cancellable,
                           lookup_cb, task);
}

char *
cd_credentials_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
cd_credentials_lookup (CdCredentialKind   kind,
                       const char        *host,
                       const char        *app_id,
                       const char        *user_id,
                       GCancellable      *cancellable,
                       GError           **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;
  char *secret;

  g_return_val_if_fail (check_arguments (kind, host, app_id, user_id), NULL);

  attributes = make_attributes (kind, host, app_id, user_id);
  secret = secret_password_lookupv_sync (cd_credentials_get_schema (), attributes, cancellable,
                                         &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, keyring_error (local_error));
      return NULL;
    }

  return secret;
}

/* --- clear --------------------------------------------------------------------- */

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error: there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
cd_credentials_clear_async (CdCredentialKind     kind,
                            const char          *host,
                            const char          *app_id,
                            const char          *user_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (check_arguments (kind, host, app_id, user_id));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_credentials_clear_async);

  attributes = make_attributes (kind, host, app_id, user_id);
  secret_password_clearv (cd_credentials_get_schema (), attributes, cancellable,
                          clear_cb, task);
}

gboolean
cd_credentials_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cd_credentials_clear (CdCredentialKind   kind,
                      const char        *host,
                      const char        *app_id,
                      const char        *user_id,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (check_arguments (kind, host, app_id, user_id), FALSE);

  attributes = make_attributes (kind, host, app_id, user_id);
  secret_password_clearv_sync (cd_credentials_get_schema (), attributes, cancellable,
                               &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, keyring_error (local_error));
      return FALSE;
    }

  return TRUE;
}

void
cd_credentials_free_secret (char *secret)
{
  secret_password_free (secret);
}
