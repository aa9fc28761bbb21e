/* cd-package-manifest.c: imsmanifest.xml → kind, outline, counts, warnings
 *
 * The manifest comes from whoever made the package, so libxml2 runs with
 * the network off, without entity substitution or DTD loading, within its
 * default size and depth limits, and any entity declaration stops the
 * parse: a billion-laughs or XXE manifest is refused, never expanded.
 *
 * Elements are matched by local name: exporters disagree on prefixes and
 * even on namespaces (packages-and-verification.md §4), and the kind is
 * decided by the namespaces declared, in the order of §4.1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cd-package-manifest.h"
#include "cd-package-manifest-private.h"
#include "cd-package-reader.h"

#define NS_D2L        "http://desire2learn.com/xsd/d2lcp_v2p0"
#define NS_CC_10      "http://www.imsglobal.org/xsd/imscc/imscp_v1p1"
#define NS_CC_PREFIX  "http://www.imsglobal.org/xsd/imsccv1p"
#define NS_SCORM_12   "http://www.adlnet.org/xsd/adlcp_rootv1p2"
#define NS_SCORM_2004 "http://www.adlnet.org/xsd/adlcp_v1p3"

static void
refuse_entity_decl (void          *ctx,
                    const xmlChar *name,
                    int            type,
                    const xmlChar *public_id,
                    const xmlChar *system_id,
                    xmlChar       *content)
{
  xmlParserCtxtPtr ctxt = ctx;

  ctxt->_private = GINT_TO_POINTER (TRUE);
  xmlStopParser (ctxt);
}

static xmlDocPtr
parse_xml (const char  *data,
           gsize        len,
           GError     **error)
{
  static gsize initialized;
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;
  gboolean had_entities;

  /* libxml2 wants this once, before threads use it. */
  if (g_once_init_enter (&initialized))
    {
      xmlInitParser ();
      g_once_init_leave (&initialized, 1);
    }

  if (len > CD_PACKAGE_READER_MAX_MANIFEST || len > G_MAXINT)
    {
      g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_MANIFEST_TOO_LARGE,
                   _("The package’s imsmanifest.xml is larger than %u MiB."),
                   CD_PACKAGE_READER_MAX_MANIFEST / (1024 * 1024));
      return NULL;
    }

  if (!(ctxt = xmlNewParserCtxt ()))
    g_error ("libxml2: out of memory");
  ctxt->sax->entityDecl = refuse_entity_decl;
  ctxt->_private = GINT_TO_POINTER (FALSE);
  /* No XML_PARSE_NOENT (substitution), DTDLOAD, DTDATTR or HUGE. */
  doc = xmlCtxtReadMemory (ctxt, data, (int)len, "imsmanifest.xml", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  had_entities = GPOINTER_TO_INT (ctxt->_private);

  if (had_entities || doc == NULL || !ctxt->wellFormed)
    {
      const xmlError *xml_error = xmlCtxtGetLastError (ctxt);

      if (had_entities)
        g_set_error_literal (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_MANIFEST_ENTITIES,
                             _("The package’s imsmanifest.xml declares XML entities, which course packages do not use and attacks do."));
      else
        g_set_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_BAD_MANIFEST,
                     _("The package’s imsmanifest.xml is not well-formed XML (line %d)."),
                     xml_error != NULL ? xml_error->line : 0);
      g_clear_pointer (&doc, xmlFreeDoc);
    }

  xmlFreeParserCtxt (ctxt);
  return doc;
}

gboolean
cd_manifest_is_element (xmlNodePtr  node,
                        const char *name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE && strcmp ((const char *)node->name, name) == 0;
}

xmlNodePtr
cd_manifest_child (xmlNodePtr  node,
                   const char *name)
{
  for (xmlNodePtr child = node != NULL ? node->children : NULL; child != NULL; child = child->next)
    if (cd_manifest_is_element (child, name))
      return child;
  return NULL;
}

/* An attribute by local name, whatever its namespace (d2l_2p0:material_type,
 * adlcp:scormtype or scormType). */
const char *
cd_manifest_attr (xmlNodePtr  node,
                  const char *name,
                  gboolean    ignore_case)
{
  for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next)
    {
      const char *attr_name = (const char *)attr->name;

      if (ignore_case ? g_ascii_strcasecmp (attr_name, name) == 0 : strcmp (attr_name, name) == 0)
        {
          if (attr->children != NULL && attr->children->type == XML_TEXT_NODE &&
              attr->children->next == NULL && attr->children->content != NULL)
            return (const char *)attr->children->content;
          return "";
        }
    }
  return NULL;
}

