/* cd-window.c: the main window
 *
 * Pages: no account, loading or demo starting, failure (the journal could not be
 * read, the demo did not start), empty (an invitation to drop packages)
 * and the jobs: pending packages on top, the job list below.  The whole
 * window accepts dropped files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-job-row.h"
#include "cd-window-private.h"

#define ERROR_TOAST_SECONDS 10
#define SPINNER_DELAY_MS 500

G_DEFINE_FINAL_TYPE (CdWindow, cd_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  CLIENT_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
n_jobs (CdWindow *self)
{
  return self->jobs != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->jobs)) : 0;
}

/* The status pages' icons are symbolic SVGs: the first of them loads the
 * SVG renderer, which costs the window's start-up some 25 ms when it is on
 * the first frame.  That frame shows the starting page, so the others get
 * their icons when they are first shown on screen (the window passes
 * through other pages while the application sets it up, unmapped). */
static void
show_page_icon (CdWindow   *self,
                const char *page)
{
  static const struct { const char *page; gsize offset; const char *icon; } icons[] = {
    { "no-account", G_STRUCT_OFFSET (CdWindow, no_account_page), "network-server-symbolic" },
    { "failure", G_STRUCT_OFFSET (CdWindow, failure_page), "dialog-error-symbolic" },
    { "empty", G_STRUCT_OFFSET (CdWindow, empty_page), "folder-download-symbolic" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (icons); i++)
    {
      AdwStatusPage *status_page = G_STRUCT_MEMBER (AdwStatusPage *, self, icons[i].offset);

      if (g_str_equal (page, icons[i].page) && adw_status_page_get_icon_name (status_page) == NULL)
        adw_status_page_set_icon_name (status_page, icons[i].icon);
    }
}

static void
stack_mapped_cb (CdWindow *self)
{
  show_page_icon (self, gtk_stack_get_visible_child_name (self->stack));
}

static gboolean
show_spinner_cb (gpointer user_data)
{
  CdWindow *self = user_data;

  self->spinner_source = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->starting_spinner), TRUE);
  gtk_spinner_set_spinning (self->starting_spinner, TRUE);
  return G_SOURCE_REMOVE;
}

/* A spinner that flashes for a moment says nothing: it shows when the
 * wait is long enough to notice (the demo's sandbox, a slow keyring). */
static void
set_starting (CdWindow *self,
              gboolean  starting)
{
  if (!starting)
    {
      g_clear_handle_id (&self->spinner_source, g_source_remove);
      gtk_spinner_set_spinning (self->starting_spinner, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->starting_spinner), FALSE);
      return;
    }
  if (self->spinner_source != 0 || gtk_widget_get_visible (GTK_WIDGET (self->starting_spinner)))
    return;
  self->spinner_source = g_timeout_add (SPINNER_DELAY_MS, show_spinner_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->spinner_source),
                            "[coursedrop] show the spinner");
}

void
_cd_window_update_page (CdWindow *self)
{
  const char *page;

  if (self->failed)
    page = "failure";
  else if (self->n_pending > 0 || n_jobs (self) > 0)
    page = "jobs";
  else if (self->starting || self->loading)
    page = "starting";
  else if (self->jobs == NULL)
    page = "no-account";
  else
    page = "empty";

  gtk_widget_set_visible (self->pending_section, self->n_pending > 0);
  gtk_widget_set_visible (self->jobs_section, n_jobs (self) > 0);
  set_starting (self, g_str_equal (page, "starting"));
  if (gtk_widget_get_mapped (GTK_WIDGET (self->stack)))
    show_page_icon (self, page);
  gtk_stack_set_visible_child_name (self->stack, page);
}

/* Error messages are sentences: the first names the problem, the rest
 * says what to do.  Returns (transfer full) the first; @rest (nullable)
 * gets what follows it, or NULL. */
static char *
split_first_sentence (const char  *message,
                      const char **rest)
{
  const char *end = strstr (message, ". ");

  if (rest != NULL)
    *rest = end != NULL ? end + 2 : NULL;

  return end != NULL ? g_strndup (message, end - message + 1) : g_strdup (message);
}

AdwToast *
_cd_window_new_toast (const char *message,
                      guint       timeout)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  /* AdwToast 1.2 always reads its title as markup: file names may hold &. */
  adw_toast_set_timeout (toast, timeout);
  return toast;
}

