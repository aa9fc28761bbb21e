/* cd-new-import-offering.c: the pending import's course offering field
 *
 * The offering is looked up once typing pauses, so that "6606" does not
 * cost lookups of 6, 66 and 660; a newer keystroke cancels the lookup in
 * flight, so answers never arrive out of order.
 *
 * The field also takes a course code or part of a name: then the
 * matching offerings are listed under it (CdCourseSearch) to be picked,
 * and the one picked is looked up by its ID like a typed one.  New Course
 * Offering… makes one from a template (CdNewOfferingDialog) and fills it
 * in.  The course row under the field says what was found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-json.h"
#include "cd-new-import-private.h"
#include "cd-new-offering-dialog.h"
#include "cd-validate.h"

#define LOOKUP_DELAY_MS 400
/* One letter matches nearly everything in a large tenant. */
#define MIN_SEARCH_CHARS 2

static void
set_course (CdNewImport *self,
            LookupState  state,
            const char  *title,
            const char  *subtitle)
{
  GtkEditable *text;

  self->lookup_state = state;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->course_row), title);
  adw_action_row_set_subtitle (self->course_row, subtitle != NULL ? subtitle : "");

  gtk_widget_set_visible (GTK_WIDGET (self->lookup_spinner), state == LOOKUP_WAITING);
  gtk_spinner_set_spinning (self->lookup_spinner, state == LOOKUP_WAITING);

  gtk_widget_remove_css_class (GTK_WIDGET (self->course_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->course_icon), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->course_icon),
                          state == LOOKUP_FOUND || state == LOOKUP_FAILED ||
                          state == LOOKUP_INVALID);
  if (state == LOOKUP_FOUND)
    {
      gtk_image_set_from_icon_name (self->course_icon, "object-select-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->course_icon), "success");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->course_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Course found"), -1);
    }
  else
    {
      gtk_image_set_from_icon_name (self->course_icon, "dialog-error-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->course_icon), "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->course_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Course not found"), -1);
    }

  if (state == LOOKUP_INVALID)
    gtk_widget_add_css_class (GTK_WIDGET (self->offering_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->offering_row), "error");
  if ((text = gtk_editable_get_delegate (GTK_EDITABLE (self->offering_row))) != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_STATE_INVALID,
                                 state == LOOKUP_INVALID ? GTK_ACCESSIBLE_INVALID_TRUE
                                                         : GTK_ACCESSIBLE_INVALID_FALSE,
                                 -1);

  _cd_new_import_update_ready (self);
}

static void
set_course_hint (CdNewImport *self)
{
  if (self->client == NULL)
    set_course (self, LOOKUP_NONE, _("Not connected to Brightspace"),
                _("Course offerings are looked up once Coursedrop is connected."));
  else
    set_course (self, LOOKUP_NONE, _("Course offering"),
                _("Type part of the course’s name, its code, or the number from its address "
                  "in Brightspace, for example 6606 in …/d2l/home/6606."));
}

void
_cd_new_import_cancel_lookup (CdNewImport *self)
{
  g_clear_handle_id (&self->lookup_timeout, g_source_remove);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_clear_pointer (&self->offering_name, g_free);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdNewImport) self = user_data;
  g_autoptr(JsonObject) course = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  const char *name, *code, *semester;
  JsonObject *semester_unit;

  course = cd_client_get_course_finish (CD_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->check_cancellable))
    return;

  g_clear_object (&self->lookup_cancellable);

  if (course == NULL)
    {
      if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND))
        set_course (self, LOOKUP_FAILED, _("No course offering has this ID"),
                    _("Check the number in the course’s address in Brightspace."));
      else if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN))
        set_course (self, LOOKUP_FAILED, _("Your account may not view this course offering"),
                    _("Ask your Brightspace administrator for a role that may import course "
                      "content."));
      else
        set_course (self, LOOKUP_FAILED, error->message, NULL);

      /* An expired sign-in or an untrusted certificate: whoever owns the
       * session offers to sign in again or to trust it. */
      _cd_new_import_emit_client_error (self, CD_CLIENT (object), error);
      return;
    }

  name = cd_json_get_string (course, "Name");
  code = cd_json_get_string (course, "Code");
  semester_unit = cd_json_get_object (course, "Semester");
  semester = semester_unit ? cd_json_get_string (semester_unit, "Name") : NULL;

  self->offering_name = g_strdup (name != NULL && name[0] != '\0' ? name : NULL);
  if (code != NULL && code[0] != '\0')
    /* Translators: a course code, then the offering's ID. */
    subtitle = g_strdup_printf (_("%s · Course offering %" PRId64), code,
                                self->offering_id);
  else
    subtitle = g_strdup_printf (_("Course offering %" PRId64), self->offering_id);
  if (semester != NULL && semester[0] != '\0')
    {
      g_autofree char *short_subtitle = g_steal_pointer (&subtitle);

      /* Translators: the line above, then the offering's semester. */
      subtitle = g_strdup_printf (_("%s · %s"), short_subtitle, semester);
    }

  set_course (self, LOOKUP_FOUND,
              self->offering_name != NULL ? self->offering_name : _("Unnamed course offering"),
              subtitle);
}

