/* cd-package-reader-zip.c: the zip file under the package reader
 *
 * libarchive reads the central directory (the seekable zip reader) from
 * callbacks on our own file descriptor.  Before libarchive sees the file,
 * the end-of-central-directory records are read here: libarchive allocates
 * a record for every entry the directory claims, so a claim of millions
 * must be refused first.  The directory is walked here once more for each
 * entry's compressed size, which libarchive does not tell: a bomb hidden
 * among large files does not show in the archive's overall ratio.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cd-package-manifest-private.h"
#include "cd-package-reader.h"
#include "cd-package-reader-private.h"

#define EOCD_SIZE   22
#define EOCD_SEARCH (EOCD_SIZE + 65535)  /* the record plus the longest comment */

CdZipSource *
cd_zip_source_open (const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *display_name = g_filename_display_basename (path);
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved_errno = errno;
  CdZipSource *source;

  if (fd >= 0)
    {
      saved_errno = fstat (fd, &st) != 0 ? errno : !S_ISREG (st.st_mode) ? EISDIR : 0;
      if (saved_errno != 0)
        {
          g_close (fd, NULL);
          fd = -1;
        }
    }
  if (fd < 0)
    {
      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_UNREADABLE,
                   _("Could not open “%s”: %s."), display_name, g_strerror (saved_errno));
      return NULL;
    }

  source = g_new0 (CdZipSource, 1);
  source->fd = fd;
  source->size = st.st_size;
  source->display_name = g_steal_pointer (&display_name);
  source->cancellable = cancellable;
  return source;
}

void
cd_zip_source_free (CdZipSource *source)
{
  if (source == NULL)
    return;
  if (source->fd >= 0)
    g_close (source->fd, NULL);
  g_free (source->display_name);
  g_free (source);
}

static la_ssize_t
source_read (struct archive  *archive,
             void            *data,
             const void     **buffer)
{
  CdZipSource *source = data;
  ssize_t n;

  if (g_cancellable_is_cancelled (source->cancellable))
    {
      archive_set_error (archive, ECANCELED, "cancelled");
      return -1;
    }
  do
    n = pread (source->fd, source->buffer, CD_ZIP_BLOCK_SIZE, source->offset);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      archive_set_error (archive, errno, "%s", g_strerror (errno));
      return -1;
    }
  source->offset += n;
  *buffer = source->buffer;
  return n;
}

static la_int64_t
source_seek (struct archive *archive,
             void           *data,
             la_int64_t      offset,
             int             whence)
{
  CdZipSource *source = data;
  gint64 target;

  switch (whence)
    {
    case SEEK_SET: target = offset; break;
    case SEEK_CUR: target = source->offset + offset; break;
    case SEEK_END: target = source->size + offset; break;
    default: return ARCHIVE_FATAL;
    }
  if (target < 0)
    return ARCHIVE_FATAL;
  source->offset = target;
  return target;
}

static la_int64_t
source_skip (struct archive *archive,
             void           *data,
             la_int64_t      request)
{
  CdZipSource *source = data;
  gint64 step = MIN (request, MAX (source->size - source->offset, 0));

  source->offset += step;
  return step;
}

struct archive *
cd_zip_source_open_archive (CdZipSource  *source,
                            GError      **error)
{
  struct archive *archive;

  if (g_cancellable_set_error_if_cancelled (source->cancellable, error))
    return NULL;
  archive = archive_read_new ();
  source->offset = 0;
  /* Zip only, and the central directory rather than a stream of local
   * headers: entries with data descriptors are skipped, not inflated. */
  archive_read_support_format_zip_seekable (archive);
  archive_read_set_callback_data (archive, source);
  archive_read_set_read_callback (archive, source_read);
  archive_read_set_seek_callback (archive, source_seek);
  archive_read_set_skip_callback (archive, source_skip);
  if (archive_read_open1 (archive) != ARCHIVE_OK)
    {
      cd_zip_source_failed (source, archive, error);
      archive_read_free (archive);
      return NULL;
    }
  return archive;
}

gboolean
cd_zip_source_failed (CdZipSource     *source,
                      struct archive  *archive,
                      GError         **error)
{
  const char *reason = archive_error_string (archive);

  if (g_cancellable_set_error_if_cancelled (source->cancellable, error))
    return FALSE;
  g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_DAMAGED,
               _("“%s” is a damaged or truncated zip file (%s)."), source->display_name,
               reason != NULL ? reason : "?");
  return FALSE;
}

