/* cd-plan-window.c: a migration plan's rows, checked and run
 *
 * The CSV is read in the background; its rows show at once, with the
 * lines it could not read among them.  Check runs core's dry run
 * (CdBatch: look-ups only); Run checks again if it must, then creates the
 * offerings and imports the rows, a few at a time.  Stop starts nothing
 * more: every job started so far stays in the journal, and running the
 * plan again follows them.  Each Check makes a new CdBatch, so that what
 * the journal learned since (other runs, the main window) counts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-plan-window-private.h"

G_DEFINE_FINAL_TYPE (CdPlanWindow, cd_plan_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_JOBS,
  PROP_FILE,
  N_PROPS
};

enum {
  CLIENT_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_check (CdPlanWindow *self,
                         gboolean      then_run);

static gboolean
plan_has_problems (CdPlanWindow *self)
{
  return self->plan != NULL && cd_plan_get_problems (self->plan)->len > 0;
}

static gboolean
has_rows (CdPlanWindow *self)
{
  return self->plan != NULL && cd_plan_get_n_rows (self->plan) > 0;
}

static void
update_buttons (CdPlanWindow *self)
{
  CdPlanPhase phase = self->phase;
  gboolean busy = phase == CD_PLAN_PHASE_CHECKING || phase == CD_PLAN_PHASE_RUNNING;
  gboolean settled = phase == CD_PLAN_PHASE_IDLE || phase == CD_PLAN_PHASE_CHECKED ||
                     phase == CD_PLAN_PHASE_DONE;
  gboolean runnable = settled && has_rows (self) && !plan_has_problems (self) &&
                      !(phase == CD_PLAN_PHASE_CHECKED && !self->check_fine);
  /* Stop stands in for Run while Run's work goes on. */
  gboolean stoppable = phase == CD_PLAN_PHASE_RUNNING ||
                       (phase == CD_PLAN_PHASE_CHECKING && self->run_after_check);

  gtk_widget_set_sensitive (self->check_button, settled && has_rows (self));
  gtk_widget_set_sensitive (self->run_button, runnable);
  gtk_widget_set_visible (self->run_button, !stoppable);
  gtk_widget_set_visible (self->stop_button, stoppable);
  gtk_widget_set_sensitive (self->stop_button, !self->stopping);
  gtk_widget_set_visible (self->report_button, phase == CD_PLAN_PHASE_DONE && !busy);
}

static char *
describe_progress (CdPlanWindow *self)
{
  guint done, imported, failed, skipped, invalid;
  guint n = cd_plan_get_n_rows (self->plan);

  _cd_plan_window_count (self, &done, &imported, &failed, &skipped, &invalid);

  switch (self->phase)
    {
    case CD_PLAN_PHASE_CHECKING:
      return g_strdup (_("Checking every row; nothing is sent but look-ups…"));
    case CD_PLAN_PHASE_CHECKED:
      if (self->check_fine)
        return g_strdup (_("Every row can run. Run imports them; nothing has been sent yet."));
      return g_strdup_printf (ngettext ("%u row cannot run (see below); nothing was sent. Fix "
                                        "the plan and open it again.",
                                        "%u rows cannot run (see below); nothing was sent. Fix "
                                        "the plan and open it again.", invalid), invalid);
    case CD_PLAN_PHASE_RUNNING:
      if (self->stopping)
        return g_strdup (_("Stopping; every job started so far is kept."));
      /* Translators: rows of a plan that ended, of all its rows. */
      return g_strdup_printf (ngettext ("%u of %u row done", "%u of %u rows done", n), done, n);
    case CD_PLAN_PHASE_DONE:
      /* Translators: a finished plan's rows by outcome. */
      return g_strdup_printf (_("%u imported, %u failed, %u skipped, %u not done"), imported,
                              failed, skipped, n - imported - failed - skipped);
    case CD_PLAN_PHASE_LOADING:
    case CD_PLAN_PHASE_IDLE:
    default:
      return g_strdup_printf (ngettext ("%u row. Check shows what each would do, without "
                                        "changing anything.",
                                        "%u rows. Check shows what each would do, without "
                                        "changing anything.", n), n);
    }
}

