/* Engine.IO v3 packet and polling-payload codec: stateless, allocation-free.
 * Spec tags: EIO-TPK-1..6 (packets, the b4 form, binary messages with a type byte),
 * EIO-TPL-1..15 (text bodies with UTF-16 lengths, binary bodies with 00/01 markers). */
#include "sioref/eio3_codec.h"

#include <limits.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/utf8.h"

#define EIO3_MAX_DIGITS   10   /* EIO-TPL-3, EIO-TPL-13: at most 10 length digits */
#define EIO3_MARK_TEXT    0x00 /* EIO-TPL-10: binary-body segment markers */
#define EIO3_MARK_BINARY  0x01
#define EIO3_MARK_END     0xff /* ends the length digits of a binary-body segment */
#define EIO3_BINARY_TYPE  ((uint8_t)EIO_PACKET_MESSAGE) /* EIO-TPK-5: the type as a byte */
#define EIO3_MAX_DATA_LEN ((size_t)INT_MAX / 2)

/* Copy LEN bytes to OUT+POS while under CAP; returns the new POS. */
static size_t put(uint8_t *out, size_t cap, size_t pos, const uint8_t *src, size_t len) {
  if (pos < cap) {
    size_t n = cap - pos < len ? cap - pos : len;
    if (n) memcpy(out + pos, src, n);
  }
  return pos + len;
}

static size_t put_byte(uint8_t *out, size_t cap, size_t pos, uint8_t b) {
  return put(out, cap, pos, &b, 1);
}

/* Decimal digits of V at POS, as ASCII (text bodies) or as digit values (binary). */
static size_t put_decimal(uint8_t *out, size_t cap, size_t pos, size_t v, bool ascii) {
  uint8_t d[24];
  size_t n = 0;
  do {
    d[n++] = (uint8_t)(v % 10);
    v /= 10;
  } while (v);
  while (n) pos = put_byte(out, cap, pos, (uint8_t)(d[--n] + (ascii ? '0' : 0)));
  return pos;
}

/* Strict base64 (EIO-PK-11 via eio_base64_decode, which validates before it reports a
 * buffer too small). */
static bool base64_ok(const uint8_t *in, size_t len) {
  int rc = eio_base64_decode(in, len, NULL, 0);
  return rc >= 0 || rc == REF_ERR_BUFFER_TOO_SMALL;
}

static size_t base64_decoded_len(const uint8_t *in, size_t len) {
  size_t pad = len && in[len - 1] == '=' ? (len > 1 && in[len - 2] == '=' ? 2 : 1) : 0;
  return len / 4 * 3 - pad;
}

/* ---- one packet --------------------------------------------------------- */

int eio3_packet_decode_text(const uint8_t *buf, size_t len, eio_packet *out) {
  if ((!buf && len) || !out) return REF_ERR_INVALID_ARGUMENT;
  if (len == 0) return REF_ERR_EMPTY_PACKET;
  if (!ref_utf8_valid(buf, len)) return REF_ERR_INVALID_UTF8; /* EIO-TPK-2 (EIO-PK-7) */
  if (buf[0] == 'b') {
    /* EIO-TPK-3, EIO-TPK-4: 'b', the type digit (only 4: EIO-TPK-1), then base64 */
    if (len < 2 || buf[1] != '0' + EIO_PACKET_MESSAGE) return REF_ERR_BAD_PACKET_TYPE;
    if (!base64_ok(buf + 2, len - 2)) return REF_ERR_BAD_BASE64;
    *out = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BASE64, {buf + 2, len - 2}};
    return 0;
  }
  if (buf[0] < '0' || buf[0] > '6') return REF_ERR_BAD_PACKET_TYPE; /* EIO-TPK-1 */
  *out = (eio_packet){(eio_packet_type)(buf[0] - '0'), EIO_DATA_TEXT, {buf + 1, len - 1}};
  return 0;
}

int eio3_packet_decode_binary(const uint8_t *buf, size_t len, eio_packet *out) {
  if ((!buf && len) || !out) return REF_ERR_INVALID_ARGUMENT;
  if (len == 0) return REF_ERR_EMPTY_PACKET;                      /* EIO-TPK-5 */
  if (buf[0] != EIO3_BINARY_TYPE) return REF_ERR_BAD_PACKET_TYPE; /* EIO-TPK-5, EIO-TPK-1 */
  *out = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {buf + 1, len - 1}};
  return 0;
}

static bool packet_ok(const eio_packet *p) {
  if (!p || (unsigned)p->type > EIO_PACKET_NOOP) return false;
  if ((!p->data.ptr && p->data.len) || p->data.len > EIO3_MAX_DATA_LEN) return false;
  if (p->kind == EIO_DATA_TEXT) return ref_utf8_valid(p->data.ptr, p->data.len);
  if (p->kind != EIO_DATA_BINARY && p->kind != EIO_DATA_BASE64) return false;
  if (p->type != EIO_PACKET_MESSAGE) return false; /* EIO-TPK-1: only messages carry binary */
  return p->kind == EIO_DATA_BINARY || base64_ok(p->data.ptr, p->data.len);
}

