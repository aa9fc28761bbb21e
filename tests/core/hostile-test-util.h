/* hostile-test-util.h: the sandbox, an ID-Key client and the client calls
 * run to their end, shared by the hostile-server tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client-imports.h"
#include "cd-sandbox.h"


#define MIB (1024 * 1024)

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  GMainLoop    *loop;
  GAsyncResult *result;
  char         *tmpdir;
  guint         watchdog;
} Fixture;

void
fixture_setup (Fixture       *f,
               gconstpointer  data);

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data);

void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data);

GAsyncResult *
wait_result (Fixture *f);

JsonObject *
run_whoami (Fixture  *f,
            GError  **error);

char *
run_status (Fixture     *f,
            const char  *token,
            guint       *retry_after_ms,
            GError     **error);

GPtrArray *
run_logs (Fixture     *f,
          const char  *token,
          GError     **error);

char *
make_package (Fixture *f,
              goffset  size);

char *
run_import (Fixture               *f,
            const char            *path,
            CdUploadProgressFunc   progress,
            gpointer               progress_data,
            GCancellable          *cancellable,
            GError               **error);

void
settle (guint ms);
