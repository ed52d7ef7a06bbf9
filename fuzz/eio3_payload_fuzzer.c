/* Fuzz target for the Engine.IO v3 codec (eio3_codec.h): polling bodies in both forms
 * (length-prefixed text with UTF-16 lengths, and octet-stream bodies) and single
 * packets (WebSocket text and binary messages), with round-trip and bounds oracles.
 * Spec tags exercised: EIO-TPL-* (payloads), EIO-TPK-* (packets).
 *
 * Input: byte 0 = mode (bit 0: binary; bit 1: one packet instead of a body),
 * byte 1 = max_packets (0 = unlimited), byte 2 = max_payload in units of 4 bytes
 * (0 = unlimited), the rest is the body or message.
 * Oracles:
 *   - every data span lies inside the input; no more than max_packets packets; an
 *     over-long body is refused before any packet; an iterator that stopped stays
 *     stopped with the same result;
 *   - a fully valid body re-encodes (eio3_payload_encode, same form) to a body that
 *     iterates to the same packets, and encoding that again gives the same bytes;
 *   - a decoded packet re-encodes (eio3_packet_encode) to a message that decodes to
 *     the same packet; the encoders keep the snprintf contract. */
#include "fuzz_check.h"
#include "fuzz_encode.h"
#include "fuzz_same.h"

#include "sioref/eio3_codec.h"
#include "sioref/err.h"

#define MAX_PKTS 1024 /* bodies with more packets only check the prefix */

typedef struct body_ctx {
  const eio_packet *p;
  size_t n;
  bool binary;
} body_ctx;

static int enc_body(const void *c, uint8_t *out, size_t cap) {
  const body_ctx *b = c;
  return eio3_payload_encode(b->p, b->n, b->binary, out, cap);
}

static int enc_packet(const void *c, uint8_t *out, size_t cap) {
  const body_ctx *b = c;
  return eio3_packet_encode(b->p, b->binary, out, cap);
}

/* The raw bytes of binary packet P (base64 decoded), malloc'd into *OUT. */
static size_t raw_bytes(const eio_packet *p, uint8_t **out) {
  if (p->kind == EIO_DATA_BINARY) {
    *out = malloc(p->data.len + 1);
    FUZZ_CHECK(*out != NULL, "out of memory");
    if (p->data.len) memcpy(*out, p->data.ptr, p->data.len);
    return p->data.len;
  }
  size_t cap = eio_base64_decoded_len(p->data.len);
  *out = malloc(cap + 1);
  FUZZ_CHECK(*out != NULL, "out of memory");
  int n = eio_base64_decode(p->data.ptr, p->data.len, *out, cap);
  FUZZ_CHECK(n >= 0, "a decoded b4 packet is not base64");
  return (size_t)n;
}

/* Same packet, where a b4 packet (base64) equals the binary one with its bytes: a
 * binary body writes every binary packet with its raw bytes (EIO-TPL-12). */
static void same_v3(const eio_packet *a, const eio_packet *b, const char *what) {
  if (a->kind == b->kind || a->kind == EIO_DATA_TEXT || b->kind == EIO_DATA_TEXT) {
    fuzz_same_eio_packet(a, b, what);
    return;
  }
  FUZZ_CHECK(a->type == b->type, what);
  uint8_t *x, *y;
  size_t nx = raw_bytes(a, &x), ny = raw_bytes(b, &y);
  FUZZ_CHECK(nx == ny && memcmp(x, y, nx) == 0, what);
  free(x);
  free(y);
}

