/* cd-certificate.h: what a server certificate is, and trusting one exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CD_CERTIFICATE_ERROR (cd_certificate_error_quark ())

typedef enum {
  CD_CERTIFICATE_ERROR_INVALID_FINGERPRINT,  /* not 32 bytes of hex */
  CD_CERTIFICATE_ERROR_INVALID_CERTIFICATE,  /* not a certificate GnuTLS can read */
} CdCertificateError;

GQuark cd_certificate_error_quark (void);

/* A server certificate as a trust dialog shows it.  Immutable, so it may
 * be passed between threads.  Fingerprints are SHA-256 of the DER, written
 * as colon-separated upper-case hex ("AB:CD:…", 95 characters). */
#define CD_TYPE_CERTIFICATE_INFO (cd_certificate_info_get_type ())

typedef struct _CdCertificateInfo CdCertificateInfo;

GType                 cd_certificate_info_get_type        (void) G_GNUC_CONST;
/* @host: "host[:port]" the certificate was presented for (see
 * cd_certificate_host_for_url()); @errors: what verification found. */
CdCertificateInfo    *cd_certificate_info_new             (GTlsCertificate       *certificate,
                                                           const char            *host,
                                                           GTlsCertificateFlags   errors,
                                                           GError               **error) G_GNUC_WARN_UNUSED_RESULT;
CdCertificateInfo    *cd_certificate_info_ref             (CdCertificateInfo     *self);
void                  cd_certificate_info_unref           (CdCertificateInfo     *self);
const char           *cd_certificate_info_get_host        (const CdCertificateInfo *self);
/* Distinguished names as GnuTLS writes them, e.g. "CN=localhost". */
const char           *cd_certificate_info_get_subject     (const CdCertificateInfo *self);
const char           *cd_certificate_info_get_issuer      (const CdCertificateInfo *self);
/* (transfer none), UTC */
GDateTime            *cd_certificate_info_get_not_before  (const CdCertificateInfo *self);
GDateTime            *cd_certificate_info_get_not_after   (const CdCertificateInfo *self);
const char           *cd_certificate_info_get_sha256      (const CdCertificateInfo *self);
GTlsCertificateFlags  cd_certificate_info_get_errors      (const CdCertificateInfo *self);
/* (transfer none) */
GTlsCertificate      *cd_certificate_info_get_certificate (const CdCertificateInfo *self);
/* A translated sentence saying why the certificate is not trusted. */
char                 *cd_certificate_info_describe_errors (const CdCertificateInfo *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdCertificateInfo, cd_certificate_info_unref)

/* SHA-256 of the certificate's DER, formatted as above. */
char     *cd_certificate_fingerprint             (GTlsCertificate  *certificate);
char     *cd_certificate_fingerprint_der         (const guint8     *der,
                                                  gsize             len);
/* Accepts hex with or without colons (or spaces), in any case, optionally
 * after "SHA256 Fingerprint=" as openssl prints it; returns the canonical
 * form, or NULL with CD_CERTIFICATE_ERROR_INVALID_FINGERPRINT. */
char     *cd_certificate_normalize_fingerprint   (const char       *text,
                                                  GError          **error);
/* Both normalizable and equal; FALSE for NULL or invalid input. */
gboolean  cd_certificate_fingerprint_equal       (const char       *a,
                                                  const char       *b);
/* "host" or "host:port" (port only when not the scheme's default), lower
 * case, IPv6 in brackets: the key pins are stored under.  NULL if @url is
 * not an absolute http(s) URL. */
char     *cd_certificate_host_for_url            (const char       *url);

G_END_DECLS
