/* cd-client-private.h: what the cd-client-*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-auth.h"
#include "cd-certificate-private.h"
#include "cd-client.h"

G_BEGIN_DECLS

struct _CdClient
{
  GObject         parent_instance;

  /* Owned References */
  SoupSession    *session;
  CdAuth         *auth;                  /* signs or authorizes every request */
  CdIdKeyContext *context;               /* (nullable) (unowned): the ID-Key auth's */
  char           *host;                  /* "scheme://host[:port]", no slash */
  char           *le_version;            /* (nullable) */
  char           *lp_version;            /* (nullable) */
  GPtrArray      *discovery_waiters;     /* (element-type GTask) */
  GCancellable   *discovery_cancellable; /* (nullable): set while discovering */
  CdCertificateTrust *trust;             /* pins, shared with the trust store */

  guint           max_attempts;
  guint           base_delay_ms;
  guint           max_delay_ms;
  guint           request_timeout_ms;
  guint           last_retry_after_ms;
  char           *last_failure;          /* (nullable): in a few words, for retry notes */

  guint           le_overridden : 1;
  guint           lp_overridden : 1;
};

typedef enum {
  CD_REQUEST_SIGNED     = 1 << 0,
  CD_REQUEST_IDEMPOTENT = 1 << 1,
  CD_REQUEST_LARGE_ANSWER = 1 << 2,  /* log pages: CD_CLIENT_MAX_LOG_ANSWER */
} CdRequestFlags;

/* cd-client-request.c: one logical request with its re-signing, skew
 * recovery and retries.  @route is already expanded. */
void          _cd_client_request_async        (CdClient             *self,
                                               const char           *method,
                                               const char           *route,
                                               GBytes               *body,
                                               CdRequestFlags        flags,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
JsonNode     *_cd_client_request_finish       (CdClient             *self,
                                               GAsyncResult         *result,
                                               GError              **error);
/* Also gives the Retry-After of the last reply, in ms (0 if none), for
 * callers that pace themselves, such as import status polling. */
JsonNode     *_cd_client_request_finish_full  (CdClient             *self,
                                               GAsyncResult         *result,
                                               guint                *retry_after_ms,
                                               GError              **error);

/* cd-client.c: OAuth's view of a 401 or 403 to @method @route; FALSE
 * (nothing set) when the generic mapping applies. */
gboolean      _cd_client_auth_error           (CdClient             *self,
                                               const char           *method,
                                               const char           *route,
                                               guint                 status,
                                               GBytes               *body,
                                               GError              **error);
/* Renews the credentials a minute before they expire (see CdAuth). */
void          _cd_client_prepare_auth_async   (CdClient             *self,
                                               const char           *rejected,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean      _cd_client_prepare_auth_finish  (CdClient             *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* cd-client-imports.c */
#define CD_CLIENT_IMPORTS_ROUTE "/d2l/api/le/{le}/import/%" G_GINT64_FORMAT "/imports/"
/* Every job token that goes into a route passes here first: an error
 * (CD_CLIENT_ERROR_BAD_REQUEST), never a request. */
gboolean      _cd_client_check_job_token      (const char           *token,
                                               GError              **error);

/* cd-client-calls.c */
void          _cd_client_get_large_json_async (CdClient             *self,
                                               const char           *route,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);

/* cd-client.c */
void          _cd_client_skew_changed         (CdClient             *self);
gboolean      _cd_client_adopt_server_time    (CdClient             *self,
                                               gint64                server_time,
                                               GError              **error);
void          _cd_client_set_version          (CdClient             *self,
                                               const char           *product,
                                               const char           *version);

/* cd-client-host.c */
char         *_cd_client_normalize_host       (const char           *host_url,
                                               GError              **error);

/* cd-client-versions.c */
gboolean      _cd_client_version_is_valid     (const char           *version);
gboolean      _cd_client_route_needs_discovery (CdClient            *self,
                                                const char          *route);
char         *_cd_client_expand_known         (CdClient             *self,
                                               const char           *route);

/* cd-client-errors.c: turning HTTP and GIO outcomes into CD_CLIENT_ERROR. */
gboolean      _cd_client_error_from_status    (const char           *host,
                                               const char           *route,
                                               guint                 status,
                                               GBytes               *body,
                                               GError              **error);
GError       *_cd_client_error_from_transport (const char           *host,
                                               SoupMessage          *message,
                                               const GError         *error);
gboolean      _cd_client_error_is_transient   (const GError         *error);
guint         _cd_client_retry_after_ms       (SoupMessage          *message);
/* (transfer full): what went wrong in a few words ("connection refused"). */
char         *_cd_client_transport_reason     (const GError         *error);
char         *_cd_client_status_reason        (guint                 status);
guint         _cd_client_parse_retry_after    (const char           *value);
JsonNode     *_cd_client_parse_json           (GBytes               *body,
                                               GError              **error);
char         *_cd_client_body_excerpt         (GBytes               *body,
                                               gsize                 max_chars);

/* cd-client-read.c */
void          _cd_client_send_capped_async    (SoupSession          *session,
                                               SoupMessage          *message,
                                               gsize                 max_bytes,
                                               gint64                deadline_us,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GBytes       *_cd_client_send_capped_finish   (GAsyncResult         *result,
                                               GError              **error);
GError       *_cd_client_too_large_error      (gsize                 max_bytes);

/* cd-client-tls.c: the session's trust store. */
GTlsDatabase *_cd_client_tls_database_new     (const char           *pem_path,
                                               CdCertificateTrust   *trust,
                                               GError              **error);

/* cd-client-versions.c */
typedef void (*CdClientVersionsThen) (GTask *task);

void          _cd_client_with_versions        (CdClient             *self,
                                               const char           *route,
                                               GTask                *task,
                                               CdClientVersionsThen  then);

G_END_DECLS