static gboolean
read_exactly (int      fd,
              void    *buffer,
              gsize    size,
              gint64   offset)
{
  ssize_t n;

  do
    n = pread (fd, buffer, size, offset);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)size;
}

static guint64
le64 (const guint8 *p)
{
  guint64 value = 0;

  for (int k = 7; k >= 0; k--)
    value = value << 8 | p[k];
  return value;
}

/* What the zip64 record a locator at @locator points to claims; the
 * maximum when it cannot be read, so that the zip is refused. */
static guint64
zip64_entries (CdZipSource  *source,
               const guint8 *locator)
{
  guint64 offset = le64 (locator + 8);
  guint8 record[56];

  if (offset < (guint64)source->size &&
      read_exactly (source->fd, record, sizeof record, (gint64)offset) &&
      memcmp (record, "PK\6\6", 4) == 0)
    return le64 (record + 32);
  return G_MAXUINT64;
}

static guint32
le32 (const guint8 *p)
{
  return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint16
le16 (const guint8 *p)
{
  return (guint16)(p[0] | p[1] << 8);
}

/* The directory the end record at @eocd (and its zip64 @locator) names. */
static void
note_directory (CdZipSource  *source,
                const guint8 *eocd,
                const guint8 *locator,
                gint64        eocd_offset)
{
  guint8 record[56];

  source->dir_entries = le16 (eocd + 10);
  source->dir_size = le32 (eocd + 12);
  source->dir_offset = le32 (eocd + 16);
  source->eocd_offset = (guint64)eocd_offset;
  if (locator != NULL && memcmp (locator, "PK\6\7", 4) == 0 &&
      le64 (locator + 8) < (guint64)source->size &&
      read_exactly (source->fd, record, sizeof record, (gint64)le64 (locator + 8)) &&
      memcmp (record, "PK\6\6", 4) == 0)
    {
      source->dir_entries = le64 (record + 32);
      source->dir_size = le64 (record + 40);
      source->dir_offset = le64 (record + 48);
      source->eocd_offset = le64 (locator + 8);
    }
}

/* The number of entries the directory claims: the largest any record in
 * the tail declares, whichever of them libarchive settles on. */
gboolean
cd_zip_source_check_end (CdZipSource  *source,
                         GError      **error)
{
  gsize tail_size = (gsize)MIN (source->size, EOCD_SEARCH);
  g_autofree guint8 *tail = g_malloc (MAX (tail_size, 1));
  guint8 head[4] = { 0 };
  guint64 entries = 0;
  gboolean found = FALSE;

  if (!read_exactly (source->fd, tail, tail_size, source->size - (gint64)tail_size))
    {
      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_UNREADABLE,
                   _("Could not read “%s”."), source->display_name);
      return FALSE;
    }

  for (gsize i = tail_size >= EOCD_SIZE ? tail_size - EOCD_SIZE + 1 : 0; i-- > 0;)
    {
      const guint8 *p = tail + i;

      if (memcmp (p, "PK\5\6", 4) != 0)
        continue;
      if (!found)
        note_directory (source, p, i >= 20 ? p - 20 : NULL,
                        source->size - (gint64)tail_size + (gint64)i);
      found = TRUE;
      entries = MAX (entries, (guint64)(p[10] | p[11] << 8));
      if (i >= 20 && memcmp (p - 20, "PK\6\7", 4) == 0)
        entries = MAX (entries, zip64_entries (source, p - 20));
    }

  if (!found)
    {
      if (read_exactly (source->fd, head, 4, 0) && memcmp (head, "PK\3\4", 4) == 0)
        g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_DAMAGED,
                     _("“%s” is truncated: the end of the zip file, with its list of files, is missing."),
                     source->display_name);
      else
        g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_NOT_ZIP,
                     _("“%s” is not a zip file."), source->display_name);
      return FALSE;
    }
  if (entries > CD_PACKAGE_READER_MAX_ENTRIES)
    {
      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_TOO_MANY_ENTRIES,
                   _("“%s” claims more than %u files; Coursedrop refuses packages that large."),
                   source->display_name, (guint)CD_PACKAGE_READER_MAX_ENTRIES);
      return FALSE;
    }
  return TRUE;
}

/* A window on the file, so that walking the directory takes one read per
 * 256 KiB rather than one per entry; a header with its name, extra field
 * and comment is at most 46 + 3 × 65535 bytes. */
