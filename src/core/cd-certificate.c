/* cd-certificate.c: what a server certificate is, and trusting one exactly
 *
 * A pin trusts one certificate (by the SHA-256 of its DER) for one host
 * and nothing else: it never widens verification for other certificates
 * or other sites, so there is no "ignore TLS errors" switch anywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cd-certificate-private.h"

#define SHA256_LEN 32

G_DEFINE_QUARK (cd-certificate-error-quark, cd_certificate_error)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)

struct _CdCertificateInfo
{
  gatomicrefcount       ref_count;

  GTlsCertificate      *certificate;
  char                 *host;
  char                 *subject;
  char                 *issuer;
  GDateTime            *not_before;  /* (nullable) */
  GDateTime            *not_after;   /* (nullable) */
  char                 *sha256;
  GTlsCertificateFlags  errors;
};

G_DEFINE_BOXED_TYPE (CdCertificateInfo, cd_certificate_info,
                     cd_certificate_info_ref, cd_certificate_info_unref)

/* --- fingerprints ---------------------------------------------------------- */

static char *
format_fingerprint (const guint8 *digest,
                    gsize         len)
{
  GString *text = g_string_sized_new (len * 3);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (text, i == 0 ? "%02X" : ":%02X", digest[i]);

  return g_string_free (text, FALSE);
}

char *
cd_certificate_fingerprint_der (const guint8 *der,
                                gsize         len)
{
  gnutls_datum_t datum = { (unsigned char *) der, (unsigned int) len };
  guint8 digest[SHA256_LEN];
  size_t digest_len = sizeof digest;

  g_return_val_if_fail (der != NULL || len == 0, NULL);
  g_return_val_if_fail (len <= G_MAXUINT, NULL);

  if (gnutls_fingerprint (GNUTLS_DIG_SHA256, &datum, digest, &digest_len) != GNUTLS_E_SUCCESS ||
      digest_len != SHA256_LEN)
    return NULL;

  return format_fingerprint (digest, digest_len);
}

static GByteArray *
certificate_der (GTlsCertificate *certificate)
{
  GByteArray *der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  return der;
}

/**
 * cd_certificate_fingerprint:
 *
 * Returns: (transfer full) (nullable): the SHA-256 fingerprint of the DER
 */
char *
cd_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  der = certificate_der (certificate);
  if (der == NULL)
    return NULL;

  return cd_certificate_fingerprint_der (der->data, der->len);
}

char *
cd_certificate_normalize_fingerprint (const char  *text,
                                      GError     **error)
{
  g_autoptr(GString) hex = g_string_new (NULL);
  guint8 digest[SHA256_LEN];
  const char *start;
  const char *equals;

  g_return_val_if_fail (text != NULL, NULL);

  /* "sha256 Fingerprint=AB:CD…" is what `openssl x509 -fingerprint` prints. */
  start = text;
  equals = strrchr (text, '=');
  if (equals != NULL)
    start = equals + 1;

  for (const char *p = start; *p != '\0'; p++)
    {
      if (*p == ':' || g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          hex->len = 0;
          break;
        }
      g_string_append_c (hex, *p);
    }

  if (hex->len != SHA256_LEN * 2)
    {
      g_set_error_literal (error, CD_CERTIFICATE_ERROR, CD_CERTIFICATE_ERROR_INVALID_FINGERPRINT,
                           _("That is not a SHA-256 certificate fingerprint. A fingerprint "
                             "has 64 hexadecimal digits, with or without colons, such as "
                             "“AB:CD:…”."));
      return NULL;
    }

  for (guint i = 0; i < SHA256_LEN; i++)
    digest[i] = (guint8) (g_ascii_xdigit_value (hex->str[2 * i]) * 16 +
                          g_ascii_xdigit_value (hex->str[2 * i + 1]));

  return format_fingerprint (digest, sizeof digest);
}

gboolean
cd_certificate_fingerprint_equal (const char *a,
                                  const char *b)
{
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;

  na = cd_certificate_normalize_fingerprint (a, NULL);
  nb = cd_certificate_normalize_fingerprint (b, NULL);

  return na != NULL && nb != NULL && strcmp (na, nb) == 0;
}

static char *
host_for_uri (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);
  g_autofree char *lower = NULL;
  int port = g_uri_get_port (uri);
  int default_port;

  if (scheme == NULL || host == NULL || *host == '\0')
    return NULL;

  if (g_ascii_strcasecmp (scheme, "https") == 0)
    default_port = 443;
  else if (g_ascii_strcasecmp (scheme, "http") == 0)
    default_port = 80;
  else
    return NULL;

  lower = g_ascii_strdown (host, -1);
  if (strchr (lower, ':') != NULL)
    {
      g_autofree char *bracketed = g_strdup_printf ("[%s]", lower);

      g_free (lower);
      lower = g_steal_pointer (&bracketed);
    }

  if (port <= 0 || port == default_port)
    return g_steal_pointer (&lower);

  return g_strdup_printf ("%s:%d", lower, port);
}

