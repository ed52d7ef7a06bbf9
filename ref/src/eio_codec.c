/* Engine.IO v4 packet and polling-payload codec: stateless, allocation-free.
 * Spec tags: EIO-PK-1..14 (packet forms, base64 binary, UTF-8 text, encoding),
 * EIO-PL-1..7 (payload separator, empty segments, maxPayload, packet count, encoding). */
#include "sioref/eio_codec.h"

#include <limits.h>
#include <string.h>

#include "sioref/err.h"

#define EIO_RECORD_SEPARATOR 0x1e /* EIO-PL-1: packets in a body are joined by U+001E */

/* ---- UTF-8 --------------------------------------------------------------- */

bool eio_utf8_valid(const uint8_t *buf, size_t len) {
  if (!buf) return len == 0;
  size_t i = 0;
  while (i < len) {
    uint8_t b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0; /* overlong */
      if (b == 0xED) hi = 0x9F; /* UTF-16 surrogates U+D800..U+DFFF */
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90; /* overlong */
      if (b == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
      return false; /* continuation byte, overlong C0/C1, or F5..FF */
    }
    if (len - i - 1 < need) return false;
    if (buf[i + 1] < lo || buf[i + 1] > hi) return false;
    for (size_t k = 2; k <= need; k++)
      if (buf[i + k] < 0x80 || buf[i + k] > 0xBF) return false;
    i += need + 1;
  }
  return true;
}

/* ---- base64 (RFC 4648 section 4, padded, no whitespace) ------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_val(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

size_t eio_base64_decoded_len(size_t len) { return len / 4 * 3; }

/* Validate IN and return its exact decoded length, or SIO_ERR_BAD_BASE64.
 * EIO-PK-11: strict: length a multiple of 4, '=' only as the final one or two
 * characters. EIO-PK-12 leaves non-zero leftover bits of a padded group open; we
 * refuse them too (canonical form only), so a decoded packet re-encodes to its wire. */
static int b64_check(const uint8_t *in, size_t len, size_t *outlen) {
  if (len % 4 != 0) return SIO_ERR_BAD_BASE64;
  if (len / 4 * 3 > (size_t)INT_MAX) return SIO_ERR_BAD_BASE64;
  size_t pad = 0;
  if (len >= 4) {
    if (in[len - 1] == '=') pad++;
    if (in[len - 2] == '=') {
      if (!pad) return SIO_ERR_BAD_BASE64; /* "x=x" ordering */
      pad++;
    }
  }
  for (size_t i = 0; i < len - pad; i++)
    if (b64_val(in[i]) < 0) return SIO_ERR_BAD_BASE64;
  if (pad == 1 && (b64_val(in[len - 2]) & 0x03)) return SIO_ERR_BAD_BASE64;
  if (pad == 2 && (b64_val(in[len - 3]) & 0x0F)) return SIO_ERR_BAD_BASE64;
  *outlen = len / 4 * 3 - pad;
  return 0;
}

/* Decode valid base64 IN (N decoded bytes) writing the bytes that fit under CAP. */
static void b64_decode_put(const uint8_t *in, size_t len, size_t n, uint8_t *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len; i += 4) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) v = v << 6 | (uint32_t)(in[i + k] == '=' ? 0 : b64_val(in[i + k]));
    uint8_t bytes[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    for (int k = 0; k < 3 && o < n; k++, o++)
      if (o < cap) out[o] = bytes[k];
  }
}

int eio_base64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
  if ((!in && len) || (!out && cap)) return SIO_ERR_INVALID_ARGUMENT;
  size_t n;
  int rc = b64_check(in, len, &n);
  if (rc) return rc;
  if (n > cap) return SIO_ERR_BUFFER_TOO_SMALL;
  b64_decode_put(in, len, n, out, cap);
  return (int)n;
}

/* Base64 of IN written at OUT+POS while it fits under CAP; returns the new POS (the
 * full length, even when cut). */
