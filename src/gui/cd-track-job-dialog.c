/* cd-track-job-dialog.c: follow an import started elsewhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-track-job-dialog.h"
#include "cd-validate.h"

struct _CdTrackJobDialog
{
  AdwMessageDialog  parent_instance;

  /* Template widgets */
  AdwEntryRow      *offering_row;
  AdwEntryRow      *token_row;
  GtkLabel         *error_label;
};

G_DEFINE_FINAL_TYPE (CdTrackJobDialog, cd_track_job_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* Marks @row when @error says that what was typed is wrong (an empty
 * field is not wrong yet), and adds the reason to @messages. */
static void
mark_field (AdwEntryRow  *row,
            const GError *error,
            GString      *messages)
{
  gboolean wrong = error != NULL && !g_error_matches (error, CD_VALIDATE_ERROR,
                                                      CD_VALIDATE_ERROR_EMPTY);
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

  if (wrong)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      g_string_append_printf (messages, "%s%s", messages->len > 0 ? "\n" : "", error->message);
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");

  if (text != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_STATE_INVALID,
                                 wrong ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                                 -1);
}

static gboolean
validate (CdTrackJobDialog *self)
{
  g_autofree char *token = cd_track_job_dialog_dup_token (self);
  g_autoptr(GError) offering_error = NULL;
  g_autoptr(GError) token_error = NULL;
  g_autoptr(GString) messages = g_string_new (NULL);
  const char *offering = gtk_editable_get_text (GTK_EDITABLE (self->offering_row));
  gboolean ok;
  gint64 id;

  ok = cd_validate_offering_id (offering, &id, &offering_error);
  ok = cd_validate_job_token (token, &token_error) && ok;

  /* The reasons go under the fields, in words. */
  mark_field (self->offering_row, offering_error, messages);
  mark_field (self->token_row, token_error, messages);
  gtk_label_set_text (self->error_label, messages->str);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), messages->len > 0);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "track", ok);

  return ok;
}

static void
changed_cb (CdTrackJobDialog *self)
{
  validate (self);
}

static void
activated_cb (CdTrackJobDialog *self)
{
  if (validate (self))
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "track");
}

static void
name_field (AdwEntryRow *row,
            const char  *name)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

  /* The title is drawn inside the field; make it the field's name too. */
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
cd_track_job_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CD_TYPE_TRACK_JOB_DIALOG);

  G_OBJECT_CLASS (cd_track_job_dialog_parent_class)->dispose (object);
}

static void
cd_track_job_dialog_class_init (CdTrackJobDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_track_job_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/cd-track-job-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, offering_row);
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, activated_cb);
}

static void
cd_track_job_dialog_init (CdTrackJobDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));

  name_field (self->offering_row, _("Course offering ID"));
  name_field (self->token_row, _("Job token"));
}

CdTrackJobDialog *
cd_track_job_dialog_new (GtkWindow *parent)
{
  return g_object_new (CD_TYPE_TRACK_JOB_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
}

gint64
cd_track_job_dialog_get_offering_id (CdTrackJobDialog *self)
{
  gint64 id = 0;

  g_return_val_if_fail (CD_IS_TRACK_JOB_DIALOG (self), 0);

  if (!cd_validate_offering_id (gtk_editable_get_text (GTK_EDITABLE (self->offering_row)),
                                &id, NULL))
    return 0;

  return id;
}

char *
cd_track_job_dialog_dup_token (CdTrackJobDialog *self)
{
  g_return_val_if_fail (CD_IS_TRACK_JOB_DIALOG (self), NULL);

  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));
}
