/* cd-job-journal.c: the persistent record of every import job
 *
 * Brightspace imports append content, so losing track of a started import
 * means either a lost job or a duplicated course.  Hence the rules here:
 * every save is atomic and durable; a damaged journal is moved aside, never
 * deleted; and a journal that could not be read is never overwritten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cd-job-journal.h"

#define JOURNAL_VERSION 1

/* The public struct first, so a CdJobRecord* is also a RealRecord*; the
 * reference count stays out of the public fields. */
typedef struct
{
  CdJobRecord     record;
  gatomicrefcount ref_count;
} RealRecord;

G_DEFINE_BOXED_TYPE (CdJobRecord, cd_job_record, cd_job_record_ref, cd_job_record_unref)

typedef enum {
  STATE_NOT_LOADED,
  STATE_LOADED,
  STATE_BLOCKED,  /* the file exists but was not understood: never overwrite it */
} State;

struct _CdJobJournal
{
  GObject    parent_instance;

  char      *path;          /* (owned) */
  char      *load_warning;  /* (owned) (nullable) */
  GPtrArray *records;       /* (owned) (element-type CdJobRecord) */
  GError    *load_error;    /* (owned) (nullable): why the state is BLOCKED */
  State      state;
};

G_DEFINE_FINAL_TYPE (CdJobJournal, cd_job_journal, G_TYPE_OBJECT)

G_DEFINE_QUARK (cd-job-journal-error-quark, cd_job_journal_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOAD_WARNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * cd_job_record_new:
 *
 * Returns: (transfer full): an empty record; #CdJobRecord.bytes is -1.
 */
CdJobRecord *
cd_job_record_new (void)
{
  RealRecord *real = g_new0 (RealRecord, 1);

  g_atomic_ref_count_init (&real->ref_count);
  real->record.bytes = -1;

  return &real->record;
}

/* Returns: (transfer full): a deep copy with its own reference count. */
CdJobRecord *
cd_job_record_copy (const CdJobRecord *self)
{
  CdJobRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = cd_job_record_new ();
  copy->host = g_strdup (self->host);
  copy->offering = self->offering;
  copy->offering_name = g_strdup (self->offering_name);
  copy->token = g_strdup (self->token);
  copy->package = g_strdup (self->package);
  copy->sha256 = g_strdup (self->sha256);
  copy->bytes = self->bytes;
  copy->status = g_strdup (self->status);
  copy->started = self->started ? g_date_time_ref (self->started) : NULL;
  copy->finished = self->finished ? g_date_time_ref (self->finished) : NULL;
  copy->error = g_strdup (self->error);

  return copy;
}

CdJobRecord *
cd_job_record_ref (CdJobRecord *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&((RealRecord *)self)->ref_count);

  return self;
}

void
cd_job_record_unref (CdJobRecord *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&((RealRecord *)self)->ref_count))
    return;

  g_free (self->host);
  g_free (self->offering_name);
  g_free (self->token);
  g_free (self->package);
  g_free (self->sha256);
  g_free (self->status);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_pointer (&self->finished, g_date_time_unref);
  g_free (self->error);
  g_free ((RealRecord *)self);
}

/* Hosts are compared as the user may type them: any case, with or without
 * a trailing slash. */
gboolean
cd_job_journal_host_equal (const char *a,
            const char *b)
{
  gsize len_a, len_b;

  if (a == NULL || b == NULL)
    return a == b;

  len_a = strlen (a);
  len_b = strlen (b);
  if (len_a > 0 && a[len_a - 1] == '/')
    len_a--;
  if (len_b > 0 && b[len_b - 1] == '/')
    len_b--;

  return len_a == len_b && g_ascii_strncasecmp (a, b, len_a) == 0;
}

/* Parsing.  Members of the wrong type read as missing: the file may have
 * been edited by hand or written by another tool. */

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Accepts 6606, 6606.0 and "6606". */
static gboolean
get_int64 (JsonObject *object,
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

      if (value != (double)(gint64)value)
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
          const char *member)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date = NULL;
  const char *text = get_string (object, member);

  if (text == NULL)
    return NULL;

  date = g_date_time_new_from_iso8601 (text, utc);
  if (date == NULL)
    {
      g_warning ("Ignoring the invalid date “%s” in a job's “%s”", text, member);
      return NULL;
    }

  return g_date_time_to_utc (date);
}

