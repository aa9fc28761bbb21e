/* cd-sandbox-multipart.h: incremental multipart/form-data reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads a multipart/form-data body chunk by chunk, keeping only a window of
 * a few kilobytes, and hashes the content of the first part named @field. */
typedef struct _CdSandboxMultipart CdSandboxMultipart;

CdSandboxMultipart *_cd_sandbox_multipart_new          (const char          *boundary,
                                                        const char          *field);
void                _cd_sandbox_multipart_free         (CdSandboxMultipart  *self);
void                _cd_sandbox_multipart_feed         (CdSandboxMultipart  *self,
                                                        const guint8        *data,
                                                        gsize                len);
/* Fails when the body was malformed or ended before the closing boundary. */
gboolean            _cd_sandbox_multipart_finish       (CdSandboxMultipart  *self,
                                                        GError             **error);
gboolean            _cd_sandbox_multipart_found        (CdSandboxMultipart  *self);
const char         *_cd_sandbox_multipart_get_filename (CdSandboxMultipart  *self);
/* Where the part's content starts in the body (-1 before it does). */
goffset             _cd_sandbox_multipart_get_offset   (CdSandboxMultipart  *self);
goffset             _cd_sandbox_multipart_get_size     (CdSandboxMultipart  *self);
const char         *_cd_sandbox_multipart_get_sha256   (CdSandboxMultipart  *self);
/* The first bytes (up to 4) of the part, to sniff the file type. */
const guint8       *_cd_sandbox_multipart_get_magic    (CdSandboxMultipart  *self,
                                                        gsize               *len);

/* Reads a Content-Disposition value.  @filename understands both the HTML5
 * form encoding (raw UTF-8, %22 for a quote) and RFC 5987 filename*=. */
gboolean            _cd_sandbox_parse_disposition      (const char          *value,
                                                        char               **name,
                                                        char               **filename);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdSandboxMultipart, _cd_sandbox_multipart_free)

G_END_DECLS
