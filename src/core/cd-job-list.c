/* cd-job-list.c: every import job of one Brightspace, as a GListModel
 *
 * The journal is the truth about jobs; this list gives each of its records
 * a live CdImportJob so that a window can bind rows to them, and so that
 * jobs an earlier session started are followed again.  Records of other
 * hosts stay in the journal untouched: they need another account's keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-job-list.h"

struct _CdJobList
{
  GObject       parent_instance;

  CdClient     *client;   /* (owned) */
  CdJobJournal *journal;  /* (owned) */
  GPtrArray    *jobs;     /* (owned) (element-type CdImportJob): newest first */
};

static void cd_job_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CdJobList, cd_job_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cd_job_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

enum {
  JOB_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
cd_job_list_get_item_type (GListModel *model)
{
  return CD_TYPE_IMPORT_JOB;
}

static guint
cd_job_list_get_n_items (GListModel *model)
{
  return CD_JOB_LIST (model)->jobs->len;
}

static gpointer
cd_job_list_get_item (GListModel *model,
                      guint       position)
{
  CdJobList *self = CD_JOB_LIST (model);

  if (position >= self->jobs->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->jobs, position));
}

static void
cd_job_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cd_job_list_get_item_type;
  iface->get_n_items = cd_job_list_get_n_items;
  iface->get_item = cd_job_list_get_item;
}

static void
job_finished_cb (CdImportJob *job,
                 CdJobList   *self)
{
  g_signal_emit (self, signals[JOB_FINISHED], 0, job);
}

static void
items_changed (CdJobList *self,
               guint      position,
               guint      removed,
               guint      added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
insert_job (CdJobList   *self,
            guint        position,
            CdImportJob *job)
{
  g_signal_connect_object (job, "finished", G_CALLBACK (job_finished_cb), self, 0);
  g_ptr_array_insert (self->jobs, position, g_object_ref (job));
}

static void
take_out (CdJobList *self,
          guint      position)
{
  CdImportJob *job = g_ptr_array_index (self->jobs, position);

  g_signal_handlers_disconnect_by_func (job, job_finished_cb, self);
  g_ptr_array_remove_index (self->jobs, position);
  items_changed (self, position, 1, 0);
}

static void
cd_job_list_dispose (GObject *object)
{
  CdJobList *self = CD_JOB_LIST (object);

  for (guint i = 0; i < self->jobs->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->jobs, i),
                                          job_finished_cb, self);
  g_ptr_array_set_size (self->jobs, 0);

  G_OBJECT_CLASS (cd_job_list_parent_class)->dispose (object);
}

static void
cd_job_list_finalize (GObject *object)
{
  CdJobList *self = CD_JOB_LIST (object);

  g_clear_object (&self->client);
  g_clear_object (&self->journal);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);

  G_OBJECT_CLASS (cd_job_list_parent_class)->finalize (object);
}

static void
cd_job_list_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CdJobList *self = CD_JOB_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->jobs->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_job_list_class_init (CdJobListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_job_list_dispose;
  object_class->finalize = cd_job_list_finalize;
  object_class->get_property = cd_job_list_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Any job of the list reached its end: a window notifies about it. */
  signals[JOB_FINISHED] = g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, CD_TYPE_IMPORT_JOB);
}

static void
cd_job_list_init (CdJobList *self)
{
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
}

static gint
find_record (CdJobList   *self,
             CdJobRecord *record)
{
  for (guint i = 0; i < self->jobs->len; i++)
    if (cd_import_job_get_record (g_ptr_array_index (self->jobs, i)) == record)
      return (gint)i;

  return -1;
}

/* A job another process recorded: shown, and followed if it has a token and
 * nobody here follows it yet (a --no-wait import leaves it to us). */
static CdImportJob *
job_for_record (CdJobList   *self,
                CdJobRecord *record)
{
  CdImportJob *job = cd_import_job_new_for_record (self->client, self->journal, record);

  if (record->token != NULL && record->finished == NULL)
    cd_import_job_start (job);

  return job;
}

static void
replace_job (CdJobList *self,
             guint      position)
{
  CdImportJob *old = g_ptr_array_index (self->jobs, position);
  g_autoptr(CdImportJob) job = NULL;

  if (cd_import_job_is_running (old))
    return;  /* it follows the job itself */

  job = job_for_record (self, cd_import_job_get_record (old));
  g_signal_handlers_disconnect_by_func (old, job_finished_cb, self);
  g_ptr_array_remove_index (self->jobs, position);
  insert_job (self, position, job);
  items_changed (self, position, 1, 1);
}

