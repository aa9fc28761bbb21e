/* cd-upload.c: a course package streamed as multipart/form-data
 *
 * The body is [preamble][file][epilogue] read by a chain stream, with an
 * exact Content-Length (servers refuse chunked uploads) and never more than
 * a few KiB of the file in memory.  It is sent with libsoup's synchronous
 * API on a worker thread that owns its SoupSession: measured on Debian 12
 * this runs at curl's speed, while the async API with a stream body runs at
 * an eighth of it (gnome-conventions.md §5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <string.h>
#include <gio/gfiledescriptorbased.h>
#include <libsoup/soup.h>
#include <glib/gi18n-lib.h>

#include "cd-certificate-private.h"
#include "cd-chain-input-stream.h"
#include "cd-secret.h"
#include "cd-upload-private.h"

#define PROGRESS_INTERVAL_MS 100

G_DEFINE_QUARK (cd-upload-error-quark, cd_upload_error)

typedef struct
{
  /* Set before the worker starts, then read-only. */
  char                 *url;              /* (owned) */
  char                 *authorization;    /* (owned) (nullable): wiped */
  GFile                *file;             /* (owned) */
  char                 *filename;         /* (owned) */
  GTlsDatabase         *tls_database;     /* (owned) (nullable) */
  GBytes               *preamble;         /* (owned) */
  GBytes               *epilogue;         /* (owned) */
  char                 *content_type;     /* (owned) */

  guint                 timeout_ms;       /* without progress; for the answer, in all */
  GCancellable         *cancellable;      /* (owned): the worker's, see upload_watch() */
  GCancellable         *outer;            /* (owned) (nullable): the caller's */
  GSource              *outer_source;     /* (owned) (nullable): watches it */

  /* Shared between the worker and the caller's context. */
  GMutex                lock;
  goffset               sent;
  goffset               total;
  gint64                progress_us;      /* monotonic: the last sign of progress */
  gint64                body_sent_us;     /* monotonic; 0 until the whole body was written */
  gboolean              timed_out;

  /* The caller's context only. */
  CdUploadProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;
  GSource              *progress_source;  /* (owned) (nullable) */
  goffset               reported;

  /* The worker only. */
  SoupMessage          *message;          /* (unowned) */
  CdChainInputStream   *chain;            /* (owned) (nullable): the body being sent */
  GError               *reopen_error;     /* (owned) (nullable) */
  char                 *sha256;           /* (owned) (nullable): of the package as sent */
  char                 *quick_key;        /* (owned) (nullable): likewise */
} Upload;

void
cd_upload_response_free (CdUploadResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->retry_after, g_free);
  g_free (response);
}

static void
upload_free (Upload *upload)
{
  if (upload->progress_source != NULL)
    g_source_destroy (upload->progress_source);
  g_clear_pointer (&upload->progress_source, g_source_unref);
  if (upload->progress_destroy != NULL)
    upload->progress_destroy (upload->progress_data);

  g_clear_pointer (&upload->url, g_free);
  g_clear_pointer (&upload->authorization, cd_secret_free);
  g_clear_object (&upload->file);
  g_clear_pointer (&upload->filename, g_free);
  g_clear_object (&upload->tls_database);
  g_clear_pointer (&upload->preamble, g_bytes_unref);
  g_clear_pointer (&upload->epilogue, g_bytes_unref);
  g_clear_pointer (&upload->content_type, g_free);
  g_clear_error (&upload->reopen_error);
  g_clear_pointer (&upload->sha256, g_free);
  g_clear_pointer (&upload->quick_key, g_free);
  g_clear_object (&upload->chain);
  if (upload->outer_source != NULL)
    g_source_destroy (upload->outer_source);
  g_clear_pointer (&upload->outer_source, g_source_unref);
  g_clear_object (&upload->outer);
  g_clear_object (&upload->cancellable);
  g_mutex_clear (&upload->lock);
  g_free (upload);
}

/* Reading the package failed, not the connection: say so, so nobody is
 * told to try the network again. */