void
_cd_plan_window_update_summary (CdPlanWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *progress = NULL;

  if (self->plan == NULL)
    return;

  if (plan_has_problems (self))
    g_string_append (text, _("The plan has problems on the lines shown; nothing will be sent "
                             "until they are fixed. Fix the file and open it again."));
  else
    {
      progress = describe_progress (self);
      g_string_append (text, progress);
    }

  if (self->message != NULL)
    g_string_append_printf (text, "\n%s", self->message);

  if (self->phase == CD_PLAN_PHASE_RUNNING && g_get_monotonic_time () < self->paused_until)
    {
      guint seconds = (guint)((self->paused_until - g_get_monotonic_time () + 999999) / 1000000);

      g_string_append_c (text, '\n');
      g_string_append_printf (text, ngettext ("Brightspace asked Coursedrop to slow down; no new "
                                              "import starts for %u second.",
                                              "Brightspace asked Coursedrop to slow down; no new "
                                              "import starts for %u seconds.", seconds), seconds);
    }

  gtk_label_set_label (self->summary_label, text->str);
  update_buttons (self);
}

static void
set_phase (CdPlanWindow *self,
           CdPlanPhase   phase)
{
  self->phase = phase;
  _cd_plan_window_update_rows (self);
  _cd_plan_window_update_summary (self);
}

static void
set_message (CdPlanWindow *self,
             const char   *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
}

/* The batch */

static void
row_changed_cb (CdBatch      *batch,
                guint         index,
                CdPlanWindow *self)
{
  const CdBatchRow *row = cd_batch_get_row (batch, index);

  if (row->state == CD_BATCH_ROW_READY && self->phase == CD_PLAN_PHASE_RUNNING)
    _cd_plan_window_withdraw_job (self, index);
  _cd_plan_window_update_row (self, index);
  _cd_plan_window_update_summary (self);
}

static void
offering_ready_cb (CdBatch      *batch,
                   guint         index,
                   gboolean      created,
                   CdPlanWindow *self)
{
  _cd_plan_window_update_row (self, index);
}

static void
job_started_cb (CdBatch      *batch,
                guint         index,
                CdImportJob  *job,
                CdPlanWindow *self)
{
  _cd_plan_window_job_started (self, index, job);
}

static gboolean
pause_over_cb (gpointer user_data)
{
  CdPlanWindow *self = user_data;

  self->pause_source = 0;
  _cd_plan_window_update_summary (self);
  return G_SOURCE_REMOVE;
}

static void
paused_cb (CdBatch      *batch,
           guint         seconds,
           CdPlanWindow *self)
{
  self->paused_until = g_get_monotonic_time () + (gint64)seconds * G_USEC_PER_SEC;
  g_clear_handle_id (&self->pause_source, g_source_remove);
  self->pause_source = g_timeout_add_seconds (seconds > 0 ? seconds : 1, pause_over_cb, self);
  _cd_plan_window_update_summary (self);
}

static void
drop_batch (CdPlanWindow *self)
{
  if (self->batch == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->batch, self);
  g_clear_object (&self->batch);
}

static void
report_error (CdPlanWindow *self,
              const GError *error)
{
  set_message (self, error->message);
  g_signal_emit (self, signals[CLIENT_ERROR], 0, cd_job_list_get_client (self->jobs), error);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdPlanWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  cd_batch_run_finish (CD_BATCH (object), result, &error);
  if (self->disposed || CD_BATCH (object) != self->batch)
    return;

  self->stopping = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_message (self, _("Stopped. Every job started so far is kept; Run goes on from there."));
  else if (error != NULL)
    report_error (self, error);
  set_phase (self, CD_PLAN_PHASE_DONE);

  /* Run and Stop are gone: the keyboard goes on from the report. */
  gtk_widget_grab_focus (self->report_button);
}

