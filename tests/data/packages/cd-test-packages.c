/* cd-test-packages.c: course package fixtures, zipped at test time
 *
 * The well-formed fixtures are plain folders next to this file, zipped with
 * libarchive's writer, so no opaque binary is checked in.  The hostile
 * ones are built here: with libarchive where it writes what we need, and
 * by hand where no sane writer would (encryption flags, lying sizes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cd-test-packages.h"

typedef struct
{
  const char *name;
  const char *data;
  guint32     len;
} Extra;

static void
add_entry (struct archive *archive,
           const char     *name,
           const void     *data,
           gsize           len)
{
  struct archive_entry *entry = archive_entry_new ();

  archive_entry_set_pathname (entry, name);
  archive_entry_set_size (entry, (la_int64_t)len);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_mtime (entry, g_get_real_time () / G_USEC_PER_SEC, 0);
  g_assert_cmpint (archive_write_header (archive, entry), ==, ARCHIVE_OK);
  if (len > 0)
    g_assert_cmpint (archive_write_data (archive, data, len), ==, (la_ssize_t)len);
  archive_entry_free (entry);
}

static void
collect_files (GFile     *root,
               GFile     *dir,
               GPtrArray *names)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);
  g_assert_no_error (error);
  while ((info = g_file_enumerator_next_file (children, NULL, &error)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        collect_files (root, child, names);
      else
        g_ptr_array_add (names, g_file_get_relative_path (root, child));
      g_object_unref (info);
    }
  g_assert_no_error (error);
}

/* Manifest first, like real exporters; the rest sorted, so the zip is the
 * same every run. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  const char *x = *(const char * const *)a;
  const char *y = *(const char * const *)b;
  gboolean mx = g_str_has_suffix (x, "imsmanifest.xml");
  gboolean my = g_str_has_suffix (y, "imsmanifest.xml");

  if (mx != my)
    return mx ? -1 : 1;
  return strcmp (x, y);
}

static struct archive *
writer_new (const char *path)
{
  struct archive *archive = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (archive), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_zip_set_compression_deflate (archive), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (archive, path), ==, ARCHIVE_OK);
  return archive;
}

static void
writer_close (struct archive *archive)
{
  g_assert_cmpint (archive_write_close (archive), ==, ARCHIVE_OK);
  archive_write_free (archive);
}

/* The folder @folder of tests/data/packages, plus @extras. */
static void
zip_folder (const char  *path,
            const char  *folder,
            const Extra *extras,
            guint        n_extras)
{
  g_autofree char *source = g_build_filename (g_getenv ("CD_TEST_DATA"), "packages", folder, NULL);
  g_autoptr(GFile) root = g_file_new_for_path (source);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct archive *archive;

  g_assert_nonnull (g_getenv ("CD_TEST_DATA"));
  collect_files (root, root, names);
  g_ptr_array_sort (names, compare_names);

  archive = writer_new (path);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (source, g_ptr_array_index (names, i), NULL);
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
      add_entry (archive, g_ptr_array_index (names, i), contents, len);
    }
  for (guint i = 0; i < n_extras; i++)
    add_entry (archive, extras[i].name, extras[i].data, extras[i].len);
  writer_close (archive);
}

/* 200 MiB of zeros deflate to ~200 KiB: a ratio of ~1000. */
static void
make_bomb (const char *path)
{
  static const char manifest[] =
    "<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"><resources/></manifest>";
  g_autofree char *zeros = g_malloc0 (1024 * 1024);
  struct archive *archive = writer_new (path);
  struct archive_entry *entry = archive_entry_new ();

  add_entry (archive, "imsmanifest.xml", manifest, sizeof manifest - 1);
  archive_entry_set_pathname (entry, "video/lecture.mp4");
  archive_entry_set_size (entry, 200 * 1024 * 1024);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  g_assert_cmpint (archive_write_header (archive, entry), ==, ARCHIVE_OK);
  for (guint i = 0; i < 200; i++)
    g_assert_cmpint (archive_write_data (archive, zeros, 1024 * 1024), ==, 1024 * 1024);
  archive_entry_free (entry);
  writer_close (archive);
}

