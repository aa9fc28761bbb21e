/* cd-sandbox-behaviour.c: how the sandbox's jobs and answers behave
 *
 * The public setters for job timelines, log pages and faults (failures,
 * slow or hostile answers) that tests and the command line script.  Split
 * from cd-sandbox.c (the type, offerings and listener) to keep each file
 * short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-sandbox-private.h"

gboolean
cd_sandbox_set_timeline (CdSandbox   *self,
                         const char  *spec,
                         GError     **error)
{
  GPtrArray *timeline;

  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  timeline = _cd_sandbox_timeline_parse (spec, error);
  if (timeline == NULL)
    return FALSE;

  g_ptr_array_unref (self->timeline);
  self->timeline = timeline;
  return TRUE;
}

char *
cd_sandbox_dup_timeline (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), NULL);

  return _cd_sandbox_timeline_to_string (self->timeline);
}

gboolean
cd_sandbox_set_offering_timeline (CdSandbox   *self,
                                  const char  *spec,
                                  GError     **error)
{
  g_autofree char *id_text = NULL;
  const char *equals;
  GPtrArray *timeline;
  gint64 id;

  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  equals = strchr (spec, '=');
  if (equals != NULL)
    id_text = g_strstrip (g_strndup (spec, equals - spec));

  if (id_text == NULL || !_cd_sandbox_parse_id (id_text, &id))
    {
      g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                   "Offering timeline “%s” is not ID=STATUS:SECONDS,…,FINAL", spec);
      return FALSE;
    }

  timeline = _cd_sandbox_timeline_parse (equals + 1, error);
  if (timeline == NULL)
    return FALSE;

  g_hash_table_replace (self->offering_timelines, g_memdup2 (&id, sizeof id), timeline);
  return TRUE;
}

void
cd_sandbox_set_log_page_size (CdSandbox *self,
                              guint      page_size)
{
  g_return_if_fail (CD_IS_SANDBOX (self));
  g_return_if_fail (page_size > 0);

  self->log_page_size = page_size;
}

void
cd_sandbox_add_fault (CdSandbox      *self,
                      CdSandboxFault  fault,
                      guint           count,
                      guint           arg)
{
  CdSandboxFaultEntry *entry;

  g_return_if_fail (CD_IS_SANDBOX (self));
  g_return_if_fail (fault <= CD_SANDBOX_FAULT_EVIL_TEXT);

  if (count == 0)
    return;

  if (fault == CD_SANDBOX_FAULT_CUT_UPLOAD)
    {
      self->cut_uploads += count;
      return;
    }

  if (fault == CD_SANDBOX_FAULT_EVIL_TEXT)
    {
      self->evil_statuses += count;
      self->evil_logs = TRUE;
      return;
    }

  entry = g_new0 (CdSandboxFaultEntry, 1);
  entry->kind = fault;
  entry->remaining = count;
  entry->arg = fault == CD_SANDBOX_FAULT_RATE_LIMIT && arg == 0 ? 1 : arg;

  if (fault >= CD_SANDBOX_FAULT_UPLOAD_NO_ANSWER)
    g_queue_push_tail (&self->upload_faults, entry);
  else
    g_queue_push_tail (&self->get_faults, entry);
}

void
cd_sandbox_add_answer (CdSandbox  *self,
                       guint       count,
                       guint       status,
                       const char *body)
{
  CdSandboxFaultEntry *entry;

  g_return_if_fail (CD_IS_SANDBOX (self));
  g_return_if_fail (body != NULL);

  if (count == 0)
    return;

  /* Answered like the other hostile faults: any GET, versions included. */
  entry = g_new0 (CdSandboxFaultEntry, 1);
  entry->kind = CD_SANDBOX_FAULT_DEEP_JSON;
  entry->answer = TRUE;
  entry->remaining = count;
  entry->arg = status;
  entry->body = g_strdup (body);
  g_queue_push_tail (&self->get_faults, entry);
}

void
cd_sandbox_add_upload_answer (CdSandbox  *self,
                              guint       status,
                              const char *body)
{
  CdSandboxFaultEntry *entry;

  g_return_if_fail (CD_IS_SANDBOX (self));
  g_return_if_fail (body != NULL);

  entry = g_new0 (CdSandboxFaultEntry, 1);
  entry->kind = CD_SANDBOX_FAULT_UPLOAD_NO_ANSWER;
  entry->answer = TRUE;
  entry->remaining = 1;
  entry->arg = status;
  entry->body = g_strdup (body);
  g_queue_push_tail (&self->upload_faults, entry);
}

gboolean
cd_sandbox_parse_fault (CdSandbox   *self,
                        const char  *spec,
                        GError     **error)
{
  static const struct {
    const char     *name;
    CdSandboxFault  fault;
    guint           min_fields;
    guint           max_fields;
  } kinds[] = {
    { "500", CD_SANDBOX_FAULT_SERVER_ERROR, 2, 2 },
    { "429", CD_SANDBOX_FAULT_RATE_LIMIT, 2, 3 },
    { "badjson", CD_SANDBOX_FAULT_BROKEN_JSON, 2, 2 },
    { "slow", CD_SANDBOX_FAULT_SLOW, 3, 3 },
    { "cut-upload", CD_SANDBOX_FAULT_CUT_UPLOAD, 2, 2 },
    { "clock", CD_SANDBOX_FAULT_BAD_CLOCK, 2, 2 },
    { "deep", CD_SANDBOX_FAULT_DEEP_JSON, 2, 3 },
    { "huge", CD_SANDBOX_FAULT_HUGE_BODY, 2, 3 },
    { "silent", CD_SANDBOX_FAULT_SILENT, 2, 2 },
    { "drip", CD_SANDBOX_FAULT_DRIP, 3, 3 },
    { "badtime", CD_SANDBOX_FAULT_BAD_TIME, 2, 3 },
    { "no-answer", CD_SANDBOX_FAULT_UPLOAD_NO_ANSWER, 2, 2 },
    { "cut-answer", CD_SANDBOX_FAULT_UPLOAD_CUT_ANSWER, 2, 2 },
    { "slow-answer", CD_SANDBOX_FAULT_UPLOAD_SLOW_ANSWER, 3, 3 },
    { "slow-read", CD_SANDBOX_FAULT_UPLOAD_SLOW_READ, 2, 3 },
    { "evil", CD_SANDBOX_FAULT_EVIL_TEXT, 2, 2 },
  };
  g_auto(GStrv) fields = NULL;
  guint n_fields;
  guint64 count, arg = 0;

  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  fields = g_strsplit (spec, ":", -1);
  n_fields = g_strv_length (fields);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (n_fields == 0 || g_strcmp0 (fields[0], kinds[i].name) != 0)
        continue;

      if (n_fields < kinds[i].min_fields || n_fields > kinds[i].max_fields ||
          !g_ascii_string_to_unsigned (fields[1], 10, 1, G_MAXUINT, &count, NULL) ||
          (n_fields > 2 &&
           !g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXUINT, &arg, NULL)))
        break;

      cd_sandbox_add_fault (self, kinds[i].fault, count, arg);
      return TRUE;
    }

  g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
               "Fault “%s” is not one of 500:N, 429:N[:SECONDS], badjson:N, "
               "slow:N:MS, cut-upload:N, clock:N, deep:N[:STATUS], huge:N[:MIB], silent:N, "
               "drip:N:MS, badtime:N[:SECONDS], no-answer:N, cut-answer:N, "
               "slow-answer:N:MS, slow-read:N[:KIB], evil:N", spec);
  return FALSE;
}
