/* Engine.IO v3 codec: one packet, and both polling payload forms (text bodies of
 * `<length>:<packet>` segments with UTF-16 lengths, and application/octet-stream
 * bodies with 00/01 markers). Spec: spec/engine.io-v3.md, tags EIO-TPK-* and EIO-TPL-*.
 *
 * Packets are the eio_packet of eio_codec.h: the `b4` base64 form decodes to
 * EIO_DATA_BASE64 (data = the base64 text after `b4`), a binary WebSocket message to
 * EIO_DATA_BINARY (data = the bytes after the type byte). Stateless and
 * allocation-free; decoders borrow from the input, encoders are snprintf style as in
 * eio_codec.h. */
#ifndef SIOREF_EIO3_CODEC_H
#define SIOREF_EIO3_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/eio_codec.h"

/* Decode one text message (a WebSocket text message, or one segment's packet).
 * Returns 0, or REF_ERR_INVALID_ARGUMENT, REF_ERR_EMPTY_PACKET, REF_ERR_INVALID_UTF8,
 * REF_ERR_BAD_PACKET_TYPE (including `b` not followed by `4`), REF_ERR_BAD_BASE64. */
int eio3_packet_decode_text(const uint8_t *buf, size_t len, eio_packet *out);

/* Decode one binary WebSocket message: type byte 0x04, then the data.
 * Returns 0, or REF_ERR_INVALID_ARGUMENT, REF_ERR_EMPTY_PACKET, REF_ERR_BAD_PACKET_TYPE. */
int eio3_packet_decode_binary(const uint8_t *buf, size_t len, eio_packet *out);

/* Encode one packet into OUT (CAP bytes). A binary packet (EIO_DATA_BINARY or
 * EIO_DATA_BASE64) is written as a binary WebSocket message (0x04 + bytes) when
 * BINARY_MESSAGE, else as the text `b4` + base64; a text packet is digit + data
 * either way. Returns the full length, or REF_ERR_INVALID_ARGUMENT (bad type or kind,
 * binary data on a type other than MESSAGE, invalid base64 or UTF-8 data). */
int eio3_packet_encode(const eio_packet *p, bool binary_message, uint8_t *out, size_t cap);

/* Iterator over one complete polling body held by the caller. */
typedef struct eio3_payload_iter {
  const uint8_t *buf; /* borrowed body */
  size_t len;
  size_t pos;         /* next unread byte */
  size_t count;       /* packets returned so far */
  size_t max_packets; /* 0 = unlimited */
  bool binary;        /* an application/octet-stream body (EIO-TPL-10) */
  int err;            /* sticky error, 0 while fine */
} eio3_payload_iter;

/* Start iterating BODY (borrowed), a binary body when BINARY. MAX_PAYLOAD (0 =
 * unlimited) and MAX_PACKETS as in eio_payload_iter_init. The checks on the whole body
 * (maxPayload, empty body, UTF-8 of a text body) are made here: their error is
 * returned and every eio3_payload_next() returns it again. Returns 0, that error, or
 * REF_ERR_INVALID_ARGUMENT. */
int eio3_payload_iter_init(eio3_payload_iter *it, const uint8_t *body, size_t len, bool binary,
                           size_t max_payload, size_t max_packets);

/* Next packet: returns 1 and fills OUT, 0 at the end of the body, or a negative error
 * (REF_ERR_BAD_LENGTH_PREFIX, REF_ERR_EMPTY_PACKET, REF_ERR_TOO_MANY_PACKETS, or a
 * packet decoder's error); errors stick. Zero-length text segments are skipped. */
int eio3_payload_next(eio3_payload_iter *it, eio_packet *out);

/* Encode N packets (borrowed) as one body into OUT (CAP bytes, snprintf style): a text
 * body when !BINARY (binary packets as `b4` + base64; `0:` for N == 0), else a binary
 * body. Returns the full length, or REF_ERR_INVALID_ARGUMENT (a packet
 * eio3_packet_encode refuses, or N == 0 for a binary body). */
int eio3_payload_encode(const eio_packet *pkts, size_t n, bool binary, uint8_t *out, size_t cap);

#endif
