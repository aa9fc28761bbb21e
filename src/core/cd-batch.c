/* cd-batch.c: a migration plan's rows, the shared 429 pause, and the report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-batch-private.h"

guint _cd_batch_signals[CD_BATCH_N_SIGNALS];

G_DEFINE_FINAL_TYPE (CdBatch, cd_batch, G_TYPE_OBJECT)

void
_cd_batch_lookup_free (CdBatchLookup *lookup)
{
  g_clear_object (&lookup->package);
  g_clear_pointer (&lookup->unit, cd_org_unit_free);
  g_free (lookup->message);
  g_free (lookup);
}

static void
row_free (CdBatchRow *row)
{
  g_free (row->message);
  g_clear_error (&row->error);
  g_free (row->package_name);
  g_free (row->sha256);
  g_free (row->offering_code);
  g_free (row->offering_name);
  g_clear_pointer (&row->resume, cd_job_record_unref);
  g_free (row->token);
  g_free (row->status);
  g_clear_pointer (&row->started, g_date_time_unref);
  g_clear_pointer (&row->finished, g_date_time_unref);
  g_free (row);
}

static void
watch_clear (CdBatchRateWatch *watch)
{
  g_mutex_clear (&watch->lock);
}

static void
cd_batch_dispose (GObject *object)
{
  CdBatch *self = CD_BATCH (object);

  _cd_batch_unwatch_session (self);
  g_clear_handle_id (&self->resume_source, g_source_remove);
  _cd_batch_release_jobs (self);

  G_OBJECT_CLASS (cd_batch_parent_class)->dispose (object);
}

static void
cd_batch_finalize (GObject *object)
{
  CdBatch *self = CD_BATCH (object);

  g_clear_object (&self->units);
  g_clear_object (&self->client);
  g_clear_object (&self->journal);
  g_clear_object (&self->plan);
  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->packages);
  g_hash_table_unref (self->by_id);
  g_hash_table_unref (self->by_code);
  g_hash_table_unref (self->templates);
  g_hash_table_unref (self->semesters);
  g_hash_table_unref (self->pairs);
  g_queue_clear (&self->queue);
  g_atomic_rc_box_release_full (self->watch, (GDestroyNotify)watch_clear);

  G_OBJECT_CLASS (cd_batch_parent_class)->finalize (object);
}

static void
cd_batch_class_init (CdBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_batch_dispose;
  object_class->finalize = cd_batch_finalize;

  _cd_batch_signals[CD_BATCH_SIGNAL_ROW_CHANGED] =
    g_signal_new ("row-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  _cd_batch_signals[CD_BATCH_SIGNAL_OFFERING_READY] =
    g_signal_new ("offering-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
  _cd_batch_signals[CD_BATCH_SIGNAL_PAUSED] =
    g_signal_new ("paused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  _cd_batch_signals[CD_BATCH_SIGNAL_JOB_STARTED] =
    g_signal_new ("job-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, CD_TYPE_IMPORT_JOB);
  _cd_batch_signals[CD_BATCH_SIGNAL_JOB_RETRY] =
    g_signal_new ("job-retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, CD_TYPE_IMPORT_JOB);
}

static GHashTable *
lookup_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify)_cd_batch_lookup_free);
}

static void
cd_batch_init (CdBatch *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
  self->parallel = CD_BATCH_DEFAULT_PARALLEL;
  self->packages = lookup_table ();
  self->by_id = lookup_table ();
  self->by_code = lookup_table ();
  self->templates = lookup_table ();
  self->semesters = lookup_table ();
  self->pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->jobs = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_queue_init (&self->queue);
  self->watch = g_atomic_rc_box_new0 (CdBatchRateWatch);
  g_mutex_init (&self->watch->lock);
}

CdBatch *
cd_batch_new (CdClient     *client,
              CdJobJournal *journal,
              CdPlan       *plan)
{
  CdBatch *self;

  g_return_val_if_fail (CD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (CD_IS_JOB_JOURNAL (journal), NULL);
  g_return_val_if_fail (CD_IS_PLAN (plan), NULL);

  self = g_object_new (CD_TYPE_BATCH, NULL);
  self->client = g_object_ref (client);
  self->journal = g_object_ref (journal);
  self->plan = g_object_ref (plan);
  self->units = cd_org_units_new (client);

  for (guint i = 0; i < cd_plan_get_n_rows (plan); i++)
    {
      CdBatchRow *row = g_new0 (CdBatchRow, 1);

      row->index = i;
      row->plan_row = cd_plan_get_row (plan, i);
      row->package_name = g_path_get_basename (row->plan_row->package);
      g_ptr_array_add (self->rows, row);
    }

  return self;
}

void
cd_batch_set_parallel (CdBatch *self,
                       guint    parallel)
{
  g_return_if_fail (CD_IS_BATCH (self));
  g_return_if_fail (parallel >= 1 && parallel <= CD_BATCH_MAX_PARALLEL);

  self->parallel = parallel;
}

void
cd_batch_set_again (CdBatch  *self,
                    gboolean  again)
{
  g_return_if_fail (CD_IS_BATCH (self));

  self->again = !!again;
}

void
cd_batch_set_poll_interval (CdBatch *self,
                            guint    initial_ms,
                            guint    max_ms)
{
  g_return_if_fail (CD_IS_BATCH (self));

  self->poll_initial_ms = initial_ms;
  self->poll_max_ms = max_ms;
}

guint
cd_batch_get_n_rows (CdBatch *self)
{
  g_return_val_if_fail (CD_IS_BATCH (self), 0);

  return self->rows->len;
}

const CdBatchRow *
cd_batch_get_row (CdBatch *self,
                  guint    index)
{
  g_return_val_if_fail (CD_IS_BATCH (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_ptr_array_index (self->rows, index);
}

guint
cd_batch_get_max_running (CdBatch *self)
{
  g_return_val_if_fail (CD_IS_BATCH (self), 0);

  return self->max_running;
}

void
_cd_batch_row_changed (CdBatch    *self,
                       CdBatchRow *row)
{
  g_signal_emit (self, _cd_batch_signals[CD_BATCH_SIGNAL_ROW_CHANGED], 0, row->index);
}

void
_cd_batch_set_state (CdBatch         *self,
                     CdBatchRow      *row,
                     CdBatchRowState  state,
                     const char      *message)
{
  row->state = state;
  if (message != NULL)
    {
      g_free (row->message);
      row->message = g_strdup (message);
    }
  _cd_batch_row_changed (self, row);
}

gboolean
_cd_batch_error_is_fatal (const GError *error)
{
  if (error->domain != CD_CLIENT_ERROR)
    return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  switch ((CdClientError)error->code)
    {
    case CD_CLIENT_ERROR_NOT_FOUND:
    case CD_CLIENT_ERROR_FORBIDDEN:
    case CD_CLIENT_ERROR_BAD_REQUEST:
      return FALSE;
    case CD_CLIENT_ERROR_INVALID_HOST:
    case CD_CLIENT_ERROR_INVALID_TOKEN:
    case CD_CLIENT_ERROR_TOKEN_EXPIRED:
    case CD_CLIENT_ERROR_RATE_LIMITED:
    case CD_CLIENT_ERROR_SERVER:
    case CD_CLIENT_ERROR_BAD_RESPONSE:
    case CD_CLIENT_ERROR_NETWORK:
    case CD_CLIENT_ERROR_TLS:
    case CD_CLIENT_ERROR_TIMESTAMP:
    case CD_CLIENT_ERROR_OUTCOME_UNKNOWN:
    default:
      return TRUE;
    }
}

const char *
cd_batch_row_state_to_string (CdBatchRowState state)
{
  switch (state)
    {
    case CD_BATCH_ROW_PENDING: return "pending";
    case CD_BATCH_ROW_INVALID: return "invalid";
    case CD_BATCH_ROW_READY: return "ready";
    case CD_BATCH_ROW_SKIPPED: return "skipped";
    case CD_BATCH_ROW_RUNNING: return "running";
    case CD_BATCH_ROW_IMPORTED: return "imported";
    case CD_BATCH_ROW_FAILED: return "failed";
    case CD_BATCH_ROW_UNFINISHED: return "unfinished";
    default: return "unknown";
    }
}

/* --- the shared 429 pause -------------------------------------------------------- */

