/* Large-payload helpers (see ct_payload.h): exact-length fills, the byte-exact diff that
 * reports both lengths and the first differing offset, and the Socket.IO header split
 * used to compare the JSON of large events semantically (EIO-TR-8, EIO-TR-15, CT-10,
 * CT-13). */
#include "ct_payload.h"

#include <string.h>

void ct_fill_text(ct_buf *out, const char *unit, size_t bytes) {
  if (!unit || !*unit) unit = "a";
  size_t ul = strlen(unit), n = 0;
  while (n + ul <= bytes) {
    ct_buf_add(out, unit, ul);
    n += ul;
  }
  for (; n < bytes; n++) ct_buf_add(out, "a", 1);
}

void ct_fill_binary(ct_buf *out, size_t n, unsigned seed) {
  uint32_t x = 2463534242u ^ (uint32_t)seed;
  unsigned char tmp[4096];
  while (n) {
    size_t k = n < sizeof tmp ? n : sizeof tmp;
    for (size_t i = 0; i < k; i++) {
      x = x * 1664525u + 1013904223u;
      tmp[i] = (unsigned char)(x >> 24);
    }
    ct_buf_add(out, tmp, k);
    n -= k;
  }
}

size_t ct_b64_fit(long body) {
  if (body < 5) return 0;
  return (size_t)((body - 1) / 4) * 3;
}

long ct_first_diff(const void *a, size_t alen, const void *b, size_t blen) {
  const unsigned char *x = a, *y = b;
  size_t m = alen < blen ? alen : blen;
  for (size_t i = 0; i < m; i++)
    if (x[i] != y[i]) return (long)i;
  return alen == blen ? -1 : (long)m;
}

/* A window of P around AT: up to 16 bytes before, 32 from AT (hex for binary). */
static void window(ct_buf *o, const unsigned char *p, size_t len, int binary, size_t at) {
  size_t from = at > 16 ? at - 16 : 0, to = at + 32 < len ? at + 32 : len;
  if (from >= to) {
    ct_buf_adds(o, "(end)");
    return;
  }
  if (binary) {
    for (size_t i = from; i < to; i++) ct_buf_printf(o, "%s%02x", i == at ? "[" : "", p[i]);
    if (at < to) ct_buf_adds(o, "]");
  } else {
    ct_buf_add_escaped(o, p + from, to - from, 64);
  }
}

void ct_diff_describe(const unsigned char *a, size_t alen, int a_binary, const unsigned char *b,
                      size_t blen, int b_binary, ct_buf *exp, ct_buf *act, ct_buf *why) {
  long d = ct_first_diff(a, alen, b, blen);
  size_t at = d < 0 ? 0 : (size_t)d;
  ct_buf_printf(exp, "%zu bytes of %s; from byte %zu: ", alen, a_binary ? "binary" : "text",
                at > 16 ? at - 16 : 0);
  window(exp, a, alen, a_binary, at);
  ct_buf_printf(act, "%zu bytes of %s; from byte %zu: ", blen, b_binary ? "binary" : "text",
                at > 16 ? at - 16 : 0);
  window(act, b, blen, b_binary, at);
  if (a_binary != b_binary)
    ct_buf_printf(why, "got a %s message of %zu bytes where %zu bytes of %s were expected",
                  b_binary ? "binary" : "text", blen, alen, a_binary ? "binary" : "text");
  else if (d < 0)
    ct_buf_printf(why, "equal (%zu bytes)", alen);
  else
    ct_buf_printf(why, "got %zu bytes where %zu were expected; first difference at byte %ld", blen,
                  alen, d);
}

int ct_sio_json_offset(const unsigned char *p, size_t len, size_t *off) {
  size_t i = 0;
  if (len < 2 || p[0] != '4' || p[1] < '0' || p[1] > '6') return -1;
  i = 2;
  /* attachment count of a binary packet: digits then '-' */
  size_t j = i;
  while (j < len && p[j] >= '0' && p[j] <= '9') j++;
  if (j > i && j < len && p[j] == '-') i = j + 1;
  /* namespace: '/' up to ',' */
  if (i < len && p[i] == '/') {
    while (i < len && p[i] != ',') i++;
    if (i == len) return -1;
    i++;
  }
  while (i < len && p[i] >= '0' && p[i] <= '9') i++; /* ack id */
  if (i >= len || (p[i] != '[' && p[i] != '{')) return -1;
  *off = i;
  return 0;
}
