/* cd-job-journal-file.c: reading, locking and writing jobs.json
 *
 * Several processes share the journal: the window and any number of
 * coursedrop-cli runs.  Every change is therefore a read-merge-write under
 * an exclusive flock() on a sibling lock file (the journal itself is
 * replaced by rename, so it cannot carry the lock): re-read what is on
 * disk, apply only this process's changes, write atomically and durably.
 * A damaged journal is moved aside, never deleted; a journal that could
 * not be read is never overwritten.
 *
 * Nothing here touches a CdJobJournal: it runs on a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cd-job-journal-private.h"

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

/* Reads the file, at most CD_JOB_JOURNAL_MAX_SIZE of it, and parses it. */
static void
read_journal (const char        *path,
              CdJournalContents *c)
{
  g_autoptr(GError) error = NULL;
  struct stat buf;
  int fd;

  memset (c, 0, sizeof *c);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 && errno == ENOENT)
    {
      c->result = CD_JOURNAL_READ_MISSING;
      c->records = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
      c->warnings = g_ptr_array_new_with_free_func (g_free);
      return;
    }

  c->result = CD_JOURNAL_READ_FAILED;
  if (fd < 0 || fstat (fd, &buf) != 0)
    {
      int saved_errno = errno;

      c->error = g_error_new_literal (G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                                      g_strerror (saved_errno));
    }
  else if (!S_ISREG (buf.st_mode))
    c->error = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                                    _("it is not a regular file"));
  else if (buf.st_size > CD_JOB_JOURNAL_MAX_SIZE)
    c->error = g_error_new (G_FILE_ERROR, G_FILE_ERROR_FAILED,
                            /* Translators: %d is a size in MiB. */
                            _("it is larger than %d MiB, far more than any job journal"),
                            CD_JOB_JOURNAL_MAX_SIZE / (1024 * 1024));
  else
    {
      g_autoptr(GByteArray) bytes = g_byte_array_sized_new ((guint)buf.st_size + 1);
      guint8 chunk[65536];
      gssize n;

      while ((n = read (fd, chunk, sizeof chunk)) != 0)
        {
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0 || bytes->len + (gsize)n > CD_JOB_JOURNAL_MAX_SIZE)
            {
              int saved_errno = n < 0 ? errno : EFBIG;

              c->error = g_error_new_literal (G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                                              g_strerror (saved_errno));
              break;
            }
          g_byte_array_append (bytes, chunk, (guint)n);
        }

      if (c->error == NULL)
        {
          c->length = bytes->len;
          g_byte_array_append (bytes, (const guint8 *)"", 1);
          c->contents = (char *)g_byte_array_free (g_steal_pointer (&bytes), FALSE);
          cd_journal_parse (c);
        }
    }

  if (fd >= 0)
    close (fd);
}

/* Returns: an fd holding the journal's lock, or -1 with @error.  With
 * @create FALSE a missing folder is no error: nothing to protect. */
static int
lock_journal (const char  *path,
              gboolean     create,
              GError     **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  int saved_errno;
  int fd;

  if (create && g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: the first %s is a folder path, the second a system error. */
                   _("The folder “%s” for the job journal could not be created (%s). Check its "
                     "permissions; until then, jobs are not remembered."),
                   dir, g_strerror (saved_errno));
      return -1;
    }

  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: the first %s is a file path, the second a system error. */
                   _("The job journal “%s” could not be saved (%s). Free some disk space or "
                     "check the folder’s permissions; until then, jobs are not remembered."),
                   path, g_strerror (saved_errno));
      return -1;
    }

  while (flock (fd, LOCK_EX) != 0)
    {
      if (errno == EINTR)
        continue;
      /* A file system without locks still gets the journal written. */
      g_debug ("Could not lock %s: %s", lock_path, g_strerror (errno));
      break;
    }

  return fd;
}

