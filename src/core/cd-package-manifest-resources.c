/* cd-package-manifest-resources.c: a manifest's <resources>, typed
 *
 * Each resource is counted once, by what it likely becomes in Brightspace
 * (packages-and-verification.md §3.4 step 3, a heuristic): Common Cartridge
 * by its type string, Brightspace packages by d2l_2p0:material_type, SCORM
 * by adlcp:scormtype.  "associatedcontent" resources are files owned by
 * another object (an assignment's attachments), so they are not counted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-package-manifest-private.h"

/* Warnings name a few examples, not hundreds. */
#define MAX_EXAMPLES 3

struct _CdManifestResources
{
  CdPackageKind  kind;
  char          *base;          /* (owned) the manifest's folder in the zip */
  GHashTable    *entries;       /* (unowned) (nullable) the zip's entry names */
  GHashTable    *types;         /* (owned) identifier → CdPackageItemType + 1 */
  GHashTable    *unknown;       /* (owned) type string → count */
  GHashTable    *missing;       /* (owned) set of paths */
  GPtrArray     *missing_order; /* (owned) (element-type utf8) the first few, in order */
  char          *qti_type;      /* (owned) (nullable) the first QTI type seen */
  guint          qti;           /* resources of a QTI type */
  guint          non_qti;       /* typed resources of any other type */
  guint          dangling;      /* outline items pointing nowhere */
  gboolean       too_deep;
};

typedef struct
{
  const char        *name;
  CdPackageItemType  type;
} TypeName;

/* §4.3: seen in Brightspace exports; the full list is not published. */
static const TypeName material_types[] = {
  { "contentmodule", CD_PACKAGE_ITEM_MODULE },
  { "contentlink", CD_PACKAGE_ITEM_LINK },
  { "content", CD_PACKAGE_ITEM_FILE },
  { "d2lquiz", CD_PACKAGE_ITEM_QUIZ },
  { "d2ldropbox", CD_PACKAGE_ITEM_ASSIGNMENT },
  { "d2ldiscussion", CD_PACKAGE_ITEM_DISCUSSION },
  { "d2ldiscussions", CD_PACKAGE_ITEM_DISCUSSION },
  { "d2lquestionlibrary", CD_PACKAGE_ITEM_QUESTION_BANK },
  { "d2lsyllabus", CD_PACKAGE_ITEM_OTHER },
  { "orgunitconfig", CD_PACKAGE_ITEM_OTHER },
  { "d2lgrades", CD_PACKAGE_ITEM_OTHER },
  { "d2lrubrics", CD_PACKAGE_ITEM_OTHER },
  { "d2lcompetency", CD_PACKAGE_ITEM_OTHER },
};

/* §4.2, by prefix: the suffix carries the CC version (v1p0 … v1p3). */
static const TypeName cc_type_prefixes[] = {
  { "imswl_xmlv1p", CD_PACKAGE_ITEM_LINK },
  { "imsdt_xmlv1p", CD_PACKAGE_ITEM_DISCUSSION },
  { "imsbasiclti_xmlv1p", CD_PACKAGE_ITEM_LTI },
  { "assignment_xmlv1p", CD_PACKAGE_ITEM_ASSIGNMENT },
};

char *
cd_package_printable (const char *text,
                      gsize       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *out = g_string_new (NULL);
  gsize n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029)
        g_string_append_unichar (out, 0xfffd);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

CdManifestResources *
cd_manifest_resources_new (CdPackageKind  kind,
                           const char    *base,
                           GHashTable    *entries)
{
  CdManifestResources *self = g_new0 (CdManifestResources, 1);

  self->kind = kind;
  self->base = g_strdup (base);
  self->entries = entries;
  self->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->unknown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->missing_order = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
cd_manifest_resources_free (CdManifestResources *self)
{
  g_free (self->base);
  g_hash_table_unref (self->types);
  g_hash_table_unref (self->unknown);
  g_hash_table_unref (self->missing);
  g_ptr_array_unref (self->missing_order);
  g_free (self->qti_type);
  g_free (self);
}

CdPackageKind
cd_manifest_resources_kind (CdManifestResources *self)
{
  return self->kind;
}

static void
note_unknown (CdManifestResources *self,
              const char          *type)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->unknown, type));

  g_hash_table_replace (self->unknown, g_strdup (type), GUINT_TO_POINTER (n + 1));
}