/* --- zips by hand --------------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *data;       /* stored as is */
  guint16     flags;      /* general purpose bits: 1 = encrypted */
  guint16     method;     /* 0 stored, 8 deflate (data then is nonsense) */
  guint32     claimed;    /* uncompressed size to claim; 0: the data's */
  guint32     hole;       /* stored zeros left as a sparse hole */
  guint64     zip64;      /* uncompressed size to claim in a zip64 extra field */
} RawEntry;

static guint32
crc32_of (const char *data,
          gsize       len)
{
  guint32 crc = 0xFFFFFFFFu;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= (guint8)data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  return crc ^ 0xFFFFFFFFu;
}

static void
put16 (GByteArray *out, guint16 v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };
  g_byte_array_append (out, b, 2);
}

static void
put32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  g_byte_array_append (out, b, 4);
}

static void
put64 (GByteArray *out, guint64 v)
{
  put32 (out, (guint32)v);
  put32 (out, (guint32)(v >> 32));
}

static void
write_at (int fd, GByteArray *bytes, gint64 offset)
{
  g_assert_cmpint (pwrite (fd, bytes->data, bytes->len, offset), ==, (gssize)bytes->len);
}

static void
write_raw_zip (const char     *path,
               const RawEntry *entries,
               guint           n)
{
  g_autoptr(GByteArray) central = g_byte_array_new ();
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  gint64 offset = 0;

  g_assert_cmpint (fd, >=, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GByteArray) local = g_byte_array_new ();
      const RawEntry *e = &entries[i];
      guint32 len = e->data != NULL ? (guint32)strlen (e->data) : 0;
      guint32 stored = len + e->hole;
      guint32 size = e->claimed != 0 ? e->claimed : stored;
      guint32 crc = e->hole == 0 ? crc32_of (e->data != NULL ? e->data : "", len) : 0;
      guint16 name_len = (guint16)strlen (e->name);

      /* Zip64: both sizes 0xFFFFFFFF, the real ones in extra field 0x0001. */
      g_autoptr(GByteArray) extra = g_byte_array_new ();

      if (e->zip64 != 0)
        {
          put16 (extra, 0x0001); put16 (extra, 16); put64 (extra, e->zip64); put64 (extra, stored);
          stored = size = G_MAXUINT32;
        }

      put32 (local, 0x04034b50); put16 (local, e->zip64 ? 45 : 20); put16 (local, e->flags);
      put16 (local, e->method); put16 (local, 0); put16 (local, 0x21); put32 (local, crc);
      put32 (local, stored); put32 (local, size); put16 (local, name_len); put16 (local, (guint16)extra->len);
      g_byte_array_append (local, (const guint8 *)e->name, name_len);
      g_byte_array_append (local, extra->data, extra->len);
      if (len > 0)
        g_byte_array_append (local, (const guint8 *)e->data, len);

      put32 (central, 0x02014b50); put16 (central, 0x031e); put16 (central, e->zip64 ? 45 : 20);
      put16 (central, e->flags); put16 (central, e->method); put16 (central, 0); put16 (central, 0x21);
      put32 (central, crc); put32 (central, stored); put32 (central, size); put16 (central, name_len);
      put16 (central, (guint16)extra->len); put16 (central, 0); put16 (central, 0); put16 (central, 0);
      put32 (central, 0100644u << 16); put32 (central, (guint32)offset);
      g_byte_array_append (central, (const guint8 *)e->name, name_len);
      g_byte_array_append (central, extra->data, extra->len);

      write_at (fd, local, offset);
      offset += local->len + e->hole;  /* the hole stays sparse */
    }

  {
    g_autoptr(GByteArray) end = g_byte_array_new ();

    put32 (end, 0x06054b50); put16 (end, 0); put16 (end, 0); put16 (end, (guint16)n); put16 (end, (guint16)n);
    put32 (end, central->len); put32 (end, (guint32)offset); put16 (end, 0);
    write_at (fd, central, offset);
    write_at (fd, end, offset + central->len);
  }
  g_assert_cmpint (close (fd), ==, 0);
}

