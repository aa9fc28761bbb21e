/* cd-upload.h: a course package streamed as multipart/form-data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The package itself could not be read: nothing to do with the network. */
#define CD_UPLOAD_ERROR (cd_upload_error_quark ())

typedef enum {
  CD_UPLOAD_ERROR_PACKAGE,
  CD_UPLOAD_ERROR_INVALID_URL,
  CD_UPLOAD_ERROR_CHANGED,  /* the file shrank or grew while it was sent */
} CdUploadError;

/* The longest time an upload may make no progress, and the longest wait
 * for the answer once the whole package is sent. */
#define CD_UPLOAD_DEFAULT_TIMEOUT_MS (120 * 1000)
/* The answer (a JobToken or an error) is read up to this size. */
#define CD_UPLOAD_MAX_ANSWER (1024 * 1024)

GQuark cd_upload_error_quark (void);

/* Called in the caller's main context, at most ten times a second and
 * once more when the whole body has been sent. */
typedef void (*CdUploadProgressFunc) (goffset  sent,
                                      goffset  total,
                                      gpointer user_data);

typedef struct
{
  guint   status;        /* HTTP status */
  GBytes *body;          /* (owned) response body */
  char   *retry_after;   /* (owned) (nullable) Retry-After header */
} CdUploadResponse;

void      cd_upload_response_free  (CdUploadResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdUploadResponse, cd_upload_response_free)

/* The part header's filename as browsers write it (HTML5 form encoding):
 * raw UTF-8, with '"', CR and LF percent-escaped. */
char     *cd_upload_quote_filename (const char *filename);

/* POSTs @file to @url as one part named "file" with @filename and
 * Content-Type application/zip.  The body is streamed from disk with an
 * exact Content-Length on a worker thread with its own SoupSession, so the
 * caller's main loop never waits on it.  @tls_database is the client's
 * (soup_session_get_tls_database()): its certificate pins apply here too,
 * see cd_client_pin_certificate().  Any HTTP status is a result, not
 * an error; errors are network, TLS, file and cancellation failures. */
void              cd_upload_file_async  (const char            *url,
                                         GFile                 *file,
                                         const char            *filename,
                                         GTlsDatabase          *tls_database,
                                         CdUploadProgressFunc   progress,
                                         gpointer               progress_data,
                                         GDestroyNotify         progress_destroy,
                                         GCancellable          *cancellable,
                                         GAsyncReadyCallback    callback,
                                         gpointer               user_data);
CdUploadResponse *cd_upload_file_finish (GAsyncResult          *result,
                                         GError               **error);
/* The same with @timeout_ms (0: CD_UPLOAD_DEFAULT_TIMEOUT_MS) as the
 * longest time without progress; then the upload fails with
 * G_IO_ERROR_TIMED_OUT.  A changing file fails with CD_UPLOAD_ERROR_CHANGED.
 * Cancelling after the body was sent still fails, with the error of the
 * cut request: see cd_upload_file_body_was_sent(). */
void              cd_upload_file_with_timeout_async (const char           *url,
                                                     GFile                *file,
                                                     const char           *filename,
                                                     GTlsDatabase         *tls_database,
                                                     guint                 timeout_ms,
                                                     CdUploadProgressFunc  progress,
                                                     gpointer              progress_data,
                                                     GDestroyNotify        progress_destroy,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
/* The same with an Authorization header (nullable; an OAuth bearer token,
 * sent with the POST and wiped afterwards). */
void              cd_upload_file_full_async         (const char           *url,
                                                     const char           *authorization,
                                                     GFile                *file,
                                                     const char           *filename,
                                                     GTlsDatabase         *tls_database,
                                                     guint                 timeout_ms,
                                                     CdUploadProgressFunc  progress,
                                                     gpointer              progress_data,
                                                     GDestroyNotify        progress_destroy,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
/* After a failed upload: whether the whole body had been written, so the
 * server may have acted on it although no answer came. */
gboolean          cd_upload_file_body_was_sent      (GAsyncResult          *result);
/* After the upload, failed or not: (nullable) the SHA-256 of the file as
 * sent, once all of it was read. */
const char       *cd_upload_file_get_sha256         (GAsyncResult          *result);
const char       *cd_upload_file_get_quick_key      (GAsyncResult          *result);

G_END_DECLS
