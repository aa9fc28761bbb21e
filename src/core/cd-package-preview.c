/* cd-package-preview.c: what a course package holds, read before upload
 *
 * A plain result object: the reader fills it in a worker thread and hands
 * it over; after that nothing changes it, so any thread may read it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-package-preview.h"

struct _CdPackagePreview
{
  GObject        parent_instance;

  CdPackageKind  kind;
  char          *version;   /* (owned) */
  char          *title;     /* (owned) */
  char          *code;      /* (owned) */
  guint          counts[CD_PACKAGE_N_ITEM_TYPES];
  GPtrArray     *outline;   /* (owned) (element-type CdPackageOutlineItem) */
  GPtrArray     *warnings;  /* (owned) (element-type utf8) */
  guint          entry_count;
  guint64        uncompressed_size;
  guint64        size;
};

G_DEFINE_FINAL_TYPE (CdPackagePreview, cd_package_preview, G_TYPE_OBJECT)

static const char * const kind_names[] = {
  [CD_PACKAGE_KIND_UNKNOWN] = "unknown",
  [CD_PACKAGE_KIND_COMMON_CARTRIDGE] = "common-cartridge",
  [CD_PACKAGE_KIND_BRIGHTSPACE] = "brightspace",
  [CD_PACKAGE_KIND_SCORM_12] = "scorm-1.2",
  [CD_PACKAGE_KIND_SCORM_2004] = "scorm-2004",
  [CD_PACKAGE_KIND_QTI] = "qti",
  [CD_PACKAGE_KIND_IMS_CP] = "ims-content-package",
};

static const char * const kind_labels[] = {
  [CD_PACKAGE_KIND_UNKNOWN] = N_("Zip file without a manifest"),
  [CD_PACKAGE_KIND_COMMON_CARTRIDGE] = N_("Common Cartridge"),
  [CD_PACKAGE_KIND_BRIGHTSPACE] = N_("Brightspace package"),
  [CD_PACKAGE_KIND_SCORM_12] = N_("SCORM"),
  [CD_PACKAGE_KIND_SCORM_2004] = N_("SCORM"),
  [CD_PACKAGE_KIND_QTI] = N_("QTI assessment package"),
  [CD_PACKAGE_KIND_IMS_CP] = N_("IMS content package"),
};

static const char * const item_type_names[] = {
  [CD_PACKAGE_ITEM_MODULE] = "module",
  [CD_PACKAGE_ITEM_FILE] = "file",
  [CD_PACKAGE_ITEM_LINK] = "link",
  [CD_PACKAGE_ITEM_DISCUSSION] = "discussion",
  [CD_PACKAGE_ITEM_QUIZ] = "quiz",
  [CD_PACKAGE_ITEM_QUESTION_BANK] = "question-bank",
  [CD_PACKAGE_ITEM_ASSIGNMENT] = "assignment",
  [CD_PACKAGE_ITEM_LTI] = "lti",
  [CD_PACKAGE_ITEM_SCORM] = "scorm",
  [CD_PACKAGE_ITEM_OTHER] = "other",
};

G_STATIC_ASSERT (G_N_ELEMENTS (item_type_names) == CD_PACKAGE_N_ITEM_TYPES);

const char *
cd_package_kind_to_string (CdPackageKind kind)
{
  if ((guint)kind >= G_N_ELEMENTS (kind_names))
    return "unknown";
  return kind_names[kind];
}

const char *
cd_package_kind_to_label (CdPackageKind kind)
{
  if ((guint)kind >= G_N_ELEMENTS (kind_labels))
    kind = CD_PACKAGE_KIND_UNKNOWN;
  return g_dgettext (GETTEXT_PACKAGE, kind_labels[kind]);
}

const char *
cd_package_item_type_to_string (CdPackageItemType type)
{
  if ((guint)type >= G_N_ELEMENTS (item_type_names))
    return "other";
  return item_type_names[type];
}

CdPackageOutlineItem *
cd_package_outline_item_new (const char        *title,
                             CdPackageItemType  type)
{
  CdPackageOutlineItem *item = g_new0 (CdPackageOutlineItem, 1);

  item->title = g_strdup (title != NULL ? title : "");
  item->type = type;
  item->children = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_package_outline_item_free);
  return item;
}

