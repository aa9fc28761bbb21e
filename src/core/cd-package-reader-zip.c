/* cd-package-reader-zip.c: the zip file under the package reader
 *
 * libarchive reads the central directory (the seekable zip reader) from
 * callbacks on our own file descriptor.  Before libarchive sees the file,
 * the end-of-central-directory records are read here: libarchive allocates
 * a record for every entry the directory claims, so a claim of millions
 * must be refused first.
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
