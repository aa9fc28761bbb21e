/* cd-package-manifest-private.h: what the manifest and reader units share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libxml/tree.h>

#include "cd-package-preview.h"

G_BEGIN_DECLS

/* The outline is for people: deeper nesting is cut (the XML parser itself
 * stops at 256 levels). */
#define CD_MANIFEST_MAX_OUTLINE_DEPTH 32

/* Local-name helpers (namespaces vary between exporters). */
gboolean    cd_manifest_is_element (xmlNodePtr  node,
                                    const char *name);
xmlNodePtr  cd_manifest_child      (xmlNodePtr  node,
                                    const char *name);
const char *cd_manifest_attr       (xmlNodePtr  node,
                                    const char *name,
                                    gboolean    ignore_case);
char       *cd_manifest_text       (xmlNodePtr  node);

/* Package text made safe to show in a message: valid UTF-8, control
 * characters replaced by U+FFFD, at most @max_chars characters. */
char       *cd_package_printable   (const char *text,
                                    gsize       max_chars);

/* The <resources> of a manifest: identifier → type, counts and the
 * warnings about them (cd-package-manifest-resources.c). */
typedef struct _CdManifestResources CdManifestResources;

CdManifestResources *cd_manifest_resources_new        (CdPackageKind         kind,
                                                       const char           *base,
                                                       GHashTable           *entries);
void                 cd_manifest_resources_free       (CdManifestResources  *self);
CdPackageKind        cd_manifest_resources_kind       (CdManifestResources  *self);
void                 cd_manifest_resources_read       (CdManifestResources  *self,
                                                       xmlNodePtr            resources,
                                                       CdPackagePreview     *preview);
gboolean             cd_manifest_resources_all_qti    (CdManifestResources  *self);
char                *cd_manifest_resources_qti_version (CdManifestResources *self);
/* The type of the resource an outline item points to. */
CdPackageItemType    cd_manifest_resources_item_type  (CdManifestResources  *self,
                                                       const char           *identifier);
void                 cd_manifest_resources_note_too_deep (CdManifestResources *self);
/* Adds the warnings gathered while reading. */
void                 cd_manifest_resources_finish     (CdManifestResources  *self,
                                                       CdPackagePreview     *preview);

G_END_DECLS
