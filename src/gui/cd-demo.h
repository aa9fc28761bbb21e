/* cd-demo.h: the local Brightspace sandbox behind `coursedrop --demo`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cd-account.h"

G_BEGIN_DECLS

#define CD_TYPE_DEMO (cd_demo_get_type ())

G_DECLARE_FINAL_TYPE (CdDemo, cd_demo, CD, DEMO, GObject)

CdDemo     *cd_demo_new                 (void) G_GNUC_WARN_UNUSED_RESULT;

/* Starts coursedrop-sandbox and waits (asynchronously) for the address it
 * listens on.  Returns (transfer full) that address. */
void        cd_demo_start_async         (CdDemo               *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
char       *cd_demo_start_finish        (CdDemo               *self,
                                         GAsyncResult         *result,
                                         GError              **error);
/* Ends the sandbox, if it runs, and removes the demo's journal.  Also
 * done on dispose. */
void        cd_demo_stop                (CdDemo               *self);
/* The path of a journal of the demo's own, in a new temporary folder:
 * demo jobs must not mix with real ones. */
char       *cd_demo_create_journal      (CdDemo               *self,
                                         GError              **error);

/* An OAuth 2.0 account on the sandbox at @url, with the bearer token it
 * was started with (in memory only). */
CdAccount  *cd_demo_create_account      (CdDemo               *self,
                                         const char           *url,
                                         GError              **error) G_GNUC_WARN_UNUSED_RESULT;
/* (transfer full) (nullable): the sample IMS Common Cartridge we ship. */
GFile      *cd_demo_find_sample_package (void);

G_END_DECLS