/* May run in whatever thread the session sends from. */
static void
got_headers_cb (SoupMessage      *message,
                CdBatchRateWatch *watch)
{
  const char *value;
  guint64 seconds = 1;

  if (soup_message_get_status (message) != 429)
    return;

  value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                        "Retry-After");
  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, 3600, &seconds, NULL))
    seconds = 1;

  g_mutex_lock (&watch->lock);
  /* One second more than asked, so the next try does not land on the edge. */
  watch->pause_until = MAX (watch->pause_until,
                            g_get_monotonic_time () + (gint64)(seconds + 1) * G_USEC_PER_SEC);
  watch->seen++;
  g_mutex_unlock (&watch->lock);
}

static void
watch_release_cb (gpointer  data,
                  GClosure *closure)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify)watch_clear);
}

static void
request_queued_cb (SoupSession      *session,
                   SoupMessage      *message,
                   CdBatchRateWatch *watch)
{
  g_signal_connect_data (message, "got-headers", G_CALLBACK (got_headers_cb),
                         g_atomic_rc_box_acquire (watch), watch_release_cb, 0);
}

void
_cd_batch_watch_session (CdBatch *self)
{
  if (self->queued_handler != 0)
    return;

  /* The Retry-After of a refused upload never reaches CdImportJob's
   * caller; the session sees every reply, uploads included. */
  self->queued_handler = g_signal_connect (cd_client_get_session (self->client),
                                           "request-queued", G_CALLBACK (request_queued_cb),
                                           self->watch);
}

