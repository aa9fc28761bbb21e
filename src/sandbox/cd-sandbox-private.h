/* cd-sandbox-private.h: state shared by the sandbox's source files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cd-package-preview.h"
#include "cd-sandbox.h"

G_BEGIN_DECLS

#define CD_SANDBOX_FIRST_JOB_TOKEN 8840

typedef struct
{
  gint64  id;
  char   *name;
  char   *code;  /* (nullable) */
  gint64  semester_id;  /* 0: none */
} CdSandboxOffering;

typedef struct
{
  char   *status;
  double  seconds;  /* < 0 for the final stage */
} CdSandboxStage;

typedef struct
{
  CdSandboxFault kind;
  guint          remaining;
  guint          arg;
  char          *body;       /* (nullable): of a given answer */
  gboolean       answer;     /* answer with @body and status @arg */
} CdSandboxFaultEntry;

void _cd_sandbox_fault_entry_free (CdSandboxFaultEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdSandboxFaultEntry, _cd_sandbox_fault_entry_free)

/* One finished upload and the import job it started. */
typedef struct
{
  char      *token;
  guint      token_number;
  gint64     org_unit_id;
  char      *filename;       /* (nullable) as received, made valid UTF-8 */
  goffset    size;
  char      *sha256;
  char      *callback_url;   /* (nullable) */
  GPtrArray *timeline;       /* (owned) CdSandboxStage, shared */
  gint64     started_mono;   /* µs, g_get_monotonic_time () */
  gint64     started_server; /* µs, on the server's (skewed) clock */
  CdPackagePreview *preview; /* (owned) (nullable): what the package adds (cd-sandbox-content.c) */
  GPtrArray *skipped;        /* (owned) (nullable) (element-type utf8): warnings for its log */
  gboolean   content_added;
} CdSandboxJob;

typedef enum {
  CD_SANDBOX_ROUTE_NONE,
  CD_SANDBOX_ROUTE_VERSIONS,
  CD_SANDBOX_ROUTE_WHOAMI,
  CD_SANDBOX_ROUTE_COURSE,
  CD_SANDBOX_ROUTE_IMPORT_CREATE,
  CD_SANDBOX_ROUTE_IMPORT_STATUS,
  CD_SANDBOX_ROUTE_IMPORT_LOGS,
  CD_SANDBOX_ROUTE_TEST_UPLOADS,
  CD_SANDBOX_ROUTE_TEST_STATS,
  CD_SANDBOX_ROUTE_TEST_EXPIRE,
  CD_SANDBOX_ROUTE_AUTH_TOKEN,
  CD_SANDBOX_ROUTE_AUTH_ALLOW,
  CD_SANDBOX_ROUTE_CONTENT,     /* content TOC and tool lists: cd-sandbox-content.c */
} CdSandboxRouteKind;

typedef struct
{
  CdSandboxRouteKind  kind;
  gboolean            api;          /* under /d2l/api/: needs a signature */
  gboolean            version_ok;
  gint64              org_unit_id;  /* -1 when absent or not a number */
  char               *token;        /* (nullable) */
} CdSandboxRoute;

struct _CdSandbox
{
  GObject      parent_instance;

  SoupServer  *server;
  char        *url;

  char        *app_id;
  char        *app_key;
  char        *user_id;
  char        *user_key;
  gint64       tolerance;
  gint64       skew;

  GHashTable  *offerings;           /* &id → CdSandboxOffering */
  gboolean     custom_offerings;
  GHashTable  *forbidden;           /* set of gint64* */

  GPtrArray   *timeline;            /* CdSandboxStage */
  GHashTable  *offering_timelines;  /* gint64* → GPtrArray of CdSandboxStage */
  guint        log_page_size;

  GQueue       get_faults;          /* CdSandboxFaultEntry, applied in order */
  guint        cut_uploads;
  GQueue       upload_faults;       /* CdSandboxFaultEntry, applied in order */
  guint        evil_statuses;       /* status answers still to make evil */
  gboolean     evil_logs;
  GList       *raw;                 /* (element-type RawConnection): stolen connections */
  guint64      bytes_served;

  char        *upload_dir;          /* (nullable) given by the user: files are kept */

  GHashTable  *jobs;                /* token → CdSandboxJob */
  GPtrArray   *job_order;           /* CdSandboxJob, borrowed from jobs */
  guint        next_token;

  guint        request_count;
  GList       *delayed;             /* pending SLOW replies */

  /* Sign-in and token expiry (cd-sandbox-auth.c). */
  char        *trusted_url;         /* (nullable): x_target must equal it */
  gboolean     auto_approve;
  gboolean     user_key_expired;
  guint        expire_after;        /* 0: never */
  guint        signed_requests;     /* with the current user key */

  struct _CdSandboxOrgUnits *org_units; /* cd-sandbox-orgunits.c */
};

/* cd-sandbox.c */
const char  *_cd_sandbox_ensure_upload_dir  (CdSandbox         *self,
                                             GError           **error);
gboolean     _cd_sandbox_parse_id           (const char        *text,
                                             gint64            *id);

/* cd-sandbox-dispatch.c */
void         _cd_sandbox_install_handlers   (CdSandbox         *self,
                                             SoupServer        *server);
void         _cd_sandbox_cancel_delayed     (CdSandbox         *self);
gint64       _cd_sandbox_server_now_usec    (CdSandbox         *self);
gboolean     _cd_sandbox_check_auth         (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             GHashTable        *query);
void         _cd_sandbox_parse_route        (SoupServerMessage *msg,
                                             CdSandboxRoute    *route);