static gboolean
lookup_timeout_cb (gpointer user_data)
{
  CdNewImport *self = user_data;

  self->lookup_timeout = 0;
  self->lookup_cancellable = g_cancellable_new ();
  cd_client_get_course_async (self->client, self->offering_id, self->lookup_cancellable,
                              lookup_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
start_lookup (CdNewImport *self)
{
  g_autofree char *title = NULL;

  _cd_new_import_cancel_lookup (self);

  if (self->offering_id <= 0)
    return;

  if (self->client == NULL)
    {
      set_course_hint (self);
      return;
    }

  /* Translators: %s is a course offering ID such as 6606. */
  title = g_strdup_printf (_("Looking up course offering %" PRId64 "…"),
                           self->offering_id);
  set_course (self, LOOKUP_WAITING, title, NULL);
  self->lookup_timeout = g_timeout_add (LOOKUP_DELAY_MS, lookup_timeout_cb, self);
}

/* Digits (and blanks) only: an ID, never a code or a name. */
static gboolean
is_number (const char *text)
{
  gboolean digits = FALSE;

  for (; *text != '\0'; text++)
    {
      if (g_ascii_isdigit (*text))
        digits = TRUE;
      else if (!g_ascii_isspace (*text))
        return FALSE;
    }
  return digits;
}

static void
start_search (CdNewImport *self,
              const char  *text)
{
  g_autofree char *title = NULL;

  self->offering_id = 0;

  if (self->client == NULL)
    {
      set_course_hint (self);
      return;
    }
  if (g_utf8_strlen (text, -1) < MIN_SEARCH_CHARS)
    {
      set_course (self, LOOKUP_NONE, _("Course offering"),
                  _("Type at least two letters of the course’s name or code."));
      return;
    }

  /* Translators: %s is what was typed, e.g. part of a course name. */
  title = g_strdup_printf (_("Searching for “%s”…"), text);
  set_course (self, LOOKUP_WAITING, title, NULL);
  cd_course_search_search (self->course_search, text);
}

static void
offering_changed_cb (CdNewImport *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->offering_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  gint64 id;

  /* What was picked is set already; its code in the field is for show. */
  if (self->setting_text)
    return;

  _cd_new_import_cancel_lookup (self);
  cd_course_search_clear (self->course_search);

  if (*stripped != '\0' && !is_number (stripped))
    {
      start_search (self, stripped);
      return;
    }

  /* The course row under the field says what is wrong with what was
   * typed; an empty field is not wrong yet. */
  if (!cd_validate_offering_id (text, &id, &error))
    {
      self->offering_id = 0;
      if (g_error_matches (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY))
        set_course_hint (self);
      else
        set_course (self, LOOKUP_INVALID, _("Not a course offering ID"), error->message);
      return;
    }

  self->offering_id = id;
  start_lookup (self);
}

/* Down from the field goes to the matches. */
static gboolean
offering_key_cb (CdNewImport     *self,
                 guint            keyval,
                 guint            keycode,
                 GdkModifierType  state)
{
  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down) ||
      (state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return GDK_EVENT_PROPAGATE;

  return cd_course_search_focus_first (self->course_search) ? GDK_EVENT_STOP
                                                            : GDK_EVENT_PROPAGATE;
}

static void
search_finished_cb (CdNewImport  *self,
                    guint         n_matches,
                    const GError *error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->offering_row))));
  g_autofree char *title = NULL;

  if (error != NULL)
    {
      if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN))
        set_course (self, LOOKUP_FAILED, _("Your account may not search course offerings"),
                    _("Type the offering’s ID instead, or ask your Brightspace administrator "
                      "for a role that may see the org structure."));
      else
        set_course (self, LOOKUP_FAILED, _("The course offerings could not be searched"),
                    error->message);
      if (self->client != NULL)
        _cd_new_import_emit_client_error (self, self->client, error);
      return;
    }

  if (n_matches == 0)
    {
      /* Translators: %s is what was typed. */
      title = g_strdup_printf (_("No course offering matches “%s”"), text);
      set_course (self, LOOKUP_FAILED, title,
                  _("Type its ID, its code or part of its name."));
      return;
    }

  title = g_strdup_printf (ngettext ("%u course offering matches",
                                     "%u course offerings match", n_matches), n_matches);
  set_course (self, LOOKUP_CHOOSING, title,
              _("Choose one in the list below (Down, then Return)."));
}

