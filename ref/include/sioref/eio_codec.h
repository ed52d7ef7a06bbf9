/* Engine.IO v4 codec: one packet, and the HTTP long-polling payload.
 * Spec: spec/engine.io-v4.md, tags EIO-PK-* (packets) and EIO-PL-* (payloads).
 *
 * Stateless and allocation-free. Decoders fill an eio_packet whose data span points
 * into the caller's input; encoders write into a caller buffer and return the length
 * they need (snprintf style: when the return value is > cap the output was cut and
 * the caller retries with a larger buffer; nothing is written past cap). */
#ifndef SIOREF_EIO_CODEC_H
#define SIOREF_EIO_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/span.h"

/* Values equal the wire digit. */
typedef enum eio_packet_type {
  EIO_PACKET_OPEN = 0,
  EIO_PACKET_CLOSE = 1,
  EIO_PACKET_PING = 2,
  EIO_PACKET_PONG = 3,
  EIO_PACKET_MESSAGE = 4,
  EIO_PACKET_UPGRADE = 5,
  EIO_PACKET_NOOP = 6,
} eio_packet_type;

/* How a packet's data is held. */
typedef enum eio_data_kind {
  EIO_DATA_TEXT = 0,   /* data: UTF-8 text after the type digit (may be empty) */
  EIO_DATA_BINARY = 1, /* data: raw bytes (a WebSocket binary message) */
  EIO_DATA_BASE64 = 2, /* data: base64 text after the 'b' prefix (polling form of
                          binary); decode it with eio_base64_decode() */
} eio_data_kind;

typedef struct eio_packet {
  eio_packet_type type;
  eio_data_kind kind; /* binary kinds are always EIO_PACKET_MESSAGE */
  ref_span data;      /* borrowed from the decoder's input / the encoder's caller */
} eio_packet;

/* Which transport an encoding is for: binary packets are a raw binary WebSocket
 * message on WebSocket and 'b' + base64 text on polling. */
typedef enum eio_transport {
  EIO_TRANSPORT_POLLING = 0,
  EIO_TRANSPORT_WEBSOCKET = 1,
} eio_transport;

/* Decode one text message (a WebSocket text message, or one segment of a polling
 * body). BUF/LEN: the bytes, borrowed; OUT: filled on success.
 * Returns 0, or REF_ERR_INVALID_ARGUMENT, REF_ERR_EMPTY_PACKET,
 * REF_ERR_BAD_PACKET_TYPE, REF_ERR_INVALID_UTF8, REF_ERR_BAD_BASE64. */
int eio_packet_decode_text(const uint8_t *buf, size_t len, eio_packet *out);

/* Decode one binary WebSocket message: always a MESSAGE with EIO_DATA_BINARY.
 * Returns 0 or REF_ERR_INVALID_ARGUMENT. */
int eio_packet_decode_binary(const uint8_t *buf, size_t len, eio_packet *out);

/* Encode one packet for TRANSPORT into OUT (CAP bytes). For EIO_DATA_BINARY on
 * WebSocket the output is the raw bytes, to be sent as a binary message; every
 * other form is text. Returns the full length, or REF_ERR_INVALID_ARGUMENT (bad type
 * or kind, binary data on a type other than MESSAGE, invalid base64 in an
 * EIO_DATA_BASE64 packet, text data holding 0x1E on polling: EIO-PL-8). */
int eio_packet_encode(const eio_packet *p, eio_transport transport, uint8_t *out, size_t cap);

/* Polling payload iterator over one complete body held by the caller. */
typedef struct eio_payload_iter {
  const uint8_t *buf; /* borrowed body */
  size_t len;
  size_t pos;         /* next unread byte */
  size_t count;       /* packets returned so far */
  size_t max_packets; /* 0 = unlimited; else more packets -> REF_ERR_TOO_MANY_PACKETS */
  int err;            /* sticky error, 0 while fine */
  bool done;
} eio_payload_iter;

/* Start iterating BODY (borrowed). MAX_PAYLOAD (0 = unlimited) rejects a longer body
 * up front with REF_ERR_PAYLOAD_TOO_LARGE (then every eio_payload_next() returns it
 * too). Returns 0, REF_ERR_PAYLOAD_TOO_LARGE, or REF_ERR_INVALID_ARGUMENT. */
int eio_payload_iter_init(eio_payload_iter *it, const uint8_t *body, size_t len, size_t max_payload,
                          size_t max_packets);

