/* cd-org-units.h: finding course offerings, templates and semesters, and
 * creating offerings without ever creating one twice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client.h"

G_BEGIN_DECLS

#define CD_ORG_UNITS_ERROR (cd_org_units_error_quark ())

typedef enum {
  CD_ORG_UNITS_ERROR_NOT_FOUND,   /* no org unit of that kind has this ID or code */
  CD_ORG_UNITS_ERROR_AMBIGUOUS,   /* several have this code: never pick one */
  CD_ORG_UNITS_ERROR_NO_TYPE,     /* the tenant has no org unit type with the standard code */
  CD_ORG_UNITS_ERROR_INVALID,     /* a reference, name or date that cannot be right */
} CdOrgUnitsError;

GQuark cd_org_units_error_quark (void);

/* Matched by the org unit type's Code ("Course Offering", "Course
 * Template", "Semester"), never its Name: tenants rename types. */
typedef enum {
  CD_ORG_UNIT_OFFERING,
  CD_ORG_UNIT_TEMPLATE,
  CD_ORG_UNIT_SEMESTER,
} CdOrgUnitKind;

#define CD_TYPE_ORG_UNIT (cd_org_unit_get_type ())

typedef struct
{
  gint64  id;
  char   *name;
  char   *code;
} CdOrgUnit;

GType      cd_org_unit_get_type (void) G_GNUC_CONST;
CdOrgUnit *cd_org_unit_new      (gint64           id,
                                 const char      *name,
                                 const char      *code);
CdOrgUnit *cd_org_unit_copy     (const CdOrgUnit *unit);
void       cd_org_unit_free     (CdOrgUnit       *unit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdOrgUnit, cd_org_unit_free)

/* What a new offering is made of.  @semester_id 0: none; @start/@end
 * (nullable). */
typedef struct
{
  const char *code;
  const char *name;
  gint64      template_id;
  gint64      semester_id;
  GDateTime  *start;
  GDateTime  *end;
} CdOfferingRequest;

#define CD_TYPE_ORG_UNITS (cd_org_units_get_type ())

G_DECLARE_FINAL_TYPE (CdOrgUnits, cd_org_units, CD, ORG_UNITS, GObject)

CdOrgUnits *cd_org_units_new                (CdClient       *client) G_GNUC_WARN_UNUSED_RESULT;
CdClient   *cd_org_units_get_client         (CdOrgUnits     *self);

/* "2026-09-01" (midnight UTC) or an ISO 8601 date and time. */
GDateTime  *cd_org_units_parse_date         (const char     *text,
                                             GError        **error);
/* "6606" or "code:BIO101": exactly one of @id (> 0) and @code is set. */
gboolean    cd_org_units_parse_reference    (const char     *text,
                                             gint64         *id,
                                             char          **code,
                                             GError        **error);

/* Every org unit of @kind whose name contains @name and whose code
 * contains @code (each nullable; case does not matter), following every
 * page.  (element-type CdOrgUnit) */
void        cd_org_units_search_async       (CdOrgUnits          *self,
                                             CdOrgUnitKind        kind,
                                             const char          *name,
                                             const char          *code,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray  *cd_org_units_search_finish      (CdOrgUnits          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Every org unit of @kind whose name OR code contains @text (case does
 * not matter), each once: exact code matches first, then by name.
 * (element-type CdOrgUnit) */
void        cd_org_units_search_text_async  (CdOrgUnits          *self,
                                             CdOrgUnitKind        kind,
                                             const char          *text,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray  *cd_org_units_search_text_finish (CdOrgUnits          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* The one org unit of @kind with exactly this code: NULL without an error
 * when there is none; CD_ORG_UNITS_ERROR_AMBIGUOUS when there are more. */
void        cd_org_units_find_by_code_async (CdOrgUnits          *self,
                                             CdOrgUnitKind        kind,
                                             const char          *code,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CdOrgUnit  *cd_org_units_find_by_code_finish (CdOrgUnits         *self,
                                              GAsyncResult       *result,
                                              GError            **error);

/* An org unit of @kind by reference ("ID" or "code:CODE"); NOT_FOUND when
 * none, or when the ID is an org unit of another kind. */
void        cd_org_units_resolve_async      (CdOrgUnits          *self,
                                             CdOrgUnitKind        kind,
                                             const char          *reference,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CdOrgUnit  *cd_org_units_resolve_finish     (CdOrgUnits          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Called as the semester of one offering becomes known: NULL when it has
 * none, or when the offering may not be seen (403, 404). */
typedef void (*CdOrgUnitsSemesterFunc) (gint64           offering_id,
                                        const CdOrgUnit *semester,
                                        gpointer         user_data);

/* The semester of each offering in @ids, which org-structure listings do
 * not carry: GET courses/(id), two at once, each answer kept
 * for the life of @self so that asking again sends nothing.  @each is
 * called once per offering as its answer comes (for kept ones before this
 * returns), never after @cancellable is cancelled; an offering whose fetch
 * fails (network, server) is skipped without a word.  Finishes once all
 * are done: TRUE, or G_IO_ERROR_CANCELLED. */
void        cd_org_units_fetch_semesters_async  (CdOrgUnits              *self,
                                                 const gint64            *ids,
                                                 guint                    n_ids,
                                                 CdOrgUnitsSemesterFunc   each,
                                                 gpointer                 each_data,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
gboolean    cd_org_units_fetch_semesters_finish (CdOrgUnits              *self,
                                                 GAsyncResult            *result,
                                                 GError                 **error);

/* Creates an offering unless one has the code already (then that one is
 * the result and *@created FALSE).  The code is checked here first; the
 * body follows the LP version (Description from 1.26, CanSelfRegister from
 * 1.27).  When the answer to the POST is lost, the code is looked up again
 * and the POST is never repeated: CD_CLIENT_ERROR_OUTCOME_UNKNOWN if the
 * offering still cannot be seen. */
void        cd_org_units_create_offering_async  (CdOrgUnits              *self,
                                                 const CdOfferingRequest *request,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
CdOrgUnit  *cd_org_units_create_offering_finish (CdOrgUnits              *self,
                                                 GAsyncResult            *result,
                                                 gboolean                *created,
                                                 GError                 **error);

G_END_DECLS
