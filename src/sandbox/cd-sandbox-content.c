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
#define STATE_KEY       "cd-sandbox-content"

#include "cd-sandbox-content-private.h"

static void
topic_free (SandboxTopic *topic)
{
  g_free (topic->title);
  g_free (topic);
}

static void
module_free (SandboxModule *module)
{
  g_free (module->title);
  g_ptr_array_unref (module->modules);
  g_ptr_array_unref (module->topics);
  g_free (module);
}

static void
named_free (SandboxNamed *named)
{
  g_free (named->name);
  g_clear_pointer (&named->topics, g_ptr_array_unref);
  g_free (named);
}

static void
course_free (SandboxCourse *course)
{
  g_ptr_array_unref (course->modules);
  g_ptr_array_unref (course->quizzes);
  g_ptr_array_unref (course->folders);
  g_ptr_array_unref (course->forums);
  g_free (course);
}

static void
state_free (SandboxContent *state)
{
  g_hash_table_unref (state->courses);
  g_hash_table_unref (state->drop);
  g_hash_table_unref (state->broken);
  g_free (state);
}

SandboxContent *
_cd_sandbox_content_state (CdSandbox *self)
{
  SandboxContent *state = g_object_get_data (G_OBJECT (self), STATE_KEY);

  if (state != NULL)
    return state;

  state = g_new0 (SandboxContent, 1);
  state->courses = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                          (GDestroyNotify)course_free);
  state->drop = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->broken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->next_id = 6000;
  g_object_set_data_full (G_OBJECT (self), STATE_KEY, state, (GDestroyNotify)state_free);
  return state;
}

SandboxCourse *
_cd_sandbox_content_course (SandboxContent *state,
                            gint64          org_unit_id)
{
  SandboxCourse *course = g_hash_table_lookup (state->courses, &org_unit_id);

  if (course == NULL)
    {
      course = g_new0 (SandboxCourse, 1);
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

  set_titles (_cd_sandbox_content_state (self)->drop, titles);
}

void
cd_sandbox_set_broken_titles (CdSandbox  *self,
                              const char *titles)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  set_titles (_cd_sandbox_content_state (self)->broken, titles);
}

guint
_cd_sandbox_content_requests (CdSandbox *self)
{
  return _cd_sandbox_content_state (self)->requests;
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
collect_skipped (SandboxContent *state,
                 GPtrArray      *outline,
                 GPtrArray      *skipped)
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
  collect_skipped (_cd_sandbox_content_state (self), cd_package_preview_get_outline (job->preview), job->skipped);
}

/* Adding a completed job's content */

static void
add_topic (SandboxContent *state,
           SandboxModule  *module,
           const char     *title,
           int             activity_type,
           const char     *type_identifier)
{
  SandboxTopic *topic = g_new0 (SandboxTopic, 1);

  topic->id = state->next_id++;
  topic->title = g_strdup (title);
  topic->activity_type = activity_type;
  topic->type_identifier = type_identifier;
  topic->broken = title_in (state->broken, title);
  g_ptr_array_add (module->topics, topic);
}

static SandboxNamed *
add_named (SandboxContent *state,
           GPtrArray      *list,
           const char     *name)
{
  SandboxNamed *named = g_new0 (SandboxNamed, 1);

  named->id = state->next_id++;
  named->name = g_strdup (name);
  g_ptr_array_add (list, named);
  return named;
}

static SandboxModule *
module_new (SandboxContent *state,
            const char     *title)
{
  SandboxModule *module = g_new0 (SandboxModule, 1);

  module->id = state->next_id++;
  module->title = g_strdup (title);
  module->modules = g_ptr_array_new_with_free_func ((GDestroyNotify)module_free);
  module->topics = g_ptr_array_new_with_free_func ((GDestroyNotify)topic_free);
  return module;
}

static void add_items (SandboxContent *state,
                       SandboxCourse  *course,
                       SandboxModule  *parent,
                       GPtrArray      *items);

/* One outline item into @parent (a topic) or the course (a module). */
static void
add_item (SandboxContent       *state,
          SandboxCourse        *course,
          SandboxModule        *parent,
          CdPackageOutlineItem *item)
{
  SandboxNamed *forum;

  switch (item->type)
    {
    case CD_PACKAGE_ITEM_MODULE:
      {
        SandboxModule *module = module_new (state, item->title);

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
add_items (SandboxContent *state,
           SandboxCourse  *course,
           SandboxModule  *parent,
           GPtrArray      *items)
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
          SandboxModule *module = module_new (state, "Imported content");

          g_ptr_array_add (course->modules, module);
          add_item (state, course, module, item);
          continue;
        }

      add_item (state, course, parent, item);
    }
}

/* Jobs are looked at when the offering is: a completed one's content
 * appears at the latest there, and in the order the jobs started. */
void
_cd_sandbox_content_add_completed (CdSandbox      *self,
                                   SandboxContent *state,
                                   gint64          org_unit_id)
{
  for (guint i = 0; i < self->job_order->len; i++)
    {
      CdSandboxJob *job = g_ptr_array_index (self->job_order, i);

      if (job->org_unit_id != org_unit_id || job->content_added ||
          g_strcmp0 (_cd_sandbox_job_status (job), "COMPLETED") != 0)
        continue;

      job->content_added = TRUE;
      if (job->preview != NULL)
        add_items (state, _cd_sandbox_content_course (state, org_unit_id), NULL,
                   cd_package_preview_get_outline (job->preview));
    }
}