static size_t b64_put(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t pos) {
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    size_t rem = len - i;
    if (rem > 1) v |= (uint32_t)in[i + 1] << 8;
    if (rem > 2) v |= in[i + 2];
    char q[4] = {b64_alphabet[v >> 18 & 63], b64_alphabet[v >> 12 & 63],
                 rem > 1 ? b64_alphabet[v >> 6 & 63] : '=', rem > 2 ? b64_alphabet[v & 63] : '='};
    for (int k = 0; k < 4; k++, pos++)
      if (pos < cap) out[pos] = (uint8_t)q[k];
  }
  return pos;
}

static size_t b64_encoded_len(size_t len) { return (len + 2) / 3 * 4; }

int eio_base64_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
  if ((!in && len) || (!out && cap)) return SIO_ERR_INVALID_ARGUMENT;
  if (len > (size_t)INT_MAX / 4 * 3 - 3) return SIO_ERR_INVALID_ARGUMENT;
  return (int)b64_put(in, len, out, cap, 0);
}

/* ---- one packet --------------------------------------------------------- */

int eio_packet_decode_text(const uint8_t *buf, size_t len, eio_packet *out) {
  if ((!buf && len) || !out) return SIO_ERR_INVALID_ARGUMENT;
  if (len == 0) return SIO_ERR_EMPTY_PACKET; /* EIO-PK-5: at least the type byte */
  if (!eio_utf8_valid(buf, len))
    return SIO_ERR_INVALID_UTF8; /* EIO-PK-7, EIO-PK-8: whole message */
  if (buf[0] == 'b') {
    /* EIO-PK-10: 'b' + base64 is a binary MESSAGE (the polling form of binary data) */
    size_t n;
    int rc = b64_check(buf + 1, len - 1, &n);
    if (rc) return rc;
    *out = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BASE64, {buf + 1, len - 1}};
    return 0;
  }
  if (buf[0] < '0' || buf[0] > '6') return SIO_ERR_BAD_PACKET_TYPE; /* EIO-PK-1, EIO-PK-6 */
  /* EIO-PK-3, EIO-PK-4: the rest is data, verbatim, whatever the type */
  *out = (eio_packet){(eio_packet_type)(buf[0] - '0'), EIO_DATA_TEXT, {buf + 1, len - 1}};
  return 0;
}

int eio_packet_decode_binary(const uint8_t *buf, size_t len, eio_packet *out) {
  if ((!buf && len) || !out) return SIO_ERR_INVALID_ARGUMENT;
  /* EIO-PK-9: a binary WebSocket message is a MESSAGE with binary data, even empty */
  *out = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {buf, len}};
  return 0;
}

/* Copy LEN bytes to OUT+POS while under CAP; returns the new POS. */
static size_t put(uint8_t *out, size_t cap, size_t pos, const uint8_t *src, size_t len) {
  if (pos < cap) {
    size_t n = cap - pos < len ? cap - pos : len;
    if (n) memcpy(out + pos, src, n);
  }
  return pos + len;
}

/* Checks shared by the packet and payload encoders. */
static bool packet_ok(const eio_packet *p) {
  if (!p || (unsigned)p->type > EIO_PACKET_NOOP) return false;
  if (!p->data.ptr && p->data.len) return false;
  /* EIO-PK-7: never write text the decoder would refuse as invalid UTF-8 (fuzz finding N1) */
  if (p->kind == EIO_DATA_TEXT) return eio_utf8_valid(p->data.ptr, p->data.len);
  if (p->kind != EIO_DATA_BINARY && p->kind != EIO_DATA_BASE64) return false;
  if (p->type != EIO_PACKET_MESSAGE) return false; /* EIO-PK-2: only messages carry binary */
  size_t n;
  return p->kind == EIO_DATA_BINARY || b64_check(p->data.ptr, p->data.len, &n) == 0;
}

/* Append P's text (polling) form at POS; returns the new POS. */
/* EIO-PK-13, EIO-PK-14, EIO-PL-7: digit + data, or 'b' + base64 for binary. */
static size_t put_polling(const eio_packet *p, uint8_t *out, size_t cap, size_t pos) {
  uint8_t lead = p->kind == EIO_DATA_TEXT ? (uint8_t)('0' + p->type) : (uint8_t)'b';
  pos = put(out, cap, pos, &lead, 1);
  if (p->kind == EIO_DATA_BINARY) return b64_put(p->data.ptr, p->data.len, out, cap, pos);
  return put(out, cap, pos, p->data.ptr, p->data.len);
}

