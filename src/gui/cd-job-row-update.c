/* cd-job-row-update.c: what a CdJobRow shows, from its job's properties
 *
 * The row's texts, stepper, buttons and accessible names, set again on
 * every change of the job; the elapsed time and progress pulse timers,
 * which run only while they show something that changes; and the upload's
 * progress with its smoothed rate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-job-row-private.h"

#define PULSE_INTERVAL_MS   250
#define RATE_SAMPLE_USEC    (200 * G_TIME_SPAN_MILLISECOND)

static gboolean
is_uploading (CdJobRow *self)
{
  return cd_import_job_is_running (self->job) && cd_import_job_get_token (self->job) == NULL;
}

static gboolean
is_finished (CdJobRow *self)
{
  return cd_import_job_get_finished (self->job) != NULL;
}

/* The whole package went out and no answer came: it may have been
 * imported.  The record says so across restarts. */
static gboolean
is_outcome_unknown (CdJobRow *self)
{
  if (g_error_matches (cd_import_job_get_attention (self->job),
                       CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN))
    return TRUE;

  return !cd_import_job_is_running (self->job) &&
         cd_import_job_record_outcome_unknown (cd_import_job_get_record (self->job));
}

static const char *
error_message (CdJobRow *self)
{
  const GError *error = cd_import_job_get_error (self->job);

  if (error != NULL)
    return error->message;

  /* Restored from the journal: only the message was kept. */
  return cd_import_job_get_record (self->job)->error;
}

static void
update_elapsed (CdJobRow *self)
{
  GDateTime *started = cd_import_job_get_started (self->job);
  GDateTime *finished = cd_import_job_get_finished (self->job);
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *text = NULL;

  if (started == NULL)
    {
      gtk_label_set_label (self->elapsed_label, "");
      return;
    }

  if (finished == NULL)
    finished = now = g_date_time_new_now_utc ();

  text = cd_format_duration (g_date_time_difference (finished, started));
  gtk_label_set_label (self->elapsed_label, text);
}

/* Brightspace cannot be reached (or answers badly): say so, with the
 * host, the reason and the seconds until the next attempt, counted down.
 * FALSE when the job is not retrying. */
static gboolean
update_retry (CdJobRow *self)
{
  g_autofree char *message = NULL;

  if (!cd_import_job_is_running (self->job) || is_uploading (self))
    return FALSE;

  message = cd_import_job_dup_retry_message (self->job, g_get_monotonic_time ());
  if (message == NULL)
    return FALSE;

  gtk_label_set_label (self->state_label, message);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
  return TRUE;
}

static gboolean
elapsed_tick_cb (gpointer user_data)
{
  update_elapsed (user_data);
  update_retry (user_data);
  return G_SOURCE_CONTINUE;
}

/* A job followed by its token: Coursedrop did not upload it, so it knows
 * nothing of an upload, only what Brightspace says. */
static gboolean
is_tracked (CdJobRow *self)
{
  return cd_import_job_get_record (self->job)->package == NULL &&
         cd_import_job_get_token (self->job) != NULL;
}

static gboolean
pulse_cb (gpointer user_data)
{
  CdJobRow *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
update_timers (CdJobRow *self)
{
  gboolean running = cd_import_job_is_running (self->job);
  gboolean pulsing = running && !is_uploading (self) && !cd_import_job_get_paused (self->job);

  if (running && self->elapsed_source == 0)
    {
      self->elapsed_source = g_timeout_add (1000, elapsed_tick_cb, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->elapsed_source),
                                "[coursedrop] elapsed time");
    }
  else if (!running)
    g_clear_handle_id (&self->elapsed_source, g_source_remove);

  if (pulsing && self->pulse_source == 0)
    {
      self->pulse_source = g_timeout_add (PULSE_INTERVAL_MS, pulse_cb, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->pulse_source),
                                "[coursedrop] progress pulse");
    }
  else if (!pulsing)
    g_clear_handle_id (&self->pulse_source, g_source_remove);
}

