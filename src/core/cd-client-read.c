/* cd-client-read.c: sending a request and reading its answer, bounded
 *
 * A server is not trusted to be sane: its answer is read with a size cap
 * (never whole into memory first) and within a deadline that also covers
 * a server that never answers or drips one byte at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"

#define READ_CHUNK 16384

typedef struct
{
  SoupMessage  *message;      /* (owned) */
  GInputStream *stream;       /* (owned) (nullable) */
  GByteArray   *buffer;       /* (owned) */
  gsize         max_bytes;
  GCancellable *cancellable;  /* (owned): ours, cancelled by the caller's or the deadline */
  GCancellable *outer;        /* (owned) (nullable): the caller's */
  GSource      *outer_source; /* (owned) (nullable): watches it */
  GSource      *deadline;     /* (owned) (nullable) */
  gboolean      timed_out;
} Read;

static void
read_free (Read *read)
{
  if (read->outer_source != NULL)
    g_source_destroy (read->outer_source);
  g_clear_pointer (&read->outer_source, g_source_unref);
  g_clear_object (&read->outer);
  if (read->deadline != NULL)
    g_source_destroy (read->deadline);
  g_clear_pointer (&read->deadline, g_source_unref);
  g_clear_object (&read->stream);
  g_clear_object (&read->message);
  g_clear_object (&read->cancellable);
  g_clear_pointer (&read->buffer, g_byte_array_unref);
  g_free (read);
}

GError *
_cd_client_too_large_error (gsize max_bytes)
{
  g_autofree char *size = g_format_size (max_bytes);

  return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                      _("The server’s answer was larger than %s, far more than Brightspace "
                        "sends; Coursedrop stopped reading it."), size);
}

static gboolean
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  Read *read = user_data;

  g_cancellable_cancel (read->cancellable);

  return G_SOURCE_REMOVE;
}

static gboolean
deadline_cb (gpointer user_data)
{
  Read *read = user_data;

  read->timed_out = TRUE;
  g_cancellable_cancel (read->cancellable);

  return G_SOURCE_REMOVE;
}

/* The deadline, not the cancellation it used, is the reason to give. */
static void
read_return_error (GTask  *task,
                   GError *error)
{
  Read *read = g_task_get_task_data (task);

  if (read->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_cancellable_is_cancelled (read->outer))
    {
      g_clear_error (&error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                   _("The server did not answer in time."));
    }

  if (read->stream != NULL)
    g_input_stream_close_async (read->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_task_return_error (task, error);
}

static void read_next (GTask *task);

static void
read_chunk_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Read *read = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;
  gsize len;

  if (!(chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error)))
    {
      read_return_error (task, error);
      return;
    }

  len = g_bytes_get_size (chunk);
  if (len == 0)
    {
      g_input_stream_close_async (read->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&read->buffer)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (len > read->max_bytes - read->buffer->len)
    {
      read_return_error (task, _cd_client_too_large_error (read->max_bytes));
      return;
    }

  g_byte_array_append (read->buffer, g_bytes_get_data (chunk, NULL), len);
  read_next (task);
}

static void
read_next (GTask *task)
{
  Read *read = g_task_get_task_data (task);

  /* One byte more than allowed is enough to know it is too much. */
  g_input_stream_read_bytes_async (read->stream,
                                   MIN (READ_CHUNK, read->max_bytes - read->buffer->len + 1),
                                   G_PRIORITY_DEFAULT, read->cancellable, read_chunk_cb,
                                   g_object_ref (task));
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Read *read = g_task_get_task_data (task);
  GError *error = NULL;

  if (!(read->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error)))
    {
      read_return_error (task, error);
      return;
    }

  read_next (task);
}

/* Sends @message and reads at most @max_bytes of its answer, all before
 * @deadline_us (monotonic; 0 for none).  Errors: GIO errors of the
 * transport (G_IO_ERROR_TIMED_OUT at the deadline) for
 * _cd_client_error_from_transport(), or CD_CLIENT_ERROR_BAD_RESPONSE when
 * the answer is too large. */
void
_cd_client_send_capped_async (SoupSession         *session,
                              SoupMessage         *message,
                              gsize                max_bytes,
                              gint64               deadline_us,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Read *read;

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, _cd_client_send_capped_async);
  /* The errors are ours to choose: a deadline is not a cancellation. */
  g_task_set_check_cancellable (task, FALSE);

  read = g_new0 (Read, 1);
  read->message = g_object_ref (message);
  read->buffer = g_byte_array_new ();
  read->max_bytes = MAX (max_bytes, 1);
  read->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);

  /* A GCancellableSource rather than g_cancellable_connect(): no handler
   * runs inside the caller's g_cancellable_cancel(), where disconnecting
   * would deadlock, and it fires in this context whatever thread cancels. */
  if (cancellable != NULL)
    {
      read->outer = g_object_ref (cancellable);
      read->outer_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (read->outer_source, "[coursedrop] request cancel");
      g_source_set_callback (read->outer_source, G_SOURCE_FUNC (outer_cancelled_cb), read, NULL);
      g_source_attach (read->outer_source, g_task_get_context (task));
    }

  if (deadline_us > 0)
    {
      gint64 remaining_ms = MAX (deadline_us - g_get_monotonic_time (), 0) / 1000;

      read->deadline = g_timeout_source_new ((guint) MIN (remaining_ms, G_MAXUINT));
      g_source_set_static_name (read->deadline, "[coursedrop] request deadline");
      g_source_set_callback (read->deadline, deadline_cb, read, NULL);
      g_source_attach (read->deadline, g_task_get_context (task));
    }

  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, read->cancellable, sent_cb,
                           g_steal_pointer (&task));
}

GBytes *
_cd_client_send_capped_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_assert (g_task_get_source_tag (G_TASK (result)) == _cd_client_send_capped_async);

  return g_task_propagate_pointer (G_TASK (result), error);
}
