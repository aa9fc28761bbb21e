/* cd-cli-batch-print.c: what coursedrop-cli batch prints, as text or JSON
 *
 * Standard output: one line (or JSON object) per row as it settles, then
 * the summary.  Standard error: problems, pauses, created offerings, and
 * each retry of a row's job (also a JSON event).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-cli-batch.h"
#include "cd-cli-output.h"

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  g_print ("%s\n", text);
  /* One event at a time reaches a pipeline, as it happens. */
  fflush (stdout);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static const char *
json_result (const CdBatchRow *row,
             gboolean          dry_run)
{
  if (!dry_run || row->state != CD_BATCH_ROW_READY)
    return cd_batch_row_state_to_string (row->state);
  if (row->resume != NULL)
    return "would-follow";
  return row->create ? "would-create" : "would-import";
}

static void
print_row_json (CdCliBatch       *run,
                const CdBatchRow *row)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "event", run->dry_run ? "check" : "row");
  add_int (builder, "row", row->index + 1);
  add_int (builder, "line", row->plan_row->line);
  add_string (builder, "result", json_result (row, run->dry_run));
  add_string (builder, "package", row->plan_row->package);
  json_builder_set_member_name (builder, "offering_id");
  if (row->offering_id > 0)
    json_builder_add_int_value (builder, row->offering_id);
  else
    json_builder_add_null_value (builder);
  add_string (builder, "offering_code", row->offering_code);
  add_string (builder, "token", row->token);
  add_string (builder, "status", row->status);
  add_int (builder, "warnings", row->warnings);
  add_int (builder, "errors", row->errors);
  add_string (builder, "message", row->message);
  json_builder_end_object (builder);

  print_json (builder);
}

static char *
describe_offering (const CdBatchRow *row)
{
  if (row->offering_id > 0)
    return g_strdup_printf ("%s (%" PRId64 ")", row->offering_code ? row->offering_code : "?",
                            row->offering_id);
  return g_strdup (row->offering_code ? row->offering_code : "?");
}

static void
print_dry_run_row (const CdBatchRow *row)
{
  g_autofree char *offering = describe_offering (row);
  const CdPlanRow *plan = row->plan_row;

  if (row->state == CD_BATCH_ROW_SKIPPED)
    g_print (_("line %u: skip %s into %s: %s\n"), plan->line, row->package_name, offering,
             row->message);
  else if (row->resume != NULL)
    g_print (_("line %u: would follow job %s (%s into %s)\n"), plan->line, row->token,
             row->package_name, offering);
  else if (row->create)
    g_print (_("line %u: would create offering %s “%s” from template %s, then import %s\n"),
             plan->line, plan->code, plan->name, plan->template, row->package_name);
  else
    g_print (_("line %u: would import %s into %s\n"), plan->line, row->package_name, offering);
}

static void
print_result_row (const CdBatchRow *row)
{
  g_autofree char *offering = describe_offering (row);
  guint line = row->plan_row->line;

  switch (row->state)
    {
    case CD_BATCH_ROW_IMPORTED:
      g_print (_("line %u: imported %s into %s (job %s; warnings: %u, errors: %u)\n"), line,
               row->package_name, offering, row->token, row->warnings, row->errors);
      break;
    case CD_BATCH_ROW_SKIPPED:
      g_print (_("line %u: skipped %s into %s: %s\n"), line, row->package_name, offering,
               row->message);
      break;
    case CD_BATCH_ROW_FAILED:
      g_print (_("line %u: failed %s into %s: %s\n"), line, row->package_name, offering,
               row->message ? row->message : "?");
      break;
    case CD_BATCH_ROW_UNFINISHED:
      g_print (_("line %u: unfinished %s into %s%s%s: %s\n"), line, row->package_name, offering,
               row->token ? _(", job ") : "", row->token ? row->token : "",
               row->message ? row->message : "?");
      break;
    case CD_BATCH_ROW_PENDING:
    case CD_BATCH_ROW_INVALID:
    case CD_BATCH_ROW_READY:
    case CD_BATCH_ROW_RUNNING:
    default:
      break;
    }
}