static char *
format_upload (CdJobRow *self)
{
  goffset sent = cd_import_job_get_bytes_sent (self->job);
  goffset total = cd_import_job_get_bytes_total (self->job);
  g_autofree char *sent_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *left_text = NULL;

  if (sent == 0 || total <= 0)
    return g_strdup (_("Starting the upload…"));

  if (sent >= total)
    return g_strdup (_("Uploaded; waiting for Brightspace to accept the package…"));

  sent_text = g_format_size ((guint64)sent);
  total_text = g_format_size ((guint64)total);

  if (self->rate <= 0)
    /* Translators: “Uploading · 12 MB of 512 MB”. */
    return g_strdup_printf (_("Uploading · %s of %s"), sent_text, total_text);

  rate_text = g_format_size ((guint64)self->rate);
  left_text = cd_format_duration ((GTimeSpan)((total - sent) / self->rate * G_TIME_SPAN_SECOND));

  /* Translators: “Uploading · 12 MB of 512 MB · 80 MB/s · 0:05 left”. */
  return g_strdup_printf (_("Uploading · %s of %s · %s/s · %s left"),
                          sent_text, total_text, rate_text, left_text);
}

static void
update_progress (CdJobRow *self)
{
  goffset sent = cd_import_job_get_bytes_sent (self->job);
  goffset total = cd_import_job_get_bytes_total (self->job);
  g_autofree char *text = NULL;

  if (!is_uploading (self))
    return;

  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP ((double)sent / total, 0.0, 1.0));

  text = format_upload (self);
  gtk_label_set_label (self->state_label, text);
}

static const char *
server_state_text (CdJobRow *self)
{
  if (cd_import_job_get_status (self->job) == CD_IMPORT_STATUS_UNKNOWN)
    return _("Waiting for Brightspace…");
  if (is_tracked (self) && cd_import_job_get_status_text (self->job) == NULL)
    return _("Asking Brightspace about the job…");

  switch (cd_import_job_get_stage (self->job))
    {
    case CD_IMPORT_STAGE_UPLOAD:
      return _("Brightspace is receiving the package…");
    case CD_IMPORT_STAGE_CONVERT:
      return _("Brightspace is converting the package…");
    case CD_IMPORT_STAGE_IMPORT:
      return _("Brightspace is importing the content into the course…");
    case CD_IMPORT_STAGE_DONE:
    case CD_IMPORT_STAGE_FAILED:
    default:
      return _("Waiting for Brightspace…");
    }
}

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* The verification's result, when there is one (not "not verified"). */
static const CdVerification *
verified (CdJobRow *self)
{
  const CdVerification *verification = cd_import_job_get_verification (self->job);

  return verification != NULL && verification->not_verified == NULL ? verification : NULL;
}

/* The warnings in the log Brightspace gave the job.  A restored job's log
 * is not kept, but its verification kept the log's warnings. */
static guint
count_warnings (CdJobRow *self)
{
  GPtrArray *logs = cd_import_job_get_logs (self->job);
  const CdVerification *verification = verified (self);
  guint n = 0;

  if (logs == NULL && verification != NULL)
    return verification->warnings->len;

  for (guint i = 0; logs != NULL && i < logs->len; i++)
    if (((CdImportLogEntry *)g_ptr_array_index (logs, i))->type == CD_IMPORT_LOG_WARNING)
      n++;

  return n;
}

static guint
count_missing (CdJobRow *self)
{
  const CdVerification *verification = verified (self);

  return verification != NULL ? verification->missing->len : 0;
}

/* "Not verified: …" under a completed job whose content could not be
 * checked; the details button names what there is to see. */
static void
update_verification (CdJobRow *self,
                     gboolean  completed,
                     guint     n_warnings)
{
  const CdVerification *verification = cd_import_job_get_verification (self->job);
  gboolean not_verified = completed && verification != NULL && verification->not_verified != NULL;
  const CdVerification *result = verified (self);
  gboolean details = completed && result != NULL &&
                     (result->missing->len > 0 || result->broken->len > 0);
  const char *label = details ? _("Show Details") : _("Show Warnings");

  if (not_verified)
    {
      /* Translators: %s says why Coursedrop could not check what arrived. */
      g_autofree char *text = g_strdup_printf (_("Not verified: %s"), verification->not_verified);

      gtk_label_set_label (self->verify_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->verify_label), not_verified);

  if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (self->warnings_button)), label) != 0)
    {
      gtk_button_set_label (GTK_BUTTON (self->warnings_button), label);
      cd_fix_button_names (self->warnings_button);
    }
  gtk_widget_set_visible (self->warnings_button, details || (completed && n_warnings > 0));
}

/* Icon buttons say what they do; which job they do it to comes as the
 * description, so that a screen reader in a long list can tell. */
