/* cd-new-offering-dialog.c: a new course offering from a template
 *
 * What is typed is checked as it is typed, next to its field: the code by
 * core's rules (cd_validate_offering_code), the dates by
 * cd_org_units_parse_date, and the template and semester are looked up by
 * ID or code once typing pauses (a newer keystroke cancels the older
 * look-up).  Create asks core to make the offering, which looks the code
 * up first: an offering that has it already is used, never made twice.
 * The dialog says what it made by ::created; whoever opened it uses it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-new-offering-dialog.h"
#include "cd-validate.h"

#define LOOKUP_DELAY_MS 400

typedef struct
{
  AdwEntryRow   *row;
  GtkLabel      *label;
  CdOrgUnitKind  kind;
  GCancellable  *cancellable;  /* (nullable): the look-up in flight */
  guint          timeout;
  gint64         id;           /* 0 until found */
  gboolean       empty;
} Lookup;

struct _CdNewOfferingDialog
{
  AdwWindow     parent_instance;

  /* Template widgets */
  GtkButton    *create_button;
  GtkSpinner   *spinner;
  GtkWidget    *fields_box;
  AdwEntryRow  *template_row;
  GtkLabel     *template_label;
  AdwEntryRow  *code_row;
  AdwEntryRow  *name_row;
  GtkLabel     *code_label;
  AdwEntryRow  *semester_row;
  GtkLabel     *semester_label;
  AdwEntryRow  *start_row;
  AdwEntryRow  *end_row;
  GtkLabel     *dates_label;
  GtkLabel     *error_label;

  /* Owned */
  CdOrgUnits   *org_units;
  GCancellable *create_cancellable;  /* (nullable): while creating */
  Lookup        template;
  Lookup        semester;
  GDateTime    *start;               /* (nullable) */
  GDateTime    *end;                 /* (nullable) */

  guint         code_ok : 1;
  guint         dates_ok : 1;
};

G_DEFINE_FINAL_TYPE (CdNewOfferingDialog, cd_new_offering_dialog, ADW_TYPE_WINDOW)

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The message under a field (hidden when @message is NULL), and the
 * field marked as wrong for eyes and for screen readers when @wrong. */
static void
mark_row (AdwEntryRow *row,
          gboolean     wrong)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

  if (wrong)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  if (text != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_STATE_INVALID,
                                 wrong ? GTK_ACCESSIBLE_INVALID_TRUE
                                       : GTK_ACCESSIBLE_INVALID_FALSE, -1);
}

static void
set_note (GtkLabel   *label,
          const char *message,
          gboolean    wrong)
{
  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  if (wrong)
    {
      gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
    }
}

static void
show_note (AdwEntryRow *row,
           GtkLabel    *label,
           const char  *message,
           gboolean     wrong)
{
  mark_row (row, wrong);
  set_note (label, message, wrong);
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
row_is_blank (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (row_text (row)));

  return *text == '\0';
}

static void
update_create (CdNewOfferingDialog *self)
{
  gboolean ready = self->template.id > 0 && self->code_ok && !row_is_blank (self->name_row) &&
                   (self->semester.empty || self->semester.id > 0) && self->dates_ok &&
                   self->create_cancellable == NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), ready);
}

/* --- template and semester ------------------------------------------------------ */

static void
cancel_lookup (Lookup *lookup)
{
  g_clear_handle_id (&lookup->timeout, g_source_remove);
  g_cancellable_cancel (lookup->cancellable);
  g_clear_object (&lookup->cancellable);
}

static void
lookup_done (CdNewOfferingDialog *self,
             Lookup              *lookup,
             GAsyncResult        *result)
{
  g_autoptr(CdOrgUnit) unit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;

  unit = cd_org_units_resolve_finish (self->org_units, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&lookup->cancellable);
  if (unit == NULL)
    {
      show_note (lookup->row, lookup->label, error->message, TRUE);
      update_create (self);
      return;
    }

  lookup->id = unit->id;
  /* Translators: a template's or semester's name, code and ID. */
  found = g_strdup_printf (_("%s (%s, ID %" PRId64 ")"), unit->name, unit->code, unit->id);
  show_note (lookup->row, lookup->label, found, FALSE);
  update_create (self);
}

