/* cd-new-import-private.h: what the parts of CdNewImport share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-course-search.h"
#include "cd-new-import.h"
#include "cd-package-outline.h"

G_BEGIN_DECLS

typedef enum {
  LOOKUP_NONE,
  LOOKUP_INVALID,
  LOOKUP_WAITING,
  LOOKUP_CHOOSING,
  LOOKUP_FOUND,
  LOOKUP_FAILED,
} LookupState;

struct _CdNewImport
{
  AdwBin        parent_instance;

  /* Template widgets */
  AdwActionRow *package_row;
  GtkSpinner   *check_spinner;
  GtkImage     *check_icon;
  AdwEntryRow  *offering_row;
  GtkSpinner   *lookup_spinner;
  GtkButton    *new_offering_button;
  CdCourseSearch *course_search;
  AdwActionRow *course_row;
  GtkImage     *course_icon;
  GtkButton    *discard_button;
  GtkButton    *import_button;
  CdPackageOutline *outline;

  /* Owned */
  CdPackage    *package;
  CdClient     *client;             /* (nullable) */
  CdOrgUnits   *org_units;          /* (nullable): with the client */
  GCancellable *check_cancellable;  /* cancelled on dispose only */
  GCancellable *lookup_cancellable; /* (nullable): the lookup in flight */
  char         *offering_name;
  CdPackagePreview *preview;        /* (nullable): until read, or when refused */
  guint         lookup_timeout;

  gint64        offering_id;        /* 0 while the field holds no valid ID */
  LookupState   lookup_state;
  guint         checked : 1;
  guint         busy : 1;
  guint         ready : 1;
  guint         setting_text : 1;   /* the field shows what was picked */
};

/* cd-new-import.c */
void _cd_new_import_update_ready       (CdNewImport  *self);
void _cd_new_import_emit_client_error  (CdNewImport  *self,
                                        CdClient     *client,
                                        const GError *error);

/* cd-new-import-offering.c */
void _cd_new_import_offering_class_init (GtkWidgetClass *widget_class);
void _cd_new_import_offering_init       (CdNewImport    *self);
void _cd_new_import_cancel_lookup       (CdNewImport    *self);

G_END_DECLS