/* Bytes of the raw binary data of a binary packet. */
static size_t binary_len(const eio_packet *p) {
  return p->kind == EIO_DATA_BINARY ? p->data.len : base64_decoded_len(p->data.ptr, p->data.len);
}

/* Byte length of P's text form (digit + data, or `b4` + base64). */
static size_t text_len(const eio_packet *p) {
  if (p->kind == EIO_DATA_TEXT) return 1 + p->data.len;
  if (p->kind == EIO_DATA_BASE64) return 2 + p->data.len;
  return 2 + (p->data.len + 2) / 3 * 4;
}

/* EIO-TPL-2: UTF-16 units of P's text form; base64 is ASCII, and well-formed UTF-8
 * text has one unit per lead byte plus one more per 4-byte character. */
static size_t text_units(const eio_packet *p) {
  if (p->kind != EIO_DATA_TEXT) return text_len(p);
  size_t u = 1;
  for (size_t i = 0; i < p->data.len; i++) {
    uint8_t c = p->data.ptr[i];
    u += (c & 0xc0) != 0x80;
    u += c >= 0xf0;
  }
  return u;
}

/* EIO-TPK-6: P's text form at POS. */
static size_t put_text(const eio_packet *p, uint8_t *out, size_t cap, size_t pos) {
  if (p->kind == EIO_DATA_TEXT) {
    pos = put_byte(out, cap, pos, (uint8_t)('0' + p->type));
    return put(out, cap, pos, p->data.ptr, p->data.len);
  }
  pos = put(out, cap, pos, (const uint8_t *)"b4", 2);
  if (p->kind == EIO_DATA_BASE64) return put(out, cap, pos, p->data.ptr, p->data.len);
  size_t room = pos < cap ? cap - pos : 0;
  return pos + (size_t)eio_base64_encode(p->data.ptr, p->data.len, room ? out + pos : NULL, room);
}

/* EIO-TPK-5, EIO-TPK-6: the type byte, then the raw bytes. A BASE64 packet is decoded
 * straight into OUT when it fits; when it does not, only the type byte is written
 * (snprintf style: the caller retries with the returned length). */
static size_t put_binary(const eio_packet *p, uint8_t *out, size_t cap, size_t pos) {
  pos = put_byte(out, cap, pos, EIO3_BINARY_TYPE);
  if (p->kind == EIO_DATA_BINARY) return put(out, cap, pos, p->data.ptr, p->data.len);
  size_t n = binary_len(p);
  if (pos + n <= cap) eio_base64_decode(p->data.ptr, p->data.len, out + pos, n);
  return pos + n;
}

int eio3_packet_encode(const eio_packet *p, bool binary_message, uint8_t *out, size_t cap) {
  if (!packet_ok(p) || (!out && cap)) return REF_ERR_INVALID_ARGUMENT;
  if (binary_message && p->kind != EIO_DATA_TEXT) return (int)put_binary(p, out, cap, 0);
  return (int)put_text(p, out, cap, 0);
}

/* ---- polling payloads --------------------------------------------------- */

int eio3_payload_iter_init(eio3_payload_iter *it, const uint8_t *body, size_t len, bool binary,
                           size_t max_payload, size_t max_packets) {
  if (!it || (!body && len)) return REF_ERR_INVALID_ARGUMENT;
  static const uint8_t empty_body[1]; /* never do pointer arithmetic on NULL */
  if (!body) body = empty_body;
  *it = (eio3_payload_iter){body, len, 0, 0, max_packets, binary, 0};
  if (max_payload && len > max_payload) /* EIO-TPL-8 (EIO-PL-5): before any segment */
    it->err = REF_ERR_PAYLOAD_TOO_LARGE;
  else if (len == 0) /* EIO-TPL-5, EIO-TPL-14 */
    it->err = REF_ERR_EMPTY_PACKET;
  else if (!binary && !ref_utf8_valid(body, len)) /* EIO-TPL-7: before any length */
    it->err = REF_ERR_INVALID_UTF8;
  return it->err;
}

/* EIO-TPL-1..3: the next text-body segment's packet bytes in [*FROM, *TO). */
static int text_segment(eio3_payload_iter *it, size_t *from, size_t *to) {
  const uint8_t *b = it->buf;
  size_t i = it->pos, digits = 0;
  uint64_t units = 0;
  for (; i < it->len && b[i] >= '0' && b[i] <= '9'; i++) {
    if (++digits > EIO3_MAX_DIGITS) return REF_ERR_BAD_LENGTH_PREFIX;
    units = units * 10 + (uint64_t)(b[i] - '0');
  }
  if (digits == 0 || i >= it->len || b[i] != ':') return REF_ERR_BAD_LENGTH_PREFIX;
  *from = ++i;
  /* EIO-TPL-2: walk whole characters (the body is valid UTF-8): one unit each, two for
   * a 4-byte one. A length ending inside such a pair, or past the body, is refused. */
  while (units > 0) {
    if (i >= it->len) return REF_ERR_BAD_LENGTH_PREFIX;
    uint8_t c = b[i];
    size_t bytes = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    uint64_t u = bytes == 4 ? 2 : 1;
    if (u > units) return REF_ERR_BAD_LENGTH_PREFIX;
    units -= u;
    i += bytes;
  }
  *to = i;
  return 0;
}

