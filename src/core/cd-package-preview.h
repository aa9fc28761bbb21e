/* cd-package-preview.h: what a course package holds, read before upload
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Tested in this order (packages-and-verification.md §4.1). */
typedef enum {
  CD_PACKAGE_KIND_UNKNOWN,            /* a zip without imsmanifest.xml */
  CD_PACKAGE_KIND_COMMON_CARTRIDGE,
  CD_PACKAGE_KIND_BRIGHTSPACE,
  CD_PACKAGE_KIND_SCORM_12,
  CD_PACKAGE_KIND_SCORM_2004,
  CD_PACKAGE_KIND_QTI,
  CD_PACKAGE_KIND_IMS_CP,             /* a plain IMS content package */
} CdPackageKind;

/* What an outline node or a resource becomes in Brightspace (a heuristic). */
typedef enum {
  CD_PACKAGE_ITEM_MODULE,
  CD_PACKAGE_ITEM_FILE,
  CD_PACKAGE_ITEM_LINK,
  CD_PACKAGE_ITEM_DISCUSSION,
  CD_PACKAGE_ITEM_QUIZ,
  CD_PACKAGE_ITEM_QUESTION_BANK,
  CD_PACKAGE_ITEM_ASSIGNMENT,
  CD_PACKAGE_ITEM_LTI,
  CD_PACKAGE_ITEM_SCORM,
  CD_PACKAGE_ITEM_OTHER,
  CD_PACKAGE_N_ITEM_TYPES,
} CdPackageItemType;

/* One node of the outline: a module with children, or a topic. */
typedef struct _CdPackageOutlineItem CdPackageOutlineItem;

struct _CdPackageOutlineItem
{
  char              *title;     /* (owned) may be "" */
  CdPackageItemType  type;
  GPtrArray         *children;  /* (owned) (element-type CdPackageOutlineItem) */
};

CdPackageOutlineItem *cd_package_outline_item_new  (const char           *title,
                                                    CdPackageItemType     type);
void                  cd_package_outline_item_free (CdPackageOutlineItem *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdPackageOutlineItem, cd_package_outline_item_free)

/* Stable, untranslated names: "common-cartridge", "file", … (the JSON). */
const char *cd_package_kind_to_string      (CdPackageKind      kind);
const char *cd_package_item_type_to_string (CdPackageItemType  type);
/* Translated, for people: "Common Cartridge", "quiz". */
const char *cd_package_kind_to_label       (CdPackageKind      kind);

#define CD_TYPE_PACKAGE_PREVIEW (cd_package_preview_get_type ())

G_DECLARE_FINAL_TYPE (CdPackagePreview, cd_package_preview, CD, PACKAGE_PREVIEW, GObject)

CdPackagePreview *cd_package_preview_new              (void) G_GNUC_WARN_UNUSED_RESULT;

CdPackageKind     cd_package_preview_get_kind         (CdPackagePreview  *self);
/* "1.3", "2004 4th Edition", … or "" when the package does not say. */
const char       *cd_package_preview_get_version      (CdPackagePreview  *self);
/* The course title and code where the package names them, else "". */
const char       *cd_package_preview_get_title        (CdPackagePreview  *self);
const char       *cd_package_preview_get_code         (CdPackagePreview  *self);
guint             cd_package_preview_get_count        (CdPackagePreview  *self,
                                                       CdPackageItemType  type);
/* The top-level outline nodes. (element-type CdPackageOutlineItem) */
GPtrArray        *cd_package_preview_get_outline      (CdPackagePreview  *self);
/* Translated sentences. (element-type utf8) */
GPtrArray        *cd_package_preview_get_warnings     (CdPackagePreview  *self);
/* The archive: number of entries, sum of their uncompressed sizes, bytes
 * on disk. */
guint             cd_package_preview_get_entry_count  (CdPackagePreview  *self);
guint64           cd_package_preview_get_uncompressed_size (CdPackagePreview *self);
guint64           cd_package_preview_get_size         (CdPackagePreview  *self);

/* { kind, version, title, code, counts: {type: n}, outline: [{title,
 * type, children}], warnings: [string] }. */
JsonNode         *cd_package_preview_to_json          (CdPackagePreview  *self);

/* For the reader. */
void              cd_package_preview_set_kind         (CdPackagePreview  *self,
                                                       CdPackageKind      kind,
                                                       const char        *version);
void              cd_package_preview_set_title        (CdPackagePreview  *self,
                                                       const char        *title,
                                                       const char        *code);
void              cd_package_preview_add_count        (CdPackagePreview  *self,
                                                       CdPackageItemType  type);
/* Takes ownership of @item. */
void              cd_package_preview_add_outline      (CdPackagePreview  *self,
                                                       CdPackageOutlineItem *item);
void              cd_package_preview_add_warning      (CdPackagePreview  *self,
                                                       const char        *format,
                                                       ...) G_GNUC_PRINTF (2, 3);
void              cd_package_preview_set_archive      (CdPackagePreview  *self,
                                                       guint              entry_count,
                                                       guint64            uncompressed_size,
                                                       guint64            size);

const char       *cd_package_item_type_label          (CdPackageItemType  type);
char             *cd_package_item_format_count        (CdPackageItemType  type,
                                                       guint              n);

G_END_DECLS
