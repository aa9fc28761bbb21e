/* cd-sandbox-orgunits-private.h: what the sandbox's org-unit files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-sandbox-private.h"

G_BEGIN_DECLS

enum { TYPE_ORG = 1, TYPE_TEMPLATE = 2, TYPE_OFFERING = 3, TYPE_GROUP = 4, TYPE_SEMESTER = 5,
       TYPE_SECTION = 101 };

typedef struct
{
  gint64  id;
  int     type;
  char   *name;
  char   *code;
} Unit;

struct _CdSandboxOrgUnits
{
  GPtrArray  *templates;        /* Unit */
  GPtrArray  *semesters;        /* Unit */
  gboolean    custom_templates;
  gboolean    custom_semesters;
  gint64      next_id;

  guint       page_size;
  guint       max_imports;
  guint       rate_limit;
  guint       drop_answers;

  GHashTable *inflight;         /* uploads not answered yet (SoupServerMessage*) */
  gint64      window;           /* the current second of the rate limit */
  guint       window_count;

  guint       course_posts;
  guint       courses_created;
  guint       answers_dropped;
  guint       max_seen;
  guint       import_refusals;
  guint       rate_refusals;
};

typedef gboolean (*CdSandboxUnitFilter) (const Unit *unit,
                                         gpointer    data);

/* cd-sandbox-orgunits.c */
GPtrArray  *_cd_sandbox_units_collect          (CdSandbox           *self,
                                                CdSandboxUnitFilter  filter,
                                                gpointer             data);
const Unit *_cd_sandbox_units_find             (GPtrArray           *units,
                                                gint64               id);
gboolean    _cd_sandbox_units_equal            (const char          *a,
                                                const char          *b);
void        _cd_sandbox_units_insert_offering  (CdSandbox           *self,
                                                gint64               id,
                                                const char          *name,
                                                const char          *code);
void        _cd_sandbox_units_bad_request      (SoupServerMessage   *msg,
                                                const char          *text);

/* cd-sandbox-courses.c: POST /d2l/api/lp/(v)/courses/ */
/* The @member of a Course.CourseOffering: a BasicOrgUnit of the semester
 * with @semester_id, or null. */
void        _cd_sandbox_units_add_semester     (CdSandbox           *self,
                                                JsonBuilder         *builder,
                                                const char          *member,
                                                gint64               semester_id);
void        _cd_sandbox_units_create           (CdSandbox           *self,
                                                SoupServerMessage   *msg,
                                                const char          *version);

G_END_DECLS
