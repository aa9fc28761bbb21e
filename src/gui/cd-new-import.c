/* cd-new-import.c: one pending package, waiting for its course offering
 *
 * The package is checked in a worker (cd_package_check_async: its ends
 * only, never the whole file) while the user types the offering ID.
 *
 * After the check, the manifest is read in a worker too
 * (cd_package_reader_read_async) for the preview under the package; a
 * package the reader refuses says why and cannot be imported.
 *
 * This part holds the class: its signals, template, the package's check
 * and preview, and Import; cd-new-import-offering.c holds the offering
 * field, its look-up and search.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-new-import-private.h"
#include "cd-package-reader.h"

G_DEFINE_FINAL_TYPE (CdNewImport, cd_new_import, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_READY,
  N_PROPS
};

enum {
  IMPORT,
  DISCARD,
  CLIENT_ERROR,
  CHECK_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
_cd_new_import_update_ready (CdNewImport *self)
{
  gboolean ready = self->checked && self->preview != NULL &&
                   self->lookup_state == LOOKUP_FOUND && self->client != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), ready && !self->busy);

  if (self->ready != ready)
    {
      self->ready = ready;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
    }
}

void
_cd_new_import_emit_client_error (CdNewImport  *self,
                                  CdClient     *client,
                                  const GError *error)
{
  g_signal_emit (self, signals[CLIENT_ERROR], 0, client, error);
}

static void
import_clicked_cb (CdNewImport *self)
{
  if (self->ready && !self->busy)
    g_signal_emit (self, signals[IMPORT], 0);
}

/* Return imports once the course is found; with one match, picks it. */
static void
offering_activated_cb (CdNewImport *self)
{
  const CdOrgUnit *single = cd_course_search_get_single (self->course_search);

  if (self->ready)
    import_clicked_cb (self);
  else if (single != NULL)
    cd_course_search_choose (self->course_search, single);
}

static void
discard_clicked_cb (CdNewImport *self)
{
  g_signal_emit (self, signals[DISCARD], 0);
}


/* The check's outcome as an icon that says in words what it shows. */
static void
show_check_result (CdNewImport *self,
                   const char  *icon_name,
                   const char  *style,
                   const char  *description)
{
  gtk_spinner_set_spinning (self->check_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->check_spinner), FALSE);
  gtk_image_set_from_icon_name (self->check_icon, icon_name);
  /* A refused preview comes after the check's own result. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_icon), "warning");
  gtk_widget_add_css_class (GTK_WIDGET (self->check_icon), style);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->check_icon), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->check_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->check_icon), TRUE);
}

/* The preview, read in a worker after the check: until it is there, or
 * when the reader refused the package, Import stays off. */
static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CdNewImport) self = user_data;
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GError) error = NULL;

  preview = cd_package_reader_read_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->check_cancellable))
    return;

  if (preview == NULL)
    {
      cd_package_outline_set_refused (self->outline, error->message);
      show_check_result (self, "dialog-error-symbolic", "error", error->message);
      return;
    }

  self->preview = g_steal_pointer (&preview);
  cd_package_outline_set_preview (self->outline, self->preview);
  _cd_new_import_update_ready (self);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CdNewImport) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *size = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *warning = NULL;

  /* The hash may finish just as the card goes away. */
  if (!cd_package_check_finish (CD_PACKAGE (object), result, &error) ||
      g_cancellable_is_cancelled (self->check_cancellable))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_cancellable_is_cancelled (self->check_cancellable))
        return;

      show_check_result (self, "dialog-error-symbolic", "error", error->message);
      adw_action_row_set_subtitle (self->package_row, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->outline), FALSE);
      g_signal_emit (self, signals[CHECK_FAILED], 0, error->message);
      return;
    }

  size = cd_package_format_size (self->package);
  warning = cd_package_get_size_warning (self->package);

  if (warning != NULL)
    {
      subtitle = g_strdup (warning);
      show_check_result (self, "dialog-warning-symbolic", "warning", warning);
    }
  else
    {
      subtitle = g_strdup (size);
      show_check_result (self, "object-select-symbolic", "success",
                         _("The package is a zip archive"));
    }

  adw_action_row_set_subtitle (self->package_row, subtitle);

  self->checked = TRUE;
  _cd_new_import_update_ready (self);

  cd_package_reader_read_async (cd_package_get_path (self->package), self->check_cancellable,
                                preview_cb, g_object_ref (self));
}

