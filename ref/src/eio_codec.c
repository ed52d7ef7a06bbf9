/* Engine.IO v4 packet and polling-payload codec: stateless, allocation-free.
 * Spec tags: EIO-PK-1..14 (packet forms, base64 binary, UTF-8 text, encoding),
 * EIO-PL-1..7 (payload separator, empty segments, maxPayload, packet count, encoding). */
#include "sioref/eio_codec.h"

#include <limits.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/utf8.h"

#define EIO_RECORD_SEPARATOR 0x1e /* EIO-PL-1: packets in a body are joined by U+001E */

/* Copy LEN bytes to OUT+POS while under CAP; returns the new POS. */
static size_t put(uint8_t *out, size_t cap, size_t pos, const uint8_t *src, size_t len) {
  if (pos < cap) {
    size_t n = cap - pos < len ? cap - pos : len;
    if (n) memcpy(out + pos, src, n);
  }
  return pos + len;
}

/* ---- base64 (RFC 4648 section 4, padded, no whitespace) ------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of each byte as a base64 digit (0..63), or B64_INVALID for a byte outside
 * the alphabet. '=' is invalid here too: padding is looked for only at the end of the
 * text. B64_INVALID has a bit no digit has, so OR-ing the values of a group tests all
 * its characters at once. */
#define B64_INVALID 64
static const uint8_t b64_value[256] = {
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0x00 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0x10 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 62, 64, 64, 64, 63, /* 0x20 */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64, /* 0x30 */
    64, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, /* 0x40 */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 64, /* 0x50 */
    64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 0x60 */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 64, 64, 64, 64, 64, /* 0x70 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0x80 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0x90 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0xA0 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0xB0 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0xC0 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0xD0 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0xE0 */
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, /* 0xF0 */
};

size_t eio_base64_decoded_len(size_t len) { return len / 4 * 3; }

/* EIO-PK-11: strict: length a multiple of 4, '=' only as the final one or two
 * characters. Sets *PAD (0..2) and *N, the exact decoded length, or returns
 * REF_ERR_BAD_BASE64. The characters themselves are checked while decoding. */
static int b64_shape(const uint8_t *in, size_t len, size_t *pad, size_t *n) {
  if (len % 4 != 0) return REF_ERR_BAD_BASE64;
  if (len / 4 * 3 > (size_t)INT_MAX) return REF_ERR_BAD_BASE64;
  size_t p = 0;
  if (len >= 4) {
    if (in[len - 1] == '=') p++;
    if (in[len - 2] == '=') {
      if (!p) return REF_ERR_BAD_BASE64; /* "x=x" ordering */
      p++;
    }
  }
  *pad = p;
  *n = len / 4 * 3 - p;
  return 0;
}

/* Decode the group of four characters at Q into BYTES; its last PAD (0..2) characters
 * are '=' and stand for zero digits. EIO-PK-12 leaves non-zero leftover bits of a
 * padded group open; we refuse them (canonical form only), so a decoded packet
 * re-encodes to its wire. Returns 0, or REF_ERR_BAD_BASE64 for a character outside
 * the alphabet or non-zero leftover bits. */
static int b64_decode_group(const uint8_t *q, size_t pad, uint8_t bytes[3]) {
  uint32_t a = b64_value[q[0]], b = b64_value[q[1]];
  uint32_t c = pad == 2 ? 0 : b64_value[q[2]];
  uint32_t d = pad >= 1 ? 0 : b64_value[q[3]];
  if ((a | b | c | d) & B64_INVALID) return REF_ERR_BAD_BASE64;
  if ((pad == 1 && (c & 0x03)) || (pad == 2 && (b & 0x0F))) return REF_ERR_BAD_BASE64;
  uint32_t v = a << 18 | b << 12 | c << 6 | d;
  bytes[0] = (uint8_t)(v >> 16);
  bytes[1] = (uint8_t)(v >> 8);
  bytes[2] = (uint8_t)v;
  return 0;
}

/* Decode base64 text IN/LEN whose shape b64_shape() accepted (PAD '=' at its end) in
 * one pass that checks every character as it decodes it. OUT has room for the whole
 * result; NULL only validates. Returns 0 or REF_ERR_BAD_BASE64 (OUT then holds
 * garbage). */
