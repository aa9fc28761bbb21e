/* fuzz-idkey.c: the parsers of cd-idkey, which read what servers and
 * browsers send back: 403 bodies, sign-in callbacks, request paths.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "cd-idkey.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autofree char *canonical = NULL;
  g_autofree char *base = NULL;
  g_autofree char *redacted = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *user_key = NULL;
  gint64 server_time = -1;

  if (cd_idkey_parse_timestamp_error (text, &server_time))
    {
      gint64 skew = 0;

      g_assert_cmpint (server_time, >=, 0);
      /* Whatever the server claims, the skew never overflows (UBSan). */
      if (cd_idkey_skew_from_server_time (server_time, g_get_real_time () / G_USEC_PER_SEC, &skew))
        g_assert_cmpint (ABS (skew), <=, CD_IDKEY_MAX_SKEW);
    }

  if (cd_idkey_parse_callback (text, &user_id, &user_key, NULL))
    {
      g_assert_true (user_id != NULL && user_id[0] != '\0');
      g_assert_true (user_key != NULL && user_key[0] != '\0');
    }
  else
    g_assert_true (user_id == NULL && user_key == NULL);

  canonical = cd_idkey_canonical_path (text);
  g_assert_null (strpbrk (canonical, "?#"));
  base = cd_idkey_base_string ("get", text, 1700000000);
  g_assert_true (g_str_has_prefix (base, "GET&"));

  /* Whatever the text, no signature parameter's value survives redaction. */
  redacted = cd_idkey_redact (text);
  g_assert_null (strstr (redacted, "?x_c=SECRET"));
  g_assert_null (strstr (redacted, "&x_c=SECRET"));

  return 0;
}
