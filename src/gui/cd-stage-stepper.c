/* cd-stage-stepper.c: Upload → Convert → Import → Done
 *
 * Done steps get a check, the current one is highlighted, a failed one
 * gets an error icon.  Colour is never the only cue: each state has its
 * own icon, and the accessible description says it in words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-stage-stepper.h"

#define N_STEPS 4

struct _CdStageStepper
{
  GtkWidget  parent_instance;

  /* Template widgets */
  GtkWidget *box;
  GtkWidget *step0, *step1, *step2, *step3;
  GtkImage  *icon0, *icon1, *icon2, *icon3;
  GtkLabel  *label0, *label1, *label2, *label3;
  GtkWidget *line0, *line1, *line2;
};

G_DEFINE_FINAL_TYPE (CdStageStepper, cd_stage_stepper, GTK_TYPE_WIDGET)

typedef enum {
  STEP_PENDING,
  STEP_CURRENT,
  STEP_DONE,
  STEP_FAILED,
} StepState;

static void
set_step (GtkWidget *step,
          GtkImage  *icon,
          GtkLabel  *label,
          StepState  state)
{
  g_autoptr(PangoAttrList) attributes = NULL;

  static const char * const classes[] = { "pending", "current", "done", "failed" };
  static const char * const icons[] = {
    "media-record-symbolic", "media-record-symbolic",
    "object-select-symbolic", "dialog-error-symbolic",
  };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (step, classes[i]);
  gtk_widget_add_css_class (step, classes[state]);
  gtk_image_set_from_icon_name (icon, icons[state]);

  /* The weight goes through attributes, not CSS: GTK 4.8 sometimes keeps
   * a label bold after its box lost the class that made it so. */
  if (state == STEP_CURRENT || state == STEP_FAILED)
    {
      attributes = pango_attr_list_new ();
      pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    }
  gtk_label_set_attributes (label, attributes);
}

void
cd_stage_stepper_set_state (CdStageStepper *self,
                            CdImportStage   reached,
                            gboolean        finished,
                            gboolean        failed)
{
  GtkWidget *steps[N_STEPS] = { self->step0, self->step1, self->step2, self->step3 };
  GtkImage *icons[N_STEPS] = { self->icon0, self->icon1, self->icon2, self->icon3 };
  GtkLabel *labels[N_STEPS] = { self->label0, self->label1, self->label2, self->label3 };
  GtkWidget *lines[N_STEPS - 1] = { self->line0, self->line1, self->line2 };
  g_autofree char *description = NULL;
  guint current = MIN ((guint)reached, N_STEPS - 1);

  g_return_if_fail (CD_IS_STAGE_STEPPER (self));

  if (finished && !failed)
    current = N_STEPS - 1;

  for (guint i = 0; i < N_STEPS; i++)
    {
      StepState state;

      if (i < current || (finished && !failed))
        state = STEP_DONE;
      else if (i == current)
        state = failed ? STEP_FAILED : STEP_CURRENT;
      else
        state = STEP_PENDING;

      set_step (steps[i], icons[i], labels[i], state);
      if (i > 0)
        {
          if (state == STEP_DONE || (state == STEP_CURRENT && i == N_STEPS - 1))
            gtk_widget_add_css_class (lines[i - 1], "done");
          else
            gtk_widget_remove_css_class (lines[i - 1], "done");
        }
    }

  if (finished && !failed)
    description = g_strdup (_("All stages done"));
  else if (failed)
    /* Translators: %s is a stage: Upload, Convert, Import or Done. */
    description = g_strdup_printf (_("Failed at stage: %s"),
                                   cd_import_stage_get_label ((CdImportStage)current));
  else
    /* Translators: %s is a stage: Upload, Convert, Import or Done. */
    description = g_strdup_printf (_("Current stage: %s"),
                                   cd_import_stage_get_label ((CdImportStage)current));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
cd_stage_stepper_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CD_TYPE_STAGE_STEPPER);

  G_OBJECT_CLASS (cd_stage_stepper_parent_class)->dispose (object);
}

static void
cd_stage_stepper_class_init (CdStageStepperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_stage_stepper_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "stagestepper");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/cd-stage-stepper.ui");
  gtk_widget_class_bind_template_child (widget_class, CdStageStepper, box);
#define BIND_STEP(n) \
  gtk_widget_class_bind_template_child (widget_class, CdStageStepper, step##n); \
  gtk_widget_class_bind_template_child (widget_class, CdStageStepper, icon##n); \
  gtk_widget_class_bind_template_child (widget_class, CdStageStepper, label##n)
  BIND_STEP (0);
  BIND_STEP (1);
  BIND_STEP (2);
  BIND_STEP (3);
#undef BIND_STEP
  gtk_widget_class_bind_template_child (widget_class, CdStageStepper, line0);
  gtk_widget_class_bind_template_child (widget_class, CdStageStepper, line1);
  gtk_widget_class_bind_template_child (widget_class, CdStageStepper, line2);
}

static void
cd_stage_stepper_init (CdStageStepper *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_stage_stepper_set_state (self, CD_IMPORT_STAGE_UPLOAD, FALSE, FALSE);
}
