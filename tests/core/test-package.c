/* test-package.c: CdPackage checks, size warning, quick key and SHA-256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "cd-package.h"

/* Spaces, quotes and a non-ASCII letter: names as teachers write them. */
#define AWKWARD_NAME "Week 1 “Cells” 'é'"

static char *
package_dir (void)
{
  char *dir = g_build_filename (g_get_user_data_dir (), "packages", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static char *
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

static CdPackage *
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

static void
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
static GByteArray *
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

static const guint8 empty_zip[22] = { 'P', 'K', 0x05, 0x06 };

static void
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

static void
test_not_found (void)
{
  g_autofree char *dir = package_dir ();
  g_autofree char *missing = g_build_filename (dir, AWKWARD_NAME " missing.zip", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling.zip", NULL);
  g_autofree char *under_file = NULL;
  g_autofree char *text = write_file ("plain.txt", "x", 1);

  assert_check_fails (missing, CD_PACKAGE_ERROR_NOT_FOUND, missing);

  g_assert_cmpint (symlink (missing, dangling), ==, 0);
  assert_check_fails (dangling, CD_PACKAGE_ERROR_NOT_FOUND, dangling);

  /* A path through a regular file, as if a folder had been mistyped. */
  under_file = g_build_filename (text, "course.zip", NULL);
  assert_check_fails (under_file, CD_PACKAGE_ERROR_NOT_FOUND, under_file);
}

static void
test_not_regular (void)
{
  g_autofree char *dir = package_dir ();
  g_autofree char *folder = g_build_filename (dir, AWKWARD_NAME ".imscc", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe.zip", NULL);

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  assert_check_fails (folder, CD_PACKAGE_ERROR_NOT_REGULAR, AWKWARD_NAME ".imscc");

  /* Opening a FIFO would block: the check must refuse it before that. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_check_fails (fifo, CD_PACKAGE_ERROR_NOT_REGULAR, "pipe.zip");

  if (g_file_test ("/dev/null", G_FILE_TEST_EXISTS))
    assert_check_fails ("/dev/null", CD_PACKAGE_ERROR_NOT_REGULAR, "null");
}

static void
test_empty (void)
{
  g_autofree char *path = write_file (AWKWARD_NAME ".zip", "", 0);

  assert_check_fails (path, CD_PACKAGE_ERROR_EMPTY, AWKWARD_NAME ".zip");
}

static void
test_not_zip (void)
{
  const char *text = "These are my notes for week 1.\n";
  g_autofree char *notes = write_file ("notes.txt", text, strlen (text));
  g_autofree char *short_file = write_file ("short.zip", "PK\003", 3);
  g_autofree char *disguised = write_file (AWKWARD_NAME ".imscc", text, strlen (text));
  g_autoptr(CdPackage) package = package_for_path (notes);
  g_autoptr(GError) error = NULL;
  g_autofree char *far_path = NULL;
  GString *far = g_string_new (NULL);

  g_assert_false (cd_package_check (package, &error));
  g_assert_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_NOT_ZIP);
  g_assert_cmpstr (error->message, ==,
                   "“notes.txt” is not a zip archive. Brightspace imports course packages: "
                   ".zip or .imscc files exported from an LMS.");

  assert_check_fails (short_file, CD_PACKAGE_ERROR_NOT_ZIP, "short.zip");
  assert_check_fails (disguised, CD_PACKAGE_ERROR_NOT_ZIP, AWKWARD_NAME ".imscc");

  /* An end-of-central-directory signature too far from the end to be one. */
  g_string_append_len (far, "xxPK\005\006", 6);
  while (far->len < 70000)
    g_string_append (far, text);
  far_path = write_file ("far.zip", far->str, far->len);
  assert_check_fails (far_path, CD_PACKAGE_ERROR_NOT_ZIP, "far.zip");

  g_string_free (far, TRUE);
}

static void
test_unreadable (void)
{
  g_autoptr(GByteArray) zip = build_zip ("a.txt", "a");
  g_autofree char *path = write_file (AWKWARD_NAME ".zip", zip->data, zip->len);

  g_assert_cmpint (g_chmod (path, 0), ==, 0);

  /* Root (and some capabilities) read mode-000 files anyway. */
  if (geteuid () == 0 || access (path, R_OK) == 0)
    {
      g_test_skip ("Mode 000 files are readable by this user");
      return;
    }

  assert_check_fails (path, CD_PACKAGE_ERROR_UNREADABLE, AWKWARD_NAME ".zip");
}

static void
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
test_zip (void)
{
  g_autoptr(GByteArray) zip = build_zip ("imsmanifest.xml", "<manifest/>\n");
  g_autofree char *real = write_file ("course.zip", zip->data, zip->len);
  g_autofree char *imscc = write_file (AWKWARD_NAME ".imscc", zip->data, zip->len);
  g_autofree char *txt = write_file ("export.txt", zip->data, zip->len);
  g_autofree char *empty = write_file ("empty.zip", empty_zip, sizeof empty_zip);
  g_autofree char *link = NULL;
  g_autofree char *sfx_path = NULL;
  g_autofree char *dir = package_dir ();
  g_autoptr(GByteArray) sfx = g_byte_array_new ();

  assert_check_passes (real, zip->len);
  assert_check_passes (imscc, zip->len);
  /* The content decides, not the name. */
  assert_check_passes (txt, zip->len);
  assert_check_passes (empty, sizeof empty_zip);

  /* Self-extracting archives start with a program; the end still says zip. */
  for (guint i = 0; i < 1000; i++)
    g_byte_array_append (sfx, (const guint8 *)"MZ", 2);
  g_byte_array_append (sfx, empty_zip, sizeof empty_zip);
  sfx_path = write_file ("setup.zip", sfx->data, sfx->len);
  assert_check_passes (sfx_path, sfx->len);

  link = g_build_filename (dir, "link to course.zip", NULL);
  g_assert_cmpint (symlink (real, link), ==, 0);
  assert_check_passes (link, zip->len);
}

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
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
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

static gboolean
run_check (CdPackage     *package,
           GCancellable  *cancellable,
           gboolean       cancel_after_start,
           GError       **error)
{
  return run_check_full (package, TRUE, cancellable, cancel_after_start, error);
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

/* The end record's fields, at their offsets from its signature. */
#define EOCD_SIZE            12
#define EOCD_OFFSET          16
#define EOCD_COMMENT_LENGTH  20

static void
set_le (GByteArray *bytes,
        gsize       at,
        guint64     value,
        guint       width)
{
  for (guint i = 0; i < width; i++)
    bytes->data[at + i] = (value >> (8 * i)) & 0xff;
}

static GByteArray *
copy_bytes (GByteArray *bytes,
            gsize       length)
{
  GByteArray *copy = g_byte_array_sized_new (length);

  g_byte_array_append (copy, bytes->data, length);
  return copy;
}

static void
assert_damaged (GByteArray *bytes,
                const char *name)
{
  g_autofree char *path = write_file (name, bytes->data, bytes->len);

  assert_check_fails (path, CD_PACKAGE_ERROR_DAMAGED, name);
}

/* A text as long as a real page: the archive is more than its records. */
static char *
long_content (void)
{
  GString *text = g_string_new (NULL);

  while (text->len < 5000)
    g_string_append (text, "<p>Week 1: cells, membranes and the microscope.</p>\n");
  return g_string_free (text, FALSE);
}

/* What a download cut short, or a file that only starts like a zip, looks
 * like: refused before upload, saying the archive is damaged. */
static void
test_damaged (void)
{
  g_autofree char *content = long_content ();
  g_autoptr(GByteArray) zip = build_zip ("imsmanifest.xml", content);
  g_autoptr(GByteArray) garbage = g_byte_array_new ();
  g_autoptr(GByteArray) past_end = copy_bytes (zip, zip->len);
  g_autoptr(GByteArray) wrong_offset = copy_bytes (zip, zip->len);
  g_autoptr(GByteArray) split = copy_bytes (zip, zip->len);
  g_autoptr(GByteArray) no_directory = copy_bytes (zip, zip->len);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gsize eocd = zip->len - 22;
  const gsize cuts[] = { 1, 10, 22, 23, 60, zip->len / 2, zip->len - 30 };
  g_autofree char *valid = write_file ("whole.zip", zip->data, zip->len);

  /* The whole archive passes: the cuts below are what fails. */
  assert_check_passes (valid, zip->len);

  /* The local header's signature, then 10 KiB of noise. */
  g_byte_array_append (garbage, (const guint8 *)"PK\003\004", 4);
  for (guint i = 0; i < 10240; i++)
    {
      guint8 byte = g_rand_int_range (rand, 0, 256);

      g_byte_array_append (garbage, &byte, 1);
    }
  assert_damaged (garbage, "noise.zip");

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autoptr(GByteArray) cut = copy_bytes (zip, zip->len - cuts[i]);
      g_autofree char *name = g_strdup_printf ("cut %" G_GSIZE_FORMAT ".zip", cuts[i]);

      assert_damaged (cut, name);
    }

  /* End records that survived, pointing at what did not. */
  set_le (past_end, eocd + EOCD_OFFSET, zip->len, 4);
  assert_damaged (past_end, "past the end.zip");
  set_le (wrong_offset, eocd + EOCD_OFFSET, 4, 4);
  assert_damaged (wrong_offset, "wrong offset.zip");
  set_le (no_directory, eocd + EOCD_SIZE, 0, 4);
  set_le (no_directory, eocd + EOCD_OFFSET, eocd, 4);
  assert_damaged (no_directory, "no directory.zip");
  set_le (split, eocd + 4, 1, 2);
  assert_damaged (split, "part 2.zip");
}

/* Archive comments, ZIP64, and an end record's signature in a comment. */
static void
test_zip_variants (void)
{
  g_autoptr(GByteArray) commented = build_zip ("imsmanifest.xml", "<manifest/>\n");
  g_autoptr(GByteArray) decoy = build_zip ("imsmanifest.xml", "<manifest/>\n");
  g_autoptr(GByteArray) zip64 = build_zip ("imsmanifest.xml", "<manifest/>\n");
  g_autoptr(GByteArray) zip64_bad = NULL;
  const char comment[] = "Exported from Moodle 4.1 for Biology 101";
  /* An end record's signature and a plausible record inside the comment. */
  const guint8 fake[22] = { 'P', 'K', 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, 0xff, 0xff, 0, 0,
                            0xff, 0xff, 0, 0, 0, 0 };
  gsize eocd, locator_at, zip64_at, central_offset, central_size;
  g_autofree char *commented_path = NULL;
  g_autofree char *decoy_path = NULL;
  g_autofree char *zip64_path = NULL;

  eocd = commented->len - 22;
  set_le (commented, eocd + EOCD_COMMENT_LENGTH, sizeof comment - 1, 2);
  g_byte_array_append (commented, (const guint8 *)comment, sizeof comment - 1);
  commented_path = write_file ("commented.zip", commented->data, commented->len);
  assert_check_passes (commented_path, commented->len);

  eocd = decoy->len - 22;
  set_le (decoy, eocd + EOCD_COMMENT_LENGTH, sizeof fake + 4, 2);
  g_byte_array_append (decoy, (const guint8 *)"note", 4);
  g_byte_array_append (decoy, fake, sizeof fake);
  decoy_path = write_file ("decoy.zip", decoy->data, decoy->len);
  assert_check_passes (decoy_path, decoy->len);

  /* ZIP64: the end record's fields saturated, the real values in the
   * ZIP64 end record that the locator points to. */
  eocd = zip64->len - 22;
  central_size = zip64->data[eocd + EOCD_SIZE] | zip64->data[eocd + EOCD_SIZE + 1] << 8;
  central_offset = zip64->data[eocd + EOCD_OFFSET] | zip64->data[eocd + EOCD_OFFSET + 1] << 8;
  g_byte_array_set_size (zip64, eocd);
  zip64_at = zip64->len;
  append_le (zip64, 0x06064b50, 4);
  append_le (zip64, 44, 4);  append_le (zip64, 0, 4);   /* size of the rest, 64-bit */
  append_le (zip64, 45, 2);  append_le (zip64, 45, 2);  /* made by, needed */
  append_le (zip64, 0, 4);   append_le (zip64, 0, 4);   /* disks */
  append_le (zip64, 1, 4);   append_le (zip64, 0, 4);   /* entries on this disk */
  append_le (zip64, 1, 4);   append_le (zip64, 0, 4);   /* entries */
  append_le (zip64, central_size, 4);   append_le (zip64, 0, 4);
  append_le (zip64, central_offset, 4); append_le (zip64, 0, 4);
  locator_at = zip64->len;
  append_le (zip64, 0x07064b50, 4);
  append_le (zip64, 0, 4);
  append_le (zip64, zip64_at, 4); append_le (zip64, 0, 4);
  append_le (zip64, 1, 4);
  append_le (zip64, 0x06054b50, 4);
  append_le (zip64, 0xffff, 2); append_le (zip64, 0xffff, 2);
  append_le (zip64, 0xffff, 2); append_le (zip64, 0xffff, 2);
  append_le (zip64, 0xffffffff, 4); append_le (zip64, 0xffffffff, 4);
  append_le (zip64, 0, 2);
  zip64_path = write_file ("zip64.zip", zip64->data, zip64->len);
  assert_check_passes (zip64_path, zip64->len);

  /* Disk fields saturated too are fine; a locator pointing past itself is not. */
  zip64_bad = copy_bytes (zip64, zip64->len);
  set_le (zip64_bad, locator_at + 8, locator_at + 4, 8);
  assert_damaged (zip64_bad, "zip64 bad locator.zip");

  /* Saturated fields without any ZIP64 records. */
  g_byte_array_set_size (zip64_bad, 0);
  g_byte_array_append (zip64_bad, zip64->data, zip64_at);
  g_byte_array_append (zip64_bad, zip64->data + locator_at + 20, 22);
  assert_damaged (zip64_bad, "zip64 no records.zip");
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

  g_test_add_func ("/package/not-found", test_not_found);
  g_test_add_func ("/package/not-regular", test_not_regular);
  g_test_add_func ("/package/empty", test_empty);
  g_test_add_func ("/package/not-zip", test_not_zip);
  g_test_add_func ("/package/unreadable", test_unreadable);
  g_test_add_func ("/package/zip", test_zip);
  g_test_add_func ("/package/damaged", test_damaged);
  g_test_add_func ("/package/zip-variants", test_zip_variants);
  g_test_add_func ("/package/properties", test_properties);
  g_test_add_func ("/package/size", test_size);
  g_test_add_func ("/package/async-sha256", test_async_sha256);
  g_test_add_func ("/package/async-cancel", test_async_cancel);
  g_test_add_func ("/package/quick-key", test_quick_key);
  g_test_add_func ("/package/quick-key-small", test_quick_key_small);
  g_test_add_func ("/package/async-error", test_async_error);

  return g_test_run ();
}
