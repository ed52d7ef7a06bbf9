/* The msgpack parser in front of the Socket.IO layer: converts between one msgpack
 * packet per binary Engine.IO message (spec/msgpack.md, SIO-MP-*) and the text form the
 * layer reads and writes (a packet text, then its attachments as binary messages,
 * spec/socket.io-v5.md SIO-BIN-*). The layer stays a text-protocol machine; this module
 * is the only one that knows both forms.
 *
 * Inbound (sio_mp_bridge_decode): the message is decoded by sio_msgpack.h (every SIO-MP
 * rejection is its error), its data written as JSON text with each bin value replaced by
 * a placeholder {"_placeholder":true,"num":i} in document order, and the packet handed
 * on as EVENT/ACK (no bin) or BINARY_EVENT/BINARY_ACK followed by the bin values.
 * Outbound (sio_mp_bridge_push): the layer's text packet is decoded by the text codec
 * and, once its attachments have come, packed as one msgpack map whose placeholders are
 * the attachments as bin (SIO-MP-15, SIO-MP-16).
 *
 * Limits of the conversion (each a refusal, never a wrong packet): a namespace holding
 * ',' cannot be written in the text form (REF_ERR_BAD_NAMESPACE); a packet with more bin
 * values than the layer's maxAttachments is refused by the layer; in a packet that has
 * bin values, a map of the data with a "_placeholder" key is read by the layer as a
 * placeholder (REF_ERR_BAD_PLACEHOLDER); non-finite floats become null. */
#ifndef SIOREF_SIO_MP_BRIDGE_H
#define SIOREF_SIO_MP_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives one message: text (a Socket.IO packet text) or binary (an attachment, or a
 * msgpack packet). DATA borrowed for the call. Returns 0 or a negative error, which
 * stops the conversion and is returned by the caller. */
typedef int (*sio_mp_emit_fn)(void *ctx, bool binary, const uint8_t *data, size_t len);

/* One Engine.IO message from the client (BINARY: it was a binary message). Emits the
 * text form to EMIT. MAX_DEPTH as sio_mp_decode (0: the default). Returns 0, an error
 * of sio_mp_decode (REF_ERR_BAD_MSGPACK for a text message, SIO-MP-1), REF_ERR_BAD_NAMESPACE
 * (a ',' in it), REF_ERR_OUT_OF_MEMORY, or EMIT's error. */
int sio_mp_bridge_decode(const uint8_t *data, size_t len, bool binary, int max_depth,
                         sio_mp_emit_fn emit, void *ctx);

/* The outbound converter: holds a binary packet's header until its attachments came. */
typedef struct sio_mp_bridge {
  uint8_t *header; /* owned copy of a pending binary packet's text, or NULL */
  size_t header_len;
  uint32_t want; /* attachments it declares */
  uint8_t **att; /* owned copies of those received so far */
  size_t *att_len;
  uint32_t have;
} sio_mp_bridge;

void sio_mp_bridge_init(sio_mp_bridge *b);
/* Drop a pending packet (e.g. its connection went). */
void sio_mp_bridge_reset(sio_mp_bridge *b);

/* One message the layer sends (text packet or attachment); when it completes a
 * packet, EMIT gets the msgpack message (binary). A text packet while attachments are
 * still due drops the pending packet (its connection went away in between). Returns 0,
 * REF_ERR_INVALID_ARGUMENT (text the text codec refuses, a binary message with no packet
 * pending), REF_ERR_OUT_OF_MEMORY, or EMIT's error; on an error the pending packet is
 * dropped. */
int sio_mp_bridge_push(sio_mp_bridge *b, bool binary, const uint8_t *data, size_t len,
                       sio_mp_emit_fn emit, void *ctx);

#endif
