/* cd-job-journal.h: the persistent record of every import job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One import job as stored in jobs.json.  Callers change the fields in
 * place and then call cd_job_journal_save_async() (or _save()): the save
 * finds what changed.  Strings are owned by the record (free the old value
 * when replacing one); dates are UTC.  A save or a refresh may also change
 * a record in place with what another process recorded (see
 * CdJobJournal::changed).  Members of jobs.json this version does not
 * know are kept with the record and written back. */
#define CD_TYPE_JOB_RECORD (cd_job_record_get_type ())

typedef struct _CdJobRecord CdJobRecord;

struct _CdJobRecord
{
  char      *host;           /* "https://school.brightspace.com"; required */
  gint64     offering;       /* org unit ID; required */
  char      *offering_name;  /* (nullable) */
  char      *token;          /* (nullable): NULL until the upload returned a JobToken */
  char      *package;        /* (nullable) (type filename): the package's path */
  char      *sha256;         /* (nullable): lower-case hex */
  gint64     bytes;          /* the package's size, -1 if unknown */
  char      *status;         /* (nullable): Brightspace's raw status word */
  GDateTime *started;        /* (nullable) */
  GDateTime *finished;       /* (nullable): set once the job reached a final state */
  char      *error;          /* (nullable): why it failed, for display */
  char      *id;             /* stable identity across processes: a random UUID, made
                              * with the record; do not change it */
  GDateTime *updated;        /* (nullable): when a process last saved a change to it */
  char      *quick_key;      /* (nullable): the package's quick key (cd-digest.h); older
                              * records lack it */
};

GType        cd_job_record_get_type (void) G_GNUC_CONST;
CdJobRecord *cd_job_record_new      (void) G_GNUC_WARN_UNUSED_RESULT;
CdJobRecord *cd_job_record_copy     (const CdJobRecord *self) G_GNUC_WARN_UNUSED_RESULT;
CdJobRecord *cd_job_record_ref      (CdJobRecord       *self);
void         cd_job_record_unref    (CdJobRecord       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdJobRecord, cd_job_record_unref)

/* Members outside the fields above (e.g. "verification"), kept and written
 * like unknown ones.  (transfer full) (nullable) */
JsonNode    *cd_job_record_dup_member (const CdJobRecord *self,
                                       const char        *name) G_GNUC_WARN_UNUSED_RESULT;
/* @value: (nullable): NULL removes the member.  A known member's name is
 * ignored. */
void         cd_job_record_set_member (CdJobRecord       *self,
                                       const char        *name,
                                       JsonNode          *value);

#define CD_JOB_JOURNAL_ERROR (cd_job_journal_error_quark ())

typedef enum {
  CD_JOB_JOURNAL_ERROR_UNREADABLE,     /* the file exists but could not be read */
  CD_JOB_JOURNAL_ERROR_NEWER_VERSION,  /* written by a newer Coursedrop */
  CD_JOB_JOURNAL_ERROR_NOT_LOADED,     /* save before a successful load */
  CD_JOB_JOURNAL_ERROR_WRITE,          /* the file or its folder could not be written */
} CdJobJournalError;

GQuark cd_job_journal_error_quark (void);

/* Main-thread only: neither the journal nor its records are thread-safe.
 * Several processes may share one journal file: every save is a locked
 * read-merge-write of this process's changes, so nothing another process
 * recorded is lost; cd_job_journal_watch() follows their changes. */
#define CD_TYPE_JOB_JOURNAL (cd_job_journal_get_type ())

G_DECLARE_FINAL_TYPE (CdJobJournal, cd_job_journal, CD, JOB_JOURNAL, GObject)

CdJobJournal *cd_job_journal_new                (const char    *path) G_GNUC_WARN_UNUSED_RESULT;

const char   *cd_job_journal_get_path           (CdJobJournal  *self);
gboolean      cd_job_journal_load               (CdJobJournal  *self,
                                                 GError       **error);
const char   *cd_job_journal_get_load_warning   (CdJobJournal  *self);
gboolean      cd_job_journal_save               (CdJobJournal  *self,
                                                 GError       **error);
void          cd_job_journal_save_async         (CdJobJournal        *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      cd_job_journal_save_finish        (CdJobJournal  *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);
/* Why the last save failed, or NULL once one succeeded (notify::write-error). */
const GError *cd_job_journal_get_write_error    (CdJobJournal  *self);
/* Whether saves are queued or being written (notify::saving). */
gboolean      cd_job_journal_is_saving          (CdJobJournal  *self);
/* Re-reads the file whenever another process changes it and emits
 * CdJobJournal::changed with what changed in memory. */
void          cd_job_journal_watch              (CdJobJournal  *self);

GPtrArray    *cd_job_journal_get_records        (CdJobJournal  *self);
GPtrArray    *cd_job_journal_get_unfinished     (CdJobJournal  *self);
void          cd_job_journal_add                (CdJobJournal  *self,
                                                 CdJobRecord   *record);
gboolean      cd_job_journal_remove             (CdJobJournal  *self,
                                                 CdJobRecord   *record);
CdJobRecord  *cd_job_journal_find               (CdJobJournal  *self,
                                                 const char    *host,
                                                 const char    *token);
CdJobRecord  *cd_job_journal_find_duplicate     (CdJobJournal  *self,
                                                 const char    *host,
                                                 gint64         offering,
                                                 const char    *sha256);

/* Whether two Brightspace addresses name the same site: case and a
 * trailing slash do not matter. */
gboolean      cd_job_journal_host_equal   (const char   *a,
                                           const char   *b);

G_END_DECLS
