/* cd-log-window.c: an import job's log, errors and warnings first
 *
 * A job that ended in this session already holds its log.  A job from an
 * earlier session, or one still running, has it fetched here through
 * core; the window refreshes when the job ends.
 *
 * Above the log, a verified job lists what arrived: how many of the items
 * the package should add did, each missing one, and the topics Brightspace
 * marks as broken (the log's warnings are the entries below).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-client-imports.h"
#include "cd-gui-util.h"
#include "cd-log-window.h"
#include "cd-time-format.h"
#include "cd-package-outline.h"

struct _CdLogWindow
{
  AdwWindow       parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkSpinner     *spinner;
  AdwStatusPage  *empty_page;
  GtkListBox     *list;
  GtkWidget      *verification_scroller;
  GtkListBox     *verification_list;

  /* Owned */
  CdImportJob    *job;
  GCancellable   *cancellable;

  gboolean        disposed;
};

G_DEFINE_FINAL_TYPE (CdLogWindow, cd_log_window, ADW_TYPE_WINDOW)

static GtkWidget *
create_entry_row (CdImportLogEntry *entry)
{
  GtkWidget *row, *box, *text_box, *icon, *message, *time;
  const char *icon_name, *kind, *style;
  g_autofree char *when = NULL;
  g_autofree char *name = NULL;

  switch (entry->type)
    {
    case CD_IMPORT_LOG_ERROR:
      icon_name = "dialog-error-symbolic";
      kind = _("Error");
      style = "error";
      break;
    case CD_IMPORT_LOG_WARNING:
      icon_name = "dialog-warning-symbolic";
      kind = _("Warning");
      style = "warning";
      break;
    case CD_IMPORT_LOG_SYSTEM:
    case CD_IMPORT_LOG_PROGRESS:
    default:
      icon_name = "dialog-information-symbolic";
      kind = _("Information");
      style = "dim-label";
      break;
    }

  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 2);
  gtk_widget_add_css_class (icon, style);
  gtk_widget_set_tooltip_text (icon, kind);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, kind, -1);

  message = gtk_label_new (entry->message);
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (message), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_selectable (GTK_LABEL (message), TRUE);

  /* The one date format of the window and the CLI. */
  when = cd_time_format (entry->time);
  time = gtk_label_new (when);
  gtk_label_set_xalign (GTK_LABEL (time), 0);
  gtk_label_set_selectable (GTK_LABEL (time), TRUE);
  gtk_widget_set_visible (time, when != NULL);
  gtk_widget_add_css_class (time, "caption");
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (time, "numeric");

  text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_hexpand (text_box, TRUE);
  gtk_box_append (GTK_BOX (text_box), message);
  gtk_box_append (GTK_BOX (text_box), time);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), text_box);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  /* Translators: a log row's accessible name: “Warning: message”. */
  name = g_strdup_printf (_("%s: %s"), kind, entry->message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);

  return row;
}

static GtkWidget *
verification_row_new (const char *title,
                      const char *subtitle,
                      const char *icon_name,
                      const char *style,
                      const char *name)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (icon_name != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

      gtk_widget_add_css_class (icon, style);
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      subtitle, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }
  /* One name: GTK 4.8 would add the title the row is labelled by. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);

  return row;
}

/* The missing items, or with @broken the topics marked broken. */
static void
add_items (CdLogWindow *self,
           GPtrArray   *items,
           gboolean     broken)
{
  for (guint i = 0; i < items->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (items, i);
      const char *type = cd_package_item_type_label (item->type);
      g_autofree char *subtitle = NULL;
      g_autofree char *name = NULL;

      if (broken)
        /* Translators: %s is a kind of item: “Broken link”. */
        subtitle = g_strdup_printf (_("Broken %s"), type);
      else
        /* Translators: %s is a kind of item: “Missing quiz”. */
        subtitle = g_strdup_printf (_("Missing %s"), type);
      /* Translators: a row's accessible name: “Missing quiz: Bonds quiz”. */
      name = g_strdup_printf (_("%s: %s"), subtitle, item->title);
      gtk_list_box_append (self->verification_list,
                           verification_row_new (item->title, subtitle,
                                                 broken ? "dialog-error-symbolic"
                                                        : "dialog-warning-symbolic",
                                                 broken ? "error" : "warning", name));
    }
}

static char *
format_arrived (const CdVerification *verification)
{
  if (verification->missing->len == 0)
    return g_strdup_printf (ngettext ("The %u item the package holds arrived",
                                      "All %u items the package holds arrived",
                                      verification->expected),
                            verification->expected);

  return g_strdup_printf (ngettext ("%u of %u item arrived",
                                    "%u of %u items arrived", verification->expected),
                          verification->arrived, verification->expected);
}