static void
package_error (Upload  *upload,
               GError **error)
{
  GError *wrapped;

  if (*error == NULL || g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  wrapped = g_error_new (CD_UPLOAD_ERROR, CD_UPLOAD_ERROR_PACKAGE,
                         _("Could not read the package “%s”: %s"),
                         upload->filename, (*error)->message);
  g_clear_error (error);
  *error = wrapped;
}

static void
upload_build_envelope (Upload *upload)
{
  _cd_upload_build_envelope (upload->filename, &upload->preamble, &upload->epilogue,
                             &upload->content_type);
}

/* (Re)attaches a fresh body: libsoup closes the old stream after use, so a
 * restarted message needs the file opened again. */
static gboolean
upload_attach_body (Upload        *upload,
                    goffset        file_size,
                    GError       **error)
{
  g_autoptr(GFileInputStream) file_stream = NULL;
  g_autoptr(GInputStream) head = NULL;
  g_autoptr(GInputStream) tail = NULL;
  g_autoptr(GInputStream) chain = NULL;
  GInputStream *children[3];

  if (!(file_stream = g_file_read (upload->file, NULL, error)))
    return FALSE;
#ifdef POSIX_FADV_SEQUENTIAL
  /* Read once, front to back: a larger read-ahead. */
  if (G_IS_FILE_DESCRIPTOR_BASED (file_stream))
    posix_fadvise (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (file_stream)),
                   0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  head = g_memory_input_stream_new_from_bytes (upload->preamble);
  tail = g_memory_input_stream_new_from_bytes (upload->epilogue);
  children[0] = head;
  children[1] = G_INPUT_STREAM (file_stream);
  children[2] = tail;
  chain = cd_chain_input_stream_new (children, G_N_ELEMENTS (children));
  /* The Content-Length promises the size measured before: a package that
   * shrinks or grows meanwhile must fail now, not stall the request. */
  cd_chain_input_stream_expect_length (CD_CHAIN_INPUT_STREAM (chain), 1, file_size);
  /* The duplicate guard's digest, from the reads the upload makes anyway. */
  cd_chain_input_stream_compute_digest (CD_CHAIN_INPUT_STREAM (chain));
  g_set_object (&upload->chain, CD_CHAIN_INPUT_STREAM (chain));

  g_mutex_lock (&upload->lock);
  upload->sent = 0;
  upload->progress_us = g_get_monotonic_time ();
  g_mutex_unlock (&upload->lock);

  soup_message_set_request_body (upload->message, upload->content_type, chain, upload->total);

  return TRUE;
}

static void
wrote_body_data_cb (SoupMessage *message,
                    guint        chunk_size,
                    Upload      *upload)
{
  g_mutex_lock (&upload->lock);
  upload->sent += chunk_size;
  upload->progress_us = g_get_monotonic_time ();
  g_mutex_unlock (&upload->lock);
}

/* From here on the server may act on the package, whatever happens next. */
static void
wrote_body_cb (SoupMessage *message,
               Upload      *upload)
{
  g_mutex_lock (&upload->lock);
  upload->body_sent_us = g_get_monotonic_time ();
  g_mutex_unlock (&upload->lock);
}

static gboolean
upload_body_was_sent (Upload *upload)
{
  gboolean sent;

  g_mutex_lock (&upload->lock);
  sent = upload->body_sent_us != 0;
  g_mutex_unlock (&upload->lock);

  return sent;
}

/* An answer as large as a hostile server likes is not read whole. */
static GBytes *
read_answer (GInputStream  *stream,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  guint8 chunk[16384];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk,
                                      MIN (sizeof chunk, CD_UPLOAD_MAX_ANSWER - answer->len + 1),
                                      cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if ((gsize) n > CD_UPLOAD_MAX_ANSWER - answer->len)
        {
          g_autofree char *size = g_format_size (CD_UPLOAD_MAX_ANSWER);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("The server’s answer was larger than %s."), size);
          return NULL;
        }
      g_byte_array_append (answer, chunk, (guint) n);
    }

  g_input_stream_close (stream, NULL, NULL);
  return g_byte_array_free_to_bytes (g_steal_pointer (&answer));
}