/* The element's text, whitespace collapsed; "" when none. */
char *
cd_manifest_text (xmlNodePtr node)
{
  xmlChar *content = node != NULL ? xmlNodeGetContent (node) : NULL;
  g_auto(GStrv) words = NULL;

  if (content == NULL)
    return g_strdup ("");
  words = g_strsplit_set ((const char *)content, " \t\r\n", -1);
  xmlFree (content);
  {
    g_autoptr(GString) text = g_string_new (NULL);

    for (guint i = 0; words[i] != NULL; i++)
      {
        if (words[i][0] == '\0')
          continue;
        if (text->len > 0)
          g_string_append_c (text, ' ');
        g_string_append (text, words[i]);
      }
    return g_string_free (g_steal_pointer (&text), FALSE);
  }
}

/* The first non-empty string/langstring under @node (LOM wraps every text
 * in one of these, per language). */
static char *
lom_string (xmlNodePtr node)
{
  for (xmlNodePtr child = node != NULL ? node->children : NULL; child != NULL; child = child->next)
    {
      if (cd_manifest_is_element (child, "string") || cd_manifest_is_element (child, "langstring"))
        {
          g_autofree char *text = cd_manifest_text (child);

          if (text[0] != '\0')
            return g_steal_pointer (&text);
        }
    }
  return NULL;
}

static void
collect_namespaces (xmlNodePtr  node,
                    GHashTable *namespaces)
{
  for (; node != NULL; node = node->next)
    {
      if (node->type != XML_ELEMENT_NODE)
        continue;
      for (xmlNsPtr ns = node->nsDef; ns != NULL; ns = ns->next)
        if (ns->href != NULL)
          g_hash_table_add (namespaces, g_strdup ((const char *)ns->href));
      collect_namespaces (node->children, namespaces);
    }
}

/* "1.3.0" → "1.3". */
static char *
short_version (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", 3);

  if (parts[0] != NULL && parts[1] != NULL)
    return g_strdup_printf ("%s.%s", parts[0], parts[1]);
  return g_strdup (text);
}

static gboolean
has_namespace (GHashTable *namespaces,
               const char *href)
{
  return g_hash_table_contains (namespaces, href);
}

/* §4.1: Brightspace, then Common Cartridge, then SCORM; QTI and plain IMS
 * content packages are told apart later, by their resources. */
static CdPackageKind
detect_kind (xmlNodePtr   root,
             GHashTable  *namespaces,
             char       **version)
{
  xmlNodePtr metadata = cd_manifest_child (root, "metadata");
  g_autofree char *schema = cd_manifest_text (cd_manifest_child (metadata, "schema"));
  g_autofree char *schema_version = cd_manifest_text (cd_manifest_child (metadata, "schemaversion"));
  const char *root_ns = root->ns != NULL ? (const char *)root->ns->href : "";

  if (has_namespace (namespaces, NS_D2L))
    {
      *version = g_strdup ("");
      return CD_PACKAGE_KIND_BRIGHTSPACE;
    }

  if (strcmp (root_ns, NS_CC_10) == 0)
    {
      *version = g_strdup ("1.0");
      return CD_PACKAGE_KIND_COMMON_CARTRIDGE;
    }
  if (g_str_has_prefix (root_ns, NS_CC_PREFIX) && g_ascii_isdigit (root_ns[strlen (NS_CC_PREFIX)]))
    {
      *version = g_strdup_printf ("1.%c", root_ns[strlen (NS_CC_PREFIX)]);
      return CD_PACKAGE_KIND_COMMON_CARTRIDGE;
    }
  if (g_ascii_strcasecmp (schema, "IMS Common Cartridge") == 0)
    {
      *version = short_version (schema_version);
      return CD_PACKAGE_KIND_COMMON_CARTRIDGE;
    }

  if (has_namespace (namespaces, NS_SCORM_2004) || g_str_has_prefix (schema_version, "2004") ||
      g_str_has_prefix (schema_version, "CAM 1.3"))
    {
      *version = g_strdup (g_str_has_prefix (schema_version, "2004") ? schema_version : "2004");
      return CD_PACKAGE_KIND_SCORM_2004;
    }
  if (has_namespace (namespaces, NS_SCORM_12) ||
      (g_ascii_strcasecmp (schema, "ADL SCORM") == 0 && strcmp (schema_version, "1.2") == 0))
    {
      *version = g_strdup ("1.2");
      return CD_PACKAGE_KIND_SCORM_12;
    }

  *version = g_strdup (schema_version);
  return CD_PACKAGE_KIND_IMS_CP;
}

/* LOM general/title and, in Brightspace packages, general/keyword = the
 * offering code (§4.3); else the default organization's title. */
static void
read_title (xmlNodePtr        root,
            CdPackageKind     kind,
            xmlNodePtr        organization,
            CdPackagePreview *preview)
{
  xmlNodePtr metadata = cd_manifest_child (root, "metadata");
  xmlNodePtr general = cd_manifest_child (cd_manifest_child (metadata, "lom"), "general");
  g_autofree char *title = lom_string (cd_manifest_child (general, "title"));
  g_autofree char *code = NULL;

  if (kind == CD_PACKAGE_KIND_BRIGHTSPACE)
    code = lom_string (cd_manifest_child (general, "keyword"));
  if (title == NULL && organization != NULL)
    title = cd_manifest_text (cd_manifest_child (organization, "title"));

  cd_package_preview_set_title (preview, title, code);
}