void
_cd_batch_unwatch_session (CdBatch *self)
{
  if (self->queued_handler != 0 && self->client != NULL)
    g_clear_signal_handler (&self->queued_handler, cd_client_get_session (self->client));
}

gboolean
_cd_batch_paused (CdBatch *self,
                  guint   *wait_ms)
{
  gint64 left;

  g_mutex_lock (&self->watch->lock);
  left = self->watch->pause_until - g_get_monotonic_time ();
  g_mutex_unlock (&self->watch->lock);

  *wait_ms = left > 0 ? (guint)MIN (left / 1000 + 1, G_MAXUINT) : 0;
  return left > 0;
}

/* --- the report ------------------------------------------------------------------------ */

static void
append_csv (GString    *out,
            const char *value,
            gboolean    last)
{
  value = value ? value : "";
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, value);
  g_string_append (out, last ? "\r\n" : ",");
}

static char *
format_date (GDateTime *date)
{
  return date ? g_date_time_format (date, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

gboolean
cd_batch_write_report (CdBatch     *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (CD_IS_BATCH (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  g_string_append (out, "line,package,offering_id,offering_code,job_token,status,result,"
                        "started,finished,seconds,warnings,errors,message\r\n");

  for (guint i = 0; i < self->rows->len; i++)
    {
      CdBatchRow *row = g_ptr_array_index (self->rows, i);
      g_autofree char *line = g_strdup_printf ("%u", row->plan_row->line);
      g_autofree char *id = row->offering_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT,
                                                                     row->offering_id) : NULL;
      g_autofree char *started = format_date (row->started);
      g_autofree char *finished = format_date (row->finished);
      g_autofree char *seconds = NULL;
      g_autofree char *warnings = g_strdup_printf ("%u", row->warnings);
      g_autofree char *errors = g_strdup_printf ("%u", row->errors);

      if (row->started != NULL && row->finished != NULL)
        seconds = g_strdup_printf ("%.0f", g_date_time_difference (row->finished, row->started) /
                                           (double)G_TIME_SPAN_SECOND);

      append_csv (out, line, FALSE);
      append_csv (out, row->plan_row->package, FALSE);
      append_csv (out, id, FALSE);
      append_csv (out, row->offering_code, FALSE);
      append_csv (out, row->token, FALSE);
      append_csv (out, row->status, FALSE);
      append_csv (out, cd_batch_row_state_to_string (row->state), FALSE);
      append_csv (out, started, FALSE);
      append_csv (out, finished, FALSE);
      append_csv (out, seconds, FALSE);
      append_csv (out, warnings, FALSE);
      append_csv (out, errors, FALSE);
      append_csv (out, row->message, TRUE);
    }

  return g_file_set_contents (path, out->str, (gssize)out->len, error);
}
