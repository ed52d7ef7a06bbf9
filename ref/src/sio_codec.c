/* Socket.IO v5 packet codec (text form): decode with every check the spec makes on a
 * single packet, and encode; stateless and allocation-free.
 * Spec tags: SIO-PK-2..19 (SIO-PK-2: the parts in order: type, attachment count,
 * namespace, ack id, payload JSON; then its shape per type and reserved event names),
 * SIO-BIN-1, SIO-BIN-2 (attachment count), SIO-BIN-15; protocol v4's shapes SIO-FPK-1,
 * SIO-FPK-3, SIO-FPK-4, SIO-FPK-6. */
#include "sioref/sio_codec.h"

#include <limits.h>
#include <string.h>

#include "sioref/utf8.h"
#include "sioref/err.h"
#include "sioref/json_scan.h"

#define ATTACHMENT_DIGITS_MAX 10 /* "a run longer than 10 digits" is refused */
#define ACK_DIGITS_MAX        16 /* 2^53-1 has 16 digits */

static const uint8_t root_nsp[] = "/";

/* SIO-PK-14: names a peer must not use for its own events, with their lengths. */
static const struct reserved_event {
  const char *name;
  size_t len;
} reserved_events[] = {
    {"connect", sizeof "connect" - 1},         {"connect_error", sizeof "connect_error" - 1},
    {"disconnect", sizeof "disconnect" - 1},   {"disconnecting", sizeof "disconnecting" - 1},
    {"newListener", sizeof "newListener" - 1}, {"removeListener", sizeof "removeListener" - 1},
};

/* SIO-PK-14: is the event name NAME (a JSON string body, still escaped) reserved?
 * A name without a backslash is its own value: compare lengths, then bytes. Only an
 * escaped name (rare) needs json_string_equals to unescape it. */
static bool is_reserved_event(ref_span name) {
  bool escaped = name.len > 0 && memchr(name.ptr, '\\', name.len) != NULL;
  for (size_t i = 0; i < sizeof reserved_events / sizeof reserved_events[0]; i++) {
    const struct reserved_event *r = &reserved_events[i];
    if (escaped ? json_string_equals(name, r->name)
                : name.len == r->len && memcmp(name.ptr, r->name, r->len) == 0)
      return true;
  }
  return false;
}

static bool is_digit(uint8_t b) { return b >= '0' && b <= '9'; }

static uint32_t eff_max_attachments(const sio_codec_opts *o) {
  return (o && o->max_attachments) ? o->max_attachments : SIO_DEFAULT_MAX_ATTACHMENTS;
}

static uint32_t eff_max_depth(const sio_codec_opts *o) {
  return (o && o->max_json_depth) ? o->max_json_depth : SIO_DEFAULT_MAX_JSON_DEPTH;
}

/* 0 (v5), SIO_PROTOCOL_V5 or SIO_PROTOCOL_V4 -> v5 or v4; anything else -> 0. */
static uint32_t eff_protocol(uint32_t protocol) {
  if (protocol == 0 || protocol == SIO_PROTOCOL_V5) return SIO_PROTOCOL_V5;
  return protocol == SIO_PROTOCOL_V4 ? SIO_PROTOCOL_V4 : 0;
}

/* SIO-PK-12, SIO-PK-13, SIO-PK-14: the payload's JSON type must fit the packet type. */
static int check_shape(sio_packet_type t, bool has_data, const json_info *ji, uint32_t proto) {
  bool v4 = proto == SIO_PROTOCOL_V4;
  switch (t) {
  case SIO_PACKET_CONNECT: /* optional auth object; SIO-FPK-3: none at all in v4 */
    if (v4) return has_data ? REF_ERR_BAD_PAYLOAD_SHAPE : 0;
    return (!has_data || ji->type == JSON_OBJECT) ? 0 : REF_ERR_BAD_PAYLOAD_SHAPE;
  case SIO_PACKET_DISCONNECT:
    return has_data ? REF_ERR_BAD_PAYLOAD_SHAPE : 0;
  case SIO_PACKET_EVENT:
  case SIO_PACKET_BINARY_EVENT:
    if (!has_data || ji->type != JSON_ARRAY) return REF_ERR_BAD_PAYLOAD_SHAPE;
    if (ji->first_type != JSON_STRING) return REF_ERR_BAD_EVENT_NAME;
    return is_reserved_event(ji->first_str) ? REF_ERR_RESERVED_EVENT_NAME : 0;
  case SIO_PACKET_ACK:
  case SIO_PACKET_BINARY_ACK:
    return (has_data && ji->type == JSON_ARRAY) ? 0 : REF_ERR_BAD_PAYLOAD_SHAPE;
  case SIO_PACKET_CONNECT_ERROR: /* SIO-FPK-4: v4's ERROR may also carry a string */
    if (has_data && v4 && ji->type == JSON_STRING) return 0;
    return (has_data && ji->type == JSON_OBJECT) ? 0 : REF_ERR_BAD_PAYLOAD_SHAPE;
  }
  return REF_ERR_INTERNAL;
}

