/* cd-test-proxy.h: a TCP proxy in front of the sandbox that can go away
 *
 * The sandbox keeps its jobs only while it runs, so a test that needs
 * "Brightspace refuses connections for a while, then answers again about
 * the same jobs" cannot stop it.  The proxy can: cd_test_proxy_refuse()
 * closes its port and every connection through it (the CLI gets
 * "connection refused"), cd_test_proxy_accept_again() listens on the same
 * port again.  (tests/gui/cd_proxy.py is the same for the GUI tests.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CdTestProxy CdTestProxy;

/* Listens on a free 127.0.0.1 port and passes everything on to @target_url
 * ("http://127.0.0.1:PORT"). */
CdTestProxy *cd_test_proxy_new          (const char  *target_url);
/* "http://127.0.0.1:PORT" of the proxy. */
const char  *cd_test_proxy_get_url      (CdTestProxy *proxy);
/* Connections accepted so far (refused ones too: those are closed at once). */
guint        cd_test_proxy_get_accepted (CdTestProxy *proxy);
void         cd_test_proxy_refuse       (CdTestProxy *proxy);
void         cd_test_proxy_accept_again (CdTestProxy *proxy);
void         cd_test_proxy_free         (CdTestProxy *proxy);

G_END_DECLS