#define WINDOW_SIZE (256 * 1024)

typedef struct
{
  CdZipSource *source;
  guint8      *data;
  guint64      start;
  gsize        len;
} Window;

static const guint8 *
window_get (Window  *window,
            guint64  offset,
            gsize    len)
{
  ssize_t n;

  /* Written so that no sum can wrap around, whatever the offsets claim. */
  if (offset >= window->start && offset - window->start <= window->len &&
      len <= window->len - (offset - window->start))
    return window->data + (offset - window->start);
  if (len > WINDOW_SIZE || offset >= (guint64)window->source->size)
    return NULL;
  do
    n = pread (window->source->fd, window->data, WINDOW_SIZE, (gint64)offset);
  while (n < 0 && errno == EINTR);
  window->start = offset;
  window->len = n > 0 ? (gsize)n : 0;
  return len <= window->len ? window->data : NULL;
}

/* The zip64 extra field holds the 64-bit sizes of those fields that
 * are 0xFFFFFFFF, in this order: uncompressed, compressed. */
static void
zip64_sizes (const guint8 *extra,
             gsize         len,
             guint64      *uncompressed,
             guint64      *compressed)
{
  while (len >= 4)
    {
      guint16 id = le16 (extra);
      gsize size = MIN (le16 (extra + 2), len - 4);
      const guint8 *field = extra + 4;

      if (id == 0x0001)
        {
          if (*uncompressed == G_MAXUINT32 && size >= 8)
            {
              *uncompressed = le64 (field);
              field += 8;
              size -= 8;
            }
          if (*compressed == G_MAXUINT32 && size >= 8)
            *compressed = le64 (field);
          return;
        }
      extra += 4 + size;
      len -= 4 + size;
    }
}

/* Where libarchive would find the directory: as the end record says, or
 * right before it when something was prepended (a self-extractor). */
static guint64
directory_start (CdZipSource *source,
                 Window      *window)
{
  const guint8 *p = window_get (window, source->dir_offset, 4);

  if (p != NULL && memcmp (p, "PK\1\2", 4) == 0)
    return source->dir_offset;
  if (source->eocd_offset >= source->dir_size)
    {
      guint64 start = source->eocd_offset - source->dir_size;

      p = window_get (window, start, 4);
      if (p != NULL && memcmp (p, "PK\1\2", 4) == 0)
        return start;
    }
  return G_MAXUINT64;
}

gboolean
cd_zip_source_check_ratios (CdZipSource  *source,
                            GError      **error)
{
  g_autofree guint8 *data = g_malloc (WINDOW_SIZE);
  Window window = { source, data, 0, 0 };
  guint64 offset = source->dir_size > 0 ? directory_start (source, &window) : G_MAXUINT64;

  /* No directory where the end record says: libarchive will refuse it. */
  if (offset == G_MAXUINT64)
    return TRUE;

  for (guint64 i = 0; i < source->dir_entries; i++)
    {
      const guint8 *header = window_get (&window, offset, 46);
      guint64 compressed, uncompressed;
      gsize name_len, extra_len, total;

      if (header == NULL || memcmp (header, "PK\1\2", 4) != 0)
        break;
      compressed = le32 (header + 20);
      uncompressed = le32 (header + 24);
      name_len = le16 (header + 28);
      extra_len = le16 (header + 30);
      total = 46 + name_len + extra_len + le16 (header + 32);
      if (!(header = window_get (&window, offset, total)))
        break;
      zip64_sizes (header + 46 + name_len, extra_len, &uncompressed, &compressed);

      if (uncompressed > CD_PACKAGE_READER_RATIO_FLOOR &&
          uncompressed / MAX (compressed, 1) > CD_PACKAGE_READER_MAX_RATIO)
        {
          g_autofree char *raw = g_strndup ((const char *)header + 46, name_len);
          g_autofree char *name = cd_package_printable (raw, 120);
          g_autofree char *unpacked = g_format_size (uncompressed);
          g_autofree char *packed = g_format_size (compressed);

          g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_COMPRESSION_RATIO,
                       _("“%s” contains “%s”, which would unpack to %s from %s; Coursedrop refuses it as a likely zip bomb."),
                       source->display_name, name, unpacked, packed);
          return FALSE;
        }
      offset += total;
    }
  return TRUE;
}
