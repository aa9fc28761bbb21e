/* cd-cli-output.h: what coursedrop-cli import prints, as text or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>

#include "cd-import-job.h"

G_BEGIN_DECLS

typedef struct _CdCliOutput CdCliOutput;

/* Text from outside (server answers, job tokens, log messages, user and
 * package names) made safe for a terminal: C0 and C1 control characters,
 * DEL and bidirectional overrides become visible escapes ("\n", "\x1b",
 * "\u202e"), as do bytes that are not UTF-8 ("\xff"), so that no answer
 * can clear the screen, retitle the window or break a table's lines.
 * Returns (transfer full); "" for NULL. */
char        *cd_cli_escape             (const char   *untrusted);
/* The same, but line breaks stay, for multi-line messages. */
char        *cd_cli_escape_lines       (const char   *untrusted);

/* What a retrying job says, in the same words for import and batch: its
 * message made safe for a terminal ("Cannot reach HOST: connection
 * refused. Retrying in 8 s…"), and with @builder (an object being built)
 * also the members of a "retrying" event: reason, delay_ms and message.
 * NULL when @job is not retrying. (transfer full) */
char        *cd_cli_describe_retry     (CdImportJob  *job,
                                        JsonBuilder  *builder);

CdCliOutput *cd_cli_output_new         (gboolean      json,
                                        gboolean      stderr_is_tty);
void         cd_cli_output_free        (CdCliOutput  *out);
void         cd_cli_output_token       (CdCliOutput  *out,
                                        const char   *token,
                                        gint64        offering_id);
void         cd_cli_output_status      (CdCliOutput  *out,
                                        const char   *word);
void         cd_cli_output_progress    (CdCliOutput  *out,
                                        const char   *name,
                                        goffset       sent,
                                        goffset       total);
void         cd_cli_output_uploaded    (CdCliOutput  *out,
                                        goffset       bytes,
                                        double        seconds);
void         cd_cli_output_retrying    (CdCliOutput  *out,
                                        CdImportJob  *job);
void         cd_cli_output_error       (CdCliOutput  *out,
                                        const GError *error);
void         cd_cli_output_interrupted (CdCliOutput  *out);
/* After COMPLETED also what arrived (cd_import_job_get_verification()):
 * "All 12 items arrived." or what is missing, on standard error; with
 * --json a "verified" event before "finished". */
void         cd_cli_output_finished    (CdCliOutput  *out,
                                        CdImportJob  *job);
/* One line per log entry: "Error  2026-11-27 10:00:02  message". */
void         cd_cli_print_log_entries  (FILE         *stream,
                                        GPtrArray    *entries);
JsonNode    *cd_cli_log_entries_to_json (GPtrArray   *entries);

G_END_DECLS
