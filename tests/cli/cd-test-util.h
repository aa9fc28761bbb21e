/* cd-test-util.h: run the real sandbox and the real CLI as processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;  /* (owned) */
  char        *url;      /* (owned) "http://127.0.0.1:PORT" */
  GThread     *drain;    /* (owned) reads the rest of stdout so it never blocks */
} CdTestSandbox;

/* Starts coursedrop-sandbox --port 0 with @args (NULL-terminated). */
CdTestSandbox *cd_test_sandbox_start (const char *first_arg, ...);
void           cd_test_sandbox_stop  (CdTestSandbox *sandbox);

typedef struct
{
  int   status;   /* exit status, or 128 + signal */
  char *out;      /* (owned) stdout */
  char *err;      /* (owned) stderr */
} CdTestRun;

void           cd_test_run_clear     (CdTestRun *run);

/* A launcher with the sandbox's demo credentials in its environment
 * (no credentials at all when @sandbox is NULL). */
GSubprocessLauncher *cd_test_cli_launcher (CdTestSandbox *sandbox);
/* Runs coursedrop-cli with @argv (NULL-terminated) to completion. */
void           cd_test_cli_run       (GSubprocessLauncher *launcher,
                                      CdTestRun           *run,
                                      const char          *first_arg,
                                      ...) G_GNUC_NULL_TERMINATED;
void           cd_test_cli_runv      (GSubprocessLauncher *launcher,
                                      CdTestRun           *run,
                                      const char * const  *argv);
/* GET @path (e.g. "/_sandbox/stats") from the sandbox; parsed JSON. */
JsonNode      *cd_test_sandbox_get_json (CdTestSandbox *sandbox,
                                         const char    *path);
guint          cd_test_sandbox_count    (CdTestSandbox *sandbox,
                                         const char    *what);
/* Writes a small valid zip named @name in the test's data dir. */
char          *cd_test_make_zip         (const char    *name);
/* Starts coursedrop-cli without waiting; stdout is a pipe. */
GSubprocess   *cd_test_cli_spawn        (GSubprocessLauncher *launcher,
                                         const char          *first_arg,
                                         ...) G_GNUC_NULL_TERMINATED;
char          *cd_test_journal_path     (void);
/* Fetches @url with curl; returns the HTTP status. */
int            cd_test_curl_status   (const char *url);

G_END_DECLS
