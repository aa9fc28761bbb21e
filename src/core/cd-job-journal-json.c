/* cd-job-journal-json.c: jobs.json as JSON, whoever wrote it
 *
 * Parsing is depth-limited (cd_json_parse()): a file of [[[[… must give a
 * warning, not a stack overflow.  Members of the top level that this
 * version does not know are written back as they were.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-job-journal-private.h"
#include "cd-json.h"

void
cd_journal_contents_clear (CdJournalContents *contents)
{
  g_clear_pointer (&contents->contents, g_free);
  g_clear_pointer (&contents->root, json_node_unref);
  g_clear_pointer (&contents->records, g_ptr_array_unref);
  g_clear_pointer (&contents->warnings, g_ptr_array_unref);
  g_clear_pointer (&contents->reason, g_free);
  g_clear_error (&contents->error);
}

/* Older journals have no ids: derive them from what identifies the job, so
 * that every process that reads the same file gives the same ids. */
static char *
derive_id (const CdJobRecord *record,
           GHashTable        *seen)
{
  g_autofree char *host = g_ascii_strdown (record->host, -1);
  g_autofree char *started = record->started ? g_date_time_format_iso8601 (record->started) : NULL;
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;

  if (g_str_has_suffix (host, "/"))
    host[strlen (host) - 1] = '\0';
  if (record->token != NULL)
    key = g_strdup_printf ("%s\n%s", host, record->token);
  else
    key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%s", host, record->offering,
                           started ? started : "");

  /* A second job with the same key (one followed twice) gets the next. */
  for (guint n = 1; ; n++)
    {
      g_autofree char *salted = g_strdup_printf ("%s\n%u", key, n);
      char *id;

      g_free (hash);
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, salted, -1);
      id = g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s", hash, hash + 8, hash + 12, hash + 16,
                            hash + 20);
      if (!g_hash_table_contains (seen, id))
        return id;
      g_free (id);
    }
}

/* Fills in records, skipped and warnings from contents, or sets result to
 * CORRUPT or NEWER. */
void
cd_journal_parse (CdJournalContents *c)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *root_object;
  JsonNode *jobs;
  JsonArray *array;
  gint64 version = CD_JOB_JOURNAL_VERSION;

  c->records = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  c->warnings = g_ptr_array_new_with_free_func (g_free);
  c->result = CD_JOURNAL_READ_CORRUPT;

  if (!g_utf8_validate (c->contents, c->length, NULL))
    {
      c->reason = g_strdup ("not UTF-8");
      return;
    }

  root = cd_json_parse (c->contents, c->length, &error);
  if (root == NULL)
    {
      c->reason = g_strdup (error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      c->reason = g_strdup ("the top level is not an object");
      return;
    }
  root_object = json_node_get_object (root);

  if (json_object_has_member (root_object, "version") &&
      !cd_journal_get_int64 (root_object, "version", &version))
    {
      c->reason = g_strdup ("“version” is not a number");
      return;
    }
  if (version > CD_JOB_JOURNAL_VERSION)
    {
      c->result = CD_JOURNAL_READ_NEWER;
      return;
    }

  jobs = json_object_get_member (root_object, "jobs");
  if (jobs == NULL || !JSON_NODE_HOLDS_ARRAY (jobs))
    {
      c->reason = g_strdup ("“jobs” is not an array");
      return;
    }

  array = json_node_get_array (jobs);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      CdJobRecord *record;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_ptr_array_add (c->warnings,
                           g_strdup_printf ("Skipping job %u in the job journal: not an object", i));
          c->skipped++;
          continue;
        }

      record = cd_job_record_from_json (json_node_get_object (node), i, c->warnings);
      if (record == NULL)
        {
          c->skipped++;
          continue;
        }

      if (record->id == NULL || g_hash_table_contains (seen, record->id))
        {
          g_free (record->id);
          record->id = derive_id (record, seen);
        }
      g_hash_table_add (seen, g_strdup (record->id));
      g_ptr_array_add (c->records, record);
    }

  c->root = g_steal_pointer (&root);
  c->result = CD_JOURNAL_READ_OK;
}

/* Writes @records into the top level of @old_root (members we do not know
 * are kept), or into a new one. */
char *
cd_journal_serialize (JsonNode  *old_root,
                      GPtrArray *records,
                      gsize     *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *text = NULL;
  JsonArray *jobs = json_array_sized_new (records->len);
  char *data;

  json_object_set_int_member (object, "version", CD_JOB_JOURNAL_VERSION);
  json_object_set_array_member (object, "jobs", jobs);
  for (guint i = 0; i < records->len; i++)
    json_array_add_element (jobs, cd_job_record_to_json (g_ptr_array_index (records, i)));

  if (old_root != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (old_root));
      while (json_object_iter_next (&iter, &name, &value))
        if (!json_object_has_member (object, name))
          json_object_set_member (object, name, json_node_copy (value));
    }

  json_node_set_object (root, object);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);

  data = g_strconcat (text, "\n", NULL);
  *length = strlen (data);

  return data;
}
