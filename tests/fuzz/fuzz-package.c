/* fuzz-package.c: the package reader on whole zip files: the end records
 * and central directory walked by cd-package-reader-zip.c, libarchive's
 * listing and the manifest behind them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE  /* memfd_create() */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>

#include "cd-package-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static char *path;
  static int fd = -1;
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GError) error = NULL;

  /* The reader takes a path: one in-memory file per process, rewritten in
   * place (a file on disk costs a block allocation per input). */
  if (fd < 0)
    {
      fd = memfd_create ("fuzz-package", MFD_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      path = g_strdup_printf ("/proc/self/fd/%d", fd);
    }
  g_assert_cmpint (ftruncate (fd, 0), ==, 0);
  g_assert_cmpint (pwrite (fd, data, size, 0), ==, (ssize_t)size);

  preview = cd_package_reader_read (path, NULL, &error);
  if (preview != NULL)
    {
      g_autoptr(JsonNode) node = cd_package_preview_to_json (preview);

      g_assert_no_error (error);
      g_assert_nonnull (node);
      /* Every entry was counted from the file itself. */
      g_assert_cmpuint (cd_package_preview_get_entry_count (preview), <=, size / 22 + 1);
    }
  else
    g_assert_true (error != NULL && error->domain == CD_PACKAGE_READER_ERROR);

  return 0;
}