/* Only the end records, claiming 300 000 entries (zip64). */
static void
make_many_entries (const char *path)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  put32 (out, 0x06064b50); put64 (out, 44); put16 (out, 45); put16 (out, 45); put32 (out, 0);
  put32 (out, 0); put64 (out, 300000); put64 (out, 300000); put64 (out, 300000 * 46ull); put64 (out, 0);
  put32 (out, 0x07064b50); put32 (out, 0); put64 (out, 0); put32 (out, 1);
  put32 (out, 0x06054b50); put16 (out, 0); put16 (out, 0); put16 (out, 0xffff); put16 (out, 0xffff);
  put32 (out, 0xffffffff); put32 (out, 0xffffffff); put16 (out, 0);
  g_assert_true (g_file_set_contents (path, (const char *)out->data, out->len, NULL));
}

static const char small_manifest[] =
  "<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"><resources>"
  "<resource identifier=\"r\" type=\"webcontent\" href=\"index.html\"/></resources></manifest>";

static gboolean
make_hostile (const char *name,
              const char *path)
{
  static const Extra traversal[] = { { "../evil.html", "<html>evil</html>", 17 } };
  static const Extra backslash[] = { { "web\\..\\..\\evil.html", "<html>evil</html>", 17 } };
  static const Extra absolute[] = { { "/etc/x", "x", 1 } };

  if (strcmp (name, "traversal") == 0)
    zip_folder (path, "cc11", traversal, 1);
  else if (strcmp (name, "traversal-backslash") == 0)
    zip_folder (path, "cc11", backslash, 1);
  else if (strcmp (name, "absolute") == 0)
    zip_folder (path, "cc11", absolute, 1);
  else if (strcmp (name, "bomb") == 0)
    make_bomb (path);
  else if (strcmp (name, "encrypted") == 0)
    {
      const RawEntry entries[] = {
        { "imsmanifest.xml", small_manifest, 0, 0, 0, 0 },
        { "index.html", "\x12\x34\x56\x78\x9a\xbc\xde\xf0\x11\x22\x33\x44<html/>", 1, 0, 0, 0 },
      };
      write_raw_zip (path, entries, G_N_ELEMENTS (entries));
    }
  else if (strcmp (name, "bomb-header") == 0)
    {
      /* A deflated entry that claims to unpack to 4 GiB from 40 bytes. */
      const RawEntry entries[] = {
        { "imsmanifest.xml", small_manifest, 0, 0, 0, 0 },
        { "index.html", "not really deflate data, but who checks", 0, 8, 0xfffffff0u, 0 },
      };
      write_raw_zip (path, entries, G_N_ELEMENTS (entries));
    }
  else if (strcmp (name, "huge-total") == 0)
    {
      RawEntry entries[6] = { { "imsmanifest.xml", small_manifest, 0, 0, 0, 0 } };
      const char *names[] = { "a.bin", "b.bin", "c.bin", "d.bin", "e.bin" };

      for (guint i = 0; i < 5; i++)
        entries[i + 1] = (RawEntry){ names[i], "x", 0, 8, 0xfffffff0u, 0 };
      write_raw_zip (path, entries, G_N_ELEMENTS (entries));
    }
  else if (strcmp (name, "large-sparse") == 0)
    {
      /* 2.2 GiB stored, as a hole: costs no disk space or time. */
      const RawEntry entries[] = {
        { "imsmanifest.xml", small_manifest, 0, 0, 0, 0 },
        { "index.html", "<html/>", 0, 0, 0, 0 },
        { "video/lecture.mp4", NULL, 0, 0, 0, 2200u * 1024 * 1024 },
      };
      write_raw_zip (path, entries, G_N_ELEMENTS (entries));
    }
  else if (strcmp (name, "hidden-bomb") == 0)
    {
      /* The sparse 2.2 GiB keep the overall ratio low; one entry's is not. */
      const RawEntry entries[] = {
        { "imsmanifest.xml", small_manifest, 0, 0, 0, 0 },
        { "index.html", "<html/>", 0, 0, 0, 0 },
        { "video/lecture.mp4", NULL, 0, 0, 0, 2200u * 1024 * 1024 },
        { "notes.txt", "not really deflate data, but who checks", 0, 8, 0xfffffff0u, 0 },
      };
      write_raw_zip (path, entries, G_N_ELEMENTS (entries));
    }
  else if (strcmp (name, "hidden-bomb-zip64") == 0)
    {
      /* The same with 8 GiB claimed in a zip64 extra field. */
      const RawEntry entries[] = {
        { "imsmanifest.xml", small_manifest, 0, 0, 0, 0, 0 },
        { "index.html", "<html/>", 0, 0, 0, 0, 0 },
        { "video/lecture.mp4", NULL, 0, 0, 0, 2200u * 1024 * 1024, 0 },
        { "notes.txt", "not really deflate data, but who checks", 0, 8, 0, 0, G_GUINT64_CONSTANT (8) << 30 },
      };
      write_raw_zip (path, entries, G_N_ELEMENTS (entries));
    }
  else if (strcmp (name, "many-entries") == 0)
    make_many_entries (path);
  else if (strcmp (name, "manifest-too-large") == 0)
    {
      g_autoptr(GString) manifest = g_string_new ("<manifest><!-- ");
      struct archive *archive;

      while (manifest->len < 9 * 1024 * 1024)
        g_string_append (manifest, "padding padding padding padding ");
      g_string_append (manifest, "--></manifest>");
      archive = writer_new (path);
      add_entry (archive, "imsmanifest.xml", manifest->str, manifest->len);
      writer_close (archive);
    }
  else if (strcmp (name, "truncated") == 0)
    {
      g_autofree char *contents = NULL;
      gsize len;

      zip_folder (path, "cc13", NULL, 0);
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (path, contents, (gssize)(len / 2), NULL));
    }
  else if (strcmp (name, "duplicate") == 0)
    {
      /* A second manifest of the same name: which one would Brightspace read? */
      static const Extra second[] = { { "imsmanifest.xml", small_manifest, sizeof small_manifest - 1 } };

      zip_folder (path, "cc11", second, 1);
    }
  else if (strcmp (name, "symlink") == 0)
    {
      struct archive *archive = writer_new (path);
      struct archive_entry *entry = archive_entry_new ();

      add_entry (archive, "imsmanifest.xml", small_manifest, sizeof small_manifest - 1);
      add_entry (archive, "index.html", "<html/>", 7);
      archive_entry_set_pathname (entry, "passwd.html");
      archive_entry_set_filetype (entry, AE_IFLNK);
      archive_entry_set_perm (entry, 0777);
      archive_entry_set_symlink (entry, "/etc/passwd");
      g_assert_cmpint (archive_write_header (archive, entry), ==, ARCHIVE_OK);
      archive_entry_free (entry);
      writer_close (archive);
    }
  else if (strcmp (name, "not-zip") == 0)
    g_assert_true (g_file_set_contents (path, "This is a course outline, not a zip.\n", -1, NULL));
  else
    return FALSE;
  return TRUE;
}

char *
cd_test_package_make (const char *name,
                      const char *dir)
{
  g_autofree char *file = g_strconcat (name, ".zip", NULL);
  char *path = g_build_filename (dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;  /* made earlier in this run */
  if (!make_hostile (name, path))
    zip_folder (path, name, NULL, 0);
  return path;
}