static void
start_run (CdPlanWindow *self)
{
  set_message (self, NULL);
  set_phase (self, CD_PLAN_PHASE_RUNNING);
  cd_batch_run_async (self->batch, NULL, run_done_cb, g_object_ref (self));
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CdPlanWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean fine;

  fine = cd_batch_check_finish (CD_BATCH (object), result, &error);
  if (self->disposed || CD_BATCH (object) != self->batch)
    return;

  self->stopping = FALSE;
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_message (self, _("The check was stopped; nothing was sent."));
      else
        report_error (self, error);
      drop_batch (self);
      set_phase (self, CD_PLAN_PHASE_IDLE);
      return;
    }

  self->check_fine = fine;
  if (fine && self->run_after_check)
    {
      start_run (self);
      return;
    }
  set_phase (self, CD_PLAN_PHASE_CHECKED);
}

static void
start_check (CdPlanWindow *self,
             gboolean      then_run)
{
  CdClient *client = cd_job_list_get_client (self->jobs);

  _cd_plan_window_forget_jobs (self);
  drop_batch (self);
  set_message (self, NULL);

  self->batch = cd_batch_new (client, cd_job_list_get_journal (self->jobs), self->plan);
  cd_batch_set_parallel (self->batch, (guint)gtk_spin_button_get_value_as_int (self->parallel_spin));
  g_signal_connect (self->batch, "row-changed", G_CALLBACK (row_changed_cb), self);
  g_signal_connect (self->batch, "offering-ready", G_CALLBACK (offering_ready_cb), self);
  g_signal_connect (self->batch, "job-started", G_CALLBACK (job_started_cb), self);
  g_signal_connect (self->batch, "paused", G_CALLBACK (paused_cb), self);

  self->run_after_check = !!then_run;
  self->check_fine = FALSE;
  set_phase (self, CD_PLAN_PHASE_CHECKING);
  cd_batch_check_async (self->batch, self->cancellable, check_done_cb, g_object_ref (self));
}

/* Buttons */

static void
check_clicked_cb (CdPlanWindow *self)
{
  start_check (self, FALSE);
}

static void
run_clicked_cb (CdPlanWindow *self)
{
  /* A check that passed and has not run yet is what Run runs; otherwise
   * (never checked, or after a run) the journal may know more now. */
  if (self->phase == CD_PLAN_PHASE_CHECKED && self->check_fine && self->batch != NULL)
    start_run (self);
  else
    start_check (self, TRUE);

  gtk_widget_grab_focus (self->stop_button);
}

static void
stop (CdPlanWindow *self)
{
  if (self->phase == CD_PLAN_PHASE_CHECKING)
    {
      self->stopping = TRUE;
      g_cancellable_cancel (self->cancellable);
      g_set_object (&self->cancellable, g_cancellable_new ());
    }
  else if (self->phase == CD_PLAN_PHASE_RUNNING && self->batch != NULL)
    {
      self->stopping = TRUE;
      cd_batch_stop (self->batch);
    }
  _cd_plan_window_update_summary (self);
}

static void
stop_clicked_cb (CdPlanWindow *self)
{
  stop (self);
}

static void
parallel_changed_cb (CdPlanWindow *self)
{
  int value = gtk_spin_button_get_value_as_int (self->parallel_spin);

  /* Also in the middle of a run: the next job to start sees it. */
  if (self->batch != NULL && value >= 1 && value <= CD_BATCH_MAX_PARALLEL)
    cd_batch_set_parallel (self->batch, (guint)value);
}

/* Reading the plan */

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdPlanWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *base_dir = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      if (self->disposed)
        return;
      gtk_spinner_set_spinning (self->loading_spinner, FALSE);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  if (self->disposed)
    return;

  /* Relative package paths start from the plan's folder. */
  folder = g_file_get_parent (self->file);
  base_dir = folder != NULL ? g_file_get_path (folder) : NULL;
  self->plan = cd_plan_new_from_data (contents, length, base_dir != NULL ? base_dir : ".");

  gtk_spinner_set_spinning (self->loading_spinner, FALSE);
  _cd_plan_window_build_rows (self);
  gtk_stack_set_visible_child_name (self->stack, "plan");
  set_phase (self, CD_PLAN_PHASE_IDLE);

  /* The first thing to do with a plan is to check it. */
  if (gtk_widget_get_sensitive (self->check_button))
    gtk_widget_grab_focus (self->check_button);
}

