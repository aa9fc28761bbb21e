/* cd-latency-meter.c: how late the main loop runs (COURSEDROP_MEASURE_LATENCY)
 *
 * The main loop must never block: a 10 ms timeout that runs late says by
 * how much it was held up.  The end-to-end test sets the variable and
 * reads the figure from stderr ("main loop worst lateness …"), the worst
 * while a 512 MiB upload runs apart from the worst overall.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-latency-meter.h"

#define METER_INTERVAL_MS 10

struct _CdLatencyMeter
{
  CdSession *session;          /* (owned) */
  guint      source;
  gint64     expected;
  gint64     worst;
  gint64     worst_uploading;
  gboolean   measured_upload;
};

static gboolean
meter_cb (gpointer user_data)
{
  CdLatencyMeter *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = MAX (0, now - self->expected);

  self->worst = MAX (self->worst, late);
  if (cd_session_is_uploading (self->session))
    {
      self->measured_upload = TRUE;
      self->worst_uploading = MAX (self->worst_uploading, late);
    }

  self->expected = now + METER_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
  return G_SOURCE_CONTINUE;
}

CdLatencyMeter *
cd_latency_meter_new_from_environment (CdSession *session)
{
  CdLatencyMeter *self;

  g_return_val_if_fail (CD_IS_SESSION (session), NULL);

  if (g_strcmp0 (g_getenv ("COURSEDROP_MEASURE_LATENCY"), "1") != 0)
    return NULL;

  self = g_new0 (CdLatencyMeter, 1);
  self->session = g_object_ref (session);
  self->expected = g_get_monotonic_time () + METER_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
  self->source = g_timeout_add_full (G_PRIORITY_DEFAULT, METER_INTERVAL_MS, meter_cb, self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->source),
                            "[coursedrop] latency meter");

  return self;
}

void
cd_latency_meter_free (CdLatencyMeter *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->source, g_source_remove);
  if (self->measured_upload)
    g_printerr ("coursedrop: main loop worst lateness %" G_GINT64_FORMAT " ms while uploading, "
                "%" G_GINT64_FORMAT " ms overall\n",
                self->worst_uploading / 1000, self->worst / 1000);
  else
    g_printerr ("coursedrop: main loop worst lateness %" G_GINT64_FORMAT " ms overall "
                "(no upload ran)\n", self->worst / 1000);

  g_clear_object (&self->session);
  g_free (self);
}