/* Iterate BODY into PKTS (at most MAX_PKTS kept); returns the count, *END the result. */
static size_t iterate(const uint8_t *body, size_t len, bool binary, size_t max_payload,
                      size_t max_packets, eio_packet *pkts, int *end) {
  eio3_payload_iter it;
  int rc = eio3_payload_iter_init(&it, body, len, binary, max_payload, max_packets);
  if (rc) {
    FUZZ_CHECK(rc < 0 && ref_err_name(rc) != NULL, "init: unknown result");
    FUZZ_CHECK(rc != REF_ERR_PAYLOAD_TOO_LARGE || (max_payload && len > max_payload),
               "payload-too-large for a body within maxPayload");
    *end = rc;
    return 0;
  }
  FUZZ_CHECK(!max_payload || len <= max_payload, "an over-long body was let in");
  size_t n = 0;
  eio_packet p;
  while ((rc = eio3_payload_next(&it, &p)) == 1) {
    FUZZ_CHECK(fuzz_span_inside(p.data.ptr, p.data.len, body, len), "data span outside the body");
    FUZZ_CHECK(max_packets == 0 || n < max_packets, "more packets than max_packets");
    if (n < MAX_PKTS) pkts[n] = p;
    n++;
  }
  FUZZ_CHECK(rc <= 0, "eio3_payload_next returned a count other than 1");
  FUZZ_CHECK(eio3_payload_next(&it, &p) == rc, "the iterator moved after it stopped");
  *end = rc;
  return n;
}

static void check_body(const uint8_t *body, size_t len, bool binary, size_t max_payload,
                       size_t max_packets) {
  static eio_packet a[MAX_PKTS], b[MAX_PKTS];
  int end;
  size_t n = iterate(body, len, binary, max_payload, max_packets, a, &end);
  if (end != 0 || n > MAX_PKTS || (binary && n == 0)) return;
  /* EIO-TPL-9, EIO-TPL-15: what decoded re-encodes to a body that decodes the same */
  body_ctx c = {a, n, binary};
  int l1;
  uint8_t *e1 = fuzz_encode_checked(enc_body, &c, "eio3_payload_encode: snprintf contract", &l1);
  FUZZ_CHECK(e1 != NULL && l1 > 0, "the encoder refused packets the decoder produced");
  size_t m = iterate(e1, (size_t)l1, binary, 0, 0, b, &end);
  FUZZ_CHECK(end == 0 && m == n, "the re-encoded body does not decode to as many packets");
  for (size_t i = 0; i < n; i++) same_v3(&a[i], &b[i], "body round trip");
  body_ctx c2 = {b, m, binary};
  int l2;
  uint8_t *e2 = fuzz_encode_checked(enc_body, &c2, "eio3_payload_encode: snprintf contract", &l2);
  FUZZ_CHECK(e2 && l2 == l1 && memcmp(e1, e2, (size_t)l1) == 0, "re-encoding is not stable");
  free(e1);
  free(e2);
}

static void check_packet(const uint8_t *msg, size_t len, bool binary) {
  eio_packet p, q;
  int rc = binary ? eio3_packet_decode_binary(msg, len, &p) : eio3_packet_decode_text(msg, len, &p);
  if (rc) {
    FUZZ_CHECK(rc < 0 && ref_err_name(rc) != NULL, "decode: unknown result");
    return;
  }
  FUZZ_CHECK(fuzz_span_inside(p.data.ptr, p.data.len, msg, len), "data span outside the message");
  FUZZ_CHECK(p.kind == EIO_DATA_TEXT || p.type == EIO_PACKET_MESSAGE,
             "binary data on a non-message");
  /* EIO-TPK-6: a binary packet goes back as a binary message, a text one as text */
  body_ctx c = {&p, 1, binary};
  int l;
  uint8_t *e = fuzz_encode_checked(enc_packet, &c, "eio3_packet_encode: snprintf contract", &l);
  FUZZ_CHECK(e != NULL && l > 0, "the encoder refused a decoded packet");
  rc = binary ? eio3_packet_decode_binary(e, (size_t)l, &q)
              : eio3_packet_decode_text(e, (size_t)l, &q);
  FUZZ_CHECK(rc == 0, "the re-encoded packet does not decode");
  fuzz_same_eio_packet(&p, &q, "packet round trip");
  FUZZ_CHECK((size_t)l == len && memcmp(e, msg, len) == 0, "a packet re-encodes differently");
  free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3) return 0;
  bool binary = data[0] & 1;
  size_t max_packets = data[1], max_payload = (size_t)data[2] * 4;
  if (data[0] & 2)
    check_packet(data + 3, size - 3, binary);
  else
    check_body(data + 3, size - 3, binary, max_payload, max_packets);
  return 0;
}
