/* cd-webkit-signin.h: the embedded sign-in window, a loadable module
 *
 * WebKitGTK costs about 170 ms and 37 MB the moment it is linked, so the
 * window lives in its own module (coursedrop-webkit.so, built with the
 * `webkit` feature) that the Account window opens only when a sign-in
 * needs it: an OAuth redirect URI on https, which neither a loopback
 * listener nor the desktop can catch (oauth2.md §1.4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CD_WEBKIT_SIGNIN_MODULE "coursedrop-webkit.so"
#define CD_WEBKIT_SIGNIN_SYMBOL "cd_webkit_signin_new"

/* A window that loads @url (the authorization endpoint) and stops at the
 * first navigation to @redirect_uri (same scheme, host, port and path),
 * which it never loads: it emits "redirected" with the whole address,
 * code and state included, and closes.  Closed any other way it emits
 * "cancelled".  Cookies and storage live in memory only, so nothing of
 * the sign-in stays on disk.  (transfer floating, like any GtkWindow) */
typedef GtkWindow *(*CdWebkitSigninNew) (GtkWindow  *parent,
                                         const char *url,
                                         const char *redirect_uri);

GtkWindow *cd_webkit_signin_new (GtkWindow  *parent,
                                 const char *url,
                                 const char *redirect_uri);

G_END_DECLS