static void
add_toast (CdWindow   *self,
           const char *message,
           guint       timeout)
{
  adw_toast_overlay_add_toast (self->toast_overlay, _cd_window_new_toast (message, timeout));
}

void
cd_window_show_toast (CdWindow   *self,
                      const char *message)
{
  g_return_if_fail (CD_IS_WINDOW (self));
  add_toast (self, message, 5);
}

/* Core's messages are a sentence saying what is wrong, then advice.  A
 * toast has one line: it says the first, and offers the rest. */
void
_cd_window_show_error_toast (CdWindow   *self,
                             const char *message)
{
  const char *rest = NULL;
  g_autofree char *first = split_first_sentence (message, &rest);
  AdwToast *toast;

  if (rest == NULL)
    {
      add_toast (self, message, ERROR_TOAST_SECONDS);
      return;
    }

  toast = _cd_window_new_toast (first, ERROR_TOAST_SECONDS);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "win.show-message");
  adw_toast_set_action_target_value (toast, g_variant_new_string (message));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_cd_window_emit_client_error (CdWindow     *self,
                              CdClient     *client,
                              const GError *error)
{
  g_signal_emit (self, signals[CLIENT_ERROR], 0, client, error);
}

/* Actions */

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CdWindow *self = CD_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *card = focus != NULL ? gtk_widget_get_ancestor (focus, CD_TYPE_NEW_IMPORT) : NULL;

  /* The package being worked on first, else the first one that is ready. */
  if (card == NULL || !cd_new_import_get_ready (CD_NEW_IMPORT (card)))
    for (card = gtk_widget_get_first_child (GTK_WIDGET (self->pending_box));
         card != NULL && !cd_new_import_get_ready (CD_NEW_IMPORT (card));
         card = gtk_widget_get_next_sibling (card))
      ;

  if (card == NULL)
    {
      gtk_widget_error_bell (widget);
      return;
    }

  _cd_window_import_card (self, CD_NEW_IMPORT (card));
}

static void
track_job_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  _cd_window_track_job (CD_WINDOW (widget));
}

static void
show_message_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  const char *message = g_variant_get_string (parameter, NULL);
  const char *rest = NULL;
  g_autofree char *heading = split_first_sentence (message, &rest);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (widget), heading, rest);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  cd_fix_button_names (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
toast_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  cd_window_show_toast (CD_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* The keyboard shortcuts: GtkApplication would build them into every
 * window at creation (gtk/help-overlay.ui), before its first frame; they
 * are built here on first use instead. */
static void
show_help_overlay_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (user_data);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PATH "/cd-shortcuts.ui");

      /* Modal, transient, hidden on close; the window keeps it. */
      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_application_window_set_help_overlay (window, overlay);
    }

  gtk_window_present (GTK_WINDOW (overlay));
}

/* The main menu's popover is made when it first opens, not before the
 * window's first frame. */
static void
create_menu_cb (GtkMenuButton *button,
                gpointer       user_data)
{
  CdWindow *self = CD_WINDOW (user_data);

  if (gtk_menu_button_get_menu_model (button) == NULL)
    gtk_menu_button_set_menu_model (button, self->primary_menu);
}

/* The job list */

