/* cd-sandbox.h: a local Brightspace stand-in on SoupServer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CD_SANDBOX_DEFAULT_APP_ID   "CoursedropDemoApp"
#define CD_SANDBOX_DEFAULT_APP_KEY  "demo-app-key-not-secret"
#define CD_SANDBOX_DEFAULT_USER_ID  "CoursedropDemoUser"
#define CD_SANDBOX_DEFAULT_USER_KEY "demo-user-key-not-secret"
#define CD_SANDBOX_DEFAULT_TIMELINE "UPLOADING:1,PROCESSING:2,PROCESSED:1,IMPORTING:2,COMPLETED"

#define CD_SANDBOX_ERROR (cd_sandbox_error_quark ())

typedef enum {
  CD_SANDBOX_ERROR_INVALID_ARGUMENT,
  CD_SANDBOX_ERROR_TLS,
} CdSandboxError;

GQuark cd_sandbox_error_quark (void);

/* Faults for tests.  Each applies to the next @count signed GET requests
 * (every route but /d2l/api/versions/), or to the next @count uploads for
 * CD_SANDBOX_FAULT_CUT_UPLOAD. */
typedef enum {
  CD_SANDBOX_FAULT_SERVER_ERROR, /* 500 */
  CD_SANDBOX_FAULT_RATE_LIMIT,   /* 429 with Retry-After: @arg seconds */
  CD_SANDBOX_FAULT_BROKEN_JSON,  /* 200 with a truncated JSON body */
  CD_SANDBOX_FAULT_SLOW,         /* answer after @arg milliseconds */
  CD_SANDBOX_FAULT_CUT_UPLOAD,   /* close the connection half way through the body */
  /* Added for the import job's tests: */
  CD_SANDBOX_FAULT_BAD_CLOCK,    /* 403 "Timestamp out of range", whatever the clock */

  /* A hostile server, for the next @count GETs, /d2l/api/versions/ included: */
  CD_SANDBOX_FAULT_DEEP_JSON,    /* JSON nested 100,000 levels deep, HTTP status @arg (0: 200) */
  CD_SANDBOX_FAULT_HUGE_BODY,    /* 200 with a chunked body of @arg MiB (0: endless), made as
                                  * it is sent, never held in memory */
  CD_SANDBOX_FAULT_SILENT,       /* never answer; the connection stays open */
  CD_SANDBOX_FAULT_DRIP,         /* 200, then one byte of body every @arg ms, never ending */
  CD_SANDBOX_FAULT_BAD_TIME,     /* 403 "Timestamp out of range @arg" (0: 9223372036854775807) */

  /* The next @count uploads, once their whole body was read and the job
   * started (so the package was received and imported): */
  CD_SANDBOX_FAULT_UPLOAD_NO_ANSWER,   /* close the connection without an answer */
  CD_SANDBOX_FAULT_UPLOAD_CUT_ANSWER,  /* a 200 whose body stops short, then close */
  CD_SANDBOX_FAULT_UPLOAD_SLOW_ANSWER, /* the answer only after @arg ms */
  /* The next @count uploads: the body is read at @arg KiB a second (0:
   * 1024), and never answered. */
  CD_SANDBOX_FAULT_UPLOAD_SLOW_READ,
  /* The next @count import status answers carry a Status word with
   * terminal escapes (title, clear screen), and from now on every import
   * log holds a message with them. */
  CD_SANDBOX_FAULT_EVIL_TEXT,
} CdSandboxFault;

/* The escapes of CD_SANDBOX_FAULT_EVIL_TEXT: retitle and clear a terminal. */
#define CD_SANDBOX_EVIL_TEXT "\033]0;pwned\007\033[2J"

#define CD_TYPE_SANDBOX (cd_sandbox_get_type ())

G_DECLARE_FINAL_TYPE (CdSandbox, cd_sandbox, CD, SANDBOX, GObject)

CdSandbox  *cd_sandbox_new                (void) G_GNUC_WARN_UNUSED_RESULT;

void        cd_sandbox_set_credentials    (CdSandbox   *self,
                                           const char  *app_id,
                                           const char  *app_key,
                                           const char  *user_id,
                                           const char  *user_key);
/* For the banner of coursedrop-sandbox: borrowed strings. */
void        cd_sandbox_get_credentials    (CdSandbox   *self,
                                           const char **app_id,
                                           const char **app_key,
                                           const char **user_id,
                                           const char **user_key);
void        cd_sandbox_set_tolerance      (CdSandbox   *self,
                                           gint64       seconds);
void        cd_sandbox_set_skew           (CdSandbox   *self,
                                           gint64       seconds);
/* "ID:NAME" or "ID:NAME;CODE".  The first call replaces the defaults
 * (6606 and 12345). */
gboolean    cd_sandbox_add_offering       (CdSandbox   *self,
                                           const char  *spec,
                                           GError     **error);
