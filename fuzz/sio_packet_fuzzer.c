/* Fuzz target for the Socket.IO packet codec (the text form inside an Engine.IO
 * MESSAGE), with round-trip, bounds and JSON-shape oracles.
 * Spec tags exercised: SIO-PK-* (packet grammar, namespaces, ack ids, payload shape
 * per type, attachment counts).
 *
 * Input: byte 0 holds the options (low nibble: max_attachments, high nibble:
 * max_json_depth, 0 = the default), the rest is the packet text.
 * Oracles:
 *   - every span of a decoded packet lies inside the input ("/" may be static);
 *   - fields are in range: type 0..6, ack id absent or 0..2^53-1, binary types carry
 *     1..max_attachments attachments;
 *   - the payload is JSON that cJSON accepts, nests no deeper than allowed, and has
 *     the shape the type demands (events: an array led by a string);
 *   - decode -> encode -> decode gives the same packet; encoding again gives the
 *     same bytes; the encoder keeps the snprintf contract;
 *   - encoder first: the same input read as a packet struct (byte 0 type, byte 1 ack
 *     id selector, byte 2 attachments, byte 3 namespace length, namespace, payload);
 *     whatever the encoder accepts decodes back to the same packet (SIO-PK-19), as
 *     long as the text it wrote is UTF-8 (the encoder does not promise to check it). */
#include "fuzz_check.h"
#include "fuzz_encode.h"
#include "fuzz_same.h"

#include <cjson/cJSON.h>

#include "sioref/eio_codec.h"
#include "sioref/err.h"
#include "sioref/sio_codec.h"
#include "sioref/utf8.h"

static int encode_packet(const void *p, uint8_t *out, size_t cap) {
  return sio_packet_encode(p, out, cap);
}

/* Encode into an exact malloc'd buffer, checking the snprintf contract (fuzz_encode.h). */
static uint8_t *encode_checked(const sio_packet *p, int *len) {
  uint8_t *buf = fuzz_encode_checked(encode_packet, p, "sio_packet_encode: snprintf contract", len);
  FUZZ_CHECK(buf != NULL && *len > 0, "encoder refused a packet the decoder produced");
  return buf;
}

/* True when TEXT holds a \uD800-\uDFFF escape. RFC 8259's grammar allows lone
 * surrogate escapes but cJSON refuses them, so cJSON cannot judge such payloads. */
static int has_surrogate_escape(const char *text) {
  for (const char *s = text; (s = strstr(s, "\\u")) != NULL; s++) {
    char a = s[2], b = s[3];
    if ((a == 'd' || a == 'D') && b && strchr("89abcdefABCDEF", b)) return 1;
  }
  return 0;
}

static int json_depth(const cJSON *j) {
  int deepest = 0;
  for (const cJSON *c = j->child; c; c = c->next) {
    int d = json_depth(c);
    if (d > deepest) deepest = d;
  }
  return (cJSON_IsArray(j) || cJSON_IsObject(j)) ? deepest + 1 : deepest;
}

/* SIO-PK-*: the payload the codec accepted is JSON of the right shape. */
static void check_payload(const sio_packet *p, uint32_t max_depth) {
  if (p->data.len == 0) {
    /* Events and acks always carry an array. */
    FUZZ_CHECK(p->type != SIO_PACKET_EVENT && p->type != SIO_PACKET_BINARY_EVENT &&
                   p->type != SIO_PACKET_ACK && p->type != SIO_PACKET_BINARY_ACK,
               "event or ack without a payload");
    return;
  }
  /* cJSON's length-bounded parse reads one byte past the end: copy and terminate. */
  char *text = malloc(p->data.len + 1);
  FUZZ_CHECK(text != NULL, "out of memory");
  memcpy(text, p->data.ptr, p->data.len);
  text[p->data.len] = '\0';
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
  /* A NUL inside the span would stop cJSON early; strict JSON never has a raw NUL. */
  FUZZ_CHECK(memchr(p->data.ptr, 0, p->data.len) == NULL, "raw NUL in an accepted payload");
  if (!j && has_surrogate_escape(text)) {
    free(text);
    return;
  }
  FUZZ_CHECK(j != NULL, "the codec accepted a payload cJSON rejects");
  FUZZ_CHECK((uint32_t)json_depth(j) <= max_depth, "payload nests deeper than max_json_depth");
  switch (p->type) {
  case SIO_PACKET_EVENT:
  case SIO_PACKET_BINARY_EVENT:
    FUZZ_CHECK(cJSON_IsArray(j) && j->child && cJSON_IsString(j->child),
               "event payload is not an array led by a string");
    break;
  case SIO_PACKET_ACK:
  case SIO_PACKET_BINARY_ACK:
    FUZZ_CHECK(cJSON_IsArray(j), "ack payload is not an array");
    break;
  case SIO_PACKET_CONNECT:
    FUZZ_CHECK(cJSON_IsObject(j), "connect payload is not an object");
    break;
  default:
    break;
  }
  cJSON_Delete(j);
  free(text);
}

