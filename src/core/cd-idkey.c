/* cd-idkey.c: D2L Valence ID-Key request signing
 *
 * Every rule here is checked against the official SDKs' vectors in
 * tests/data/idkey-vectors.json; see valence-idkey.md for the sources.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-idkey.h"
#include "cd-secret.h"

G_DEFINE_QUARK (cd-idkey-error-quark, cd_idkey_error)

struct _CdIdKeyContext
{
  char     *app_id;    /* (owned) */
  CdSecret *app_key;   /* (owned) */
  char     *user_id;   /* (owned) (nullable): NULL for anonymous calls */
  CdSecret *user_key;  /* (owned) (nullable) */
  gint64    skew;      /* server clock minus ours, in seconds */
};

G_DEFINE_BOXED_TYPE (CdIdKeyContext, cd_idkey_context,
                     cd_idkey_context_copy, cd_idkey_context_free)

/**
 * cd_idkey_sign:
 *
 * Returns: (transfer full): base64url(HMAC-SHA256(key, message)) with the
 *   padding removed, always 43 characters.
 */
char *
cd_idkey_sign (const char *key,
               const char *message)
{
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  char *encoded;
  char *out;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *)key, strlen (key));
  g_hmac_update (hmac, (const guchar *)message, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);

  encoded = g_base64_encode (digest, digest_len);
  out = encoded;
  for (const char *p = encoded; *p != '\0'; p++)
    {
      if (*p == '=')
        continue;
      *out++ = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
  *out = '\0';

  return encoded;
}

/* Percent-decodes with '+' as space, as the .NET SDK's UrlDecode does.
 * Malformed escapes and %00 stay as written: GLib's decoder would refuse
 * the whole string instead. */
static char *
percent_decode (const char *text,
                gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      int hi, lo;

      if (text[i] == '+')
        {
          g_string_append_c (out, ' ');
          continue;
        }

      if (text[i] == '%' && i + 2 < len &&
          (hi = g_ascii_xdigit_value (text[i + 1])) >= 0 &&
          (lo = g_ascii_xdigit_value (text[i + 2])) >= 0 &&
          (hi | lo) != 0)
        {
          g_string_append_c (out, (char)((hi << 4) | lo));
          i += 2;
          continue;
        }

      g_string_append_c (out, text[i]);
    }

  return g_string_free (out, FALSE);
}

/* Simple (one-to-one) case mapping, like .NET's ToLowerInvariant: unlike
 * g_utf8_strdown() it never changes the number of characters. */
static char *
lowercase (const char *text)
{
  GString *out;

  if (!g_utf8_validate (text, -1, NULL))
    return g_ascii_strdown (text, -1);

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_string_append_unichar (out, g_unichar_tolower (g_utf8_get_char (p)));

  return g_string_free (out, FALSE);
}

/**
 * cd_idkey_canonical_path:
 * @path_and_query: a request path, possibly with a query and fragment
 *
 * The path as the server signs it: query and fragment dropped, percent-
 * decoded ('+' as space), then lowercased.  Decoding before lowercasing is
 * the .NET SDK's order, the one that carries D2L's own comment.
 *
 * Returns: (transfer full): the canonical path
 */
char *
cd_idkey_canonical_path (const char *path_and_query)
{
  g_autofree char *decoded = NULL;

  g_return_val_if_fail (path_and_query != NULL, NULL);

  decoded = percent_decode (path_and_query, strcspn (path_and_query, "?#"));
  return lowercase (decoded);
}

/**
 * cd_idkey_base_string:
 *
 * Returns: (transfer full): "METHOD&canonical-path&timestamp"
 */
char *
cd_idkey_base_string (const char *method,
                      const char *path_and_query,
                      gint64      timestamp)
{
  g_autofree char *upper = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path_and_query != NULL, NULL);

  upper = g_ascii_strup (method, -1);
  path = cd_idkey_canonical_path (path_and_query);

  return g_strdup_printf ("%s&%s&%" G_GINT64_FORMAT, upper, path, timestamp);
}