static CdJobRecord *
record_from_json (JsonObject *object)
{
  g_autoptr(CdJobRecord) record = cd_job_record_new ();
  gint64 token_number;

  record->host = dup_nonempty_string (object, "host");
  if (record->host == NULL || !get_int64 (object, "offering", &record->offering) ||
      record->offering <= 0)
    {
      g_warning ("Skipping a job without a host or offering in the job journal");
      return NULL;
    }

  /* JobTokens are strings in the API but numeric in practice. */
  record->token = dup_nonempty_string (object, "token");
  if (record->token == NULL && get_int64 (object, "token", &token_number))
    record->token = g_strdup_printf ("%" G_GINT64_FORMAT, token_number);

  record->offering_name = dup_nonempty_string (object, "offering_name");
  record->package = dup_nonempty_string (object, "package");
  record->sha256 = dup_nonempty_string (object, "sha256");
  if (!get_int64 (object, "bytes", &record->bytes) || record->bytes < 0)
    record->bytes = -1;
  record->status = dup_nonempty_string (object, "status");
  record->started = get_date (object, "started");
  record->finished = get_date (object, "finished");
  record->error = dup_nonempty_string (object, "error");

  return g_steal_pointer (&record);
}

typedef enum {
  PARSE_OK,
  PARSE_CORRUPT,
  PARSE_NEWER,
} ParseResult;

/* On PARSE_CORRUPT, @reason says why, for the log. */
static ParseResult
parse_journal (const char  *contents,
               gsize        length,
               GPtrArray   *records,
               guint       *skipped,
               char       **reason)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root_object;
  JsonNode *root;
  JsonNode *jobs;
  gint64 version = JOURNAL_VERSION;

  if (!g_utf8_validate (contents, length, NULL))
    {
      *reason = g_strdup ("not UTF-8");
      return PARSE_CORRUPT;
    }

  if (!json_parser_load_from_data (parser, contents, length, &error))
    {
      *reason = g_strdup (error->message);
      return PARSE_CORRUPT;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *reason = g_strdup ("the top level is not an object");
      return PARSE_CORRUPT;
    }
  root_object = json_node_get_object (root);

  if (json_object_has_member (root_object, "version") &&
      !get_int64 (root_object, "version", &version))
    {
      *reason = g_strdup ("“version” is not a number");
      return PARSE_CORRUPT;
    }
  if (version > JOURNAL_VERSION)
    return PARSE_NEWER;

  jobs = json_object_get_member (root_object, "jobs");
  if (jobs == NULL || !JSON_NODE_HOLDS_ARRAY (jobs))
    {
      *reason = g_strdup ("“jobs” is not an array");
      return PARSE_CORRUPT;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (jobs)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (jobs), i);
      CdJobRecord *record;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_warning ("Skipping job %u in the job journal: not an object", i);
          (*skipped)++;
          continue;
        }

      record = record_from_json (json_node_get_object (node));
      if (record != NULL)
        g_ptr_array_add (records, record);
      else
        (*skipped)++;
    }

  return PARSE_OK;
}

/* Serializing. */

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_date (JsonBuilder *builder,
          const char  *member,
          GDateTime   *value)
{
  g_autoptr(GDateTime) utc = value ? g_date_time_to_utc (value) : NULL;
  g_autofree char *text = utc ? g_date_time_format_iso8601 (utc) : NULL;

  add_string (builder, member, text);
}

static char *
serialize_journal (GPtrArray *records,
                   gsize     *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  char *data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, JOURNAL_VERSION);
  json_builder_set_member_name (builder, "jobs");
  json_builder_begin_array (builder);

  for (guint i = 0; i < records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (records, i);

      json_builder_begin_object (builder);
      add_string (builder, "host", record->host);
      json_builder_set_member_name (builder, "offering");
      json_builder_add_int_value (builder, record->offering);
      add_string (builder, "offering_name", record->offering_name);
      add_string (builder, "token", record->token);
      add_string (builder, "package", record->package);
      add_string (builder, "sha256", record->sha256);
      json_builder_set_member_name (builder, "bytes");
      if (record->bytes >= 0)
        json_builder_add_int_value (builder, record->bytes);
      else
        json_builder_add_null_value (builder);
      add_string (builder, "status", record->status);
      add_date (builder, "started", record->started);
      add_date (builder, "finished", record->finished);
      add_string (builder, "error", record->error);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);

  data = g_strconcat (text, "\n", NULL);
  *length = strlen (data);

  return data;
}

