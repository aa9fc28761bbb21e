/* signin-test-util.h: the fixture, the test's browser and the keyring
 * and settings helpers shared by the sign-in tests
 *
 * The tests run under tests/keyring/run-with-keyring.sh: a private session
 * bus with a fresh, unlocked gnome-keyring.  They play the browser with
 * their own SoupSession against the in-process sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cd-account.h"
#include "cd-sandbox.h"
#include "cd-signin.h"

typedef struct
{
  CdSandbox   *sandbox;
  SoupSession *browser;
  CdSignIn    *signin;
  char        *callback_url;
  guint16      port;
} Fixture;

typedef struct
{
  gboolean  auto_approve;
  gboolean  trusted_url;
} Setup;

extern const Setup auto_approve;
extern const Setup consent;
extern const Setup any_target;

/* What the browser saw at the end of its redirects. */
typedef struct
{
  gboolean  done;
  guint     status;
  char     *body;
  char     *final_path;
} Page;

void
fixture_setup (Fixture       *f,
               gconstpointer  data);

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data);

void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data);

void
iterate_until (gboolean *done);

GAsyncResult *
await (GAsyncResult **slot);

void
page_clear (Page *page);

/* Starts a browser request; follows redirects like a browser does. */
void
browse (Fixture    *f,
        const char *method,
        const char *url,
        const char *form,
        Page       *page);

char *
start_signin (Fixture *f);

/* Plays the whole flow with auto-approve; returns the new account. */
CdAccount *
sign_in (Fixture  *f,
         GError  **error);

char *
lookup_user_key (const char *host);

char *
saved_string (const char *key);

guint
status_of (Fixture    *f,
           const char *method,
           const char *url,
           const char *form);

char *
callback_with (Fixture    *f,
               const char *query);

/* g_test_init() with isolated dirs; says so when not under the keyring
 * wrapper. */
void
signin_test_init (int    *argc,
                  char ***argv);