/* Sets *@counted to FALSE for resources that are not items of their own. */
static CdPackageItemType
resource_type (CdManifestResources *self,
               xmlNodePtr           resource,
               gboolean            *counted)
{
  const char *type = cd_manifest_attr (resource, "type", FALSE);
  const char *material = cd_manifest_attr (resource, "material_type", FALSE);

  *counted = TRUE;

  if (self->kind == CD_PACKAGE_KIND_BRIGHTSPACE && material != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (material_types); i++)
        if (strcmp (material, material_types[i].name) == 0)
          return material_types[i].type;
      note_unknown (self, material);
      return CD_PACKAGE_ITEM_OTHER;
    }

  if (type == NULL || type[0] == '\0')
    {
      note_unknown (self, "");
      return CD_PACKAGE_ITEM_OTHER;
    }

  if (strcmp (type, "webcontent") == 0)
    {
      const char *scorm = cd_manifest_attr (resource, "scormtype", TRUE);

      return scorm != NULL && g_ascii_strcasecmp (scorm, "sco") == 0
        ? CD_PACKAGE_ITEM_SCORM : CD_PACKAGE_ITEM_FILE;
    }
  if (g_str_has_prefix (type, "associatedcontent/"))
    {
      *counted = FALSE;
      return CD_PACKAGE_ITEM_FILE;
    }

  if (g_str_has_prefix (type, "imsqti_"))
    {
      self->qti++;
      if (self->qti_type == NULL)
        self->qti_type = g_strdup (type);
      /* Question banks and single items go to the question library. */
      return g_str_has_suffix (type, "/question-bank") || strstr (type, "_item_") != NULL
        ? CD_PACKAGE_ITEM_QUESTION_BANK : CD_PACKAGE_ITEM_QUIZ;
    }

  self->non_qti++;
  for (guint i = 0; i < G_N_ELEMENTS (cc_type_prefixes); i++)
    if (g_str_has_prefix (type, cc_type_prefixes[i].name))
      return cc_type_prefixes[i].type;

  note_unknown (self, type);
  return CD_PACKAGE_ITEM_OTHER;
}

/* A URI reference with a scheme ("https:", "mailto:") or a host is not a
 * file of the package. */
static gboolean
is_external (const char *href)
{
  const char *p = href;

  if (g_str_has_prefix (href, "//"))
    return TRUE;
  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  return *p == ':';
}

/* base + xml:base + href, with "." and ".." resolved; NULL when it is not
 * a path inside the package. */
static char *
resolve_path (const char *base,
              const char *resources_base,
              const char *resource_base,
              const char *href)
{
  g_autofree char *joined = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  gsize cut;

  if (href == NULL || is_external (href) ||
      (resources_base != NULL && is_external (resources_base)) ||
      (resource_base != NULL && is_external (resource_base)))
    return NULL;

  cut = strcspn (href, "#?");
  if (cut == 0)
    return NULL;
  joined = g_strdup_printf ("%s%s%s%.*s", base, resources_base != NULL ? resources_base : "",
                            resource_base != NULL ? resource_base : "", (int)cut, href);

  parts = g_strsplit (joined, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0 && kept->len > 0 &&
          strcmp (g_ptr_array_index (kept, kept->len - 1), "..") != 0)
        g_ptr_array_remove_index (kept, kept->len - 1);
      else
        g_ptr_array_add (kept, parts[i]);
    }
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **)kept->pdata);
}

static void
check_file (CdManifestResources *self,
            const char          *resources_base,
            const char          *resource_base,
            const char          *href)
{
  g_autofree char *path = resolve_path (self->base, resources_base, resource_base, href);
  g_autofree char *unescaped = NULL;

  if (path == NULL || path[0] == '\0' || self->entries == NULL ||
      g_hash_table_contains (self->entries, path))
    return;
  /* Manifests hold URI references: "My%20Notes.html" is "My Notes.html". */
  unescaped = g_uri_unescape_string (path, NULL);
  if (unescaped != NULL && g_hash_table_contains (self->entries, unescaped))
    return;
  if (g_hash_table_add (self->missing, g_strdup (path)) && self->missing_order->len < MAX_EXAMPLES)
    g_ptr_array_add (self->missing_order, g_strdup (path));
}

