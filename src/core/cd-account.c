/* cd-account.c: who we are on which Brightspace
 *
 * The keys stay inside this object (and the keyring); only signing
 * contexts made from it ever see them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-account.h"

struct _CdAccount
{
  GObject  parent_instance;

  char    *host;      /* (owned) */
  char    *app_id;    /* (owned) (nullable) */
  char    *app_key;   /* (owned) (nullable) */
  char    *user_id;   /* (owned) (nullable) */
  char    *user_key;  /* (owned) (nullable) */
};

G_DEFINE_QUARK (cd-account-error-quark, cd_account_error)
G_DEFINE_FINAL_TYPE (CdAccount, cd_account, G_TYPE_OBJECT)

static void
wipe (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
cd_account_finalize (GObject *object)
{
  CdAccount *self = CD_ACCOUNT (object);

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->app_id, g_free);
  g_clear_pointer (&self->user_id, g_free);
  wipe (&self->app_key);
  wipe (&self->user_key);

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

static char *
non_empty (const char *value)
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

  self->host = non_empty (host);
  self->app_id = non_empty (app_id);
  self->app_key = non_empty (app_key);
  self->user_id = non_empty (user_id);
  self->user_key = non_empty (user_key);

  return self;
}

/**
 * cd_account_new_from_environment:
 * @host_override: (nullable): a --host given on the command line
 *
 * Reads COURSEDROP_HOST, COURSEDROP_APP_ID, COURSEDROP_APP_KEY,
 * COURSEDROP_USER_ID and COURSEDROP_USER_KEY.  Keys are never taken from
 * the command line, where other users could read them in `ps`.
 */
CdAccount *
cd_account_new_from_environment (const char  *host_override,
                                 GError     **error)
{
  g_autoptr(CdAccount) self = NULL;
  const char *host = host_override != NULL ? host_override : g_getenv ("COURSEDROP_HOST");

  self = cd_account_new (host,
                         g_getenv ("COURSEDROP_APP_ID"),
                         g_getenv ("COURSEDROP_APP_KEY"),
                         g_getenv ("COURSEDROP_USER_ID"),
                         g_getenv ("COURSEDROP_USER_KEY"));

  if (self->host == NULL)
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST,
                           _("No Brightspace address is set. Pass --host https://your.school.edu "
                             "or set COURSEDROP_HOST."));
      return NULL;
    }

  if (!cd_client_check_host (self->host, error))
    return NULL;

  if (self->app_id == NULL || self->app_key == NULL)
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_APP,
                           _("No app credentials are set. Set COURSEDROP_APP_ID and "
                             "COURSEDROP_APP_KEY to the ID and key of your Brightspace app."));
      return NULL;
    }

  if ((self->user_id == NULL) != (self->user_key == NULL))
    {
      g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER,
                           _("Only half of the user credentials are set. Set both "
                             "COURSEDROP_USER_ID and COURSEDROP_USER_KEY."));
      return NULL;
    }

  return g_steal_pointer (&self);
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

gboolean
cd_account_has_user (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);
  return self->user_id != NULL && self->user_key != NULL;
}

gboolean
cd_account_require_user (CdAccount  *self,
                         GError    **error)
{
  if (cd_account_has_user (self))
    return TRUE;

  g_set_error_literal (error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_USER,
                       _("No user is signed in. Set COURSEDROP_USER_ID and "
                         "COURSEDROP_USER_KEY to your Brightspace user ID and key."));
  return FALSE;
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

  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);

  context = cd_account_create_context (self);
  return cd_client_new (self->host, context, error);
}
