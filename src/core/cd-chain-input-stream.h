/* cd-chain-input-stream.h - read several GInputStreams back to back */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CD_TYPE_CHAIN_INPUT_STREAM (cd_chain_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (CdChainInputStream, cd_chain_input_stream, CD, CHAIN_INPUT_STREAM, GInputStream)

GInputStream *cd_chain_input_stream_new (GInputStream **streams,
                                         guint          n_streams);

G_END_DECLS