void
_cd_window_focus_row (CdWindow *self,
                      guint     position)
{
  guint n = n_jobs (self);
  GtkListBoxRow *row;

  if (n == 0)
    {
      /* The page that shows now (a pending card, or the empty state). */
      if (!gtk_widget_child_focus (GTK_WIDGET (self->stack), GTK_DIR_TAB_FORWARD))
        gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
      return;
    }

  row = gtk_list_box_get_row_at_index (self->jobs_list, (int)MIN (position, n - 1));
  if (row != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
undo_remove_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _cd_window_undo_remove (CD_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
row_retry_cb (CdJobRow *row,
              CdWindow *self)
{
  _cd_window_retry_job (self, cd_job_row_get_job (row));
}

static void
row_try_again_cb (CdJobRow *row,
                  CdWindow *self)
{
  _cd_window_try_again_job (self, cd_job_row_get_job (row));
}

static void
row_remove_cb (CdJobRow *row,
               CdWindow *self)
{
  _cd_window_remove_job (self, cd_job_row_get_job (row));
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  CdWindow *self = user_data;
  CdJobRow *row = cd_job_row_new (CD_IMPORT_JOB (item));

  g_signal_connect_object (row, "retry", G_CALLBACK (row_retry_cb), self, 0);
  g_signal_connect_object (row, "remove", G_CALLBACK (row_remove_cb), self, 0);
  g_signal_connect_object (row, "try-again", G_CALLBACK (row_try_again_cb), self, 0);

  return GTK_WIDGET (row);
}

static void
jobs_changed_cb (CdWindow *self)
{
  _cd_window_update_page (self);
}

/* Jobs that appear while the window shows the list: coursedrop-cli's, or
 * tracked ones.  (Those of the first load would be a request each.) */
static void
jobs_items_changed_cb (CdWindow   *self,
                       guint       position,
                       guint       removed,
                       guint       added,
                       GListModel *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (model, i);

      _cd_window_name_course (self, job);
    }
}

void
cd_window_set_job_list (CdWindow  *self,
                        CdJobList *jobs)
{
  CdClient *client;

  g_return_if_fail (CD_IS_WINDOW (self));
  g_return_if_fail (!jobs || CD_IS_JOB_LIST (jobs));

  if (self->jobs == jobs)
    return;

  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_data (self->jobs, self);
  g_set_object (&self->jobs, jobs);

  gtk_list_box_bind_model (self->jobs_list, G_LIST_MODEL (jobs),
                           jobs != NULL ? create_row_cb : NULL, self, NULL);
  if (jobs != NULL)
    {
      g_signal_connect_object (jobs, "notify::n-items", G_CALLBACK (jobs_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_items_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
  _cd_window_set_journal (self, jobs != NULL ? cd_job_list_get_journal (jobs) : NULL);

  client = _cd_window_get_client (self);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->pending_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    cd_new_import_set_client (CD_NEW_IMPORT (child), client);

  _cd_window_update_page (self);
}

CdClient *
_cd_window_get_client (CdWindow *self)
{
  if (self->jobs == NULL)
    return NULL;

  return self->client != NULL ? self->client : cd_job_list_get_client (self->jobs);
}

void
cd_window_set_client (CdWindow *self,
                      CdClient *client)
{
  g_return_if_fail (CD_IS_WINDOW (self));
  g_return_if_fail (!client || CD_IS_CLIENT (client));

  if (!g_set_object (&self->client, client))
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->pending_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    cd_new_import_set_client (CD_NEW_IMPORT (child), _cd_window_get_client (self));
}

/* A hidden banner leaves the accessibility tree too, once it has slid
 * away: screen readers (and AT-SPI's SHOWING state) do not follow a
 * GtkRevealer. */
void
_cd_window_reveal_banner (GtkRevealer *revealer,
                          gboolean     reveal)
{
  if (reveal)
    gtk_widget_set_visible (GTK_WIDGET (revealer), TRUE);
  gtk_revealer_set_reveal_child (revealer, reveal);
  if (!reveal && !gtk_revealer_get_child_revealed (revealer))
    gtk_widget_set_visible (GTK_WIDGET (revealer), FALSE);
}

static void
banner_revealed_cb (GtkRevealer *revealer,
                    GParamSpec  *pspec,
                    gpointer     user_data)
{
  if (!gtk_revealer_get_reveal_child (revealer) && !gtk_revealer_get_child_revealed (revealer))
    gtk_widget_set_visible (GTK_WIDGET (revealer), FALSE);
}

void
cd_window_set_sign_in_expired (CdWindow *self,
                               gboolean  expired)
{
  g_return_if_fail (CD_IS_WINDOW (self));
  _cd_window_reveal_banner (self->expired_revealer, expired);
}

CdJobList *
cd_window_get_job_list (CdWindow *self)
{
  g_return_val_if_fail (CD_IS_WINDOW (self), NULL);
  return self->jobs;
}

gboolean
cd_window_show_job (CdWindow   *self,
                    const char *token)
{
  guint n = n_jobs (self);

  g_return_val_if_fail (CD_IS_WINDOW (self), FALSE);

  for (guint i = 0; i < n && token != NULL; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (g_strcmp0 (cd_import_job_get_token (job), token) == 0)
        {
          GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->jobs_list, (int)i);

          if (row != NULL)
            cd_job_row_highlight (CD_JOB_ROW (row));
          return TRUE;
        }
    }

  return FALSE;
}

void
cd_window_set_subtitle (CdWindow   *self,
                        const char *subtitle)
{
  g_return_if_fail (CD_IS_WINDOW (self));
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

void
cd_window_set_starting (CdWindow *self,
                        gboolean  starting)
{
  g_return_if_fail (CD_IS_WINDOW (self));

  self->starting = !!starting;
  _cd_window_update_page (self);
}

void
cd_window_set_loading (CdWindow *self,
                       gboolean  loading)
{
  g_return_if_fail (CD_IS_WINDOW (self));

  self->loading = !!loading;
  /* The demo's page says what it waits for; this one, what is loading. */
  if (loading && !self->starting)
    {
      adw_status_page_set_title (self->starting_page, _("Loading Your Imports"));
      adw_status_page_set_description (self->starting_page,
                                       _("Coursedrop is finding your account and reading "
                                         "its job history."));
    }
  _cd_window_update_page (self);
}

void
cd_window_set_failure (CdWindow   *self,
                       const char *title,
                       const char *description)
{
  g_return_if_fail (CD_IS_WINDOW (self));

  self->failed = title != NULL;
  adw_status_page_set_title (self->failure_page, title);
  adw_status_page_set_description (self->failure_page, description);
  _cd_window_update_page (self);
}

void
cd_window_set_sample_package (CdWindow *self,
                              GFile    *file)
{
  g_return_if_fail (CD_IS_WINDOW (self));

  g_set_object (&self->sample_package, file);
  gtk_widget_set_visible (self->sample_button, file != NULL);
}

/* Window state */

static gboolean
cd_window_close_request (GtkWindow *window)
{
  CdWindow *self = CD_WINDOW (window);
  int width, height;

  if (!cd_window_confirm_quit (self, FALSE))
    return TRUE;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (cd_window_parent_class)->close_request (window);
}

static void
cd_window_dispose (GObject *object)
{
  CdWindow *self = CD_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->plan_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->plan_chooser));
  g_clear_object (&self->plan_chooser);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->spinner_source, g_source_remove);

  if (self->jobs != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->jobs, self);
      gtk_list_box_bind_model (self->jobs_list, NULL, NULL, NULL, NULL);
    }
  if (self->journal != NULL)
    g_signal_handlers_disconnect_by_data (self->journal, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_WINDOW);

  G_OBJECT_CLASS (cd_window_parent_class)->dispose (object);
}

static void
cd_window_finalize (GObject *object)
{
  CdWindow *self = CD_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->jobs);
  g_clear_object (&self->journal);
  g_clear_object (&self->client);
  g_clear_object (&self->sample_package);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->removed, g_hash_table_unref);

  G_OBJECT_CLASS (cd_window_parent_class)->finalize (object);
}

