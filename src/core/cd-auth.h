/* cd-auth.h: how one request proves who sends it
 *
 * Every authenticated request of a CdClient (the streaming upload too)
 * goes through a CdAuth: CdIdKeyAuth signs the URL (legacy ID-Key), CdOAuth
 * adds "Authorization: Bearer" (OAuth 2.0).  Version discovery never does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cd-idkey.h"

G_BEGIN_DECLS

typedef enum {
  CD_AUTH_KIND_IDKEY,
  CD_AUTH_KIND_OAUTH,
} CdAuthKind;

#define CD_TYPE_AUTH (cd_auth_get_type ())

G_DECLARE_INTERFACE (CdAuth, cd_auth, CD, AUTH, GObject)

struct _CdAuthInterface
{
  GTypeInterface parent_iface;

  CdAuthKind (*get_kind)          (CdAuth              *self);
  /* (transfer full): the URL to send @method @route (path and query) to. */
  char      *(*build_url)         (CdAuth              *self,
                                   const char          *host,
                                   const char          *method,
                                   const char          *route);
  /* (transfer full) (nullable): the Authorization header, or NULL. */
  char      *(*dup_authorization) (CdAuth              *self);
  /* Makes the credentials good for a while (OAuth: a fresh access token a
   * minute before expiry).  With @rejected (an Authorization value the
   * server answered 401 to) set, renews them unless they changed since. */
  void       (*prepare_async)     (CdAuth              *self,
                                   GTlsDatabase        *tls_database,
                                   const char          *rejected,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
  gboolean   (*prepare_finish)    (CdAuth              *self,
                                   GAsyncResult        *result,
                                   GError             **error);
};

CdAuthKind  cd_auth_get_kind          (CdAuth              *self);
char       *cd_auth_build_url         (CdAuth              *self,
                                       const char          *host,
                                       const char          *method,
                                       const char          *route);
char       *cd_auth_dup_authorization (CdAuth              *self);
void        cd_auth_prepare_async     (CdAuth              *self,
                                       GTlsDatabase        *tls_database,
                                       const char          *rejected,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean    cd_auth_prepare_finish    (CdAuth              *self,
                                       GAsyncResult        *result,
                                       GError             **error);

/* ID-Key: the signing context of an app and (optionally) a user. */
#define CD_TYPE_IDKEY_AUTH (cd_idkey_auth_get_type ())

G_DECLARE_FINAL_TYPE (CdIdKeyAuth, cd_idkey_auth, CD, IDKEY_AUTH, GObject)

/* @context: (transfer none): copied. */
CdIdKeyAuth    *cd_idkey_auth_new         (const CdIdKeyContext *context) G_GNUC_WARN_UNUSED_RESULT;
/* (transfer none): the context it signs with (its skew may be changed). */
CdIdKeyContext *cd_idkey_auth_get_context (CdIdKeyAuth          *self);

G_END_DECLS