void
cd_package_outline_item_free (CdPackageOutlineItem *item)
{
  if (item == NULL)
    return;
  g_free (item->title);
  g_ptr_array_unref (item->children);
  g_free (item);
}

static void
cd_package_preview_finalize (GObject *object)
{
  CdPackagePreview *self = CD_PACKAGE_PREVIEW (object);

  g_free (self->version);
  g_free (self->title);
  g_free (self->code);
  g_ptr_array_unref (self->outline);
  g_ptr_array_unref (self->warnings);

  G_OBJECT_CLASS (cd_package_preview_parent_class)->finalize (object);
}

static void
cd_package_preview_class_init (CdPackagePreviewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cd_package_preview_finalize;
}

static void
cd_package_preview_init (CdPackagePreview *self)
{
  self->version = g_strdup ("");
  self->title = g_strdup ("");
  self->code = g_strdup ("");
  self->outline = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_package_outline_item_free);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
}

CdPackagePreview *
cd_package_preview_new (void)
{
  return g_object_new (CD_TYPE_PACKAGE_PREVIEW, NULL);
}

CdPackageKind
cd_package_preview_get_kind (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), CD_PACKAGE_KIND_UNKNOWN);
  return self->kind;
}

const char *
cd_package_preview_get_version (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), "");
  return self->version;
}

const char *
cd_package_preview_get_title (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), "");
  return self->title;
}

const char *
cd_package_preview_get_code (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), "");
  return self->code;
}

guint
cd_package_preview_get_count (CdPackagePreview  *self,
                              CdPackageItemType  type)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), 0);
  g_return_val_if_fail ((guint)type < CD_PACKAGE_N_ITEM_TYPES, 0);
  return self->counts[type];
}

GPtrArray *
cd_package_preview_get_outline (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), NULL);
  return self->outline;
}

GPtrArray *
cd_package_preview_get_warnings (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), NULL);
  return self->warnings;
}

guint
cd_package_preview_get_entry_count (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), 0);
  return self->entry_count;
}

guint64
cd_package_preview_get_uncompressed_size (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), 0);
  return self->uncompressed_size;
}

guint64
cd_package_preview_get_size (CdPackagePreview *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), 0);
  return self->size;
}

void
cd_package_preview_set_kind (CdPackagePreview *self,
                             CdPackageKind     kind,
                             const char       *version)
{
  g_return_if_fail (CD_IS_PACKAGE_PREVIEW (self));
  self->kind = kind;
  g_free (self->version);
  self->version = g_strdup (version != NULL ? version : "");
}

void
cd_package_preview_set_title (CdPackagePreview *self,
                              const char       *title,
                              const char       *code)
{
  g_return_if_fail (CD_IS_PACKAGE_PREVIEW (self));
  g_free (self->title);
  self->title = g_strdup (title != NULL ? title : "");
  g_free (self->code);
  self->code = g_strdup (code != NULL ? code : "");
}

void
cd_package_preview_add_count (CdPackagePreview  *self,
                              CdPackageItemType  type)
{
  g_return_if_fail (CD_IS_PACKAGE_PREVIEW (self));
  g_return_if_fail ((guint)type < CD_PACKAGE_N_ITEM_TYPES);
  self->counts[type]++;
}

void
cd_package_preview_add_outline (CdPackagePreview     *self,
                                CdPackageOutlineItem *item)
{
  g_return_if_fail (CD_IS_PACKAGE_PREVIEW (self));
  g_ptr_array_add (self->outline, item);
}

