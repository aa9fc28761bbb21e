/* cd-json.c: reading JSON that a server sent, whatever its shape
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-json.h"

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
