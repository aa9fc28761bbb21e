/* cd-course-search.c: the course offerings that match what was typed
 *
 * A boxed list under the course field: one activatable row per match
 * (name, code and ID), picked with the mouse or with the arrow keys and
 * Return.  Like the ID look-up in cd-new-import.c, the search starts once
 * typing pauses, and a newer keystroke cancels the one in flight, so that
 * answers never arrive out of order.
 *
 * Listings carry no semester, which is often what tells two runs of a
 * course apart: core fetches it for the first matches shown, and each row
 * gains it when it comes (or stays as it is when it does not).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-course-search.h"

#define SEARCH_DELAY_MS 400
/* More would not help anyone choose: typing more does. */
#define MAX_ROWS        20
/* The rows seen without scrolling: a semester further down is not worth
 * a request per keystroke. */
#define MAX_SEMESTERS   8

struct _CdCourseSearch
{
  AdwBin        parent_instance;

  GtkListBox   *list;

  CdOrgUnits   *org_units;    /* (nullable) */
  GCancellable *cancellable;  /* (nullable): the search in flight */
  GCancellable *semesters;    /* (nullable): the semesters being fetched */
  GPtrArray    *matches;      /* (element-type CdOrgUnit): those shown */
  char         *text;         /* (nullable): what is searched for */
  guint         timeout;
};

G_DEFINE_FINAL_TYPE (CdCourseSearch, cd_course_search, ADW_TYPE_BIN)

enum {
  FINISHED,
  CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
remove_rows (CdCourseSearch *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->matches, 0);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
cancel_search (CdCourseSearch *self)
{
  g_clear_handle_id (&self->timeout, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->semesters);
  g_clear_object (&self->semesters);
}

/* Name, code and ID, and the semester (nullable) once known. */
static void
describe_match (GtkWidget       *row,
                const CdOrgUnit *unit,
                const char      *semester)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *label = NULL;
  const char *title = unit->name[0] != '\0' ? unit->name : _("Unnamed course offering");

  if (unit->code[0] != '\0')
    {
      /* Translators: a course code, then the offering's ID. */
      subtitle = g_strdup_printf (_("%s · ID %" PRId64), unit->code, unit->id);
      /* Translators: what a screen reader says for a match: name, code, ID. */
      label = g_strdup_printf (_("%s, code %s, ID %" PRId64), title, unit->code, unit->id);
    }
  else
    {
      subtitle = g_strdup_printf (_("ID %" PRId64), unit->id);
      label = g_strdup_printf (_("%s, ID %" PRId64), title, unit->id);
    }

  if (semester != NULL)
    {
      g_autofree char *short_subtitle = g_steal_pointer (&subtitle);
      g_autofree char *short_label = g_steal_pointer (&label);

      /* Translators: the line above, then the offering's semester. */
      subtitle = g_strdup_printf (_("%s · %s"), short_subtitle, semester);
      /* Translators: a match as a screen reader says it (name, code, ID),
       * then the offering's semester. */
      label = g_strdup_printf (_("%s, semester %s"), short_label, semester);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static GtkWidget *
match_row_new (const CdOrgUnit *unit)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  describe_match (row, unit, NULL);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  return row;
}

static GtkWidget *
more_row_new (guint more)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;

  /* Translators: more matches than the list shows. */
  title = g_strdup_printf (ngettext ("%u more course offering matches",
                                     "%u more course offerings match", more), more);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Type more of the name or code to find it."));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_add_css_class (row, "dim-label");
  return row;
}

/* The one offering whose code is exactly what was typed, or NULL. */
static const CdOrgUnit *
exact_code_match (GPtrArray  *units,
                  const char *text)
{
  const CdOrgUnit *match = NULL;

  for (guint i = 0; i < units->len; i++)
    {
      const CdOrgUnit *unit = g_ptr_array_index (units, i);

      if (unit->code[0] != '\0' && g_ascii_strcasecmp (unit->code, text) == 0)
        {
          /* Two with one code: let the user say which (§2.3). */
          if (match != NULL)
            return NULL;
          match = unit;
        }
    }

  return match;
}

static void
show_matches (CdCourseSearch *self,
              GPtrArray      *units)
{
  guint shown = MIN (units->len, MAX_ROWS);

  for (guint i = 0; i < shown; i++)
    {
      CdOrgUnit *unit = g_ptr_array_index (units, i);

      g_ptr_array_add (self->matches, cd_org_unit_copy (unit));
      gtk_list_box_append (self->list, match_row_new (unit));
    }
  if (units->len > shown)
    gtk_list_box_append (self->list, more_row_new (units->len - shown));

  gtk_widget_set_visible (GTK_WIDGET (self), units->len > 0);
}

static void
semester_cb (gint64           offering_id,
             const CdOrgUnit *semester,
             gpointer         user_data)
{
  CdCourseSearch *self = user_data;
  const char *text;

  if (semester == NULL)
    return;
  text = semester->name[0] != '\0' ? semester->name : semester->code;

  for (guint i = 0; i < MIN (self->matches->len, MAX_SEMESTERS); i++)
    {
      const CdOrgUnit *unit = g_ptr_array_index (self->matches, i);
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int)i);

      if (unit->id == offering_id && row != NULL)
        describe_match (GTK_WIDGET (row), unit, text);
    }
}

