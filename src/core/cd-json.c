/* cd-json.c: reading JSON that a server sent, whatever its shape
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n.h>
#include <gio/gio.h>

#include "cd-json.h"

/* Counts brackets outside strings; a backslash in a string escapes the next
 * byte.  Malformed JSON is left for the parser to refuse. */
gboolean
cd_json_check_depth (const char *data,
                     gsize       length,
                     guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

/* json-glib reads "{…}{…}" as several documents without complaint, but
 * an answer is one: which of two JobTokens would be the real one? */
static gboolean
has_trailing_value (const char *data,
                    gsize       length)
{
  gboolean in_string = FALSE;
  gboolean closed = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (closed && !g_ascii_isspace (c))
        return TRUE;

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        depth++;
      else if ((c == ']' || c == '}') && depth > 0 && --depth == 0)
        closed = TRUE;
    }

  return FALSE;
}

JsonNode *
cd_json_parse (const char *data,
               gssize      length,
               GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  gsize size = length < 0 ? strlen (data) : (gsize)length;

  if (!cd_json_check_depth (data, size, CD_JSON_MAX_DEPTH))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The JSON is nested more than %u levels deep."), CD_JSON_MAX_DEPTH);
      return NULL;
    }

  if (has_trailing_value (data, size))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The JSON holds more than one document."));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize)size, error))
    return NULL;

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The JSON is empty."));
      return NULL;
    }

  return json_parser_steal_root (parser);
}

static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Returns NULL unless @member is a string. */
const char *
cd_json_get_string (JsonObject *object,
                    const char *member)
{
  return object != NULL ? node_string (json_object_get_member (object, member)) : NULL;
}

const char *
cd_json_get_string_or (JsonObject *object,
                       const char *member,
                       const char *fallback)
{
  const char *value = cd_json_get_string (object, member);

  return value != NULL ? value : fallback;
}

/* Returns NULL unless @member is an array. */
JsonArray *
cd_json_get_array (JsonObject *object,
                   const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Returns NULL unless @member is an object. */
JsonObject *
cd_json_get_object (JsonObject *object,
                    const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gboolean
cd_json_get_boolean (JsonObject *object,
                     const char *member,
                     gboolean    default_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;

  return json_node_get_boolean (node);
}

const char *
cd_json_array_get_string (JsonArray *array,
                          guint      index)
{
  if (array == NULL || index >= json_array_get_length (array))
    return NULL;

  return node_string (json_array_get_element (array, index));
}
