/* cd-package-reader.c: read a course package's manifest and file list,
 * safely, straight from the zip, before any upload
 *
 * Nothing is extracted to disk and only imsmanifest.xml is decompressed,
 * with a size cap, so a zip bomb costs a read of its central directory.
 * libarchive's seekable zip reader takes the central directory (what
 * unzip tools and Brightspace trust), not a stream of local headers, so
 * entries with data descriptors need no decompression to be skipped.
 *
 * Pass 1 lists every entry and refuses unsafe ones; only when all pass,
 * pass 2 reads the manifest.  Before libarchive sees the file the
 * end-of-central-directory records are read here, because libarchive
 * allocates a record per entry the directory claims.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cd-package.h"
#include "cd-package-manifest.h"
#include "cd-package-manifest-private.h"
#include "cd-package-reader.h"

#define BLOCK_SIZE   (64 * 1024)
#define EOCD_SIZE    22
#define EOCD_SEARCH  (EOCD_SIZE + 65535)
#define MANIFEST     "imsmanifest.xml"

G_DEFINE_QUARK (cd-package-reader-error-quark, cd_package_reader_error)

/* libarchive's input: the one file descriptor, read with pread() so both
 * passes see the same file, with cancellation checked on every block. */
typedef struct
{
  int           fd;
  gint64        size;
  gint64        offset;
  GCancellable *cancellable;  /* (unowned) (nullable) */
  guint8        buffer[BLOCK_SIZE];
} Source;

typedef struct
{
  Source      *source;         /* (owned) */
  const char  *display_name;
  GHashTable  *entries;        /* (owned) entry names */
  guint        count;
  guint64      uncompressed;
  gsize        name_bytes;
  gint64       manifest_index; /* -1: none */
  char        *manifest_path;  /* (owned) (nullable) */
  guint        manifest_depth;
  guint        symlinks;
} Reader;

static void
reader_free (Reader *reader)
{
  if (reader->source != NULL && reader->source->fd >= 0)
    g_close (reader->source->fd, NULL);
  g_free (reader->source);
  g_clear_pointer (&reader->entries, g_hash_table_unref);
  g_free (reader->manifest_path);
}

static la_ssize_t
source_read (struct archive  *archive,
             void            *data,
             const void     **buffer)
{
  Source *source = data;
  ssize_t n;

  if (g_cancellable_is_cancelled (source->cancellable))
    {
      archive_set_error (archive, ECANCELED, "cancelled");
      return -1;
    }
  do
    n = pread (source->fd, source->buffer, BLOCK_SIZE, source->offset);
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
  Source *source = data;
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
  Source *source = data;
  gint64 step = MIN (request, MAX (source->size - source->offset, 0));

  source->offset += step;
  return step;
}

static struct archive *
open_archive (Reader  *reader,
              GError **error)
{
  struct archive *archive;

  if (g_cancellable_set_error_if_cancelled (reader->source->cancellable, error))
    return NULL;
  archive = archive_read_new ();
  reader->source->offset = 0;
  archive_read_support_format_zip_seekable (archive);
  archive_read_set_callback_data (archive, reader->source);
  archive_read_set_read_callback (archive, source_read);
  archive_read_set_seek_callback (archive, source_seek);
  archive_read_set_skip_callback (archive, source_skip);
  if (archive_read_open1 (archive) != ARCHIVE_OK)
    {
      if (!g_cancellable_set_error_if_cancelled (reader->source->cancellable, error))
        g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_DAMAGED,
                     _("“%s” is a damaged zip file (%s)."), reader->display_name,
                     archive_error_string (archive));
      archive_read_free (archive);
      return NULL;
    }
  return archive;
}

static gboolean
archive_failed (Reader          *reader,
                struct archive  *archive,
                GCancellable    *cancellable,
                GError         **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_DAMAGED,
               _("“%s” is a damaged or truncated zip file (%s)."), reader->display_name,
               archive_error_string (archive) != NULL ? archive_error_string (archive) : "?");
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

/* The number of entries the zip's directory claims: the largest any
 * end-of-central-directory record in the tail declares (zip64 too). */