static void
restarted_cb (SoupMessage *message,
              Upload      *upload)
{
  g_autoptr(GError) error = NULL;

  /* Never a second copy of a package the server may already have. */
  if (upload_body_was_sent (upload))
    {
      g_set_error_literal (&upload->reopen_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           _("The connection closed after the package was sent."));
      return;
    }

  /* The send then fails on the closed stream; this is the reason to tell. */
  if (!upload_attach_body (upload, upload->total - (goffset) g_bytes_get_size (upload->preamble) -
                                   (goffset) g_bytes_get_size (upload->epilogue), &error))
    g_propagate_error (&upload->reopen_error, g_steal_pointer (&error));
}

static void
upload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Upload *upload = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GInputStream) answer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  CdUploadResponse *response;
  goffset file_size = 0;

  /* The session and its sockets belong to this thread alone. */
  g_main_context_push_thread_default (context);

  if (!(info = g_file_query_info (upload->file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                  G_FILE_QUERY_INFO_NONE, cancellable, &error)))
    {
      package_error (upload, &error);
      goto out;
    }

  file_size = g_file_info_get_size (info);
  g_mutex_lock (&upload->lock);
  upload->total = (goffset)g_bytes_get_size (upload->preamble) + file_size +
                  (goffset)g_bytes_get_size (upload->epilogue);
  g_mutex_unlock (&upload->lock);

  /* Each socket read or write (connecting too) gives up after this; the
   * watch in the caller's context bounds the whole. */
  session = soup_session_new_with_options ("user-agent", "Coursedrop/" PACKAGE_VERSION,
                                           "timeout", MAX ((upload->timeout_ms + 999) / 1000, 1),
                                           NULL);
  if (upload->tls_database != NULL)
    soup_session_set_tls_database (session, upload->tls_database);

  if (!(message = soup_message_new (SOUP_METHOD_POST, upload->url)))
    {
      g_set_error_literal (&error, CD_UPLOAD_ERROR, CD_UPLOAD_ERROR_INVALID_URL,
                           _("The Brightspace address does not make a valid upload address."));
      goto out;
    }
  upload->message = message;
  /* A signed URL is valid for its own path only, and a redirected POST
   * would arrive as a GET without the package: refuse, as every call does. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);

  /* The client's trust store carries its certificate pins: this session
   * must accept exactly what the client's own session accepts. */
  if (_cd_certificate_trust_from_database (upload->tls_database) != NULL)
    _cd_certificate_trust_watch (_cd_certificate_trust_from_database (upload->tls_database),
                                 message);

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "application/json");
  if (upload->authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message),
                                  "Authorization", upload->authorization);
  /* No "Expect: 100-continue": libsoup 3.2's synchronous send never returns
   * when the server refuses before the body (seen with a 403), and the
   * server's early answer reaches us without it. */

  if (!upload_attach_body (upload, file_size, &error))
    {
      package_error (upload, &error);
      goto out;
    }

  g_signal_connect (message, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), upload);
  g_signal_connect (message, "wrote-body", G_CALLBACK (wrote_body_cb), upload);
  g_signal_connect (message, "restarted", G_CALLBACK (restarted_cb), upload);

  answer = soup_session_send (session, message, upload->cancellable, &error);
  if (answer != NULL)
    body = read_answer (answer, upload->cancellable, &error);

  if (error != NULL && upload->chain != NULL &&
      cd_chain_input_stream_length_changed (upload->chain))
    {
      g_clear_error (&error);
      g_set_error (&error, CD_UPLOAD_ERROR, CD_UPLOAD_ERROR_CHANGED,
                   _("The package “%s” changed while it was being uploaded. Wait until "
                     "it is completely written, then import it again."), upload->filename);
    }
  else if (upload->reopen_error != NULL)
    {
      g_clear_error (&error);
      g_clear_pointer (&body, g_bytes_unref);
      error = g_steal_pointer (&upload->reopen_error);
      package_error (upload, &error);
    }

  g_signal_handlers_disconnect_by_data (message, upload);
  upload->message = NULL;
  if (upload->chain != NULL)
    {
      upload->sha256 = g_strdup (cd_chain_input_stream_get_digest (upload->chain));
      upload->quick_key = g_strdup (cd_chain_input_stream_get_quick_key (upload->chain));
    }

