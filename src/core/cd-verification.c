/* cd-verification.c: comparing what an import added with what was expected
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-import-status.h"
#include "cd-json.h"
#include "cd-verification.h"

CdContentItem *
cd_content_item_new (CdPackageItemType  type,
                     const char        *title)
{
  CdContentItem *item = g_new0 (CdContentItem, 1);

  item->type = (guint)type < CD_PACKAGE_N_ITEM_TYPES ? type : CD_PACKAGE_ITEM_OTHER;
  item->title = g_utf8_make_valid (title != NULL ? title : "", -1);
  item->key = cd_verification_normalize_title (item->title);

  return item;
}

void
cd_content_item_free (CdContentItem *item)
{
  if (item == NULL)
    return;

  g_free (item->title);
  g_free (item->key);
  g_free (item);
}

CdContentSnapshot *
cd_content_snapshot_new (void)
{
  CdContentSnapshot *self = g_new0 (CdContentSnapshot, 1);

  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_content_item_free);
  self->broken = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_content_item_free);

  return self;
}

void
cd_content_snapshot_free (CdContentSnapshot *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->items);
  g_ptr_array_unref (self->broken);
  g_free (self);
}

void
cd_content_snapshot_add (CdContentSnapshot *self,
                         CdPackageItemType  type,
                         const char        *title)
{
  g_ptr_array_add (self->items, cd_content_item_new (type, title));
}

void
cd_content_snapshot_add_broken (CdContentSnapshot *self,
                                CdPackageItemType  type,
                                const char        *title)
{
  g_ptr_array_add (self->broken, cd_content_item_new (type, title));
}

static CdVerification *
verification_new (void)
{
  CdVerification *self = g_new0 (CdVerification, 1);

  self->missing = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_content_item_free);
  self->broken = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_content_item_free);
  self->warnings = g_ptr_array_new_with_free_func (g_free);

  return self;
}

CdVerification *
cd_verification_new_not_verified (const char *reason)
{
  CdVerification *self = verification_new ();

  self->not_verified = g_utf8_make_valid (reason != NULL ? reason : "", -1);
  return self;
}

void
cd_verification_free (CdVerification *self)
{
  if (self == NULL)
    return;

  g_free (self->not_verified);
  g_ptr_array_unref (self->missing);
  g_ptr_array_unref (self->broken);
  g_ptr_array_unref (self->warnings);
  g_free (self);
}

/* Normalising titles */