static void
semesters_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CdCourseSearch) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Failures were skipped already: the rows are fine without. */
  if (!cd_org_units_fetch_semesters_finish (CD_ORG_UNITS (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->semesters);
}

static void
fetch_semesters (CdCourseSearch *self)
{
  gint64 ids[MAX_SEMESTERS];
  guint n_ids = MIN (self->matches->len, MAX_SEMESTERS);

  g_cancellable_cancel (self->semesters);
  g_clear_object (&self->semesters);
  if (n_ids == 0)
    return;

  for (guint i = 0; i < n_ids; i++)
    ids[i] = ((CdOrgUnit *)g_ptr_array_index (self->matches, i))->id;

  self->semesters = g_cancellable_new ();
  cd_org_units_fetch_semesters_async (self->org_units, ids, n_ids, semester_cb, self,
                                      self->semesters, semesters_cb, g_object_ref (self));
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdCourseSearch) self = user_data;
  g_autoptr(GPtrArray) units = NULL;
  g_autoptr(GError) error = NULL;
  const CdOrgUnit *exact;

  units = cd_org_units_search_text_finish (CD_ORG_UNITS (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  remove_rows (self);

  if (units == NULL)
    {
      g_signal_emit (self, signals[FINISHED], 0, 0, error);
      return;
    }

  /* A code is what people know best: no need to pick it again. */
  if ((exact = exact_code_match (units, self->text)) != NULL)
    {
      g_autoptr(CdOrgUnit) unit = cd_org_unit_copy (exact);

      g_signal_emit (self, signals[CHOSEN], 0, unit, TRUE);
      return;
    }

  show_matches (self, units);
  g_signal_emit (self, signals[FINISHED], 0, units->len, NULL);
  /* After ::finished: semesters known already fill in at once. */
  if (self->matches->len > 0 && self->org_units != NULL)
    fetch_semesters (self);
}

static gboolean
search_timeout_cb (gpointer user_data)
{
  CdCourseSearch *self = user_data;

  self->timeout = 0;
  self->cancellable = g_cancellable_new ();
  cd_org_units_search_text_async (self->org_units, CD_ORG_UNIT_OFFERING, self->text,
                                  self->cancellable, search_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
row_activated_cb (CdCourseSearch *self,
                  GtkListBoxRow  *row)
{
  int index = gtk_list_box_row_get_index (row);
  g_autoptr(CdOrgUnit) unit = NULL;

  if (index < 0 || (guint)index >= self->matches->len)
    return;

  unit = cd_org_unit_copy (g_ptr_array_index (self->matches, index));
  cd_course_search_choose (self, unit);
}

static void
cd_course_search_dispose (GObject *object)
{
  CdCourseSearch *self = CD_COURSE_SEARCH (object);

  cancel_search (self);
  g_clear_object (&self->org_units);

  G_OBJECT_CLASS (cd_course_search_parent_class)->dispose (object);
}

static void
cd_course_search_finalize (GObject *object)
{
  CdCourseSearch *self = CD_COURSE_SEARCH (object);

  g_ptr_array_unref (self->matches);
  g_free (self->text);

  G_OBJECT_CLASS (cd_course_search_parent_class)->finalize (object);
}

static void
cd_course_search_class_init (CdCourseSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_course_search_dispose;
  object_class->finalize = cd_course_search_finalize;

  /* A search ended with @n_matches shown, or with @error (nullable). */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                    G_TYPE_UINT, G_TYPE_ERROR);
  /* @unit was picked, or found by its exact code (@automatic). */
  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                  CD_TYPE_ORG_UNIT, G_TYPE_BOOLEAN);
}

static void
cd_course_search_init (CdCourseSearch *self)
{
  self->matches = g_ptr_array_new_with_free_func ((GDestroyNotify)cd_org_unit_free);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Matching course offerings"), -1);
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->list));

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

CdCourseSearch *
cd_course_search_new (void)
{
  return g_object_new (CD_TYPE_COURSE_SEARCH, NULL);
}

void
cd_course_search_set_org_units (CdCourseSearch *self,
                                CdOrgUnits     *org_units)
{
  g_return_if_fail (CD_IS_COURSE_SEARCH (self));
  g_return_if_fail (!org_units || CD_IS_ORG_UNITS (org_units));

  if (g_set_object (&self->org_units, org_units))
    cd_course_search_clear (self);
}

void
cd_course_search_search (CdCourseSearch *self,
                         const char     *text)
{
  g_return_if_fail (CD_IS_COURSE_SEARCH (self));

  cd_course_search_clear (self);

  g_free (self->text);
  self->text = g_strstrip (g_strdup (text ? text : ""));
  if (self->org_units == NULL || self->text[0] == '\0')
    return;

  self->timeout = g_timeout_add (SEARCH_DELAY_MS, search_timeout_cb, self);
}

void
cd_course_search_clear (CdCourseSearch *self)
{
  g_return_if_fail (CD_IS_COURSE_SEARCH (self));

  cancel_search (self);
  remove_rows (self);
}

gboolean
cd_course_search_focus_first (CdCourseSearch *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (CD_IS_COURSE_SEARCH (self), FALSE);

  row = gtk_list_box_get_row_at_index (self->list, 0);
  return self->matches->len > 0 && row != NULL && gtk_widget_grab_focus (GTK_WIDGET (row));
}

const CdOrgUnit *
cd_course_search_get_single (CdCourseSearch *self)
{
  g_return_val_if_fail (CD_IS_COURSE_SEARCH (self), NULL);

  return self->matches->len == 1 ? g_ptr_array_index (self->matches, 0) : NULL;
}

void
cd_course_search_choose (CdCourseSearch  *self,
                         const CdOrgUnit *unit)
{
  g_autoptr(CdOrgUnit) copy = NULL;

  g_return_if_fail (CD_IS_COURSE_SEARCH (self));
  g_return_if_fail (unit != NULL);

  /* @unit may be one of the rows about to go. */
  copy = cd_org_unit_copy (unit);
  cd_course_search_clear (self);
  g_signal_emit (self, signals[CHOSEN], 0, copy, FALSE);
}
