/* cd-certificate-private.h: the pins of one client, shared with its uploads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cd-certificate.h"

G_BEGIN_DECLS

/* A client's pinned certificates and the last certificate it refused.
 * Reference counted and locked: upload workers check pins on their own
 * thread while the main thread may pin another certificate. */
typedef struct _CdCertificateTrust CdCertificateTrust;

CdCertificateTrust *_cd_certificate_trust_new               (void);
CdCertificateTrust *_cd_certificate_trust_ref               (CdCertificateTrust *self);
void                _cd_certificate_trust_unref             (CdCertificateTrust *self);
/* @fingerprint: canonical form, or NULL to remove the pin of @host. */
void                _cd_certificate_trust_set_pin           (CdCertificateTrust *self,
                                                             const char         *host,
                                                             const char         *fingerprint);
char               *_cd_certificate_trust_dup_pin           (CdCertificateTrust *self,
                                                             const char         *host);
CdCertificateInfo  *_cd_certificate_trust_dup_last_untrusted (CdCertificateTrust *self);
/* Connects the pin check to @message's accept-certificate, once. */
void                _cd_certificate_trust_watch             (CdCertificateTrust *self,
                                                             SoupMessage        *message);
/* Ties @self to a client's own trust store, so whoever is handed the
 * database (the upload worker) applies the same pins. */
void                _cd_certificate_trust_attach            (CdCertificateTrust *self,
                                                             GTlsDatabase       *database);
/* (transfer none) (nullable) */
CdCertificateTrust *_cd_certificate_trust_from_database     (GTlsDatabase       *database);
/* Whether @message's peer certificate was accepted because of a pin. */
gboolean            _cd_certificate_message_was_pinned      (SoupMessage        *message);
/* The sentence for verification @flags on @host; NULL if none applies. */
char               *_cd_certificate_describe_flags          (const char         *host,
                                                             GTlsCertificateFlags flags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdCertificateTrust, _cd_certificate_trust_unref)

G_END_DECLS
