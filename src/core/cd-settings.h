/* cd-settings.h: the app's GSettings, when its schema is installed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* (transfer full) (nullable): NULL when the schema is not installed (a
 * build run from the source tree), so nothing is remembered instead of
 * g_settings_new() aborting. */
GSettings *cd_settings_open                    (void) G_GNUC_WARN_UNUSED_RESULT;

/* trusted-certificates holds "host=FINGERPRINT" entries, the host as
 * cd_certificate_host_for_url() writes it.  (transfer full) (nullable):
 * the canonical fingerprint trusted for @host_url. */
char      *cd_settings_dup_trusted_certificate (GSettings  *settings,
                                                const char *host_url);
/* Replaces the entry of @host_url; @sha256 NULL removes it.  FALSE with
 * @error when @sha256 is not a fingerprint or @host_url not a URL. */
gboolean   cd_settings_set_trusted_certificate (GSettings  *settings,
                                                const char *host_url,
                                                const char *sha256,
                                                GError    **error);

G_END_DECLS
