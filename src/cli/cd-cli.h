/* cd-cli.h: what the coursedrop-cli commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cd-account.h"
#include "cd-import-job.h"

G_BEGIN_DECLS

/* Exit codes, documented in --help and the man page. */
typedef enum {
  CD_EXIT_OK = 0,
  CD_EXIT_IMPORT_FAILED = 1,
  CD_EXIT_USAGE = 2,
  CD_EXIT_AUTH = 3,
  CD_EXIT_NETWORK = 4,
  CD_EXIT_INTERRUPTED = 130,
} CdExitCode;

int        cd_cli_whoami            (int            argc,
                                     char         **argv);
int        cd_cli_sign              (int            argc,
                                     char         **argv);
int        cd_cli_import            (int            argc,
                                     char         **argv);
int        cd_cli_jobs              (int            argc,
                                     char         **argv);
int        cd_cli_logs              (int            argc,
                                     char         **argv);
int        cd_cli_resume            (int            argc,
                                     char         **argv);
int        cd_cli_login             (int            argc,
                                     char         **argv);
int        cd_cli_logout            (int            argc,
                                     char         **argv);
int        cd_cli_inspect           (int            argc,
                                     char         **argv);
int        cd_cli_courses           (int            argc,
                                     char         **argv);
int        cd_cli_create_offering   (int            argc,
                                     char         **argv);
int        cd_cli_batch             (int            argc,
                                     char         **argv);
int        cd_cli_follow_job        (CdImportJob   *job,
                                     gboolean       json,
                                     gboolean       no_wait);
CdJobJournal *cd_cli_load_journal   (void);

/* Shared helpers. */
GOptionContext *cd_cli_option_context_new (const char    *parameter_string,
                                           const char    *summary,
                                           GOptionEntry  *entries);
int        cd_cli_parse             (GOptionContext *context,
                                     int            *argc,
                                     char         ***argv);
int        cd_cli_exit_code_for_error (const GError *error);
int        cd_cli_fail              (const GError  *error);
int        cd_cli_usage             (const char    *format,
                                     ...) G_GNUC_PRINTF (1, 2);
CdClient  *cd_cli_create_client     (const char    *host,
                                     gboolean       need_user,
                                     GError       **error);
/* Options, the environment, then the saved account (cd-account-source.h),
 * with this run's TLS trust. */
CdAccount *cd_cli_load_account      (const char    *host,
                                     GError       **error);
/* --trust-fingerprint: every command accepts it, before or after its name. */
void        cd_cli_set_trust_fingerprint (const char *sha256);
const char *cd_cli_get_trust_fingerprint (void);
gboolean   cd_cli_parse_offering_id (const char    *text,
                                     gint64        *id,
                                     char         **message);
/* A GAsyncReadyCallback that stores a ref on the result in *@user_data. */
void       cd_cli_store_result_cb   (GObject       *object,
                                     GAsyncResult  *result,
                                     gpointer       user_data);
void       cd_cli_wait_result       (GAsyncResult **result);
int        cd_cli_check_job_token   (const char    *token);
int        cd_cli_check_le_version  (const char    *version);
/* (transfer full): user input made safe and short for a message. */
char      *cd_cli_quote             (const char    *text);
/* main() passes every command's exit status through this. */
int        cd_cli_finish            (int            status);
/* Iterates the default main context until *@done is set. */
void       cd_cli_wait              (gboolean      *done);

G_END_DECLS
