/* cd-plan-window-rows.c: the plan's rows, each with what happens to it
 *
 * One AdwActionRow per plan row (the package, the offering it goes into)
 * with its state in an icon and words, and Show Log once its import
 * ended; the lines the plan could not read are rows too, in line order,
 * so that every problem shows where it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cd-log-window.h"
#include "cd-plan-window-private.h"

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  /* Not also named by what it shows (GTK 4.8 would say both). */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

void
_cd_plan_window_view_free (CdPlanRowView *view)
{
  if (view->job != NULL)
    g_signal_handlers_disconnect_by_data (view->job, view);
  g_clear_object (&view->job);
  g_clear_handle_id (&view->retry_source, g_source_remove);
  g_free (view);
}

static const CdBatchRow *
batch_row (CdPlanWindow *self,
           guint         index)
{
  if (self->batch == NULL || index >= cd_batch_get_n_rows (self->batch))
    return NULL;
  return cd_batch_get_row (self->batch, index);
}

/* Where the row's package goes: the offering as found, or as the plan
 * names it. (transfer full) */
static char *
describe_target (const CdPlanRow  *plan,
                 const CdBatchRow *row)
{
  if (row != NULL && row->offering_id > 0)
    {
      const char *name = row->offering_name ? row->offering_name : plan->name;
      const char *code = row->offering_code ? row->offering_code : plan->code;

      if ((name == NULL || *name == '\0') && code == NULL)
        /* Translators: a course offering's ID. */
        return g_strdup_printf (_("ID %" PRId64), row->offering_id);
      if (name == NULL || *name == '\0')
        {
          name = code;
          code = NULL;
        }
      if (code != NULL)
        /* Translators: course offering name, code, and ID. */
        return g_strdup_printf (_("%s · %s · ID %" PRId64), name, code, row->offering_id);
      /* Translators: course offering name and ID. */
      return g_strdup_printf (_("%s · ID %" PRId64), name, row->offering_id);
    }

  if (plan->offering == NULL)
    /* Translators: a course offering the plan creates: its code and name. */
    return g_strdup_printf (_("new: %s %s"), plan->code ? plan->code : "",
                            plan->name ? plan->name : "");
  if (g_str_has_prefix (plan->offering, "code:"))
    /* Translators: %s is a course offering's code. */
    return g_strdup_printf (_("Offering with code %s"), plan->offering + strlen ("code:"));
  /* Translators: %s is a course offering's ID. */
  return g_strdup_printf (_("Offering %s"), plan->offering);
}

/* What the job of a running row does now. (transfer full) */
static char *
describe_running (CdImportJob *job)
{
  goffset total, sent;

  if (job == NULL)
    return g_strdup (_("Starting…"));

  if (cd_import_job_get_token (job) == NULL)
    {
      total = cd_import_job_get_bytes_total (job);
      sent = cd_import_job_get_bytes_sent (job);
      if (total <= 0)
        return g_strdup (_("Uploading…"));
      /* Translators: an upload's progress in per cent; keep the %%. */
      return g_strdup_printf (_("Uploading · %d %%"), (int)(sent * 100 / total));
    }

  switch (cd_import_job_get_stage (job))
    {
    case CD_IMPORT_STAGE_CONVERT:
      return g_strdup (_("Brightspace is converting the package…"));
    case CD_IMPORT_STAGE_IMPORT:
      return g_strdup (_("Brightspace is importing the content…"));
    case CD_IMPORT_STAGE_UPLOAD:
    case CD_IMPORT_STAGE_DONE:
    case CD_IMPORT_STAGE_FAILED:
    default:
      return g_strdup (_("Waiting for Brightspace…"));
    }
}

/* What a checked row would do. (transfer full) */
static char *
describe_ready (CdPlanWindow     *self,
                const CdBatchRow *row)
{
  g_autofree char *target = NULL;

  /* In a run, a ready row waits for its turn. */
  if (self->phase == CD_PLAN_PHASE_RUNNING)
    return g_strdup (_("Waiting to start"));
  if (row->resume != NULL)
    /* Translators: %s is an import job's token. */
    return g_strdup_printf (_("Would follow its unfinished job %s"),
                            row->token ? row->token : row->resume->token);
  if (row->create && row->offering_id == 0)
    /* Translators: %s is the code of a new course offering. */
    return g_strdup_printf (_("Would create offering %s, then import"), row->plan_row->code);
  if (row->create)
    /* Translators: %s is the code of a course offering. */
    return g_strdup_printf (_("Would import into offering %s (it exists already)"),
                            row->offering_code ? row->offering_code : row->plan_row->code);
  target = describe_target (row->plan_row, row);
  /* Translators: %s is a course offering (name, code and ID). */
  return g_strdup_printf (_("Would import into %s"), target);
}