static const struct { const char *name; gunichar c; } entities[] = {
  { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
  { "nbsp", 0xa0 },
};

/* Decodes the entity at @p (just after '&'); returns its length up to and
 * including ';', or 0 when it is none we know. */
static gsize
decode_entity (const char *p,
               gunichar   *out)
{
  const char *end = strchr (p, ';');
  gsize len;

  if (end == NULL || (len = (gsize)(end - p)) == 0 || len > 10)
    return 0;

  if (p[0] == '#')
    {
      g_autofree char *digits = g_strndup (p + 1, len - 1);
      gboolean hex = digits[0] == 'x' || digits[0] == 'X';
      guint64 value;

      if (!g_ascii_string_to_unsigned (hex ? digits + 1 : digits, hex ? 16 : 10, 1, 0x10ffff,
                                       &value, NULL) ||
          !g_unichar_validate ((gunichar)value))
        return 0;
      *out = (gunichar)value;
      return len + 1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strlen (entities[i].name) == len && strncmp (p, entities[i].name, len) == 0)
      {
        *out = entities[i].c;
        return len + 1;
      }

  return 0;
}

char *
cd_verification_normalize_title (const char *title)
{
  g_autofree char *valid = g_utf8_make_valid (title != NULL ? title : "", -1);
  g_autofree char *composed = NULL;
  GString *collapsed = g_string_new (NULL);
  gboolean space = FALSE;

  /* Entities first: "&nbsp;" is whitespace once decoded. */
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize skip;

      if (c == '&' && (skip = decode_entity (p + 1, &c)) > 0)
        p += skip;

      if (g_unichar_isspace (c) || c == 0xa0 || g_unichar_iscntrl (c))
        {
          space = collapsed->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (collapsed, ' ');
      space = FALSE;
      g_string_append_unichar (collapsed, c);
    }

  composed = g_utf8_normalize (collapsed->str, -1, G_NORMALIZE_ALL_COMPOSE);
  g_string_free (collapsed, TRUE);

  return g_utf8_casefold (composed != NULL ? composed : "", -1);
}

/* Comparing */

/* Brightspace may turn a package's file into a link or the other way
 * round, so content topics of another kind still count, after exact
 * matches; tools never stand in for each other. */
static int
match_class (CdPackageItemType type)
{
  switch (type)
    {
    case CD_PACKAGE_ITEM_MODULE:     return 0;
    case CD_PACKAGE_ITEM_QUIZ:       return 1;
    case CD_PACKAGE_ITEM_ASSIGNMENT: return 2;
    case CD_PACKAGE_ITEM_DISCUSSION: return 3;
    case CD_PACKAGE_ITEM_FILE:
    case CD_PACKAGE_ITEM_LINK:
    case CD_PACKAGE_ITEM_LTI:
    case CD_PACKAGE_ITEM_SCORM:
    case CD_PACKAGE_ITEM_OTHER:
    case CD_PACKAGE_ITEM_QUESTION_BANK:
    case CD_PACKAGE_N_ITEM_TYPES:
    default:
      return 4;
    }
}

static void
collect_expected (GPtrArray *outline,
                  GPtrArray *expected)
{
  for (guint i = 0; outline != NULL && i < outline->len; i++)
    {
      CdPackageOutlineItem *node = g_ptr_array_index (outline, i);
      g_autoptr(CdContentItem) item = cd_content_item_new (node->type, node->title);

      if (item->key[0] != '\0' && node->type != CD_PACKAGE_ITEM_QUESTION_BANK)
        g_ptr_array_add (expected, g_steal_pointer (&item));
      collect_expected (node->children, expected);
    }
}

GPtrArray *
cd_verification_expected (CdPackagePreview *preview)
{
  GPtrArray *expected = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_content_item_free);

  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (preview), expected);

  collect_expected (cd_package_preview_get_outline (preview), expected);
  return expected;
}

/* Removes from @pool the first item like @item (by key and by @exact type
 * or by class); returns whether there was one. */
static gboolean
take_match (GPtrArray     *pool,
            CdContentItem *item,
            gboolean       exact)
{
  for (guint i = 0; i < pool->len; i++)
    {
      CdContentItem *other = g_ptr_array_index (pool, i);

      if (strcmp (other->key, item->key) != 0)
        continue;
      if (exact ? other->type == item->type
                : match_class (other->type) == match_class (item->type))
        {
          g_ptr_array_remove_index (pool, i);
          return TRUE;
        }
    }

  return FALSE;
}

/* @after minus @before, as multisets: an import appends, so what was
 * there before (an earlier import of the same package too) never counts.
 * Returns: (transfer full) (element-type CdContentItem) */
static GPtrArray *
difference (GPtrArray *after,
            GPtrArray *before)
{
  g_autoptr(GPtrArray) old = g_ptr_array_new ();
  GPtrArray *added = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_content_item_free);

  for (guint i = 0; i < before->len; i++)
    g_ptr_array_add (old, g_ptr_array_index (before, i));

  for (guint i = 0; i < after->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (after, i);

      if (!take_match (old, item, TRUE))
        g_ptr_array_add (added, cd_content_item_new (item->type, item->title));
    }

  return added;
}

