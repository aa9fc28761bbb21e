/* cd-digest.h: SHA-256 of package files, at the CPU's hardware speed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The block read at a time: large reads, few system calls. */
#define CD_DIGEST_BLOCK_SIZE (1024 * 1024)
/* The quick key hashes this much from each end of the file. */
#define CD_DIGEST_QUICK_SPAN (1024 * 1024)

typedef struct _CdDigest CdDigest;

/* GnuTLS's SHA-256 (it uses the CPU's SHA extensions where GChecksum does
 * not): several times faster on large packages.  Not thread-safe: one
 * thread feeds a digest at a time. */
CdDigest *cd_digest_new        (void);
void      cd_digest_update     (CdDigest     *self,
                                const void   *data,
                                gsize         length);
/* Returns: (transfer full): lower-case hex; @self is reset afterwards. */
char     *cd_digest_finish_hex (CdDigest     *self);
void      cd_digest_free       (CdDigest     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdDigest, cd_digest_free)

/* Lower-case hex SHA-256 of @length bytes. */
char     *cd_digest_sha256_hex (const void   *data,
                                gsize         length);

/* The SHA-256 of @stream from its current offset to its end, read in
 * CD_DIGEST_BLOCK_SIZE blocks.  @size_out gets the bytes hashed.
 * Cancellation is checked between blocks. */
char     *cd_digest_stream     (GInputStream  *stream,
                                gint64        *size_out,
                                GCancellable  *cancellable,
                                GError       **error);

/* The same, and sets (atomically) @done_kib (nullable) to the KiB hashed
 * so far after every block, for another thread to show the progress. */
char     *cd_digest_stream_counting (GInputStream  *stream,
                                     gint64        *size_out,
                                     gint          *done_kib,
                                     GCancellable  *cancellable,
                                     GError       **error);

/* The quick key: "SIZE:" and the SHA-256 of the first and the last MiB of
 * seekable @stream (of @size bytes).  Equal content gives an equal key, so
 * a different key proves the content differs; an equal key proves nothing
 * (a change in the middle keeps it): only the full digest can tell then. */
char     *cd_digest_quick_key  (GInputStream  *stream,
                                gint64         size,
                                GCancellable  *cancellable,
                                GError       **error);
/* The quick key's spans within a file of @size bytes: [0, *head_end) and
 * [*tail_start, @size), in that order. */
void      cd_digest_quick_spans (gint64        size,
                                 gint64       *head_end,
                                 gint64       *tail_start);
/* Returns: (transfer full): the quick key of a file of @size bytes whose
 * spans were fed to @digest; @digest is reset. */
char     *cd_digest_finish_quick_key (CdDigest *digest,
                                      gint64    size);

G_END_DECLS
