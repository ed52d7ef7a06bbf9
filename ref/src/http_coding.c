/* Content coding of polling bodies (spec/engine.io-v4.md section 13.2): EIO-CMP-8 (gzip
 * or deflate when the request accepts it), EIO-CMP-9 (one complete stream of the
 * payload), EIO-CMP-10 (no coding unasked for, none listed with q=0). */
#include "http_coding.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* The q-value (0..1000) of one Accept-Encoding member's parameter text P/N (what follows
 * the coding name: "; q=0.5"); 1000 without one, -1 when malformed. */
static int qvalue(const char *p, size_t n) {
  const char *end = p + n;
  while (p < end) {
    while (p < end && (*p == ';' || *p == ' ' || *p == '\t')) p++;
    const char *stop = memchr(p, ';', (size_t)(end - p));
    if (!stop) stop = end;
    if (stop - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      const char *v = p + 2;
      size_t vn = (size_t)(stop - v);
      while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t')) vn--;
      if (!vn || (v[0] != '0' && v[0] != '1') || (vn > 1 && v[1] != '.') || vn > 5) return -1;
      int q = (v[0] - '0') * 1000, scale = 100;
      for (size_t i = 2; i < vn; i++, scale /= 10) {
        if (!isdigit((unsigned char)v[i])) return -1;
        q += (v[i] - '0') * scale;
      }
      return q > 1000 ? -1 : q;
    }
    p = stop;
  }
  return 1000;
}

const char *sioref_coding_pick(const char *accept) {
  if (!accept) return NULL;
  static const char *const CODINGS[] = {"gzip", "deflate"};
  int q[2] = {-1, -1}, star = -1;
  const char *p = accept;
  for (;;) {
    size_t n = strcspn(p, ",");
    const char *s = p, *e = p + strcspn(p, ";,");
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    const char *ne = e;
    while (ne > s && (ne[-1] == ' ' || ne[-1] == '\t')) ne--;
    size_t len = (size_t)(ne - s);
    int qv = qvalue(e, (size_t)(p + n - e));
    if (qv < 0) qv = 0; /* a member we cannot read is not an acceptance */
    for (int k = 0; k < 2; k++)
      if (len == strlen(CODINGS[k]) && strncasecmp(s, CODINGS[k], len) == 0) q[k] = qv;
    if (len == 6 && strncasecmp(s, "x-gzip", 6) == 0) q[0] = q[0] < 0 ? qv : q[0];
    if (len == 1 && *s == '*') star = qv;
    if (!p[n]) break;
    p += n + 1;
  }
  for (int k = 0; k < 2; k++)
    if (q[k] < 0) q[k] = star < 0 ? 0 : star;
  if (q[0] <= 0 && q[1] <= 0) return NULL;
  return q[0] >= q[1] ? CODINGS[0] : CODINGS[1];
}

int sioref_coding_encode(const char *coding, const uint8_t *in, size_t len, size_t headroom,
                         uint8_t **buf, size_t *out_len) {
  int bits;
  if (coding && strcmp(coding, "gzip") == 0)
    bits = 16 + 15;
  else if (coding && strcmp(coding, "deflate") == 0)
    bits = 15;
  else
    return -1;
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  size_t cap = deflateBound(&z, (uLong)len) + 32; /* gzip header and trailer included */
  uint8_t *b = malloc(headroom + cap);
  if (!b) {
    deflateEnd(&z);
    return -1;
  }
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)len;
  z.next_out = b + headroom;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH); /* one call: deflateBound is enough room */
  *out_len = cap - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(b);
    return -1;
  }
  *buf = b;
  return 0;
}
