/* cd-package-reader.h: read a course package's manifest and file list,
 * safely, straight from the zip, before any upload
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cd-package-preview.h"

G_BEGIN_DECLS

#define CD_PACKAGE_READER_ERROR (cd_package_reader_error_quark ())

/* Why a package was refused.  Messages are translated sentences; any text
 * from the package in them has its control characters replaced. */
typedef enum {
  CD_PACKAGE_READER_ERROR_UNREADABLE,         /* missing, not a file, I/O error */
  CD_PACKAGE_READER_ERROR_NOT_ZIP,
  CD_PACKAGE_READER_ERROR_DAMAGED,            /* truncated or inconsistent zip */
  CD_PACKAGE_READER_ERROR_UNSAFE_PATH,        /* absolute or ".." entry names */
  CD_PACKAGE_READER_ERROR_ENCRYPTED,
  CD_PACKAGE_READER_ERROR_TOO_MANY_ENTRIES,
  CD_PACKAGE_READER_ERROR_TOO_LARGE,          /* total uncompressed size */
  CD_PACKAGE_READER_ERROR_COMPRESSION_RATIO,  /* a zip bomb */
  CD_PACKAGE_READER_ERROR_MANIFEST_TOO_LARGE,
  CD_PACKAGE_READER_ERROR_BAD_MANIFEST,       /* not well-formed, not a manifest */
  CD_PACKAGE_READER_ERROR_MANIFEST_ENTITIES,  /* entity declarations (billion laughs, XXE) */
} CdPackageReaderError;

GQuark cd_package_reader_error_quark (void);

/* Limits: whatever the package, reading it decompresses at most
 * CD_PACKAGE_READER_MAX_MANIFEST bytes (the manifest) and nothing else. */
#define CD_PACKAGE_READER_MAX_ENTRIES      200000
#define CD_PACKAGE_READER_MAX_MANIFEST     (8 * 1024 * 1024)
#define CD_PACKAGE_READER_MAX_NAME_BYTES   (32 * 1024 * 1024)
#define CD_PACKAGE_READER_MAX_UNCOMPRESSED G_GUINT64_CONSTANT (17179869184)  /* 16 GiB */
/* Uncompressed : compressed, for each entry and for the whole archive,
 * checked above RATIO_FLOOR bytes: deflate reaches ~1000 only on runs of
 * one byte, real course files stay under 20. */
#define CD_PACKAGE_READER_MAX_RATIO        100
#define CD_PACKAGE_READER_RATIO_FLOOR      G_GUINT64_CONSTANT (104857600)    /* 100 MiB */

/* Blocking; call it from a worker thread or a command-line tool.
 * @path: a local zip file. */
CdPackagePreview *cd_package_reader_read        (const char           *path,
                                                 GCancellable         *cancellable,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same in a GTask worker thread. */
void              cd_package_reader_read_async  (const char           *path,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
CdPackagePreview *cd_package_reader_read_finish (GAsyncResult         *result,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