/* A rename is only durable once its directory is synced.  Best effort: the
 * data itself was already synced. */
static void
sync_directory (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return;

  if (fsync (fd) != 0 && errno != EINVAL)
    g_debug ("Could not sync %s: %s", dir, g_strerror (errno));
  close (fd);
}

/* Returns: (transfer full): a name next to @path that no earlier backup
 * has, even one made the same second; NULL after 999 of them. */
static char *
unique_backup_name (const char *path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (guint i = 1; i < 1000; i++)
    {
      g_autofree char *backup = i == 1 ? g_strdup_printf ("%s.corrupt-%s", path, stamp)
                                       : g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, i);
      GStatBuf buf;

      if (g_lstat (backup, &buf) != 0)
        return g_steal_pointer (&backup);
    }

  return NULL;
}

/* Returns: (transfer full) (nullable): where the damaged file went. */
static char *
move_aside (const char  *path,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *backup = unique_backup_name (path);
  int saved_errno;

  if (backup == NULL)
    {
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: %s is a file path. */
                   _("The job journal “%s” is damaged and there are too many earlier copies "
                     "next to it. Move them elsewhere, then try again."),
                   path);
      return NULL;
    }

  if (g_rename (path, backup) != 0)
    {
      saved_errno = errno;
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: the first %s is a file path, the second a system error. */
                   _("The job journal “%s” is damaged and could not be moved aside (%s). "
                     "Move it elsewhere yourself, then try again."),
                   path, g_strerror (saved_errno));
      return NULL;
    }

  sync_directory (dir);
  return g_steal_pointer (&backup);
}

/* Keeps the original of a journal some of whose jobs could not be read,
 * since the next save writes only those that could. */
static char *
copy_aside (const char  *path,
            const char  *contents,
            gsize        length,
            GError     **error)
{
  g_autofree char *backup = unique_backup_name (path);

  if (backup == NULL)
    {
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: %s is a file path. */
                   _("The job journal “%s” is damaged and there are too many earlier copies "
                     "next to it. Move them elsewhere, then try again."),
                   path);
      return NULL;
    }

  if (!g_file_set_contents_full (backup, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return NULL;

  return g_steal_pointer (&backup);
}

static void
set_load_warning (CdJobJournal *self,
                  char         *warning)
{
  if (g_strcmp0 (self->load_warning, warning) == 0)
    {
      g_free (warning);
      return;
    }

  g_free (self->load_warning);
  self->load_warning = warning;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_WARNING]);
}

static gboolean
block (CdJobJournal  *self,
       GError        *reason,
       GError       **error)
{
  self->state = STATE_BLOCKED;
  g_clear_error (&self->load_error);
  self->load_error = g_error_copy (reason);
  g_propagate_error (error, reason);

  return FALSE;
}

static void
cd_job_journal_finalize (GObject *object)
{
  CdJobJournal *self = CD_JOB_JOURNAL (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->load_warning, g_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_error (&self->load_error);

  G_OBJECT_CLASS (cd_job_journal_parent_class)->finalize (object);
}

static void
cd_job_journal_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CdJobJournal *self = CD_JOB_JOURNAL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_LOAD_WARNING:
      g_value_set_string (value, self->load_warning);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_job_journal_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CdJobJournal *self = CD_JOB_JOURNAL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      if (self->path == NULL)
        self->path = g_build_filename (g_get_user_data_dir (), "coursedrop", "jobs.json", NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_job_journal_class_init (CdJobJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cd_job_journal_finalize;
  object_class->get_property = cd_job_journal_get_property;
  object_class->set_property = cd_job_journal_set_property;

  /* NULL means $XDG_DATA_HOME/coursedrop/jobs.json. */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LOAD_WARNING] =
    g_param_spec_string ("load-warning", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_job_journal_init (CdJobJournal *self)
{
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
}

/**
 * cd_job_journal_new:
 * @path: (nullable) (type filename): the journal file, or %NULL for
 *   `$XDG_DATA_HOME/coursedrop/jobs.json`
 *
 * Call cd_job_journal_load() before anything else: saving refuses until a
 * load succeeded, so that an existing journal is never overwritten unread.
 * The journal is main-thread only.
 */
CdJobJournal *
cd_job_journal_new (const char *path)
{
  return g_object_new (CD_TYPE_JOB_JOURNAL, "path", path, NULL);
}

const char *
cd_job_journal_get_path (CdJobJournal *self)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), NULL);

  return self->path;
}