static void
unlock_journal (int fd)
{
  if (fd >= 0)
    close (fd);  /* releases the flock */
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

static void
set_too_many_copies (const char  *path,
                     GError     **error)
{
  g_set_error (error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
               /* Translators: %s is a file path. */
               _("The job journal “%s” is damaged and there are too many earlier copies "
                 "next to it. Move them elsewhere, then try again."),
               path);
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
      set_too_many_copies (path, error);
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
 * since the next save writes only those that could.  Named by its
 * content, so reading the same file again and again (coursedrop-cli jobs)
 * makes one copy, not one per run. */
static char *
copy_aside (const char  *path,
            const char  *contents,
            gsize        length,
            GError     **error)
{
  g_autofree char *hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                       (const guchar *)contents, length);
  g_autofree char *backup = g_strdup_printf ("%s.corrupt-%.16s", path, hash);
  GStatBuf buf;

  if (g_lstat (backup, &buf) == 0)
    return g_steal_pointer (&backup);

  if (!g_file_set_contents_full (backup, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return NULL;

  return g_steal_pointer (&backup);
}

gboolean
cd_journal_read_locked (const char         *path,
                        CdJournalContents  *contents,
                        char              **backup,
                        char              **partial_backup,
                        GError            **error)
{
  int fd = lock_journal (path, FALSE, NULL);
  gboolean ok = TRUE;

  read_journal (path, contents);

  if (contents->result == CD_JOURNAL_READ_CORRUPT)
    ok = (*backup = move_aside (path, error)) != NULL;
  else if (contents->result == CD_JOURNAL_READ_OK && contents->skipped > 0)
    ok = (*partial_backup = copy_aside (path, contents->contents, contents->length,
                                        error)) != NULL;

  unlock_journal (fd);
  return ok;
}

CdJournalOp *
cd_journal_op_new (const char *path,
                   gboolean    write,
                   guint64     seq)
{
  CdJournalOp *op = g_new0 (CdJournalOp, 1);

  op->path = g_strdup (path);
  op->write = write;
  op->seq = seq;
  op->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
  op->removed = g_ptr_array_new_with_free_func (g_free);
  op->on_disk = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return op;
}

void
cd_journal_op_free (CdJournalOp *op)
{
  g_free (op->path);
  g_clear_pointer (&op->changes, g_ptr_array_unref);
  g_clear_pointer (&op->removed, g_ptr_array_unref);
  g_clear_pointer (&op->on_disk, g_hash_table_unref);
  g_clear_pointer (&op->merged, g_ptr_array_unref);
  g_clear_pointer (&op->fingerprints, g_ptr_array_unref);
  g_clear_error (&op->error);
  g_free (op);
}

static gint
find_id (GPtrArray  *records,
         const char *id)
{
  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (((CdJobRecord *)g_ptr_array_index (records, i))->id, id) == 0)
      return (gint)i;

  return -1;
}

/* What only the losing version of a record knows (the course's name, looked
 * up by one process while another recorded the token) is kept. */
static void
keep_what_loser_knows (CdJobRecord       *winner,
                       const CdJobRecord *loser)
{
  if (winner->offering_name == NULL && loser->offering_name != NULL &&
      winner->offering == loser->offering)
    winner->offering_name = g_strdup (loser->offering_name);
}

/* This process's changes over what is on disk: removals by id, then each
 * changed record against the file's version of it (cd_job_record_beats).
 * A record not on disk is added if it is new; if it was there once,
 * another process removed it, and a removal is meant: it stays removed. */
static void
merge (CdJournalOp *op,
       GPtrArray   *disk)
{
  for (guint i = 0; i < op->removed->len; i++)
    {
      gint at = find_id (disk, g_ptr_array_index (op->removed, i));

      if (at >= 0)
        g_ptr_array_remove_index (disk, (guint)at);
    }

  for (guint i = 0; i < op->changes->len; i++)
    {
      CdJobRecord *ours = g_ptr_array_index (op->changes, i);
      gint at = find_id (disk, ours->id);

      if (at < 0 && !g_hash_table_contains (op->on_disk, ours->id))
        g_ptr_array_add (disk, cd_job_record_ref (ours));
      else if (at < 0)
        continue;
      else if (cd_job_record_beats (ours, g_ptr_array_index (disk, (guint)at)))
        {
          keep_what_loser_knows (ours, g_ptr_array_index (disk, (guint)at));
          cd_job_record_unref (g_ptr_array_index (disk, (guint)at));
          g_ptr_array_index (disk, (guint)at) = cd_job_record_ref (ours);
        }
      else
        keep_what_loser_knows (g_ptr_array_index (disk, (guint)at), ours);
    }
}

static gboolean
write_merged (CdJournalOp *op,
              JsonNode    *old_root)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = g_path_get_dirname (op->path);
  g_autofree char *data = NULL;
  gsize length;

  data = cd_journal_serialize (old_root, op->merged, &length);
  if (!g_file_set_contents_full (op->path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (&op->error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_WRITE,
                   /* Translators: the first %s is a file path, the second a system error. */
                   _("The job journal “%s” could not be saved (%s). Free some disk space or "
                     "check the folder’s permissions; until then, jobs are not remembered."),
                   op->path, local_error->message);
      return FALSE;
    }

  sync_directory (dir);
  return TRUE;
}

/* Returns whether the file as read can be merged into; sets op->error if not. */
static gboolean
check_read (CdJournalOp       *op,
            CdJournalContents *c)
{
  g_autofree char *backup = NULL;

  switch (c->result)
    {
    case CD_JOURNAL_READ_OK:
      /* This write drops them: their original must be kept first. */
      if (c->skipped > 0 && op->write &&
          (backup = copy_aside (op->path, c->contents, c->length, &op->error)) == NULL)
        return FALSE;
      return TRUE;

    case CD_JOURNAL_READ_MISSING:
      return TRUE;

    case CD_JOURNAL_READ_CORRUPT:
      if (!op->write)
        break;
      /* Damaged since it was loaded: as the load does, keep it aside. */
      if ((backup = move_aside (op->path, &op->error)) == NULL)
        return FALSE;
      g_message ("The job journal %s was damaged (%s); moved it to %s", op->path, c->reason,
                 backup);
      return TRUE;

    case CD_JOURNAL_READ_NEWER:
      g_set_error (&op->error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_NEWER_VERSION,
                   /* Translators: %s is a file path. */
                   _("The job journal “%s” was written by a newer version of Coursedrop. "
                     "Update Coursedrop to see and keep those jobs; the file has not been "
                     "changed."),
                   op->path);
      return FALSE;

    case CD_JOURNAL_READ_FAILED:
    default:
      break;
    }

  g_set_error (&op->error, CD_JOB_JOURNAL_ERROR, CD_JOB_JOURNAL_ERROR_UNREADABLE,
               /* Translators: the first %s is a file path, the second a reason. */
               _("The job journal “%s” could not be read (%s); it has not been changed."),
               op->path, c->error != NULL ? c->error->message : c->reason);
  return FALSE;
}

void
cd_journal_op_run (CdJournalOp *op)
{
  CdJournalContents c = { 0 };
  int fd = -1;

  if (op->write && (fd = lock_journal (op->path, TRUE, &op->error)) < 0)
    return;

  read_journal (op->path, &c);
  /* A refresh of a journal that is gone learns nothing: keep what we know. */
  if (!op->write && c.result == CD_JOURNAL_READ_MISSING)
    ;
  else if (check_read (op, &c))
    {
      op->merged = c.result == CD_JOURNAL_READ_OK ? g_ptr_array_ref (c.records)
        : g_ptr_array_new_with_free_func ((GDestroyNotify) cd_job_record_unref);
      merge (op, op->merged);

      if (op->write && (op->changes->len > 0 || op->removed->len > 0 ||
                        c.result == CD_JOURNAL_READ_CORRUPT) &&
          !write_merged (op, c.result == CD_JOURNAL_READ_OK ? c.root : NULL))
        g_clear_pointer (&op->merged, g_ptr_array_unref);
    }

  unlock_journal (fd);
  cd_journal_contents_clear (&c);

  /* Comparing is the main thread's part: spare it the serializing. */
  if (op->merged != NULL)
    {
      op->fingerprints = g_ptr_array_new_full (op->merged->len, g_free);
      for (guint i = 0; i < op->merged->len; i++)
        g_ptr_array_add (op->fingerprints,
                         cd_job_record_fingerprint (g_ptr_array_index (op->merged, i)));
    }
}