char *
cd_certificate_host_for_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  return host_for_uri (uri);
}

/* --- CdCertificateInfo ------------------------------------------------------ */

static char *
crt_dn (gnutls_x509_crt_t crt,
        gboolean          issuer)
{
  g_autofree char *buffer = NULL;
  size_t size = 0;
  int ret;

  ret = issuer ? gnutls_x509_crt_get_issuer_dn (crt, NULL, &size)
               : gnutls_x509_crt_get_dn (crt, NULL, &size);
  if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER || size == 0)
    return g_strdup ("");

  buffer = g_malloc0 (size + 1);
  ret = issuer ? gnutls_x509_crt_get_issuer_dn (crt, buffer, &size)
               : gnutls_x509_crt_get_dn (crt, buffer, &size);
  if (ret != GNUTLS_E_SUCCESS)
    return g_strdup ("");

  /* Names come from the peer: never let them carry invalid UTF-8 into a label. */
  return g_utf8_make_valid (buffer, -1);
}

static GDateTime *
date_from_time (time_t when)
{
  if (when == (time_t) -1)
    return NULL;

  return g_date_time_new_from_unix_utc ((gint64) when);
}

/**
 * cd_certificate_info_new:
 *
 * Returns: (transfer full): the certificate's details, or %NULL with
 *   CD_CERTIFICATE_ERROR_INVALID_CERTIFICATE
 */
CdCertificateInfo *
cd_certificate_info_new (GTlsCertificate       *certificate,
                         const char            *host,
                         GTlsCertificateFlags   errors,
                         GError               **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(GByteArray) der = NULL;
  gnutls_datum_t datum;
  CdCertificateInfo *self;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (host != NULL, NULL);

  der = certificate_der (certificate);
  if (der == NULL || der->len == 0 || gnutls_x509_crt_init (&crt) != GNUTLS_E_SUCCESS)
    goto invalid;

  datum.data = der->data;
  datum.size = der->len;
  if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) != GNUTLS_E_SUCCESS)
    goto invalid;

  self = g_new0 (CdCertificateInfo, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->certificate = g_object_ref (certificate);
  self->host = g_strdup (host);
  self->subject = crt_dn (crt, FALSE);
  self->issuer = crt_dn (crt, TRUE);
  self->not_before = date_from_time (gnutls_x509_crt_get_activation_time (crt));
  self->not_after = date_from_time (gnutls_x509_crt_get_expiration_time (crt));
  self->sha256 = cd_certificate_fingerprint_der (der->data, der->len);
  self->errors = errors;

  if (self->sha256 == NULL)
    {
      cd_certificate_info_unref (self);
      goto invalid;
    }

  return self;

invalid:
  g_set_error (error, CD_CERTIFICATE_ERROR, CD_CERTIFICATE_ERROR_INVALID_CERTIFICATE,
               _("The security certificate of %s could not be read."), host);
  return NULL;
}