static void
journal_changed_cb (CdJobJournal *journal,
                    GPtrArray    *added,
                    GPtrArray    *updated,
                    GPtrArray    *removed,
                    CdJobList    *self)
{
  const char *host = cd_client_get_host (self->client);
  gint position;

  for (guint i = 0; i < removed->len; i++)
    if ((position = find_record (self, g_ptr_array_index (removed, i))) >= 0)
      {
        g_autoptr(CdImportJob) job = g_object_ref (g_ptr_array_index (self->jobs, position));

        take_out (self, (guint)position);
        cd_import_job_cancel (job);
      }

  for (guint i = 0; i < updated->len; i++)
    if ((position = find_record (self, g_ptr_array_index (updated, i))) >= 0)
      replace_job (self, (guint)position);

  /* Oldest first: each goes on top, as the list shows newest first. */
  for (guint i = 0; i < added->len; i++)
    {
      CdJobRecord *record = g_ptr_array_index (added, i);
      g_autoptr(CdImportJob) job = NULL;

      if (!cd_job_journal_host_equal (record->host, host) || find_record (self, record) >= 0)
        continue;

      job = job_for_record (self, record);
      insert_job (self, 0, job);
      items_changed (self, 0, 0, 1);
    }
}

CdJobList *
cd_job_list_new (CdClient     *client,
                 CdJobJournal *journal)
{
  CdJobList *self;

  g_return_val_if_fail (CD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (journal), NULL);

  self = g_object_new (CD_TYPE_JOB_LIST, NULL);
  self->client = g_object_ref (client);
  self->journal = g_object_ref (journal);

  /* Jobs other processes record (a coursedrop-cli run) show up here too. */
  g_signal_connect_object (journal, "changed", G_CALLBACK (journal_changed_cb), self, 0);
  cd_job_journal_watch (journal);

  return self;
}

CdClient *
cd_job_list_get_client (CdJobList *self)
{
  g_return_val_if_fail (CD_IS_JOB_LIST (self), NULL);
  return self->client;
}

void
cd_job_list_set_client (CdJobList *self,
                        CdClient  *client)
{
  guint n;

  g_return_if_fail (CD_IS_JOB_LIST (self));
  g_return_if_fail (CD_IS_CLIENT (client));
  g_return_if_fail (cd_job_journal_host_equal (cd_client_get_host (client),
                                               cd_client_get_host (self->client)));

  g_set_object (&self->client, client);

  n = g_list_model_get_n_items (G_LIST_MODEL (self));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self), i);

      if (cd_import_job_get_paused (job))
        cd_import_job_resume (job, client);
    }
}

CdJobJournal *
cd_job_list_get_journal (CdJobList *self)
{
  g_return_val_if_fail (CD_IS_JOB_LIST (self), NULL);
  return self->journal;
}

gboolean
cd_job_list_load (CdJobList  *self,
                  GError    **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) to_start = NULL;
  const char *host;
  gboolean marked = FALSE;
  guint old_len;

  g_return_val_if_fail (CD_IS_JOB_LIST (self), FALSE);

  host = cd_client_get_host (self->client);
  records = cd_job_journal_get_records (self->journal);
  to_start = g_ptr_array_new ();
  old_len = self->jobs->len;

  for (guint i = 0; i < self->jobs->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->jobs, i),
                                          job_finished_cb, self);
  g_ptr_array_set_size (self->jobs, 0);

  /* The journal lists records oldest first; the list shows newest first. */
  for (guint i = records->len; i > 0; i--)
    {
      CdJobRecord *record = g_ptr_array_index (records, i - 1);
      g_autoptr(CdImportJob) job = NULL;

      if (!cd_job_journal_host_equal (record->host, host))
        continue;

      /* An upload that may have reached Brightspace unanswered stays as it
       * is: unknown, never "interrupted", and seen by the duplicate guard. */
      if (record->finished == NULL && record->token == NULL &&
          !cd_import_job_record_outcome_unknown (record))
        {
          /* Nobody holds the upload of an earlier session any more, and
           * Brightspace never answered with a token: it cannot go on. */
          record->finished = g_date_time_new_now_utc ();
          g_free (record->error);
          record->error = g_strdup (_("The upload was interrupted before Brightspace accepted "
                                      "the package."));
          marked = TRUE;
        }

      job = cd_import_job_new_for_record (self->client, self->journal, record);
      insert_job (self, self->jobs->len, job);

      if (record->finished == NULL && record->token != NULL)
        g_ptr_array_add (to_start, job);
    }

  items_changed (self, 0, old_len, self->jobs->len);

  /* Oldest first, so they come back in the order they were started. */
  for (guint i = to_start->len; i > 0; i--)
    cd_import_job_start (g_ptr_array_index (to_start, i - 1));

  if (marked)
    cd_job_journal_save_async (self->journal, NULL, NULL, NULL);

  return TRUE;
}