int sio_packet_decode(const uint8_t *buf, size_t len, const sio_codec_opts *opts, sio_packet *out) {
  if ((!buf && len) || !out) return REF_ERR_INVALID_ARGUMENT;
  uint32_t depth = eff_max_depth(opts);
  uint32_t proto = eff_protocol(opts ? opts->protocol : 0);
  if (depth > JSON_SCAN_MAX_DEPTH || !proto) return REF_ERR_INVALID_ARGUMENT;
  if (len == 0) return REF_ERR_EMPTY_PACKET; /* SIO-PK-3 */
  /* SIO-PK-16: the text must be UTF-8. Checked before the other rules, like the
   * Engine.IO layer does (EIO-PK-7) and vectors/check/model.js; the JSON scanner takes
   * bytes >= 0x80 inside strings as they are, relying on this. */
  if (!ref_utf8_valid(buf, len)) return REF_ERR_INVALID_UTF8;
  if (buf[0] < '0' || buf[0] > '6') return REF_ERR_BAD_PACKET_TYPE; /* SIO-PK-4 */
  sio_packet p = {(sio_packet_type)(buf[0] - '0'), {root_nsp, 1}, SIO_NO_ACK_ID, 0, {NULL, 0}};
  size_t i = 1;

  if (p.type == SIO_PACKET_BINARY_EVENT || p.type == SIO_PACKET_BINARY_ACK) {
    /* SIO-PK-5, SIO-BIN-1: binary types carry "<count>-": at least one digit, at most ten, then
     * '-', and a count of zero makes no sense */
    size_t start = i;
    uint64_t n = 0;
    while (i < len && is_digit(buf[i]) && i - start < ATTACHMENT_DIGITS_MAX + 1)
      n = n * 10 + (uint64_t)(buf[i++] - '0');
    if (i == start || i - start > ATTACHMENT_DIGITS_MAX || i >= len || buf[i] != '-' || n == 0)
      return REF_ERR_BAD_ATTACHMENT_COUNT;
    if (n > eff_max_attachments(opts)) return REF_ERR_TOO_MANY_ATTACHMENTS; /* SIO-BIN-2 */
    p.attachments = (uint32_t)n;
    i++; /* '-' */
  }

  if (i < len && buf[i] == '/') {
    /* SIO-PK-6: a namespace starts with '/' and runs to the first ',' or the end */
    size_t start = i;
    while (i < len && buf[i] != ',') i++;
    p.nsp = (ref_span){buf + start, i - start};
    if (i < len) i++; /* the ',' belongs to the namespace syntax */
  }

  size_t start = i;
  uint64_t id = 0;
  while (i < len && is_digit(buf[i])) {
    if (i - start >= ACK_DIGITS_MAX) return REF_ERR_ACK_ID_OUT_OF_RANGE; /* SIO-PK-7 */
    id = id * 10 + (uint64_t)(buf[i++] - '0');
  }
  if (i > start) {
    if (id > (uint64_t)SIO_MAX_ACK_ID) return REF_ERR_ACK_ID_OUT_OF_RANGE;
    p.ack_id = (int64_t)id;
  }
  bool has_id = i > start;
  if (has_id && (p.type == SIO_PACKET_CONNECT || p.type == SIO_PACKET_DISCONNECT ||
                 p.type == SIO_PACKET_CONNECT_ERROR))
    return REF_ERR_UNEXPECTED_ACK_ID; /* SIO-PK-8: only events and acks carry ids */
  if (!has_id && (p.type == SIO_PACKET_ACK || p.type == SIO_PACKET_BINARY_ACK))
    return REF_ERR_MISSING_ACK_ID; /* SIO-PK-9: an ack answers one id */

  json_info ji;
  memset(&ji, 0, sizeof ji);
  bool has_data = i < len;
  if (has_data) {
    int rc = json_scan(buf + i, len - i, depth, &ji); /* SIO-PK-10, SIO-PK-11 */
    if (rc) return rc;
    p.data = (ref_span){buf + i, len - i};
  }
  /* SIO-PK-15: nothing beyond the shape is interpreted (placeholders are the
   * reassembler's business, and only in types 5 and 6) */
  int rc = check_shape(p.type, has_data, &ji, proto);
  if (rc) return rc;
  *out = p;
  return 0;
}

/* Copy LEN bytes to OUT+POS while under CAP; returns the new POS. */
static size_t put(uint8_t *out, size_t cap, size_t pos, const void *src, size_t len) {
  if (pos < cap) {
    size_t n = cap - pos < len ? cap - pos : len;
    if (n) memcpy(out + pos, src, n);
  }
  return pos + len;
}

