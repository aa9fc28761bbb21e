/* cd-package-outline.c: what a course package holds, before it is imported
 *
 * The pending import shows it under the package: the kind, the course the
 * package names, counts by type, the reader's warnings, and the modules
 * and topics as expandable rows — or, for a package the reader refused,
 * why.  A package may hold thousands of items, so a module's rows are made
 * when it is first expanded, and each level shows at most MAX_ROWS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-package-outline.h"

#define MAX_ROWS 200
/* Outlines up to this many nodes open by themselves; larger ones wait. */
#define OPEN_OUTLINE_NODES 40
#define OPEN_WARNINGS 3

struct _CdPackageOutline
{
  AdwBin            parent_instance;

  /* Template widgets (the list itself is AdwBin's child, not bound here:
   * disposing the template would unparent it under AdwBin's feet) */
  AdwActionRow     *kind_row;
  GtkSpinner       *spinner;
  GtkImage         *state_icon;
  AdwActionRow     *counts_row;
  AdwExpanderRow   *warnings_row;
  AdwExpanderRow   *outline_row;

  /* Owned */
  CdPackagePreview *preview;  /* (nullable): its outline items back the rows */
};

G_DEFINE_FINAL_TYPE (CdPackageOutline, cd_package_outline, ADW_TYPE_BIN)

/* The rows of a module that has not been expanded yet. */
#define CHILDREN_KEY    "cd-outline-children"
#define PLACEHOLDER_KEY "cd-outline-placeholder"

static const char *
type_icon (CdPackageItemType type)
{
  switch (type)
    {
    case CD_PACKAGE_ITEM_MODULE: return "folder-symbolic";
    case CD_PACKAGE_ITEM_LINK: return "insert-link-symbolic";
    case CD_PACKAGE_ITEM_DISCUSSION: return "user-available-symbolic";
    case CD_PACKAGE_ITEM_QUIZ:
    case CD_PACKAGE_ITEM_QUESTION_BANK: return "dialog-question-symbolic";
    case CD_PACKAGE_ITEM_ASSIGNMENT: return "document-edit-symbolic";
    case CD_PACKAGE_ITEM_LTI: return "application-x-addon-symbolic";
    case CD_PACKAGE_ITEM_SCORM: return "package-x-generic-symbolic";
    case CD_PACKAGE_ITEM_FILE:
    case CD_PACKAGE_ITEM_OTHER:
    case CD_PACKAGE_N_ITEM_TYPES:
    default: return "text-x-generic-symbolic";
    }
}

/* GTK 4.8 names a row after its label *and* what it is labelled by (an
 * AdwActionRow's title): one name, the one given here. */
static void
describe (GtkWidget  *widget,
          const char *name,
          const char *description)
{
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description != NULL ? description : "",
                                  -1);
}

/* Titles come from the package: never markup, never a mnemonic. */
static GtkWidget *
plain_row_new (const char *title,
               const char *subtitle,
               const char *icon_name)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  if (icon_name != NULL)
    adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon_name);
  describe (row, title, subtitle);

  return row;
}

static guint
count_nodes (GPtrArray *items,
             guint      limit)
{
  guint n = 0;

  for (guint i = 0; items != NULL && i < items->len && n <= limit; i++)
    {
      CdPackageOutlineItem *item = g_ptr_array_index (items, i);

      n += 1 + count_nodes (item->children, limit - n);
    }

  return n;
}

static void expanded_cb (AdwExpanderRow *row,
                         GParamSpec     *pspec,
                         gpointer        user_data);

/* Until it is first expanded, @row holds one row that says how many items
 * it has, so that it has something to expand. */
static void
defer_children (AdwExpanderRow *row,
                GPtrArray      *children)
{
  g_autofree char *text = g_strdup_printf (ngettext ("%u item", "%u items", children->len),
                                           children->len);
  GtkWidget *placeholder = plain_row_new (text, NULL, NULL);

  g_object_set_data (G_OBJECT (row), CHILDREN_KEY, children);
  g_object_set_data (G_OBJECT (row), PLACEHOLDER_KEY, placeholder);
  adw_expander_row_add_row (row, placeholder);
  g_signal_connect (row, "notify::expanded", G_CALLBACK (expanded_cb), NULL);
}