/* SIO-PK-19: the encoder writes nothing the decoder would refuse or read otherwise. */
static void fuzz_encoder(const uint8_t *b, size_t n) {
  if (n < 4) return;
  static const int64_t special[] = {SIO_NO_ACK_ID, SIO_MAX_ACK_ID, SIO_MAX_ACK_ID + 1, -2, 0};
  size_t nsp_len = b[3] % 16;
  if (nsp_len > n - 4) nsp_len = n - 4;
  sio_packet p;
  memset(&p, 0, sizeof p);
  p.type = (sio_packet_type)(b[0] % 8);
  p.ack_id = b[1] < 0xf0 ? (int64_t)b[1] - 1 : special[(b[1] - 0xf0) % 5];
  p.attachments = b[2] % 12;
  p.nsp = (ref_span){b + 4, nsp_len};
  p.data = (ref_span){b + 4 + nsp_len, n - 4 - nsp_len};
  uint8_t probe[1];
  int len = sio_packet_encode(&p, probe, 0);
  if (len < 0) {
    FUZZ_CHECK(len == REF_ERR_INVALID_ARGUMENT, "encoder error code");
    return;
  }
  FUZZ_CHECK(p.type <= SIO_PACKET_BINARY_ACK, "encoder accepted an unknown type");
  int l2;
  uint8_t *out = encode_checked(&p, &l2);
  if (ref_utf8_valid(out, (size_t)l2)) {
    sio_codec_opts wide = {64, 1024, 0};
    sio_packet q;
    int rc = sio_packet_decode(out, (size_t)l2, &wide, &q);
    if (rc != 0) {
      fuzz_dump("encoded", out, (size_t)l2);
      fprintf(stderr, "decode: %d (%s)\n", rc, ref_err_name(rc));
    }
    FUZZ_CHECK(rc == 0, "the decoder refuses what the encoder wrote");
    FUZZ_CHECK(q.type == p.type && q.ack_id == p.ack_id, "type or ack id changed");
    int root = p.nsp.len == 0 || fuzz_bytes_eq(p.nsp.ptr, p.nsp.len, (const uint8_t *)"/", 1);
    FUZZ_CHECK(root ? fuzz_bytes_eq(q.nsp.ptr, q.nsp.len, (const uint8_t *)"/", 1)
                    : fuzz_bytes_eq(q.nsp.ptr, q.nsp.len, p.nsp.ptr, p.nsp.len),
               "namespace changed in encode -> decode");
    FUZZ_CHECK(fuzz_bytes_eq(q.data.ptr, q.data.len, p.data.ptr, p.data.len),
               "payload changed in encode -> decode");
    if (p.type == SIO_PACKET_BINARY_EVENT || p.type == SIO_PACKET_BINARY_ACK)
      FUZZ_CHECK(q.attachments == p.attachments, "attachment count changed");
  }
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  sio_codec_opts opts = {data[0] & 0x0f, data[0] >> 4, 0};
  uint32_t max_att = opts.max_attachments ? opts.max_attachments : SIO_DEFAULT_MAX_ATTACHMENTS;
  uint32_t max_depth = opts.max_json_depth ? opts.max_json_depth : SIO_DEFAULT_MAX_JSON_DEPTH;
  const uint8_t *msg = data + 1;
  size_t len = size - 1;

  fuzz_encoder(msg, len);

  sio_packet p;
  int rc = sio_packet_decode(msg, len, &opts, &p);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && ref_err_name(rc) != NULL, "decode returned an unknown code");
    return 0;
  }
  FUZZ_CHECK(p.type >= SIO_PACKET_CONNECT && p.type <= SIO_PACKET_BINARY_ACK, "type range");
  FUZZ_CHECK(fuzz_span_inside(p.data.ptr, p.data.len, msg, len), "data span outside input");
  FUZZ_CHECK(p.nsp.len >= 1 && p.nsp.ptr && p.nsp.ptr[0] == '/', "namespace not led by '/'");
  FUZZ_CHECK(fuzz_span_inside(p.nsp.ptr, p.nsp.len, msg, len) ||
                 fuzz_bytes_eq(p.nsp.ptr, p.nsp.len, (const uint8_t *)"/", 1),
             "namespace span outside input");
  FUZZ_CHECK(p.ack_id == SIO_NO_ACK_ID || (p.ack_id >= 0 && p.ack_id <= SIO_MAX_ACK_ID),
             "ack id out of range");
  if (p.type == SIO_PACKET_BINARY_EVENT || p.type == SIO_PACKET_BINARY_ACK)
    FUZZ_CHECK(p.attachments >= 1 && p.attachments <= max_att, "attachment count out of range");
  if (p.type == SIO_PACKET_ACK || p.type == SIO_PACKET_BINARY_ACK)
    FUZZ_CHECK(p.ack_id != SIO_NO_ACK_ID, "ack without an ack id");
  if (p.type == SIO_PACKET_CONNECT || p.type == SIO_PACKET_DISCONNECT ||
      p.type == SIO_PACKET_CONNECT_ERROR)
    FUZZ_CHECK(p.ack_id == SIO_NO_ACK_ID, "ack id on a packet that cannot carry one");
  check_payload(&p, max_depth);

  ref_span name;
  int en = sio_packet_event_name(&p, &name);
  if (p.type == SIO_PACKET_EVENT || p.type == SIO_PACKET_BINARY_EVENT) {
    FUZZ_CHECK(en == 0, "event name of an event");
    FUZZ_CHECK(fuzz_span_inside(name.ptr, name.len, p.data.ptr, p.data.len),
               "event name span outside the payload");
  } else {
    FUZZ_CHECK(en == REF_ERR_BAD_STATE, "event name of a non-event");
  }

  /* decode -> encode -> decode -> encode. */
  int n1;
  uint8_t *e1 = encode_checked(&p, &n1);
  sio_packet q;
  rc = sio_packet_decode(e1, (size_t)n1, &opts, &q);
  FUZZ_CHECK(rc == 0, "re-encoded packet does not decode");
  fuzz_same_sio_packet(&p, &q, "decode -> encode -> decode changed the packet");
  int n2;
  uint8_t *e2 = encode_checked(&q, &n2);
  FUZZ_CHECK(fuzz_bytes_eq(e1, (size_t)n1, e2, (size_t)n2), "encoder is not stable");
  free(e2);
  free(e1);
  return 0;
}
