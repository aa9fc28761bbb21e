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
 * pass 2 reads the manifest.  The file itself: cd-package-reader-zip.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>

#include "cd-package.h"
#include "cd-package-manifest.h"
#include "cd-package-manifest-private.h"
#include "cd-package-reader.h"
#include "cd-package-reader-private.h"

#define MANIFEST "imsmanifest.xml"

G_DEFINE_QUARK (cd-package-reader-error-quark, cd_package_reader_error)

typedef struct
{
  CdZipSource *source;         /* (owned) */
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
  g_clear_pointer (&reader->source, cd_zip_source_free);
  g_clear_pointer (&reader->entries, g_hash_table_unref);
  g_free (reader->manifest_path);
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
  const char *file = reader->source->display_name;

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
list_entries (Reader  *reader,
              GError **error)
{
  struct archive *archive;
  struct archive_entry *entry;
  gboolean ok = TRUE;
  int status;

  if (!(archive = cd_zip_source_open_archive (reader->source, error)))
    return FALSE;

  while ((status = archive_read_next_header (archive, &entry)) != ARCHIVE_EOF)
    {
      /* ARCHIVE_WARN: e.g. a name not in UTF-8; the entry is still usable. */
      if (status < ARCHIVE_WARN)
        {
          ok = cd_zip_source_failed (reader->source, archive, error);
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
                   reader->source->display_name, unpacked, packed);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
manifest_too_large (Reader  *reader,
                    GError **error)
{
  g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_MANIFEST_TOO_LARGE,
               _("The imsmanifest.xml of “%s” is larger than %u MiB."), reader->source->display_name,
               CD_PACKAGE_READER_MAX_MANIFEST / (1024 * 1024));
  return NULL;
}

/* Pass 2: the manifest only, and never more than the cap even if its
 * header lies about its size. */
static GBytes *
read_manifest (Reader  *reader,
               GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  struct archive *archive;
  struct archive_entry *entry = NULL;
  gint64 index = 0;
  int status;

  if (!(archive = cd_zip_source_open_archive (reader->source, error)))
    return NULL;

  while ((status = archive_read_next_header (archive, &entry)) >= ARCHIVE_WARN && index < reader->manifest_index)
    index++;
  if (status < ARCHIVE_WARN || index != reader->manifest_index)
    {
      cd_zip_source_failed (reader->source, archive, error);
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
      guint8 block[CD_ZIP_BLOCK_SIZE];
      la_ssize_t n = archive_read_data (archive, block, sizeof block);

      if (n == 0)
        break;
      if (n < 0)
        {
          cd_zip_source_failed (reader->source, archive, error);
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
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GBytes) manifest = NULL;
  Reader reader = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader.manifest_index = -1;
  reader.entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!(reader.source = cd_zip_source_open (path, cancellable, error)) ||
      !cd_zip_source_check_end (reader.source, error) ||
      !list_entries (&reader, error) ||
      !cd_zip_source_check_ratios (reader.source, error))
    goto out;

  preview = cd_package_preview_new ();
  if (reader.manifest_path != NULL)
    {
      g_autofree char *base = g_path_get_dirname (reader.manifest_path);
      g_autofree char *prefix = strcmp (base, ".") == 0 ? g_strdup ("") : g_strconcat (base, "/", NULL);
      gsize len;
      const char *data;

      if (!(manifest = read_manifest (&reader, error)))
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
