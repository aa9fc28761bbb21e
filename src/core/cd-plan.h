/* cd-plan.h: a migration plan, read from CSV
 *
 * One row per import: a package, and the offering it goes into, either
 * an existing one ("offering": ID or code:CODE) or one to create from a
 * template ("code", "name", "template", optional "semester", "start",
 * "end").  Every problem carries the line it is on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The known columns, in the order the help lists them. */
#define CD_PLAN_COLUMNS "package, offering, code, name, template, semester, start, end"

typedef struct
{
  guint  line;      /* where the row starts in the file, from 1 */
  char  *package;   /* absolute: relative paths resolve against the plan's folder */
  char  *offering;  /* (nullable) "ID" or "code:CODE" */
  /* A new offering, when there is no "offering": */
  char  *code;      /* (nullable) */
  char  *name;      /* (nullable) */
  char  *template;  /* (nullable) "ID" or "code:CODE" */
  char  *semester;  /* (nullable) */
  char  *start;     /* (nullable) as written; valid (cd_org_units_parse_date) */
  char  *end;       /* (nullable) */
} CdPlanRow;

typedef struct
{
  guint  line;      /* 0: the file as a whole */
  char  *message;
} CdPlanProblem;

#define CD_TYPE_PLAN (cd_plan_get_type ())

G_DECLARE_FINAL_TYPE (CdPlan, cd_plan, CD, PLAN, GObject)

/* NULL only when the file cannot be read; a plan with problems has
 * cd_plan_get_problems() non-empty and only the rows that are fine. */
CdPlan          *cd_plan_new_from_file  (const char  *path,
                                         GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* @base_dir: where relative package paths start. */
CdPlan          *cd_plan_new_from_data  (const char  *data,
                                         gsize        length,
                                         const char  *base_dir) G_GNUC_WARN_UNUSED_RESULT;

guint            cd_plan_get_n_rows     (CdPlan      *self);
const CdPlanRow *cd_plan_get_row        (CdPlan      *self,
                                         guint        index);
/* (element-type CdPlanProblem), in line order. */
GPtrArray       *cd_plan_get_problems   (CdPlan      *self);
/* "line 4: …" or the message alone for line 0. (transfer full) */
char            *cd_plan_problem_format (const CdPlanProblem *problem);

G_END_DECLS
