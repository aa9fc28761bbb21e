/* cd-batch-check.c: checking every row of a plan before anything is sent
 *
 * Rows are checked in order; each package, offering, template and
 * semester is looked up once and cached, so that a plan of 10,000 rows
 * that share a few packages costs a few hashes and one look-up per
 * distinct offering.  Rows whose answers are cached are checked in a loop,
 * not by recursion, so the stack stays flat whatever the plan's size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "cd-time-format.h"
#include "cd-batch-private.h"
#include "cd-json.h"

typedef struct
{
  GTask      *task;
  GHashTable *table;
  char       *key;
} Pending;

static Pending *
pending_new (GTask      *task,
             GHashTable *table,
             const char *key)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->task = g_object_ref (task);
  pending->table = table;
  pending->key = g_strdup (key);
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->task);
  g_free (pending->key);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void check_continue (GTask *task);

/* Stores what was found (or why not) and goes on with the rows; a fatal
 * @error ends the check instead. */
static void
pending_done (Pending       *pending,
              CdBatchLookup *lookup,
              GError        *error)
{
  if (error != NULL && _cd_batch_error_is_fatal (error))
    {
      _cd_batch_lookup_free (lookup);
      g_task_return_error (pending->task, error);
      return;
    }

  if (error != NULL)
    {
      g_free (lookup->message);
      lookup->message = g_strdup (error->message);
      g_error_free (error);
    }

  g_hash_table_replace (pending->table, g_strdup (pending->key), lookup);
  check_continue (pending->task);
}

static char *
code_key (const char *code)
{
  return g_utf8_casefold (code, -1);
}

/* --- look-ups ------------------------------------------------------------------ */

static void
package_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  CdBatchLookup *lookup = g_new0 (CdBatchLookup, 1);
  GError *error = NULL;

  /* A package that cannot be read is this row's problem, not the batch's. */
  if (cd_package_check_finish (CD_PACKAGE (object), result, &error))
    lookup->package = g_object_ref (CD_PACKAGE (object));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      lookup->message = g_strdup (error->message);
      g_clear_error (&error);
    }

  pending_done (pending, lookup, error);
}

static void
course_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autoptr(JsonObject) course = NULL;
  CdBatchLookup *lookup = g_new0 (CdBatchLookup, 1);
  GError *error = NULL;
  gint64 id = g_ascii_strtoll (pending->key, NULL, 10);

  course = cd_client_get_course_finish (CD_CLIENT (object), result, &error);
  if (course != NULL)
    lookup->unit = cd_org_unit_new (id, cd_json_get_string_or (course, "Name", ""),
                                    cd_json_get_string_or (course, "Code", ""));
  else if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND))
    {
      lookup->message = g_strdup_printf (_("no course offering has the ID %" PRId64 ", or this "
                                           "account cannot see it"), id);
      g_clear_error (&error);
    }

  pending_done (pending, lookup, error);
}

static void
found_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  CdBatchLookup *lookup = g_new0 (CdBatchLookup, 1);
  GError *error = NULL;

  /* NULL without an error: no such code, which a new offering needs. */
  lookup->unit = cd_org_units_find_by_code_finish (CD_ORG_UNITS (object), result, &error);
  pending_done (pending, lookup, error);
}

static void
resolved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  CdBatchLookup *lookup = g_new0 (CdBatchLookup, 1);
  GError *error = NULL;

  lookup->unit = cd_org_units_resolve_finish (CD_ORG_UNITS (object), result, &error);
  pending_done (pending, lookup, error);
}

/* --- one row ---------------------------------------------------------------------- */

static void
set_offering (CdBatchRow      *row,
              const CdOrgUnit *unit)
{
  row->offering_id = unit->id;
  g_free (row->offering_code);
  row->offering_code = g_strdup (unit->code);
  g_free (row->offering_name);
  row->offering_name = g_strdup (unit->name);
}

static void
copy_record (CdBatchRow  *row,
             CdJobRecord *record)
{
  g_free (row->token);
  row->token = g_strdup (record->token);
  g_free (row->status);
  row->status = g_strdup (record->status);
  g_clear_pointer (&row->started, g_date_time_unref);
  row->started = record->started ? g_date_time_ref (record->started) : NULL;
  g_clear_pointer (&row->finished, g_date_time_unref);
  row->finished = record->finished ? g_date_time_ref (record->finished) : NULL;
}

