/* Socket.IO packets with the msgpack parser (socket.io-msgpack-parser): one msgpack map
 * {type, nsp, data?, id?} per binary Engine.IO message. Spec: spec/msgpack.md, tags
 * SIO-MP-*. MessagePack itself is msgpack-c's (libmsgpackc); this module only checks
 * the packet rules on the unpacked value and packs packets in the canonical key order.
 * Unlike the text codecs it allocates: msgpack-c unpacks into a zone owned by the
 * sio_mp_msg, and packs into a growing msgpack_sbuffer. */
#ifndef SIOREF_SIO_MSGPACK_H
#define SIOREF_SIO_MSGPACK_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/span.h"

/* SIO-MP-11: the default nesting bound, the packet map included. msgpack-c cannot
 * unpack deeper values anyway (its unpack stack holds 32 levels). */
#define SIO_MP_MAX_DEPTH 32

/* SIO-MP-2: a decoded (or to-be-encoded) packet. */
typedef struct sio_mp_packet {
  int type;                   /* 0..4 (SIO-MP-3) */
  ref_span nsp;               /* starts with '/' (SIO-MP-9) */
  bool has_id;                /* an ack id is present */
  uint64_t id;                /* 0 .. 2^53-1 (SIO-MP-12) */
  const msgpack_object *data; /* NULL when absent; msgpack values as SIO-MP-14 maps them */
} sio_mp_packet;

/* A decoded message: the unpacked value and the packet that borrows from it and from
 * the input bytes (strings and bin values point into the input). */
typedef struct sio_mp_msg {
  msgpack_unpacked up;
  sio_mp_packet pkt;
} sio_mp_msg;

/* Decode one binary Engine.IO message BUF/LEN (borrowed: keep it alive while OUT is
 * used). MAX_DEPTH: 0 for SIO_MP_MAX_DEPTH, else 1..SIO_MP_MAX_DEPTH. OUT is always
 * initialised; release it with sio_mp_msg_free() whatever the result. Returns 0, or
 * REF_ERR_INVALID_ARGUMENT, REF_ERR_BAD_MSGPACK, REF_ERR_INVALID_UTF8,
 * REF_ERR_BAD_PACKET_TYPE, REF_ERR_BAD_NAMESPACE, REF_ERR_BAD_ACK_ID,
 * REF_ERR_UNEXPECTED_ACK_ID, REF_ERR_MISSING_ACK_ID, REF_ERR_JSON_TOO_DEEP,
 * REF_ERR_BAD_PAYLOAD_SHAPE, REF_ERR_BAD_EVENT_NAME, REF_ERR_RESERVED_EVENT_NAME
 * (checked in the order spec/msgpack.md gives). */
int sio_mp_decode(const uint8_t *buf, size_t len, int max_depth, sio_mp_msg *out);

void sio_mp_msg_free(sio_mp_msg *m);

/* SIO-MP-15, SIO-MP-16: append P to OUT (initialised by the caller with
 * msgpack_sbuffer_init) as one map with the keys type, nsp, data, id, every value in
 * its shortest form. Returns 0, REF_ERR_INVALID_ARGUMENT (type outside 0..4, a
 * namespace not starting with '/', an id above 2^53-1) or REF_ERR_OUT_OF_MEMORY. */
int sio_mp_encode(const sio_mp_packet *p, msgpack_sbuffer *out);

#endif
