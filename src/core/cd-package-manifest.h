/* cd-package-manifest.h: imsmanifest.xml → kind, outline, counts, warnings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-package-preview.h"

G_BEGIN_DECLS

/* Parses the manifest @data (@len bytes, any encoding XML allows) into
 * @preview.  @base is the manifest's folder inside the zip ("" at the top,
 * else "folder/"); @entries (nullable) is the set of the zip's entry names,
 * to warn about files the manifest names but the zip lacks.  Refuses
 * (CD_PACKAGE_READER_ERROR) XML that is not well-formed, is not a manifest
 * or declares entities; never loads anything from the network or disk. */
gboolean cd_package_manifest_parse (const char        *data,
                                    gsize              len,
                                    const char        *base,
                                    GHashTable        *entries,
                                    CdPackagePreview  *preview,
                                    GError           **error);

G_END_DECLS
