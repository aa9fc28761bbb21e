/* cd-chain-input-stream.h - read several GInputStreams back to back */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CD_TYPE_CHAIN_INPUT_STREAM (cd_chain_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (CdChainInputStream, cd_chain_input_stream, CD, CHAIN_INPUT_STREAM, GInputStream)

GInputStream *cd_chain_input_stream_new (GInputStream **streams,
                                         guint          n_streams);
/* Child @index must yield exactly @length bytes: fewer (it ended early) or
 * more (it grew) fails the read with G_IO_ERROR_INVALID_DATA, so that a
 * body sent with a Content-Length never stalls short of it or overruns it. */
void          cd_chain_input_stream_expect_length (CdChainInputStream *self,
                                                   guint               index,
                                                   goffset             length);
/* Also compute the SHA-256 of the child set with expect_length(), from
 * the reads themselves: call it before the first read. */
void          cd_chain_input_stream_compute_digest (CdChainInputStream *self);
/* (nullable): lower-case hex, once that child was read to its very end
 * with the expected length. */
const char   *cd_chain_input_stream_get_digest (CdChainInputStream *self);
/* (nullable): its quick key (cd_digest_quick_key()), likewise. */
const char   *cd_chain_input_stream_get_quick_key (CdChainInputStream *self);
/* Whether a child's length differed from the expected one. */
gboolean      cd_chain_input_stream_length_changed (CdChainInputStream *self);

G_END_DECLS
