/* cd-sandbox-content.c: what imports add to an offering, and the routes
 * that list it (content TOC, quizzes, dropbox folders, discussions)
 *
 * When a job has COMPLETED, the package's outline (read with core's
 * package reader) is added to the offering by the mapping of
 * packages-and-verification.md §3.4: modules, topics typed by their
 * resource, and a quiz, folder or forum with a topic for tool items.
 * Imports append, as Brightspace's do.  Titles given to
 * cd_sandbox_set_drop_titles() are skipped with a warning in the job's
 * log, as Brightspace skips what it cannot convert.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cd-package-reader.h"
#include "cd-sandbox-private.h"
#include "cd-verification.h"

/* Packages are read while the upload is answered: only small ones, so
 * that a test's 1 GiB upload never waits for a copy. */
#define MAX_READ_SIZE   (32 * 1024 * 1024)
#define QUIZ_PAGE_SIZE  5
#define STATE_KEY       "cd-sandbox-content"

typedef struct
{
  gint64     id;
  char      *title;
  int        activity_type;   /* ACTIVITYTYPE_T */
  const char *type_identifier;
  gboolean   broken;
} Topic;

typedef struct _Module Module;
struct _Module
{
  gint64     id;
  char      *title;
  GPtrArray *modules;  /* Module */
  GPtrArray *topics;   /* Topic */
};

typedef struct
{
  gint64     id;
  char      *name;
  GPtrArray *topics;   /* Named */
} Named;

typedef struct
{
  GPtrArray *modules;  /* Module */
  GPtrArray *quizzes;  /* Named */
  GPtrArray *folders;  /* Named */
  GPtrArray *forums;   /* Named, with topics */
} Course;

typedef struct
{
  GHashTable *courses;  /* gint64* → Course */
  GHashTable *drop;     /* normalised titles */
  GHashTable *broken;   /* normalised titles */
  gint64      next_id;
  guint       requests;
} State;

static void
topic_free (Topic *topic)
{
  g_free (topic->title);
  g_free (topic);
}

static void
module_free (Module *module)
{
  g_free (module->title);
  g_ptr_array_unref (module->modules);
  g_ptr_array_unref (module->topics);
  g_free (module);
}

static void
named_free (Named *named)
{
  g_free (named->name);
  g_clear_pointer (&named->topics, g_ptr_array_unref);
  g_free (named);
}

static void
course_free (Course *course)
{
  g_ptr_array_unref (course->modules);
  g_ptr_array_unref (course->quizzes);
  g_ptr_array_unref (course->folders);
  g_ptr_array_unref (course->forums);
  g_free (course);
}

static void
state_free (State *state)
{
  g_hash_table_unref (state->courses);
  g_hash_table_unref (state->drop);
  g_hash_table_unref (state->broken);
  g_free (state);
}

static State *
get_state (CdSandbox *self)
{
  State *state = g_object_get_data (G_OBJECT (self), STATE_KEY);

  if (state != NULL)
    return state;

  state = g_new0 (State, 1);
  state->courses = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                          (GDestroyNotify)course_free);
  state->drop = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->broken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->next_id = 6000;
  g_object_set_data_full (G_OBJECT (self), STATE_KEY, state, (GDestroyNotify)state_free);
  return state;
}

static Course *
get_course (State  *state,
            gint64  org_unit_id)
{
  Course *course = g_hash_table_lookup (state->courses, &org_unit_id);

  if (course == NULL)
    {
      course = g_new0 (Course, 1);
      course->modules = g_ptr_array_new_with_free_func ((GDestroyNotify)module_free);
      course->quizzes = g_ptr_array_new_with_free_func ((GDestroyNotify)named_free);
      course->folders = g_ptr_array_new_with_free_func ((GDestroyNotify)named_free);
      course->forums = g_ptr_array_new_with_free_func ((GDestroyNotify)named_free);
      g_hash_table_insert (state->courses, g_memdup2 (&org_unit_id, sizeof org_unit_id), course);
    }

  return course;
}

static void
set_titles (GHashTable *set,
            const char *titles)
{
  g_auto(GStrv) parts = g_strsplit (titles != NULL ? titles : "", "|", -1);

  g_hash_table_remove_all (set);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *key = cd_verification_normalize_title (parts[i]);

      if (key[0] != '\0')
        g_hash_table_add (set, key);
      else
        g_free (key);
    }
}

