/* cd-sandbox-content-private.h: what imports added to the sandbox's
 * offerings, shared by cd-sandbox-content.c (adding) and
 * cd-sandbox-content-routes.c (listing)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-sandbox-private.h"

G_BEGIN_DECLS

typedef struct
{
  gint64     id;
  char      *title;
  int        activity_type;   /* ACTIVITYTYPE_T */
  const char *type_identifier;
  gboolean   broken;
} SandboxTopic;

typedef struct _SandboxModule SandboxModule;
struct _SandboxModule
{
  gint64     id;
  char      *title;
  GPtrArray *modules;  /* SandboxModule */
  GPtrArray *topics;   /* SandboxTopic */
};

typedef struct
{
  gint64     id;
  char      *name;
  GPtrArray *topics;   /* SandboxNamed */
} SandboxNamed;

typedef struct
{
  GPtrArray *modules;  /* SandboxModule */
  GPtrArray *quizzes;  /* SandboxNamed */
  GPtrArray *folders;  /* SandboxNamed */
  GPtrArray *forums;   /* SandboxNamed, with topics */
} SandboxCourse;

typedef struct
{
  GHashTable *courses;  /* gint64* → SandboxCourse */
  GHashTable *drop;     /* normalised titles */
  GHashTable *broken;   /* normalised titles */
  gint64      next_id;
  guint       requests;
} SandboxContent;

SandboxContent  *_cd_sandbox_content_state         (CdSandbox *self);
SandboxCourse *_cd_sandbox_content_course        (SandboxContent     *state,
                                           gint64     org_unit_id);
/* Adds what the offering's COMPLETED jobs bring, once each, in order. */
void    _cd_sandbox_content_add_completed (CdSandbox      *self,
                                           SandboxContent *state,
                                           gint64          org_unit_id);

G_END_DECLS