/* Brightspace cannot be reached (or answers badly) while the row's job
 * follows its import: what is wrong and when it tries again, as the main
 * window's rows say it.  NULL when the job is not retrying. (transfer full) */
static char *
describe_retry (CdImportJob *job)
{
  if (job == NULL || cd_import_job_get_token (job) == NULL)
    return NULL;
  return cd_import_job_dup_retry_message (job, g_get_monotonic_time ());
}

/* The icon (NULL for the spinner), its style class and the words;
 * *@retrying while they say when the job tries again. */
static void
describe_state (CdPlanRowView  *view,
                const char    **icon,
                const char    **style,
                char          **words,
                gboolean       *retrying)
{
  CdPlanWindow *self = view->window;
  const CdBatchRow *row = batch_row (self, view->index);
  const char *message = row && row->message ? row->message : "";

  *style = NULL;
  *retrying = FALSE;
  switch (row ? row->state : CD_BATCH_ROW_PENDING)
    {
    case CD_BATCH_ROW_INVALID:
      *icon = "dialog-error-symbolic";
      *style = "error";
      /* Translators: a line of the plan, and what is wrong there. */
      *words = g_strdup_printf (_("Line %u: %s"), row->plan_row->line, message);
      break;
    case CD_BATCH_ROW_READY:
      *icon = self->phase == CD_PLAN_PHASE_RUNNING ? "content-loading-symbolic"
                                                    : "object-select-symbolic";
      *words = describe_ready (self, row);
      break;
    case CD_BATCH_ROW_SKIPPED:
      *icon = "media-skip-forward-symbolic";
      /* Translators: %s says why, e.g. when it was imported before. */
      *words = g_strdup_printf (_("Skipped: %s"), message);
      break;
    case CD_BATCH_ROW_RUNNING:
      *icon = NULL;
      *words = describe_retry (view->job);
      *retrying = *words != NULL;
      if (*words == NULL)
        *words = describe_running (view->job);
      break;
    case CD_BATCH_ROW_IMPORTED:
      *icon = "emblem-ok-symbolic";
      *style = "success";
      *words = row->warnings == 0
        ? g_strdup (_("Completed"))
        : g_strdup_printf (ngettext ("Completed with %u warning",
                                     "Completed with %u warnings", row->warnings),
                           row->warnings);
      break;
    case CD_BATCH_ROW_FAILED:
      *icon = "dialog-error-symbolic";
      *style = "error";
      /* Translators: %s says why the import failed. */
      *words = g_strdup_printf (_("Failed: %s"), message);
      break;
    case CD_BATCH_ROW_UNFINISHED:
      *icon = "media-playback-pause-symbolic";
      *style = "warning";
      /* Translators: %s says why the import stopped. */
      *words = g_strdup_printf (_("Stopped: %s"), message);
      break;
    case CD_BATCH_ROW_PENDING:
    default:
      *icon = self->phase == CD_PLAN_PHASE_CHECKING ? NULL : "content-loading-symbolic";
      *words = g_strdup (self->phase == CD_PLAN_PHASE_CHECKING ? _("Checking…")
                                                               : _("Not checked yet"));
      break;
    }
}

static void update_view (CdPlanRowView *view);

static gboolean
retry_tick_cb (gpointer user_data)
{
  update_view (user_data);
  return G_SOURCE_CONTINUE;
}

/* While the job waits to try again, its words count down the seconds. */
static void
watch_retry (CdPlanRowView *view,
             gboolean       retrying)
{
  if (!retrying)
    g_clear_handle_id (&view->retry_source, g_source_remove);
  else if (view->retry_source == 0)
    {
      view->retry_source = g_timeout_add_seconds (1, retry_tick_cb, view);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, view->retry_source),
                                "[coursedrop] plan row retry");
    }
}

