/* fuzz-multipart.c: the sandbox's streaming multipart/form-data reader,
 * fed in chunks of varying sizes, and its Content-Disposition parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "cd-sandbox-multipart.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CdSandboxMultipart) parser = NULL;
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autofree char *name = NULL;
  g_autofree char *filename = NULL;
  gsize chunk, offset;

  if (size == 0)
    return 0;

  /* The first byte picks the chunk size, so every split point gets tried. */
  chunk = 1 + data[0] % 64;
  parser = _cd_sandbox_multipart_new ("XyZzy", "file");
  for (offset = 1; offset < size; offset += chunk)
    _cd_sandbox_multipart_feed (parser, data + offset, MIN (chunk, size - offset));

  if (_cd_sandbox_multipart_finish (parser, NULL) && _cd_sandbox_multipart_found (parser))
    {
      gsize magic_len;

      g_assert_cmpint (_cd_sandbox_multipart_get_size (parser), >=, 0);
      g_assert_cmpint (_cd_sandbox_multipart_get_size (parser), <=, (goffset)size);
      g_assert_nonnull (_cd_sandbox_multipart_get_sha256 (parser));
      _cd_sandbox_multipart_get_magic (parser, &magic_len);
      g_assert_cmpuint (magic_len, <=, 4);
    }

  if (_cd_sandbox_parse_disposition (text, &name, &filename) && filename != NULL)
    g_assert_true (g_utf8_validate (filename, -1, NULL));

  return 0;
}