void
cd_package_preview_add_warning (CdPackagePreview *self,
                                const char       *format,
                                ...)
{
  va_list args;

  g_return_if_fail (CD_IS_PACKAGE_PREVIEW (self));
  va_start (args, format);
  g_ptr_array_add (self->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

void
cd_package_preview_set_archive (CdPackagePreview *self,
                                guint             entry_count,
                                guint64           uncompressed_size,
                                guint64           size)
{
  g_return_if_fail (CD_IS_PACKAGE_PREVIEW (self));
  self->entry_count = entry_count;
  self->uncompressed_size = uncompressed_size;
  self->size = size;
}

static JsonNode *
outline_to_json (GPtrArray *items)
{
  JsonArray *array = json_array_sized_new (items->len);
  JsonNode *node;

  for (guint i = 0; i < items->len; i++)
    {
      CdPackageOutlineItem *item = g_ptr_array_index (items, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "title", item->title);
      json_object_set_string_member (object, "type", cd_package_item_type_to_string (item->type));
      json_object_set_member (object, "children", outline_to_json (item->children));
      json_array_add_object_element (array, object);
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

JsonNode *
cd_package_preview_to_json (CdPackagePreview *self)
{
  JsonNode *node;
  JsonObject *root;
  JsonObject *counts;
  JsonArray *warnings;

  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (self), NULL);

  root = json_object_new ();
  json_object_set_string_member (root, "kind", cd_package_kind_to_string (self->kind));
  json_object_set_string_member (root, "version", self->version);
  json_object_set_string_member (root, "title", self->title);
  json_object_set_string_member (root, "code", self->code);

  /* Every type, zeros included: scripts need not test for presence. */
  counts = json_object_new ();
  for (guint i = 0; i < CD_PACKAGE_N_ITEM_TYPES; i++)
    json_object_set_int_member (counts, item_type_names[i], self->counts[i]);
  json_object_set_object_member (root, "counts", counts);

  json_object_set_member (root, "outline", outline_to_json (self->outline));

  warnings = json_array_sized_new (self->warnings->len);
  for (guint i = 0; i < self->warnings->len; i++)
    json_array_add_string_element (warnings, g_ptr_array_index (self->warnings, i));
  json_object_set_array_member (root, "warnings", warnings);

  json_object_set_int_member (root, "entries", self->entry_count);
  json_object_set_int_member (root, "size", (gint64)self->size);
  json_object_set_int_member (root, "uncompressed-size", (gint64)self->uncompressed_size);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, root);
  return node;
}

/* A type's name in the outline: "quiz", "LTI link". */
const char *
cd_package_item_type_label (CdPackageItemType type)
{
  switch (type)
    {
    case CD_PACKAGE_ITEM_MODULE: return C_("package item", "module");
    case CD_PACKAGE_ITEM_FILE: return C_("package item", "file");
    case CD_PACKAGE_ITEM_LINK: return C_("package item", "link");
    case CD_PACKAGE_ITEM_DISCUSSION: return C_("package item", "discussion");
    case CD_PACKAGE_ITEM_QUIZ: return C_("package item", "quiz");
    case CD_PACKAGE_ITEM_QUESTION_BANK: return C_("package item", "question bank");
    case CD_PACKAGE_ITEM_ASSIGNMENT: return C_("package item", "assignment");
    case CD_PACKAGE_ITEM_LTI: return C_("package item", "LTI link");
    case CD_PACKAGE_ITEM_SCORM: return C_("package item", "SCORM object");
    case CD_PACKAGE_ITEM_OTHER:
    case CD_PACKAGE_N_ITEM_TYPES:
    default: return C_("package item", "other");
    }
}

/* "3 quizzes": the counts `coursedrop-cli inspect` prints and the window
 * shows, in one translation. */
char *
cd_package_item_format_count (CdPackageItemType type,
                                 guint             n)
{
  switch (type)
    {
    case CD_PACKAGE_ITEM_MODULE: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u module", "%u modules", n), n);
    case CD_PACKAGE_ITEM_FILE: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file", "%u files", n), n);
    case CD_PACKAGE_ITEM_LINK: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u link", "%u links", n), n);
    case CD_PACKAGE_ITEM_DISCUSSION: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u discussion", "%u discussions", n), n);
    case CD_PACKAGE_ITEM_QUIZ: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u quiz", "%u quizzes", n), n);
    case CD_PACKAGE_ITEM_QUESTION_BANK: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u question bank", "%u question banks", n), n);
    case CD_PACKAGE_ITEM_ASSIGNMENT: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u assignment", "%u assignments", n), n);
    case CD_PACKAGE_ITEM_LTI: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u LTI link", "%u LTI links", n), n);
    case CD_PACKAGE_ITEM_SCORM: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u SCORM object", "%u SCORM objects", n), n);
    case CD_PACKAGE_ITEM_OTHER:
    case CD_PACKAGE_N_ITEM_TYPES:
    default: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u other item", "%u other items", n), n);
    }
}
