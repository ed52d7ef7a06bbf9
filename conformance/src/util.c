/* Harness helpers: growable buffers, monotonic time, SHA-1 (RFC 3174, for the
 * WebSocket accept key, RFC 6455 section 4.2.2), base64 and hex. No spec tags: these
 * are plumbing the cases build on. */
#include "ct_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void ct_oom(void) {
  fputs("sioconform: out of memory\n", stderr);
  abort();
}

void *ct_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) ct_oom();
  return p;
}

void *ct_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) ct_oom();
  return q;
}

char *ct_xstrdup(const char *s) { return ct_xstrndup(s, strlen(s)); }

char *ct_xstrndup(const char *s, size_t n) {
  char *p = ct_xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *ct_xasprintf(const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  return ct_buf_steal(&b);
}

static void ct_buf_reserve(ct_buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  b->data = ct_xrealloc(b->data, cap);
  b->cap = cap;
}

void ct_buf_add(ct_buf *b, const void *p, size_t len) {
  ct_buf_reserve(b, len);
  if (len) memcpy(b->data + b->len, p, len);
  b->len += len;
  b->data[b->len] = 0;
}

void ct_buf_adds(ct_buf *b, const char *s) { ct_buf_add(b, s, strlen(s)); }

int ct_buf_read_file(ct_buf *out, const char *path) {
  out->len = 0;
  if (out->data) out->data[0] = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  unsigned char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ct_buf_add(out, chunk, n);
  int bad = ferror(f);
  fclose(f);
  return bad ? -1 : 0;
}

char *ct_read_file(const char *path) {
  ct_buf b = {0};
  if (ct_buf_read_file(&b, path) != 0) {
    ct_buf_free(&b);
    return NULL;
  }
  ct_buf_add(&b, "", 0); /* an empty file is "", not NULL */
  return ct_buf_steal(&b);
}

void ct_buf_vprintf(ct_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  ct_buf_reserve(b, (size_t)n);
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void ct_buf_printf(ct_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void ct_buf_consume(ct_buf *b, size_t n) {
  if (n >= b->len) {
    b->len = 0;
  } else {
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
  }
  if (b->data) b->data[b->len] = 0;
}

void ct_buf_reset(ct_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = 0;
}

void ct_buf_free(ct_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

char *ct_buf_steal(ct_buf *b) {
  if (!b->data) return ct_xstrdup("");
  char *p = (char *)b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

int64_t ct_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ct_sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* ---- SHA-1 ---- */
static uint32_t rol32(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

static void sha1_block(uint32_t h[5], const unsigned char *p) {
  uint32_t w[80];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
           p[4 * i + 3];
  for (int i = 16; i < 80; i++) w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f, k;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDC;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6;
    }
    uint32_t t = rol32(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = rol32(b, 30);
    b = a;
    a = t;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

void ct_sha1(const void *in, size_t len, unsigned char out[20]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  const unsigned char *p = in;
  size_t left = len;
  while (left >= 64) {
    sha1_block(h, p);
    p += 64;
    left -= 64;
  }
  unsigned char tail[128] = {0};
  memcpy(tail, p, left);
  tail[left] = 0x80;
  size_t tl = left + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
  sha1_block(h, tail);
  if (tl == 128) sha1_block(h, tail + 64);
  for (int i = 0; i < 5; i++) {
    out[4 * i] = (unsigned char)(h[i] >> 24);
    out[4 * i + 1] = (unsigned char)(h[i] >> 16);
    out[4 * i + 2] = (unsigned char)(h[i] >> 8);
    out[4 * i + 3] = (unsigned char)h[i];
  }
}

/* ---- base64 / hex ---- */
static const char b64tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ct_b64_encode(const unsigned char *in, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < len) v |= in[i + 2];
    out[o++] = b64tab[(v >> 18) & 63];
    out[o++] = b64tab[(v >> 12) & 63];
    out[o++] = i + 1 < len ? b64tab[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? b64tab[v & 63] : '=';
  }
  out[o] = 0;
  return o;
}

static int b64val(char c) {
  const char *p = c ? strchr(b64tab, c) : NULL;
  return p ? (int)(p - b64tab) : -1;
}

long ct_b64_decode(const char *in, size_t len, unsigned char *out) {
  if (len % 4) return -1;
  long o = 0;
  for (size_t i = 0; i < len; i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; j++) {
      if (in[i + j] == '=' && i + 4 == len && j >= 2) {
        v[j] = 0;
        pad++;
      } else if (pad) {
        return -1;
      } else if ((v[j] = b64val(in[i + j])) < 0) {
        return -1;
      }
    }
    uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
    out[o++] = (unsigned char)(x >> 16);
    if (pad < 2) out[o++] = (unsigned char)(x >> 8);
    if (pad < 1) out[o++] = (unsigned char)x;
  }
  return o;
}

void ct_hex_encode(const unsigned char *in, size_t len, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = d[in[i] >> 4];
    out[2 * i + 1] = d[in[i] & 15];
  }
  out[2 * len] = 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

long ct_hex_decode(const char *in, unsigned char *out, size_t cap) {
  size_t n = strlen(in);
  if (n % 2 || n / 2 > cap) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (unsigned char)(hi << 4 | lo);
  }
  return (long)(n / 2);
}

void ct_buf_add_escaped(ct_buf *b, const unsigned char *p, size_t len, size_t max) {
  size_t n = len < max ? len : max;
  ct_buf_adds(b, "\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      ct_buf_printf(b, "\\%c", c);
    } else if (c == '\n') {
      ct_buf_adds(b, "\\n");
    } else if (c == '\r') {
      ct_buf_adds(b, "\\r");
    } else if (c < 0x20 || c == 0x7f) {
      ct_buf_printf(b, "\\x%02x", c);
    } else {
      ct_buf_add(b, &c, 1);
    }
  }
  ct_buf_adds(b, "\"");
  if (n < len) ct_buf_printf(b, "...(%zu bytes)", len);
}

int ct_utf8_valid(const unsigned char *p, size_t len) {
  size_t i = 0;
  while (i < len) {
    unsigned char c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + n > len) return 0;
    for (size_t k = 1; k < n; k++) {
      if ((p[i + k] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (p[i + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += n;
  }
  return 1;
}

/* Length of the well-formed UTF-8 sequence at P (1..4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t left) {
  size_t n = p[0] < 0x80             ? 1
             : (p[0] & 0xE0) == 0xC0 ? 2
             : (p[0] & 0xF0) == 0xE0 ? 3
             : (p[0] & 0xF8) == 0xF0 ? 4
                                     : 0;
  if (n == 0 || n > left || !ct_utf8_valid(p, n)) return 0;
  return n;
}

char *ct_utf8_sanitize(const unsigned char *p, size_t len) {
  ct_buf b = {0};
  size_t i = 0;
  while (i < len) {
    size_t n = utf8_seq(p + i, len - i);
    if (n == 0 || p[i] == 0) {
      ct_buf_printf(&b, "\\x%02x", p[i]);
      i++;
    } else {
      ct_buf_add(&b, p + i, n);
      i += n;
    }
  }
  return ct_buf_steal(&b);
}