/* GObject */

static gboolean
cd_plan_window_close_request (GtkWindow *window)
{
  CdPlanWindow *self = CD_PLAN_WINDOW (window);

  /* Nothing is lost: the jobs are in the journal and the main window. */
  stop (self);

  return GTK_WINDOW_CLASS (cd_plan_window_parent_class)->close_request (window);
}

static void
cd_plan_window_constructed (GObject *object)
{
  CdPlanWindow *self = CD_PLAN_WINDOW (object);
  g_autofree char *name = g_file_get_basename (self->file);
  g_autofree char *display = name ? g_filename_display_name (name) : NULL;

  G_OBJECT_CLASS (cd_plan_window_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title, display);
  gtk_spinner_set_spinning (self->loading_spinner, TRUE);
  g_file_load_contents_async (self->file, self->cancellable, loaded_cb, g_object_ref (self));
}

static void
cd_plan_window_dispose (GObject *object)
{
  CdPlanWindow *self = CD_PLAN_WINDOW (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->batch != NULL)
    cd_batch_stop (self->batch);
  drop_batch (self);
  g_clear_handle_id (&self->pause_source, g_source_remove);
  if (self->report_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->report_chooser));
  g_clear_object (&self->report_chooser);
  g_clear_pointer (&self->views, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_PLAN_WINDOW);

  G_OBJECT_CLASS (cd_plan_window_parent_class)->dispose (object);
}

static void
cd_plan_window_finalize (GObject *object)
{
  CdPlanWindow *self = CD_PLAN_WINDOW (object);

  g_clear_object (&self->jobs);
  g_clear_object (&self->file);
  g_clear_object (&self->plan);
  g_clear_object (&self->cancellable);
  g_free (self->message);

  G_OBJECT_CLASS (cd_plan_window_parent_class)->finalize (object);
}

static void
cd_plan_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CdPlanWindow *self = CD_PLAN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_JOBS:
      self->jobs = g_value_dup_object (value);
      break;
    case PROP_FILE:
      self->file = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_plan_window_class_init (CdPlanWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cd_plan_window_constructed;
  object_class->dispose = cd_plan_window_dispose;
  object_class->finalize = cd_plan_window_finalize;
  object_class->set_property = cd_plan_window_set_property;
  window_class->close_request = cd_plan_window_close_request;

  properties[PROP_JOBS] =
    g_param_spec_object ("jobs", NULL, NULL, CD_TYPE_JOB_LIST,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CLIENT_ERROR] = g_signal_new ("client-error", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        CD_TYPE_CLIENT, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/cd-plan-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, check_button);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, report_button);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, parallel_spin);
  gtk_widget_class_bind_template_child (widget_class, CdPlanWindow, rows_list);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, run_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_clicked_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "report_clicked_cb",
                                                G_CALLBACK (_cd_plan_window_save_report));
  gtk_widget_class_bind_template_callback (widget_class, parallel_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cd_plan_window_init (CdPlanWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  gtk_spin_button_set_range (self->parallel_spin, 1, CD_BATCH_MAX_PARALLEL);
  gtk_spin_button_set_value (self->parallel_spin, CD_BATCH_DEFAULT_PARALLEL);
}

CdPlanWindow *
cd_plan_window_new (CdJobList *jobs,
                    GFile     *file)
{
  g_return_val_if_fail (CD_IS_JOB_LIST (jobs), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return g_object_new (CD_TYPE_PLAN_WINDOW, "jobs", jobs, "file", file, NULL);
}

GFile *
cd_plan_window_get_file (CdPlanWindow *self)
{
  g_return_val_if_fail (CD_IS_PLAN_WINDOW (self), NULL);
  return self->file;
}
