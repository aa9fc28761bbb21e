/* cd-import-job-guard.c: the duplicate guard
 *
 * Brightspace adds imported content again, so importing a package twice
 * into one offering duplicates it: before an upload the guard looks for an
 * earlier import of the same content.  Comparing full SHA-256 digests
 * would make the user wait for the whole file to be read first; the quick
 * key (size and the first and last MiB, cd-digest.h) settles the common
 * case at once.  Same content always has the same quick key, so a record
 * without that quick key cannot be a duplicate.  Only when one has it
 * (or is too old to have one) is the full digest computed, off the main
 * loop, before the answer.  Otherwise the upload computes the digest as it
 * reads the file, and the job records it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-import-job-private.h"

/* An import that got a token, or an upload whose outcome is unknown. */
static gboolean
record_counts (const CdJobRecord *record,
               const char        *host,
               gint64             offering)
{
  return record->offering == offering &&
         (record->token != NULL || cd_import_job_record_outcome_unknown (record)) &&
         cd_job_journal_host_equal (record->host, host);
}

/* Whether @record may be of the content with @quick_key: only the full
 * digest can tell then. */
static gboolean
record_may_match (const CdJobRecord *record,
                  const char        *quick_key,
                  gint64             size)
{
  if (record->quick_key != NULL)
    return g_strcmp0 (record->quick_key, quick_key) == 0;

  /* Written before quick keys: its digest, when known, must decide. */
  return record->sha256 != NULL && (record->bytes < 0 || record->bytes == size);
}

/* The newest matching record.  A record with the same quick key and no
 * digest (an upload cut short before it was computed) cannot be told
 * apart, so it counts as a match: the guard must never miss. */
static CdJobRecord *
find_previous (CdJobJournal *journal,
               const char   *host,
               gint64        offering,
               const char   *sha256,
               const char   *quick_key)
{
  g_autoptr(GPtrArray) records = cd_job_journal_get_records (journal);

  for (guint i = records->len; i > 0; i--)
    {
      CdJobRecord *record = g_ptr_array_index (records, i - 1);

      if (!record_counts (record, host, offering))
        continue;
      if (record->sha256 != NULL && sha256 != NULL &&
          g_ascii_strcasecmp (record->sha256, sha256) == 0)
        return record;
      if (record->sha256 == NULL && quick_key != NULL &&
          g_strcmp0 (record->quick_key, quick_key) == 0)
        return record;
    }

  return NULL;
}

/**
 * cd_import_job_find_previous:
 *
 * The duplicate guard: an earlier import of the package with @sha256 into
 * @offering on @host, or an upload of it whose outcome is unknown (it may
 * have been imported).  Returns: (transfer none) (nullable)
 */
CdJobRecord *
cd_import_job_find_previous (CdJobJournal *journal,
                             const char   *host,
                             gint64        offering,
                             const char   *sha256)
{
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (journal), NULL);
  g_return_val_if_fail (host != NULL && sha256 != NULL, NULL);

  return find_previous (journal, host, offering, sha256, NULL);
}

/**
 * cd_import_job_needs_full_check:
 *
 * Returns: whether a record in @journal may be of the same content as
 *   @package (checked with cd_package_check_async()), so that only its
 *   full SHA-256 can tell.  %FALSE proves that none is.
 */
gboolean
cd_import_job_needs_full_check (CdJobJournal *journal,
                                const char   *host,
                                gint64        offering,
                                CdPackage    *package)
{
  g_autoptr(GPtrArray) records = NULL;
  const char *quick_key;

  g_return_val_if_fail (CD_IS_JOB_JOURNAL (journal), TRUE);
  g_return_val_if_fail (host != NULL, TRUE);
  g_return_val_if_fail (CD_IS_PACKAGE (package), TRUE);

  if ((quick_key = cd_package_get_quick_key (package)) == NULL)
    return TRUE;

  records = cd_job_journal_get_records (journal);
  for (guint i = 0; i < records->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (records, i);

      if (record_counts (record, host, offering) &&
          record_may_match (record, quick_key, cd_package_get_size (package)))
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  CdJobJournal *journal;  /* (owned) */
  char         *host;     /* (owned) */
  gint64        offering;
} Guard;

static void
guard_free (Guard *guard)
{
  g_clear_object (&guard->journal);
  g_clear_pointer (&guard->host, g_free);
  g_free (guard);
}

static void
return_previous (GTask     *task,
                 CdPackage *package)
{
  Guard *guard = g_task_get_task_data (task);
  CdJobRecord *previous;

  previous = find_previous (guard->journal, guard->host, guard->offering,
                            cd_package_get_sha256 (package), cd_package_get_quick_key (package));
  g_task_return_pointer (task, previous != NULL ? cd_job_record_ref (previous) : NULL,
                         (GDestroyNotify) cd_job_record_unref);
}

static void
hashed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!cd_package_check_finish (CD_PACKAGE (object), result, &error))
    g_task_return_error (task, error);
  else
    return_previous (task, CD_PACKAGE (object));
}

/**
 * cd_import_job_find_previous_async:
 *
 * The duplicate guard for @package, checked with cd_package_check_async():
 * cd_import_job_find_previous() without making the user wait for the full
 * SHA-256 unless the quick key leaves a duplicate possible; then it is
 * computed in a worker thread (and set on @package) first.
 */
void
cd_import_job_find_previous_async (CdJobJournal        *journal,
                                   const char          *host,
                                   gint64               offering,
                                   CdPackage           *package,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Guard *guard;

  g_return_if_fail (CD_IS_JOB_JOURNAL (journal));
  g_return_if_fail (host != NULL);
  g_return_if_fail (CD_IS_PACKAGE (package));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_import_job_find_previous_async);
  guard = g_new0 (Guard, 1);
  guard->journal = g_object_ref (journal);
  guard->host = g_strdup (host);
  guard->offering = offering;
  g_task_set_task_data (task, guard, (GDestroyNotify) guard_free);

  if (cd_package_get_sha256 (package) != NULL)
    return_previous (task, package);
  else if (cd_import_job_needs_full_check (journal, host, offering, package))
    cd_package_hash_async (package, cancellable, hashed_cb, g_steal_pointer (&task));
  else
    g_task_return_pointer (task, NULL, NULL);
}

/**
 * cd_import_job_find_previous_finish:
 *
 * Returns: (transfer full) (nullable): the earlier record, or %NULL (with
 *   @error unset) when there is none, or %NULL with @error set when the
 *   package could not be read.
 */
CdJobRecord *
cd_import_job_find_previous_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cd_import_job_find_previous_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