/* @unit becomes the offering: the field shows its code, the course row
 * what the look-up by ID finds. */
static void
use_offering (CdNewImport     *self,
              const CdOrgUnit *unit,
              gboolean         set_text)
{
  if (set_text)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, unit->id);

      self->setting_text = TRUE;
      /* A code of digits would be read back as an ID. */
      gtk_editable_set_text (GTK_EDITABLE (self->offering_row),
                             unit->code[0] != '\0' && !is_number (unit->code) ? unit->code : id);
      self->setting_text = FALSE;
      cd_course_search_clear (self->course_search);
      gtk_widget_grab_focus (GTK_WIDGET (self->offering_row));
    }

  self->offering_id = unit->id;
  start_lookup (self);
}

static void
search_chosen_cb (CdNewImport *self,
                  CdOrgUnit   *unit,
                  gboolean     automatic)
{
  use_offering (self, unit, !automatic);
}

static void
offering_created_cb (CdNewImport *self,
                     CdOrgUnit   *unit,
                     gboolean     created)
{
  use_offering (self, unit, TRUE);
}

static void
new_offering_clicked_cb (CdNewImport *self)
{
  CdNewOfferingDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->org_units == NULL)
    return;

  dialog = cd_new_offering_dialog_new (self->org_units);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  g_signal_connect_object (dialog, "created", G_CALLBACK (offering_created_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_cd_new_import_offering_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, offering_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_finished_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_offering_clicked_cb);
}

void
_cd_new_import_offering_init (CdNewImport *self)
{
  GtkEventController *keys;
  GtkEditable *text;

  gtk_widget_set_sensitive (GTK_WIDGET (self->new_offering_button), FALSE);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (offering_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->offering_row), keys);

  /* The row's title is drawn as a placeholder inside the field; screen
   * readers get it as the field's name. */
  text = gtk_editable_get_delegate (GTK_EDITABLE (self->offering_row));
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (text),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Course offering ID, code or name"), -1);

  set_course_hint (self);
}

void
cd_new_import_set_client (CdNewImport *self,
                          CdClient    *client)
{
  g_return_if_fail (CD_IS_NEW_IMPORT (self));
  g_return_if_fail (!client || CD_IS_CLIENT (client));

  if (!g_set_object (&self->client, client))
    return;

  g_clear_object (&self->org_units);
  if (client != NULL)
    self->org_units = cd_org_units_new (client);
  cd_course_search_set_org_units (self->course_search, self->org_units);
  gtk_widget_set_sensitive (GTK_WIDGET (self->new_offering_button), client != NULL);

  /* What the field holds is looked up (or searched) with the new client. */
  offering_changed_cb (self);
}

void
cd_new_import_set_offering_id (CdNewImport *self,
                               gint64       offering_id)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, offering_id);

  g_return_if_fail (CD_IS_NEW_IMPORT (self));

  gtk_editable_set_text (GTK_EDITABLE (self->offering_row), text);
  /* A suggestion: typing replaces it. */
  gtk_editable_select_region (GTK_EDITABLE (self->offering_row), 0, -1);
}

gint64
cd_new_import_get_offering_id (CdNewImport *self)
{
  g_return_val_if_fail (CD_IS_NEW_IMPORT (self), 0);
  return self->offering_id;
}

const char *
cd_new_import_get_offering_name (CdNewImport *self)
{
  g_return_val_if_fail (CD_IS_NEW_IMPORT (self), NULL);
  return self->offering_name;
}

void
cd_new_import_focus_offering (CdNewImport *self)
{
  g_return_if_fail (CD_IS_NEW_IMPORT (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->offering_row));
}
