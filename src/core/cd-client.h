/* cd-client.h: an asynchronous Brightspace Valence client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cd-auth.h"
#include "cd-certificate.h"
#include "cd-idkey.h"

G_BEGIN_DECLS

#define CD_CLIENT_ERROR (cd_client_error_quark ())

/* Every failure a Brightspace call can end in, in terms the UI can explain.
 * Messages are translated sentences a user can act on. */
typedef enum {
  CD_CLIENT_ERROR_INVALID_HOST,    /* not a URL, or plain http to a non-loopback host */
  CD_CLIENT_ERROR_INVALID_TOKEN,   /* 403 "Invalid token" or 401: keys rejected */
  CD_CLIENT_ERROR_TOKEN_EXPIRED,   /* 403 "Token expired": sign in again */
  CD_CLIENT_ERROR_FORBIDDEN,       /* 403 otherwise: the role lacks a permission */
  CD_CLIENT_ERROR_NOT_FOUND,       /* 404 */
  CD_CLIENT_ERROR_RATE_LIMITED,    /* 429 after retries */
  CD_CLIENT_ERROR_SERVER,          /* 5xx after retries */
  CD_CLIENT_ERROR_BAD_REQUEST,     /* other 4xx */
  CD_CLIENT_ERROR_BAD_RESPONSE,    /* not JSON, or JSON of the wrong shape */
  CD_CLIENT_ERROR_NETWORK,         /* could not connect, connection lost */
  CD_CLIENT_ERROR_TLS,             /* certificate not trusted, handshake failed */
  CD_CLIENT_ERROR_TIMESTAMP,       /* clock skew not recoverable */
  CD_CLIENT_ERROR_OUTCOME_UNKNOWN, /* a POST's whole body was sent, but no answer came (the
                                    * connection closed, the answer was cut, or the wait was
                                    * cancelled): the server may have acted on it */
} CdClientError;

GQuark cd_client_error_quark (void);

/* Every request (retries and backoff included) ends by this deadline. */
#define CD_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS (30 * 1000)
/* The longest wait a server's Retry-After can ask for; longer ones are cut
 * to this, both for the client's own backoff and for what it reports. */
#define CD_CLIENT_MAX_RETRY_AFTER_MS (5 * 60 * 1000)
/* Answers are read with these caps (CD_CLIENT_ERROR_BAD_RESPONSE beyond). */
#define CD_CLIENT_MAX_JSON_ANSWER (1024 * 1024)
#define CD_CLIENT_MAX_LOG_ANSWER  (4 * 1024 * 1024)

#define CD_TYPE_CLIENT (cd_client_get_type ())

G_DECLARE_FINAL_TYPE (CdClient, cd_client, CD, CLIENT, GObject)

/* @host_url: "https://school.brightspace.com" (http only for loopback hosts).
 * @context: (transfer none): copied. */
CdClient   *cd_client_new                    (const char      *host_url,
                                              CdIdKeyContext  *context,
                                              GError         **error) G_GNUC_WARN_UNUSED_RESULT;
/* A client whose requests @auth authorizes (an ID-Key signer or a
 * CdOAuth); several clients may share one. */
