/* cd-package-zip.c: is it a whole zip archive?
 *
 * A zip is read from its end: the end-of-central-directory record says
 * where the table of contents (the central directory) is.  A file cut
 * short by a download or copy loses that record, or keeps one that points
 * past the data left; a file that only starts like a zip has none.  Both
 * are caught here, before an upload Brightspace would reject minutes later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-package-private.h"

/* The end-of-central-directory record is 22 bytes plus a comment of at most
 * 65535 bytes, so it always starts within this many bytes of the end. */
#define EOCD_MIN_SIZE      22
#define EOCD_SEARCH_SIZE   (EOCD_MIN_SIZE + 65535)
/* A ZIP64 archive has a locator of this size just before that record… */
#define ZIP64_LOCATOR_SIZE 20
/* …pointing to a ZIP64 end record of at least this size. */
#define ZIP64_EOCD_SIZE    56

/* Reads exactly @count bytes at @offset; a short read (the file shrank
 * since its size was taken) is G_IO_ERROR_PARTIAL_INPUT. */
static gboolean
read_at (GInputStream  *stream,
         goffset        offset,
         guint8        *buffer,
         gsize          count,
         GCancellable  *cancellable,
         GError       **error)
{
  gsize n_read = 0;

  if (!g_seekable_seek (G_SEEKABLE (stream), offset, G_SEEK_SET, cancellable, error) ||
      !g_input_stream_read_all (stream, buffer, count, &n_read, cancellable, error))
    return FALSE;

  if (n_read != count)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "short read");
      return FALSE;
    }

  return TRUE;
}

static guint16
le16 (const guint8 *p)
{
  return (guint16)(p[0] | p[1] << 8);
}