/* Decimal digits of V at POS. */
static size_t put_u64(uint8_t *out, size_t cap, size_t pos, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return put(out, cap, pos, tmp + sizeof tmp - n, n);
}

int sio_packet_encode(const sio_packet *p, uint8_t *out, size_t cap) {
  return sio_packet_encode_proto(p, SIO_PROTOCOL_V5, out, cap);
}

int sio_packet_encode_proto(const sio_packet *p, uint32_t protocol, uint8_t *out, size_t cap) {
  uint32_t proto = eff_protocol(protocol);
  if (!p || (!out && cap) || (unsigned)p->type > SIO_PACKET_BINARY_ACK || !proto)
    return REF_ERR_INVALID_ARGUMENT;
  if ((!p->nsp.ptr && p->nsp.len) || (!p->data.ptr && p->data.len)) return REF_ERR_INVALID_ARGUMENT;
  if (p->ack_id < SIO_NO_ACK_ID || p->ack_id > SIO_MAX_ACK_ID) return REF_ERR_INVALID_ARGUMENT;
  bool binary = p->type == SIO_PACKET_BINARY_EVENT || p->type == SIO_PACKET_BINARY_ACK;
  if (binary && p->attachments == 0) return REF_ERR_INVALID_ARGUMENT; /* SIO-BIN-15 */
  /* A namespace must read back as written: it starts with '/' and holds no ','. */
  bool named = p->nsp.len > 0 && !(p->nsp.len == 1 && p->nsp.ptr[0] == '/');
  if (named && (p->nsp.ptr[0] != '/' || memchr(p->nsp.ptr, ',', p->nsp.len)))
    return REF_ERR_INVALID_ARGUMENT;
  if (p->data.len > (size_t)INT_MAX - p->nsp.len - 64) return REF_ERR_INVALID_ARGUMENT;
  /* SIO-PK-16, SIO-PK-19: the text must read back, so it must be valid UTF-8 (fuzz finding N1) */
  if (!ref_utf8_valid(p->nsp.ptr, p->nsp.len) || !ref_utf8_valid(p->data.ptr, p->data.len))
    return REF_ERR_INVALID_ARGUMENT;

  /* SIO-PK-8, SIO-PK-9: write no ack id the decoder would refuse, or miss */
  bool has_id = p->ack_id >= 0;
  if (has_id && (p->type == SIO_PACKET_CONNECT || p->type == SIO_PACKET_DISCONNECT ||
                 p->type == SIO_PACKET_CONNECT_ERROR))
    return REF_ERR_INVALID_ARGUMENT;
  if (!has_id && (p->type == SIO_PACKET_ACK || p->type == SIO_PACKET_BINARY_ACK))
    return REF_ERR_INVALID_ARGUMENT;
  /* SIO-PK-19: refuse a payload the decoder would refuse (shape, event name) */
  json_info ji;
  memset(&ji, 0, sizeof ji);
  bool has_data = p->data.len > 0;
  if (has_data && json_scan(p->data.ptr, p->data.len, JSON_SCAN_MAX_DEPTH, &ji) != 0)
    return REF_ERR_INVALID_ARGUMENT;
  if (check_shape(p->type, has_data, &ji, proto) != 0) return REF_ERR_INVALID_ARGUMENT;

  /* SIO-PK-17: type, count '-', namespace ',', ack id, payload; nothing else */
  uint8_t digit = (uint8_t)('0' + p->type);
  size_t pos = put(out, cap, 0, &digit, 1);
  if (binary) {
    pos = put_u64(out, cap, pos, p->attachments);
    pos = put(out, cap, pos, "-", 1);
  }
  if (named) { /* the default namespace "/" is left implicit; any other ends with ',' */
    pos = put(out, cap, pos, p->nsp.ptr, p->nsp.len);
    pos = put(out, cap, pos, ",", 1);
  }
  if (p->ack_id >= 0) pos = put_u64(out, cap, pos, (uint64_t)p->ack_id);
  pos = put(out, cap, pos, p->data.ptr, p->data.len); /* SIO-PK-18: verbatim */
  return (int)pos;
}

int sio_packet_event_name(const sio_packet *p, ref_span *name) {
  if (!p || !name) return REF_ERR_INVALID_ARGUMENT;
  if (p->type != SIO_PACKET_EVENT && p->type != SIO_PACKET_BINARY_EVENT) return REF_ERR_BAD_STATE;
  json_info ji;
  if (json_scan(p->data.ptr, p->data.len, JSON_SCAN_MAX_DEPTH, &ji) != 0 || ji.type != JSON_ARRAY ||
      ji.first_type != JSON_STRING)
    return REF_ERR_BAD_STATE;
  *name = ji.first_str;
  return 0;
}