/* The journal decides: import, follow a running job, or skip. */
static void
check_journal (CdBatch    *self,
               CdBatchRow *row)
{
  g_autofree char *pair = NULL;
  g_autofree char *when = NULL;
  g_autofree char *message = NULL;
  CdJobRecord *previous;
  guint first;

  pair = row->create ? g_strdup_printf ("new:%s/%s", row->plan_row->code, row->sha256)
                     : g_strdup_printf ("%" G_GINT64_FORMAT "/%s", row->offering_id, row->sha256);
  first = GPOINTER_TO_UINT (g_hash_table_lookup (self->pairs, pair));
  if (first != 0 && !self->again)
    {
      message = g_strdup_printf (_("the same package goes into the same offering on line %u; "
                                   "Brightspace would add its content twice"), first);
      _cd_batch_set_state (self, row, CD_BATCH_ROW_INVALID, message);
      return;
    }
  if (first == 0)
    g_hash_table_insert (self->pairs, g_steal_pointer (&pair),
                         GUINT_TO_POINTER (row->plan_row->line));

  previous = row->create ? NULL
                         : cd_import_job_find_previous (self->journal,
                                                        cd_client_get_host (self->client),
                                                        row->offering_id, row->sha256);
  if (previous == NULL)
    {
      _cd_batch_set_state (self, row, CD_BATCH_ROW_READY, NULL);
      return;
    }

  when = previous->started ? cd_time_format (previous->started) : g_strdup ("?");

  if (cd_import_job_record_outcome_unknown (previous) && !self->again)
    {
      message = g_strdup_printf (_("sent %s without an answer, so it may have been imported; "
                                   "check the course’s import history, then run with --again "
                                   "to import it anyway"), when);
      _cd_batch_set_state (self, row, CD_BATCH_ROW_INVALID, message);
      return;
    }

  if (previous->finished == NULL && previous->token != NULL)
    {
      /* Still running in Brightspace: follow it, never upload it twice. */
      row->resume = cd_job_record_ref (previous);
      copy_record (row, previous);
      message = g_strdup_printf (_("following job %s, started %s"), previous->token, when);
      _cd_batch_set_state (self, row, CD_BATCH_ROW_READY, message);
      return;
    }

  if (previous->finished != NULL &&
      cd_import_status_from_string (previous->status) == CD_IMPORT_STATUS_COMPLETED &&
      !self->again)
    {
      copy_record (row, previous);
      message = g_strdup_printf (_("imported on %s (job %s)"), when,
                                 previous->token ? previous->token : "?");
      _cd_batch_set_state (self, row, CD_BATCH_ROW_SKIPPED, message);
      return;
    }

  _cd_batch_set_state (self, row, CD_BATCH_ROW_READY, NULL);
}

/* The cached answer for @key in @table, or NULL after starting the look-up
 * (which goes on with the rows when it ends). */
static CdBatchLookup *
need (GTask         *task,
      GHashTable    *table,
      const char    *key,
      CdOrgUnitKind  kind)
{
  CdBatch *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  CdBatchLookup *lookup = g_hash_table_lookup (table, key);
  Pending *pending;

  if (lookup != NULL)
    return lookup;

  pending = pending_new (task, table, key);
  if (table == self->packages)
    {
      g_autoptr(GFile) file = g_file_new_for_path (key);
      g_autoptr(CdPackage) package = cd_package_new (file);

      /* The whole digest, not only the quick key: a plan finds the same
       * content twice among its own rows, and in the journal, by it. */
      cd_package_hash_async (package, cancellable, package_cb, pending);
    }
  else if (table == self->by_id)
    cd_client_get_course_async (self->client, g_ascii_strtoll (key, NULL, 10), cancellable,
                                course_cb, pending);
  else if (table == self->by_code)
    cd_org_units_find_by_code_async (self->units, CD_ORG_UNIT_OFFERING,
                                     g_object_get_data (G_OBJECT (task), "cd-code"),
                                     cancellable, found_cb, pending);
  else
    cd_org_units_resolve_async (self->units, kind, key, cancellable, resolved_cb, pending);

  return NULL;
}

/* Settles the row by the offering it names: TRUE when settled, FALSE
 * while a look-up for it runs. */