void
cd_job_list_add (CdJobList   *self,
                 CdImportJob *job)
{
  gint position;

  g_return_if_fail (CD_IS_JOB_LIST (self));
  g_return_if_fail (CD_IS_IMPORT_JOB (job));

  /* One job per record: two polling one record would each take the
   * other's news for old news.  The new one takes the old one's place. */
  position = find_record (self, cd_import_job_get_record (job));
  if (position >= 0)
    {
      g_autoptr(CdImportJob) old = g_object_ref (g_ptr_array_index (self->jobs, position));

      if (old == job)
        return;
      g_signal_handlers_disconnect_by_func (old, job_finished_cb, self);
      g_ptr_array_remove_index (self->jobs, (guint)position);
      insert_job (self, (guint)position, job);
      items_changed (self, (guint)position, 1, 1);
      cd_import_job_stop (old);
      return;
    }

  insert_job (self, 0, job);
  items_changed (self, 0, 0, 1);
}

gboolean
cd_job_list_remove (CdJobList    *self,
                    CdImportJob  *job,
                    GError      **error)
{
  guint position;

  g_return_val_if_fail (CD_IS_JOB_LIST (self), FALSE);
  g_return_val_if_fail (CD_IS_IMPORT_JOB (job), FALSE);

  if (!g_ptr_array_find (self->jobs, job, &position))
    return TRUE;

  /* Keep the job alive until the journal no longer mentions it. */
  g_object_ref (job);
  take_out (self, position);
  cd_import_job_cancel (job);
  cd_job_journal_remove (self->journal, cd_import_job_get_record (job));
  g_object_unref (job);
  cd_job_journal_save_async (self->journal, NULL, NULL, NULL);

  return TRUE;
}

CdImportJob *
cd_job_list_find_token (CdJobList  *self,
                        gint64      offering_id,
                        const char *token)
{
  g_return_val_if_fail (CD_IS_JOB_LIST (self), NULL);
  g_return_val_if_fail (token != NULL, NULL);

  for (guint i = 0; i < self->jobs->len; i++)
    {
      CdImportJob *job = g_ptr_array_index (self->jobs, i);

      if (cd_import_job_get_offering_id (job) == offering_id &&
          g_strcmp0 (cd_import_job_get_token (job), token) == 0)
        return job;
    }

  return NULL;
}

CdImportJob *
cd_job_list_track_token (CdJobList  *self,
                         gint64      offering_id,
                         const char *token,
                         gboolean   *already)
{
  g_autoptr(CdImportJob) job = NULL;
  CdImportJob *existing;
  guint position;

  g_return_val_if_fail (CD_IS_JOB_LIST (self), NULL);
  g_return_val_if_fail (offering_id > 0, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  if (already != NULL)
    *already = FALSE;

  existing = cd_job_list_find_token (self, offering_id, token);
  if (existing != NULL && cd_import_job_is_running (existing))
    {
      if (already != NULL)
        *already = TRUE;
      return existing;
    }

  /* The new job takes over the journal's record of the old one, so the old
   * one leaves the list only: the journal keeps the record. */
  if (existing != NULL && g_ptr_array_find (self->jobs, existing, &position))
    take_out (self, position);

  job = cd_import_job_new_for_token (self->client, self->journal, offering_id, token);
  cd_job_list_add (self, job);

  return job;
}

guint
cd_job_list_get_n_running (CdJobList *self)
{
  guint n = 0;

  g_return_val_if_fail (CD_IS_JOB_LIST (self), 0);

  for (guint i = 0; i < self->jobs->len; i++)
    if (cd_import_job_is_running (g_ptr_array_index (self->jobs, i)))
      n++;

  return n;
}