CdCertificateInfo *
cd_certificate_info_ref (CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cd_certificate_info_unref (CdCertificateInfo *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  g_clear_pointer (&self->sha256, g_free);
  g_free (self);
}

const char *
cd_certificate_info_get_host (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

const char *
cd_certificate_info_get_subject (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->subject;
}

const char *
cd_certificate_info_get_issuer (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->issuer;
}

GDateTime *
cd_certificate_info_get_not_before (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->not_before;
}

GDateTime *
cd_certificate_info_get_not_after (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->not_after;
}

const char *
cd_certificate_info_get_sha256 (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->sha256;
}

GTlsCertificateFlags
cd_certificate_info_get_errors (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->errors;
}

GTlsCertificate *
cd_certificate_info_get_certificate (const CdCertificateInfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->certificate;
}

char *
_cd_certificate_describe_flags (const char           *host,
                                GTlsCertificateFlags  flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return g_strdup_printf (_("The security certificate of %s is not issued by an authority "
                              "this computer trusts."), host);
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return g_strdup_printf (_("The security certificate of %s belongs to a different site."),
                            host);
  if (flags & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    return g_strdup_printf (_("The security certificate of %s has expired or is not valid "
                              "yet. Check the date and time of this computer."), host);
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return g_strdup_printf (_("The security certificate of %s has been revoked."), host);

  return NULL;
}

char *
cd_certificate_info_describe_errors (const CdCertificateInfo *self)
{
  char *text;

  g_return_val_if_fail (self != NULL, NULL);

  text = _cd_certificate_describe_flags (self->host, self->errors);
  if (text == NULL)
    text = g_strdup_printf (_("The security certificate of %s is not trusted by this "
                              "computer."), self->host);
  return text;
}

/* --- CdCertificateTrust ------------------------------------------------------ */

struct _CdCertificateTrust
{
  gatomicrefcount    ref_count;
  GMutex             lock;
  GHashTable        *pins;            /* host → canonical fingerprint */
  CdCertificateInfo *last_untrusted;  /* (nullable) */
};

/* Private qdata keys; G_DEFINE_QUARK would export them. */
static GQuark
trust_quark (void)
{
  return g_quark_from_static_string ("cd-certificate-trust");
}

static GQuark
watched_quark (void)
{
  return g_quark_from_static_string ("cd-certificate-watched");
}

static GQuark
pinned_quark (void)
{
  return g_quark_from_static_string ("cd-certificate-pinned");
}

CdCertificateTrust *
_cd_certificate_trust_new (void)
{
  CdCertificateTrust *self = g_new0 (CdCertificateTrust, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

CdCertificateTrust *
_cd_certificate_trust_ref (CdCertificateTrust *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_cd_certificate_trust_unref (CdCertificateTrust *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_hash_table_unref (self->pins);
  g_clear_pointer (&self->last_untrusted, cd_certificate_info_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
_cd_certificate_trust_set_pin (CdCertificateTrust *self,
                               const char         *host,
                               const char         *fingerprint)
{
  g_mutex_lock (&self->lock);
  if (fingerprint != NULL)
    g_hash_table_replace (self->pins, g_strdup (host), g_strdup (fingerprint));
  else
    g_hash_table_remove (self->pins, host);

  /* The dialog that led here has done its job. */
  g_clear_pointer (&self->last_untrusted, cd_certificate_info_unref);
  g_mutex_unlock (&self->lock);
}

char *
_cd_certificate_trust_dup_pin (CdCertificateTrust *self,
                               const char         *host)
{
  char *pin;

  g_mutex_lock (&self->lock);
  pin = g_strdup (g_hash_table_lookup (self->pins, host));
  g_mutex_unlock (&self->lock);

  return pin;
}

CdCertificateInfo *
_cd_certificate_trust_dup_last_untrusted (CdCertificateTrust *self)
{
  CdCertificateInfo *info = NULL;

  g_mutex_lock (&self->lock);
  if (self->last_untrusted != NULL)
    info = cd_certificate_info_ref (self->last_untrusted);
  g_mutex_unlock (&self->lock);

  return info;
}

/* Runs only when normal verification failed (libsoup emits the signal for
 * nothing else), on the thread of the message's session. */
static gboolean
accept_certificate_cb (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  CdCertificateTrust *self = user_data;
  g_autofree char *host = host_for_uri (soup_message_get_uri (message));
  g_autofree char *fingerprint = NULL;
  g_autoptr(CdCertificateInfo) info = NULL;
  gboolean accepted = FALSE;

  if (host == NULL)
    return FALSE;

  fingerprint = cd_certificate_fingerprint (certificate);

  g_mutex_lock (&self->lock);
  if (fingerprint != NULL)
    accepted = g_strcmp0 (g_hash_table_lookup (self->pins, host), fingerprint) == 0;
  g_mutex_unlock (&self->lock);

  if (accepted)
    {
      g_debug ("Accepting the certificate of %s: it matches the pinned fingerprint", host);
      g_object_set_qdata (G_OBJECT (message), pinned_quark (), GINT_TO_POINTER (TRUE));
      return TRUE;
    }

  g_debug ("Refusing the certificate of %s (SHA-256 %s, errors 0x%x)", host,
           fingerprint != NULL ? fingerprint : "?", errors);

  info = cd_certificate_info_new (certificate, host, errors, NULL);
  if (info != NULL)
    {
      g_mutex_lock (&self->lock);
      g_clear_pointer (&self->last_untrusted, cd_certificate_info_unref);
      self->last_untrusted = g_steal_pointer (&info);
      g_mutex_unlock (&self->lock);
    }

  return FALSE;
}

void
_cd_certificate_trust_watch (CdCertificateTrust *self,
                             SoupMessage        *message)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (SOUP_IS_MESSAGE (message));

  if (g_object_get_qdata (G_OBJECT (message), watched_quark ()) != NULL)
    return;

  g_object_set_qdata (G_OBJECT (message), watched_quark (), GINT_TO_POINTER (TRUE));
  g_signal_connect_data (message, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                         _cd_certificate_trust_ref (self),
                         (GClosureNotify) (void (*) (void)) _cd_certificate_trust_unref, 0);
}

void
_cd_certificate_trust_attach (CdCertificateTrust *self,
                              GTlsDatabase       *database)
{
  g_object_set_qdata_full (G_OBJECT (database), trust_quark (), _cd_certificate_trust_ref (self),
                           (GDestroyNotify) _cd_certificate_trust_unref);
}

CdCertificateTrust *
_cd_certificate_trust_from_database (GTlsDatabase *database)
{
  if (database == NULL)
    return NULL;

  return g_object_get_qdata (G_OBJECT (database), trust_quark ());
}

gboolean
_cd_certificate_message_was_pinned (SoupMessage *message)
{
  return message != NULL &&
         g_object_get_qdata (G_OBJECT (message), pinned_quark ()) != NULL;
}
