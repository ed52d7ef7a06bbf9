/* Fuzz target for the Socket.IO protocol v4 packet codec (sio_codec.h with
 * opts.protocol = SIO_PROTOCOL_V4), with a differential oracle against protocol v5
 * and a round-trip oracle.
 * Spec tags exercised: SIO-FPK-1 (same rules as v5 but for types 0 and 4), SIO-FPK-3
 * (no CONNECT payload), SIO-FPK-4 (ERROR: string or object), SIO-FPK-6 (encoder).
 *
 * Input: byte 0 holds the options (low nibble: max_attachments, high nibble:
 * max_json_depth, 0 = the default), the rest is the packet text.
 * Oracles:
 *   - v4 and v5 decode every packet of types 1, 2, 3, 5 and 6 (and every refusal
 *     decided before the payload's shape) alike; a CONNECT v4 accepts has no payload
 *     and is one v5 accepts too; an ERROR v4 accepts has a string or object payload,
 *     and v5 accepts it exactly when it is an object;
 *   - every span lies inside the input;
 *   - decode -> sio_packet_encode_proto(v4) -> decode gives the same packet and
 *     encoding again the same bytes; the encoder keeps the snprintf contract. */
#include "fuzz_check.h"
#include "fuzz_encode.h"
#include "fuzz_same.h"

#include "sioref/err.h"
#include "sioref/sio_codec.h"

static int encode_v4(const void *p, uint8_t *out, size_t cap) {
  return sio_packet_encode_proto(p, SIO_PROTOCOL_V4, out, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  sio_codec_opts o5 = {data[0] & 0x0f, data[0] >> 4, SIO_PROTOCOL_V5};
  sio_codec_opts o4 = o5;
  o4.protocol = SIO_PROTOCOL_V4;
  const uint8_t *in = data + 1;
  size_t len = size - 1;
  sio_packet p4, p5;
  int r4 = sio_packet_decode(in, len, &o4, &p4);
  int r5 = sio_packet_decode(in, len, &o5, &p5);
  bool shape_only =
      (r4 == 0 || r4 == REF_ERR_BAD_PAYLOAD_SHAPE) && (r5 == 0 || r5 == REF_ERR_BAD_PAYLOAD_SHAPE);
  bool type04 = len > 0 && (in[0] == '0' || in[0] == '4');
  if (!(type04 && shape_only)) {
    /* SIO-FPK-1: everything but the shapes of types 0 and 4 is v5's */
    FUZZ_CHECK(r4 == r5, "v4 and v5 disagree outside types 0 and 4");
    if (r4 == 0) fuzz_same_sio_packet(&p4, &p5, "v4 and v5 decode differently");
  }
  if (r4 != 0) {
    FUZZ_CHECK(r4 < 0 && ref_err_name(r4) != NULL, "unknown result");
    return 0;
  }
  FUZZ_CHECK(fuzz_span_inside(p4.data.ptr, p4.data.len, in, len), "payload outside the input");
  if (p4.type == SIO_PACKET_CONNECT) { /* SIO-FPK-3 */
    FUZZ_CHECK(p4.data.len == 0, "a v4 CONNECT with a payload");
    FUZZ_CHECK(r5 == 0, "a v4 CONNECT that v5 refuses");
  }
  if (p4.type == SIO_PACKET_CONNECT_ERROR) { /* SIO-FPK-4 */
    size_t i = 0;
    while (i < p4.data.len && strchr(" \t\r\n", p4.data.ptr[i])) i++;
    FUZZ_CHECK(i < p4.data.len && (p4.data.ptr[i] == '"' || p4.data.ptr[i] == '{'),
               "a v4 ERROR that is neither a string nor an object");
    FUZZ_CHECK((r5 == 0) == (p4.data.ptr[i] == '{'), "v5 and v4 disagree on an object ERROR");
  }
  if (p4.type == SIO_PACKET_BINARY_EVENT || p4.type == SIO_PACKET_BINARY_ACK) return 0;
  /* SIO-FPK-6: decode -> encode -> decode */
  int l1;
  uint8_t *e1 = fuzz_encode_checked(encode_v4, &p4, "sio_packet_encode_proto: snprintf", &l1);
  FUZZ_CHECK(e1 != NULL && l1 > 0, "the v4 encoder refused a decoded packet");
  sio_packet q;
  sio_codec_opts wide = {64, 1024, SIO_PROTOCOL_V4};
  FUZZ_CHECK(sio_packet_decode(e1, (size_t)l1, &wide, &q) == 0, "the re-encoded packet fails");
  fuzz_same_sio_packet(&p4, &q, "v4 round trip");
  int l2;
  uint8_t *e2 = fuzz_encode_checked(encode_v4, &q, "sio_packet_encode_proto: snprintf", &l2);
  FUZZ_CHECK(e2 && l2 == l1 && memcmp(e1, e2, (size_t)l1) == 0, "re-encoding is not stable");
  free(e1);
  free(e2);
  return 0;
}
