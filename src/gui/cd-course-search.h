/* cd-course-search.h: the course offerings that match what was typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-org-units.h"

G_BEGIN_DECLS

#define CD_TYPE_COURSE_SEARCH (cd_course_search_get_type ())

G_DECLARE_FINAL_TYPE (CdCourseSearch, cd_course_search, CD, COURSE_SEARCH, AdwBin)

CdCourseSearch  *cd_course_search_new            (void) G_GNUC_WARN_UNUSED_RESULT;
/* (nullable): without org units nothing is searched. */
void             cd_course_search_set_org_units  (CdCourseSearch *self,
                                                  CdOrgUnits     *org_units);
/* Searches names and codes for @text once typing pauses; a newer call
 * cancels the search in flight.  Emits ::finished, or ::chosen (automatic)
 * when exactly one offering has @text as its code.  After ::finished, the
 * first matches gain their semester as it comes. */
void             cd_course_search_search         (CdCourseSearch *self,
                                                  const char     *text);
/* Stops searching and hides the matches. */
void             cd_course_search_clear          (CdCourseSearch *self);
/* Moves the keyboard focus to the first match; FALSE when none is shown. */
gboolean         cd_course_search_focus_first    (CdCourseSearch *self);
/* (nullable): the match when exactly one is shown. */
const CdOrgUnit *cd_course_search_get_single     (CdCourseSearch *self);
/* Emits ::chosen for @unit as if it had been picked. */
void             cd_course_search_choose         (CdCourseSearch  *self,
                                                  const CdOrgUnit *unit);

G_END_DECLS