/* The offerings as "ID:NAME;CODE" specs, by ID. */
char      **cd_sandbox_dup_offerings      (CdSandbox   *self) G_GNUC_WARN_UNUSED_RESULT;
/* Answers 403 (permission) for this offering. */
void        cd_sandbox_add_forbidden      (CdSandbox   *self,
                                           gint64       org_unit_id);
/* Imports skip items with these titles ("A|B"), with a warning in the
 * job's log each, as Brightspace skips what it cannot convert. */
void        cd_sandbox_set_drop_titles    (CdSandbox   *self,
                                           const char  *titles);
/* Imported topics with these titles ("A|B") are marked IsBroken. */
void        cd_sandbox_set_broken_titles  (CdSandbox   *self,
                                           const char  *titles);
/* "STATUS:SECONDS,...,FINAL"; seconds may be fractional. */
gboolean    cd_sandbox_set_timeline       (CdSandbox   *self,
                                           const char  *spec,
                                           GError     **error);
/* The default timeline as a spec. */
char       *cd_sandbox_dup_timeline       (CdSandbox   *self) G_GNUC_WARN_UNUSED_RESULT;
/* "ID=STATUS:SECONDS,...,FINAL": imports into that offering follow it. */
gboolean    cd_sandbox_set_offering_timeline (CdSandbox *self,
                                              const char *spec,
                                              GError    **error);
void        cd_sandbox_set_log_page_size  (CdSandbox   *self,
                                           guint        page_size);
void        cd_sandbox_add_fault          (CdSandbox   *self,
                                           CdSandboxFault fault,
                                           guint        count,
                                           guint        arg);
/* The next @count GETs (versions included) are answered @body with @status. */
void        cd_sandbox_add_answer         (CdSandbox   *self,
                                           guint        count,
                                           guint        status,
                                           const char  *body);
/* The next upload is received and its job started, but it is answered
 * @body with @status. */
void        cd_sandbox_add_upload_answer  (CdSandbox   *self,
                                           guint        status,
                                           const char  *body);
/* "500:N", "429:N[:SECONDS]", "badjson:N", "slow:N:MS", "cut-upload:N", "clock:N",
 * "deep:N[:STATUS]", "huge:N[:MIB]", "silent:N", "drip:N:MS",
 * "badtime:N[:SECONDS]", "no-answer:N", "cut-answer:N", "slow-answer:N:MS",
 * "slow-read:N[:KIB]", "evil:N". */
gboolean    cd_sandbox_parse_fault        (CdSandbox   *self,
                                           const char  *spec,
                                           GError     **error);
/* Where uploads are streamed to and kept (named TOKEN.zip); by default
 * they go to a temp file that is removed once the upload is recorded. */
void        cd_sandbox_set_upload_dir     (CdSandbox   *self,
                                           const char  *path);

/* Sign-in (GET /d2l/auth/api/token, valence-idkey.md §5).  The request
 * must carry the app ID as x_a and x_b = sign(app key, x_target); with a
 * trusted URL set, x_target must equal it exactly (else 403).  Then a
 * consent page with an Allow button (a form POSTed to
 * /d2l/auth/api/token/allow) or, with auto-approve, at once: 302 to
 * x_target with x_a (user ID), x_b (user key) and x_c (a nonce) added. */
void        cd_sandbox_set_trusted_url    (CdSandbox   *self,
                                           const char  *url);
void        cd_sandbox_set_auto_approve   (CdSandbox   *self,
                                           gboolean     auto_approve);
/* Token expiry: from now on, signed requests (and uploads) with the
 * current user key get 403 "Token expired"; the next sign-in hands out a
 * new user key.  POST /_sandbox/expire does the same over HTTP. */
void        cd_sandbox_expire_user_key    (CdSandbox   *self);
/* Expires the user key once @count signed requests have used it (0:
 * never); coursedrop-sandbox --expire-after N. */
void        cd_sandbox_set_expire_after   (CdSandbox   *self,
                                           guint        count);

/* Listens on 127.0.0.1:@port (0 picks one).  With @tls, serves HTTPS with a
 * self-signed certificate made now, written as PEM to @cert_out if set. */
gboolean    cd_sandbox_listen             (CdSandbox   *self,
                                           guint        port,
                                           gboolean     tls,
                                           const char  *cert_out,
                                           GError     **error);
/* "http://127.0.0.1:PORT" (no trailing slash), after listen. */
const char *cd_sandbox_get_url            (CdSandbox   *self);

/* Counters for tests: every request received (any route), and uploads. */
guint       cd_sandbox_get_request_count  (CdSandbox   *self);
guint       cd_sandbox_get_upload_count   (CdSandbox   *self);
/* Body bytes sent by the HUGE_BODY and DRIP faults so far. */
guint64     cd_sandbox_get_bytes_served   (CdSandbox   *self);

G_END_DECLS