static gboolean
check_directory (Reader  *reader,
                 GError **error)
{
  Source *source = reader->source;
  gsize tail_size = (gsize)MIN (source->size, EOCD_SEARCH);
  g_autofree guint8 *tail = g_malloc (tail_size);
  guint8 head[4] = { 0 };
  guint64 entries = 0;
  gboolean found = FALSE;

  if (!read_exactly (source->fd, tail, tail_size, source->size - (gint64)tail_size))
    {
      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_UNREADABLE,
                   _("Could not read “%s”."), reader->display_name);
      return FALSE;
    }

  for (gsize i = tail_size >= EOCD_SIZE ? tail_size - EOCD_SIZE + 1 : 0; i-- > 0;)
    {
      guint8 *p = tail + i;

      if (memcmp (p, "PK\5\6", 4) != 0)
        continue;
      found = TRUE;
      entries = MAX (entries, (guint64)(p[10] | p[11] << 8));
      /* A zip64 locator right before it points at the zip64 record. */
      if (i >= 20 && memcmp (p - 20, "PK\6\7", 4) == 0)
        {
          guint64 offset = 0;
          guint8 record[56];

          for (int k = 7; k >= 0; k--)
            offset = offset << 8 | p[-20 + 8 + k];
          if (offset < (guint64)source->size &&
              read_exactly (source->fd, record, sizeof record, (gint64)offset) &&
              memcmp (record, "PK\6\6", 4) == 0)
            {
              guint64 total = 0;

              for (int k = 7; k >= 0; k--)
                total = total << 8 | record[32 + k];
              entries = MAX (entries, total);
            }
          else
            entries = G_MAXUINT64;  /* a zip64 directory we cannot check */
        }
    }

  if (!found)
    {
      gboolean zip_start = read_exactly (source->fd, head, 4, 0) && memcmp (head, "PK\3\4", 4) == 0;

      if (zip_start)
        g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_DAMAGED,
                     _("“%s” is truncated: the end of the zip file, with its list of files, is missing."),
                     reader->display_name);
      else
        g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_NOT_ZIP,
                     _("“%s” is not a zip file."), reader->display_name);
      return FALSE;
    }
  if (entries > CD_PACKAGE_READER_MAX_ENTRIES)
    {
      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_TOO_MANY_ENTRIES,
                   _("“%s” claims more than %u files; Coursedrop refuses packages that large."),
                   reader->display_name, (guint)CD_PACKAGE_READER_MAX_ENTRIES);
      return FALSE;
    }
  return TRUE;
}

/* Absolute ("/etc/x", "\\x", "C:x") or escaping ("a/../../x") names:
 * whoever extracts the zip might write outside its folder. */
static gboolean
is_unsafe_path (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name[0] == '/' || name[0] == '\\' || (g_ascii_isalpha (name[0]) && name[1] == ':'))
    return TRUE;
  parts = g_strsplit_set (name, "/\\", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], "..") == 0)
      return TRUE;
  return FALSE;
}

static char *
entry_name (struct archive_entry *entry)
{
  const char *name = archive_entry_pathname_utf8 (entry);

  if (name == NULL)
    name = archive_entry_pathname (entry);
  return g_utf8_make_valid (name != NULL ? name : "", -1);
}

