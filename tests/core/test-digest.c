/* test-digest.c: the GnuTLS SHA-256 helper against GChecksum
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gstdio.h>

#include "cd-digest.h"

#define MIB (1024 * 1024)

static guint8 *
random_data (gsize length)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) length);
  guint8 *data = g_malloc (MAX (length, 1));

  for (gsize i = 0; i < length; i++)
    data[i] = g_rand_int (rand) & 0xff;

  return data;
}

static char *
write_temp (const guint8 *data,
            gsize         length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), "digest.bin", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_file_set_contents (path, (const char *) data, length, &error);
  g_assert_no_error (error);

  return path;
}

static void
test_matches_gchecksum (void)
{
  const gsize sizes[] = { 0, 1, 55, 64, MIB - 1, MIB, MIB + 1, 3 * MIB + 7 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = random_data (sizes[i]);
      g_autofree char *expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, sizes[i]);
      g_autofree char *in_memory = cd_digest_sha256_hex (data, sizes[i]);
      g_autofree char *path = write_temp (data, sizes[i]);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *from_file = NULL;
      gint64 size = -1;

      g_test_message ("%" G_GSIZE_FORMAT " bytes", sizes[i]);
      g_assert_cmpstr (in_memory, ==, expected);

      g_assert_nonnull (stream);
      from_file = cd_digest_stream (G_INPUT_STREAM (stream), &size, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (from_file, ==, expected);
      g_assert_cmpint (size, ==, (gint64) sizes[i]);
    }
}

/* Fed in uneven pieces, as an upload reads: the same digest. */
static void
test_incremental (void)
{
  gsize length = 3 * MIB + 7;
  g_autofree guint8 *data = random_data (length);
  g_autofree char *expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
  g_autoptr(CdDigest) digest = cd_digest_new ();
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  gsize offset = 0;
  gsize piece = 1;

  while (offset < length)
    {
      gsize n = MIN (piece, length - offset);

      cd_digest_update (digest, data + offset, n);
      offset += n;
      piece = piece * 3 + 1;
    }
  first = cd_digest_finish_hex (digest);
  g_assert_cmpstr (first, ==, expected);

  /* Finishing resets it, so it is reusable. */
  cd_digest_update (digest, data, length);
  again = cd_digest_finish_hex (digest);
  g_assert_cmpstr (again, ==, expected);
}

static void
test_quick_key (void)
{
  gsize length = 3 * MIB + 7;
  g_autofree guint8 *data = random_data (length);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *expected = NULL;
  g_autofree char *path = write_temp (data, length);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  /* The first and the last MiB, after the size. */
  g_checksum_update (checksum, data, MIB);
  g_checksum_update (checksum, data + length - MIB, MIB);
  expected = g_strdup_printf ("%" G_GSIZE_FORMAT ":%s", length, g_checksum_get_string (checksum));

  key = cd_digest_quick_key (G_INPUT_STREAM (stream), (gint64) length, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, expected);
}

static void
test_cancelled (void)
{
  g_autofree guint8 *data = random_data (MIB + 1);
  g_autofree char *path = write_temp (data, MIB + 1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;

  g_cancellable_cancel (cancellable);
  digest = cd_digest_stream (G_INPUT_STREAM (stream), NULL, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (digest);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/digest/matches-gchecksum", test_matches_gchecksum);
  g_test_add_func ("/digest/incremental", test_incremental);
  g_test_add_func ("/digest/quick-key", test_quick_key);
  g_test_add_func ("/digest/cancelled", test_cancelled);

  return g_test_run ();
}
