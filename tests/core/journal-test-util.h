/* journal-test-util.h: records, journals and change counting shared by
 * the journal tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-job-journal.h"

#define HOST "https://school.brightspace.com"
#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

char *
journal_path (void);

char *
write_journal (const char *contents,
               gssize      length);

char *
read_file (const char *path);

CdJobJournal *
load_journal (void);

void
save_journal (CdJobJournal *journal);

guint
count_records (CdJobJournal *journal);

CdJobRecord *
make_record (const char *host,
             gint64      offering,
             const char *token,
             const char *sha256);

GDateTime *
an_hour_ago (void);

CdJobRecord *
make_full_record (void);

void
assert_dates_equal (GDateTime *a,
                    GDateTime *b);

void
assert_records_equal (const CdJobRecord *a,
                      const CdJobRecord *b);

CdJobJournal *
load_journal_at (const char *path);

GPtrArray *
records_on_disk (void);

typedef struct
{
  guint      emissions;
  GPtrArray *added;
  GPtrArray *updated;
  GPtrArray *removed;
} Changes;

void
changed_cb (CdJobJournal *journal,
            GPtrArray    *added,
            GPtrArray    *updated,
            GPtrArray    *removed,
            Changes      *changes);

void
changes_init (Changes *changes);

void
changes_clear (Changes *changes);

void
wait_for_emission (Changes *changes,
                   guint    emissions);

GPtrArray *
list_backups (void);

void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data);
