/* test-package-hash.c: CdPackage properties, size warning, quick key and
 * the SHA-256 computed off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "cd-package.h"
#include "package-test-util.h"

static void
test_properties (void)
{
  g_autoptr(GByteArray) zip = build_zip ("a.txt", "a");
  g_autofree char *path = write_file (AWKWARD_NAME ".imscc", zip->data, zip->len);
  g_autoptr(CdPackage) package = package_for_path (path);
  g_autoptr(GFile) file = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *sha256 = NULL;
  gint64 size, limit;
  gboolean too_large;

  g_object_get (package,
                "file", &file,
                "display-name", &display_name,
                "size", &size,
                "sha256", &sha256,
                "too-large", &too_large,
                "size-limit", &limit,
                NULL);
  g_assert_true (G_IS_FILE (file));
  g_assert_cmpstr (g_file_peek_path (file), ==, path);
  g_assert_cmpstr (display_name, ==, AWKWARD_NAME ".imscc");
  g_assert_cmpstr (cd_package_get_display_name (package), ==, AWKWARD_NAME ".imscc");
  g_assert_cmpstr (cd_package_get_path (package), ==, path);
  g_assert_cmpint (size, ==, -1);
  g_assert_null (sha256);
  g_assert_false (too_large);
  g_assert_cmpint (limit, ==, CD_PACKAGE_DEFAULT_SIZE_LIMIT);
  g_assert_cmpint (limit, ==, G_GINT64_CONSTANT (2147483648));
  g_assert_null (cd_package_format_size (package));
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *)user_data)++;
}

static void
test_size (void)
{
  g_autoptr(GByteArray) zip = build_zip ("data.bin", "0123456789abcdefghij0123456789");
  g_autofree char *path = write_file ("big “one” é.zip", zip->data, zip->len);
  g_autoptr(CdPackage) package = package_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *expected_size = NULL;
  guint too_large_notifies = 0;

  g_signal_connect (package, "notify::too-large", G_CALLBACK (count_notify_cb),
                    &too_large_notifies);

  g_assert_true (cd_package_check (package, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cd_package_get_size (package), ==, zip->len);
  formatted = cd_package_format_size (package);
  expected_size = g_format_size (zip->len);
  g_assert_cmpstr (formatted, ==, expected_size);
  g_assert_null (cd_package_get_size_warning (package));

  /* Over the limit is a warning, never a refusal. */
  g_object_set (package, "size-limit", (gint64)10, NULL);
  g_assert_cmpint (cd_package_get_size_limit (package), ==, 10);
  g_assert_true (cd_package_get_too_large (package));
  g_assert_cmpuint (too_large_notifies, ==, 1);
  g_assert_true (cd_package_check (package, &error));
  g_assert_no_error (error);

  warning = cd_package_get_size_warning (package);
  g_assert_nonnull (warning);
  g_test_message ("%s", warning);
  g_assert_true (g_str_has_prefix (warning, "“big “one” é.zip” is "));
  g_assert_nonnull (strstr (warning, expected_size));
  g_assert_nonnull (strstr (warning, "10 bytes"));
  g_assert_nonnull (strstr (warning, "The import may fail."));

  cd_package_set_size_limit (package, CD_PACKAGE_DEFAULT_SIZE_LIMIT);
  g_assert_false (cd_package_get_too_large (package));
  g_assert_cmpuint (too_large_notifies, ==, 2);
}

static void
record_thread_cb (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  *(GThread **)user_data = g_thread_self ();
}

static char *
write_big_zip (const char  *name,
               GBytes     **bytes_out)
{
  gsize length = 3 * 1024 * 1024 + 123;  /* not a whole number of blocks */
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 *data = g_malloc (length);
  char *path;

  for (gsize i = 0; i < length; i++)
    data[i] = g_rand_int (rand) & 0xff;
  memcpy (data, "PK\003\004", 4);
  /* An end record with an empty directory, so the structure checks pass. */
  memcpy (data + length - sizeof empty_zip, empty_zip, sizeof empty_zip);

  path = write_file (name, data, length);
  *bytes_out = g_bytes_new_take (data, length);

  return path;
}

static void
test_async_sha256 (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = write_big_zip (AWKWARD_NAME ".zip", &bytes);
  g_autoptr(CdPackage) package = package_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  GThread *notified_in = NULL;

  g_signal_connect (package, "notify::sha256", G_CALLBACK (record_thread_cb), &notified_in);

  g_assert_true (run_check (package, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cd_package_get_sha256 (package), ==, expected);
  g_assert_cmpint (cd_package_get_size (package), ==, g_bytes_get_size (bytes));
  /* Notified from the caller's context, not the worker. */
  g_assert_true (notified_in == g_thread_self ());
}

/* A copy of @bytes with the byte at @offset changed. */
static char *
write_variant (const char *name,
               GBytes     *bytes,
               gsize       offset)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  g_autofree guint8 *copy = g_memdup2 (data, length);

  g_assert_cmpuint (offset, <, length);
  copy[offset] ^= 0x5a;
  return write_file (name, copy, length);
}