/**
 * cd_idkey_signature_equal:
 *
 * Compares two signatures in time that does not depend on where they
 * differ, so a server using it leaks nothing through timing.
 */
gboolean
cd_idkey_signature_equal (const char *a,
                          const char *b)
{
  gsize len_a, len_b;
  guint8 diff;

  if (a == NULL || b == NULL)
    return FALSE;

  len_a = strlen (a);
  len_b = strlen (b);
  diff = len_a != len_b;

  for (gsize i = 0; i < len_a; i++)
    diff |= (guint8)a[i] ^ (guint8)b[i % MAX (len_b, 1)];

  return diff == 0;
}

/**
 * cd_idkey_parse_timestamp_error:
 * @body: a 403 response body
 * @server_time: (out) (optional): the server's clock in Unix seconds
 *
 * Recognises "Timestamp out of range" followed by the server's time, with
 * any line ending or trailing white space (a search, not a whole match:
 * the Java SDK's whole-body match fails on a trailing CRLF).
 */
gboolean
cd_idkey_parse_timestamp_error (const char *body,
                                gint64     *server_time)
{
  static GRegex *regex;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *digits = NULL;
  guint64 value;

  if (body == NULL)
    return FALSE;

  /* Bytes, not UTF-8: a body can hold anything, and GLib's PCRE2 JIT
   * crashes on invalid UTF-8 in UTF mode (found by tests/fuzz). */
  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("Timestamp out of range\\s*(\\d+)",
                                            G_REGEX_OPTIMIZE | G_REGEX_RAW, 0, NULL));

  if (!g_regex_match (regex, body, 0, &match))
    return FALSE;

  digits = g_match_info_fetch (match, 1);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;

  if (server_time != NULL)
    *server_time = (gint64)value;

  return TRUE;
}

gboolean
cd_idkey_skew_from_server_time (gint64  server_time,
                                gint64  now,
                                gint64 *skew)
{
  gint64 difference;

  /* "Timestamp out of range 9223372036854775807" minus now overflows. */
  if (__builtin_sub_overflow (server_time, now, &difference) ||
      difference > CD_IDKEY_MAX_SKEW || difference < -CD_IDKEY_MAX_SKEW)
    return FALSE;

  if (skew != NULL)
    *skew = difference;

  return TRUE;
}

/* Python's quote_plus, which the official SDK uses for query values:
 * everything but A-Z a-z 0-9 _ . - ~ escaped, space as '+'. */
static void
append_query_value (GString    *out,
                    const char *value)
{
  for (const guchar *p = (const guchar *)value; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("_.-~", *p) != NULL)
        g_string_append_c (out, (char)*p);
      else if (*p == ' ')
        g_string_append_c (out, '+');
      else
        g_string_append_printf (out, "%%%02X", *p);
    }
}

static char *
strip_trailing_slash (const char *base_url)
{
  gsize len = strlen (base_url);

  while (len > 0 && base_url[len - 1] == '/')
    len--;

  return g_strndup (base_url, len);
}

/**
 * cd_idkey_build_auth_url:
 * @base_url: "https://host[:port]"
 * @target: the callback URL, signed exactly as given
 * @mobile: add type=mobile
 *
 * Returns: (transfer full): the URL to open in the browser for sign-in
 */
char *
cd_idkey_build_auth_url (const char *base_url,
                         const char *app_id,
                         const char *app_key,
                         const char *target,
                         gboolean    mobile)
{
  g_autofree char *base = NULL;
  g_autofree char *x_b = NULL;
  GString *url;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (app_key != NULL, NULL);
  g_return_val_if_fail (target != NULL, NULL);

  base = strip_trailing_slash (base_url);
  x_b = cd_idkey_sign (app_key, target);

  url = g_string_new (base);
  g_string_append (url, "/d2l/auth/api/token?x_a=");
  append_query_value (url, app_id);
  g_string_append (url, "&x_b=");
  append_query_value (url, x_b);
  g_string_append (url, "&x_target=");
  append_query_value (url, target);
  if (mobile)
    g_string_append (url, "&type=mobile");

  return g_string_free (url, FALSE);
}