static int b64_decode_text(const uint8_t *in, size_t len, size_t pad, uint8_t *out) {
  if (len == 0) return 0;
  uint8_t scratch[3];
  uint8_t *dst = out ? out : scratch; /* validation only: every group goes to scratch */
  size_t step = out ? 3 : 0;
  size_t last = len - 4; /* only the last group may hold padding */
  for (size_t i = 0; i < last; i += 4, dst += step)
    if (b64_decode_group(in + i, 0, dst)) return REF_ERR_BAD_BASE64;
  if (b64_decode_group(in + last, pad, scratch)) return REF_ERR_BAD_BASE64;
  if (out) memcpy(dst, scratch, 3 - pad);
  return 0;
}

/* Validate IN as base64 and set *N to its decoded length; 0 or REF_ERR_BAD_BASE64. */
static int b64_check(const uint8_t *in, size_t len, size_t *n) {
  size_t pad;
  int rc = b64_shape(in, len, &pad, n);
  return rc ? rc : b64_decode_text(in, len, pad, NULL);
}

int eio_base64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
  if ((!in && len) || (!out && cap)) return REF_ERR_INVALID_ARGUMENT;
  size_t pad, n;
  int rc = b64_shape(in, len, &pad, &n);
  if (rc) return rc;
  /* Bad base64 is reported before a buffer that is too small. */
  if (n > cap)
    return b64_decode_text(in, len, pad, NULL) ? REF_ERR_BAD_BASE64 : REF_ERR_BUFFER_TOO_SMALL;
  rc = b64_decode_text(in, len, pad, out);
  return rc ? rc : (int)n;
}

/* Encode the group of REM (1..3) bytes at IN as four characters at Q, '='-padded. */
static void b64_encode_group(const uint8_t *in, size_t rem, uint8_t q[4]) {
  uint32_t v = (uint32_t)in[0] << 16;
  if (rem > 1) v |= (uint32_t)in[1] << 8;
  if (rem > 2) v |= in[2];
  q[0] = (uint8_t)b64_alphabet[v >> 18 & 63];
  q[1] = (uint8_t)b64_alphabet[v >> 12 & 63];
  q[2] = rem > 1 ? (uint8_t)b64_alphabet[v >> 6 & 63] : '=';
  q[3] = rem > 2 ? (uint8_t)b64_alphabet[v & 63] : '=';
}

static size_t b64_encoded_len(size_t len) { return (len + 2) / 3 * 4; }

/* Base64 of IN written at OUT+POS while it fits under CAP; returns the new POS (the
 * full length, even when cut). */
static size_t b64_put(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t pos) {
  size_t end = pos + b64_encoded_len(len);
  if (len == 0) return pos;
  if (end <= cap) {
    /* It fits (the usual case): three bytes in, four characters out, no bounds test. */
    uint8_t *q = out + pos;
    size_t i = 0;
    for (; len - i >= 3; i += 3, q += 4) b64_encode_group(in + i, 3, q);
    if (i < len) b64_encode_group(in + i, len - i, q);
    return end;
  }
  /* Cut short: encode group by group into scratch and keep what fits. */
  for (size_t i = 0; i < len && pos < cap; i += 3) {
    uint8_t q[4];
    b64_encode_group(in + i, len - i, q);
    pos = put(out, cap, pos, q, 4);
  }
  return end;
}

int eio_base64_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
  if ((!in && len) || (!out && cap)) return REF_ERR_INVALID_ARGUMENT;
  if (len > (size_t)INT_MAX / 4 * 3 - 3) return REF_ERR_INVALID_ARGUMENT;
  return (int)b64_put(in, len, out, cap, 0);
}

/* ---- one packet --------------------------------------------------------- */

