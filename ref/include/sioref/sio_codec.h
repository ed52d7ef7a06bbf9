/* Socket.IO v5 codec: one packet's text form, and binary attachments.
 * Spec: spec/socket.io-v5.md, tags SIO-PK-* (packets) and SIO-BIN-* (binary).
 * The same text form carries Socket.IO protocol v4 (spec/socket.io-v4.md, SIO-FPK-*):
 * opts.protocol = SIO_PROTOCOL_V4 (decoder) and sio_packet_encode_proto (encoder)
 * apply its payload shapes for CONNECT and type 4 (ERROR); everything else is shared.
 *
 * Decoding never copies: the namespace and the JSON payload are spans into the
 * caller's input. The JSON payload is validated (strict RFC 8259, depth-limited) and
 * its shape checked per packet type, but kept as text: the reference never re-prints
 * application data. Encoders are snprintf style like the Engine.IO codec. */
#ifndef SIOREF_SIO_CODEC_H
#define SIOREF_SIO_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/span.h"

/* Values equal the wire digit. */
typedef enum sio_packet_type {
  SIO_PACKET_CONNECT = 0,
  SIO_PACKET_DISCONNECT = 1,
  SIO_PACKET_EVENT = 2,
  SIO_PACKET_ACK = 3,
  SIO_PACKET_CONNECT_ERROR = 4,
  SIO_PACKET_BINARY_EVENT = 5,
  SIO_PACKET_BINARY_ACK = 6,
} sio_packet_type;

#define SIO_DEFAULT_MAX_ATTACHMENTS 10
#define SIO_DEFAULT_MAX_JSON_DEPTH  32
#define SIO_MAX_ACK_ID              9007199254740991LL /* 2^53-1: what every JSON peer can hold */
#define SIO_NO_ACK_ID               (-1LL)

/* Socket.IO protocol revisions the codec speaks (0 means v5). */
#define SIO_PROTOCOL_V5 5
#define SIO_PROTOCOL_V4 4

typedef struct sio_codec_opts {
  uint32_t max_attachments; /* 0 = SIO_DEFAULT_MAX_ATTACHMENTS */
  uint32_t max_json_depth;  /* 0 = SIO_DEFAULT_MAX_JSON_DEPTH; above JSON_SCAN_MAX_DEPTH
                               (json_scan.h) the decoder returns REF_ERR_INVALID_ARGUMENT */
  uint32_t protocol;        /* 0 or SIO_PROTOCOL_V5, or SIO_PROTOCOL_V4 (SIO-FPK-3/4:
                               no CONNECT payload; type 4 carries a string or object);
                               any other value: REF_ERR_INVALID_ARGUMENT */
} sio_codec_opts;

typedef struct sio_packet {
  sio_packet_type type;
  ref_span nsp;         /* "/" (a static string) when the packet names none */
  int64_t ack_id;       /* SIO_NO_ACK_ID when absent */
  uint32_t attachments; /* BINARY_* only: declared attachment count, >= 1 */
  ref_span data;        /* JSON text; len 0 when the packet has no payload */
} sio_packet;

/* Decode one Socket.IO packet from the text of an Engine.IO MESSAGE.
 * OPTS may be NULL for the defaults. On success OUT's spans borrow from BUF.
 * Returns 0, REF_ERR_INVALID_ARGUMENT, or a Socket.IO peer violation
 * (REF_ERR_EMPTY_PACKET, _BAD_PACKET_TYPE, _BAD_ATTACHMENT_COUNT,
 * _TOO_MANY_ATTACHMENTS, _ACK_ID_OUT_OF_RANGE, _INVALID_JSON, _JSON_TOO_DEEP,
 * _BAD_PAYLOAD_SHAPE, _BAD_EVENT_NAME, _RESERVED_EVENT_NAME, _MISSING_ACK_ID,
 * _UNEXPECTED_ACK_ID, _INVALID_UTF8). The first failing rule in the spec's order
 * decides (SIO-PK-3..15), except that the UTF-8 check (SIO-PK-16) comes right after
 * the empty check, as in the Engine.IO layer. Placeholders are checked by the
 * reassembler (sio_binary.h), not here. */
int sio_packet_decode(const uint8_t *buf, size_t len, const sio_codec_opts *opts, sio_packet *out);

/* Encode P's text form into OUT (CAP bytes): type, attachment count and '-' for
 * binary types, namespace and ',' unless it is "/" (or empty), ack id, JSON payload
 * as given (verbatim). P and its spans are borrowed. Returns the full length, or
 * REF_ERR_INVALID_ARGUMENT for local misuse (SIO-PK-19): a namespace not starting with
 * '/' or holding ',', an ack id outside SIO_NO_ACK_ID..SIO_MAX_ACK_ID, a binary type
 * with 0 attachments, an ack id on CONNECT/DISCONNECT/CONNECT_ERROR or none on
 * ACK/BINARY_ACK, or a payload that is not JSON (nesting up to
 * JSON_SCAN_MAX_DEPTH) or breaks the shape rules the decoder applies (including event
 * names). Placeholders are not checked here: see sio_binary_encode_header(). */
int sio_packet_encode(const sio_packet *p, uint8_t *out, size_t cap);

/* sio_packet_encode for protocol PROTOCOL (0 or SIO_PROTOCOL_V5: the same as
 * sio_packet_encode; SIO_PROTOCOL_V4: SIO-FPK-6, refusing a payload SIO-FPK-3/4 forbid).
 * Returns as sio_packet_encode, REF_ERR_INVALID_ARGUMENT for another PROTOCOL. */
int sio_packet_encode_proto(const sio_packet *p, uint32_t protocol, uint8_t *out, size_t cap);

/* The event name of a decoded EVENT/BINARY_EVENT: a span over the JSON string
 * literal's contents, still escaped (no quotes). Returns 0 or REF_ERR_BAD_STATE
 * when P is not an event. */
int sio_packet_event_name(const sio_packet *p, ref_span *name);

#endif
