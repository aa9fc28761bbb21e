/* cd-json.h: reading JSON that a server sent, whatever its shape
 *
 * json-glib's typed getters emit a critical when a member is missing or of
 * another type; a server's answer must never be able to do that.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deeper JSON is refused before json-glib sees it: its recursive parser
 * overflows the stack long before memory runs out. */
#define CD_JSON_MAX_DEPTH 64

/* Whether @data nests arrays and objects no deeper than @max_depth. */
gboolean    cd_json_check_depth (const char *data,
                                 gsize       length,
                                 guint       max_depth);
/* Parses @data (@length bytes, or -1 for a NUL-terminated string) after
 * checking its depth.  Returns the root (transfer full), or NULL with a
 * G_IO_ERROR_INVALID_DATA error. */
JsonNode   *cd_json_parse       (const char *data,
                                 gssize      length,
                                 GError    **error);

const char *cd_json_get_string  (JsonObject *object,
                                 const char *member);
const char *cd_json_get_string_or (JsonObject *object,
                                   const char *member,
                                   const char *fallback);
JsonArray  *cd_json_get_array   (JsonObject *object,
                                 const char *member);
JsonObject *cd_json_get_object  (JsonObject *object,
                                 const char *member);
gboolean    cd_json_get_boolean (JsonObject *object,
                                 const char *member,
                                 gboolean    default_value);
/* The element as a string, or NULL when it is not one. */
const char *cd_json_array_get_string (JsonArray *array,
                                      guint      index);

G_END_DECLS