static GtkWidget *
item_row_new (CdPackageOutlineItem *item)
{
  const char *title = item->title[0] != '\0' ? item->title : _("Untitled");
  const char *type = cd_package_item_type_label (item->type);
  g_autofree char *name = NULL;
  GtkWidget *row;

  if (item->children->len == 0)
    return plain_row_new (title, type, type_icon (item->type));

  row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), type);
  adw_expander_row_set_icon_name (ADW_EXPANDER_ROW (row), type_icon (item->type));
  /* Translators: an outline row's accessible name: “module: Week 1”. */
  name = g_strdup_printf (_("%s: %s"), type, title);
  describe (row, name, NULL);
  defer_children (ADW_EXPANDER_ROW (row), item->children);

  return row;
}

static void
add_children (AdwExpanderRow *row,
              GPtrArray      *children)
{
  guint shown = MIN (children->len, MAX_ROWS);

  for (guint i = 0; i < shown; i++)
    adw_expander_row_add_row (row, item_row_new (g_ptr_array_index (children, i)));

  if (children->len > shown)
    {
      guint rest = children->len - shown;
      g_autofree char *text = g_strdup_printf (ngettext ("%u more item not shown",
                                                         "%u more items not shown", rest),
                                               rest);

      adw_expander_row_add_row (row, plain_row_new (text, NULL, NULL));
    }
}

static void
expanded_cb (AdwExpanderRow *row,
             GParamSpec     *pspec,
             gpointer        user_data)
{
  GPtrArray *children = g_object_get_data (G_OBJECT (row), CHILDREN_KEY);
  GtkWidget *placeholder = g_object_get_data (G_OBJECT (row), PLACEHOLDER_KEY);

  if (children == NULL || !adw_expander_row_get_expanded (row))
    return;

  g_object_set_data (G_OBJECT (row), CHILDREN_KEY, NULL);
  g_object_set_data (G_OBJECT (row), PLACEHOLDER_KEY, NULL);
  add_children (row, children);
  adw_expander_row_remove (row, placeholder);
}

static void
show_kind (CdPackageOutline *self,
           CdPackagePreview *preview)
{
  const char *kind = cd_package_kind_to_label (cd_package_preview_get_kind (preview));
  const char *version = cd_package_preview_get_version (preview);
  const char *title = cd_package_preview_get_title (preview);
  const char *code = cd_package_preview_get_code (preview);
  g_autofree char *heading = NULL;
  g_autofree char *course = NULL;

  if (version[0] != '\0')
    /* Translators: a package kind and its version: “Common Cartridge 1.3”. */
    heading = g_strdup_printf (C_("package kind", "%s %s"), kind, version);
  else
    heading = g_strdup (kind);

  if (title[0] != '\0' && code[0] != '\0')
    /* Translators: the course title and code a package names. */
    course = g_strdup_printf (_("%s · %s"), title, code);
  else if (title[0] != '\0' || code[0] != '\0')
    course = g_strdup (title[0] != '\0' ? title : code);
  else
    course = g_strdup (_("The package does not name its course"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row), heading);
  adw_action_row_set_subtitle (self->kind_row, course);
  describe (GTK_WIDGET (self->kind_row), heading, course);
}

static void
show_counts (CdPackageOutline *self,
             CdPackagePreview *preview)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;

  for (int type = 0; type < CD_PACKAGE_N_ITEM_TYPES; type++)
    {
      guint n = cd_package_preview_get_count (preview, type);

      if (n > 0)
        g_ptr_array_add (parts, cd_package_item_format_count (type, n));
    }
  g_ptr_array_add (parts, NULL);

  if (parts->len > 1)
    /* Translators: the separator of a list of counts: “2 modules, 7 files”. */
    text = g_strjoinv (_(", "), (char **)parts->pdata);
  else
    text = g_strdup (_("Nothing that Brightspace imports as course content"));

  adw_action_row_set_subtitle (self->counts_row, text);
  /* Translators: the accessible name of the counts: “Contents: 2 modules, 7 files”. */
  name = g_strdup_printf (_("Contents: %s"), text);
  describe (GTK_WIDGET (self->counts_row), name, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->counts_row), TRUE);
}

