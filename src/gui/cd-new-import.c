/* cd-new-import.c: one pending package, waiting for its course offering
 *
 * The package is checked in a worker (cd_package_check_async: its ends
 * only, never the whole file) while the user types the offering ID.  The offering is looked up once typing
 * pauses, so that "6606" does not cost lookups of 6, 66 and 660; a newer
 * keystroke cancels the lookup in flight, so answers never arrive out of
 * order.
 *
 * The field also takes a course code or part of a name: then the
 * matching offerings are listed under it (CdCourseSearch) to be picked,
 * and the one picked is looked up by its ID like a typed one.  New Course
 * Offering… makes one from a template (CdNewOfferingDialog) and fills it
 * in.
 *
 * After the check, the manifest is read in a worker too
 * (cd_package_reader_read_async) for the preview under the package; a
 * package the reader refuses says why and cannot be imported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-course-search.h"
#include "cd-gui-util.h"
#include "cd-new-import.h"
#include "cd-new-offering-dialog.h"
#include "cd-json.h"
#include "cd-package-outline.h"
#include "cd-package-reader.h"
#include "cd-validate.h"

#define LOOKUP_DELAY_MS 400
/* One letter matches nearly everything in a large tenant. */
#define MIN_SEARCH_CHARS 2

typedef enum {
  LOOKUP_NONE,
  LOOKUP_INVALID,
  LOOKUP_WAITING,
  LOOKUP_CHOOSING,
  LOOKUP_FOUND,
  LOOKUP_FAILED,
} LookupState;

struct _CdNewImport
{
  AdwBin        parent_instance;

  /* Template widgets */
  AdwActionRow *package_row;
  GtkSpinner   *check_spinner;
  GtkImage     *check_icon;
  AdwEntryRow  *offering_row;
  GtkSpinner   *lookup_spinner;
  GtkButton    *new_offering_button;
  CdCourseSearch *course_search;
  AdwActionRow *course_row;
  GtkImage     *course_icon;
  GtkButton    *discard_button;
  GtkButton    *import_button;
  CdPackageOutline *outline;

  /* Owned */
  CdPackage    *package;
  CdClient     *client;             /* (nullable) */
  CdOrgUnits   *org_units;          /* (nullable): with the client */
  GCancellable *check_cancellable;  /* cancelled on dispose only */
  GCancellable *lookup_cancellable; /* (nullable): the lookup in flight */
  char         *offering_name;
  CdPackagePreview *preview;        /* (nullable): until read, or when refused */
  guint         lookup_timeout;

  gint64        offering_id;        /* 0 while the field holds no valid ID */
  LookupState   lookup_state;
  guint         checked : 1;
  guint         busy : 1;
  guint         ready : 1;
  guint         setting_text : 1;   /* the field shows what was picked */
};

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

static void
update_ready (CdNewImport *self)
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

  update_ready (self);
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

static void
cancel_lookup (CdNewImport *self)
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
      g_signal_emit (self, signals[CLIENT_ERROR], 0, CD_CLIENT (object), error);
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

  cancel_lookup (self);

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

  cancel_lookup (self);
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
        g_signal_emit (self, signals[CLIENT_ERROR], 0, self->client, error);
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
  update_ready (self);
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
  update_ready (self);

  cd_package_reader_read_async (cd_package_get_path (self->package), self->check_cancellable,
                                preview_cb, g_object_ref (self));
}

static void
cd_new_import_dispose (GObject *object)
{
  CdNewImport *self = CD_NEW_IMPORT (object);

  cancel_lookup (self);
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
  gtk_widget_class_bind_template_callback (widget_class, offering_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, offering_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_finished_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_offering_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, discard_clicked_cb);
}

static void
cd_new_import_init (CdNewImport *self)
{
  GtkEventController *keys;
  GtkEditable *text;

  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->new_offering_button), FALSE);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (offering_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->offering_row), keys);

  self->check_cancellable = g_cancellable_new ();

  /* The row's title is drawn as a placeholder inside the field; screen
   * readers get it as the field's name. */
  text = gtk_editable_get_delegate (GTK_EDITABLE (self->offering_row));
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (text),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Course offering ID, code or name"), -1);

  set_course_hint (self);
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
  update_ready (self);
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

void
cd_new_import_focus_offering (CdNewImport *self)
{
  g_return_if_fail (CD_IS_NEW_IMPORT (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->offering_row));
}