static guint32
le32 (const guint8 *p)
{
  return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint64
le64 (const guint8 *p)
{
  return (guint64)le32 (p) | (guint64)le32 (p + 4) << 32;
}

/* Where the central directory is, as an end record says. */
typedef struct
{
  guint64 entries;
  guint64 offset;
  guint64 size;
  guint64 limit;   /* it must end here, where the next record starts */
} CentralDirectory;

/* The ZIP64 end record, which the locator just before the end record
 * points to, holds the 64-bit values the end record had no room for. */
static gboolean
read_zip64_end (GInputStream      *stream,
                const guint8      *locator,
                goffset            locator_offset,
                CentralDirectory  *cd,
                GCancellable      *cancellable)
{
  static const guint8 locator_sig[4] = { 'P', 'K', 0x06, 0x07 };
  static const guint8 record_sig[4] = { 'P', 'K', 0x06, 0x06 };
  guint8 record[ZIP64_EOCD_SIZE];
  gsize n_read = 0;
  guint64 offset;

  if (memcmp (locator, locator_sig, 4) != 0)
    return FALSE;

  offset = le64 (locator + 8);
  if (offset > (guint64)locator_offset || (guint64)locator_offset - offset < ZIP64_EOCD_SIZE)
    return FALSE;

  if (!g_seekable_seek (G_SEEKABLE (stream), (goffset)offset, G_SEEK_SET, cancellable, NULL) ||
      !g_input_stream_read_all (stream, record, sizeof record, &n_read, cancellable, NULL) ||
      n_read != sizeof record || memcmp (record, record_sig, 4) != 0)
    return FALSE;

  /* Parts of a split archive cannot be imported on their own. */
  if (le32 (record + 16) != 0 || le32 (record + 20) != 0)
    return FALSE;

  cd->entries = le64 (record + 32);
  cd->size = le64 (record + 40);
  cd->offset = le64 (record + 48);
  cd->limit = offset;
  return TRUE;
}

/* Whether the end record at @eocd_offset (its bytes in @eocd) describes a
 * central directory that lies inside the file and starts with a central
 * file header.  A truncated download or copy loses the end record, or
 * leaves one pointing past the data that remains. */
static gboolean
central_directory_fits (GInputStream  *stream,
                        const guint8  *eocd,
                        goffset        eocd_offset,
                        const guint8  *locator,
                        GCancellable  *cancellable)
{
  static const guint8 central_sig[4] = { 'P', 'K', 0x01, 0x02 };
  CentralDirectory cd = { le16 (eocd + 10), le32 (eocd + 16), le32 (eocd + 12), eocd_offset };
  guint16 disk = le16 (eocd + 4);
  guint16 directory_disk = le16 (eocd + 6);
  guint8 head[4];
  gsize n_read = 0;
  gboolean saturated;

  /* ZIP64 writers may fill any of these fields with ones. */
  saturated = disk == 0xFFFF || directory_disk == 0xFFFF || cd.entries == 0xFFFF ||
              cd.offset == 0xFFFFFFFF || cd.size == 0xFFFFFFFF;

  /* Parts of a split archive cannot be imported on their own. */
  if (!saturated && (disk != 0 || directory_disk != 0))
    return FALSE;

  if (saturated)
    {
      if (locator == NULL ||
          !read_zip64_end (stream, locator, eocd_offset - ZIP64_LOCATOR_SIZE, &cd, cancellable))
        return FALSE;
    }

  if (cd.offset > cd.limit || cd.size > cd.limit - cd.offset)
    return FALSE;

  /* An empty archive: no entries, no directory. */
  if (cd.entries == 0)
    return cd.size == 0;

  if (cd.size < sizeof head)
    return FALSE;

  return g_seekable_seek (G_SEEKABLE (stream), (goffset)cd.offset, G_SEEK_SET, cancellable,
                          NULL) &&
         g_input_stream_read_all (stream, head, sizeof head, &n_read, cancellable, NULL) &&
         n_read == sizeof head && memcmp (head, central_sig, sizeof head) == 0;
}

/* Checks the structure a zip reader relies on, reading only the last
 * 64 KiB or so and a few records: never the whole file.  The last end
 * record whose comment fits and whose directory checks out wins (a
 * comment may itself contain the signature). */
gboolean
_cd_package_inspect_zip (GInputStream  *stream,
                         gint64         size,
                         CdZipVerdict  *verdict,
                         GCancellable  *cancellable,
                         GError       **error)
{
  static const guint8 local_header[4] = { 'P', 'K', 0x03, 0x04 };
  static const guint8 eocd_sig[4] = { 'P', 'K', 0x05, 0x06 };
  g_autofree guint8 *tail = NULL;
  goffset tail_start;
  gsize tail_len;
  gboolean zip_like = FALSE;
  guint8 head[4];

  *verdict = CD_ZIP_NOT_ZIP;

  if (size >= (gint64)sizeof head)
    {
      if (!read_at (stream, 0, head, sizeof head, cancellable, error))
        return FALSE;
      zip_like = memcmp (head, local_header, sizeof head) == 0;
    }

  if (size >= EOCD_MIN_SIZE)
    {
      tail_len = (gsize)MIN (size, EOCD_SEARCH_SIZE + ZIP64_LOCATOR_SIZE);
      tail_start = size - (goffset)tail_len;
      tail = g_malloc (tail_len);
      if (!read_at (stream, tail_start, tail, tail_len, cancellable, error))
        return FALSE;

      for (gsize i = tail_len - EOCD_MIN_SIZE + 1; i > 0; i--)
        {
          const guint8 *eocd = tail + i - 1;
          goffset eocd_offset = tail_start + (goffset)(i - 1);

          if (memcmp (eocd, eocd_sig, sizeof eocd_sig) != 0)
            continue;

          zip_like = TRUE;
          if (eocd_offset + EOCD_MIN_SIZE + le16 (eocd + 20) > size)
            continue;
          if (central_directory_fits (stream, eocd, eocd_offset,
                                      i - 1 >= ZIP64_LOCATOR_SIZE ? eocd - ZIP64_LOCATOR_SIZE
                                                                  : NULL,
                                      cancellable))
            {
              *verdict = CD_ZIP_VALID;
              return TRUE;
            }
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
    }

  *verdict = zip_like ? CD_ZIP_DAMAGED : CD_ZIP_NOT_ZIP;
  return TRUE;
}
