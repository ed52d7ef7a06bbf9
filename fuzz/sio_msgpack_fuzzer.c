/* Fuzz target for the msgpack parser: the packet decoder and encoder (sio_msgpack.h, on
 * msgpack-c) and the bridge to the Socket.IO layer's text form (sio_mp_bridge.h).
 * Spec tags exercised: SIO-MP-1..17.
 *
 * Input: byte 0 = max_depth (value % 33; 0 = the default 32), the rest is one binary
 * Engine.IO message.
 * Oracles:
 *   - a decoded packet has a type 0..4, a namespace starting with '/' inside the
 *     input, an ack id only on types 2 and 3 (always on 3), at most 2^53-1, and data
 *     nested no deeper than max_depth - 1;
 *   - decode -> sio_mp_encode -> decode gives an equal packet (the data packed again
 *     byte for byte), and encoding that again gives the same bytes (SIO-MP-15/16);
 *   - the bridge accepts every packet the decoder accepts, except the refusals its
 *     header names (a ',' in the namespace, bin values outside EVENT and ACK, a map
 *     the text form reads as a placeholder); what it hands to the layer comes back
 *     through sio_mp_bridge_push as one message that decodes to a packet of the same
 *     type, namespace and ack id. */
#include "fuzz_check.h"

#include "sioref/err.h"
#include "sioref/sio_mp_bridge.h"
#include "sioref/sio_msgpack.h"

static void same_packet(const sio_mp_packet *a, const sio_mp_packet *b, bool data_too,
                        const char *what) {
  FUZZ_CHECK(a->type == b->type, what);
  FUZZ_CHECK(a->nsp.len == b->nsp.len && memcmp(a->nsp.ptr, b->nsp.ptr, a->nsp.len) == 0, what);
  FUZZ_CHECK(a->has_id == b->has_id && a->id == b->id, what);
  FUZZ_CHECK((a->data == NULL) == (b->data == NULL), what);
  if (!data_too || !a->data) return;
  /* packed bytes, not msgpack_object_equal: a NaN is not equal to itself */
  msgpack_sbuffer x, y;
  msgpack_sbuffer_init(&x);
  msgpack_sbuffer_init(&y);
  msgpack_packer px, py;
  msgpack_packer_init(&px, &x, msgpack_sbuffer_write);
  msgpack_packer_init(&py, &y, msgpack_sbuffer_write);
  FUZZ_CHECK(msgpack_pack_object(&px, *a->data) == 0 && msgpack_pack_object(&py, *b->data) == 0,
             "out of memory");
  FUZZ_CHECK(x.size == y.size && memcmp(x.data, y.data, x.size) == 0, what);
  msgpack_sbuffer_destroy(&x);
  msgpack_sbuffer_destroy(&y);
}

static int depth(const msgpack_object *o) {
  int d = 0;
  if (o->type == MSGPACK_OBJECT_ARRAY)
    for (uint32_t i = 0; i < o->via.array.size; i++) {
      int c = depth(&o->via.array.ptr[i]);
      d = c > d ? c : d;
    }
  else if (o->type == MSGPACK_OBJECT_MAP)
    for (uint32_t i = 0; i < o->via.map.size; i++) {
      int c = depth(&o->via.map.ptr[i].val);
      d = c > d ? c : d;
    }
  else
    return 0;
  return d + 1;
}

/* The bridge's round trip: decode -> (text form) -> push -> one msgpack message. */
typedef struct bridge_run {
  sio_mp_bridge out;
  int messages;
  msgpack_sbuffer last;
} bridge_run;

static int collect(void *ctx, bool binary, const uint8_t *d, size_t n) {
  bridge_run *r = ctx;
  FUZZ_CHECK(binary, "the bridge emitted a text message for the wire");
  r->messages++;
  r->last.size = 0;
  msgpack_sbuffer_write(&r->last, (const char *)d, n);
  return 0;
}