static gboolean
check_offering (GTask      *task,
                CdBatchRow *row)
{
  CdBatch *self = g_task_get_source_object (task);
  const CdPlanRow *plan = row->plan_row;
  g_autofree char *code = NULL;
  g_autofree char *key = NULL;
  g_autofree char *message = NULL;
  CdBatchLookup *lookup, *template, *semester = NULL;
  gint64 id = 0;

  if (plan->offering != NULL)
    cd_org_units_parse_reference (plan->offering, &id, &code, NULL);
  else
    code = g_strdup (plan->code);

  key = id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, id) : code_key (code);
  g_object_set_data_full (G_OBJECT (task), "cd-code", g_strdup (code), g_free);
  if (!(lookup = need (task, id > 0 ? self->by_id : self->by_code, key, CD_ORG_UNIT_OFFERING)))
    return FALSE;

  if (lookup->message != NULL)
    {
      _cd_batch_set_state (self, row, CD_BATCH_ROW_INVALID, lookup->message);
      return TRUE;
    }
  if (lookup->unit != NULL)
    {
      set_offering (row, lookup->unit);
      check_journal (self, row);
      return TRUE;
    }
  if (plan->offering != NULL)
    {
      message = g_strdup_printf (_("no course offering has the code “%s”"), code);
      _cd_batch_set_state (self, row, CD_BATCH_ROW_INVALID, message);
      return TRUE;
    }

  /* A new offering: its template and semester must exist. */
  if (!(template = need (task, self->templates, plan->template, CD_ORG_UNIT_TEMPLATE)) ||
      (plan->semester && !(semester = need (task, self->semesters, plan->semester,
                                            CD_ORG_UNIT_SEMESTER))))
    return FALSE;

  if (template->message != NULL || (semester != NULL && semester->message != NULL))
    {
      _cd_batch_set_state (self, row, CD_BATCH_ROW_INVALID,
                           template->message ? template->message : semester->message);
      return TRUE;
    }

  row->create = TRUE;
  row->offering_code = g_strdup (plan->code);
  row->offering_name = g_strdup (plan->name);
  check_journal (self, row);
  return TRUE;
}

/* TRUE when the row is settled; FALSE while a look-up for it runs. */
static gboolean
check_row (GTask      *task,
           CdBatchRow *row)
{
  CdBatch *self = g_task_get_source_object (task);
  CdBatchLookup *package;

  if (!(package = need (task, self->packages, row->plan_row->package, 0)))
    return FALSE;

  if (package->message != NULL)
    {
      _cd_batch_set_state (self, row, CD_BATCH_ROW_INVALID, package->message);
      return TRUE;
    }

  if (row->sha256 == NULL)
    row->sha256 = g_strdup (cd_package_get_sha256 (package->package));

  return check_offering (task, row);
}

static void
check_continue (GTask *task)
{
  CdBatch *self = g_task_get_source_object (task);
  gboolean all_fine = TRUE;

  while (self->check_index < self->rows->len)
    {
      if (g_task_return_error_if_cancelled (task))
        return;
      if (!check_row (task, g_ptr_array_index (self->rows, self->check_index)))
        return;
      self->check_index++;
    }

  for (guint i = 0; i < self->rows->len; i++)
    all_fine &= ((CdBatchRow *)g_ptr_array_index (self->rows, i))->state != CD_BATCH_ROW_INVALID;

  self->checked = TRUE;
  g_task_return_boolean (task, all_fine);
}

void
cd_batch_check_async (CdBatch             *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CD_IS_BATCH (self));
  g_return_if_fail (!self->checked && self->check_index == 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_batch_check_async);
  check_continue (task);
}

gboolean
cd_batch_check_finish (CdBatch       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Used by the run: what the check found for a new offering's template,
 * semester and dates.  (transfer none) */
const CdOrgUnit *
_cd_batch_cached_unit (CdBatch    *self,
                       GHashTable *table,
                       const char *key)
{
  CdBatchLookup *lookup = key ? g_hash_table_lookup (table, key) : NULL;

  return lookup ? lookup->unit : NULL;
}

CdPackage *
_cd_batch_cached_package (CdBatch    *self,
                          const char *path)
{
  CdBatchLookup *lookup = g_hash_table_lookup (self->packages, path);

  return lookup ? lookup->package : NULL;
}