int eio_packet_decode_text(const uint8_t *buf, size_t len, eio_packet *out) {
  if ((!buf && len) || !out) return REF_ERR_INVALID_ARGUMENT;
  if (len == 0) return REF_ERR_EMPTY_PACKET; /* EIO-PK-5: at least the type byte */
  if (buf[0] == 'b') {
    /* EIO-PK-10: 'b' + base64 is a binary MESSAGE (the polling form of binary data).
     * Valid base64 is ASCII, so it passes the UTF-8 check (EIO-PK-7) that comes
     * first: that check only has to run to tell which error a bad text gets. */
    size_t n;
    int rc = b64_check(buf + 1, len - 1, &n);
    if (rc) return ref_utf8_valid(buf, len) ? rc : REF_ERR_INVALID_UTF8;
    *out = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BASE64, {buf + 1, len - 1}};
    return 0;
  }
  if (!ref_utf8_valid(buf, len))
    return REF_ERR_INVALID_UTF8; /* EIO-PK-7, EIO-PK-8: whole message */
  if (buf[0] < '0' || buf[0] > '6') return REF_ERR_BAD_PACKET_TYPE; /* EIO-PK-1, EIO-PK-6 */
  /* EIO-PK-3, EIO-PK-4: the rest is data, verbatim, whatever the type */
  *out = (eio_packet){(eio_packet_type)(buf[0] - '0'), EIO_DATA_TEXT, {buf + 1, len - 1}};
  return 0;
}

int eio_packet_decode_binary(const uint8_t *buf, size_t len, eio_packet *out) {
  if ((!buf && len) || !out) return REF_ERR_INVALID_ARGUMENT;
  /* EIO-PK-9: a binary WebSocket message is a MESSAGE with binary data, even empty */
  *out = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {buf, len}};
  return 0;
}

/* Checks shared by the packet and payload encoders. */
static bool packet_ok(const eio_packet *p) {
  if (!p || (unsigned)p->type > EIO_PACKET_NOOP) return false;
  if (!p->data.ptr && p->data.len) return false;
  /* EIO-PK-7: never write text the decoder would refuse as invalid UTF-8 (fuzz finding N1) */
  if (p->kind == EIO_DATA_TEXT) return ref_utf8_valid(p->data.ptr, p->data.len);
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
  if (!packet_ok(p) || (!out && cap)) return REF_ERR_INVALID_ARGUMENT;
  if (transport == EIO_TRANSPORT_POLLING && !polling_ok(p)) return REF_ERR_INVALID_ARGUMENT;
  if (transport != EIO_TRANSPORT_POLLING && transport != EIO_TRANSPORT_WEBSOCKET)
    return REF_ERR_INVALID_ARGUMENT;
  if (p->data.len > (size_t)INT_MAX / 2) return REF_ERR_INVALID_ARGUMENT;
  if (transport == EIO_TRANSPORT_WEBSOCKET && p->kind != EIO_DATA_TEXT) {
    /* EIO-PK-14: on WebSocket binary data is sent as the raw bytes of a binary message */
    if (p->kind == EIO_DATA_BINARY) return (int)put(out, cap, 0, p->data.ptr, p->data.len);
    size_t pad = 0, n = 0;
    b64_shape(p->data.ptr, p->data.len, &pad, &n); /* valid: packet_ok checked */
    if (n <= cap) {
      b64_decode_text(p->data.ptr, p->data.len, pad, out);
      return (int)n;
    }
    /* Cut short: decode group by group into scratch and keep what fits (put() stops at
     * CAP, which is below N, so a padded last group is never reached in full). */
    for (size_t i = 0, o = 0; o < cap; i += 4, o += 3) {
      uint8_t bytes[3];
      b64_decode_group(p->data.ptr + i, i + 4 == p->data.len ? pad : 0, bytes);
      put(out, cap, o, bytes, 3);
    }
    return (int)n;
  }
  return (int)put_polling(p, out, cap, 0);
}

/* ---- polling payloads --------------------------------------------------- */