static int forward(void *ctx, bool binary, const uint8_t *d, size_t n) {
  bridge_run *r = ctx;
  int rc = sio_mp_bridge_push(&r->out, binary, d, n, collect, r);
  FUZZ_CHECK(rc == 0, "the bridge refuses its own text form");
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int max_depth = data[0] % 33;
  const uint8_t *in = data + 1;
  size_t len = size - 1;
  sio_mp_msg m;
  int rc = sio_mp_decode(in, len, max_depth, &m);
  if (rc) {
    FUZZ_CHECK(rc < 0 && ref_err_name(rc) != NULL, "unknown result");
    sio_mp_msg_free(&m);
    bridge_run r = {{0}, 0, {0}};
    FUZZ_CHECK(sio_mp_bridge_decode(in, len, true, max_depth, forward, &r) == rc,
               "the bridge and the decoder refuse differently");
    return 0;
  }
  const sio_mp_packet *p = &m.pkt;
  FUZZ_CHECK(p->type >= 0 && p->type <= 4, "type outside 0..4");
  FUZZ_CHECK(p->nsp.len > 0 && p->nsp.ptr[0] == '/', "namespace without '/'");
  FUZZ_CHECK(fuzz_span_inside(p->nsp.ptr, p->nsp.len, in, len), "namespace outside the input");
  FUZZ_CHECK(!p->has_id || p->type == 2 || p->type == 3, "ack id on a type without one");
  FUZZ_CHECK(p->has_id || p->type != 3, "ACK without an ack id");
  FUZZ_CHECK(p->id <= 9007199254740991ULL, "ack id above 2^53-1");
  FUZZ_CHECK(!p->data || 1 + depth(p->data) <= (max_depth ? max_depth : SIO_MP_MAX_DEPTH),
             "data nested deeper than max_depth");

  /* SIO-MP-15/16: encode -> decode -> encode */
  msgpack_sbuffer e1, e2;
  msgpack_sbuffer_init(&e1);
  msgpack_sbuffer_init(&e2);
  FUZZ_CHECK(sio_mp_encode(p, &e1) == 0, "the encoder refused a decoded packet");
  sio_mp_msg m2;
  FUZZ_CHECK(sio_mp_decode((const uint8_t *)e1.data, e1.size, 0, &m2) == 0,
             "the re-encoded packet does not decode");
  same_packet(p, &m2.pkt, true, "decode -> encode -> decode changed the packet");
  FUZZ_CHECK(sio_mp_encode(&m2.pkt, &e2) == 0 && e2.size == e1.size &&
                 memcmp(e1.data, e2.data, e1.size) == 0,
             "re-encoding is not stable");
  sio_mp_msg_free(&m2);
  msgpack_sbuffer_destroy(&e2);

  /* The bridge, on the canonical bytes (the layer's JSON text has no other forms) */
  bridge_run r = {{0}, 0, {0}};
  msgpack_sbuffer_init(&r.last);
  sio_mp_bridge_init(&r.out);
  rc = sio_mp_bridge_decode((const uint8_t *)e1.data, e1.size, true, 0, forward, &r);
  if (rc == 0) {
    FUZZ_CHECK(r.messages == 1, "the bridge's round trip gave other than one message");
    FUZZ_CHECK(sio_mp_decode((const uint8_t *)r.last.data, r.last.size, 0, &m2) == 0,
               "the bridge's round trip does not decode");
    same_packet(p, &m2.pkt, false, "the bridge's round trip changed type, nsp or id");
    sio_mp_msg_free(&m2);
  } else {
    FUZZ_CHECK(rc == REF_ERR_BAD_NAMESPACE || rc == REF_ERR_BAD_PAYLOAD_SHAPE,
               "the bridge refuses a valid packet for another reason");
  }
  sio_mp_bridge_reset(&r.out);
  msgpack_sbuffer_destroy(&r.last);
  msgpack_sbuffer_destroy(&e1);
  sio_mp_msg_free(&m);
  return 0;
}
