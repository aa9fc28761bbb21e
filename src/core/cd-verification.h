/* cd-verification.h: did what the package holds arrive in the offering?
 *
 * Brightspace imports append, convert and may skip what they cannot
 * convert, so a COMPLETED job says little about the course.  Verification
 * compares what an import *added* (a snapshot of the offering after it,
 * minus one before it) with what the package preview expected
 * (packages-and-verification.md §3.4).  The expectation is a heuristic:
 * Brightspace does not publish its conversion rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "cd-package-preview.h"

G_BEGIN_DECLS

/* One thing in an offering or a package: a module, a topic, a quiz… */
typedef struct
{
  char              *title;  /* as shown (valid UTF-8) */
  char              *key;    /* cd_verification_normalize_title (title) */
  CdPackageItemType  type;
} CdContentItem;

CdContentItem *cd_content_item_new  (CdPackageItemType  type,
                                     const char        *title);
void           cd_content_item_free (CdContentItem     *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdContentItem, cd_content_item_free)

/* What an offering held at one moment: the content TOC's modules and
 * topics, the quizzes, the assignment folders and the discussion topics. */
typedef struct
{
  GPtrArray *items;   /* (owned) (element-type CdContentItem) */
  GPtrArray *broken;  /* (owned) (element-type CdContentItem): topics marked IsBroken */
} CdContentSnapshot;

CdContentSnapshot *cd_content_snapshot_new        (void) G_GNUC_WARN_UNUSED_RESULT;
void               cd_content_snapshot_free       (CdContentSnapshot *self);
void               cd_content_snapshot_add        (CdContentSnapshot *self,
                                                   CdPackageItemType  type,
                                                   const char        *title);
void               cd_content_snapshot_add_broken (CdContentSnapshot *self,
                                                   CdPackageItemType  type,
                                                   const char        *title);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdContentSnapshot, cd_content_snapshot_free)

/* The outcome of a verification. */
typedef struct
{
  char      *not_verified;  /* (nullable): why there is no result (then the rest is empty) */
  guint      expected;
  guint      arrived;
  GPtrArray *missing;       /* (owned) (element-type CdContentItem) */
  GPtrArray *broken;        /* (owned) (element-type CdContentItem): added topics IsBroken */
  GPtrArray *warnings;      /* (owned) (element-type utf8): the import log's warnings/errors */
} CdVerification;

CdVerification *cd_verification_new_not_verified (const char        *reason) G_GNUC_WARN_UNUSED_RESULT;
void            cd_verification_free             (CdVerification    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdVerification, cd_verification_free)

/* Trimmed, whitespace collapsed, HTML entities decoded, case-folded;
 * never NULL, whatever @title holds. */
char           *cd_verification_normalize_title  (const char        *title) G_GNUC_WARN_UNUSED_RESULT;

/* What the package should add, from its preview's outline (question banks
 * and untitled nodes cannot be checked, so they are left out).
 * Returns: (transfer full) (element-type CdContentItem) */
GPtrArray      *cd_verification_expected         (CdPackagePreview  *preview) G_GNUC_WARN_UNUSED_RESULT;

/* @logs: (nullable) (element-type CdImportLogEntry): the job's log. */
CdVerification *cd_verification_compare          (CdPackagePreview  *preview,
                                                  CdContentSnapshot *before,
                                                  CdContentSnapshot *after,
                                                  GPtrArray         *logs) G_GNUC_WARN_UNUSED_RESULT;

/* { arrived, expected, missing: [{title, type}], broken: [{title, type}],
 * warnings: [string] } or { not_verified: reason }: the journal's form. */
JsonNode       *cd_verification_to_json          (CdVerification    *self) G_GNUC_WARN_UNUSED_RESULT;
/* Reads what cd_verification_to_json() wrote, whatever the file now holds;
 * NULL when it is not such an object. */
CdVerification *cd_verification_from_json        (JsonNode          *node) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