static CdPackage *
checked_package (const char *path,
                 gboolean    full)
{
  CdPackage *package = package_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (run_check_full (package, full, NULL, FALSE, &error));
  g_assert_no_error (error);
  return package;
}

static void
test_quick_key (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = write_big_zip ("original.zip", &bytes);
  g_autofree char *copy_path = write_file ("copy.zip", g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes));
  gsize length = g_bytes_get_size (bytes);
  g_autofree char *middle_path = write_variant ("middle.zip", bytes, length / 2);
  g_autofree char *head_path = write_variant ("head.zip", bytes, 1000);
  g_autofree char *tail_path = write_variant ("tail.zip", bytes, length - 1000);
  g_autoptr(CdPackage) original = checked_package (path, FALSE);
  g_autoptr(CdPackage) copy = checked_package (copy_path, FALSE);
  g_autoptr(CdPackage) middle = checked_package (middle_path, FALSE);
  g_autoptr(CdPackage) head = checked_package (head_path, FALSE);
  g_autoptr(CdPackage) tail = checked_package (tail_path, FALSE);
  g_autoptr(CdPackage) original_full = checked_package (path, TRUE);
  g_autoptr(CdPackage) middle_full = checked_package (middle_path, TRUE);
  g_autofree char *size_prefix = g_strdup_printf ("%" G_GSIZE_FORMAT ":", length);

  /* The quick check reads the ends only: no full digest yet. */
  g_assert_null (cd_package_get_sha256 (original));
  g_assert_nonnull (cd_package_get_quick_key (original));
  g_assert_true (g_str_has_prefix (cd_package_get_quick_key (original), size_prefix));

  /* The same content, the same key; a change at either end, another. */
  g_assert_cmpstr (cd_package_get_quick_key (copy), ==, cd_package_get_quick_key (original));
  g_assert_cmpstr (cd_package_get_quick_key (head), !=, cd_package_get_quick_key (original));
  g_assert_cmpstr (cd_package_get_quick_key (tail), !=, cd_package_get_quick_key (original));

  /* A change in the middle keeps the quick key: only the full digest,
   * which the guard then computes, tells them apart. */
  g_assert_cmpstr (cd_package_get_quick_key (middle), ==, cd_package_get_quick_key (original));
  g_assert_cmpstr (cd_package_get_quick_key (middle_full), ==,
                   cd_package_get_quick_key (original_full));
  g_assert_nonnull (cd_package_get_sha256 (middle_full));
  g_assert_cmpstr (cd_package_get_sha256 (middle_full), !=, cd_package_get_sha256 (original_full));

  /* A later quick check clears the digest: the same quick key does not
   * prove that the middle is unchanged. */
  g_assert_true (run_check_full (original_full, FALSE, NULL, FALSE, NULL));
  g_assert_null (cd_package_get_sha256 (original_full));
  g_assert_cmpstr (cd_package_get_quick_key (original_full), ==, cd_package_get_quick_key (original));
}

static void
test_quick_key_small (void)
{
  g_autoptr(GByteArray) zip = build_zip ("a.txt", "hello");
  g_autofree char *path = write_file ("small.zip", zip->data, zip->len);
  g_autoptr(CdPackage) package = checked_package (path, TRUE);
  g_autofree char *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, zip->data, zip->len);
  g_autofree char *expected = g_strdup_printf ("%u:%s", zip->len, sha256);

  /* Under 2 MiB the quick key covers the whole file. */
  g_assert_cmpstr (cd_package_get_quick_key (package), ==, expected);
  g_assert_cmpstr (cd_package_get_sha256 (package), ==, sha256);
}

static void
test_async_cancel (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = write_big_zip ("cancel me.zip", &bytes);
  g_autoptr(CdPackage) package = package_for_path (path);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      gboolean after_start = i == 1;

      if (!after_start)
        g_cancellable_cancel (cancellable);

      g_assert_false (run_check (package, cancellable, after_start, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (cd_package_get_sha256 (package));
      g_assert_cmpint (cd_package_get_size (package), ==, -1);
    }
}

static void
test_async_error (void)
{
  g_autofree char *path = write_file ("notes “draft”.txt", "hello", 5);
  g_autoptr(CdPackage) package = package_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (run_check (package, NULL, FALSE, &error));
  g_assert_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_NOT_ZIP);
  g_assert_nonnull (strstr (error->message, "“notes “draft”.txt”"));
  g_assert_null (cd_package_get_sha256 (package));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/package/properties", test_properties);
  g_test_add_func ("/package/size", test_size);
  g_test_add_func ("/package/async-sha256", test_async_sha256);
  g_test_add_func ("/package/async-cancel", test_async_cancel);
  g_test_add_func ("/package/quick-key", test_quick_key);
  g_test_add_func ("/package/quick-key-small", test_quick_key_small);
  g_test_add_func ("/package/async-error", test_async_error);

  return g_test_run ();
}
