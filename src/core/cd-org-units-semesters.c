/* cd-org-units-semesters.c: the semester of course offerings
 *
 * Org-structure listings carry no semester; only the offering's own
 * details (GET courses/(id)) do.  A search shows a few matches at a time,
 * so their semesters are fetched a few at once, and kept for the life of
 * the CdOrgUnits (one per client), so that typing the same again costs
 * nothing.  The semester is a nicety: a failed fetch is skipped quietly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-org-units-private.h"

/* As many as the session's connections to one host (libsoup's default):
 * more would only wait in its queue, ahead of whatever else the window
 * asks meanwhile (a job's status), and crowd the rate limit while someone
 * types. */
#define MAX_PARALLEL 2

typedef struct
{
  CdOrgUnitsSemesterFunc  each;
  gpointer                each_data;
  GArray                 *ids;        /* gint64 */
  guint                   next;
  guint                   in_flight;
} Fetch;

typedef struct
{
  GTask  *task;
  gint64  id;
} Request;

static void
fetch_free (Fetch *fetch)
{
  g_array_unref (fetch->ids);
  g_free (fetch);
}

/* The Semester block (BasicOrgUnit or null) of a Course.CourseOffering. */
static CdOrgUnit *
semester_from_course (JsonObject *course)
{
  JsonObject *block = cd_json_get_object (course, "Semester");
  const char *name = cd_json_get_string_or (block, "Name", "");
  const char *code = cd_json_get_string_or (block, "Code", "");

  if (block == NULL || (*name == '\0' && *code == '\0'))
    return NULL;

  return cd_org_unit_new (_cd_org_units_json_id (block, "Identifier"), name, code);
}

static void
remember (CdOrgUnits *self,
          gint64      id,
          CdOrgUnit  *semester)
{
  g_hash_table_replace (self->semesters, g_memdup2 (&id, sizeof id), semester);
}

static void     fetch_next (GTask *task);
static gboolean cancelled  (GTask *task);

static void
course_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GTask) task = request->task;
  CdOrgUnits *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(JsonObject) course = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = request->id;

  g_free (request);
  fetch->in_flight--;
  course = cd_client_get_course_finish (CD_CLIENT (object), result, &error);

  if (course != NULL)
    {
      g_autoptr(CdOrgUnit) semester = semester_from_course (course);

      remember (self, id, semester ? cd_org_unit_copy (semester) : NULL);
      if (!cancelled (task))
        fetch->each (id, semester, fetch->each_data);
    }
  /* Gone or hidden from this account: asking again would not change that.
   * Anything else (the network, the server) may pass. */
  else if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND) ||
           g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN))
    {
      remember (self, id, NULL);
      if (!cancelled (task))
        fetch->each (id, NULL, fetch->each_data);
    }

  fetch_next (task);
}

static gboolean
cancelled (GTask *task)
{
  return g_cancellable_is_cancelled (g_task_get_cancellable (task));
}

static void
fetch_next (GTask *task)
{
  CdOrgUnits *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);

  while (!cancelled (task) && fetch->in_flight < MAX_PARALLEL && fetch->next < fetch->ids->len)
    {
      gint64 id = g_array_index (fetch->ids, gint64, fetch->next++);
      gpointer semester;
      Request *request;

      if (g_hash_table_lookup_extended (self->semesters, &id, NULL, &semester))
        {
          fetch->each (id, semester, fetch->each_data);
          continue;
        }

      request = g_new0 (Request, 1);
      request->task = g_object_ref (task);
      request->id = id;
      fetch->in_flight++;
      cd_client_get_course_async (self->client, id, g_task_get_cancellable (task),
                                  course_cb, request);
    }

  /* Only once every request in flight has come back: @each_data must
   * live until then, and the callback's reference is what keeps it. */
  if (fetch->in_flight > 0)
    return;
  if (!g_task_return_error_if_cancelled (task) && fetch->next >= fetch->ids->len)
    g_task_return_boolean (task, TRUE);
}

void
cd_org_units_fetch_semesters_async (CdOrgUnits             *self,
                                    const gint64           *ids,
                                    guint                   n_ids,
                                    CdOrgUnitsSemesterFunc  each,
                                    gpointer                each_data,
                                    GCancellable           *cancellable,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  Fetch *fetch;

  g_return_if_fail (CD_IS_ORG_UNITS (self));
  g_return_if_fail (ids != NULL || n_ids == 0);
  g_return_if_fail (each != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_org_units_fetch_semesters_async);
  fetch = g_new0 (Fetch, 1);
  fetch->each = each;
  fetch->each_data = each_data;
  fetch->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (fetch->ids, ids, n_ids);
  g_task_set_task_data (task, fetch, (GDestroyNotify)fetch_free);

  fetch_next (task);
}

gboolean
cd_org_units_fetch_semesters_finish (CdOrgUnits    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