static void
describe_buttons (CdJobRow   *self,
                  const char *title)
{
  GtkWidget *buttons[] = {
    GTK_WIDGET (self->log_button), GTK_WIDGET (self->browser_button),
    GTK_WIDGET (self->copy_button), GTK_WIDGET (self->retry_button),
    GTK_WIDGET (self->remove_button), self->warnings_button,
  };

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_accessible_update_property (GTK_ACCESSIBLE (buttons[i]),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, title, -1);
}

/* What the row is in a few words, for its accessible name. */
static const char *
short_state (CdJobRow *self)
{
  CdImportJob *job = self->job;

  if (is_outcome_unknown (self))
    return _("Needs attention");
  if (is_finished (self) && cd_import_job_succeeded (job) && count_missing (self) > 0)
    return _("Completed with items missing");
  if (is_finished (self) && cd_import_job_succeeded (job) && count_warnings (self) > 0)
    return _("Completed with warnings");
  if (is_finished (self) && cd_import_job_succeeded (job))
    return _("Completed");
  if (is_finished (self))
    return _("Failed");
  if (!cd_import_job_is_running (job) && cd_import_job_get_attention (job) != NULL)
    return _("Needs attention");
  if (!cd_import_job_is_running (job))
    return _("Not followed");
  if (is_uploading (self))
    return _("Uploading");
  return _("In progress");
}

/* A job that stopped unfinished: why, and what can be done.  With a token
 * it can be followed again; an upload whose outcome is unknown has nothing
 * to follow, so the row offers to look in Brightspace instead. */
static void
update_attention (CdJobRow   *self,
                  const char *title)
{
  CdImportJob *job = self->job;
  gboolean stopped = !cd_import_job_is_running (job) && cd_import_job_get_finished (job) == NULL;
  gboolean attention = stopped && cd_import_job_get_attention (job) != NULL;
  gboolean unknown = is_outcome_unknown (self);
  gboolean can_follow = stopped && cd_import_job_get_token (job) != NULL;
  g_autofree char *try_again = NULL;
  g_autofree char *check = NULL;

  gtk_widget_set_visible (self->attention_box, attention || unknown || can_follow);
  gtk_widget_set_visible (self->attention_label, attention || unknown);
  gtk_widget_set_visible (self->try_again_button, can_follow && !unknown);
  gtk_widget_set_visible (self->check_button, unknown);

  /* Translators: the accessible name of a button; %s is “package → course”. */
  try_again = g_strdup_printf (_("Try again: %s"), title);
  set_accessible_label (self->try_again_button, try_again);
  /* Translators: the accessible name of a button; %s is “package → course”. */
  check = g_strdup_printf (_("Check in Brightspace: %s"), title);
  set_accessible_label (self->check_button, check);
}

