/* cd-package-private.h: what cd-package.c asks cd-package-open.c, and
 * cd-package-open.c asks cd-package-zip.c
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

/* What the worker thread needs: copies, so it never touches @self. */
typedef struct
{
  GFile  *file;          /* (owned) */
  char   *display_name;  /* (owned) */
  char   *sha256;        /* (owned) (nullable): the worker's result */
  char   *quick_key;     /* (owned) (nullable): the worker's result */
  gint64  size;          /* the worker's result */
  gboolean full;         /* hash the whole file, not just the quick key */
  gint   *hashed_kib;    /* (unowned): the package's; the task holds the package */
} CheckData;

void _cd_package_check_data_free (CheckData *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CheckData, _cd_package_check_data_free)

/* Runs every check and returns the open stream, so that hashing reads the
 * very file that was checked.  Safe to call from any thread. */
GInputStream *_cd_package_open (GFile         *file,
                                const char    *display_name,
                                gint64        *size_out,
                                GCancellable  *cancellable,
                                GError       **error);

/* The GTaskThreadFunc of cd_package_check_async() and
 * cd_package_hash_async(); its task data is a CheckData. */
void _cd_package_check_thread (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable);

G_END_DECLS
