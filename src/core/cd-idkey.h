/* cd-idkey.h: D2L Valence ID-Key request signing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CD_IDKEY_ERROR (cd_idkey_error_quark ())

typedef enum {
  CD_IDKEY_ERROR_INVALID_URL,
  CD_IDKEY_ERROR_MISSING_USER_ID,
  CD_IDKEY_ERROR_MISSING_USER_KEY,
} CdIdKeyError;

GQuark cd_idkey_error_quark (void);

/* Primitives (valence-idkey.md §2, §3.1). */
char     *cd_idkey_sign                  (const char  *key,
                                          const char  *message);
char     *cd_idkey_canonical_path        (const char  *path_and_query);
char     *cd_idkey_base_string           (const char  *method,
                                          const char  *path_and_query,
                                          gint64       timestamp);
gboolean  cd_idkey_signature_equal       (const char  *a,
                                          const char  *b);
gboolean  cd_idkey_parse_timestamp_error (const char  *body,
                                          gint64      *server_time);

/* The largest clock skew believed: beyond it a server's clock is broken
 * or hostile (ten years, in seconds). */
#define CD_IDKEY_MAX_SKEW ((gint64) 10 * 366 * 24 * 60 * 60)

/* The skew (@server_time - @now, in seconds) without overflow; FALSE when
 * it lies beyond ±CD_IDKEY_MAX_SKEW. */
gboolean  cd_idkey_skew_from_server_time (gint64       server_time,
                                          gint64       now,
                                          gint64      *skew);

/* The browser sign-in flow (valence-idkey.md §5). */
char     *cd_idkey_build_auth_url        (const char  *base_url,
                                          const char  *app_id,
                                          const char  *app_key,
                                          const char  *target,
                                          gboolean     mobile);
gboolean  cd_idkey_parse_callback        (const char  *uri,
                                          char       **user_id,
                                          char       **user_key,
                                          GError     **error);

/* A signing context: the app's and (optionally) the user's credentials and
 * the clock skew learnt from the server.  Anonymous when it has no user. */
#define CD_TYPE_IDKEY_CONTEXT (cd_idkey_context_get_type ())

typedef struct _CdIdKeyContext CdIdKeyContext;

GType           cd_idkey_context_get_type      (void) G_GNUC_CONST;
CdIdKeyContext *cd_idkey_context_new           (const char           *app_id,
                                                const char           *app_key,
                                                const char           *user_id,
                                                const char           *user_key);
CdIdKeyContext *cd_idkey_context_copy          (const CdIdKeyContext *self);
void            cd_idkey_context_free          (CdIdKeyContext       *self);
const char     *cd_idkey_context_get_app_id    (const CdIdKeyContext *self);
const char     *cd_idkey_context_get_user_id   (const CdIdKeyContext *self);
gboolean        cd_idkey_context_is_anonymous  (const CdIdKeyContext *self);
gint64          cd_idkey_context_get_skew      (const CdIdKeyContext *self);
void            cd_idkey_context_set_skew      (CdIdKeyContext       *self,
                                                gint64                skew_seconds);
gint64          cd_idkey_context_now           (const CdIdKeyContext *self);
char           *cd_idkey_context_sign_query    (const CdIdKeyContext *self,
                                                const char           *method,
                                                const char           *path_and_query,
                                                gint64                timestamp);
char           *cd_idkey_context_build_url     (const CdIdKeyContext *self,
                                                const char           *base_url,
                                                const char           *method,
                                                const char           *path_and_query,
                                                gint64                timestamp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdIdKeyContext, cd_idkey_context_free)

/* Replaces every x_* query value in @text with "REDACTED", for logs. */
char *cd_idkey_redact (const char *text);

G_END_DECLS