static void
cd_window_class_init (CdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cd_window_dispose;
  object_class->finalize = cd_window_finalize;
  window_class->close_request = cd_window_close_request;

  g_type_ensure (CD_TYPE_NEW_IMPORT);

  /* A request failed with this error from this client: an expired
   * sign-in or an untrusted certificate are for the session to handle. */
  signals[CLIENT_ERROR] = g_signal_new ("client-error", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        CD_TYPE_CLIENT, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/cd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, drop_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, drop_hint);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, starting_page);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, starting_spinner);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, no_account_page);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, failure_page);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, sample_button);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, pending_section);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, pending_box);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, import_all_button);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, jobs_section);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, jobs_list);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, expired_revealer);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, journal_revealer);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, journal_label);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, journal_detail_label);

  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.track-job", NULL, track_job_action);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);
  gtk_widget_class_install_action (widget_class, "win.show-message", "s", show_message_action);
  gtk_widget_class_install_action (widget_class, "win.undo-remove", "s", undo_remove_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.import", NULL);

  gtk_widget_class_bind_template_callback (widget_class, banner_revealed_cb);

  _cd_window_files_class_init (widget_class);
  _cd_window_journal_class_init (widget_class);
}

static void
cd_window_init (CdWindow *self)
{
  static const GActionEntry window_actions[] = {
    { "show-help-overlay", show_help_overlay_cb },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions,
                                   G_N_ELEMENTS (window_actions), self);
  gtk_menu_button_set_create_popup_func (self->menu_button, create_menu_cb, self, NULL);

  self->cancellable = g_cancellable_new ();
  self->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)cd_job_record_unref);
  self->settings = cd_settings_new ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  g_signal_connect_swapped (self->stack, "map", G_CALLBACK (stack_mapped_cb), self);
  _cd_window_files_init (self);
  _cd_window_update_page (self);
}

CdWindow *
cd_window_new (GtkApplication *application)
{
  return g_object_new (CD_TYPE_WINDOW, "application", application, NULL);
}
