/* cd-demo-credentials.h: the keys coursedrop-sandbox accepts by default
 *
 * A copy of CD_SANDBOX_DEFAULT_* in src/sandbox/cd-sandbox.h, because the
 * app does not include the sandbox (see docs/architecture.md); the GUI
 * test checks that both stay the same.  Demo keys for a local test
 * server: they protect nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define CD_DEMO_APP_ID   "CoursedropDemoApp"
#define CD_DEMO_APP_KEY  "demo-app-key-not-secret"
#define CD_DEMO_USER_ID  "CoursedropDemoUser"
#define CD_DEMO_USER_KEY "demo-user-key-not-secret"