void         _cd_sandbox_route_clear        (CdSandboxRoute    *route);
gboolean     _cd_sandbox_check_offering     (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             gint64             org_unit_id);
void         _cd_sandbox_respond_text       (SoupServerMessage *msg,
                                             guint              status,
                                             const char        *content_type,
                                             const char        *text);
void         _cd_sandbox_respond_json       (SoupServerMessage *msg,
                                             guint              status,
                                             JsonBuilder       *builder);
void         _cd_sandbox_respond_not_found  (SoupServerMessage *msg);

/* cd-sandbox-routes.c */
gboolean     _cd_sandbox_version_supported  (const char        *product,
                                             const char        *version);
void         _cd_sandbox_handle_versions    (SoupServerMessage *msg);
void         _cd_sandbox_handle_whoami      (SoupServerMessage *msg);
void         _cd_sandbox_handle_course      (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             gint64             org_unit_id);
void         _cd_sandbox_handle_stats       (CdSandbox         *self,
                                             SoupServerMessage *msg);

/* cd-sandbox-imports.c */
GPtrArray   *_cd_sandbox_timeline_parse     (const char        *spec,
                                             GError           **error);
char        *_cd_sandbox_timeline_to_string (GPtrArray         *timeline);
void         _cd_sandbox_job_free           (CdSandboxJob      *job);
void         _cd_sandbox_upload_early       (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             GHashTable        *query,
                                             CdSandboxRoute    *route);
void         _cd_sandbox_upload_finish      (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             CdSandboxRoute    *route);
void         _cd_sandbox_respond_bad_request (SoupServerMessage *msg,
                                              const char        *text);
/* The stage @job is in now; @stage_starts (nullable) gets when (µs after
 * the start) each stage up to it began. */
guint        _cd_sandbox_job_current_stage  (CdSandboxJob      *job,
                                             gint64            *stage_starts);

/* cd-sandbox-import-status.c */
void         _cd_sandbox_import_status      (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             CdSandboxRoute    *route);
void         _cd_sandbox_import_logs        (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             GHashTable        *query,
                                             CdSandboxRoute    *route);
void         _cd_sandbox_test_uploads       (CdSandbox         *self,
                                             SoupServerMessage *msg);

/* cd-sandbox-auth.c */
gboolean     _cd_sandbox_check_expiry       (CdSandbox         *self,
                                             SoupServerMessage *msg);
void         _cd_sandbox_handle_auth_token  (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             GHashTable        *query);
void         _cd_sandbox_handle_auth_allow  (CdSandbox         *self,
                                             SoupServerMessage *msg);
void         _cd_sandbox_handle_expire      (CdSandbox         *self,
                                             SoupServerMessage *msg);

/* cd-sandbox-oauth.c */
typedef enum {
  CD_SANDBOX_AUTH_NONE,     /* no bearer token: check ID-Key */
  CD_SANDBOX_AUTH_OK,
  CD_SANDBOX_AUTH_REFUSED,  /* answered (401 or 403) */
} CdSandboxAuthResult;

/* TRUE when @msg was an OAuth endpoint, now answered. */
gboolean     _cd_sandbox_oauth_dispatch     (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             GHashTable        *query);
CdSandboxAuthResult _cd_sandbox_oauth_check (CdSandbox         *self,
                                             SoupServerMessage *msg);

/* cd-sandbox-hostile.c */
gboolean     _cd_sandbox_fault_is_hostile   (CdSandboxFault     kind);
void         _cd_sandbox_hostile_reply      (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             CdSandboxFaultEntry *fault);
/* At the start of an upload: TRUE when a fault took the connection. */
gboolean     _cd_sandbox_hostile_upload_early (CdSandbox       *self,
                                               SoupServerMessage *msg);
/* After the upload was answered normally: may replace the answer. */
void         _cd_sandbox_hostile_upload_done (CdSandbox        *self,
                                              SoupServerMessage *msg);
void         _cd_sandbox_close_raw          (CdSandbox         *self);

/* cd-sandbox-dispatch.c */
void         _cd_sandbox_delay_reply        (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             guint              ms);
/* cd-sandbox-orgunits.c */
typedef struct _CdSandboxOrgUnits CdSandboxOrgUnits;
CdSandboxOrgUnits *_cd_sandbox_org_units_new  (void);
void         _cd_sandbox_org_units_free     (CdSandboxOrgUnits *units);
gboolean     _cd_sandbox_org_units_early    (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             CdSandboxRoute    *route);
gboolean     _cd_sandbox_org_units_handle   (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             GHashTable        *query);
gboolean     _cd_sandbox_org_units_test_route (CdSandbox       *self,
                                             SoupServerMessage *msg);

/* cd-sandbox-content.c */
/* Recognises …/le/(v)/(ou)/content/toc and the tool lists. */
gboolean     _cd_sandbox_parse_content_route (char            **seg,
                                              guint             n,
                                              CdSandboxRoute   *route);
void         _cd_sandbox_content_handle     (CdSandbox         *self,
                                             SoupServerMessage *msg,
                                             GHashTable        *query,
                                             CdSandboxRoute    *route);
/* Reads the package in @path (@size bytes from @offset) for @job. */
void         _cd_sandbox_content_read       (CdSandbox         *self,
                                             CdSandboxJob      *job,
                                             const char        *path,
                                             goffset            offset,
                                             goffset            size);
guint        _cd_sandbox_content_requests   (CdSandbox         *self);

/* cd-sandbox-imports.c */
const char  *_cd_sandbox_job_status         (CdSandboxJob      *job);

/* cd-sandbox-tls.c */
GTlsCertificate *_cd_sandbox_make_certificate (char   **cert_pem,
                                               GError **error);

G_END_DECLS