out:
  /* The message completes when its body stream goes: in this context. */
  if (answer != NULL)
    g_input_stream_close (answer, NULL, NULL);
  g_clear_object (&answer);
  g_main_context_pop_thread_default (context);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  response = g_new0 (CdUploadResponse, 1);
  response->status = soup_message_get_status (message);
  response->body = g_steal_pointer (&body);
  response->retry_after = g_strdup (soup_message_headers_get_one (
    soup_message_get_response_headers (message), "Retry-After"));

  g_task_return_pointer (task, response, (GDestroyNotify)cd_upload_response_free);
}

static void
upload_report (Upload *upload)
{
  goffset sent, total;

  g_mutex_lock (&upload->lock);
  sent = upload->sent;
  total = upload->total;
  g_mutex_unlock (&upload->lock);

  if (upload->progress != NULL && total > 0 && sent != upload->reported)
    {
      upload->reported = sent;
      upload->progress (sent, total, upload->progress_data);
    }
}

/* The upload's deadline is about progress, not total time: a large package
 * on a slow line may take an hour.  Once the body is sent, the answer must
 * come within the timeout. */
static void
upload_watch (Upload *upload)
{
  gint64 now = g_get_monotonic_time ();
  gint64 limit_us = (gint64) upload->timeout_ms * 1000;
  gboolean expired;

  g_mutex_lock (&upload->lock);
  expired = upload->body_sent_us != 0 ? now - upload->body_sent_us > limit_us
                                       : now - upload->progress_us > limit_us;
  if (expired)
    upload->timed_out = TRUE;
  g_mutex_unlock (&upload->lock);

  if (expired)
    g_cancellable_cancel (upload->cancellable);
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  upload_report (user_data);
  upload_watch (user_data);
  return G_SOURCE_CONTINUE;
}

static void
upload_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  Upload *upload = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  CdUploadResponse *response;
  gboolean timed_out;

  g_source_destroy (upload->progress_source);
  g_clear_pointer (&upload->progress_source, g_source_unref);
  upload_report (upload);

  g_mutex_lock (&upload->lock);
  timed_out = upload->timed_out;
  g_mutex_unlock (&upload->lock);
  g_object_set_data (G_OBJECT (outer), "body-sent", GINT_TO_POINTER (upload_body_was_sent (upload)));
  g_object_set_data_full (G_OBJECT (outer), "sha256", g_steal_pointer (&upload->sha256), g_free);
  g_object_set_data_full (G_OBJECT (outer), "quick-key", g_steal_pointer (&upload->quick_key),
                          g_free);

  response = g_task_propagate_pointer (G_TASK (result), &error);

  /* Our watch cancelled it, not the caller: say why. */
  if (response == NULL && timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_cancellable_is_cancelled (upload->outer))
    {
      g_clear_error (&error);
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   _("Nothing happened for %u seconds."), MAX (upload->timeout_ms / 1000, 1));
    }

  if (response == NULL)
    g_task_return_error (outer, g_steal_pointer (&error));
  else
    g_task_return_pointer (outer, response, (GDestroyNotify)cd_upload_response_free);
}

static gboolean
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

void
cd_upload_file_async (const char           *url,
                      GFile                *file,
                      const char           *filename,
                      GTlsDatabase         *tls_database,
                      CdUploadProgressFunc  progress,
                      gpointer              progress_data,
                      GDestroyNotify        progress_destroy,
                      GCancellable         *cancellable,
                      GAsyncReadyCallback   callback,
                      gpointer              user_data)
{
  cd_upload_file_with_timeout_async (url, file, filename, tls_database, 0, progress,
                                     progress_data, progress_destroy, cancellable, callback,
                                     user_data);
}