/* Next packet: returns 1 and fills OUT, 0 at the end of the body, or a negative
 * error from eio_packet_decode_text / REF_ERR_TOO_MANY_PACKETS. An empty body is
 * one empty packet, hence REF_ERR_EMPTY_PACKET. After an error the iterator stays
 * at that error. */
int eio_payload_next(eio_payload_iter *it, eio_packet *out);

/* Incremental polling-body reader: the same packets and the same error as
 * eio_payload_iter over the whole body, however the body is cut into chunks (the
 * body's length is declared up front, as HTTP's Content-Length gives it, so
 * PAYLOAD_TOO_LARGE is reported before any packet exactly as the iterator does).
 * Only a segment that spans two chunks is copied, into caller storage.
 * Use:
 *   eio_payload_reader_init(&r, store, sizeof store, content_length, max_payload, 0);
 *   for each chunk (p, n):
 *     while ((rc = eio_payload_reader_next(&r, &p, &n, &pkt)) == EIO_READER_PACKET)
 *       use(pkt);
 *     if (rc < 0) fail(rc); if (rc == EIO_READER_DONE) break;   // else need more */
#define EIO_READER_MORE   0 /* the chunk is used up; feed the next one */
#define EIO_READER_PACKET 1 /* *out holds a packet */
#define EIO_READER_DONE   2 /* the whole body was read and every packet returned */

typedef struct eio_payload_reader {
  uint8_t *store;     /* caller storage for a segment cut by a chunk boundary */
  size_t cap;         /* its capacity (max_payload, or the body length, suffices) */
  size_t held;        /* bytes of the current segment held in store */
  size_t body_len;    /* declared body length */
  size_t seen;        /* body bytes consumed so far */
  size_t count;       /* packets returned so far */
  size_t max_packets; /* 0 = unlimited */
  int err;            /* sticky error, 0 while fine */
  bool done;
} eio_payload_reader;

/* Start reading a body of BODY_LEN bytes. STORE/CAP: caller-owned storage for one
 * segment (any segment fits when CAP >= min(BODY_LEN, MAX_PAYLOAD)). MAX_PAYLOAD and
 * MAX_PACKETS as for eio_payload_iter_init (0 = unlimited). Returns 0, or
 * REF_ERR_INVALID_ARGUMENT (NULL R, NULL STORE with CAP > 0). A body longer than
 * MAX_PAYLOAD makes the first eio_payload_reader_next() return
 * REF_ERR_PAYLOAD_TOO_LARGE, as the iterator does. */
int eio_payload_reader_init(eio_payload_reader *r, uint8_t *store, size_t cap, size_t body_len,
                            size_t max_payload, size_t max_packets);

/* Consume bytes from *CHUNK and *LEN (borrowed; both advanced past what was used) until
 * a packet is complete. Returns EIO_READER_PACKET with OUT filled (its data borrows
 * from the chunk or from STORE: valid until the next call, and only while the chunk
 * lives), EIO_READER_MORE when the chunk is used up, EIO_READER_DONE after the last
 * packet, or a negative error. The iterator's errors and REF_ERR_BUFFER_TOO_SMALL (a
 * cut segment does not fit STORE) stick: every later call returns them again.
 * REF_ERR_INVALID_ARGUMENT (NULL pointers, bytes beyond BODY_LEN) changes nothing. */
int eio_payload_reader_next(eio_payload_reader *r, const uint8_t **chunk, size_t *len,
                            eio_packet *out);

/* Encode N >= 1 packets (borrowed) as one polling body ('\x1e' between packets,
 * binary as 'b' + base64) into OUT (CAP bytes, snprintf style). Returns the full
 * length, or REF_ERR_INVALID_ARGUMENT (N == 0: an empty body is not a payload,
 * EIO-PL-1; or any packet eio_packet_encode would refuse on polling). */
int eio_payload_encode(const eio_packet *pkts, size_t n, uint8_t *out, size_t cap);

/* Base64 (RFC 4648 section 4, with padding, no whitespace) helpers; IN is borrowed,
 * OUT/CAP is the caller's buffer. decode accepts exactly what the 'b' packet form
 * accepts (strict, and canonical: leftover bits of a padded group must be zero) and
 * returns the decoded length, REF_ERR_BAD_BASE64, REF_ERR_BUFFER_TOO_SMALL (nothing
 * useful written) or REF_ERR_INVALID_ARGUMENT (NULL with a length). decoded_len is an
 * upper bound (len / 4 * 3). encode is snprintf style: returns the full length and
 * writes at most CAP bytes (no NUL terminator), or REF_ERR_INVALID_ARGUMENT. */
int eio_base64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
size_t eio_base64_decoded_len(size_t len);
int eio_base64_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#endif