static void
show_warnings (CdPackageOutline *self,
               CdPackagePreview *preview)
{
  GPtrArray *warnings = cd_package_preview_get_warnings (preview);
  g_autofree char *title = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->warnings_row), warnings->len > 0);
  if (warnings->len == 0)
    return;

  title = g_strdup_printf (ngettext ("%u warning", "%u warnings", warnings->len), warnings->len);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->warnings_row), title);
  describe (GTK_WIDGET (self->warnings_row), title, NULL);

  for (guint i = 0; i < warnings->len && i < MAX_ROWS; i++)
    adw_expander_row_add_row (self->warnings_row,
                              plain_row_new (g_ptr_array_index (warnings, i), NULL, NULL));
  adw_expander_row_set_expanded (self->warnings_row, warnings->len <= OPEN_WARNINGS);
}

static void
show_outline (CdPackageOutline *self,
              CdPackagePreview *preview)
{
  GPtrArray *outline = cd_package_preview_get_outline (preview);
  guint nodes = count_nodes (outline, OPEN_OUTLINE_NODES);
  g_autofree char *subtitle = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->outline_row), outline->len > 0);
  if (outline->len == 0)
    return;

  subtitle = g_strdup_printf (ngettext ("%u top-level item", "%u top-level items", outline->len),
                              outline->len);
  adw_expander_row_set_subtitle (self->outline_row, subtitle);
  describe (GTK_WIDGET (self->outline_row), _("Outline"), subtitle);
  defer_children (self->outline_row, outline);
  adw_expander_row_set_expanded (self->outline_row, nodes <= OPEN_OUTLINE_NODES);
}

static void
stop_reading (CdPackageOutline *self)
{
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
}

void
cd_package_outline_set_preview (CdPackageOutline *self,
                                CdPackagePreview *preview)
{
  g_return_if_fail (CD_IS_PACKAGE_OUTLINE (self));
  g_return_if_fail (CD_IS_PACKAGE_PREVIEW (preview));
  /* Shown once: a card reads its package once. */
  g_return_if_fail (self->preview == NULL);

  self->preview = g_object_ref (preview);
  stop_reading (self);
  show_kind (self, preview);
  show_counts (self, preview);
  show_warnings (self, preview);
  show_outline (self, preview);
}

void
cd_package_outline_set_refused (CdPackageOutline *self,
                                const char       *reason)
{
  const char *title = _("This package cannot be imported");

  g_return_if_fail (CD_IS_PACKAGE_OUTLINE (self));

  stop_reading (self);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row), title);
  adw_action_row_set_subtitle (self->kind_row, reason != NULL ? reason : "");
  describe (GTK_WIDGET (self->kind_row), title, reason);
  gtk_widget_add_css_class (GTK_WIDGET (self->kind_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->counts_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->outline_row), FALSE);
}

static void
cd_package_outline_dispose (GObject *object)
{
  CdPackageOutline *self = CD_PACKAGE_OUTLINE (object);

  /* The rows point into the preview's outline: they go first. */
  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_PACKAGE_OUTLINE);
  g_clear_object (&self->preview);

  G_OBJECT_CLASS (cd_package_outline_parent_class)->dispose (object);
}

static void
cd_package_outline_class_init (CdPackageOutlineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_package_outline_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/cd-package-outline.ui");
  gtk_widget_class_bind_template_child (widget_class, CdPackageOutline, kind_row);
  gtk_widget_class_bind_template_child (widget_class, CdPackageOutline, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdPackageOutline, state_icon);
  gtk_widget_class_bind_template_child (widget_class, CdPackageOutline, counts_row);
  gtk_widget_class_bind_template_child (widget_class, CdPackageOutline, warnings_row);
  gtk_widget_class_bind_template_child (widget_class, CdPackageOutline, outline_row);
}

static void
cd_package_outline_init (CdPackageOutline *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  describe (GTK_WIDGET (self->kind_row), _("Reading the package…"), NULL);
}

CdPackageOutline *
cd_package_outline_new (void)
{
  return g_object_new (CD_TYPE_PACKAGE_OUTLINE, NULL);
}
