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
} CdUploadError;

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

G_END_DECLS
