/* package-test-util.c: package files, hand-built zip archives and the
 * check run to its end, shared by the package tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "package-test-util.h"


char *
package_dir (void)
{
  char *dir = g_build_filename (g_get_user_data_dir (), "packages", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

char *
write_file (const char *name,
            const void *data,
            gsize       length)
{
  g_autofree char *dir = package_dir ();
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);

  return path;
}

CdPackage *
package_for_path (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return cd_package_new (file);
}

static guint32
crc32 (const guint8 *data,
       gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }

  return ~crc;
}

void
append_le (GByteArray *bytes,
           guint32     value,
           guint       width)
{
  for (guint i = 0; i < width; i++)
    {
      guint8 byte = (value >> (8 * i)) & 0xff;

      g_byte_array_append (bytes, &byte, 1);
    }
}

/* A real one-file archive, stored (not deflated): local header, data,
 * central directory, end of central directory. */
GByteArray *
build_zip (const char *name,
           const char *content)
{
  GByteArray *zip = g_byte_array_new ();
  guint32 name_len = strlen (name);
  guint32 content_len = strlen (content);
  guint32 crc = crc32 ((const guint8 *)content, content_len);
  guint32 central_offset;
  guint32 central_size;

  append_le (zip, 0x04034b50, 4);
  append_le (zip, 20, 2);           /* version needed */
  append_le (zip, 0, 2);            /* flags */
  append_le (zip, 0, 2);            /* stored */
  append_le (zip, 0, 2);            /* time */
  append_le (zip, 0x21, 2);         /* date: 1980-01-01 */
  append_le (zip, crc, 4);
  append_le (zip, content_len, 4);
  append_le (zip, content_len, 4);
  append_le (zip, name_len, 2);
  append_le (zip, 0, 2);            /* extra */
  g_byte_array_append (zip, (const guint8 *)name, name_len);
  g_byte_array_append (zip, (const guint8 *)content, content_len);

  central_offset = zip->len;
  append_le (zip, 0x02014b50, 4);
  append_le (zip, 20, 2);           /* made by */
  append_le (zip, 20, 2);           /* needed */
  append_le (zip, 0, 2);
  append_le (zip, 0, 2);
  append_le (zip, 0, 2);
  append_le (zip, 0x21, 2);
  append_le (zip, crc, 4);
  append_le (zip, content_len, 4);
  append_le (zip, content_len, 4);
  append_le (zip, name_len, 2);
  append_le (zip, 0, 2);            /* extra */
  append_le (zip, 0, 2);            /* comment */
  append_le (zip, 0, 2);            /* disk */
  append_le (zip, 0, 2);            /* internal attributes */
  append_le (zip, 0, 4);            /* external attributes */
  append_le (zip, 0, 4);            /* local header offset */
  g_byte_array_append (zip, (const guint8 *)name, name_len);
  central_size = zip->len - central_offset;

  append_le (zip, 0x06054b50, 4);
  append_le (zip, 0, 2);
  append_le (zip, 0, 2);
  append_le (zip, 1, 2);
  append_le (zip, 1, 2);
  append_le (zip, central_size, 4);
  append_le (zip, central_offset, 4);
  append_le (zip, 0, 2);

  return zip;
}

const guint8 empty_zip[22] = { 'P', 'K', 0x05, 0x06 };

void
assert_check_fails (const char     *path,
                    CdPackageError  code,
                    const char     *named)
{
  g_autoptr(CdPackage) package = package_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (cd_package_check (package, &error));
  g_assert_error (error, CD_PACKAGE_ERROR, (int)code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, named));
  g_assert_nonnull (strstr (error->message, "“"));
  g_assert_cmpint (cd_package_get_size (package), ==, -1);
}

void
assert_check_passes (const char *path,
                     gint64      size)
{
  g_autoptr(CdPackage) package = package_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_package_check (package, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cd_package_get_size (package), ==, size);
  g_assert_false (cd_package_get_too_large (package));
  g_assert_null (cd_package_get_size_warning (package));
  /* Only the async check hashes. */
  g_assert_null (cd_package_get_sha256 (package));
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

gboolean
run_check_full (CdPackage     *package,
                gboolean       full,
                GCancellable  *cancellable,
                gboolean       cancel_after_start,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (full)
    cd_package_hash_async (package, cancellable, store_result_cb, &result);
  else
    cd_package_check_async (package, cancellable, store_result_cb, &result);
  if (cancel_after_start)
    g_cancellable_cancel (cancellable);

  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return cd_package_check_finish (package, result, error);
}

gboolean
run_check (CdPackage     *package,
           GCancellable  *cancellable,
           gboolean       cancel_after_start,
           GError       **error)
{
  return run_check_full (package, TRUE, cancellable, cancel_after_start, error);
}
