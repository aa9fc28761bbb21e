/* cd-validate.h: the rules for what users type and servers send
 *
 * One set of rules for the window, the CLI and the client: offering IDs,
 * job tokens, API versions and durations.  Each failure is a
 * CD_VALIDATE_ERROR whose message is a sentence a user can act on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CD_VALIDATE_ERROR (cd_validate_error_quark ())

typedef enum {
  CD_VALIDATE_ERROR_EMPTY,    /* nothing was given */
  CD_VALIDATE_ERROR_INVALID,  /* something was given, but not of the right form */
  CD_VALIDATE_ERROR_RANGE,    /* of the right form, but too small or too large */
} CdValidateError;

GQuark   cd_validate_error_quark      (void);

/* The longest job token accepted; Brightspace's are short numbers. */
#define CD_VALIDATE_MAX_TOKEN_LENGTH 128

/* The longest a job may be followed: a year. */
#define CD_VALIDATE_MAX_HOURS (365.0 * 24.0)

/* A D2L org unit ID: digits only (surrounding white space is ignored),
 * 1 to G_MAXINT64. */
gboolean cd_validate_offering_id      (const char  *text,
                                       gint64      *id,
                                       GError     **error);
/* A JobToken: 1 to CD_VALIDATE_MAX_TOKEN_LENGTH characters, each a letter,
 * digit, '-', '_', '.' or '~' (it goes into a route as one segment), and
 * not "." or "..". */
gboolean cd_validate_job_token        (const char  *text,
                                       GError     **error);
/* The longest course offering code Brightspace accepts. */
#define CD_VALIDATE_MAX_CODE_LENGTH 50

/* A course offering code for a new offering: 1 to
 * CD_VALIDATE_MAX_CODE_LENGTH characters, none of \ : * ? " < > | ' # , % &
 * and no line break (courses-and-batches.md §2.2). */
gboolean cd_validate_offering_code    (const char  *text,
                                       GError     **error);
/* A Valence API version such as "1.74": MAJOR.MINOR, each 1 to 3 digits. */
gboolean cd_validate_api_version      (const char  *text,
                                       GError     **error);
/* A number of hours to follow a job: finite, positive, at most a year. */
gboolean cd_validate_hours            (double       hours,
                                       GTimeSpan   *span,
                                       GError     **error);

G_END_DECLS