static void
template_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdNewOfferingDialog) self = user_data;

  lookup_done (self, &self->template, result);
}

static void
semester_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdNewOfferingDialog) self = user_data;

  lookup_done (self, &self->semester, result);
}

static char *
reference_of (Lookup *lookup)
{
  g_autofree char *text = g_strstrip (g_strdup (row_text (lookup->row)));
  gint64 id;

  /* Digits are an ID; anything else is a code. */
  if (cd_validate_offering_id (text, &id, NULL))
    return g_steal_pointer (&text);
  return g_strconcat ("code:", text, NULL);
}

static gboolean
template_timeout_cb (gpointer user_data)
{
  CdNewOfferingDialog *self = user_data;
  g_autofree char *reference = reference_of (&self->template);

  self->template.timeout = 0;
  self->template.cancellable = g_cancellable_new ();
  cd_org_units_resolve_async (self->org_units, CD_ORG_UNIT_TEMPLATE, reference,
                              self->template.cancellable, template_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static gboolean
semester_timeout_cb (gpointer user_data)
{
  CdNewOfferingDialog *self = user_data;
  g_autofree char *reference = reference_of (&self->semester);

  self->semester.timeout = 0;
  self->semester.cancellable = g_cancellable_new ();
  cd_org_units_resolve_async (self->org_units, CD_ORG_UNIT_SEMESTER, reference,
                              self->semester.cancellable, semester_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
lookup_changed (CdNewOfferingDialog *self,
                Lookup              *lookup,
                GSourceFunc          timeout_cb)
{
  g_autofree char *text = g_strstrip (g_strdup (row_text (lookup->row)));
  g_autoptr(GError) error = NULL;
  gint64 id;

  cancel_lookup (lookup);
  lookup->id = 0;
  lookup->empty = *text == '\0';

  if (lookup->empty)
    show_note (lookup->row, lookup->label, NULL, FALSE);
  else if (!cd_validate_offering_id (text, &id, NULL) &&
           !cd_validate_offering_code (text, &error))
    show_note (lookup->row, lookup->label, error->message, TRUE);
  else
    {
      show_note (lookup->row, lookup->label, _("Looking it up…"), FALSE);
      lookup->timeout = g_timeout_add (LOOKUP_DELAY_MS, timeout_cb, self);
    }

  update_create (self);
}

static void
template_changed_cb (CdNewOfferingDialog *self)
{
  lookup_changed (self, &self->template, template_timeout_cb);
}

static void
semester_changed_cb (CdNewOfferingDialog *self)
{
  lookup_changed (self, &self->semester, semester_timeout_cb);
}

/* --- code and dates ----------------------------------------------------------------- */

static void
code_changed_cb (CdNewOfferingDialog *self)
{
  g_autoptr(GError) error = NULL;

  /* An empty code is not wrong yet, but nothing can be made of it. */
  self->code_ok = cd_validate_offering_code (row_text (self->code_row), &error);
  if (self->code_ok || row_is_blank (self->code_row))
    show_note (self->code_row, self->code_label, NULL, FALSE);
  else
    show_note (self->code_row, self->code_label, error->message, TRUE);

  update_create (self);
}

/* NULL in *@date for an empty field; FALSE with @error for a wrong one. */
static gboolean
parse_date_row (AdwEntryRow  *row,
                GDateTime   **date,
                GError      **error)
{
  g_autofree char *text = g_strstrip (g_strdup (row_text (row)));

  g_clear_pointer (date, g_date_time_unref);
  if (*text == '\0')
    return TRUE;

  *date = cd_org_units_parse_date (text, error);
  return *date != NULL;
}

static void
dates_changed_cb (CdNewOfferingDialog *self)
{
  g_autoptr(GError) start_error = NULL;
  g_autoptr(GError) end_error = NULL;
  gboolean start_ok = parse_date_row (self->start_row, &self->start, &start_error);
  gboolean end_ok = parse_date_row (self->end_row, &self->end, &end_error);
  const char *message = NULL;

  if (!start_ok)
    message = start_error->message;
  else if (!end_ok)
    message = end_error->message;
  else if (self->start != NULL && self->end != NULL &&
           g_date_time_compare (self->end, self->start) < 0)
    message = _("The course offering would end before it starts.");

  self->dates_ok = message == NULL;
  mark_row (self->start_row, !start_ok);
  mark_row (self->end_row, start_ok && message != NULL);
  set_note (self->dates_label, message, message != NULL);
  update_create (self);
}

/* --- creating ------------------------------------------------------------------------------ */

static void
set_busy (CdNewOfferingDialog *self,
          gboolean             busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (self->fields_box, !busy);
  update_create (self);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CdNewOfferingDialog) self = user_data;
  g_autoptr(CdOrgUnit) unit = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  unit = cd_org_units_create_offering_finish (CD_ORG_UNITS (object), result, &created, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->create_cancellable);
  set_busy (self, FALSE);

  if (unit == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  g_signal_emit (self, signals[CREATED], 0, unit, created);
  gtk_window_close (GTK_WINDOW (self));
}

static void
create_clicked_cb (CdNewOfferingDialog *self)
{
  g_autofree char *name = g_strstrip (g_strdup (row_text (self->name_row)));
  CdOfferingRequest request = { 0 };

  /* Return in a field presses Create only when it could be pressed. */
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->create_button)))
    return;

  request.code = row_text (self->code_row);
  request.name = name;
  request.template_id = self->template.id;
  request.semester_id = self->semester.empty ? 0 : self->semester.id;
  request.start = self->start;
  request.end = self->end;

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  self->create_cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  cd_org_units_create_offering_async (self->org_units, &request, self->create_cancellable,
                                      created_cb, g_object_ref (self));
}

/* --- the class ----------------------------------------------------------------------------- */

static void
cd_new_offering_dialog_dispose (GObject *object)
{
  CdNewOfferingDialog *self = CD_NEW_OFFERING_DIALOG (object);

  cancel_lookup (&self->template);
  cancel_lookup (&self->semester);
  g_cancellable_cancel (self->create_cancellable);
  g_clear_object (&self->create_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_NEW_OFFERING_DIALOG);

  G_OBJECT_CLASS (cd_new_offering_dialog_parent_class)->dispose (object);
}

static void
cd_new_offering_dialog_finalize (GObject *object)
{
  CdNewOfferingDialog *self = CD_NEW_OFFERING_DIALOG (object);

  g_clear_object (&self->org_units);
  g_clear_pointer (&self->start, g_date_time_unref);
  g_clear_pointer (&self->end, g_date_time_unref);

  G_OBJECT_CLASS (cd_new_offering_dialog_parent_class)->finalize (object);
}

static void
cd_new_offering_dialog_class_init (CdNewOfferingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_new_offering_dialog_dispose;
  object_class->finalize = cd_new_offering_dialog_finalize;

  /* The offering exists: made now (@created), or found by its code. */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   CD_TYPE_ORG_UNIT, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/cd-new-offering-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, fields_box);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, template_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, template_label);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, code_label);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, semester_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, semester_label);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, end_row);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, dates_label);
  gtk_widget_class_bind_template_child (widget_class, CdNewOfferingDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, template_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, semester_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, code_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, dates_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_create);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
}

