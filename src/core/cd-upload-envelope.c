/* cd-upload-envelope.c: the multipart/form-data around a package
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <gnutls/crypto.h>

#include "cd-upload-private.h"

/**
 * cd_upload_quote_filename:
 *
 * Brightspace is an ASP.NET service whose handling of RFC 5987's
 * filename*= is unknown, so we write the name the way browsers and Python's
 * requests (which D2L's sample uses) do.
 *
 * Returns: (transfer full): the quoted-string contents for filename="…"
 */
char *
cd_upload_quote_filename (const char *filename)
{
  GString *out = g_string_sized_new (strlen (filename) + 8);

  for (const char *p = filename; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "%22");
          break;
        case '\r':
          g_string_append (out, "%0D");
          break;
        case '\n':
          g_string_append (out, "%0A");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

/* A boundary that cannot be guessed, so no package content can end the
 * part early by accident or design. */
static char *
make_boundary (void)
{
  guint8 random[16];
  GString *boundary = g_string_new ("----CoursedropBoundary");

  if (gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random) != 0)
    {
      for (guint i = 0; i < sizeof random; i++)
        random[i] = (guint8)g_random_int_range (0, 256);
    }

  for (guint i = 0; i < sizeof random; i++)
    g_string_append_printf (boundary, "%02x", random[i]);

  return g_string_free (boundary, FALSE);
}

void
_cd_upload_build_envelope (const char  *filename,
                           GBytes     **preamble,
                           GBytes     **epilogue,
                           char       **content_type)
{
  g_autofree char *boundary = make_boundary ();
  g_autofree char *quoted = cd_upload_quote_filename (filename);
  char *head;
  char *tail;

  head = g_strdup_printf ("--%s\r\n"
                          "Content-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                          "Content-Type: application/zip\r\n"
                          "\r\n",
                          boundary, quoted);
  tail = g_strdup_printf ("\r\n--%s--\r\n", boundary);

  *preamble = g_bytes_new_take (head, strlen (head));
  *epilogue = g_bytes_new_take (tail, strlen (tail));
  *content_type = g_strdup_printf ("multipart/form-data; boundary=%s", boundary);
}
