/* cd-package-reader-private.h: the zip file under the package reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <archive.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define CD_ZIP_BLOCK_SIZE (64 * 1024)

/* libarchive's input: one file descriptor, read with pread() so every
 * pass sees the same file, with cancellation checked on every block. */
typedef struct
{
  int           fd;
  gint64        size;
  gint64        offset;
  char         *display_name;  /* (owned) for messages */
  /* Where the central directory is, per the last end record; dir_size 0
   * when unknown. */
  guint64       dir_offset;
  guint64       dir_size;
  guint64       dir_entries;
  guint64       eocd_offset;
  GCancellable *cancellable;   /* (unowned) (nullable) */
  guint8        buffer[CD_ZIP_BLOCK_SIZE];
} CdZipSource;

/* Refuses anything but a readable regular file. */
CdZipSource    *cd_zip_source_open         (const char      *path,
                                            GCancellable    *cancellable,
                                            GError         **error);
void            cd_zip_source_free         (CdZipSource     *source);
/* The end-of-central-directory records: a zip at all, not truncated, and
 * not claiming more entries than CD_PACKAGE_READER_MAX_ENTRIES. */
gboolean        cd_zip_source_check_end    (CdZipSource     *source,
                                            GError         **error);
/* Each entry's compression ratio, from the central directory itself:
 * libarchive does not tell compressed sizes. */
gboolean        cd_zip_source_check_ratios (CdZipSource     *source,
                                            GError         **error);
/* A fresh libarchive reader of the central directory, from the start. */
struct archive *cd_zip_source_open_archive (CdZipSource     *source,
                                            GError         **error);
/* Sets @error for a libarchive failure (or cancellation); returns FALSE. */
gboolean        cd_zip_source_failed       (CdZipSource     *source,
                                            struct archive  *archive,
                                            GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdZipSource, cd_zip_source_free)

G_END_DECLS