/* The row's title is drawn as a placeholder inside the field; screen
 * readers get it as the field's name. */
static void
name_field (AdwEntryRow *row)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                    -1);
}

static void
cd_new_offering_dialog_init (CdNewOfferingDialog *self)
{
  AdwEntryRow *rows[6];

  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));

  rows[0] = self->template_row;
  rows[1] = self->code_row;
  rows[2] = self->name_row;
  rows[3] = self->semester_row;
  rows[4] = self->start_row;
  rows[5] = self->end_row;
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    name_field (rows[i]);

  self->template = (Lookup) { self->template_row, self->template_label,
                              CD_ORG_UNIT_TEMPLATE, NULL, 0, 0, TRUE };
  self->semester = (Lookup) { self->semester_row, self->semester_label,
                              CD_ORG_UNIT_SEMESTER, NULL, 0, 0, TRUE };
  self->dates_ok = TRUE;
}

CdNewOfferingDialog *
cd_new_offering_dialog_new (CdOrgUnits *org_units)
{
  CdNewOfferingDialog *self;

  g_return_val_if_fail (CD_IS_ORG_UNITS (org_units), NULL);

  self = g_object_new (CD_TYPE_NEW_OFFERING_DIALOG, NULL);
  self->org_units = g_object_ref (org_units);
  return self;
}
