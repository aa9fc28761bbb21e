/* fuzz-manifest.c: the imsmanifest.xml parser of the package preview,
 * which reads whatever a package's author wrote.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "cd-package-manifest.h"
#include "cd-package-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Nothing is expanded (no entities), so no text outgrows the input. */
static void
check_outline (GPtrArray *items,
               guint      depth,
               size_t     size)
{
  /* The outline is cut at a fixed depth, whatever the nesting. */
  g_assert_cmpuint (depth, <=, 33);
  for (guint i = 0; i < items->len; i++)
    {
      CdPackageOutlineItem *item = g_ptr_array_index (items, i);

      g_assert_cmpuint (strlen (item->title), <=, size);
      g_assert_cmpint (item->type, <, CD_PACKAGE_N_ITEM_TYPES);
      check_outline (item->children, depth + 1, size);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CdPackagePreview) preview = cd_package_preview_new ();
  g_autoptr(GHashTable) entries = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_hash_table_add (entries, (char *)"web/reading.html");
  if (cd_package_manifest_parse ((const char *)data, size, "", entries, preview, &error))
    {
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *json = NULL;

      g_assert_no_error (error);
      g_assert_true (g_utf8_validate (cd_package_preview_get_title (preview), -1, NULL));
      g_assert_cmpuint (strlen (cd_package_preview_get_title (preview)), <=, size);
      check_outline (cd_package_preview_get_outline (preview), 0, size);
      node = cd_package_preview_to_json (preview);
      json = json_to_string (node, FALSE);
      g_assert_nonnull (json);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == CD_PACKAGE_READER_ERROR);
    }

  return 0;
}
