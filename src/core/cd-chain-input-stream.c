/* cd-chain-input-stream.c
 *
 * A GInputStream that yields the contents of N child streams in order.
 * Used to build a multipart/form-data body as
 *   [memory: preamble] + [file] + [memory: epilogue]
 * without ever holding the file in memory.
 *
 * Only read_fn/close_fn are implemented: the upload runs libsoup's
 * synchronous API on its own worker thread, which reads with read_fn
 * directly.  (Through the async API every 8 KiB chunk would hop through the
 * thread pool and back, which measured 8 times slower than curl.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-chain-input-stream.h"

struct _CdChainInputStream
{
  GInputStream  parent_instance;
  GPtrArray    *children;  /* (element-type GInputStream) (owned) */
  guint         current;
};

G_DEFINE_FINAL_TYPE (CdChainInputStream, cd_chain_input_stream, G_TYPE_INPUT_STREAM)

static gssize
cd_chain_input_stream_read (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  CdChainInputStream *self = (CdChainInputStream *)stream;

  g_assert (CD_IS_CHAIN_INPUT_STREAM (self));

  while (self->current < self->children->len)
    {
      GInputStream *child = g_ptr_array_index (self->children, self->current);
      gssize n_read;

      n_read = g_input_stream_read (child, buffer, count, cancellable, error);

      if (n_read != 0)
        return n_read;  /* data, or -1 with @error set */

      self->current++;  /* child exhausted, move on */
    }

  return 0;
}

static gboolean
cd_chain_input_stream_close (GInputStream  *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  CdChainInputStream *self = (CdChainInputStream *)stream;
  gboolean ret = TRUE;

  for (guint i = 0; i < self->children->len; i++)
    {
      GInputStream *child = g_ptr_array_index (self->children, i);

      if (!g_input_stream_close (child, cancellable, ret ? error : NULL))
        ret = FALSE;
    }

  return ret;
}

static void
cd_chain_input_stream_finalize (GObject *object)
{
  CdChainInputStream *self = (CdChainInputStream *)object;

  g_clear_pointer (&self->children, g_ptr_array_unref);

  G_OBJECT_CLASS (cd_chain_input_stream_parent_class)->finalize (object);
}

static void
cd_chain_input_stream_class_init (CdChainInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = cd_chain_input_stream_finalize;

  stream_class->read_fn = cd_chain_input_stream_read;
  stream_class->close_fn = cd_chain_input_stream_close;
}

static void
cd_chain_input_stream_init (CdChainInputStream *self)
{
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * cd_chain_input_stream_new:
 * @streams: (array length=n_streams) (transfer none): child streams
 * @n_streams: number of elements in @streams
 *
 * Returns: (transfer full): a new #GInputStream
 */
GInputStream *
cd_chain_input_stream_new (GInputStream **streams,
                           guint          n_streams)
{
  CdChainInputStream *self;

  g_return_val_if_fail (streams != NULL || n_streams == 0, NULL);

  self = g_object_new (CD_TYPE_CHAIN_INPUT_STREAM, NULL);

  for (guint i = 0; i < n_streams; i++)
    g_ptr_array_add (self->children, g_object_ref (streams[i]));

  return G_INPUT_STREAM (self);
}
