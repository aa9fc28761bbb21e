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
 * libsoup asks for 8 KiB at a time (g_output_stream_splice()'s buffer), so
 * the sized child (the package) is read in CD_DIGEST_BLOCK_SIZE blocks and
 * handed out from there: one system call and one digest update per MiB
 * instead of per 8 KiB.  The digests of each block are computed on a
 * second thread while its bytes are handed out (both only read it), so
 * that hashing adds no time to the upload on a machine with two cores;
 * the next block is read once they are done with this one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-chain-input-stream.h"
#include "cd-digest.h"

struct _CdChainInputStream
{
  GInputStream  parent_instance;
  GPtrArray    *children;  /* (element-type GInputStream) (owned) */
  guint         current;
  guint         expected_index;
  goffset       expected;  /* -1: any length */
  goffset       remaining; /* of the expected child */
  gboolean      changed;
  CdDigest     *digest;    /* (owned) (nullable): of the expected child, as it is read */
  char         *sha256;    /* (owned) (nullable): its result, once read to the end */
  CdDigest     *quick;     /* (owned) (nullable): its quick key's spans, as they are read */
  char         *quick_key; /* (owned) (nullable): the result, once read to the end */
  guint8       *block;     /* (owned) (nullable): read ahead from the expected child */
  gsize         block_at;  /* the next byte to hand out */
  gsize         block_len; /* the bytes in @block */

  GThreadPool  *hasher;    /* (owned) (nullable): digests @block beside the upload */
  GMutex        lock;
  GCond         hashed;
  gboolean      hashing;   /* the hasher still reads @block */
  gint64        block_offset;
};

G_DEFINE_FINAL_TYPE (CdChainInputStream, cd_chain_input_stream, G_TYPE_INPUT_STREAM)

static gssize
chain_changed (CdChainInputStream  *self,
               GError             **error)
{
  self->changed = TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The file changed while it was being read."));
  return -1;
}

/* Feeds the block just read, from @offset in the child, to the digests. */
static void
digest_block (CdChainInputStream *self,
              gint64              offset)
{
  gint64 end = offset + (gint64) self->block_len;
  gint64 head_end, tail_start;

  cd_digest_update (self->digest, self->block, self->block_len);

  /* The quick key's spans, in order: what the guard compares. */
  cd_digest_quick_spans (self->expected, &head_end, &tail_start);
  if (offset < head_end)
    cd_digest_update (self->quick, self->block, (gsize) (MIN (end, head_end) - offset));
  if (end > tail_start)
    {
      gint64 from = MAX (offset, tail_start);

      cd_digest_update (self->quick, self->block + (from - offset), (gsize) (end - from));
    }
}

static void
hash_block_thread (gpointer data,
                   gpointer user_data)
{
  CdChainInputStream *self = data;

  digest_block (self, self->block_offset);

  g_mutex_lock (&self->lock);
  self->hashing = FALSE;
  g_cond_signal (&self->hashed);
  g_mutex_unlock (&self->lock);
}

/* Until the hasher is done with @block (and the digests). */
static void
wait_hashed (CdChainInputStream *self)
{
  g_mutex_lock (&self->lock);
  while (self->hashing)
    g_cond_wait (&self->hashed, &self->lock);
  g_mutex_unlock (&self->lock);
}

static void
start_hashing (CdChainInputStream *self,
               gint64              offset)
{
  /* A thread of GLib's shared pool: nothing to set up per upload. */
  if (self->hasher == NULL)
    self->hasher = g_thread_pool_new (hash_block_thread, NULL, 1, FALSE, NULL);

  g_mutex_lock (&self->lock);
  self->hashing = TRUE;
  self->block_offset = offset;
  g_mutex_unlock (&self->lock);

  /* Without a thread, here: slower, never wrong. */
  if (!g_thread_pool_push (self->hasher, self, NULL))
    hash_block_thread (self, NULL);
}

/* The expected child, in blocks.  Returns 0 once it ended exactly at its
 * expected length. */
static gssize
read_sized (CdChainInputStream  *self,
            GInputStream        *child,
            void                *buffer,
            gsize                count,
            GCancellable        *cancellable,
            GError             **error)
{
  gssize n_read;

  if (self->block_at == self->block_len)
    {
      wait_hashed (self);
      if (self->remaining == 0)
        {
          guint8 extra;

          /* It must end here: one byte more means it grew. */
          n_read = g_input_stream_read (child, &extra, 1, cancellable, error);
          if (n_read < 0)
            return -1;
          if (n_read > 0)
            return chain_changed (self, error);
          if (self->digest != NULL)
            {
              self->sha256 = cd_digest_finish_hex (self->digest);
              self->quick_key = cd_digest_finish_quick_key (self->quick, self->expected);
            }
          g_clear_pointer (&self->digest, cd_digest_free);
          g_clear_pointer (&self->quick, cd_digest_free);
          g_clear_pointer (&self->block, g_free);
          return 0;
        }

      if (self->block == NULL)
        self->block = g_malloc (CD_DIGEST_BLOCK_SIZE);
      n_read = g_input_stream_read (child, self->block,
                                    (gsize) MIN (self->remaining, CD_DIGEST_BLOCK_SIZE),
                                    cancellable, error);
      if (n_read < 0)
        return -1;
      if (n_read == 0)
        return chain_changed (self, error);  /* ended early: it shrank */

      self->remaining -= n_read;
      self->block_at = 0;
      self->block_len = (gsize) n_read;
      /* Hashed from the very bytes that are sent: no second read. */
      if (self->digest != NULL)
        start_hashing (self, self->expected - self->remaining - n_read);
    }

  count = MIN (count, self->block_len - self->block_at);
  memcpy (buffer, self->block + self->block_at, count);
  self->block_at += count;

  return (gssize) count;
}

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

      if (self->expected >= 0 && self->current == self->expected_index)
        n_read = read_sized (self, child, buffer, count, cancellable, error);
      else
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

  wait_hashed (self);
  if (self->hasher != NULL)
    g_thread_pool_free (self->hasher, FALSE, TRUE);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->hashed);
  g_clear_pointer (&self->children, g_ptr_array_unref);
  g_clear_pointer (&self->digest, cd_digest_free);
  g_clear_pointer (&self->sha256, g_free);
  g_clear_pointer (&self->quick, cd_digest_free);
  g_clear_pointer (&self->quick_key, g_free);
  g_clear_pointer (&self->block, g_free);

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
  self->expected = -1;
  g_mutex_init (&self->lock);
  g_cond_init (&self->hashed);
}