static void
update_view (CdPlanRowView *view)
{
  CdPlanWindow *self = view->window;
  const CdPlanRow *plan = cd_plan_get_row (self->plan, view->index);
  const CdBatchRow *row = batch_row (self, view->index);
  g_autofree char *target = describe_target (plan, row);
  g_autofree char *words = NULL;
  g_autofree char *name = NULL;
  g_autofree char *package = g_path_get_basename (plan->package);
  g_autofree char *log_name = NULL;
  const char *icon, *style;
  gboolean ended, retrying;

  describe_state (view, &icon, &style, &words, &retrying);
  watch_retry (view, retrying);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (view->row), target);
  gtk_label_set_label (view->status, words);
  if (retrying)
    gtk_widget_add_css_class (GTK_WIDGET (view->status), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (view->status), "warning");
  gtk_widget_set_visible (GTK_WIDGET (view->icon), icon != NULL);
  gtk_widget_set_visible (GTK_WIDGET (view->spinner), icon == NULL);
  gtk_spinner_set_spinning (view->spinner, icon == NULL);
  if (icon != NULL)
    gtk_image_set_from_icon_name (view->icon, icon);
  for (const char * const *c = (const char *[]) { "error", "success", "warning", NULL }; *c; c++)
    gtk_widget_remove_css_class (GTK_WIDGET (view->icon), *c);
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (view->icon), style);

  /* The log is Brightspace's: there is one once a job ended there. */
  ended = row != NULL && (row->state == CD_BATCH_ROW_IMPORTED || row->state == CD_BATCH_ROW_FAILED);
  gtk_widget_set_visible (view->log_button,
                          ended && view->job != NULL && cd_import_job_get_token (view->job));

  /* Translators: a plan row's accessible name: package, offering, state. */
  name = g_strdup_printf (_("%s → %s: %s"), package, target, words);
  set_accessible_label (view->row, name);
  /* Translators: the accessible name of a button; %s is a package. */
  log_name = g_strdup_printf (_("Show log: %s"), package);
  set_accessible_label (view->log_button, log_name);
}

void
_cd_plan_window_update_row (CdPlanWindow *self,
                            guint         index)
{
  if (self->views != NULL && index < self->views->len)
    update_view (g_ptr_array_index (self->views, index));
}

void
_cd_plan_window_update_rows (CdPlanWindow *self)
{
  for (guint i = 0; self->views != NULL && i < self->views->len; i++)
    update_view (g_ptr_array_index (self->views, i));
}

static void
log_clicked_cb (CdPlanRowView *view)
{
  CdLogWindow *window;

  if (view->job == NULL)
    return;

  window = cd_log_window_new (view->job);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (view->window));
  gtk_window_present (GTK_WINDOW (window));
}

static CdPlanRowView *
view_new (CdPlanWindow *self,
          guint         index)
{
  const CdPlanRow *plan = cd_plan_get_row (self->plan, index);
  g_autofree char *package = g_path_get_basename (plan->package);
  CdPlanRowView *view = g_new0 (CdPlanRowView, 1);
  GtkWidget *box;

  view->window = self;
  view->index = index;
  view->row = adw_action_row_new ();
  /* File names and course names are text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (view->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (view->row), package);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  view->icon = GTK_IMAGE (gtk_image_new ());
  gtk_accessible_update_state (GTK_ACCESSIBLE (view->icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  view->spinner = GTK_SPINNER (gtk_spinner_new ());
  view->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (view->status, TRUE);
  gtk_label_set_wrap_mode (view->status, PANGO_WRAP_WORD_CHAR);
  /* Wide enough never to break a word like "Completed" apart. */
  gtk_label_set_width_chars (view->status, 18);
  gtk_label_set_max_width_chars (view->status, 34);
  gtk_label_set_xalign (view->status, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (view->icon));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (view->spinner));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (view->status));
  adw_action_row_add_suffix (ADW_ACTION_ROW (view->row), box);

  view->log_button = gtk_button_new_with_mnemonic (_("Show _Log"));
  gtk_widget_set_valign (view->log_button, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (view->log_button, FALSE);
  g_signal_connect_swapped (view->log_button, "clicked", G_CALLBACK (log_clicked_cb), view);
  adw_action_row_add_suffix (ADW_ACTION_ROW (view->row), view->log_button);

  return view;
}

/* A line the plan could not read: where, and what is wrong. */
static GtkWidget *
problem_row_new (const CdPlanProblem *problem)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
  g_autofree char *title = problem->line > 0
    /* Translators: a line of the plan file. */
    ? g_strdup_printf (_("Line %u"), problem->line)
    : g_strdup (_("The whole plan"));
  g_autofree char *name = g_strdup_printf (_("%s: %s"), title, problem->message);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), problem->message);
  gtk_widget_add_css_class (icon, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  set_accessible_label (row, name);

  return row;
}

