/* cd-stage-stepper.h: Upload → Convert → Import → Done
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cd-import-status.h"

G_BEGIN_DECLS

#define CD_TYPE_STAGE_STEPPER (cd_stage_stepper_get_type ())

G_DECLARE_FINAL_TYPE (CdStageStepper, cd_stage_stepper, CD, STAGE_STEPPER, GtkWidget)

/* @reached: the stage the job is in, or the last one it reached before it
 * ended; @finished and @failed say how it ended. */
void cd_stage_stepper_set_state (CdStageStepper *self,
                                 CdImportStage   reached,
                                 gboolean        finished,
                                 gboolean        failed);

G_END_DECLS
