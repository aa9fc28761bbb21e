/* cd-job-journal.c: the persistent record of every import job
 *
 * Brightspace imports append content, so losing track of a started import
 * means either a lost job or a duplicated course.  Hence the rules here:
 * every save is atomic and durable and merges with what other processes
 * wrote (cd-job-journal-file.c); a damaged journal is moved aside, never
 * deleted; and a journal that could not be read is never overwritten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-job-journal-private.h"

G_DEFINE_FINAL_TYPE (CdJobJournal, cd_job_journal, G_TYPE_OBJECT)

G_DEFINE_QUARK (cd-job-journal-error-quark, cd_job_journal_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOAD_WARNING,
  PROP_WRITE_ERROR,
  PROP_SAVING,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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

static void
known_free (gpointer data)
{
  CdJournalKnown *known = data;

  g_free (known->fingerprint);
  g_free (known);
}

/* Takes @fingerprint. */
void
cd_job_journal_set_known (CdJobJournal *self,
                          const char   *id,
                          char         *fingerprint,
                          guint64       seq,
                          gboolean      on_disk)
{
  CdJournalKnown *known = g_new0 (CdJournalKnown, 1);

  known->fingerprint = fingerprint;
  known->seq = seq;
  known->on_disk = on_disk;
  g_hash_table_replace (self->known, g_strdup (id), known);
}

void
cd_job_journal_set_write_error (CdJobJournal *self,
                                const GError *error)
{
  if (error == NULL && self->write_error == NULL)
    return;

  g_clear_error (&self->write_error);
  self->write_error = error != NULL ? g_error_copy (error) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WRITE_ERROR]);
}

/* One more (@more) or one fewer save queued. */
void
cd_job_journal_set_saving (CdJobJournal *self,
                           gboolean      more)
{
  gboolean was_saving = self->n_saving > 0;

  if (more)
    self->n_saving++;
  else if (self->n_saving > 0)
    self->n_saving--;

  if (was_saving != (self->n_saving > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
}

void
cd_job_journal_emit_changed (CdJobJournal *self,
                             GPtrArray    *added,
                             GPtrArray    *updated,
                             GPtrArray    *removed)
{
  g_signal_emit (self, signals[CHANGED], 0, added, updated, removed);
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
  self->state = CD_JOURNAL_BLOCKED;
  g_clear_error (&self->load_error);
  self->load_error = g_error_copy (reason);
  g_propagate_error (error, reason);

  return FALSE;
}

static void
cd_job_journal_dispose (GObject *object)
{
  cd_job_journal_stop_watching (CD_JOB_JOURNAL (object));

  G_OBJECT_CLASS (cd_job_journal_parent_class)->dispose (object);
}

static void
cd_job_journal_finalize (GObject *object)
{
  CdJobJournal *self = CD_JOB_JOURNAL (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->load_warning, g_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->removed, g_hash_table_unref);
  g_clear_error (&self->load_error);
  g_clear_error (&self->write_error);

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

    case PROP_WRITE_ERROR:
      g_value_set_boxed (value, self->write_error);
      break;

    case PROP_SAVING:
      g_value_set_boolean (value, self->n_saving > 0);
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

  object_class->dispose = cd_job_journal_dispose;
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

  /* Why the last save failed (a GError), NULL once one succeeded: a window
   * shows it until then, since jobs are not remembered meanwhile. */
  properties[PROP_WRITE_ERROR] =
    g_param_spec_boxed ("write-error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SAVING] =
    g_param_spec_boolean ("saving", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CdJobJournal::changed:
   * @added: (element-type CdJobRecord): records another process added
   * @updated: (element-type CdJobRecord): records changed in place
   * @removed: (element-type CdJobRecord): records another process removed
   *
   * Another process changed the journal, and a save or a refresh (see
   * cd_job_journal_watch()) brought those changes into memory.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 3, G_TYPE_PTR_ARRAY, G_TYPE_PTR_ARRAY,
                                   G_TYPE_PTR_ARRAY);
}

static void
cd_job_journal_init (CdJobJournal *self)
{
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, known_free);
  self->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, known_free);
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

/* Returns: (nullable): why the last save failed; NULL once one succeeded. */
const GError *
cd_job_journal_get_write_error (CdJobJournal *self)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), NULL);

  return self->write_error;
}