/* Rows and problems in line order. */
void
_cd_plan_window_build_rows (CdPlanWindow *self)
{
  GPtrArray *problems = cd_plan_get_problems (self->plan);
  guint n = cd_plan_get_n_rows (self->plan);
  guint p = 0;

  g_clear_pointer (&self->views, g_ptr_array_unref);
  self->views = g_ptr_array_new_full (n, (GDestroyNotify)_cd_plan_window_view_free);

  for (guint i = 0; i <= n; i++)
    {
      guint line = i < n ? cd_plan_get_row (self->plan, i)->line : G_MAXUINT;
      CdPlanRowView *view;

      for (; p < problems->len; p++)
        {
          const CdPlanProblem *problem = g_ptr_array_index (problems, p);

          if (problem->line > line)
            break;
          gtk_list_box_append (self->rows_list, problem_row_new (problem));
        }
      if (i == n)
        break;

      view = view_new (self, i);
      g_ptr_array_add (self->views, view);
      gtk_list_box_append (self->rows_list, view->row);
      update_view (view);
    }
}

static void
job_progress_cb (CdPlanRowView *view)
{
  update_view (view);
}

void
_cd_plan_window_job_started (CdPlanWindow *self,
                             guint         index,
                             CdImportJob  *job)
{
  static const char * const notifications[] = {
    "notify::token", "notify::stage", "notify::bytes-total", "notify::bytes-sent",
    "notify::retrying", "retry",
  };
  CdPlanRowView *view;

  if (self->views == NULL || index >= self->views->len)
    return;

  view = g_ptr_array_index (self->views, index);
  if (view->job != NULL)
    g_signal_handlers_disconnect_by_data (view->job, view);
  g_set_object (&view->job, job);
  for (guint i = 0; i < G_N_ELEMENTS (notifications); i++)
    g_signal_connect_swapped (job, notifications[i], G_CALLBACK (job_progress_cb), view);

  /* A job followed again takes the place of the list's job of it. */
  cd_job_list_add (self->jobs, job);

  update_view (view);
}

/* An upload refused with 429 reached nothing: the batch dropped its record
 * and puts the row back in the queue.  Its job leaves the list too. */
void
_cd_plan_window_withdraw_job (CdPlanWindow *self,
                              guint         index)
{
  CdPlanRowView *view;
  g_autoptr(CdImportJob) job = NULL;

  if (self->views == NULL || index >= self->views->len)
    return;
  view = g_ptr_array_index (self->views, index);
  if (view->job == NULL || cd_import_job_get_token (view->job) != NULL ||
      cd_import_job_is_running (view->job))
    return;

  job = g_steal_pointer (&view->job);
  g_signal_handlers_disconnect_by_data (job, view);
  cd_job_list_remove (self->jobs, job, NULL);
}

void
_cd_plan_window_forget_jobs (CdPlanWindow *self)
{
  for (guint i = 0; self->views != NULL && i < self->views->len; i++)
    {
      CdPlanRowView *view = g_ptr_array_index (self->views, i);

      if (view->job != NULL)
        g_signal_handlers_disconnect_by_data (view->job, view);
      g_clear_object (&view->job);
    }
}

void
_cd_plan_window_count (CdPlanWindow *self,
                       guint        *done,
                       guint        *imported,
                       guint        *failed,
                       guint        *skipped,
                       guint        *invalid)
{
  *done = *imported = *failed = *skipped = *invalid = 0;

  for (guint i = 0; self->batch != NULL && i < cd_batch_get_n_rows (self->batch); i++)
    {
      CdBatchRowState state = cd_batch_get_row (self->batch, i)->state;

      *imported += state == CD_BATCH_ROW_IMPORTED;
      *failed += state == CD_BATCH_ROW_FAILED;
      *skipped += state == CD_BATCH_ROW_SKIPPED;
      *invalid += state == CD_BATCH_ROW_INVALID;
      *done += state == CD_BATCH_ROW_IMPORTED || state == CD_BATCH_ROW_FAILED ||
               state == CD_BATCH_ROW_SKIPPED || state == CD_BATCH_ROW_UNFINISHED;
    }
}