/* What arrived, from the job's verification; nothing without one. */
static void
show_verification (CdLogWindow *self)
{
  const CdVerification *verification = cd_import_job_get_verification (self->job);
  g_autofree char *arrived = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->verification_list))) != NULL)
    gtk_list_box_remove (self->verification_list, child);

  gtk_widget_set_visible (self->verification_scroller,
                          verification != NULL &&
                          (verification->not_verified != NULL || verification->expected > 0 ||
                           verification->broken->len > 0));
  if (verification == NULL)
    return;

  if (verification->not_verified != NULL)
    {
      gtk_list_box_append (self->verification_list,
                           verification_row_new (_("Not verified"), verification->not_verified,
                                                 "dialog-information-symbolic", "dim-label",
                                                 _("Not verified")));
      return;
    }

  arrived = format_arrived (verification);
  gtk_list_box_append (self->verification_list,
                       verification_row_new (arrived,
                                             _("Compared with what the package holds; "
                                               "Brightspace does not publish how it converts "
                                               "packages, so this is an estimate."),
                                             verification->missing->len > 0
                                               ? "dialog-warning-symbolic"
                                               : "object-select-symbolic",
                                             verification->missing->len > 0 ? "warning"
                                                                             : "success",
                                             arrived));
  add_items (self, verification->missing, FALSE);
  add_items (self, verification->broken, TRUE);
}

/* Sets every part of the page, so an earlier failure never shows through. */
static void
show_empty (CdLogWindow *self,
            const char  *icon_name,
            const char  *title,
            const char  *description)
{
  gtk_spinner_set_spinning (self->spinner, FALSE);
  adw_status_page_set_icon_name (self->empty_page, icon_name);
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, description);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
show_entries (CdLogWindow *self,
              GPtrArray   *logs)
{
  GtkWidget *child;

  gtk_spinner_set_spinning (self->spinner, FALSE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  if (logs == NULL || logs->len == 0)
    {
      show_empty (self, "text-x-generic-symbolic", _("No Log Entries"),
                  _("Brightspace has not logged anything for this job yet."));
      return;
    }

  for (guint i = 0; i < logs->len; i++)
    gtk_list_box_append (self->list, create_entry_row (g_ptr_array_index (logs, i)));

  gtk_stack_set_visible_child_name (self->stack, "entries");
}

static void
logs_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CdLogWindow) self = user_data;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GError) error = NULL;

  logs = cd_client_get_import_logs_finish (CD_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      self->disposed)
    return;

  if (logs == NULL)
    {
      show_empty (self, "dialog-error-symbolic", _("The Log Could Not Be Read"), error->message);
      return;
    }

  show_entries (self, logs);
}

static void
load (CdLogWindow *self)
{
  GPtrArray *logs = cd_import_job_get_logs (self->job);
  const char *token = cd_import_job_get_token (self->job);

  if (logs != NULL)
    {
      show_entries (self, logs);
      return;
    }

  if (token == NULL)
    {
      show_empty (self, "text-x-generic-symbolic", _("No Log Entries"),
                  _("The upload did not reach Brightspace, so there is no import log."));
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  cd_client_get_import_logs_async (cd_import_job_get_client (self->job),
                                   cd_import_job_get_offering_id (self->job), token,
                                   self->cancellable, logs_cb, g_object_ref (self));
}

static void
job_finished_cb (CdLogWindow *self)
{
  show_verification (self);
  load (self);
}

static void
cd_log_window_dispose (GObject *object)
{
  CdLogWindow *self = CD_LOG_WINDOW (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_LOG_WINDOW);

  G_OBJECT_CLASS (cd_log_window_parent_class)->dispose (object);
}

static void
cd_log_window_finalize (GObject *object)
{
  CdLogWindow *self = CD_LOG_WINDOW (object);

  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cd_log_window_parent_class)->finalize (object);
}

static void
cd_log_window_class_init (CdLogWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_log_window_dispose;
  object_class->finalize = cd_log_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/cd-log-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdLogWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CdLogWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CdLogWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdLogWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CdLogWindow, list);
  gtk_widget_class_bind_template_child (widget_class, CdLogWindow, verification_scroller);
  gtk_widget_class_bind_template_child (widget_class, CdLogWindow, verification_list);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
cd_log_window_init (CdLogWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
}

CdLogWindow *
cd_log_window_new (CdImportJob *job)
{
  CdLogWindow *self;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *word;

  g_return_val_if_fail (CD_IS_IMPORT_JOB (job), NULL);

  self = g_object_new (CD_TYPE_LOG_WINDOW, NULL);
  self->job = g_object_ref (job);

  title = cd_format_job_title (cd_import_job_get_package_name (job),
                               cd_import_job_get_offering_name (job),
                               cd_import_job_get_offering_id (job),
                               cd_import_job_get_token (job));
  /* Brightspace's own status word lives here, for support, not in the row. */
  word = cd_import_job_get_status_text (job);
  if (word != NULL)
    /* Translators: “Week 1.imscc → Biology 101 · Brightspace status: COMPLETED”. */
    subtitle = g_strdup_printf (_("%s · Brightspace status: %s"), title, word);
  else
    subtitle = g_steal_pointer (&title);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  g_signal_connect_object (job, "finished", G_CALLBACK (job_finished_cb), self, G_CONNECT_SWAPPED);
  show_verification (self);
  load (self);

  return self;
}
