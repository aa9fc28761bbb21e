/* cd-cli-batch.h: coursedrop-cli batch, shared by its two files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-batch.h"
#include "cd-cli.h"

G_BEGIN_DECLS

typedef struct
{
  CdBatch      *batch;           /* (owned) */
  GCancellable *cancellable;     /* (owned) */
  char         *plan_name;       /* (owned) for messages: "plan.csv" */
  GHashTable   *offerings_told;  /* (owned) codes already announced */
  gboolean      json;
  gboolean      dry_run;
  gboolean      checking;
  gboolean      interrupted;
} CdCliBatch;

void cd_cli_batch_print_row      (CdCliBatch       *run,
                                  const CdBatchRow *row);
void cd_cli_batch_print_offering (CdCliBatch       *run,
                                  const CdBatchRow *row,
                                  gboolean          created);
void cd_cli_batch_print_retry    (CdCliBatch       *run,
                                  const CdBatchRow *row,
                                  CdImportJob      *job);
void cd_cli_batch_print_paused   (CdCliBatch       *run,
                                  guint             seconds);
void cd_cli_batch_print_summary  (CdCliBatch       *run,
                                  guint             imported,
                                  guint             failed,
                                  guint             skipped,
                                  guint             unfinished);

G_END_DECLS