static size_t polling_len(const eio_packet *p) {
  return 1 + (p->kind == EIO_DATA_BINARY ? b64_encoded_len(p->data.len) : p->data.len);
}

/* EIO-PL-8: on polling, 0x1E separates packets, so text data must not hold it. */
static bool polling_ok(const eio_packet *p) {
  return p->kind != EIO_DATA_TEXT || p->data.len == 0 ||
         !memchr(p->data.ptr, EIO_RECORD_SEPARATOR, p->data.len);
}

int eio_packet_encode(const eio_packet *p, eio_transport transport, uint8_t *out, size_t cap) {
  if (!packet_ok(p) || (!out && cap)) return SIO_ERR_INVALID_ARGUMENT;
  if (transport == EIO_TRANSPORT_POLLING && !polling_ok(p)) return SIO_ERR_INVALID_ARGUMENT;
  if (transport != EIO_TRANSPORT_POLLING && transport != EIO_TRANSPORT_WEBSOCKET)
    return SIO_ERR_INVALID_ARGUMENT;
  if (p->data.len > (size_t)INT_MAX / 2) return SIO_ERR_INVALID_ARGUMENT;
  if (transport == EIO_TRANSPORT_WEBSOCKET && p->kind != EIO_DATA_TEXT) {
    /* EIO-PK-14: on WebSocket binary data is sent as the raw bytes of a binary message */
    if (p->kind == EIO_DATA_BINARY) return (int)put(out, cap, 0, p->data.ptr, p->data.len);
    size_t n;
    b64_check(p->data.ptr, p->data.len, &n); /* valid: packet_ok checked */
    b64_decode_put(p->data.ptr, p->data.len, n, out, cap);
    return (int)n;
  }
  return (int)put_polling(p, out, cap, 0);
}

/* ---- polling payloads --------------------------------------------------- */

int eio_payload_iter_init(eio_payload_iter *it, const uint8_t *body, size_t len, size_t max_payload,
                          size_t max_packets) {
  if (!it || (!body && len)) return SIO_ERR_INVALID_ARGUMENT;
  /* An empty body may come as (NULL, 0); point at a real empty array so that later
   * pointer arithmetic (buf + pos) is never done on NULL, which C leaves undefined. */
  static const uint8_t empty_body[1];
  if (!body) body = empty_body;
  *it = (eio_payload_iter){body, len, 0, 0, max_packets, 0, false};
  /* EIO-PL-5: a body longer than maxPayload is refused before any packet is read */
  if (max_payload && len > max_payload) return it->err = SIO_ERR_PAYLOAD_TOO_LARGE;
  return 0;
}

int eio_payload_next(eio_payload_iter *it, eio_packet *out) {
  if (!it || !out) return SIO_ERR_INVALID_ARGUMENT;
  if (it->err) return it->err;
  if (it->done) return 0;
  /* EIO-PL-6: checked when packet maxPackets + 1 is reached */
  if (it->max_packets && it->count >= it->max_packets) return it->err = SIO_ERR_TOO_MANY_PACKETS;
  const uint8_t *start = it->buf + it->pos;
  size_t rest = it->len - it->pos;
  const uint8_t *sep = rest ? memchr(start, EIO_RECORD_SEPARATOR, rest) : NULL;
  size_t seg = sep ? (size_t)(sep - start) : rest;
  /* EIO-PL-2, EIO-PL-3, EIO-PL-4: an empty segment (empty body, separator first, last or doubled)
   * is an empty packet, refused by the packet decoder */
  int rc = eio_packet_decode_text(start, seg, out);
  if (rc) return it->err = rc;
  it->count++;
  if (sep) {
    it->pos += seg + 1; /* a separator promises one more segment, maybe empty */
  } else {
    it->pos = it->len;
    it->done = true;
  }
  return 1;
}

