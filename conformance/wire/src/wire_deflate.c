/* permessage-deflate (RFC 7692) and the HTTP codings gzip / deflate over zlib, for the
 * harness's side of spec/engine.io-v4.md section 13: EIO-CMP-2 and EIO-CMP-3 (the answer
 * to an offer), EIO-CMP-4 and EIO-CMP-5 (messages with and without context takeover),
 * EIO-CMP-6 and EIO-CMP-7 (bad data, a bound on what is inflated), EIO-CMP-9 and
 * EIO-CMP-10 (coded polling bodies, the codings a request accepts). */
#include "wire_deflate.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

struct wire_pmd {
  z_stream z;
  int inflate;     /* 1: an inflater, 0: a deflater */
  int no_takeover; /* reset between messages */
  size_t step;     /* an inflater of a small window: output per inflate() call, 0 = any */
};

/* zlib checks a back reference against its window only for what is not in the output
 * of the current inflate() call; an inflater for a window under 2^15 therefore inflates
 * STEP_OUT bytes per call, so a reference more than 2^N + STEP_OUT bytes back is seen
 * (EIO-CMP-3: a server that ignores server_max_window_bits). */
#define STEP_OUT 256

void wire_sink_free(wire_sink *s) {
  free(s->p);
  s->p = NULL;
  s->len = s->cap = 0;
}

/* Room for at least N more bytes. 0, or -1 on no memory. */
static int sink_room(wire_sink *s, size_t n) {
  if (s->cap - s->len >= n) return 0;
  size_t cap = s->cap ? s->cap : 256;
  while (cap - s->len < n) cap *= 2;
  unsigned char *p = realloc(s->p, cap);
  if (!p) return -1;
  s->p = p;
  s->cap = cap;
  return 0;
}

/* ---- the answer to an offer (RFC 7692 section 7.1, RFC 6455 section 9.1) ---- */

typedef struct span {
  const char *p;
  size_t n;
} span;

static span trim(const char *p, size_t n) {
  while (n && (*p == ' ' || *p == '\t')) p++, n--;
  while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
  return (span){p, n};
}

static int is(span s, const char *w) { return s.n == strlen(w) && strncasecmp(s.p, w, s.n) == 0; }

/* A window-bits value: 8..15 in decimal, no leading zero, optionally quoted. */
static int window_value(span v) {
  if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"') v = (span){v.p + 1, v.n - 2};
  if (v.n == 1 && v.p[0] >= '8' && v.p[0] <= '9') return v.p[0] - '0';
  if (v.n == 2 && v.p[0] == '1' && v.p[1] >= '0' && v.p[1] <= '5') return 10 + v.p[1] - '0';
  return -1;
}

static wire_err bad(const char **why, const char *w) {
  if (why) *why = w;
  return WIRE_E_PMD_ANSWER;
}

/* One "name=value" or "name" parameter of the answer into OUT. */
static wire_err answer_param(span prm, const wire_pmd_params *offer, wire_pmd_params *out,
                             unsigned *seen, const char **why) {
  const char *eq = memchr(prm.p, '=', prm.n);
  span name = trim(prm.p, eq ? (size_t)(eq - prm.p) : prm.n);
  span val = eq ? trim(eq + 1, prm.n - (size_t)(eq + 1 - prm.p)) : (span){NULL, 0};
  static const char *const NAMES[] = {"server_no_context_takeover", "client_no_context_takeover",
                                      "server_max_window_bits", "client_max_window_bits"};
  int k = -1;
  for (int i = 0; i < 4; i++)
    if (is(name, NAMES[i])) k = i;
  if (k < 0) return bad(why, "an unknown permessage-deflate parameter (RFC 7692 section 7.1)");
  if (*seen & (1u << k)) return bad(why, "a parameter given twice (RFC 7692 section 7)");
  *seen |= 1u << k;
  if (k < 2) {
    if (eq) return bad(why, "a value on a no_context_takeover parameter (RFC 7692 section 7.1.1)");
    if (k == 0)
      out->server_no_context_takeover = 1;
    else
      out->client_no_context_takeover = 1;
    return WIRE_OK;
  }
  int bits = eq ? window_value(val) : -1;
  if (bits < 0)
    return bad(why, "a max_window_bits value that is not 8..15 (RFC 7692 section 7.1.2)");
  if (k == 2) {
    if (offer->server_max_window_bits > 0 && bits > offer->server_max_window_bits)
      return bad(why, "server_max_window_bits above the offered value (RFC 7692 section 7.1.2.1)");
    out->server_max_window_bits = bits;
  } else {
    if (!offer->client_max_window_bits)
      return bad(why, "client_max_window_bits the offer did not have (RFC 7692 section 7.1.2.2)");
    if (offer->client_max_window_bits > 0 && bits > offer->client_max_window_bits)
      return bad(why, "client_max_window_bits above the offered value (RFC 7692 section 7.1.2.2)");
    out->client_max_window_bits = bits;
  }
  return WIRE_OK;
}

