/* cd-upload-private.h: what the cd-upload*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-upload.h"

G_BEGIN_DECLS

/* The part header and the closing boundary around the package, with a
 * fresh random boundary, and the request's Content-Type.  (transfer full) */
void _cd_upload_build_envelope (const char  *filename,
                                GBytes     **preamble,
                                GBytes     **epilogue,
                                char       **content_type);

G_END_DECLS
