/* cd-sandbox-content-routes.c: the content TOC and the tool lists
 * (quizzes, dropbox folders, discussion forums and topics) of an offering,
 * shaped like Brightspace's (packages-and-verification.md §3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-sandbox-content-private.h"

#define QUIZ_PAGE_SIZE 5

gboolean
_cd_sandbox_parse_content_route (char           **seg,
                                 guint            n,
                                 CdSandboxRoute  *route)
{
  gint64 ou, forum;
  const char *what = NULL;

  /* seg: d2l api le (v) (ou) … */
  if (n < 6 || !g_ascii_string_to_signed (seg[4], 10, 1, G_MAXINT64, &ou, NULL))
    return FALSE;

  if (n == 7 && strcmp (seg[5], "content") == 0 && strcmp (seg[6], "toc") == 0)
    what = "toc";
  else if ((n == 6 || (n == 7 && seg[6][0] == '\0')) && strcmp (seg[5], "quizzes") == 0)
    what = "quizzes";
  else if ((n == 7 || (n == 8 && seg[7][0] == '\0')) && strcmp (seg[5], "dropbox") == 0 &&
           strcmp (seg[6], "folders") == 0)
    what = "folders";
  else if ((n == 7 || (n == 8 && seg[7][0] == '\0')) && strcmp (seg[5], "discussions") == 0 &&
           strcmp (seg[6], "forums") == 0)
    what = "forums";
  else if ((n == 9 || (n == 10 && seg[9][0] == '\0')) && strcmp (seg[5], "discussions") == 0 &&
           strcmp (seg[6], "forums") == 0 && strcmp (seg[8], "topics") == 0 &&
           g_ascii_string_to_signed (seg[7], 10, 1, G_MAXINT64, &forum, NULL))
    {
      route->kind = CD_SANDBOX_ROUTE_CONTENT;
      route->org_unit_id = ou;
      route->token = g_strdup_printf ("topics:%" G_GINT64_FORMAT, forum);
      return TRUE;
    }

  if (what == NULL)
    return FALSE;

  route->kind = CD_SANDBOX_ROUTE_CONTENT;
  route->org_unit_id = ou;
  route->token = g_strdup (what);
  return TRUE;
}

static void
build_module (JsonBuilder   *builder,
              SandboxModule *module)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ModuleId");
  json_builder_add_int_value (builder, module->id);
  json_builder_set_member_name (builder, "Title");
  json_builder_add_string_value (builder, module->title);
  json_builder_set_member_name (builder, "IsHidden");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "Modules");
  json_builder_begin_array (builder);
  for (guint i = 0; i < module->modules->len; i++)
    build_module (builder, g_ptr_array_index (module->modules, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Topics");
  json_builder_begin_array (builder);
  for (guint i = 0; i < module->topics->len; i++)
    {
      SandboxTopic *topic = g_ptr_array_index (module->topics, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "TopicId");
      json_builder_add_int_value (builder, topic->id);
      json_builder_set_member_name (builder, "Identifier");
      json_builder_add_string_value (builder, "");
      json_builder_set_member_name (builder, "TypeIdentifier");
      json_builder_add_string_value (builder, topic->type_identifier);
      json_builder_set_member_name (builder, "Title");
      json_builder_add_string_value (builder, topic->title);
      json_builder_set_member_name (builder, "ActivityType");
      json_builder_add_int_value (builder, topic->activity_type);
      json_builder_set_member_name (builder, "IsBroken");
      json_builder_add_boolean_value (builder, topic->broken);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
build_names (JsonBuilder *builder,
             GPtrArray   *list,
             const char  *id_member)
{
  json_builder_begin_array (builder);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      SandboxNamed *named = g_ptr_array_index (list, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, id_member);
      json_builder_add_int_value (builder, named->id);
      json_builder_set_member_name (builder, "Name");
      json_builder_add_string_value (builder, named->name);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* An ObjectListPage, followed by Next (an absolute URL, as Brightspace's). */
static void
build_quizzes (CdSandbox         *self,
               JsonBuilder       *builder,
               SoupServerMessage *msg,
               GHashTable        *query,
               SandboxCourse     *course)
{
  const char *given = query != NULL ? g_hash_table_lookup (query, "bookmark") : NULL;
  guint64 start = 0;
  guint end;

  if (given != NULL)
    g_ascii_string_to_unsigned (given, 10, 0, course->quizzes->len, &start, NULL);
  end = MIN ((guint)start + QUIZ_PAGE_SIZE, course->quizzes->len);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Objects");
  json_builder_begin_array (builder);
  for (guint i = (guint)start; i < end; i++)
    {
      SandboxNamed *quiz = g_ptr_array_index (course->quizzes, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "QuizId");
      json_builder_add_int_value (builder, quiz->id);
      json_builder_set_member_name (builder, "Name");
      json_builder_add_string_value (builder, quiz->name);
      json_builder_set_member_name (builder, "IsActive");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Next");
  if (end < course->quizzes->len)
    {
      g_autofree char *next = g_strdup_printf ("%s%s?bookmark=%u", cd_sandbox_get_url (self),
                                               g_uri_get_path (soup_server_message_get_uri (msg)),
                                               end);
      json_builder_add_string_value (builder, next);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

void
_cd_sandbox_content_handle (CdSandbox         *self,
                            SoupServerMessage *msg,
                            GHashTable        *query,
                            CdSandboxRoute    *route)
{
  SandboxContent *state = _cd_sandbox_content_state (self);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SandboxCourse *course;
  gint64 forum_id;

  state->requests++;
  if (!_cd_sandbox_check_offering (self, msg, route->org_unit_id))
    return;

  _cd_sandbox_content_add_completed (self, state, route->org_unit_id);
  course = _cd_sandbox_content_course (state, route->org_unit_id);

  if (g_str_equal (route->token, "toc"))
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Modules");
      json_builder_begin_array (builder);
      for (guint i = 0; i < course->modules->len; i++)
        build_module (builder, g_ptr_array_index (course->modules, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  else if (g_str_equal (route->token, "quizzes"))
    build_quizzes (self, builder, msg, query, course);
  else if (g_str_equal (route->token, "folders"))
    build_names (builder, course->folders, "Id");
  else if (g_str_equal (route->token, "forums"))
    build_names (builder, course->forums, "ForumId");
  else if (g_str_has_prefix (route->token, "topics:") &&
           g_ascii_string_to_signed (route->token + 7, 10, 1, G_MAXINT64, &forum_id, NULL))
    {
      SandboxNamed *forum = NULL;

      for (guint i = 0; i < course->forums->len && forum == NULL; i++)
        if (((SandboxNamed *)g_ptr_array_index (course->forums, i))->id == forum_id)
          forum = g_ptr_array_index (course->forums, i);
      if (forum == NULL)
        {
          _cd_sandbox_respond_not_found (msg);
          return;
        }
      build_names (builder, forum->topics, "TopicId");
    }
  else
    {
      _cd_sandbox_respond_not_found (msg);
      return;
    }

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
}