gboolean
cd_job_journal_is_saving (CdJobJournal *self)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);

  return self->n_saving > 0;
}

static void
take_records (CdJobJournal *self,
              GPtrArray    *records)
{
  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->records = records;

  g_hash_table_remove_all (self->known);
  g_hash_table_remove_all (self->removed);
  for (guint i = 0; i < records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (records, i);

      cd_job_journal_set_known (self, record->id, cd_job_record_fingerprint (record), self->seq,
                                TRUE);
    }
}

static void
set_loaded_warning (CdJobJournal *self,
                    const char   *backup,
                    const char   *partial_backup,
                    guint         skipped)
{
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
}

/**
 * cd_job_journal_load:
 *
 * Replaces the records in memory with the file's, after this process's
 * queued saves were written.  A missing file is an empty journal.  A
 * damaged one is moved aside to `jobs.json.corrupt-YYYYMMDD-HHMMSS`, the
 * journal starts empty and cd_job_journal_get_load_warning() says so; a
 * journal some of whose jobs could not be read is copied to
 * `jobs.json.corrupt-HASH`, once per content.  A file that cannot be read,
 * is larger than 64 MiB, or that a newer Coursedrop wrote, is left alone
 * and this returns %FALSE; cd_job_journal_save() then refuses until a later
 * load succeeds.
 */
gboolean
cd_job_journal_load (CdJobJournal  *self,
                     GError       **error)
{
  CdJournalContents contents = { 0 };
  g_autofree char *backup = NULL;
  g_autofree char *partial_backup = NULL;
  GError *move_error = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cd_journal_queue_wait_idle ();

  if (!cd_journal_read_locked (self->path, &contents, &backup, &partial_backup, &move_error))
    {
      block (self, move_error, error);
      goto out;
    }

  switch (contents.result)
    {
    case CD_JOURNAL_READ_FAILED:
      block (self,
             g_error_new (CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_UNREADABLE,
                          /* Translators: the first %s is a file path, the second a
                           * system error. */
                          _("The job journal “%s” could not be read (%s). Make it a "
                            "file you can read, then start Coursedrop again; it has "
                            "not been changed."),
                          self->path, contents.error->message),
             error);
      goto out;

    case CD_JOURNAL_READ_NEWER:
      block (self,
             g_error_new (CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_NEWER_VERSION,
                          /* Translators: %s is a file path. */
                          _("The job journal “%s” was written by a newer version of "
                            "Coursedrop. Update Coursedrop to see and keep those "
                            "jobs; the file has not been changed."),
                          self->path),
             error);
      goto out;

    /* Messages, not warnings: the user hears of it through the load
     * warning; stderr only keeps a trace for whoever reads it. */
    case CD_JOURNAL_READ_CORRUPT:
      g_message ("The job journal %s is damaged (%s); moved it to %s and started empty",
                 self->path, contents.reason, backup);
      g_ptr_array_set_size (contents.records, 0);
      break;

    case CD_JOURNAL_READ_OK:
    case CD_JOURNAL_READ_MISSING:
    default:
      for (guint i = 0; i < contents.warnings->len; i++)
        g_message ("%s", (const char *)g_ptr_array_index (contents.warnings, i));
      break;
    }

  take_records (self, g_steal_pointer (&contents.records));
  self->state = CD_JOURNAL_LOADED;
  g_clear_error (&self->load_error);
  set_loaded_warning (self, backup, partial_backup, contents.skipped);
  ok = TRUE;

out:
  cd_journal_contents_clear (&contents);
  return ok;
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

/* Returns: whether @record (this very record, not an equal one) was there.
 * The next save removes it from the file too, by its id. */
gboolean
cd_job_journal_remove (CdJobJournal *self,
                       CdJobRecord  *record)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!g_ptr_array_find (self->records, record, NULL))
    return FALSE;

  if (g_hash_table_remove (self->known, record->id))
    g_hash_table_replace (self->removed, g_strdup (record->id), g_new0 (CdJournalKnown, 1));

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
