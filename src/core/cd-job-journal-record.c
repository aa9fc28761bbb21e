/* cd-job-journal-record.c: one import job as jobs.json stores it
 *
 * Records are plain data, so that the worker thread can read, merge and
 * write private copies of them.  A record keeps the members of its JSON
 * object that this version does not know (written by a newer Coursedrop,
 * or by hand) and writes them back: they are someone's data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <json-glib/json-glib.h>

#include "cd-job-journal-private.h"
#include "cd-json.h"

/* The public struct first, so a CdJobRecord* is also a RealRecord*; the
 * reference count stays out of the public fields.  The unknown members are
 * kept as JSON text: json-glib's reference counts are not atomic, text can
 * be copied to another thread. */
typedef struct
{
  CdJobRecord     record;
  gatomicrefcount ref_count;
  char           *extra;  /* (nullable): a JSON object of the members we do not know */
} RealRecord;

G_DEFINE_BOXED_TYPE (CdJobRecord, cd_job_record, cd_job_record_ref, cd_job_record_unref)

static const char * const known_members[] = {
  "id", "host", "offering", "offering_name", "token", "package", "sha256", "quick_key", "bytes",
  "status", "started", "finished", "updated", "error", NULL
};

/**
 * cd_job_record_new:
 *
 * Returns: (transfer full): an empty record with a new #CdJobRecord.id;
 *   #CdJobRecord.bytes is -1.
 */
CdJobRecord *
cd_job_record_new (void)
{
  RealRecord *real = g_new0 (RealRecord, 1);

  g_atomic_ref_count_init (&real->ref_count);
  real->record.bytes = -1;
  real->record.id = g_uuid_string_random ();

  return &real->record;
}

/* Everything, the identity included: the same job, for another thread. */
CdJobRecord *
cd_job_record_dup_private (const CdJobRecord *self)
{
  CdJobRecord *copy = cd_job_record_new ();

  g_free (copy->id);
  copy->id = g_strdup (self->id);
  copy->host = g_strdup (self->host);
  copy->offering = self->offering;
  copy->offering_name = g_strdup (self->offering_name);
  copy->token = g_strdup (self->token);
  copy->package = g_strdup (self->package);
  copy->sha256 = g_strdup (self->sha256);
  copy->quick_key = g_strdup (self->quick_key);
  copy->bytes = self->bytes;
  copy->status = g_strdup (self->status);
  copy->started = self->started ? g_date_time_ref (self->started) : NULL;
  copy->finished = self->finished ? g_date_time_ref (self->finished) : NULL;
  copy->updated = self->updated ? g_date_time_ref (self->updated) : NULL;
  copy->error = g_strdup (self->error);
  ((RealRecord *)copy)->extra = g_strdup (((RealRecord *)self)->extra);

  return copy;
}

/* Returns: (transfer full): a deep copy with its own reference count and
 * its own identity: adding it to a journal records another job. */
CdJobRecord *
cd_job_record_copy (const CdJobRecord *self)
{
  CdJobRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = cd_job_record_dup_private (self);
  g_free (copy->id);
  copy->id = g_uuid_string_random ();

  return copy;
}

CdJobRecord *
cd_job_record_ref (CdJobRecord *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&((RealRecord *)self)->ref_count);

  return self;
}

static void
clear_fields (CdJobRecord *self)
{
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->offering_name, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->package, g_free);
  g_clear_pointer (&self->sha256, g_free);
  g_clear_pointer (&self->quick_key, g_free);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_pointer (&self->finished, g_date_time_unref);
  g_clear_pointer (&self->updated, g_date_time_unref);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&((RealRecord *)self)->extra, g_free);
}

void
cd_job_record_unref (CdJobRecord *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&((RealRecord *)self)->ref_count))
    return;

  clear_fields (self);
  g_free (self->id);
  g_free ((RealRecord *)self);
}

/* Makes @self say what @from says, in place: jobs hold their record. */
void
cd_job_record_assign (CdJobRecord       *self,
                      const CdJobRecord *from)
{
  g_autoptr(CdJobRecord) copy = cd_job_record_dup_private (from);

  clear_fields (self);
  self->host = g_steal_pointer (&copy->host);
  self->offering = copy->offering;
  self->offering_name = g_steal_pointer (&copy->offering_name);
  self->token = g_steal_pointer (&copy->token);
  self->package = g_steal_pointer (&copy->package);
  self->sha256 = g_steal_pointer (&copy->sha256);
  self->quick_key = g_steal_pointer (&copy->quick_key);
  self->bytes = copy->bytes;
  self->status = g_steal_pointer (&copy->status);
  self->started = g_steal_pointer (&copy->started);
  self->finished = g_steal_pointer (&copy->finished);
  self->updated = g_steal_pointer (&copy->updated);
  self->error = g_steal_pointer (&copy->error);
  ((RealRecord *)self)->extra = g_steal_pointer (&((RealRecord *)copy)->extra);
}

