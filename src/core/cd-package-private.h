/* cd-package-private.h: what cd-package.c asks cd-package-zip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  CD_ZIP_VALID,    /* an end record whose central directory lies inside the file */
  CD_ZIP_NOT_ZIP,  /* nothing of a zip about it */
  CD_ZIP_DAMAGED,  /* starts or ends like a zip, but its directory is missing or wrong */
} CdZipVerdict;

/* Sets @verdict for the @size bytes of @stream, which must be seekable.
 * Reads its first 4 bytes, its last 64 KiB or so and a record or two,
 * never the whole file.  FALSE only for a GIO error (including
 * cancellation), or G_IO_ERROR_PARTIAL_INPUT when the file is shorter
 * than @size. */
gboolean _cd_package_inspect_zip (GInputStream  *stream,
                                  gint64         size,
                                  CdZipVerdict  *verdict,
                                  GCancellable  *cancellable,
                                  GError       **error);

G_END_DECLS