/* A row settled: print it once, as it ends. */
void
cd_cli_batch_print_row (CdCliBatch       *run,
                        const CdBatchRow *row)
{
  if (row->state == CD_BATCH_ROW_INVALID)
    {
      g_printerr ("%s:%u: %s\n", run->plan_name, row->plan_row->line, row->message);
      if (run->json)
        print_row_json (run, row);
      return;
    }

  if (run->dry_run && (row->state == CD_BATCH_ROW_READY || row->state == CD_BATCH_ROW_SKIPPED))
    {
      if (run->json)
        print_row_json (run, row);
      else
        print_dry_run_row (row);
      return;
    }

  /* Skipped rows are told when the run starts, not before the whole plan passed. */
  if (run->dry_run || run->checking || row->state == CD_BATCH_ROW_READY ||
      row->state == CD_BATCH_ROW_PENDING)
    return;

  if (row->state == CD_BATCH_ROW_RUNNING)
    {
      g_printerr (_("line %u: importing %s…\n"), row->plan_row->line, row->package_name);
      return;
    }

  if (run->json)
    print_row_json (run, row);
  else
    print_result_row (row);
}

void
cd_cli_batch_print_offering (CdCliBatch       *run,
                             const CdBatchRow *row,
                             gboolean          created)
{
  g_autoptr(JsonBuilder) builder = NULL;

  /* Once per offering, although several rows may name it. */
  if (g_hash_table_contains (run->offerings_told, row->offering_code))
    return;
  g_hash_table_add (run->offerings_told, g_strdup (row->offering_code));

  g_printerr (created ? _("Created course offering %s (%" PRId64 ").\n")
                      : _("Course offering %s already exists (%" PRId64 "); using it.\n"),
              row->offering_code, row->offering_id);
  if (!run->json)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "event", "offering");
  add_int (builder, "row", row->index + 1);
  add_int (builder, "line", row->plan_row->line);
  add_string (builder, "code", row->offering_code);
  add_int (builder, "offering_id", row->offering_id);
  json_builder_set_member_name (builder, "created");
  json_builder_add_boolean_value (builder, created);
  json_builder_end_object (builder);
  print_json (builder);
}

/* Once per attempt of a row's job that got no (good) answer: which row,
 * what is wrong and when it tries again, in import's words. */
void
cd_cli_batch_print_retry (CdCliBatch       *run,
                          const CdBatchRow *row,
                          CdImportJob      *job)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *safe = NULL;
  g_autofree char *package = NULL;

  if (run->json)
    {
      builder = json_builder_new ();
      json_builder_begin_object (builder);
      add_string (builder, "event", "retrying");
      add_int (builder, "row", row->index + 1);
      add_int (builder, "line", row->plan_row->line);
      add_string (builder, "package", row->plan_row->package);
    }

  if (!(safe = cd_cli_describe_retry (job, builder)))
    return;

  package = cd_cli_escape (row->package_name);
  /* Translators: a line of the plan, its package, and what is wrong with
   * its import, e.g. “Cannot reach HOST: connection refused. Retrying in 8 s…”. */
  g_printerr (_("line %u: %s: %s\n"), row->plan_row->line, package, safe);

  if (builder != NULL)
    {
      json_builder_end_object (builder);
      print_json (builder);
    }
}

void
cd_cli_batch_print_paused (CdCliBatch *run,
                           guint       seconds)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_printerr (_("Brightspace asked Coursedrop to slow down; no new import starts for %u s.\n"),
              seconds);
  if (!run->json)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "event", "paused");
  add_int (builder, "seconds", seconds);
  json_builder_end_object (builder);
  print_json (builder);
}

void
cd_cli_batch_print_summary (CdCliBatch *run,
                            guint       imported,
                            guint       failed,
                            guint       skipped,
                            guint       unfinished)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (!run->json)
    {
      if (unfinished > 0)
        g_print (_("%u imported, %u failed, %u skipped, %u unfinished\n"), imported, failed,
                 skipped, unfinished);
      else
        g_print (_("%u imported, %u failed, %u skipped\n"), imported, failed, skipped);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "event", "summary");
  add_int (builder, "imported", imported);
  add_int (builder, "failed", failed);
  add_int (builder, "skipped", skipped);
  add_int (builder, "unfinished", unfinished);
  json_builder_end_object (builder);
  print_json (builder);
}
