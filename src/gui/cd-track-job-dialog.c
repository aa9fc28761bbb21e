/* cd-track-job-dialog.c: follow an import started elsewhere
 *
 * A token Brightspace never issued must not become a row: Track asks
 * Brightspace for the job's status first, with a spinner, and keeps the
 * dialog open with the reason beside the fields until it knows the job.
 *
 * AdwMessageDialog closes on every response; this one closes on Cancel,
 * Escape and a known job only.  Depending on the libadwaita version a
 * response button closes the window before or after ::response, so both
 * orders are handled in close_request() and response().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-client-imports.h"
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
  GtkWidget        *checking_box;
  GtkSpinner       *spinner;

  /* Owned */
  CdClient         *client;
  GCancellable     *check;        /* (nullable): while Brightspace is asked */

  guint             may_close : 1;
  guint             in_close_request : 1;
  guint             close_deferred : 1;  /* a button closed first; its answer decides */
  guint             track_asked : 1;     /* "track" came first; the close that follows waits */
};

G_DEFINE_FINAL_TYPE (CdTrackJobDialog, cd_track_job_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  TRACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

static void
show_error (CdTrackJobDialog *self,
            const char       *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL && *message != '\0');
}

static void
set_checking (CdTrackJobDialog *self,
              gboolean          checking)
{
  gtk_widget_set_visible (self->checking_box, checking);
  gtk_spinner_set_spinning (self->spinner, checking);
}

static void
cancel_check (CdTrackJobDialog *self)
{
  if (self->check != NULL)
    g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
  set_checking (self, FALSE);
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
  show_error (self, messages->str);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "track", ok);

  return ok;
}

/* Brightspace's answer, in words beside the field it concerns. */
static void
show_check_error (CdTrackJobDialog *self,
                  const GError     *error,
                  gint64            offering,
                  const char       *token)
{
  g_autofree char *message = NULL;
  AdwEntryRow *row = NULL;

  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND))
    {
      message = g_strdup_printf (_("Brightspace knows no import job with the token %s in course "
                                   "offering %" PRId64 ". Check both in the output of the "
                                   "command that started it."), token, offering);
      row = self->token_row;
    }
  else if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN))
    {
      message = g_strdup_printf (_("Your account may not see the imports of course offering "
                                   "%" PRId64 ". Ask an administrator, or check the ID."),
                                 offering);
      row = self->offering_row;
    }
  else
    /* Cannot reach the server, a sign-in that expired…: core's sentence. */
    message = g_strdup (error->message);

  if (row != NULL)
    {
      GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      if (text != NULL)
        gtk_accessible_update_state (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_STATE_INVALID,
                                     GTK_ACCESSIBLE_INVALID_TRUE, -1);
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }

  show_error (self, message);
  /* A screen reader hears the reason without looking for it. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  message, -1);
}

static void
status_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdTrackJobDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *word = NULL;
  g_autofree char *token = NULL;
  gint64 offering;

  word = cd_client_get_import_status_finish (CD_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  cancel_check (self);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "track", TRUE);
  offering = cd_track_job_dialog_get_offering_id (self);
  token = cd_track_job_dialog_dup_token (self);

  if (word == NULL)
    {
      show_check_error (self, error, offering, token);
      return;
    }

  g_signal_emit (self, signals[TRACK], 0, offering, token, word);
  self->may_close = TRUE;
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
start_check (CdTrackJobDialog *self)
{
  g_autofree char *token = NULL;

  cancel_check (self);
  if (!validate (self))
    return;

  token = cd_track_job_dialog_dup_token (self);
  show_error (self, NULL);
  set_checking (self, TRUE);
  /* One question at a time; editing a field asks again from scratch. */
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "track", FALSE);

  self->check = g_cancellable_new ();
  cd_client_get_import_status_async (self->client, cd_track_job_dialog_get_offering_id (self),
                                     token, self->check, status_cb, g_object_ref (self));
}

static void
changed_cb (CdTrackJobDialog *self)
{
  cancel_check (self);
  validate (self);
}

static void
activated_cb (CdTrackJobDialog *self)
{
  start_check (self);
}

static void
cd_track_job_dialog_response (AdwMessageDialog *dialog,
                              const char       *response)
{
  CdTrackJobDialog *self = CD_TRACK_JOB_DIALOG (dialog);

  /* Escape or the window's own close: it closes. */
  if (self->in_close_request || self->may_close)
    {
      cancel_check (self);
      self->may_close = TRUE;
      return;
    }

  if (g_strcmp0 (response, "track") == 0)
    {
      self->track_asked = !self->close_deferred;
      self->close_deferred = FALSE;
      start_check (self);
      return;
    }

  /* Cancel. */
  cancel_check (self);
  self->may_close = TRUE;
  if (self->close_deferred)
    gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
cd_track_job_dialog_close_request (GtkWindow *window)
{
  CdTrackJobDialog *self = CD_TRACK_JOB_DIALOG (window);
  GtkWindowClass *parent_class = GTK_WINDOW_CLASS (cd_track_job_dialog_parent_class);

  if (self->may_close)
    return parent_class->close_request (window);

  if (self->track_asked)
    {
      self->track_asked = FALSE;
      return TRUE;
    }

  /* The parent answers the close response here unless a button closes. */
  self->in_close_request = TRUE;
  parent_class->close_request (window);
  self->in_close_request = FALSE;

  if (self->may_close)
    return FALSE;

  self->close_deferred = TRUE;
  return TRUE;
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
  CdTrackJobDialog *self = CD_TRACK_JOB_DIALOG (object);

  cancel_check (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), CD_TYPE_TRACK_JOB_DIALOG);

  G_OBJECT_CLASS (cd_track_job_dialog_parent_class)->dispose (object);
}

static void
cd_track_job_dialog_finalize (GObject *object)
{
  CdTrackJobDialog *self = CD_TRACK_JOB_DIALOG (object);

  g_clear_object (&self->client);

  G_OBJECT_CLASS (cd_track_job_dialog_parent_class)->finalize (object);
}

static void
cd_track_job_dialog_class_init (CdTrackJobDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = cd_track_job_dialog_dispose;
  object_class->finalize = cd_track_job_dialog_finalize;
  window_class->close_request = cd_track_job_dialog_close_request;
  dialog_class->response = cd_track_job_dialog_response;

  signals[TRACK] = g_signal_new ("track", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                 G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/cd-track-job-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, offering_row);
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, checking_box);
  gtk_widget_class_bind_template_child (widget_class, CdTrackJobDialog, spinner);
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
cd_track_job_dialog_new (GtkWindow *parent,
                         CdClient  *client)
{
  CdTrackJobDialog *self;

  g_return_val_if_fail (CD_IS_CLIENT (client), NULL);

  self = g_object_new (CD_TYPE_TRACK_JOB_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->client = g_object_ref (client);

  return self;
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