void
_cd_job_row_update (CdJobRow *self)
{
  CdImportJob *job = self->job;
  CdJobRecord *record = cd_import_job_get_record (job);
  CdImportStage stage = cd_import_job_get_stage (job);
  gboolean finished = is_finished (self);
  gboolean succeeded = cd_import_job_succeeded (job);
  gboolean running = cd_import_job_is_running (job);
  const char *token = cd_import_job_get_token (job);
  const char *word = cd_import_job_get_status_text (job);
  guint n_warnings = finished && succeeded ? count_warnings (self) : 0;
  guint n_missing = finished && succeeded ? count_missing (self) : 0;
  g_autofree char *tooltip = NULL;
  g_autofree char *row_name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *started = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *subtitle = NULL;

  if (stage != CD_IMPORT_STAGE_FAILED)
    self->reached = stage;
  else if (token != NULL && self->reached == CD_IMPORT_STAGE_UPLOAD)
    /* Brightspace had the package, so it failed while converting at the
     * earliest, even when polling never saw that stage. */
    self->reached = CD_IMPORT_STAGE_CONVERT;

  title = cd_format_job_title (cd_import_job_get_package_name (job),
                               cd_import_job_get_offering_name (job),
                               cd_import_job_get_offering_id (job), token);
  gtk_label_set_label (self->title_label, title);

  g_ptr_array_add (parts, g_strdup_printf (_("Course offering %" PRId64),
                                          cd_import_job_get_offering_id (job)));
  if (token != NULL)
    /* Translators: %s is a job token such as 8840. */
    g_ptr_array_add (parts, g_strdup_printf (_("Job %s"), token));
  if ((started = cd_format_when (cd_import_job_get_started (job))) != NULL)
    /* Translators: %s is a time, or a date and time. */
    g_ptr_array_add (parts, g_strdup_printf (_("Started %s"), started));
  g_ptr_array_add (parts, NULL);
  subtitle = g_strjoinv (" · ", (char **)parts->pdata);
  gtk_label_set_label (self->subtitle_label, subtitle);

  cd_stage_stepper_set_state (self->stepper, self->reached, finished, finished && !succeeded);

  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "dim-label");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "warning");

  update_attention (self, title);

  if (is_outcome_unknown (self))
    {
      const GError *attention = cd_import_job_get_attention (job);

      /* Core's sentence names the package; a restored record lost it. */
      gtk_label_set_label (self->state_label,
                           attention != NULL
                             ? attention->message
                             : _("Coursedrop sent the whole package to Brightspace but got no "
                                 "answer, so it cannot tell whether the import started. Check "
                                 "the course’s import history in Brightspace before importing "
                                 "this package again."));
    }
  else if (finished && succeeded && n_missing > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("Completed — %u item missing",
                                                         "Completed — %u items missing",
                                                         n_missing),
                                               n_missing);

      /* What the package holds did not all arrive: the details say what. */
      gtk_label_set_label (self->state_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
    }
  else if (finished && succeeded && n_warnings > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("Completed with %u warning",
                                                         "Completed with %u warnings",
                                                         n_warnings),
                                               n_warnings);

      /* Not a plain green: something was skipped or changed on the way. */
      gtk_label_set_label (self->state_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
    }
  else if (finished && succeeded)
    {
      gtk_label_set_label (self->state_label, _("Completed"));
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "success");
    }
  else if (finished)
    {
      const char *message = error_message (self);

      gtk_label_set_label (self->state_label, message != NULL ? message : _("Import failed"));
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "error");
    }
  else if (!running && cd_import_job_get_attention (job) != NULL)
    gtk_label_set_label (self->state_label, cd_import_job_get_attention (job)->message);
  else if (!running)
    {
      gtk_label_set_label (self->state_label,
                           _("Not followed. The import goes on in Brightspace."));
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "dim-label");
    }
  else if (is_uploading (self))
    update_progress (self);
  else if (!update_retry (self))
    gtk_label_set_label (self->state_label, server_state_text (self));

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  /* The short badge only while the reason is not known yet. */
  gtk_widget_set_visible (GTK_WIDGET (self->retrying_label),
                          running && cd_import_job_get_retrying (job) &&
                          cd_import_job_get_retry_time (job) == 0);
  /* Brightspace has not said a word about a tracked job yet: no stage to
   * show, and no upload of ours that could have failed. */
  gtk_widget_set_visible (GTK_WIDGET (self->stepper), !(is_tracked (self) && word == NULL));

  /* Brightspace's raw word (UPLOADING, IMPORTFAILED…) is for support:
   * a tooltip here, and the log window, but not the row's text. */
  if (word != NULL && !is_outcome_unknown (self))
    /* Translators: %s is Brightspace's status word, such as PROCESSING. */
    tooltip = g_strdup_printf (_("Brightspace status: %s"), word);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_label), tooltip);

  update_verification (self, finished && succeeded, n_warnings);

  /* Translators: a job row's accessible name: “package → course, Completed”. */
  row_name = g_strdup_printf (_("%s, %s"), title, short_state (self));
  set_accessible_label (GTK_WIDGET (self), row_name);
  describe_buttons (self, title);

  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), token != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          finished && !succeeded && record->package != NULL &&
                          !is_outcome_unknown (self));

  update_elapsed (self);
  update_timers (self);
}

void
_cd_job_row_bytes_sent_cb (CdJobRow   *self,
                           GParamSpec *pspec)
{
  goffset sent = cd_import_job_get_bytes_sent (self->job);
  gint64 now = g_get_monotonic_time ();

  if (self->rate_time == 0)
    {
      self->rate_time = now;
      self->rate_bytes = sent;
    }
  else if (now - self->rate_time >= RATE_SAMPLE_USEC)
    {
      double instant = (double)(sent - self->rate_bytes) * G_USEC_PER_SEC / (now - self->rate_time);

      self->rate = self->rate > 0 ? 0.7 * self->rate + 0.3 * instant : instant;
      self->rate_time = now;
      self->rate_bytes = sent;
    }

  update_progress (self);
}
