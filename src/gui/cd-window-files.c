/* cd-window-files.c: packages coming in
 *
 * Dropped on the window, chosen with Open, handed over by a second
 * `coursedrop FILE`, or the demo's sample: each becomes a pending card
 * (CdNewImport) that waits for its course offering, or a toast that says
 * why it cannot be imported.  Import All imports every ready card.  A
 * .csv (or Open Plan…) is a migration plan: it opens a CdPlanWindow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-plan-window.h"
#include "cd-window-private.h"

static void open_plan (CdWindow *self,
                       GFile    *file);

/* Import All shows with two pending packages or more, and works once one
 * of them is ready. */
static void
update_import_all (CdWindow *self)
{
  gboolean any_ready = FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->pending_box));
       child != NULL && !any_ready;
       child = gtk_widget_get_next_sibling (child))
    any_ready = cd_new_import_get_ready (CD_NEW_IMPORT (child));

  gtk_widget_set_visible (self->import_all_button, self->n_pending >= 2);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-all", any_ready);
}

static void
card_ready_cb (CdNewImport *card,
               GParamSpec  *pspec,
               CdWindow    *self)
{
  update_import_all (self);
}

static void
card_import_cb (CdNewImport *card,
                CdWindow    *self)
{
  _cd_window_import_card (self, card);
}

static void
card_discard_cb (CdNewImport *card,
                 CdWindow    *self)
{
  _cd_window_remove_pending (self, card);
}

static void
card_client_error_cb (CdNewImport  *card,
                      CdClient     *client,
                      const GError *error,
                      CdWindow     *self)
{
  _cd_window_emit_client_error (self, client, error);
}

void
_cd_window_remove_pending (CdWindow    *self,
                           CdNewImport *card)
{
  g_signal_handlers_disconnect_by_data (card, self);
  gtk_box_remove (self->pending_box, GTK_WIDGET (card));
  self->n_pending--;
  update_import_all (self);
  _cd_window_update_page (self);
}

static CdNewImport *
find_pending (CdWindow   *self,
              const char *path)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->pending_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      CdPackage *package = cd_new_import_get_package (CD_NEW_IMPORT (child));

      if (g_strcmp0 (cd_package_get_path (package), path) == 0)
        return CD_NEW_IMPORT (child);
    }

  return NULL;
}

/* A .csv is a migration plan: opened, dropped or named on the command
 * line, it opens in a plan window. */
static gboolean
is_plan (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  /* Bytes, not UTF-8: a file name may be in any encoding. */
  g_autofree char *lower = name != NULL ? g_ascii_strdown (name, -1) : NULL;

  return lower != NULL && g_str_has_suffix (lower, ".csv");
}

/* Not a package after all: a toast says why, as it would have at once. */
static void
card_check_failed_cb (CdNewImport *card,
                      const char  *message,
                      CdWindow    *self)
{
  _cd_window_show_error_toast (self, message);
  _cd_window_remove_pending (self, card);
}

/* The card shows at once and checks the file in a worker (it may sit on
 * a slow network mount or behind the document portal): nothing here
 * touches the file, so the main loop never waits for it. */
static CdNewImport *
add_package (CdWindow *self,
             GFile    *file)
{
  g_autoptr(CdPackage) package = NULL;
  CdNewImport *card;

  if (self->failed)
    {
      _cd_window_show_error_toast (self, _("Nothing can be imported until the problem shown "
                                           "in the window is solved."));
      return NULL;
    }

  if (is_plan (file))
    {
      open_plan (self, file);
      return NULL;
    }

  package = cd_package_new (file);

  if ((card = find_pending (self, cd_package_get_path (package))) != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” is already waiting to be imported."),
                         cd_package_get_display_name (package));

      cd_window_show_toast (self, message);
      return card;
    }

  card = cd_new_import_new (package);
  cd_new_import_set_client (card, _cd_window_get_client (self));
  g_signal_connect_object (card, "import", G_CALLBACK (card_import_cb), self, 0);
  g_signal_connect_object (card, "discard", G_CALLBACK (card_discard_cb), self, 0);
  g_signal_connect_object (card, "client-error", G_CALLBACK (card_client_error_cb), self, 0);
  g_signal_connect_object (card, "notify::ready", G_CALLBACK (card_ready_cb), self, 0);
  g_signal_connect_object (card, "check-failed", G_CALLBACK (card_check_failed_cb), self, 0);
  gtk_box_append (self->pending_box, GTK_WIDGET (card));
  self->n_pending++;
  update_import_all (self);
  _cd_window_update_page (self);

  /* Typing the offering is the next step: be there already. */
  cd_new_import_focus_offering (card);

  return card;
}

gboolean
cd_window_add_file (CdWindow *self,
                    GFile    *file)
{
  g_return_val_if_fail (CD_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return add_package (self, file) != NULL;
}

/* Drag and drop */

static void
set_drop_highlight (CdWindow *self,
                    gboolean  highlight)
{
  if (highlight)
    gtk_widget_add_css_class (GTK_WIDGET (self->drop_overlay), "drop-highlight");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->drop_overlay), "drop-highlight");
  gtk_widget_set_visible (self->drop_hint, highlight);
}

