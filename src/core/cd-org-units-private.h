/* cd-org-units-private.h: what cd-org-units*.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-json.h"
#include "cd-org-units.h"
#include "cd-validate.h"

G_BEGIN_DECLS

struct _CdOrgUnits
{
  GObject    parent_instance;

  CdClient  *client;
  gint64     type_ids[CD_ORG_UNIT_SEMESTER + 1];  /* 0: the tenant has none */
  gboolean   types_known;
  GHashTable *semesters;  /* &offering ID → CdOrgUnit, or NULL: none */
};

typedef void (*CdOrgUnitsThen) (GTask *task);

/* Runs @then once the type IDs are known, or returns the error on @task. */
void        _cd_org_units_with_types  (CdOrgUnits     *self,
                                       GTask          *task,
                                       CdOrgUnitsThen  then);
gboolean    _cd_org_units_type_id     (CdOrgUnits     *self,
                                       CdOrgUnitKind   kind,
                                       gint64         *id,
                                       GError        **error);
gint64      _cd_org_units_json_id     (JsonObject     *object,
                                       const char     *member);
const char *_cd_org_units_kind_label  (CdOrgUnitKind   kind);
/* An OrgUnitProperties or OrgUnit block of @kind (by its type's Code),
 * or NULL. */
CdOrgUnit  *_cd_org_units_unit_from_json (JsonNode     *node,
                                          CdOrgUnitKind kind);
GError     *_cd_org_units_bad_reply   (void);

G_END_DECLS
