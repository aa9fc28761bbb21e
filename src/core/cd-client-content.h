/* cd-client-content.h: what an offering holds, as Brightspace lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client.h"
#include "cd-verification.h"

G_BEGIN_DECLS

/* A snapshot of offering @org_unit_id (packages-and-verification.md §3):
 * GET /d2l/api/le/{le}/(ou)/content/toc?ignoreModuleDateRestrictions=true
 * (modules and topics, IsBroken), …/quizzes/ (every page, by Next),
 * …/dropbox/folders/, …/discussions/forums/ and each forum's topics/.
 * Fails with the first call's error (CD_CLIENT_ERROR_FORBIDDEN when the
 * role or the app's scope may not read one of them).
 * Returns: (transfer full) */
void               cd_client_get_content_snapshot_async  (CdClient             *self,
                                                          gint64                org_unit_id,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
CdContentSnapshot *cd_client_get_content_snapshot_finish (CdClient             *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

/* The answers' readers, for tests; unknown members and values never
 * fail, a wrong shape does (CD_CLIENT_ERROR_BAD_RESPONSE). */
gboolean           cd_content_snapshot_add_toc           (CdContentSnapshot    *self,
                                                          JsonNode             *toc,
                                                          GError              **error);

/* The route of a quiz page's Next link, or NULL when it leads elsewhere
 * than this site's API (it would be signed with our keys). */
char              *cd_client_content_next_route          (CdClient             *client,
                                                          const char           *next) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