int eio_payload_iter_init(eio_payload_iter *it, const uint8_t *body, size_t len, size_t max_payload,
                          size_t max_packets) {
  if (!it || (!body && len)) return REF_ERR_INVALID_ARGUMENT;
  /* An empty body may come as (NULL, 0); point at a real empty array so that later
   * pointer arithmetic (buf + pos) is never done on NULL, which C leaves undefined. */
  static const uint8_t empty_body[1];
  if (!body) body = empty_body;
  *it = (eio_payload_iter){body, len, 0, 0, max_packets, 0, false};
  /* EIO-PL-5: a body longer than maxPayload is refused before any packet is read */
  if (max_payload && len > max_payload) return it->err = REF_ERR_PAYLOAD_TOO_LARGE;
  return 0;
}

int eio_payload_next(eio_payload_iter *it, eio_packet *out) {
  if (!it || !out) return REF_ERR_INVALID_ARGUMENT;
  if (it->err) return it->err;
  if (it->done) return 0;
  /* EIO-PL-6: checked when packet maxPackets + 1 is reached */
  if (it->max_packets && it->count >= it->max_packets) return it->err = REF_ERR_TOO_MANY_PACKETS;
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
  if (!pkts || n == 0 || (!out && cap)) return REF_ERR_INVALID_ARGUMENT; /* EIO-PL-1 */
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (!packet_ok(&pkts[i]) || !polling_ok(&pkts[i]) || pkts[i].data.len > (size_t)INT_MAX / 2)
      return REF_ERR_INVALID_ARGUMENT;
    total += polling_len(&pkts[i]) + (i ? 1 : 0);
    if (total > (size_t)INT_MAX) return REF_ERR_INVALID_ARGUMENT;
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
  if (!r || (!store && cap)) return REF_ERR_INVALID_ARGUMENT;
  *r = (eio_payload_reader){store, cap, 0, body_len, 0, 0, max_packets, 0, false};
  if (max_payload && body_len > max_payload) r->err = REF_ERR_PAYLOAD_TOO_LARGE; /* EIO-PL-5 */
  return 0;
}

/* Decode the segment SEG/LEN as packet number count+1 (the iterator's order of
 * checks: the count limit first, then the packet itself). */
static int reader_emit(eio_payload_reader *r, const uint8_t *seg, size_t len, eio_packet *out) {
  if (r->max_packets && r->count >= r->max_packets) return r->err = REF_ERR_TOO_MANY_PACKETS;
  int rc = eio_packet_decode_text(seg, len, out);
  if (rc) return r->err = rc;
  r->count++;
  return EIO_READER_PACKET;
}

int eio_payload_reader_next(eio_payload_reader *r, const uint8_t **chunk, size_t *len,
                            eio_packet *out) {
  if (!r || !chunk || !len || !out || (!*chunk && *len)) return REF_ERR_INVALID_ARGUMENT;
  if (r->err) return r->err;
  if (r->done) return *len ? REF_ERR_INVALID_ARGUMENT : EIO_READER_DONE;
  if (*len > r->body_len - r->seen) return REF_ERR_INVALID_ARGUMENT; /* beyond the body */
  /* A separator ended the previous segment: the count check cannot wait for the next
   * segment's bytes, the iterator makes it before looking at them. */
  if (r->held == 0 && r->seen > 0 && r->max_packets && r->count >= r->max_packets)
    return r->err = REF_ERR_TOO_MANY_PACKETS;
  const uint8_t *p = *chunk;
  size_t n = *len;
  const uint8_t *sep = n ? memchr(p, EIO_RECORD_SEPARATOR, n) : NULL;
  if (sep) {
    size_t seg = (size_t)(sep - p);
    *chunk = sep + 1;
    *len = n - seg - 1;
    r->seen += seg + 1;
    if (r->held == 0) return reader_emit(r, p, seg, out); /* whole segment in this chunk */
    if (seg > r->cap - r->held) return r->err = REF_ERR_BUFFER_TOO_SMALL;
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
    if (n > r->cap - r->held) return r->err = REF_ERR_BUFFER_TOO_SMALL;
    if (n) memcpy(r->store + r->held, p, n);
    size_t total = r->held + n;
    r->held = 0;
    return reader_emit(r, r->store, total, out);
  }
  if (n > r->cap - r->held) return r->err = REF_ERR_BUFFER_TOO_SMALL;
  if (n) memcpy(r->store + r->held, p, n);
  r->held += n;
  return EIO_READER_MORE;
}