void
cd_upload_file_with_timeout_async (const char           *url,
                                   GFile                *file,
                                   const char           *filename,
                                   GTlsDatabase         *tls_database,
                                   guint                 timeout_ms,
                                   CdUploadProgressFunc  progress,
                                   gpointer              progress_data,
                                   GDestroyNotify        progress_destroy,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  cd_upload_file_full_async (url, NULL, file, filename, tls_database, timeout_ms, progress,
                             progress_data, progress_destroy, cancellable, callback, user_data);
}

void
cd_upload_file_full_async (const char           *url,
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
                                   gpointer              user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) worker = NULL;
  Upload *upload;

  g_return_if_fail (url != NULL);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (filename != NULL);
  g_return_if_fail (!tls_database || G_IS_TLS_DATABASE (tls_database));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cd_upload_file_async);
  /* A cancel after the body was sent is an outcome the caller must hear
   * about as such, not a plain cancellation. */
  g_task_set_check_cancellable (outer, FALSE);

  upload = g_new0 (Upload, 1);
  g_mutex_init (&upload->lock);
  upload->url = g_strdup (url);
  upload->authorization = cd_secret_dup (authorization);
  upload->file = g_object_ref (file);
  upload->filename = g_strdup (filename);
  upload->tls_database = tls_database != NULL ? g_object_ref (tls_database) : NULL;
  upload->timeout_ms = timeout_ms > 0 ? timeout_ms : CD_UPLOAD_DEFAULT_TIMEOUT_MS;
  upload->progress = progress;
  upload->progress_data = progress_data;
  upload->progress_destroy = progress_destroy;
  upload->reported = -1;
  upload->progress_us = g_get_monotonic_time ();
  upload->cancellable = g_cancellable_new ();
  /* Not g_cancellable_connect(): disconnecting inside a cancel deadlocks. */
  if (cancellable != NULL)
    {
      upload->outer = g_object_ref (cancellable);
      upload->outer_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (upload->outer_source, "[coursedrop] upload cancel");
      g_source_set_callback (upload->outer_source, G_SOURCE_FUNC (outer_cancelled_cb),
                             g_object_ref (upload->cancellable), g_object_unref);
      g_source_attach (upload->outer_source, g_main_context_get_thread_default ());
    }
  upload_build_envelope (upload);

  upload->progress_source = g_timeout_source_new (PROGRESS_INTERVAL_MS);
  g_source_set_callback (upload->progress_source, progress_tick_cb, upload, NULL);
  g_source_set_static_name (upload->progress_source, "[coursedrop] upload progress");
  g_source_attach (upload->progress_source, g_main_context_get_thread_default ());

  worker = g_task_new (NULL, upload->cancellable, upload_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (worker, upload_thread);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_task_data (worker, upload, (GDestroyNotify)upload_free);
  g_task_run_in_thread (worker, upload_thread);
}

/**
 * cd_upload_file_finish:
 *
 * Returns: (transfer full): the server's answer, or %NULL with @error set
 */
CdUploadResponse *
cd_upload_file_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_upload_file_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cd_upload_file_body_was_sent (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_upload_file_async, FALSE);

  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "body-sent"));
}

/**
 * cd_upload_file_get_sha256:
 *
 * Returns: (nullable): the SHA-256 (lower-case hex) of the file as it was
 *   sent, computed from the upload's own reads; %NULL unless all of it was
 *   read, e.g. after a failure on the way.
 */
const char *
cd_upload_file_get_sha256 (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_upload_file_async, NULL);

  return g_object_get_data (G_OBJECT (result), "sha256");
}

/* Returns: (nullable): the quick key (cd_digest_quick_key()) of the file
 *   as it was sent, like cd_upload_file_get_sha256(). */
const char *
cd_upload_file_get_quick_key (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_upload_file_async, NULL);

  return g_object_get_data (G_OBJECT (result), "quick-key");
}