wire_err wire_pmd_answer(const char *value, size_t len, const wire_pmd_params *offer,
                         wire_pmd_params *out, const char **why) {
  memset(out, 0, sizeof *out);
  if (why) *why = NULL;
  span all = trim(value ? value : "", value ? len : 0);
  if (!all.n) return WIRE_OK;
  if (memchr(all.p, ',', all.n))
    return bad(why, "more than one extension element in the answer (RFC 7692 section 5)");
  const char *end = all.p + all.n, *p = all.p;
  const char *semi = memchr(p, ';', all.n);
  span name = trim(p, semi ? (size_t)(semi - p) : all.n);
  if (!is(name, "permessage-deflate"))
    return bad(why, "an extension the client did not offer (RFC 6455 section 9.1)");
  unsigned seen = 0;
  while (semi) {
    p = semi + 1;
    semi = memchr(p, ';', (size_t)(end - p));
    span prm = trim(p, semi ? (size_t)(semi - p) : (size_t)(end - p));
    wire_err e = answer_param(prm, offer, out, &seen, why);
    if (e != WIRE_OK) return e;
  }
  if (offer->server_no_context_takeover && !out->server_no_context_takeover)
    return bad(why, "accepted without the offered server_no_context_takeover "
                    "(RFC 7692 section 7.1.1.1)");
  if (offer->server_max_window_bits > 0 && !out->server_max_window_bits)
    return bad(why, "accepted without the offered server_max_window_bits "
                    "(RFC 7692 section 7.1.2.1)");
  out->accepted = 1;
  return WIRE_OK;
}

/* ---- messages ---- */

static int clamp_bits(int b) { return b < 8 ? 15 : b > 15 ? 15 : b; }

