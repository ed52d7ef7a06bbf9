/* WebSocket framing (RFC 6455 section 5) without I/O: encode a frame head, mask a
 * payload, decode a frame from a byte buffer, and check a frame against the rules a
 * peer must keep. The caller owns every buffer; nothing here allocates, reads a clock
 * or draws a random mask (the mask is an argument). */
#ifndef WIRE_WS_H
#define WIRE_WS_H

#include <stddef.h>
#include <stdint.h>

#include "wire_err.h"

enum {
  WIRE_WS_CONT = 0,
  WIRE_WS_TEXT = 1,
  WIRE_WS_BINARY = 2,
  WIRE_WS_CLOSE = 8,
  WIRE_WS_PING = 9,
  WIRE_WS_PONG = 10,
};

/* The longest frame head: 2 bytes, a 64-bit length, a 4-byte mask. */
#define WIRE_WS_MAX_HEAD 14
/* The longest control frame payload (5.5). */
#define WIRE_WS_MAX_CONTROL 125

/* One decoded frame. PAYLOAD borrows from the decoder's input and is still masked when
 * MASKED (unmask with wire_ws_mask). */
typedef struct wire_ws_frame {
  int fin, rsv, opcode, masked; /* rsv: the three reserved bits as a number 0..7 */
  unsigned char mask[4];
  const unsigned char *payload; /* set by wire_ws_decode only */
  uint64_t len;                 /* payload length as the head announces it */
  size_t head_len;              /* bytes of the head, mask included */
} wire_ws_frame;

/* Write the head of a frame with LEN payload bytes into OUT and return its length
 * (2..14). MASK: 4 bytes, or NULL for an unmasked frame. RSV: 0..7 (higher bits are
 * dropped), OPCODE: 0..15. Any values are written as given, so tests of a peer can
 * build frames that break the rules. */
size_t wire_ws_head(unsigned char out[WIRE_WS_MAX_HEAD], int fin, int rsv, int opcode, uint64_t len,
                    const unsigned char *mask);

/* XOR P/LEN in place with MASK, P[0] being byte OFFSET of the payload (so a payload
 * can be masked in pieces). Masking twice restores the bytes. */
void wire_ws_mask(unsigned char *p, size_t len, const unsigned char mask[4], uint64_t offset);

/* Decode the head at BUF/LEN into F (payload left NULL). WIRE_OK, WIRE_MORE, or
 * WIRE_E_WS_LENGTH. Lets a reader refuse a huge frame before its payload arrives. */
wire_err wire_ws_decode_head(const unsigned char *buf, size_t len, wire_ws_frame *f);

/* Decode one whole frame at BUF/LEN into F: WIRE_OK (the frame spans F->head_len +
 * F->len bytes of BUF), WIRE_MORE, or WIRE_E_WS_LENGTH. The rules of
 * wire_ws_check are not applied: a harness reads what a broken peer sends. */
wire_err wire_ws_decode(const unsigned char *buf, size_t len, wire_ws_frame *f);

/* The first rule F breaks as a frame from a server (FROM_CLIENT 0: must not be masked)
 * or from a client (FROM_CLIENT 1: must be masked), in this order: masking, reserved
 * bits, reserved opcode, control frame without FIN, control payload over 125 bytes.
 * WIRE_OK when it keeps them all. */
wire_err wire_ws_check(const wire_ws_frame *f, int from_client);

/* Fragmentation (5.4) for the data frame F while MSG_OPCODE is the opcode of the
 * message being reassembled (0 when none): WIRE_OK, WIRE_E_WS_CONT_WITHOUT_MESSAGE or
 * WIRE_E_WS_MESSAGE_INTERLEAVED. Control frames (opcode >= 8) may come between
 * fragments and are always WIRE_OK. */
wire_err wire_ws_fragment_rule(int msg_opcode, const wire_ws_frame *f);

#endif
