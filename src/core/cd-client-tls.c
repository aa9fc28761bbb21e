/* cd-client-tls.c: the trust store of a client's session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-certificate-private.h"
#include "cd-client-private.h"

/* GTlsFileDatabase trusts only the anchors in its file.  A site behind a
 * private CA (or the sandbox's self-signed certificate) must be trusted in
 * addition to the system's authorities, so verification asks the extra
 * anchors first and then the system database.
 *
 * Every client has one of these, with or without extra anchors: it is the
 * client's own object, so its certificate pins can travel with it to the
 * upload worker (see cd-certificate-private.h), while verification itself
 * stays exactly the system's. */
#define CD_TYPE_CLIENT_TLS_DATABASE (cd_client_tls_database_get_type ())

G_DECLARE_FINAL_TYPE (CdClientTlsDatabase, cd_client_tls_database,
                      CD, CLIENT_TLS_DATABASE, GTlsDatabase)

struct _CdClientTlsDatabase
{
  GTlsDatabase  parent_instance;

  /* Owned References */
  GTlsDatabase *extra;   /* (nullable): no extra anchors */
  GTlsDatabase *system;  /* (nullable): no TLS backend database */
};

G_DEFINE_FINAL_TYPE (CdClientTlsDatabase, cd_client_tls_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
cd_client_tls_database_verify_chain (GTlsDatabase             *database,
                                     GTlsCertificate          *chain,
                                     const char               *purpose,
                                     GSocketConnectable       *identity,
                                     GTlsInteraction          *interaction,
                                     GTlsDatabaseVerifyFlags   flags,
                                     GCancellable             *cancellable,
                                     GError                  **error)
{
  CdClientTlsDatabase *self = CD_CLIENT_TLS_DATABASE (database);
  g_autoptr(GError) local_error = NULL;
  GTlsCertificateFlags result;

  if (self->extra == NULL)
    {
      if (self->system == NULL)
        return G_TLS_CERTIFICATE_UNKNOWN_CA;

      return g_tls_database_verify_chain (self->system, chain, purpose, identity, interaction,
                                          flags, cancellable, error);
    }

  result = g_tls_database_verify_chain (self->extra, chain, purpose, identity, interaction,
                                        flags, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return G_TLS_CERTIFICATE_GENERIC_ERROR;
    }

  /* Anchored by the extra file: its verdict (identity, dates) stands. */
  if ((result & G_TLS_CERTIFICATE_UNKNOWN_CA) == 0 || self->system == NULL)
    return result;

  return g_tls_database_verify_chain (self->system, chain, purpose, identity, interaction,
                                      flags, cancellable, error);
}

static GTlsCertificate *
cd_client_tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                                  GTlsCertificate          *certificate,
                                                  GTlsInteraction          *interaction,
                                                  GTlsDatabaseLookupFlags   flags,
                                                  GCancellable             *cancellable,
                                                  GError                  **error)
{
  CdClientTlsDatabase *self = CD_CLIENT_TLS_DATABASE (database);
  GTlsCertificate *issuer = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->extra != NULL)
    issuer = g_tls_database_lookup_certificate_issuer (self->extra, certificate, interaction,
                                                       flags, cancellable, &local_error);
  /* The system store is only asked when ours has no answer, not when it
   * failed: a second error on top of the first would be lost. */
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (issuer != NULL || self->system == NULL || g_cancellable_is_cancelled (cancellable))
    return issuer;

  return g_tls_database_lookup_certificate_issuer (self->system, certificate, interaction,
                                                   flags, cancellable, error);
}

