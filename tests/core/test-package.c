/* test-package.c: CdPackage checks: missing, empty, unreadable and
 * damaged files, and the zip variants that must still pass
 *
 * Size, quick key and SHA-256: test-package-hash.c.
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

  return g_test_run ();
}