static xmlNodePtr
default_organization (xmlNodePtr root)
{
  xmlNodePtr organizations = cd_manifest_child (root, "organizations");
  const char *wanted;

  if (organizations == NULL)
    return NULL;
  wanted = cd_manifest_attr (organizations, "default", FALSE);
  if (wanted != NULL)
    for (xmlNodePtr child = organizations->children; child != NULL; child = child->next)
      {
        const char *id;

        if (cd_manifest_is_element (child, "organization") &&
            (id = cd_manifest_attr (child, "identifier", FALSE)) != NULL && strcmp (id, wanted) == 0)
          return child;
      }
  return cd_manifest_child (organizations, "organization");
}

static CdPackageOutlineItem *
outline_item (CdManifestResources *resources,
              xmlNodePtr           item,
              guint                depth,
              CdPackagePreview    *preview)
{
  g_autofree char *title = cd_manifest_text (cd_manifest_child (item, "title"));
  const char *ref = cd_manifest_attr (item, "identifierref", FALSE);
  CdPackageItemType type = CD_PACKAGE_ITEM_MODULE;
  CdPackageOutlineItem *node;

  if (ref != NULL)
    type = cd_manifest_resources_item_type (resources, ref);
  else if (cd_manifest_resources_kind (resources) != CD_PACKAGE_KIND_BRIGHTSPACE)
    cd_package_preview_add_count (preview, CD_PACKAGE_ITEM_MODULE);

  node = cd_package_outline_item_new (title, type);
  for (xmlNodePtr child = item->children; child != NULL; child = child->next)
    {
      if (!cd_manifest_is_element (child, "item"))
        continue;
      if (depth >= CD_MANIFEST_MAX_OUTLINE_DEPTH)
        {
          cd_manifest_resources_note_too_deep (resources);
          break;
        }
      g_ptr_array_add (node->children, outline_item (resources, child, depth + 1, preview));
    }
  return node;
}

static void
read_outline (CdManifestResources *resources,
              xmlNodePtr           organization,
              CdPackagePreview    *preview)
{
  xmlNodePtr first = cd_manifest_child (organization, "item");
  xmlNodePtr parent = organization;

  if (organization == NULL)
    return;

  /* A cartridge's organization holds exactly one untitled root item
   * (§4.2: "LearningModules" or "root"): its children are the modules. */
  if (cd_manifest_resources_kind (resources) == CD_PACKAGE_KIND_COMMON_CARTRIDGE && first != NULL &&
      cd_manifest_attr (first, "identifierref", FALSE) == NULL)
    {
      gboolean only = TRUE;

      for (xmlNodePtr other = first->next; other != NULL; other = other->next)
        if (cd_manifest_is_element (other, "item"))
          only = FALSE;
      if (only)
        parent = first;
    }

  for (xmlNodePtr child = parent->children; child != NULL; child = child->next)
    if (cd_manifest_is_element (child, "item"))
      cd_package_preview_add_outline (preview, outline_item (resources, child, 0, preview));
}

gboolean
cd_package_manifest_parse (const char        *data,
                           gsize              len,
                           const char        *base,
                           GHashTable        *entries,
                           CdPackagePreview  *preview,
                           GError           **error)
{
  g_autoptr(GHashTable) namespaces = NULL;
  g_autofree char *version = NULL;
  CdManifestResources *resources;
  xmlDocPtr doc;
  xmlNodePtr root;
  xmlNodePtr organization;
  CdPackageKind kind;

  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (preview), FALSE);

  if (!(doc = parse_xml (data, len, error)))
    return FALSE;

  root = xmlDocGetRootElement (doc);
  if (!cd_manifest_is_element (root, "manifest"))
    {
      g_set_error_literal (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_BAD_MANIFEST,
                           _("The package’s imsmanifest.xml is not an IMS manifest."));
      xmlFreeDoc (doc);
      return FALSE;
    }

  namespaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  collect_namespaces (root, namespaces);
  kind = detect_kind (root, namespaces, &version);

  resources = cd_manifest_resources_new (kind, base != NULL ? base : "", entries);
  cd_manifest_resources_read (resources, cd_manifest_child (root, "resources"), preview);
  /* QTI-only: every typed resource is an assessment or item (§4.1). */
  if (kind == CD_PACKAGE_KIND_IMS_CP && cd_manifest_resources_all_qti (resources))
    {
      kind = CD_PACKAGE_KIND_QTI;
      g_free (version);
      version = cd_manifest_resources_qti_version (resources);
    }
  cd_package_preview_set_kind (preview, kind, version);

  organization = default_organization (root);
  read_title (root, kind, organization, preview);
  read_outline (resources, organization, preview);
  cd_manifest_resources_finish (resources, preview);

  cd_manifest_resources_free (resources);
  xmlFreeDoc (doc);
  return TRUE;
}
