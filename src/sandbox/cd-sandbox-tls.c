/* cd-sandbox-tls.c: a fresh self-signed certificate for --tls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <time.h>

#include "cd-sandbox-private.h"

#define VALID_BEFORE_NOW (60 * 60)
#define VALID_AFTER_NOW  (30 * 24 * 60 * 60)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)

static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *)datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;
  return text;
}

static gboolean
build_certificate (gnutls_x509_crt_t       crt,
                   gnutls_x509_privkey_t   key,
                   const char            **step,
                   int                    *ret)
{
  static const guint8 loopback[4] = { 127, 0, 0, 1 };
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t now = time (NULL);

#define TRY(what, call) G_STMT_START { *step = what; if ((*ret = (call)) < 0) return FALSE; } G_STMT_END

  TRY ("generating the key",
       gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0));

  /* RFC 5280 wants a positive serial of at most 20 octets. */
  TRY ("making a serial number", gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial));
  serial[0] = (serial[0] & 0x7f) | 0x01;

  TRY ("setting the version", gnutls_x509_crt_set_version (crt, 3));
  TRY ("setting the serial", gnutls_x509_crt_set_serial (crt, serial, sizeof serial));
  TRY ("setting the validity", gnutls_x509_crt_set_activation_time (crt, now - VALID_BEFORE_NOW));
  TRY ("setting the validity", gnutls_x509_crt_set_expiration_time (crt, now + VALID_AFTER_NOW));
  TRY ("setting the name",
       gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9));
  TRY ("setting the DNS name",
       gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                             GNUTLS_FSAN_APPEND));
  TRY ("setting the IP address",
       gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, loopback,
                                             sizeof loopback, GNUTLS_FSAN_APPEND));
  TRY ("setting the key", gnutls_x509_crt_set_key (crt, key));

  /* A CA, so that a client can trust it directly as its own anchor. */
  TRY ("setting basic constraints", gnutls_x509_crt_set_basic_constraints (crt, 1, 0));
  TRY ("setting the key usage",
       gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                           GNUTLS_KEY_KEY_CERT_SIGN));
  TRY ("setting the key purpose",
       gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
  TRY ("computing the key ID", gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size));
  TRY ("setting the key ID", gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size));
  TRY ("signing", gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0));

#undef TRY

  return TRUE;
}

GTlsCertificate *
_cd_sandbox_make_certificate (char   **cert_pem,
                              GError **error)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autofree char *crt_text = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *both = NULL;
  gnutls_datum_t datum = { NULL, 0 };
  const char *step = "initialising";
  GTlsCertificate *certificate;
  int ret;

  if ((ret = gnutls_x509_privkey_init (&key)) < 0 || (ret = gnutls_x509_crt_init (&crt)) < 0 ||
      !build_certificate (crt, key, &step, &ret))
    goto failed;

  step = "exporting the certificate";
  if ((ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &datum)) < 0)
    goto failed;
  crt_text = datum_to_string (&datum);

  /* PKCS #8 ("BEGIN PRIVATE KEY") is the form every GTlsBackend reads. */
  step = "exporting the key";
  if ((ret = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &datum)) < 0)
    goto failed;
  key_text = datum_to_string (&datum);

  both = g_strconcat (crt_text, key_text, NULL);
  certificate = g_tls_certificate_new_from_pem (both, -1, error);
  if (certificate == NULL)
    return NULL;

  /* The key PEM stays in memory only as long as GLib's copy does. */
  memset (key_text, 0, strlen (key_text));
  memset (both, 0, strlen (both));

  if (cert_pem != NULL)
    *cert_pem = g_steal_pointer (&crt_text);
  return certificate;

failed:
  g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_TLS,
               "Cannot make a TLS certificate: GnuTLS failed while %s: %s",
               step, gnutls_strerror (ret));
  return NULL;
}
