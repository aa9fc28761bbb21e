/* cd-sandbox-orgunits.h: org units, course creation and limits in the sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-sandbox.h"

G_BEGIN_DECLS

/* Course templates and semesters: "ID:NAME;CODE".  The first call of each
 * replaces that kind's defaults. */
gboolean    cd_sandbox_add_template            (CdSandbox   *self,
                                                const char  *spec,
                                                GError     **error);
gboolean    cd_sandbox_add_semester            (CdSandbox   *self,
                                                const char  *spec,
                                                GError     **error);
/* "OFFERING_ID=SEMESTER_ID": the offering's details (GET courses/(id))
 * name that semester; both must exist already. */
gboolean    cd_sandbox_set_offering_semester   (CdSandbox   *self,
                                                const char  *spec,
                                                GError     **error);
/* Adds @count offerings "Generated Course NNNNN" with codes "GEN-NNNNN"
 * (IDs from 100001), for tests and benchmarks of large tenants. */
void        cd_sandbox_generate_offerings      (CdSandbox   *self,
                                                guint        count);
/* Items per page of GET …/orgstructure/ (default 2, so that clients must
 * follow bookmarks). */
void        cd_sandbox_set_orgstructure_page_size (CdSandbox *self,
                                                   guint      page_size);
/* Import POSTs beyond @limit jobs not in a final status get 429 with
 * Retry-After: 1 (0: no limit). */
void        cd_sandbox_set_max_concurrent_imports (CdSandbox *self,
                                                   guint      limit);
/* Signed requests beyond @per_second in one second get 429 with a
 * Retry-After (0: no limit). */
void        cd_sandbox_set_rate_limit          (CdSandbox   *self,
                                                guint        per_second);
/* The next @count course creations happen, but their answer is dropped:
 * the connection closes as if the network failed. */
void        cd_sandbox_drop_create_answers     (CdSandbox   *self,
                                                guint        count);

/* Counters for tests (also GET /_sandbox/orgunits). */
guint       cd_sandbox_get_course_posts        (CdSandbox   *self);
guint       cd_sandbox_get_courses_created     (CdSandbox   *self);
guint       cd_sandbox_get_max_concurrent_imports (CdSandbox *self);
guint       cd_sandbox_get_answers_dropped     (CdSandbox   *self);

G_END_DECLS
