/* Engine.IO v3 polling payloads (spec/engine.io-v3.md section 3). */
#include "wire_payload3.h"

#include <stdio.h>

/* Length of the well-formed UTF-8 character at P (N bytes left), or 0 when none starts
 * there (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_char(const unsigned char *p, size_t n) {
  unsigned c = p[0];
  if (c < 0x80) return 1;
  size_t k = c >= 0xc2 && c <= 0xdf   ? 2
             : c >= 0xe0 && c <= 0xef ? 3
             : c >= 0xf0 && c <= 0xf4 ? 4
                                      : 0;
  if (k == 0 || k > n) return 0;
  for (size_t i = 1; i < k; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && p[1] < 0xa0) return 0;
  if (c == 0xed && p[1] > 0x9f) return 0;
  if (c == 0xf0 && p[1] < 0x90) return 0;
  if (c == 0xf4 && p[1] > 0x8f) return 0;
  return k;
}

size_t wire_utf16_len(const unsigned char *p, size_t n) {
  size_t units = 0;
  for (size_t i = 0; i < n;) {
    size_t k = utf8_char(p + i, n - i);
    units += k == 4 ? 2 : 1;
    i += k ? k : 1;
  }
  return units;
}

size_t wire_payload3_prefix(char *out, const unsigned char *p, size_t n) {
  return (size_t)snprintf(out, 12, "%zu:", wire_utf16_len(p, n) % 10000000000u);
}

size_t wire_payload3_bin_head(unsigned char *out, int binary, size_t n) {
  char d[24];
  int nd = snprintf(d, sizeof d, "%zu", n % 10000000000u);
  out[0] = binary ? 1 : 0;
  for (int i = 0; i < nd; i++) out[1 + i] = (unsigned char)(d[i] - '0');
  out[1 + nd] = 0xff;
  return (size_t)nd + 2;
}

void wire_payload3_begin(wire_payload3_iter *it, const unsigned char *body, size_t len) {
  it->p = body;
  it->len = len;
  it->pos = 0;
  it->bin = len > 0 && body[0] <= 1;
}

/* A binary payload's segment (EIO-TPL-10, EIO-TPL-13). */
static int next_bin(wire_payload3_iter *it, wire_payload3_rec *rec) {
  const unsigned char *p = it->p;
  size_t i = it->pos;
  if (p[i] > 1) return WIRE_E_V3_LENGTH;
  int binary = p[i++];
  size_t len = 0, nd = 0;
  while (i < it->len && p[i] != 0xff) {
    if (p[i] > 9 || ++nd > 10) return WIRE_E_V3_LENGTH;
    len = len * 10 + p[i++];
  }
  if (i == it->len || nd == 0) return WIRE_E_V3_LENGTH;
  i++; /* 0xff */
  if (len > it->len - i) return WIRE_E_V3_LENGTH;
  rec->pkt = (wire_span){p + i, len};
  rec->binary = binary;
  it->pos = i + len;
  return len ? WIRE_MORE : WIRE_E_V3_EMPTY;
}

/* A text payload's segment (EIO-TPL-1..3): the length in UTF-16 units. */
static int next_text(wire_payload3_iter *it, wire_payload3_rec *rec) {
  const unsigned char *p = it->p;
  size_t i = it->pos, units = 0, nd = 0;
  while (i < it->len && p[i] != ':') {
    if (p[i] < '0' || p[i] > '9' || ++nd > 10) return WIRE_E_V3_LENGTH;
    units = units * 10 + (size_t)(p[i++] - '0');
  }
  if (i == it->len || nd == 0) return WIRE_E_V3_LENGTH;
  size_t start = ++i;
  for (size_t got = 0; got < units;) {
    if (i >= it->len) return WIRE_E_V3_LENGTH;
    size_t k = utf8_char(p + i, it->len - i);
    if (k == 0) return WIRE_E_V3_UTF8;
    got += k == 4 ? 2 : 1;
    if (got > units) return WIRE_E_V3_LENGTH; /* ends inside a surrogate pair */
    i += k;
  }
  rec->pkt = (wire_span){p + start, i - start};
  rec->binary = 0;
  it->pos = i;
  return WIRE_MORE;
}

int wire_payload3_next(wire_payload3_iter *it, wire_payload3_rec *rec) {
  if (it->len == 0 && it->pos == 0) {
    it->pos = 1; /* EIO-TPL-5: an empty body is an error, once */
    return WIRE_E_V3_EMPTY;
  }
  while (it->pos < it->len) {
    int rc = it->bin ? next_bin(it, rec) : next_text(it, rec);
    if (rc < 0) {
      it->pos = it->len; /* the rest is not read */
      return rc;
    }
    if (rec->pkt.len) return WIRE_MORE;
  }
  return WIRE_OK;
}
