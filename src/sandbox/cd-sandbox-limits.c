/* cd-sandbox-limits.c: the tenant's limits — requests per second and
 * concurrent import jobs — and the counters tests read
 *
 * A real tenant refuses with 429 and a Retry-After (courses-and-batches.md
 * §5.2); the sandbox does the same, before the request's body is read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-sandbox-orgunits-private.h"

static void
respond_too_many (SoupServerMessage *msg,
                  guint              seconds)
{
  char retry[16];

  g_snprintf (retry, sizeof retry, "%u", seconds);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", retry);
  _cd_sandbox_respond_text (msg, 429, "text/plain; charset=utf-8", "Too Many Requests");
}

static gboolean
job_active (CdSandboxJob *job,
            gint64        now)
{
  double total = 0;

  for (guint i = 0; i < job->timeline->len; i++)
    {
      CdSandboxStage *stage = g_ptr_array_index (job->timeline, i);

      if (stage->seconds >= 0)
        total += stage->seconds;
    }

  return now - job->started_mono < (gint64)(total * G_USEC_PER_SEC);
}

/* Jobs not in a final status, and uploads not answered yet. */
static guint
count_active_imports (CdSandbox *self)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer msg;
  guint active = 0;

  for (guint i = 0; i < self->job_order->len; i++)
    active += job_active (g_ptr_array_index (self->job_order, i), now);

  g_hash_table_iter_init (&iter, self->org_units->inflight);
  while (g_hash_table_iter_next (&iter, &msg, NULL))
    active += soup_server_message_get_status (msg) == 0;

  return active;
}

typedef struct
{
  CdSandboxOrgUnits *units;
  SoupServerMessage *msg;
} Inflight;

static void
inflight_done (gpointer data)
{
  Inflight *entry = data;

  g_hash_table_remove (entry->units->inflight, entry->msg);
  g_free (entry);
}

/* Before the body: the request rate, then the import limit.  TRUE when
 * the request was refused. */
gboolean
_cd_sandbox_org_units_early (CdSandbox         *self,
                             SoupServerMessage *msg,
                             CdSandboxRoute    *route)
{
  CdSandboxOrgUnits *units = self->org_units;
  Inflight *entry;
  guint active;

  if (!route->api || route->kind == CD_SANDBOX_ROUTE_VERSIONS)
    return FALSE;

  if (units->rate_limit > 0)
    {
      gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;

      if (second != units->window)
        {
          units->window = second;
          units->window_count = 0;
        }
      if (++units->window_count > units->rate_limit)
        {
          units->rate_refusals++;
          respond_too_many (msg, 1);
          return TRUE;
        }
    }

  if (route->kind != CD_SANDBOX_ROUTE_IMPORT_CREATE)
    return FALSE;

  active = count_active_imports (self);
  if (units->max_imports > 0 && active >= units->max_imports)
    {
      units->import_refusals++;
      respond_too_many (msg, 1);
      return TRUE;
    }

  units->max_seen = MAX (units->max_seen, active + 1);

  entry = g_new0 (Inflight, 1);
  entry->units = units;
  entry->msg = msg;
  g_hash_table_add (units->inflight, msg);
  g_object_set_data_full (G_OBJECT (msg), "cd-sandbox-inflight", entry, inflight_done);
  return FALSE;
}

/* GET /_sandbox/orgunits: the counters tests read. */
gboolean
_cd_sandbox_org_units_test_route (CdSandbox         *self,
                                  SoupServerMessage *msg)
{
  const char *raw = g_uri_get_path (soup_server_message_get_uri (msg));
  CdSandboxOrgUnits *units = self->org_units;
  g_autoptr(JsonBuilder) builder = NULL;

  if (g_strcmp0 (raw, "/_sandbox/orgunits") != 0 ||
      g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "course_posts");
  json_builder_add_int_value (builder, units->course_posts);
  json_builder_set_member_name (builder, "courses_created");
  json_builder_add_int_value (builder, units->courses_created);
  json_builder_set_member_name (builder, "answers_dropped");
  json_builder_add_int_value (builder, units->answers_dropped);
  json_builder_set_member_name (builder, "max_concurrent_imports");
  json_builder_add_int_value (builder, units->max_seen);
  json_builder_set_member_name (builder, "import_limit_refusals");
  json_builder_add_int_value (builder, units->import_refusals);
  json_builder_set_member_name (builder, "rate_limit_refusals");
  json_builder_add_int_value (builder, units->rate_refusals);
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
  return TRUE;
}