/**
 * cd_idkey_parse_callback:
 * @uri: the callback URL Brightspace redirected to, or just its query
 * @user_id: (out): the x_a value
 * @user_key: (out): the x_b value
 *
 * In the callback x_a is the user ID and x_b the user key: not the app ID
 * and user ID they mean on API calls.
 */
gboolean
cd_idkey_parse_callback (const char  *uri,
                         char       **user_id,
                         char       **user_key,
                         GError     **error)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *query = NULL;
  const char *start;
  const char *id, *key;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (user_id != NULL && user_key != NULL, FALSE);

  /* A whole URL without a query has no parameters at all. */
  start = strchr (uri, '?');
  if (start != NULL)
    start++;
  else
    start = strstr (uri, "://") != NULL || uri[0] == '/' ? "" : uri;
  query = g_strndup (start, strcspn (start, "#"));

  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  if (params == NULL)
    {
      g_set_error_literal (error, CD_IDKEY_ERROR, CD_IDKEY_ERROR_INVALID_URL,
                           _("The sign-in answer from Brightspace could not be read."));
      return FALSE;
    }

  id = g_hash_table_lookup (params, "x_a");
  key = g_hash_table_lookup (params, "x_b");

  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, CD_IDKEY_ERROR, CD_IDKEY_ERROR_MISSING_USER_ID,
                           _("Brightspace did not send a user ID (x_a) back after sign-in."));
      return FALSE;
    }

  if (key == NULL || *key == '\0')
    {
      g_set_error_literal (error, CD_IDKEY_ERROR, CD_IDKEY_ERROR_MISSING_USER_KEY,
                           _("Brightspace did not send a user key (x_b) back after sign-in."));
      return FALSE;
    }

  *user_id = g_strdup (id);
  *user_key = g_strdup (key);

  return TRUE;
}

CdIdKeyContext *
cd_idkey_context_new (const char *app_id,
                      const char *app_key,
                      const char *user_id,
                      const char *user_key)
{
  CdIdKeyContext *self;

  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (app_key != NULL, NULL);
  g_return_val_if_fail ((user_id == NULL) == (user_key == NULL), NULL);

  self = g_new0 (CdIdKeyContext, 1);
  self->app_id = g_strdup (app_id);
  self->app_key = cd_secret_dup (app_key);
  self->user_id = g_strdup (user_id);
  self->user_key = cd_secret_dup (user_key);

  return self;
}

CdIdKeyContext *
cd_idkey_context_copy (const CdIdKeyContext *self)
{
  CdIdKeyContext *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = cd_idkey_context_new (self->app_id, self->app_key, self->user_id, self->user_key);
  copy->skew = self->skew;

  return copy;
}

void
cd_idkey_context_free (CdIdKeyContext *self)
{
  if (self == NULL)
    return;

  g_free (self->app_id);
  cd_secret_clear (&self->app_key);
  g_free (self->user_id);
  cd_secret_clear (&self->user_key);
  g_free (self);
}

const char *
cd_idkey_context_get_app_id (const CdIdKeyContext *self)
{
  return self->app_id;
}

const char *
cd_idkey_context_get_user_id (const CdIdKeyContext *self)
{
  return self->user_id;
}

gboolean
cd_idkey_context_is_anonymous (const CdIdKeyContext *self)
{
  return self->user_id == NULL || self->user_id[0] == '\0';
}

gint64
cd_idkey_context_get_skew (const CdIdKeyContext *self)
{
  return self->skew;
}