CdClient   *cd_client_new_with_auth          (const char      *host_url,
                                              CdAuth          *auth,
                                              GError         **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean    cd_client_check_host             (const char      *host_url,
                                              GError         **error);
/* (transfer full): "scheme://host[:port]", as clients, settings and the
 * keyring spell a site; NULL with CD_CLIENT_ERROR_INVALID_HOST. */
char       *cd_client_normalize_host         (const char      *host_url,
                                              GError         **error);

const char *cd_client_get_host               (CdClient        *self);
gint64      cd_client_get_skew               (CdClient        *self);
const char *cd_client_get_le_version         (CdClient        *self);
const char *cd_client_get_lp_version         (CdClient        *self);
/* Skips discovery for that product when set (e.g. "1.67"); NULL to discover.
 * An LE version cd_validate_api_version() refuses changes nothing: FALSE. */
gboolean    cd_client_set_le_version         (CdClient        *self,
                                              const char      *version);
void        cd_client_set_lp_version         (CdClient        *self,
                                              const char      *version);
/* Trust the certificates in this PEM file in addition to the system's. */
gboolean    cd_client_set_ca_file            (CdClient        *self,
                                              const char      *pem_path,
                                              GError         **error);
/* Trusts exactly the certificate whose SHA-256 fingerprint is @sha256 (hex,
 * colons optional, any case) on this client's host, although this computer
 * does not; any other certificate, and any other host, is verified as
 * usual.  Applies to every request and upload started afterwards.  NULL
 * removes the pin.  Not saved: see cd_settings_set_trusted_certificate(). */
gboolean    cd_client_pin_certificate        (CdClient        *self,
                                              const char      *sha256,
                                              GError         **error);
/* (transfer full) (nullable): the canonical fingerprint pinned for the host. */
char       *cd_client_dup_pinned_certificate (CdClient        *self);
/* After a CD_CLIENT_ERROR_TLS: the certificate this client last refused,
 * for a dialog that offers to trust it.  (transfer full) (nullable) */
CdCertificateInfo *cd_client_get_last_untrusted_certificate (CdClient *self);
/* Idempotent GETs: at most @max_attempts tries; backoff starts at
 * @base_delay_ms and doubles, capped at @max_delay_ms. */
void        cd_client_set_retry_policy       (CdClient        *self,
                                              guint            max_attempts,
                                              guint            base_delay_ms,
                                              guint            max_delay_ms);
/* The deadline of every request from now on (retries included): a call
 * that has no whole answer by then fails with CD_CLIENT_ERROR_NETWORK.
 * Also bounds connecting and each read or write.  For imports it is the
 * longest time without progress, and the longest wait for the answer once
 * the package is sent (then CD_CLIENT_ERROR_OUTCOME_UNKNOWN); with the
 * default here, uploads use CD_UPLOAD_DEFAULT_TIMEOUT_MS.  0 restores the
 * default. */
void        cd_client_set_request_timeout    (CdClient        *self,
                                              guint            timeout_ms);
guint       cd_client_get_request_timeout    (CdClient        *self);
/* The wait (ms, at most CD_CLIENT_MAX_RETRY_AFTER_MS) that the Retry-After
 * of this client's last answer asked for, e.g. with a
 * CD_CLIENT_ERROR_RATE_LIMITED or _SERVER error; 0 when it had none. */
guint       cd_client_get_retry_after        (CdClient        *self);
/* What this client's last failed attempt ran into, in a few translated
 * words fit for "Cannot reach HOST: …" ("connection refused", "timed
 * out", "name not found", "TLS failure", "server error (HTTP 503)").
 * (nullable) */
const char *cd_client_get_last_failure       (CdClient        *self);
/* (nullable): NULL unless the client signs with ID-Key. */
CdIdKeyContext *cd_client_get_context        (CdClient        *self);
/* (transfer none) */
CdAuth     *cd_client_get_auth               (CdClient        *self);
/* The URL of @path_and_query, signed with ID-Key; the Authorization
 * header (nullable, for OAuth) goes with it: cd_client_dup_authorization(). */
char       *cd_client_dup_authorization      (CdClient        *self);
char       *cd_client_build_url              (CdClient        *self,
                                              const char      *method,
                                              const char      *path_and_query);
/* The one session every request of this client goes through (TLS trust,
 * user agent, connection reuse), for callers that stream their own
 * requests, such as uploads.  (transfer none) */
SoupSession *cd_client_get_session           (CdClient        *self);
/* Replaces {le}/{lp} by the known versions; fails with BAD_RESPONSE when a
 * needed version is not known yet (discover first). */
char       *cd_client_expand_route           (CdClient        *self,
                                              const char      *route,
                                              GError         **error);
/* Maps a finished response to CD_CLIENT_ERROR exactly as the JSON calls do
 * (401/403/404/429/5xx…).  TRUE for 2xx.  @body may be NULL. */
gboolean    cd_client_check_response         (CdClient        *self,
                                              SoupMessage     *message,
                                              GBytes          *body,
                                              GError         **error);

/* GET /d2l/api/versions/ (anonymous); afterwards le/lp versions are known. */
void        cd_client_discover_versions_async  (CdClient            *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean    cd_client_discover_versions_finish (CdClient            *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Signed JSON calls on a route relative to the host; {le}/{lp} in the
 * route are replaced by the discovered (or overridden) versions, and
 * versions are discovered first when needed.  GETs retry transient errors;
 * POSTs never replay.  Returns (transfer full) the parsed JSON. */
void        cd_client_get_json_async         (CdClient            *self,
                                              const char          *route,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
JsonNode   *cd_client_get_json_finish        (CdClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void        cd_client_post_json_async        (CdClient            *self,
                                              const char          *route,
                                              JsonNode            *body,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
JsonNode   *cd_client_post_json_finish       (CdClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* GET /d2l/api/lp/{lp}/users/whoami: a WhoAmIUser object. */
void        cd_client_whoami_async           (CdClient            *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
JsonObject *cd_client_whoami_finish          (CdClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* GET /d2l/api/lp/{lp}/courses/(ou): a Course.CourseOffering object. */
void        cd_client_get_course_async       (CdClient            *self,
                                              gint64               org_unit_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
JsonObject *cd_client_get_course_finish      (CdClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