/**
 * cd_job_journal_get_load_warning:
 *
 * Returns: (nullable): a translated sentence for the user when the last
 *   load found a damaged journal and moved it aside, else %NULL.
 */
const char *
cd_job_journal_get_load_warning (CdJobJournal *self)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), NULL);

  return self->load_warning;
}

/**
 * cd_job_journal_load:
 *
 * Replaces the records in memory with the file's.  A missing file is an
 * empty journal.  A damaged one is moved aside to
 * `jobs.json.corrupt-YYYYMMDD-HHMMSS`, the journal starts empty and
 * cd_job_journal_get_load_warning() says so.  A file that cannot be read, or
 * that a newer Coursedrop wrote, is left alone and this returns %FALSE;
 * cd_job_journal_save() then refuses until a later load succeeds.
 */
gboolean
cd_job_journal_load (CdJobJournal  *self,
                     GError       **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *partial_backup = NULL;
  GError *move_error = NULL;
  guint skipped = 0;
  gsize length = 0;

  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);

  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return block (self,
                      g_error_new (CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_UNREADABLE,
                                   /* Translators: the first %s is a file path, the second a
                                    * system error. */
                                   _("The job journal “%s” could not be read (%s). Make it a "
                                     "file you can read, then start Coursedrop again; it has "
                                     "not been changed."),
                                   self->path, local_error->message),
                      error);
    }
  else
    {
      switch (parse_journal (contents, length, records, &skipped, &reason))
        {
        case PARSE_OK:
          if (skipped > 0 && !(partial_backup = copy_aside (self->path, contents, length,
                                                            &move_error)))
            return block (self, move_error, error);
          break;

        case PARSE_NEWER:
          return block (self,
                        g_error_new (CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_NEWER_VERSION,
                                     /* Translators: %s is a file path. */
                                     _("The job journal “%s” was written by a newer version of "
                                       "Coursedrop. Update Coursedrop to see and keep those "
                                       "jobs; the file has not been changed."),
                                     self->path),
                        error);

        case PARSE_CORRUPT:
          backup = move_aside (self->path, &move_error);
          if (backup == NULL)
            return block (self, move_error, error);

          g_warning ("The job journal %s is damaged (%s); moved it to %s and started empty",
                     self->path, reason, backup);
          g_ptr_array_set_size (records, 0);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->records = g_steal_pointer (&records);
  self->state = STATE_LOADED;
  g_clear_error (&self->load_error);

  if (backup != NULL)
    {
      /* Translators: %s is a file path. */
      set_load_warning (self, g_strdup_printf (_("The job journal was damaged, so Coursedrop "
                                                 "started a new one. Jobs started earlier are "
                                                 "not listed; the damaged file was kept as "
                                                 "“%s”."),
                                               backup));
    }
  else if (partial_backup != NULL)
    {
      set_load_warning (self,
                        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                      /* Translators: a count, then a file path. */
                                                      "%u job in the job journal could not be "
                                                      "read and is not listed; the original file "
                                                      "was kept as “%s”.",
                                                      "%u jobs in the job journal could not be "
                                                      "read and are not listed; the original file "
                                                      "was kept as “%s”.",
                                                      skipped),
                                         skipped, partial_backup));
    }
  else
    set_load_warning (self, NULL);

  return TRUE;
}

/**
 * cd_job_journal_save:
 *
 * Writes every record atomically and durably: to a temporary file in the
 * same folder, synced, then renamed over the journal, mode 0600.  Small
 * enough to be synchronous; call it as soon as a job gets its token.
 */