static gboolean refuse_entry (GError     **error,
                              int          code,
                              const char  *format,
                              ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse_entry (GError     **error,
              int          code,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CD_PACKAGE_READER_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

static void
note_manifest (Reader     *reader,
               const char *name)
{
  const char *slash = strrchr (name, '/');
  guint depth = 0;

  if (strcmp (slash != NULL ? slash + 1 : name, MANIFEST) != 0)
    return;
  for (const char *p = name; *p != '\0'; p++)
    depth += *p == '/';
  if (reader->manifest_path == NULL || depth < reader->manifest_depth)
    {
      g_free (reader->manifest_path);
      reader->manifest_path = g_strdup (name);
      reader->manifest_depth = depth;
      reader->manifest_index = reader->count - 1;
    }
}

/* Pass 1: the checks every entry must pass. */
static gboolean
check_entry (Reader               *reader,
             struct archive_entry *entry,
             GError              **error)
{
  g_autofree char *name = entry_name (entry);

  g_autofree char *shown = cd_package_printable (name, 120);
  const char *file = reader->display_name;

  if (is_unsafe_path (name))
    return refuse_entry (error, CD_PACKAGE_READER_ERROR_UNSAFE_PATH,
                         _("“%s” contains a file named “%s”, which would be written outside the package’s folder."),
                         file, shown);
  if (archive_entry_is_encrypted (entry))
    return refuse_entry (error, CD_PACKAGE_READER_ERROR_ENCRYPTED,
                         _("“%s” contains an encrypted file (“%s”); Brightspace cannot read encrypted packages."),
                         file, shown);

  if (++reader->count > CD_PACKAGE_READER_MAX_ENTRIES)
    return refuse_entry (error, CD_PACKAGE_READER_ERROR_TOO_MANY_ENTRIES,
                         _("“%s” has more than %u files."), file, (guint)CD_PACKAGE_READER_MAX_ENTRIES);
  reader->name_bytes += strlen (name) + 1;
  if (reader->name_bytes > CD_PACKAGE_READER_MAX_NAME_BYTES)
    return refuse_entry (error, CD_PACKAGE_READER_ERROR_TOO_MANY_ENTRIES,
                         _("“%s” has too many or too long file names."), file);

  if (archive_entry_size_is_set (entry) && archive_entry_size (entry) > 0)
    reader->uncompressed += (guint64)archive_entry_size (entry);
  if (reader->uncompressed > CD_PACKAGE_READER_MAX_UNCOMPRESSED)
    return refuse_entry (error, CD_PACKAGE_READER_ERROR_TOO_LARGE,
                         _("“%s” would unpack to more than 16 GiB (at “%s”); Coursedrop refuses it as a likely zip bomb."),
                         file, shown);

  if (archive_entry_filetype (entry) == AE_IFLNK)
    reader->symlinks++;

  /* Two entries of one name: unzip tools keep one or the other, so what
   * we preview might not be what Brightspace reads. */
  if (g_hash_table_contains (reader->entries, name) && !g_str_has_suffix (name, "/"))
    return refuse_entry (error, CD_PACKAGE_READER_ERROR_DAMAGED,
                         _("“%s” contains two files named “%s”."), file, shown);

  note_manifest (reader, name);
  g_hash_table_add (reader->entries, g_steal_pointer (&name));
  return TRUE;
}

static gboolean
list_entries (Reader        *reader,
              GCancellable  *cancellable,
              GError       **error)
{
  struct archive *archive;
  struct archive_entry *entry;
  gboolean ok = TRUE;
  int status;

  if (!(archive = open_archive (reader, error)))
    return FALSE;

  while ((status = archive_read_next_header (archive, &entry)) != ARCHIVE_EOF)
    {
      /* ARCHIVE_WARN: e.g. a name not in UTF-8; the entry is still usable. */
      if (status < ARCHIVE_WARN)
        {
          ok = archive_failed (reader, archive, cancellable, error);
          break;
        }
      if (!check_entry (reader, entry, error))
        {
          ok = FALSE;
          break;
        }
    }
  archive_read_free (archive);
  if (!ok)
    return FALSE;

  if (reader->uncompressed > CD_PACKAGE_READER_RATIO_FLOOR &&
      reader->uncompressed / (guint64)MAX (reader->source->size, 1) > CD_PACKAGE_READER_MAX_RATIO)
    {
      g_autofree char *unpacked = g_format_size (reader->uncompressed);
      g_autofree char *packed = g_format_size ((guint64)reader->source->size);

      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_COMPRESSION_RATIO,
                   _("“%s” would unpack to %s from %s; Coursedrop refuses it as a likely zip bomb."),
                   reader->display_name, unpacked, packed);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
manifest_too_large (Reader  *reader,
                    GError **error)
{
  g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_MANIFEST_TOO_LARGE,
               _("The imsmanifest.xml of “%s” is larger than %u MiB."), reader->display_name,
               CD_PACKAGE_READER_MAX_MANIFEST / (1024 * 1024));
  return NULL;
}

/* Pass 2: the manifest only, and never more than the cap even if its
 * header lies about its size. */
static GBytes *
read_manifest (Reader        *reader,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  struct archive *archive;
  struct archive_entry *entry = NULL;
  gint64 index = 0;
  int status;

  if (!(archive = open_archive (reader, error)))
    return NULL;

  while ((status = archive_read_next_header (archive, &entry)) >= ARCHIVE_WARN && index < reader->manifest_index)
    index++;
  if (status < ARCHIVE_WARN || index != reader->manifest_index)
    {
      archive_failed (reader, archive, cancellable, error);
      archive_read_free (archive);
      return NULL;
    }
  if (archive_entry_size_is_set (entry) && archive_entry_size (entry) > CD_PACKAGE_READER_MAX_MANIFEST)
    {
      archive_read_free (archive);
      return manifest_too_large (reader, error);
    }

  for (;;)
    {
      guint8 block[BLOCK_SIZE];
      la_ssize_t n = archive_read_data (archive, block, sizeof block);

      if (n == 0)
        break;
      if (n < 0)
        {
          archive_failed (reader, archive, cancellable, error);
          archive_read_free (archive);
          return NULL;
        }
      if (data->len + (gsize)n > CD_PACKAGE_READER_MAX_MANIFEST)
        {
          archive_read_free (archive);
          return manifest_too_large (reader, error);
        }
      g_byte_array_append (data, block, (guint)n);
    }

  archive_read_free (archive);
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static gboolean
open_source (Reader      *reader,
             const char  *path,
             GError     **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved_errno = errno;

  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      if (fd >= 0)
        {
          saved_errno = S_ISREG (st.st_mode) ? errno : EISDIR;
          g_close (fd, NULL);
        }
      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_UNREADABLE,
                   _("Could not open “%s”: %s."), reader->display_name, g_strerror (saved_errno));
      return FALSE;
    }
  reader->source = g_new0 (Source, 1);
  reader->source->fd = fd;
  reader->source->size = st.st_size;
  return TRUE;
}

static void
describe_archive (Reader           *reader,
                  CdPackagePreview *preview)
{
  cd_package_preview_set_archive (preview, reader->count, reader->uncompressed,
                                  (guint64)reader->source->size);

  if (reader->manifest_path == NULL)
    {
      GHashTableIter iter;
      gpointer name;

      /* No manifest: all we can tell is how many files there are. */
      g_hash_table_iter_init (&iter, reader->entries);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        if (!g_str_has_suffix (name, "/"))
          cd_package_preview_add_count (preview, CD_PACKAGE_ITEM_FILE);
      cd_package_preview_add_warning (preview, _("The package has no imsmanifest.xml at its top level, so Brightspace will probably not recognise it as a course package."));
    }
  else if (reader->manifest_depth > 0)
    {
      g_autofree char *shown = cd_package_printable (reader->manifest_path, 120);

      cd_package_preview_add_warning (preview, _("The manifest is in a folder (“%s”), not at the top of the package; Brightspace may not find it."),
                                      shown);
    }

  if (reader->symlinks > 0)
    cd_package_preview_add_warning (preview,
                                    g_dngettext (GETTEXT_PACKAGE,
                                                 "The package contains %u symbolic link; Brightspace will probably skip it.",
                                                 "The package contains %u symbolic links; Brightspace will probably skip them.",
                                                 reader->symlinks),
                                    reader->symlinks);

  if (reader->source->size > CD_PACKAGE_DEFAULT_SIZE_LIMIT)
    {
      g_autofree char *size = g_format_size ((guint64)reader->source->size);

      cd_package_preview_add_warning (preview, _("The package is %s; Brightspace imports over 2 GiB are known to fail."),
                                      size);
    }
}

CdPackagePreview *
cd_package_reader_read (const char    *path,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *display_name = NULL;
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GBytes) manifest = NULL;
  Reader reader = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_filename_display_basename (path);
  reader.display_name = display_name;
  reader.manifest_index = -1;
  reader.entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!open_source (&reader, path, error))
    goto out;
  reader.source->cancellable = cancellable;
  if (!check_directory (&reader, error) || !list_entries (&reader, cancellable, error))
    goto out;

  preview = cd_package_preview_new ();
  if (reader.manifest_path != NULL)
    {
      g_autofree char *base = g_path_get_dirname (reader.manifest_path);
      g_autofree char *prefix = strcmp (base, ".") == 0 ? g_strdup ("") : g_strconcat (base, "/", NULL);
      gsize len;
      const char *data;

      if (!(manifest = read_manifest (&reader, cancellable, error)))
        goto out;
      data = g_bytes_get_data (manifest, &len);
      if (!cd_package_manifest_parse (data, len, prefix, reader.entries, preview, error))
        goto out;
    }
  describe_archive (&reader, preview);
  ok = TRUE;

out:
  reader_free (&reader);
  return ok ? g_steal_pointer (&preview) : NULL;
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  CdPackagePreview *preview = cd_package_reader_read (task_data, cancellable, &error);

  if (preview != NULL)
    g_task_return_pointer (task, preview, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
cd_package_reader_read_async (const char          *path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_package_reader_read_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, read_thread);
}

CdPackagePreview *
cd_package_reader_read_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_package_reader_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