int eio_payload_encode(const eio_packet *pkts, size_t n, uint8_t *out, size_t cap) {
  if (!pkts || n == 0 || (!out && cap)) return SIO_ERR_INVALID_ARGUMENT; /* EIO-PL-1 */
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (!packet_ok(&pkts[i]) || !polling_ok(&pkts[i]) || pkts[i].data.len > (size_t)INT_MAX / 2)
      return SIO_ERR_INVALID_ARGUMENT;
    total += polling_len(&pkts[i]) + (i ? 1 : 0);
    if (total > (size_t)INT_MAX) return SIO_ERR_INVALID_ARGUMENT;
  }
  size_t pos = 0;
  const uint8_t sep = EIO_RECORD_SEPARATOR;
  for (size_t i = 0; i < n; i++) {
    if (i) pos = put(out, cap, pos, &sep, 1);
    pos = put_polling(&pkts[i], out, cap, pos);
  }
  return (int)pos;
}

/* ---- incremental reader ------------------------------------------------- */

int eio_payload_reader_init(eio_payload_reader *r, uint8_t *store, size_t cap, size_t body_len,
                            size_t max_payload, size_t max_packets) {
  if (!r || (!store && cap)) return SIO_ERR_INVALID_ARGUMENT;
  *r = (eio_payload_reader){store, cap, 0, body_len, 0, 0, max_packets, 0, false};
  if (max_payload && body_len > max_payload) r->err = SIO_ERR_PAYLOAD_TOO_LARGE; /* EIO-PL-5 */
  return 0;
}

/* Decode the segment SEG/LEN as packet number count+1 (the iterator's order of
 * checks: the count limit first, then the packet itself). */
static int reader_emit(eio_payload_reader *r, const uint8_t *seg, size_t len, eio_packet *out) {
  if (r->max_packets && r->count >= r->max_packets) return r->err = SIO_ERR_TOO_MANY_PACKETS;
  int rc = eio_packet_decode_text(seg, len, out);
  if (rc) return r->err = rc;
  r->count++;
  return EIO_READER_PACKET;
}

int eio_payload_reader_next(eio_payload_reader *r, const uint8_t **chunk, size_t *len,
                            eio_packet *out) {
  if (!r || !chunk || !len || !out || (!*chunk && *len)) return SIO_ERR_INVALID_ARGUMENT;
  if (r->err) return r->err;
  if (r->done) return *len ? SIO_ERR_INVALID_ARGUMENT : EIO_READER_DONE;
  if (*len > r->body_len - r->seen) return SIO_ERR_INVALID_ARGUMENT; /* beyond the body */
  /* A separator ended the previous segment: the count check cannot wait for the next
   * segment's bytes, the iterator makes it before looking at them. */
  if (r->held == 0 && r->seen > 0 && r->max_packets && r->count >= r->max_packets)
    return r->err = SIO_ERR_TOO_MANY_PACKETS;
  const uint8_t *p = *chunk;
  size_t n = *len;
  const uint8_t *sep = n ? memchr(p, EIO_RECORD_SEPARATOR, n) : NULL;
  if (sep) {
    size_t seg = (size_t)(sep - p);
    *chunk = sep + 1;
    *len = n - seg - 1;
    r->seen += seg + 1;
    if (r->held == 0) return reader_emit(r, p, seg, out); /* whole segment in this chunk */
    if (seg > r->cap - r->held) return r->err = SIO_ERR_BUFFER_TOO_SMALL;
    if (seg) memcpy(r->store + r->held, p, seg);
    size_t total = r->held + seg;
    r->held = 0;
    return reader_emit(r, r->store, total, out);
  }
  /* No separator in the chunk: the segment goes on, or ends with the body. */
  *chunk = p + n;
  *len = 0;
  r->seen += n;
  if (r->seen == r->body_len) {
    r->done = true;
    if (r->held == 0) {
      return reader_emit(r, p, n, out); /* the body's last segment, maybe empty */
    }
    if (n > r->cap - r->held) return r->err = SIO_ERR_BUFFER_TOO_SMALL;
    if (n) memcpy(r->store + r->held, p, n);
    size_t total = r->held + n;
    r->held = 0;
    return reader_emit(r, r->store, total, out);
  }
  if (n > r->cap - r->held) return r->err = SIO_ERR_BUFFER_TOO_SMALL;
  if (n) memcpy(r->store + r->held, p, n);
  r->held += n;
  return EIO_READER_MORE;
}