wire_pmd *wire_pmd_deflater(int window_bits, int no_takeover) {
  wire_pmd *z = calloc(1, sizeof *z);
  if (!z) return NULL;
  int b = clamp_bits(window_bits);
  /* zlib refuses a raw window of 8 and writes 9 instead: a peer that allows 8 must then
   * be sent 9, which RFC 7692 forbids; the harness never offers 8 */
  if (b == 8) b = 9;
  if (deflateInit2(&z->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -b, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    free(z);
    return NULL;
  }
  z->no_takeover = no_takeover;
  return z;
}

wire_pmd *wire_pmd_inflater(int window_bits, int no_takeover) {
  wire_pmd *z = calloc(1, sizeof *z);
  if (!z) return NULL;
  if (inflateInit2(&z->z, -clamp_bits(window_bits)) != Z_OK) {
    free(z);
    return NULL;
  }
  z->inflate = 1;
  z->no_takeover = no_takeover;
  z->step = clamp_bits(window_bits) < 15 ? STEP_OUT : 0;
  return z;
}

void wire_pmd_end(wire_pmd *z) {
  if (!z) return;
  if (z->inflate)
    inflateEnd(&z->z);
  else
    deflateEnd(&z->z);
  free(z);
}

static const unsigned char TAIL[4] = {0x00, 0x00, 0xff, 0xff};

wire_err wire_pmd_deflate(wire_pmd *z, const unsigned char *in, size_t len, wire_sink *out) {
  if (!z || z->inflate) return WIRE_E_CODING;
  size_t start = out->len;
  z->z.next_in = (Bytef *)(uintptr_t)in;
  z->z.avail_in = (uInt)len;
  do {
    if (sink_room(out, len / 2 + 64) < 0) return WIRE_E_CODING;
    z->z.next_out = out->p + out->len;
    z->z.avail_out = (uInt)(out->cap - out->len);
    int rc = deflate(&z->z, Z_SYNC_FLUSH);
    out->len = out->cap - z->z.avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return WIRE_E_CODING;
  } while (z->z.avail_out == 0 || z->z.avail_in);
  /* section 7.2.1: the sync flush ends with an empty stored block; its 4 bytes go */
  if (out->len - start >= 4 && memcmp(out->p + out->len - 4, TAIL, 4) == 0) out->len -= 4;
  if (out->len == start) {
    /* an empty message: one empty stored block's first byte (section 7.2.3.6) */
    out->p[out->len++] = 0x00;
  }
  if (z->no_takeover) deflateReset(&z->z);
  return WIRE_OK;
}

/* Inflate NEXT_IN/AVAIL_IN of Z's stream into OUT, at most STEP bytes per call (0: any).
 * Z_OK (input used up), Z_STREAM_END, or an error; -100 past LIMIT. */
static int inflate_into(z_stream *s, size_t limit, wire_sink *out, size_t start, size_t step) {
  for (;;) {
    if (sink_room(out, 4096) < 0) return Z_MEM_ERROR;
    size_t room = out->cap - out->len;
    s->next_out = out->p + out->len;
    s->avail_out = (uInt)(step && step < room ? step : room);
    size_t asked = s->avail_out;
    int rc = inflate(s, Z_SYNC_FLUSH);
    out->len += asked - s->avail_out;
    if (limit && out->len - start > limit) {
      out->len = start + limit;
      return -100;
    }
    if (rc == Z_STREAM_END) return rc;
    if (rc == Z_BUF_ERROR) return s->avail_in ? Z_BUF_ERROR : Z_OK;
    if (rc != Z_OK) return rc;
    if (!s->avail_in && s->avail_out) return Z_OK;
  }
}

wire_err wire_pmd_inflate(wire_pmd *z, const unsigned char *in, size_t len, size_t limit,
                          wire_sink *out) {
  if (!z || !z->inflate) return WIRE_E_CODING;
  size_t start = out->len;
  unsigned char *buf = malloc(len + 4);
  if (!buf) return WIRE_E_CODING;
  if (len) memcpy(buf, in, len);
  memcpy(buf + len, TAIL, 4);
  z->z.next_in = buf;
  z->z.avail_in = (uInt)(len + 4);
  int rc = inflate_into(&z->z, limit, out, start, z->step);
  wire_err e = WIRE_OK;
  if (rc == -100) {
    e = WIRE_E_TOO_LARGE;
  } else if (rc == Z_STREAM_END) {
    /* a final block ends the stream (section 7.2.3.3): only the added tail may follow,
     * and the next message starts a new stream */
    if (z->z.avail_in > 4) e = WIRE_E_CODING;
    inflateReset(&z->z);
  } else if (rc != Z_OK) {
    e = WIRE_E_CODING;
  }
  free(buf);
  if (e != WIRE_OK || z->no_takeover) inflateReset(&z->z);
  return e;
}

/* ---- HTTP content codings ---- */

wire_err wire_http_decode_body(const char *coding, const unsigned char *in, size_t len,
                               size_t limit, wire_sink *out) {
  int bits;
  if (!coding) return WIRE_E_CODING;
  if (strcasecmp(coding, "identity") == 0) {
    if (limit && len > limit) return WIRE_E_TOO_LARGE;
    if (sink_room(out, len + 1) < 0) return WIRE_E_CODING;
    if (len) memcpy(out->p + out->len, in, len);
    out->len += len;
    return WIRE_OK;
  }
  if (strcasecmp(coding, "gzip") == 0 || strcasecmp(coding, "x-gzip") == 0)
    bits = 16 + 15;
  else if (strcasecmp(coding, "deflate") == 0)
    bits = 15;
  else
    return WIRE_E_CODING;
  z_stream s;
  memset(&s, 0, sizeof s);
  if (inflateInit2(&s, bits) != Z_OK) return WIRE_E_CODING;
  s.next_in = (Bytef *)(uintptr_t)in;
  s.avail_in = (uInt)len;
  int rc = inflate_into(&s, limit, out, out->len, 0);
  wire_err e = rc == Z_STREAM_END && s.avail_in == 0 ? WIRE_OK
               : rc == -100                          ? WIRE_E_TOO_LARGE
                                                     : WIRE_E_CODING;
  inflateEnd(&s);
  return e;
}

wire_err wire_http_encode_body(const char *coding, const unsigned char *in, size_t len,
                               wire_sink *out) {
  int bits;
  if (coding && strcasecmp(coding, "gzip") == 0)
    bits = 16 + 15;
  else if (coding && strcasecmp(coding, "deflate") == 0)
    bits = 15;
  else
    return WIRE_E_CODING;
  z_stream s;
  memset(&s, 0, sizeof s);
  if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return WIRE_E_CODING;
  s.next_in = (Bytef *)(uintptr_t)in;
  s.avail_in = (uInt)len;
  int rc;
  do {
    if (sink_room(out, len / 2 + 64) < 0) {
      deflateEnd(&s);
      return WIRE_E_CODING;
    }
    s.next_out = out->p + out->len;
    s.avail_out = (uInt)(out->cap - out->len);
    rc = deflate(&s, Z_FINISH);
    out->len = out->cap - s.avail_out;
  } while (rc == Z_OK || rc == Z_BUF_ERROR);
  deflateEnd(&s);
  return rc == Z_STREAM_END ? WIRE_OK : WIRE_E_CODING;
}

/* The q-value of one list member's parameters P/N ("; q=0.5"): 0..1000, 1000 when
 * absent, -1 when malformed. */
static int qvalue(const char *p, size_t n) {
  span s = trim(p, n);
  while (s.n && s.p[0] == ';') {
    const char *semi = memchr(s.p + 1, ';', s.n - 1);
    span prm = trim(s.p + 1, semi ? (size_t)(semi - s.p - 1) : s.n - 1);
    if (prm.n >= 2 && tolower((unsigned char)prm.p[0]) == 'q' && prm.p[1] == '=') {
      const char *v = prm.p + 2;
      size_t vn = prm.n - 2;
      if (!vn || (v[0] != '0' && v[0] != '1')) return -1;
      int q = (v[0] - '0') * 1000, scale = 100;
      if (vn > 1 && v[1] != '.') return -1;
      for (size_t i = 2; i < vn && i < 5; i++) {
        if (!isdigit((unsigned char)v[i])) return -1;
        q += (v[i] - '0') * scale;
        scale /= 10;
      }
      return q > 1000 ? -1 : q;
    }
    if (!semi) break;
    s = (span){semi, (size_t)(s.p + s.n - semi)};
  }
  return 1000;
}

int wire_http_coding_accepted(const char *accept, const char *coding) {
  int is_identity = strcasecmp(coding, "identity") == 0;
  if (!accept) return is_identity;
  int named = -1, star = -1;
  const char *p = accept;
  for (;;) {
    size_t n = strcspn(p, ",");
    size_t nl = strcspn(p, ";,");
    span name = trim(p, nl < n ? nl : n);
    if (name.n) {
      int q = qvalue(p + name.n + (size_t)(name.p - p), n - name.n - (size_t)(name.p - p));
      if (is(name, coding))
        named = q;
      else if (is(name, "*"))
        star = q;
    }
    if (!p[n]) break;
    p += n + 1;
  }
  if (named >= 0) return named > 0;
  if (star >= 0) return star > 0;
  return is_identity;
}