static GdkDragAction
drop_enter_cb (GtkDropTarget *target,
               double         x,
               double         y,
               CdWindow      *self)
{
  set_drop_highlight (self, TRUE);
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               CdWindow      *self)
{
  set_drop_highlight (self, FALSE);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CdWindow      *self)
{
  set_drop_highlight (self, FALSE);

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  for (const GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    add_package (self, G_FILE (l->data));

  return TRUE;
}

/* Actions */

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     CdWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          add_package (self, file);
        }
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdWindow *self = CD_WINDOW (widget);
  g_autoptr(GtkFileFilter) packages = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  gtk_file_filter_set_name (packages, _("Course Packages"));
  gtk_file_filter_add_pattern (packages, "*.zip");
  gtk_file_filter_add_pattern (packages, "*.imscc");
  gtk_file_filter_add_pattern (packages, "*.ZIP");
  gtk_file_filter_add_pattern (packages, "*.IMSCC");
  gtk_file_filter_add_mime_type (packages, "application/zip");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  /* GtkFileChooserNative goes through the FileChooser portal in Flatpak. */
  self->chooser = gtk_file_chooser_native_new (_("Open Course Packages"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), packages);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), packages);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
try_sample_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CdWindow *self = CD_WINDOW (widget);
  CdNewImport *card;

  if (self->sample_package == NULL)
    return;

  /* The demo's Biology 101: one press less on the way to a real import. */
  if ((card = add_package (self, self->sample_package)) != NULL)
    cd_new_import_set_offering_id (card, 6606);
}

/* Every ready package; the others keep their message (and the keyboard
 * goes on from the new jobs: see start_import()). */
static void
import_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CdWindow *self = CD_WINDOW (widget);
  g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func (g_object_unref);

  /* A card leaves the box once its job starts: collect them first. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->pending_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (cd_new_import_get_ready (CD_NEW_IMPORT (child)) &&
        !cd_new_import_get_busy (CD_NEW_IMPORT (child)))
      g_ptr_array_add (ready, g_object_ref (child));

  if (ready->len == 0)
    {
      gtk_widget_error_bell (widget);
      return;
    }

  for (guint i = 0; i < ready->len; i++)
    _cd_window_import_card (self, g_ptr_array_index (ready, i));
}

/* Plans */

static void
plan_client_error_cb (CdPlanWindow *window,
                      CdClient     *client,
                      const GError *error,
                      CdWindow     *self)
{
  _cd_window_emit_client_error (self, client, error);
}

static CdPlanWindow *
find_plan_window (GFile *file)
{
  g_autoptr(GListModel) windows = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (windows); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (windows, i);

      if (CD_IS_PLAN_WINDOW (window) &&
          g_file_equal (cd_plan_window_get_file (CD_PLAN_WINDOW (window)), file))
        return CD_PLAN_WINDOW (window);
    }

  return NULL;
}

static void
open_plan (CdWindow *self,
           GFile    *file)
{
  CdPlanWindow *window;

  if (self->jobs == NULL)
    {
      _cd_window_show_error_toast (self, _("Connect to Brightspace before opening a plan."));
      return;
    }

  /* One window per plan: two running the same rows would import twice. */
  if ((window = find_plan_window (file)) != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  window = cd_plan_window_new (self->jobs, file);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  g_signal_connect_object (window, "client-error", G_CALLBACK (plan_client_error_cb), self, 0);
  gtk_window_present (GTK_WINDOW (window));
}

static void
plan_chooser_response_cb (GtkNativeDialog *dialog,
                          int              response,
                          CdWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        open_plan (self, file);
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->plan_chooser);
}

static void
open_plan_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CdWindow *self = CD_WINDOW (widget);
  g_autoptr(GtkFileFilter) plans = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->plan_chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->plan_chooser));
      return;
    }

  gtk_file_filter_set_name (plans, _("Plans (CSV)"));
  gtk_file_filter_add_pattern (plans, "*.csv");
  gtk_file_filter_add_pattern (plans, "*.CSV");
  gtk_file_filter_add_mime_type (plans, "text/csv");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  self->plan_chooser = gtk_file_chooser_native_new (_("Open Plan"), GTK_WINDOW (self),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN,
                                                    _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->plan_chooser), plans);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->plan_chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->plan_chooser), plans);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->plan_chooser), TRUE);
  g_signal_connect (self->plan_chooser, "response", G_CALLBACK (plan_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->plan_chooser));
}

void
_cd_window_files_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.import-all", NULL, import_all_action);
  gtk_widget_class_install_action (widget_class, "win.open-plan", NULL, open_plan_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.open-plan", NULL);
  gtk_widget_class_install_action (widget_class, "win.try-sample", NULL, try_sample_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
}

void
_cd_window_files_init (CdWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (target, "leave", G_CALLBACK (drop_leave_cb), self);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
  update_import_all (self);
}