void
cd_sandbox_set_drop_titles (CdSandbox  *self,
                            const char *titles)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  set_titles (get_state (self)->drop, titles);
}

void
cd_sandbox_set_broken_titles (CdSandbox  *self,
                              const char *titles)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  set_titles (get_state (self)->broken, titles);
}

guint
_cd_sandbox_content_requests (CdSandbox *self)
{
  return get_state (self)->requests;
}

/* Reading the package */

static gboolean
title_in (GHashTable *set,
          const char *title)
{
  g_autofree char *key = cd_verification_normalize_title (title);

  return g_hash_table_contains (set, key);
}

static void
collect_skipped (State     *state,
                 GPtrArray *outline,
                 GPtrArray *skipped)
{
  for (guint i = 0; outline != NULL && i < outline->len; i++)
    {
      CdPackageOutlineItem *item = g_ptr_array_index (outline, i);

      if (title_in (state->drop, item->title))
        g_ptr_array_add (skipped, g_strdup_printf ("The %s \"%s\" could not be converted and "
                                                   "was skipped.",
                                                   cd_package_item_type_to_string (item->type),
                                                   item->title));
      collect_skipped (state, item->children, skipped);
    }
}

/* Copies @size bytes at @offset of @path into a file of its own: the
 * reader wants the zip alone, not the multipart body around it. */
static char *
copy_part (const char *path,
           goffset     offset,
           goffset     size)
{
  g_autofree char *copy = g_build_filename (g_get_tmp_dir (), "coursedrop-package-XXXXXX", NULL);
  g_autofree char *buffer = g_malloc (64 * 1024);
  int in, out;
  goffset done = 0;

  if ((in = g_open (path, O_RDONLY | O_CLOEXEC, 0)) < 0)
    return NULL;
  if ((out = g_mkstemp_full (copy, O_RDWR | O_CLOEXEC, 0600)) < 0)
    {
      close (in);
      return NULL;
    }

  while (done < size)
    {
      ssize_t n = pread (in, buffer, (size_t)MIN (size - done, 64 * 1024), offset + done);

      if (n <= 0 || write (out, buffer, (size_t)n) != n)
        break;
      done += n;
    }

  close (in);
  close (out);
  if (done != size)
    {
      g_unlink (copy);
      return NULL;
    }

  return g_steal_pointer (&copy);
}

void
_cd_sandbox_content_read (CdSandbox    *self,
                          CdSandboxJob *job,
                          const char   *path,
                          goffset       offset,
                          goffset       size)
{
  g_autofree char *copy = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL || offset < 0 || size <= 0 || size > MAX_READ_SIZE)
    return;

  if (!(copy = copy_part (path, offset, size)))
    {
      g_warning ("Cannot copy the package of job %s: %s", job->token, g_strerror (errno));
      return;
    }

  job->preview = cd_package_reader_read (copy, NULL, &error);
  g_unlink (copy);
  if (job->preview == NULL)
    {
      /* Brightspace would fail such an import; this stand-in adds nothing. */
      g_message ("Job %s adds no content: %s", job->token, error->message);
      return;
    }

  job->skipped = g_ptr_array_new_with_free_func (g_free);
  collect_skipped (get_state (self), cd_package_preview_get_outline (job->preview), job->skipped);
}

/* Adding a completed job's content */

static void
add_topic (State      *state,
           Module     *module,
           const char *title,
           int         activity_type,
           const char *type_identifier)
{
  Topic *topic = g_new0 (Topic, 1);

  topic->id = state->next_id++;
  topic->title = g_strdup (title);
  topic->activity_type = activity_type;
  topic->type_identifier = type_identifier;
  topic->broken = title_in (state->broken, title);
  g_ptr_array_add (module->topics, topic);
}

static Named *
add_named (State      *state,
           GPtrArray  *list,
           const char *name)
{
  Named *named = g_new0 (Named, 1);

  named->id = state->next_id++;
  named->name = g_strdup (name);
  g_ptr_array_add (list, named);
  return named;
}

static Module *
module_new (State      *state,
            const char *title)
{
  Module *module = g_new0 (Module, 1);

  module->id = state->next_id++;
  module->title = g_strdup (title);
  module->modules = g_ptr_array_new_with_free_func ((GDestroyNotify)module_free);
  module->topics = g_ptr_array_new_with_free_func ((GDestroyNotify)topic_free);
  return module;
}

