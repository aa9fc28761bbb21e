/* login-test-util.h: the sandbox with a callback port, launchers, the
 * browser for `coursedrop-cli login` and the checks that no key leaks,
 * shared by the coursedrop-cli login tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-credentials.h"
#include "cd-test-util.h"

typedef struct
{
  CdTestSandbox *sandbox;
  char          *callback_url;
  guint16        port;
  char          *logdir;   /* outside HOME: stderr of spawned commands */
  char          *cert;     /* (nullable): the --tls sandbox's certificate */
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

void
fixture_setup (Fixture       *f,
               gconstpointer  data);

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data);

GSubprocessLauncher *
bare_launcher (void);

GSubprocessLauncher *
app_launcher (void);

void
assert_no_keys (const char *where,
                const char *text,
                gsize       len);

guint
assert_no_keys_in_tree (const char *path);

void
result_clear (Result *result);

char *
read_file (const char *path);

void
run_login (Fixture             *f,
           GSubprocessLauncher *launcher,
           guint                page_status,
           Result              *result,
           const char          *first_arg,
           ...);

char *
keyfile_contents (void);

char *
lookup (CdCredentialKind  kind,
        const char       *host);

char *
secret_tool_user_keys (void);
