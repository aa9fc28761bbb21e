/* cd-job-journal-private.h: what the journal's files share
 *
 * cd-job-journal.c: the GObject, loading, lookups.
 * cd-job-journal-save.c: saving, seeing other processes' changes, the worker.
 * cd-job-journal-file.c: locking, reading and writing jobs.json, on any thread.
 * cd-job-journal-json.c: the file as JSON.
 * cd-job-journal-record.c: records, their JSON form and the merge rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "cd-job-journal.h"

G_BEGIN_DECLS

#define CD_JOB_JOURNAL_VERSION  1
/* A journal of ten thousand jobs is a few MiB: anything far bigger is not one. */
#define CD_JOB_JOURNAL_MAX_SIZE (64 * 1024 * 1024)

typedef enum {
  CD_JOURNAL_NOT_LOADED,
  CD_JOURNAL_LOADED,
  CD_JOURNAL_BLOCKED,  /* the file exists but was not understood: never overwrite it */
} CdJournalState;

/* What this process last wrote or read of a record: a record whose
 * fingerprint differs has changed here since, and is saved next time.
 * seq is the operation that wrote or read it. */
typedef struct
{
  char    *fingerprint;  /* (nullable): NULL means changed, save it */
  guint64  seq;
  gboolean on_disk;      /* it was in the file once: if it is gone, it was removed */
} CdJournalKnown;

struct _CdJobJournal
{
  GObject        parent_instance;

  char          *path;          /* (owned) */
  char          *load_warning;  /* (owned) (nullable) */
  GPtrArray     *records;       /* (owned) (element-type CdJobRecord) */
  GError        *load_error;    /* (owned) (nullable): why the state is BLOCKED */
  GError        *write_error;   /* (owned) (nullable): why the last save failed */
  CdJournalState state;

  GHashTable    *known;         /* (owned) id → CdJournalKnown */
  GHashTable    *removed;       /* (owned) id → CdJournalKnown: removed here, seq 0 until sent */
  guint64        seq;           /* the last operation's */
  guint          n_saving;
  GFileMonitor  *monitor;       /* (owned) (nullable) */
  guint          refresh_source;
};

/* cd-job-journal.c */
void         cd_job_journal_set_known       (CdJobJournal *self,
                                             const char   *id,
                                             char         *fingerprint,
                                             guint64       seq,
                                             gboolean      on_disk);
void         cd_job_journal_set_write_error (CdJobJournal *self,
                                             const GError *error);
void         cd_job_journal_set_saving      (CdJobJournal *self,
                                             gboolean      more);
void         cd_job_journal_emit_changed    (CdJobJournal *self,
                                             GPtrArray    *added,
                                             GPtrArray    *updated,
                                             GPtrArray    *removed);
/* cd-job-journal-save.c */
void         cd_job_journal_stop_watching   (CdJobJournal *self);

/* Records.  Any thread may use a record it alone holds. */
CdJobRecord *cd_job_record_dup_private   (const CdJobRecord *self) G_GNUC_WARN_UNUSED_RESULT;
CdJobRecord *cd_job_record_from_json     (JsonObject        *object,
                                          guint              index,
                                          GPtrArray         *warnings) G_GNUC_WARN_UNUSED_RESULT;
JsonNode    *cd_job_record_to_json       (const CdJobRecord *self) G_GNUC_WARN_UNUSED_RESULT;
char        *cd_job_record_fingerprint   (const CdJobRecord *self) G_GNUC_WARN_UNUSED_RESULT;
void         cd_job_record_assign        (CdJobRecord       *self,
                                          const CdJobRecord *from);
gboolean     cd_job_record_beats         (const CdJobRecord *a,
                                          const CdJobRecord *b);
gboolean     cd_journal_get_int64        (JsonObject        *object,
                                          const char        *member,
                                          gint64            *out);

typedef enum {
  CD_JOURNAL_READ_OK,
  CD_JOURNAL_READ_MISSING,
  CD_JOURNAL_READ_CORRUPT,  /* reason says why */
  CD_JOURNAL_READ_NEWER,
  CD_JOURNAL_READ_FAILED,   /* error says why */
} CdJournalRead;

typedef struct
{
  CdJournalRead  result;
  char          *contents;  /* the file's bytes, when read */
  gsize          length;
  JsonNode      *root;      /* OK: the top-level object, for members we do not know */
  GPtrArray     *records;   /* (element-type CdJobRecord): those understood, in order */
  guint          skipped;   /* jobs that could not be understood */
  GPtrArray     *warnings;  /* (element-type utf8): one line each for the log */
  char          *reason;
  GError        *error;
} CdJournalContents;

void      cd_journal_contents_clear (CdJournalContents *contents);
void      cd_journal_parse          (CdJournalContents *contents);
char     *cd_journal_serialize      (JsonNode          *old_root,
                                     GPtrArray         *records,
                                     gsize             *length);

/* One read-merge-write, run on the journal's worker thread or, for the
 * synchronous save, on the caller's.  Touches nothing but itself. */
typedef struct
{
  char       *path;
  gboolean    write;      /* FALSE: only read (a refresh after another process wrote) */
  GPtrArray  *changes;    /* (element-type CdJobRecord): private copies */
  GHashTable *on_disk;    /* ids of changes that were in the file once */
  GPtrArray  *removed;    /* (element-type utf8): ids */
  guint64     seq;

  /* Results */
  GPtrArray  *merged;     /* (element-type CdJobRecord): the journal as written or read */
  GPtrArray  *fingerprints; /* (element-type utf8): of each merged record, made here */
  GError     *error;
} CdJournalOp;

CdJournalOp *cd_journal_op_new   (const char  *path,
                                  gboolean     write,
                                  guint64      seq);
void         cd_journal_op_free  (CdJournalOp *op);
void         cd_journal_op_run   (CdJournalOp *op);

/* Under the journal's lock: reads @path, keeping a copy of a file some of
 * whose jobs could not be read, and moving aside a damaged one (@backup
 * says where).  Used by the load. */
gboolean     cd_journal_read_locked (const char         *path,
                                     CdJournalContents  *contents,
                                     char              **backup,
                                     char              **partial_backup,
                                     GError            **error);

/* The worker queue: one write at a time, in order, for every journal of
 * the process; the process does not exit before the queue is empty. */
void         cd_journal_queue_push      (GTask *task);
void         cd_journal_queue_wait_idle (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdJournalOp, cd_journal_op_free)

G_END_DECLS