/* How far a job got: a token means Brightspace has the package, an end
 * means it is over.  A process that knows more never loses to one that
 * knows less, whoever saved last; a token is never forgotten. */
static int
progress (const CdJobRecord *record)
{
  return (record->token != NULL ? 2 : 0) + (record->finished != NULL ? 1 : 0);
}

/* The merge rule: whether @a wins over @b, two versions of one job. */
gboolean
cd_job_record_beats (const CdJobRecord *a,
                     const CdJobRecord *b)
{
  if (progress (a) != progress (b))
    return progress (a) > progress (b);
  if (a->updated == NULL || b->updated == NULL)
    return b->updated == NULL;

  return g_date_time_compare (a->updated, b->updated) >= 0;
}

/* Parsing.  Members of the wrong type read as missing: the file may have
 * been edited by hand or written by another tool. */

static const char *
get_string (JsonObject *object,
            const char *member)
{
  return cd_json_get_string (object, member);
}

/* Accepts 6606, 6606.0 and "6606". */
gboolean
cd_journal_get_int64 (JsonObject *object,
                      const char *member,
                      gint64     *out)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (!(value >= -9.2e18 && value <= 9.2e18) || value != (double)(gint64)value)
        return FALSE;
      *out = (gint64)value;
      return TRUE;
    }
  if (type == G_TYPE_STRING)
    {
      g_autofree char *text = g_strstrip (g_strdup (json_node_get_string (node)));

      return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out, NULL);
    }

  return FALSE;
}

static char *
dup_nonempty_string (JsonObject *object,
                     const char *member)
{
  const char *value = get_string (object, member);

  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static GDateTime *
get_date (JsonObject *object,
          const char *member,
          GPtrArray  *warnings)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date = NULL;
  const char *text = get_string (object, member);

  if (text == NULL)
    return NULL;

  date = g_date_time_new_from_iso8601 (text, utc);
  if (date == NULL)
    {
      g_ptr_array_add (warnings, g_strdup_printf ("Ignoring the invalid date “%s” in a job's “%s”",
                                                  text, member));
      return NULL;
    }

  return g_date_time_to_utc (date);
}

/* An id is ours to compare and print, so only a short plain one is taken. */
static gboolean
is_valid_id (const char *id)
{
  gsize len = id != NULL ? strlen (id) : 0;

  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_')
      return FALSE;

  return TRUE;
}

static char *
extra_members (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) extra = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &value))
    if (!g_strv_contains (known_members, name))
      json_object_set_member (extra, name, json_node_copy (value));

  if (json_object_get_size (extra) == 0)
    return NULL;

  json_node_set_object (node, extra);
  return json_to_string (node, FALSE);
}

/* Returns: (transfer full) (nullable): NULL, with a warning, when the job
 * has no host or offering.  Without a usable id, the record gets none:
 * the caller derives one, the same in every process. */
CdJobRecord *
cd_job_record_from_json (JsonObject *object,
                         guint       index,
                         GPtrArray  *warnings)
{
  g_autoptr(CdJobRecord) record = cd_job_record_new ();
  const char *id = get_string (object, "id");
  gint64 token_number;

  record->host = dup_nonempty_string (object, "host");
  if (record->host == NULL || !cd_journal_get_int64 (object, "offering", &record->offering) ||
      record->offering <= 0)
    {
      g_ptr_array_add (warnings, g_strdup_printf ("Skipping job %u without a host or offering "
                                                  "in the job journal", index));
      return NULL;
    }

  g_clear_pointer (&record->id, g_free);
  if (is_valid_id (id))
    record->id = g_strdup (id);

  /* JobTokens are strings in the API but numeric in practice. */
  record->token = dup_nonempty_string (object, "token");
  if (record->token == NULL && cd_journal_get_int64 (object, "token", &token_number))
    record->token = g_strdup_printf ("%" G_GINT64_FORMAT, token_number);

  record->offering_name = dup_nonempty_string (object, "offering_name");
  record->package = dup_nonempty_string (object, "package");
  record->sha256 = dup_nonempty_string (object, "sha256");
  record->quick_key = dup_nonempty_string (object, "quick_key");
  if (!cd_journal_get_int64 (object, "bytes", &record->bytes) || record->bytes < 0)
    record->bytes = -1;
  record->status = dup_nonempty_string (object, "status");
  record->started = get_date (object, "started", warnings);
  record->finished = get_date (object, "finished", warnings);
  record->updated = get_date (object, "updated", warnings);
  record->error = dup_nonempty_string (object, "error");
  ((RealRecord *)record)->extra = extra_members (object);

  return g_steal_pointer (&record);
}