void
cd_idkey_context_set_skew (CdIdKeyContext *self,
                           gint64          skew_seconds)
{
  /* Never a skew that could overflow the clock arithmetic. */
  self->skew = CLAMP (skew_seconds, -CD_IDKEY_MAX_SKEW, CD_IDKEY_MAX_SKEW);
}

/**
 * cd_idkey_context_now:
 *
 * Returns: the server's idea of now, in Unix seconds
 */
gint64
cd_idkey_context_now (const CdIdKeyContext *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->skew;
}

/**
 * cd_idkey_context_sign_query:
 *
 * Returns: (transfer full): "x_a=…&x_c=…&x_b=…&x_d=…&x_t=…", in the
 *   official Python SDK's order.  Anonymous contexts send x_b and x_d
 *   empty, as that SDK does.
 */
char *
cd_idkey_context_sign_query (const CdIdKeyContext *self,
                             const char           *method,
                             const char           *path_and_query,
                             gint64                timestamp)
{
  g_autofree char *base = NULL;
  g_autofree char *x_c = NULL;
  g_autofree char *x_d = NULL;
  gboolean anonymous;
  GString *query;

  g_return_val_if_fail (self != NULL, NULL);

  anonymous = cd_idkey_context_is_anonymous (self);
  base = cd_idkey_base_string (method, path_and_query, timestamp);
  x_c = cd_idkey_sign (self->app_key, base);
  x_d = anonymous ? g_strdup ("") : cd_idkey_sign (self->user_key, base);

  query = g_string_new ("x_a=");
  append_query_value (query, self->app_id);
  g_string_append (query, "&x_c=");
  append_query_value (query, x_c);
  g_string_append (query, "&x_b=");
  append_query_value (query, anonymous ? "" : self->user_id);
  g_string_append (query, "&x_d=");
  append_query_value (query, x_d);
  g_string_append_printf (query, "&x_t=%" G_GINT64_FORMAT, timestamp);

  return g_string_free (query, FALSE);
}

/**
 * cd_idkey_context_build_url:
 * @base_url: "scheme://host[:port]"
 * @path_and_query: the route as the caller wrote it; its case, escapes and
 *   query are kept (only the signature uses the canonical form)
 *
 * Returns: (transfer full): the signed URL
 */
char *
cd_idkey_context_build_url (const CdIdKeyContext *self,
                            const char           *base_url,
                            const char           *method,
                            const char           *path_and_query,
                            gint64                timestamp)
{
  g_autofree char *base = NULL;
  g_autofree char *tokens = NULL;
  gsize path_len, query_len;
  const char *query;
  GString *url;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (path_and_query != NULL, NULL);

  base = strip_trailing_slash (base_url);
  tokens = cd_idkey_context_sign_query (self, method, path_and_query, timestamp);

  path_len = strcspn (path_and_query, "?#");
  query = path_and_query + path_len;
  query_len = 0;
  if (*query == '?')
    {
      query++;
      query_len = strcspn (query, "#");
    }

  url = g_string_new (base);
  g_string_append_len (url, path_and_query, path_len);
  g_string_append_c (url, '?');
  if (query_len > 0)
    {
      g_string_append_len (url, query, query_len);
      g_string_append_c (url, '&');
    }
  g_string_append (url, tokens);

  return g_string_free (url, FALSE);
}

/**
 * cd_idkey_redact:
 *
 * Returns: (transfer full): @text with the value of every x_* query
 *   parameter replaced by REDACTED
 */
char *
cd_idkey_redact (const char *text)
{
  static GRegex *regex;

  if (text == NULL)
    return NULL;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("(?<![A-Za-z0-9_])(x_[a-z]+=)[^&#\\s\"'<>]*",
                                            G_REGEX_OPTIMIZE | G_REGEX_RAW, 0, NULL));

  return g_regex_replace (regex, text, -1, 0, "\\1REDACTED", 0, NULL);
}