/* EIO-TPL-10, EIO-TPL-13: the next binary-body segment: its marker and [*FROM, *TO). */
static int binary_segment(eio3_payload_iter *it, uint8_t *marker, size_t *from, size_t *to) {
  const uint8_t *b = it->buf;
  size_t i = it->pos, digits = 0;
  uint64_t n = 0;
  *marker = b[i++];
  if (*marker != EIO3_MARK_TEXT && *marker != EIO3_MARK_BINARY) return REF_ERR_BAD_LENGTH_PREFIX;
  for (; i < it->len && b[i] <= 9; i++) {
    if (++digits > EIO3_MAX_DIGITS) return REF_ERR_BAD_LENGTH_PREFIX;
    n = n * 10 + b[i];
  }
  if (digits == 0 || i >= it->len || b[i] != EIO3_MARK_END) return REF_ERR_BAD_LENGTH_PREFIX;
  i++;
  if (n > it->len - i) return REF_ERR_BAD_LENGTH_PREFIX; /* EIO-TPL-8: never past the body */
  *from = i;
  *to = i + (size_t)n;
  return 0;
}

int eio3_payload_next(eio3_payload_iter *it, eio_packet *out) {
  if (!it || !out) return REF_ERR_INVALID_ARGUMENT;
  for (;;) {
    if (it->err) return it->err;
    if (it->pos >= it->len) return 0;
    size_t from, to;
    uint8_t marker = EIO3_MARK_TEXT;
    int rc = it->binary ? binary_segment(it, &marker, &from, &to) : text_segment(it, &from, &to);
    if (rc) return it->err = rc;
    it->pos = to;
    if (from == to) {
      if (!it->binary) continue;             /* EIO-TPL-4: `0:` holds no packet */
      return it->err = REF_ERR_EMPTY_PACKET; /* EIO-TPL-14 */
    }
    /* EIO-TPL-8 (EIO-PL-6): checked when packet maxPackets + 1 is reached */
    if (it->max_packets && it->count >= it->max_packets) return it->err = REF_ERR_TOO_MANY_PACKETS;
    /* EIO-TPL-6, EIO-TPL-11, EIO-TPL-12 */
    rc = marker == EIO3_MARK_BINARY ? eio3_packet_decode_binary(it->buf + from, to - from, out)
                                    : eio3_packet_decode_text(it->buf + from, to - from, out);
    if (rc) return it->err = rc;
    it->count++;
    return 1;
  }
}

int eio3_payload_encode(const eio_packet *pkts, size_t n, bool binary, uint8_t *out, size_t cap) {
  if ((!pkts && n) || (!out && cap) || (binary && n == 0)) return REF_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; i++)
    if (!packet_ok(&pkts[i])) return REF_ERR_INVALID_ARGUMENT;
  if (n == 0) return (int)put(out, cap, 0, (const uint8_t *)"0:", 2); /* EIO-TPL-9 */
  /* The total, with room for every length header, must fit an int. */
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    size_t one =
        binary && pkts[i].kind != EIO_DATA_TEXT ? 1 + binary_len(&pkts[i]) : text_len(&pkts[i]);
    if (one > (size_t)INT_MAX - 16 - total) return REF_ERR_INVALID_ARGUMENT;
    total += one + 16;
  }
  size_t pos = 0;
  for (size_t i = 0; i < n; i++) {
    const eio_packet *p = &pkts[i];
    if (!binary) { /* EIO-TPL-9: UTF-16 length, ':', the text form */
      pos = put_decimal(out, cap, pos, text_units(p), true);
      pos = put_byte(out, cap, pos, ':');
      pos = put_text(p, out, cap, pos);
    } else if (p->kind == EIO_DATA_TEXT) { /* EIO-TPL-11, EIO-TPL-15: byte length */
      pos = put_byte(out, cap, pos, EIO3_MARK_TEXT);
      pos = put_decimal(out, cap, pos, text_len(p), false);
      pos = put_byte(out, cap, pos, EIO3_MARK_END);
      pos = put_text(p, out, cap, pos);
    } else { /* EIO-TPL-12: the length counts the type byte */
      pos = put_byte(out, cap, pos, EIO3_MARK_BINARY);
      pos = put_decimal(out, cap, pos, 1 + binary_len(p), false);
      pos = put_byte(out, cap, pos, EIO3_MARK_END);
      pos = put_binary(p, out, cap, pos);
    }
  }
  return (int)pos;
}