/* Serializing. */

static void
set_string (JsonObject *object,
            const char *member,
            const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

static void
set_date (JsonObject *object,
          const char *member,
          GDateTime  *value)
{
  g_autoptr(GDateTime) utc = value ? g_date_time_to_utc (value) : NULL;
  g_autofree char *text = utc ? g_date_time_format_iso8601 (utc) : NULL;

  set_string (object, member, text);
}

/* Returns: (transfer full): the known members in a fixed order, then the
 * unknown ones as they were read. */
JsonNode *
cd_job_record_to_json (const CdJobRecord *self)
{
  const char *extra_text = ((RealRecord *)self)->extra;
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  set_string (object, "id", self->id);
  set_string (object, "host", self->host);
  json_object_set_int_member (object, "offering", self->offering);
  set_string (object, "offering_name", self->offering_name);
  set_string (object, "token", self->token);
  set_string (object, "package", self->package);
  set_string (object, "sha256", self->sha256);
  set_string (object, "quick_key", self->quick_key);
  if (self->bytes >= 0)
    json_object_set_int_member (object, "bytes", self->bytes);
  else
    json_object_set_null_member (object, "bytes");
  set_string (object, "status", self->status);
  set_date (object, "started", self->started);
  set_date (object, "finished", self->finished);
  set_date (object, "updated", self->updated);
  set_string (object, "error", self->error);

  if (extra_text != NULL)
    {
      g_autoptr(JsonNode) extra = cd_json_parse (extra_text, -1, NULL);
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      if (extra != NULL && JSON_NODE_HOLDS_OBJECT (extra))
        {
          json_object_iter_init (&iter, json_node_get_object (extra));
          while (json_object_iter_next (&iter, &name, &value))
            if (!json_object_has_member (object, name))
              json_object_set_member (object, name, json_node_copy (value));
        }
    }

  json_node_take_object (node, object);
  return node;
}

JsonNode *
cd_job_record_dup_member (const CdJobRecord *self,
                          const char        *name)
{
  const char *extra_text = ((RealRecord *)self)->extra;
  g_autoptr(JsonNode) extra = NULL;
  JsonNode *member;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  if (extra_text == NULL || !(extra = cd_json_parse (extra_text, -1, NULL)) ||
      !JSON_NODE_HOLDS_OBJECT (extra) ||
      !(member = json_object_get_member (json_node_get_object (extra), name)))
    return NULL;

  return json_node_copy (member);
}

void
cd_job_record_set_member (CdJobRecord *self,
                          const char  *name,
                          JsonNode    *value)
{
  RealRecord *real = (RealRecord *)self;
  g_autoptr(JsonNode) extra = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;

  g_return_if_fail (self != NULL && name != NULL);

  if (g_strv_contains (known_members, name))
    return;

  if (real->extra != NULL && (extra = cd_json_parse (real->extra, -1, NULL)) &&
      JSON_NODE_HOLDS_OBJECT (extra))
    object = json_object_ref (json_node_get_object (extra));
  else
    object = json_object_new ();

  if (value != NULL)
    json_object_set_member (object, name, json_node_copy (value));
  else if (json_object_has_member (object, name))
    json_object_remove_member (object, name);

  g_clear_pointer (&real->extra, g_free);
  if (json_object_get_size (object) > 0)
    {
      json_node_take_object (node, object);
      real->extra = json_to_string (node, FALSE);
    }
  else
    json_object_unref (object);
}

/* What the record says, as one string: equal strings, equal records. */
char *
cd_job_record_fingerprint (const CdJobRecord *self)
{
  g_autoptr(JsonNode) node = cd_job_record_to_json (self);

  return json_to_string (node, FALSE);
}