void
cd_chain_input_stream_expect_length (CdChainInputStream *self,
                                     guint               index,
                                     goffset             length)
{
  g_return_if_fail (CD_IS_CHAIN_INPUT_STREAM (self));
  g_return_if_fail (index < self->children->len);
  g_return_if_fail (length >= 0);

  self->expected_index = index;
  self->expected = length;
  self->remaining = length;
}

void
cd_chain_input_stream_compute_digest (CdChainInputStream *self)
{
  g_return_if_fail (CD_IS_CHAIN_INPUT_STREAM (self));
  g_return_if_fail (self->expected >= 0);
  g_return_if_fail (self->remaining == self->expected);

  if (self->digest == NULL)
    self->digest = cd_digest_new ();
  if (self->quick == NULL)
    self->quick = cd_digest_new ();
}

const char *
cd_chain_input_stream_get_digest (CdChainInputStream *self)
{
  g_return_val_if_fail (CD_IS_CHAIN_INPUT_STREAM (self), NULL);

  return self->sha256;
}

const char *
cd_chain_input_stream_get_quick_key (CdChainInputStream *self)
{
  g_return_val_if_fail (CD_IS_CHAIN_INPUT_STREAM (self), NULL);

  return self->quick_key;
}

gboolean
cd_chain_input_stream_length_changed (CdChainInputStream *self)
{
  g_return_val_if_fail (CD_IS_CHAIN_INPUT_STREAM (self), FALSE);

  return self->changed;
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