static GList *
cd_client_tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                                      GByteArray               *issuer,
                                                      GTlsInteraction          *interaction,
                                                      GTlsDatabaseLookupFlags   flags,
                                                      GCancellable             *cancellable,
                                                      GError                  **error)
{
  CdClientTlsDatabase *self = CD_CLIENT_TLS_DATABASE (database);
  g_autoptr(GError) local_error = NULL;
  GList *found = NULL;

  if (self->extra != NULL)
    found = g_tls_database_lookup_certificates_issued_by (self->extra, issuer, interaction,
                                                          flags, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (self->system != NULL)
    found = g_list_concat (found,
                           g_tls_database_lookup_certificates_issued_by (self->system, issuer,
                                                                         interaction, flags,
                                                                         cancellable, error));
  return found;
}

static char *
cd_client_tls_database_create_certificate_handle (GTlsDatabase    *database,
                                                  GTlsCertificate *certificate)
{
  CdClientTlsDatabase *self = CD_CLIENT_TLS_DATABASE (database);
  char *handle = NULL;

  if (self->extra != NULL)
    handle = g_tls_database_create_certificate_handle (self->extra, certificate);
  if (handle == NULL && self->system != NULL)
    handle = g_tls_database_create_certificate_handle (self->system, certificate);

  return handle;
}

static GTlsCertificate *
cd_client_tls_database_lookup_certificate_for_handle (GTlsDatabase             *database,
                                                      const char               *handle,
                                                      GTlsInteraction          *interaction,
                                                      GTlsDatabaseLookupFlags   flags,
                                                      GCancellable             *cancellable,
                                                      GError                  **error)
{
  CdClientTlsDatabase *self = CD_CLIENT_TLS_DATABASE (database);
  GTlsCertificate *certificate = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->extra != NULL)
    certificate = g_tls_database_lookup_certificate_for_handle (self->extra, handle, interaction,
                                                                flags, cancellable, &local_error);
  /* The system store is only asked when ours has no answer, not when it
   * failed: a second error on top of the first would be lost. */
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (certificate != NULL || self->system == NULL || g_cancellable_is_cancelled (cancellable))
    return certificate;

  return g_tls_database_lookup_certificate_for_handle (self->system, handle, interaction,
                                                       flags, cancellable, error);
}

static void
cd_client_tls_database_finalize (GObject *object)
{
  CdClientTlsDatabase *self = CD_CLIENT_TLS_DATABASE (object);

  g_clear_object (&self->extra);
  g_clear_object (&self->system);

  G_OBJECT_CLASS (cd_client_tls_database_parent_class)->finalize (object);
}

static void
cd_client_tls_database_class_init (CdClientTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = cd_client_tls_database_finalize;

  database_class->verify_chain = cd_client_tls_database_verify_chain;
  database_class->lookup_certificate_issuer = cd_client_tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by =
    cd_client_tls_database_lookup_certificates_issued_by;
  database_class->create_certificate_handle = cd_client_tls_database_create_certificate_handle;
  database_class->lookup_certificate_for_handle =
    cd_client_tls_database_lookup_certificate_for_handle;
}

static void
cd_client_tls_database_init (CdClientTlsDatabase *self)
{
}

/* @pem_path: (nullable): extra anchors; @trust: the client's pins. */
GTlsDatabase *
_cd_client_tls_database_new (const char          *pem_path,
                             CdCertificateTrust  *trust,
                             GError             **error)
{
  g_autoptr(GTlsDatabase) extra = NULL;
  g_autoptr(GError) local_error = NULL;
  CdClientTlsDatabase *self;

  if (pem_path != NULL)
    extra = g_tls_file_database_new (pem_path, &local_error);
  if (pem_path != NULL && extra == NULL)
    {
      g_autofree char *name = g_filename_display_name (pem_path);

      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS,
                   _("Could not load the certificates to trust from “%s”: %s"),
                   name, local_error->message);
      return NULL;
    }

  self = g_object_new (CD_TYPE_CLIENT_TLS_DATABASE, NULL);
  self->extra = g_steal_pointer (&extra);
  self->system = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  _cd_certificate_trust_attach (trust, G_TLS_DATABASE (self));

  return G_TLS_DATABASE (self);
}