static void
cd_new_import_dispose (GObject *object)
{
  CdNewImport *self = CD_NEW_IMPORT (object);

  _cd_new_import_cancel_lookup (self);
  g_cancellable_cancel (self->check_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_NEW_IMPORT);

  G_OBJECT_CLASS (cd_new_import_parent_class)->dispose (object);
}

static void
cd_new_import_finalize (GObject *object)
{
  CdNewImport *self = CD_NEW_IMPORT (object);

  g_clear_object (&self->package);
  g_clear_object (&self->client);
  g_clear_object (&self->org_units);
  g_clear_object (&self->check_cancellable);
  g_clear_pointer (&self->offering_name, g_free);
  g_clear_object (&self->preview);

  G_OBJECT_CLASS (cd_new_import_parent_class)->finalize (object);
}

static void
cd_new_import_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CdNewImport *self = CD_NEW_IMPORT (object);

  switch (prop_id)
    {
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_new_import_class_init (CdNewImportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_new_import_dispose;
  object_class->finalize = cd_new_import_finalize;
  object_class->get_property = cd_new_import_get_property;

  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[IMPORT] = g_signal_new ("import", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DISCARD] = g_signal_new ("discard", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A lookup failed with this error from this client. */
  signals[CLIENT_ERROR] = g_signal_new ("client-error", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        CD_TYPE_CLIENT, G_TYPE_ERROR);

  g_type_ensure (CD_TYPE_COURSE_SEARCH);
  g_type_ensure (CD_TYPE_PACKAGE_OUTLINE);
  /* The file is not a package that can be imported: the message says why. */
  signals[CHECK_FAILED] = g_signal_new ("check-failed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/cd-new-import.ui");
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, package_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, check_spinner);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, check_icon);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, offering_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, lookup_spinner);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, new_offering_button);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, course_search);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, course_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, course_icon);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, discard_button);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, import_button);
  gtk_widget_class_bind_template_child (widget_class, CdNewImport, outline);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, offering_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, discard_clicked_cb);
  _cd_new_import_offering_class_init (widget_class);
}

static void
cd_new_import_init (CdNewImport *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
  self->check_cancellable = g_cancellable_new ();
  _cd_new_import_offering_init (self);
}

CdNewImport *
cd_new_import_new (CdPackage *package)
{
  CdNewImport *self;

  g_return_val_if_fail (CD_IS_PACKAGE (package), NULL);

  self = g_object_new (CD_TYPE_NEW_IMPORT, NULL);
  self->package = g_object_ref (package);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->package_row),
                                 cd_package_get_display_name (package));
  adw_action_row_set_subtitle (self->package_row, _("Checking the package…"));
  gtk_spinner_set_spinning (self->check_spinner, TRUE);

  cd_package_check_async (package, self->check_cancellable, check_cb, g_object_ref (self));

  return self;
}

CdPackage *
cd_new_import_get_package (CdNewImport *self)
{
  g_return_val_if_fail (CD_IS_NEW_IMPORT (self), NULL);
  return self->package;
}

CdPackagePreview *
cd_new_import_get_preview (CdNewImport *self)
{
  g_return_val_if_fail (CD_IS_NEW_IMPORT (self), NULL);
  return self->preview;
}

gboolean
cd_new_import_get_ready (CdNewImport *self)
{
  g_return_val_if_fail (CD_IS_NEW_IMPORT (self), FALSE);
  return self->ready;
}

void
cd_new_import_set_busy (CdNewImport *self,
                        gboolean     busy)
{
  g_return_if_fail (CD_IS_NEW_IMPORT (self));

  self->busy = !!busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->discard_button), !busy);
  _cd_new_import_update_ready (self);
}

gboolean
cd_new_import_get_busy (CdNewImport *self)
{
  g_return_val_if_fail (CD_IS_NEW_IMPORT (self), FALSE);
  return self->busy;
}

void
cd_new_import_set_activity (CdNewImport *self,
                            const char  *activity)
{
  g_autofree char *size = NULL;
  g_autofree char *warning = NULL;

  g_return_if_fail (CD_IS_NEW_IMPORT (self));

  if (activity != NULL || !self->checked)
    {
      if (activity != NULL)
        adw_action_row_set_subtitle (self->package_row, activity);
      return;
    }

  /* Back to what the check found, as check_cb() showed it. */
  warning = cd_package_get_size_warning (self->package);
  size = cd_package_format_size (self->package);
  adw_action_row_set_subtitle (self->package_row, warning != NULL ? warning : size);
}