CdVerification *
cd_verification_compare (CdPackagePreview  *preview,
                         CdContentSnapshot *before,
                         CdContentSnapshot *after,
                         GPtrArray         *logs)
{
  g_autoptr(CdVerification) self = verification_new ();
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GPtrArray) unmatched = g_ptr_array_new ();

  g_return_val_if_fail (CD_IS_PACKAGE_PREVIEW (preview), NULL);
  g_return_val_if_fail (before != NULL && after != NULL, NULL);

  expected = cd_verification_expected (preview);
  added = difference (after->items, before->items);

  /* Exact types first, so a file never takes the place a link needed. */
  for (guint i = 0; i < expected->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (expected, i);

      if (!take_match (added, item, TRUE))
        g_ptr_array_add (unmatched, item);
    }
  for (guint i = 0; i < unmatched->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (unmatched, i);

      if (!take_match (added, item, FALSE))
        g_ptr_array_add (self->missing, cd_content_item_new (item->type, item->title));
    }

  self->expected = expected->len;
  self->arrived = expected->len - self->missing->len;
  g_clear_pointer (&self->broken, g_ptr_array_unref);
  self->broken = difference (after->broken, before->broken);

  for (guint i = 0; logs != NULL && i < logs->len; i++)
    {
      CdImportLogEntry *entry = g_ptr_array_index (logs, i);

      if ((entry->type == CD_IMPORT_LOG_WARNING || entry->type == CD_IMPORT_LOG_ERROR) &&
          entry->message != NULL)
        g_ptr_array_add (self->warnings, g_utf8_make_valid (entry->message, -1));
    }

  return g_steal_pointer (&self);
}

/* The journal's form */

static void
add_items (JsonBuilder *builder,
           const char  *member,
           GPtrArray   *items)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (items, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, item->title);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, cd_package_item_type_to_string (item->type));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
cd_verification_to_json (CdVerification *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  if (self->not_verified != NULL)
    {
      json_builder_set_member_name (builder, "not_verified");
      json_builder_add_string_value (builder, self->not_verified);
    }
  else
    {
      json_builder_set_member_name (builder, "arrived");
      json_builder_add_int_value (builder, self->arrived);
      json_builder_set_member_name (builder, "expected");
      json_builder_add_int_value (builder, self->expected);
      add_items (builder, "missing", self->missing);
      add_items (builder, "broken", self->broken);
      json_builder_set_member_name (builder, "warnings");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->warnings->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (self->warnings, i));
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static CdPackageItemType
item_type_from_string (const char *name)
{
  for (int type = 0; type < CD_PACKAGE_N_ITEM_TYPES; type++)
    if (g_strcmp0 (name, cd_package_item_type_to_string (type)) == 0)
      return type;

  return CD_PACKAGE_ITEM_OTHER;
}

static void
read_items (JsonObject *object,
            const char *member,
            GPtrArray  *items)
{
  JsonArray *array = cd_json_get_array (object, member);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *title = item != NULL ? cd_json_get_string (item, "title") : NULL;

      if (title != NULL)
        g_ptr_array_add (items, cd_content_item_new (
          item_type_from_string (cd_json_get_string (item, "type")), title));
    }
}

static guint
read_count (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  return (guint)CLAMP (json_node_get_int (node), 0, G_MAXUINT);
}

CdVerification *
cd_verification_from_json (JsonNode *node)
{
  g_autoptr(CdVerification) self = NULL;
  JsonObject *object;
  JsonArray *warnings;
  const char *reason;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  if ((reason = cd_json_get_string (object, "not_verified")) != NULL)
    return cd_verification_new_not_verified (reason);

  if (!json_object_has_member (object, "expected"))
    return NULL;

  self = verification_new ();
  self->expected = read_count (object, "expected");
  self->arrived = MIN (read_count (object, "arrived"), self->expected);
  read_items (object, "missing", self->missing);
  read_items (object, "broken", self->broken);
  warnings = cd_json_get_array (object, "warnings");
  for (guint i = 0; warnings != NULL && i < json_array_get_length (warnings); i++)
    if (cd_json_array_get_string (warnings, i) != NULL)
      g_ptr_array_add (self->warnings, g_utf8_make_valid (cd_json_array_get_string (warnings, i), -1));

  return g_steal_pointer (&self);
}
