/* cd-import-job-retry.c: saying why a job keeps asking, and when next
 *
 * While Brightspace cannot be reached (or answers with errors), the
 * poller retries with backoff; each retry is noted here once, with the
 * client's reason in a few words and the real wait, so that the window
 * and the CLI say the same thing: "Cannot reach HOST: connection refused.
 * Retrying in 8 s…".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-import-job-private.h"

void
_cd_import_job_note_retry (CdImportJob  *self,
                           const GError *error)
{
  const char *reason = cd_client_get_last_failure (self->client);

  g_free (self->retry_reason);
  self->retry_reason = g_strdup (reason != NULL ? reason : _("no answer"));
  self->retry_unreachable = g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK) ||
                            g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS);
  self->retry_time = self->poll_due;
  _cd_import_job_emit_retry (self);
}

void
_cd_import_job_clear_retry (CdImportJob *self)
{
  g_clear_pointer (&self->retry_reason, g_free);
  self->retry_time = 0;
}

const char *
cd_import_job_get_retry_reason (CdImportJob *self)
{
  g_return_val_if_fail (CD_IS_IMPORT_JOB (self), NULL);

  return self->retry_reason;
}

gint64
cd_import_job_get_retry_time (CdImportJob *self)
{
  g_return_val_if_fail (CD_IS_IMPORT_JOB (self), 0);

  return self->retry_reason != NULL ? self->retry_time : 0;
}

/* "school.brightspace.com", or "127.0.0.1:8443": the site as people
 * type it, without the scheme. */
static char *
display_host (CdImportJob *self)
{
  const char *url = cd_client_get_host (self->client);
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

char *
cd_import_job_dup_retry_message (CdImportJob *self,
                                 gint64       now_us)
{
  g_autofree char *host = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *when = NULL;
  gint64 left;

  g_return_val_if_fail (CD_IS_IMPORT_JOB (self), NULL);

  if (!self->retrying || self->retry_reason == NULL)
    return NULL;

  host = display_host (self);
  if (self->retry_unreachable)
    /* Translators: “Cannot reach school.brightspace.com: connection refused.” */
    problem = g_strdup_printf (_("Cannot reach %s: %s."), host, self->retry_reason);
  else
    /* Translators: “school.brightspace.com did not answer properly: server error (HTTP 503).” */
    problem = g_strdup_printf (_("%s did not answer properly: %s."), host, self->retry_reason);

  /* Whole seconds, rounded up: “in 0 s” would be a lie while waiting. */
  left = (self->retry_time - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  if (self->poll_source != 0 && left > 0)
    /* Translators: %u is a number of seconds. */
    when = g_strdup_printf (_("Retrying in %u s…"), (guint) left);
  else
    when = g_strdup (_("Retrying now…"));

  return g_strconcat (problem, " ", when, NULL);
}