void
cd_manifest_resources_read (CdManifestResources *self,
                            xmlNodePtr           resources,
                            CdPackagePreview    *preview)
{
  const char *resources_base = resources != NULL ? cd_manifest_attr (resources, "base", FALSE) : NULL;

  for (xmlNodePtr resource = resources != NULL ? resources->children : NULL; resource != NULL;
       resource = resource->next)
    {
      const char *id = cd_manifest_attr (resource, "identifier", FALSE);
      const char *resource_base;
      gboolean counted;
      CdPackageItemType type;

      if (!cd_manifest_is_element (resource, "resource"))
        continue;
      type = resource_type (self, resource, &counted);
      if (counted)
        cd_package_preview_add_count (preview, type);
      if (id != NULL)
        g_hash_table_replace (self->types, g_strdup (id), GINT_TO_POINTER (type + 1));

      resource_base = cd_manifest_attr (resource, "base", FALSE);
      check_file (self, resources_base, resource_base, cd_manifest_attr (resource, "href", FALSE));
      for (xmlNodePtr file = resource->children; file != NULL; file = file->next)
        if (cd_manifest_is_element (file, "file"))
          check_file (self, resources_base, resource_base, cd_manifest_attr (file, "href", FALSE));
    }
}

gboolean
cd_manifest_resources_all_qti (CdManifestResources *self)
{
  return self->qti > 0 && self->non_qti == 0;
}

/* "imsqti_xmlv1p2" → "1.2", "imsqti_item_xmlv2p1" → "2.1". */
char *
cd_manifest_resources_qti_version (CdManifestResources *self)
{
  const char *v = self->qti_type != NULL ? strstr (self->qti_type, "xmlv") : NULL;

  if (v != NULL && g_ascii_isdigit (v[4]) && v[5] == 'p' && g_ascii_isdigit (v[6]))
    return g_strdup_printf ("%c.%c", v[4], v[6]);
  return g_strdup ("");
}

CdPackageItemType
cd_manifest_resources_item_type (CdManifestResources *self,
                                 const char          *identifier)
{
  gpointer value = g_hash_table_lookup (self->types, identifier);

  if (value == NULL)
    {
      self->dangling++;
      return CD_PACKAGE_ITEM_OTHER;
    }
  return (CdPackageItemType)(GPOINTER_TO_INT (value) - 1);
}

void
cd_manifest_resources_note_too_deep (CdManifestResources *self)
{
  self->too_deep = TRUE;
}

static char *
join_examples (GPtrArray *names)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *shown = cd_package_printable (g_ptr_array_index (names, i), 80);

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "“%s”", shown);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
warn_unknown (CdManifestResources *self,
              CdPackagePreview    *preview)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *examples = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint total = 0;
  guint kinds = g_hash_table_size (self->unknown);

  if (kinds == 0)
    return;
  g_hash_table_iter_init (&iter, self->unknown);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      total += GPOINTER_TO_UINT (value);
      if (names->len < MAX_EXAMPLES)
        g_ptr_array_add (names, key);
    }
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);  /* the same text every run */
  examples = join_examples (names);
  cd_package_preview_add_warning (preview,
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "%u resource has a type Coursedrop does not know (%s); Brightspace may skip it.",
                                               "%u resources have types Coursedrop does not know (%s); Brightspace may skip them.",
                                               total),
                                  total, examples);
}

void
cd_manifest_resources_finish (CdManifestResources *self,
                              CdPackagePreview    *preview)
{
  guint missing = g_hash_table_size (self->missing);
  guint lti = cd_package_preview_get_count (preview, CD_PACKAGE_ITEM_LTI);

  if (missing > 0)
    {
      g_autofree char *examples = join_examples (self->missing_order);

      cd_package_preview_add_warning (preview,
                                      g_dngettext (GETTEXT_PACKAGE,
                                                   "The manifest names %u file that is not in the package: %s.",
                                                   "The manifest names %u files that are not in the package, such as %s.",
                                                   missing),
                                      missing, examples);
    }
  warn_unknown (self, preview);
  if (self->dangling > 0)
    cd_package_preview_add_warning (preview,
                                    g_dngettext (GETTEXT_PACKAGE,
                                                 "%u outline item points to a resource the manifest lacks.",
                                                 "%u outline items point to resources the manifest lacks.",
                                                 self->dangling),
                                    self->dangling);
  if (lti > 0)
    cd_package_preview_add_warning (preview,
                                    g_dngettext (GETTEXT_PACKAGE,
                                                 "%u LTI link needs its external tool set up in Brightspace before it works.",
                                                 "%u LTI links need their external tools set up in Brightspace before they work.",
                                                 lti),
                                    lti);
  if (self->too_deep)
    cd_package_preview_add_warning (preview, _("The outline is nested deeper than %u levels; the deeper items are not shown."),
                                    (guint)CD_MANIFEST_MAX_OUTLINE_DEPTH);
}
