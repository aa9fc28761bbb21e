/* cd-client-imports.h: the Valence course import routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client.h"
#include "cd-import-status.h"
#include "cd-upload.h"

G_BEGIN_DECLS

/* POST /d2l/api/le/{le}/import/(ou)/imports/ with the package streamed from
 * disk on a worker thread.  Never replayed automatically, except after a
 * "Timestamp out of range" refusal, which comes before the server acts.
 * Returns (transfer full) the job token. */
void        cd_client_start_import_async       (CdClient              *self,
                                                GFile                 *package,
                                                gint64                 org_unit_id,
                                                const char            *callback_url,
                                                CdUploadProgressFunc   progress,
                                                gpointer               progress_data,
                                                GDestroyNotify         progress_destroy,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
char       *cd_client_start_import_finish      (CdClient              *self,
                                                GAsyncResult          *result,
                                                GError               **error);

/* (nullable): the SHA-256 of the package as sent (see cd-upload.h). */
const char *cd_client_start_import_get_sha256  (GAsyncResult          *result);
const char *cd_client_start_import_get_quick_key (GAsyncResult        *result);

/* GET .../imports/(token), tried once: the job's poller owns the retries.
 * Returns (transfer full) the Status word as Brightspace spelled it;
 * @retry_after_ms gets a 429's Retry-After (0 if none). */
void        cd_client_get_import_status_async  (CdClient              *self,
                                                gint64                 org_unit_id,
                                                const char            *token,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
char       *cd_client_get_import_status_finish (CdClient              *self,
                                                GAsyncResult          *result,
                                                guint                 *retry_after_ms,
                                                GError               **error);

/* Every page of GET .../imports/(token)/logs/.  Returns (transfer full)
 * (element-type CdImportLogEntry) the entries, errors and warnings first. */
void        cd_client_get_import_logs_async    (CdClient              *self,
                                                gint64                 org_unit_id,
                                                const char            *token,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
GPtrArray  *cd_client_get_import_logs_finish   (CdClient              *self,
                                                GAsyncResult          *result,
                                                GError               **error);

/* Whether @error is worth another try later (network, 5xx, 429, garbage). */
gboolean    cd_client_error_is_transient       (const GError          *error);

G_END_DECLS