static void add_items (State *state, Course *course, Module *parent, GPtrArray *items);

/* One outline item into @parent (a topic) or the course (a module). */
static void
add_item (State                *state,
          Course               *course,
          Module               *parent,
          CdPackageOutlineItem *item)
{
  Named *forum;

  switch (item->type)
    {
    case CD_PACKAGE_ITEM_MODULE:
      {
        Module *module = module_new (state, item->title);

        g_ptr_array_add (parent != NULL ? parent->modules : course->modules, module);
        add_items (state, course, module, item->children);
        return;
      }
    case CD_PACKAGE_ITEM_QUESTION_BANK:
      return;  /* the question library, not the course's content */
    case CD_PACKAGE_ITEM_FILE:
      add_topic (state, parent, item->title, 1, "File");
      break;
    case CD_PACKAGE_ITEM_LINK:
      add_topic (state, parent, item->title, 2, "Link");
      break;
    case CD_PACKAGE_ITEM_LTI:
      add_topic (state, parent, item->title, 27, "Link");
      break;
    case CD_PACKAGE_ITEM_SCORM:
      add_topic (state, parent, item->title, 24, "ContentService");
      break;
    case CD_PACKAGE_ITEM_QUIZ:
      add_topic (state, parent, item->title, 4, "Link");
      add_named (state, course->quizzes, item->title);
      break;
    case CD_PACKAGE_ITEM_ASSIGNMENT:
      add_topic (state, parent, item->title, 3, "Link");
      add_named (state, course->folders, item->title);
      break;
    case CD_PACKAGE_ITEM_DISCUSSION:
      add_topic (state, parent, item->title, 6, "Link");
      forum = add_named (state, course->forums, item->title);
      forum->topics = g_ptr_array_new_with_free_func ((GDestroyNotify)named_free);
      add_named (state, forum->topics, item->title);
      break;
    case CD_PACKAGE_ITEM_OTHER:
    case CD_PACKAGE_N_ITEM_TYPES:
    default:
      add_topic (state, parent, item->title, -1, "File");
      break;
    }

  /* A topic's children (rare): beside it. */
  add_items (state, course, parent, item->children);
}

static void
add_items (State     *state,
           Course    *course,
           Module    *parent,
           GPtrArray *items)
{
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      CdPackageOutlineItem *item = g_ptr_array_index (items, i);

      if (title_in (state->drop, item->title))
        {
          /* Skipped, as logged; its children are not. */
          add_items (state, course, parent, item->children);
          continue;
        }

      if (parent == NULL && item->type != CD_PACKAGE_ITEM_MODULE)
        {
          /* Topics live in modules: loose ones go into one of their own. */
          Module *module = module_new (state, "Imported content");

          g_ptr_array_add (course->modules, module);
          add_item (state, course, module, item);
          continue;
        }

      add_item (state, course, parent, item);
    }
}

/* Jobs are looked at when the offering is: a completed one's content
 * appears at the latest there, and in the order the jobs started. */
static void
add_completed (CdSandbox *self,
               State     *state,
               gint64     org_unit_id)
{
  for (guint i = 0; i < self->job_order->len; i++)
    {
      CdSandboxJob *job = g_ptr_array_index (self->job_order, i);

      if (job->org_unit_id != org_unit_id || job->content_added ||
          g_strcmp0 (_cd_sandbox_job_status (job), "COMPLETED") != 0)
        continue;

      job->content_added = TRUE;
      if (job->preview != NULL)
        add_items (state, get_course (state, org_unit_id), NULL,
                   cd_package_preview_get_outline (job->preview));
    }
}

/* Routes */

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
build_module (JsonBuilder *builder,
              Module      *module)
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
      Topic *topic = g_ptr_array_index (module->topics, i);

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
      Named *named = g_ptr_array_index (list, i);

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
               Course            *course)
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
      Named *quiz = g_ptr_array_index (course->quizzes, i);

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
  State *state = get_state (self);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  Course *course;
  gint64 forum_id;

  state->requests++;
  if (!_cd_sandbox_check_offering (self, msg, route->org_unit_id))
    return;

  add_completed (self, state, route->org_unit_id);
  course = get_course (state, route->org_unit_id);

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
      Named *forum = NULL;

      for (guint i = 0; i < course->forums->len && forum == NULL; i++)
        if (((Named *)g_ptr_array_index (course->forums, i))->id == forum_id)
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
