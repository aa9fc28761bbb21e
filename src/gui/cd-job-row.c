/* cd-job-row.c: one import job in the window's list
 *
 * Everything shown comes from the job's properties; the row never talks
 * to Brightspace.  Two timeouts run only while they show something that
 * changes: the elapsed time (1 s) while the job runs, and the pulse of
 * the progress bar while Brightspace works and there is nothing to count.
 *
 * This part holds the class: its signals, template, buttons and
 * highlight; cd-job-row-update.c sets what the row shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-job-row-private.h"
#include "cd-log-window.h"

#define HIGHLIGHT_SECONDS   3

G_DEFINE_FINAL_TYPE (CdJobRow, cd_job_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  RETRY,
  TRY_AGAIN,
  REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
minute_cb (gpointer user_data)
{
  _cd_job_row_update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
job_notify_cb (CdJobRow   *self,
               GParamSpec *pspec)
{
  _cd_job_row_update (self);
}

static void
toast (CdJobRow   *self,
       const char *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

static void
log_clicked_cb (CdJobRow *self)
{
  CdLogWindow *window = cd_log_window_new (self->job);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (window));
}

static void
browser_clicked_cb (CdJobRow *self)
{
  CdClient *client = cd_import_job_get_client (self->job);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *uri = NULL;
  const char *host = cd_client_get_host (client);

  uri = g_strdup_printf ("%s%sd2l/home/%" G_GINT64_FORMAT, host,
                         g_str_has_suffix (host, "/") ? "" : "/",
                         cd_import_job_get_offering_id (self->job));
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
copy_clicked_cb (CdJobRow *self)
{
  const char *token = cd_import_job_get_token (self->job);

  if (token == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), token);
  toast (self, _("Job token copied"));
}

static void
try_again_clicked_cb (CdJobRow *self)
{
  g_signal_emit (self, signals[TRY_AGAIN], 0);
}

static void
retry_clicked_cb (CdJobRow *self)
{
  g_signal_emit (self, signals[RETRY], 0);
}

static void
remove_clicked_cb (CdJobRow *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

static gboolean
highlight_done_cb (gpointer user_data)
{
  CdJobRow *self = user_data;

  self->highlight_source = 0;
  gtk_widget_remove_css_class (GTK_WIDGET (self), "highlight");

  return G_SOURCE_REMOVE;
}

void
cd_job_row_highlight (CdJobRow *self)
{
  g_return_if_fail (CD_IS_JOB_ROW (self));

  g_clear_handle_id (&self->highlight_source, g_source_remove);
  gtk_widget_add_css_class (GTK_WIDGET (self), "highlight");
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->highlight_source = g_timeout_add_seconds (HIGHLIGHT_SECONDS, highlight_done_cb, self);
}

static void
cd_job_row_dispose (GObject *object)
{
  CdJobRow *self = CD_JOB_ROW (object);

  g_clear_handle_id (&self->elapsed_source, g_source_remove);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  g_clear_handle_id (&self->highlight_source, g_source_remove);
  g_clear_handle_id (&self->minute_source, g_source_remove);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_JOB_ROW);

  G_OBJECT_CLASS (cd_job_row_parent_class)->dispose (object);
}

static void
cd_job_row_class_init (CdJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_job_row_dispose;

  /* The window re-uploads or forgets the job: both need the window. */
  signals[RETRY] = g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Follow the job again, with the session's current client. */
  signals[TRY_AGAIN] = g_signal_new ("try-again", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (CD_TYPE_STAGE_STEPPER);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/cd-job-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, log_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, browser_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, attention_box);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, attention_label);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, check_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, try_again_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, stepper);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, retrying_label);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, warnings_button);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, CdJobRow, verify_label);
  gtk_widget_class_bind_template_callback (widget_class, log_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, browser_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, try_again_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
cd_job_row_init (CdJobRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
}

CdJobRow *
cd_job_row_new (CdImportJob *job)
{
  static const char * const watched[] = {
    "notify::token", "notify::status", "notify::stage", "notify::offering-name",
    "notify::bytes-total", "notify::finished", "notify::retrying", "notify::paused",
    "notify::running", "notify::attention", "notify::status-text", "notify::verification",
  };
  CdJobRow *self;

  g_return_val_if_fail (CD_IS_IMPORT_JOB (job), NULL);

  self = g_object_new (CD_TYPE_JOB_ROW, NULL);
  self->job = g_object_ref (job);

  /* A restored failure does not say where it failed; _cd_job_row_update() guesses. */
  self->reached = cd_import_job_get_stage (job);
  if (self->reached == CD_IMPORT_STAGE_FAILED)
    self->reached = CD_IMPORT_STAGE_UPLOAD;

  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    g_signal_connect_object (job, watched[i], G_CALLBACK (job_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (job, "notify::bytes-sent", G_CALLBACK (_cd_job_row_bytes_sent_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (job, "retry", G_CALLBACK (_cd_job_row_update), self,
                           G_CONNECT_SWAPPED);
  /* Relative dates ("just now") must not go stale in a window left open. */
  self->minute_source = g_timeout_add_seconds (60, minute_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->minute_source),
                            "[coursedrop] relative dates");

  _cd_job_row_update (self);

  return self;
}

CdImportJob *
cd_job_row_get_job (CdJobRow *self)
{
  g_return_val_if_fail (CD_IS_JOB_ROW (self), NULL);
  return self->job;
}