gboolean
cd_job_journal_save (CdJobJournal  *self,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;
  gsize length;
  int saved_errno;

  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state == STATE_BLOCKED)
    {
      g_set_error (error, CD_JOB_JOURNAL_ERROR, self->load_error->code,
                   /* Translators: %s is a sentence explaining why the journal was not loaded. */
                   _("Jobs were not saved, so that the existing job journal is not overwritten. "
                     "%s"),
                   self->load_error->message);
      return FALSE;
    }
  if (self->state == STATE_NOT_LOADED)
    {
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_NOT_LOADED,
                   /* Translators: %s is a file path. */
                   _("Jobs were not saved because the job journal “%s” has not been loaded "
                     "yet."),
                   self->path);
      return FALSE;
    }

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: the first %s is a folder path, the second a system error. */
                   _("The folder “%s” for the job journal could not be created (%s). Check its "
                     "permissions; until then, jobs are not remembered."),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  data = serialize_journal (self->records, &length);

  if (!g_file_set_contents_full (self->path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: the first %s is a file path, the second a system error. */
                   _("The job journal “%s” could not be saved (%s). Free some disk space or "
                     "check the folder’s permissions; until then, jobs are not remembered."),
                   self->path, local_error->message);
      return FALSE;
    }

  sync_directory (dir);

  return TRUE;
}

/**
 * cd_job_journal_get_records:
 *
 * Returns: (transfer full) (element-type CdJobRecord): a new array holding
 *   a reference to each record, in the order they were added.
 */
GPtrArray *
cd_job_journal_get_records (CdJobJournal *self)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), NULL);

  return g_ptr_array_copy (self->records, (GCopyFunc) cd_job_record_ref, NULL);
}

/**
 * cd_job_journal_get_unfinished:
 *
 * Returns: (transfer full) (element-type CdJobRecord): the records with a
 *   token and no #CdJobRecord.finished date: the imports to resume polling.
 */
GPtrArray *
cd_job_journal_get_unfinished (CdJobJournal *self)
{
  GPtrArray *unfinished;

  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), NULL);

  unfinished = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  for (guint i = 0; i < self->records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (self->records, i);

      if (record->token != NULL && record->finished == NULL)
        g_ptr_array_add (unfinished, cd_job_record_ref (record));
    }

  return unfinished;
}

/* Adds a reference to @record at the end; adding it twice does nothing. */
void
cd_job_journal_add (CdJobJournal *self,
                    CdJobRecord  *record)
{
  g_return_if_fail (CD_IS_JOB_JOURNAL (self));
  g_return_if_fail (record != NULL);
  g_return_if_fail (record->host != NULL);

  if (g_ptr_array_find (self->records, record, NULL))
    return;

  g_ptr_array_add (self->records, cd_job_record_ref (record));
}

/* Returns: whether @record (this very record, not an equal one) was there. */
gboolean
cd_job_journal_remove (CdJobJournal *self,
                       CdJobRecord  *record)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  return g_ptr_array_remove (self->records, record);
}

/**
 * cd_job_journal_find:
 *
 * Returns: (transfer none) (nullable): the latest record of the import
 *   @token on @host.
 */
CdJobRecord *
cd_job_journal_find (CdJobJournal *self,
                     const char   *host,
                     const char   *token)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  for (guint i = self->records->len; i > 0; i--)
    {
      CdJobRecord *record = g_ptr_array_index (self->records, i - 1);

      if (g_strcmp0 (record->token, token) == 0 && cd_job_journal_host_equal (record->host, host))
        return record;
    }

  return NULL;
}

/**
 * cd_job_journal_find_duplicate:
 *
 * Imports append to the offering, so importing the same package twice
 * duplicates its content.  This finds the earlier import to warn about.
 *
 * Returns: (transfer none) (nullable): the most recently added record of an
 *   import (one with a token) of the package with @sha256 into @offering on
 *   @host, finished or not.
 */
CdJobRecord *
cd_job_journal_find_duplicate (CdJobJournal *self,
                               const char   *host,
                               gint64        offering,
                               const char   *sha256)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (sha256 != NULL, NULL);

  for (guint i = self->records->len; i > 0; i--)
    {
      CdJobRecord *record = g_ptr_array_index (self->records, i - 1);

      if (record->token != NULL &&
          record->offering == offering &&
          record->sha256 != NULL &&
          g_ascii_strcasecmp (record->sha256, sha256) == 0 &&
          cd_job_journal_host_equal (record->host, host))
        return record;
    }

  return NULL;
}
