/* import-job-test-util.h: the sandbox fixture, packages and run helpers
 * shared by the CdImportJob tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-client-imports.h"
#include "cd-import-job.h"
#include "cd-import-job-private.h"
#include "cd-sandbox.h"
#include "cd-upload.h"

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  CdJobJournal *journal;
  char         *journal_path;
  CdPackage    *package;
} Fixture;

CdClient *
client_for (CdSandbox  *sandbox,
            const char *user_key);

/* The end record of an empty archive at @size - 22: cd-package checks the
 * structure. */
void
write_end_record (const char *path,
                  goffset     size);

void
write_zip (const char *path,
           gsize       size);

void
fixture_set_up (Fixture       *f,
                gconstpointer  data);

void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data);

void
hash_package (CdPackage *package);

void
run_until_finished (CdImportJob *job);

/* Uploads the fixture's package into 6606 and stops once the token is
 * known; returns the token. */
char *
upload_and_stop (Fixture *f);

void
run_until_stopped (CdImportJob *job);

/* What the journal on disk says about @job: finished or not. */
gboolean
finished_on_disk (Fixture     *f,
                  CdImportJob *job);

void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count);

void
spin (guint ms);
