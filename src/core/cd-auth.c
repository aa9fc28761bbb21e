/* cd-auth.c: how one request proves who sends it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-auth.h"

G_DEFINE_INTERFACE (CdAuth, cd_auth, G_TYPE_OBJECT)

static void
cd_auth_default_init (CdAuthInterface *iface)
{
}

CdAuthKind
cd_auth_get_kind (CdAuth *self)
{
  g_return_val_if_fail (CD_IS_AUTH (self), CD_AUTH_KIND_IDKEY);

  return CD_AUTH_GET_IFACE (self)->get_kind (self);
}

char *
cd_auth_build_url (CdAuth     *self,
                   const char *host,
                   const char *method,
                   const char *route)
{
  g_return_val_if_fail (CD_IS_AUTH (self), NULL);

  return CD_AUTH_GET_IFACE (self)->build_url (self, host, method, route);
}

char *
cd_auth_dup_authorization (CdAuth *self)
{
  g_return_val_if_fail (CD_IS_AUTH (self), NULL);

  return CD_AUTH_GET_IFACE (self)->dup_authorization (self);
}

void
cd_auth_prepare_async (CdAuth              *self,
                       GTlsDatabase        *tls_database,
                       const char          *rejected,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (CD_IS_AUTH (self));

  CD_AUTH_GET_IFACE (self)->prepare_async (self, tls_database, rejected, cancellable,
                                           callback, user_data);
}

gboolean
cd_auth_prepare_finish (CdAuth        *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CD_IS_AUTH (self), FALSE);

  return CD_AUTH_GET_IFACE (self)->prepare_finish (self, result, error);
}

/* --- ID-Key ------------------------------------------------------------------ */

struct _CdIdKeyAuth
{
  GObject         parent_instance;
  CdIdKeyContext *context;
};

static void cd_idkey_auth_iface_init (CdAuthInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CdIdKeyAuth, cd_idkey_auth, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CD_TYPE_AUTH, cd_idkey_auth_iface_init))

static CdAuthKind
idkey_get_kind (CdAuth *auth)
{
  return CD_AUTH_KIND_IDKEY;
}

/* A fresh timestamp, hence fresh signatures, for every call. */
static char *
idkey_build_url (CdAuth     *auth,
                 const char *host,
                 const char *method,
                 const char *route)
{
  CdIdKeyAuth *self = CD_IDKEY_AUTH (auth);

  return cd_idkey_context_build_url (self->context, host, method, route,
                                     cd_idkey_context_now (self->context));
}

static char *
idkey_dup_authorization (CdAuth *auth)
{
  return NULL;
}

/* Keys do not expire on a schedule we know, nor can they be renewed. */
static void
idkey_prepare_async (CdAuth              *auth,
                     GTlsDatabase        *tls_database,
                     const char          *rejected,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (auth, cancellable, callback, user_data);

  g_task_set_source_tag (task, idkey_prepare_async);
  g_task_return_boolean (task, TRUE);
}

static gboolean
idkey_prepare_finish (CdAuth        *auth,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
cd_idkey_auth_iface_init (CdAuthInterface *iface)
{
  iface->get_kind = idkey_get_kind;
  iface->build_url = idkey_build_url;
  iface->dup_authorization = idkey_dup_authorization;
  iface->prepare_async = idkey_prepare_async;
  iface->prepare_finish = idkey_prepare_finish;
}

static void
cd_idkey_auth_finalize (GObject *object)
{
  CdIdKeyAuth *self = CD_IDKEY_AUTH (object);

  g_clear_pointer (&self->context, cd_idkey_context_free);

  G_OBJECT_CLASS (cd_idkey_auth_parent_class)->finalize (object);
}

static void
cd_idkey_auth_class_init (CdIdKeyAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cd_idkey_auth_finalize;
}

static void
cd_idkey_auth_init (CdIdKeyAuth *self)
{
}

CdIdKeyAuth *
cd_idkey_auth_new (const CdIdKeyContext *context)
{
  CdIdKeyAuth *self;

  g_return_val_if_fail (context != NULL, NULL);

  self = g_object_new (CD_TYPE_IDKEY_AUTH, NULL);
  self->context = cd_idkey_context_copy (context);
  return self;
}

CdIdKeyContext *
cd_idkey_auth_get_context (CdIdKeyAuth *self)
{
  g_return_val_if_fail (CD_IS_IDKEY_AUTH (self), NULL);

  return self->context;
}
