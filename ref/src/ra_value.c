/* Values between the Socket.IO layer (JSON text with placeholders) and the Redis adapter
 * (MessagePack with bin values), as JSON.parse + notepack.io and notepack.io +
 * JSON.stringify would map them (ra_value.h). Spec tags: RA-6, RA-7. */
#include "sioref/ra_value.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sioref/err.h"
#include "sioref/json_scan.h"

/* ---------------------------------------------------------------- buffers */

void ra_buf_put(ra_buf *b, const void *d, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->len, d, n);
  b->len += n;
  b->p[b->len] = '\0'; /* always NUL-terminated, for logs and cJSON */
}

void ra_buf_puts(ra_buf *b, const char *s) { ra_buf_put(b, s, strlen(s)); }

void ra_buf_free(ra_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

void ra_bins_free(ra_bins *b) {
  free(b->v);
  memset(b, 0, sizeof *b);
}

/* Length of the valid UTF-8 sequence at S (N bytes left), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  unsigned min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, min = 0x10000;
  else
    return 0;
  if (n < len) return 0;
  unsigned cp = c & (0xFF >> (len + 1));
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return 0;
  return len;
}

void ra_buf_json_string(ra_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)s;
  ra_buf_put(b, "\"", 1);
  size_t run = 0; /* bytes copied as they are, flushed in one put */
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    const char *esc = NULL;
    char tmp[6];
    size_t el = 0, adv = 1;
    if (c == '"')
      esc = "\\\"", el = 2;
    else if (c == '\\')
      esc = "\\\\", el = 2;
    else if (c == '\b')
      esc = "\\b", el = 2;
    else if (c == '\f')
      esc = "\\f", el = 2;
    else if (c == '\n')
      esc = "\\n", el = 2;
    else if (c == '\r')
      esc = "\\r", el = 2;
    else if (c == '\t')
      esc = "\\t", el = 2;
    else if (c < 0x20) {
      memcpy(tmp, "\\u00", 4);
      tmp[4] = hex[c >> 4];
      tmp[5] = hex[c & 15];
      esc = tmp, el = 6;
    } else if (c >= 0x80) {
      adv = utf8_seq(u + i, n - i);
      if (!adv) esc = "\xEF\xBF\xBD", el = 3, adv = 1; /* U+FFFD */
    }
    if (esc) {
      ra_buf_put(b, s + i - run, run);
      run = 0;
      ra_buf_put(b, esc, el);
    } else {
      run += adv;
    }
    i += adv;
  }
  ra_buf_put(b, s + n - run, run);
  ra_buf_put(b, "\"", 1);
}

/* ---------------------------------------------------------------- numbers */

void ra_buf_number(ra_buf *b, double d) {
  if (!isfinite(d)) {
    ra_buf_puts(b, "null"); /* JSON.stringify(NaN) */
    return;
  }
  if (d == 0) {
    ra_buf_puts(b, "0"); /* -0 too */
    return;
  }
  /* The shortest digits that read back as D (ECMAScript Number::toString step 5). */
  char e[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(e, sizeof e, "%.*e", prec - 1, d);
    if (strtod(e, NULL) == d) break;
  }
  /* e is "[-]d[.ddd]e[+-]x": split into sign, digits and exponent n (value = 0.DIGITS *
   * 10^n) and print as JavaScript does. */
  const char *p = e;
  char out[64];
  size_t o = 0;
  if (*p == '-') out[o++] = *p++;
  char digits[20];
  size_t k = 0;
  for (; *p && *p != 'e'; p++)
    if (*p != '.') digits[k++] = *p;
  while (k > 1 && digits[k - 1] == '0') k--;
  int n = atoi(p + 1) + 1;
  if ((int)k <= n && n <= 21) {
    memcpy(out + o, digits, k), o += k;
    for (int i = (int)k; i < n; i++) out[o++] = '0';
  } else if (0 < n && n <= 21) {
    memcpy(out + o, digits, (size_t)n), o += (size_t)n;
    out[o++] = '.';
    memcpy(out + o, digits + n, k - (size_t)n), o += k - (size_t)n;
  } else if (-6 < n && n <= 0) {
    out[o++] = '0', out[o++] = '.';
    for (int i = 0; i < -n; i++) out[o++] = '0';
    memcpy(out + o, digits, k), o += k;
  } else {
    out[o++] = digits[0];
    if (k > 1) {
      out[o++] = '.';
      memcpy(out + o, digits + 1, k - 1), o += k - 1;
    }
    o += (size_t)snprintf(out + o, sizeof out - o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
  }
  ra_buf_put(b, out, o);
}

/* ---------------------------------------------------------------- JSON -> msgpack */

typedef struct jrd {
  const uint8_t *p, *end;
  msgpack_packer *pk;
  const ref_span *att;
  size_t n_att;
  ra_buf tmp; /* unescaped strings */
} jrd;

static void ws(jrd *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static void put_cp(ra_buf *b, unsigned cp) {
  uint8_t u[4];
  ra_buf_put(b, u, json_utf8_put(cp, u));
}

/* Read a string at r->p (the opening quote) into r->tmp (reset first). */
static int read_string(jrd *r) {
  r->tmp.len = 0;
  if (r->p >= r->end || *r->p != '"') return REF_ERR_INVALID_JSON;
  r->p++;
  while (r->p < r->end && *r->p != '"') {
    const uint8_t *run = r->p;
    while (r->p < r->end && *r->p != '"' && *r->p != '\\') {
      if (*r->p < 0x20) return REF_ERR_INVALID_JSON;
      r->p++;
    }
    ra_buf_put(&r->tmp, run, (size_t)(r->p - run));
    if (r->p >= r->end || *r->p == '"') break;
    unsigned cp;
    size_t k = json_unescape_at(r->p, r->end, &cp);
    if (k == 0) return REF_ERR_INVALID_JSON;
    r->p += k;
    /* a lone surrogate stays as its 3-byte form */
    put_cp(&r->tmp, cp);
  }
  if (r->p >= r->end) return REF_ERR_INVALID_JSON;
  r->p++;
  return r->tmp.oom ? REF_ERR_OUT_OF_MEMORY : 0;
}

static int skip_value(jrd *r, int depth);

static int skip_container(jrd *r, int depth, uint8_t close, uint32_t *count) {
  *count = 0;
  r->p++;
  ws(r);
  if (r->p < r->end && *r->p == close) {
    r->p++;
    return 0;
  }
  for (;;) {
    int rc;
    ws(r);
    if (close == '}') {
      if ((rc = read_string(r)) != 0) return rc;
      ws(r);
      if (r->p >= r->end || *r->p != ':') return REF_ERR_INVALID_JSON;
      r->p++;
    }
    if ((rc = skip_value(r, depth + 1)) != 0) return rc;
    (*count)++;
    ws(r);
    if (r->p >= r->end) return REF_ERR_INVALID_JSON;
    if (*r->p == ',') {
      r->p++;
      continue;
    }
    if (*r->p != close) return REF_ERR_INVALID_JSON;
    r->p++;
    return 0;
  }
}

static int skip_value(jrd *r, int depth) {
  if (depth > RA_MAX_DEPTH) return REF_ERR_JSON_TOO_DEEP;
  ws(r);
  if (r->p >= r->end) return REF_ERR_INVALID_JSON;
  uint32_t n;
  switch (*r->p) {
  case '{':
    return skip_container(r, depth, '}', &n);
  case '[':
    return skip_container(r, depth, ']', &n);
  case '"':
    return read_string(r);
  default:
    while (r->p < r->end && (strchr("+-.0123456789eEtrufalsn", *r->p) != NULL)) r->p++;
    return 0;
  }
}

static int pack_value(jrd *r, int depth);

static int pack_number(jrd *r) {
  const uint8_t *s = r->p;
  bool integer = true;
  while (r->p < r->end && strchr("+-.0123456789eE", *r->p)) {
    if (*r->p == '.' || *r->p == 'e' || *r->p == 'E') integer = false;
    r->p++;
  }
  size_t n = (size_t)(r->p - s);
  if (n == 0 || n > 400) return REF_ERR_INVALID_JSON;
  char num[401];
  memcpy(num, s, n);
  num[n] = '\0';
  char *endp;
  if (integer) { /* exact when it fits: no detour through a double */
    if (num[0] == '-') {
      long long v = strtoll(num, &endp, 10);
      if (*endp == '\0' && v != LLONG_MIN) return msgpack_pack_int64(r->pk, v);
    } else {
      unsigned long long v = strtoull(num, &endp, 10);
      if (*endp == '\0' && v != ULLONG_MAX) return msgpack_pack_uint64(r->pk, v);
    }
  }
  double d = strtod(num, &endp);
  if (*endp != '\0') return REF_ERR_INVALID_JSON;
  /* notepack.io: Math.floor(v) === v (and finite) is an integer, whatever the text said */
  if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return d < 0 ? msgpack_pack_int64(r->pk, (int64_t)d) : msgpack_pack_uint64(r->pk, (uint64_t)d);
  return msgpack_pack_double(r->pk, d);
}

/* An object at r->p: a placeholder (its "_placeholder" is true) becomes the bin of its
 * attachment; any other a map. */
static int pack_object(jrd *r, int depth) {
  const uint8_t *start = r->p;
  uint32_t n;
  /* First pass: count the members and look for the placeholder's two members. */
  bool ph = false, num_ok = false;
  uint64_t num = 0;
  r->p++;
  ws(r);
  n = 0;
  if (r->p < r->end && *r->p == '}') {
    r->p++;
  } else {
    for (;;) {
      int rc;
      ws(r);
      if ((rc = read_string(r)) != 0) return rc;
      bool is_ph = r->tmp.len == 12 && memcmp(r->tmp.p, "_placeholder", 12) == 0;
      bool is_num = r->tmp.len == 3 && memcmp(r->tmp.p, "num", 3) == 0;
      ws(r);
      if (r->p >= r->end || *r->p != ':') return REF_ERR_INVALID_JSON;
      r->p++;
      ws(r);
      const uint8_t *v = r->p;
      if ((rc = skip_value(r, depth + 1)) != 0) return rc;
      size_t vl = (size_t)(r->p - v);
      if (is_ph) ph = vl == 4 && memcmp(v, "true", 4) == 0; /* the last one wins */
      if (is_num) {
        num_ok = vl > 0 && vl < 16;
        num = 0;
        for (size_t i = 0; num_ok && i < vl; i++) {
          num_ok = v[i] >= '0' && v[i] <= '9';
          num = num * 10 + (uint64_t)(v[i] - '0');
        }
      }
      n++;
      ws(r);
      if (r->p >= r->end) return REF_ERR_INVALID_JSON;
      if (*r->p == ',') {
        r->p++;
        continue;
      }
      if (*r->p != '}') return REF_ERR_INVALID_JSON;
      r->p++;
      break;
    }
  }
  if (ph) { /* RA-6: the bytes travel as a bin value, not as an attachment */
    if (!num_ok || num >= r->n_att) return REF_ERR_BAD_PLACEHOLDER;
    const ref_span *a = &r->att[num];
    if (msgpack_pack_bin(r->pk, a->len) != 0 || msgpack_pack_bin_body(r->pk, a->ptr, a->len) != 0)
      return REF_ERR_OUT_OF_MEMORY;
    return 0;
  }
  /* Second pass: pack the members. */
  const uint8_t *after = r->p;
  r->p = start + 1;
  if (msgpack_pack_map(r->pk, n) != 0) return REF_ERR_OUT_OF_MEMORY;
  for (uint32_t i = 0; i < n; i++) {
    int rc;
    ws(r);
    if ((rc = read_string(r)) != 0) return rc;
    if (msgpack_pack_str(r->pk, r->tmp.len) != 0 ||
        msgpack_pack_str_body(r->pk, r->tmp.p, r->tmp.len) != 0)
      return REF_ERR_OUT_OF_MEMORY;
    ws(r);
    r->p++; /* ':' */
    if ((rc = pack_value(r, depth + 1)) != 0) return rc;
    ws(r);
    r->p++; /* ',' or '}' */
  }
  r->p = after;
  return 0;
}

static int pack_array(jrd *r, int depth) {
  const uint8_t *start = r->p;
  uint32_t n;
  int rc = skip_container(r, depth, ']', &n);
  if (rc) return rc;
  const uint8_t *after = r->p;
  r->p = start + 1;
  if (msgpack_pack_array(r->pk, n) != 0) return REF_ERR_OUT_OF_MEMORY;
  for (uint32_t i = 0; i < n; i++) {
    if ((rc = pack_value(r, depth + 1)) != 0) return rc;
    ws(r);
    r->p++; /* ',' or ']' */
  }
  r->p = after;
  return 0;
}

static bool lit(jrd *r, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0) return false;
  r->p += n;
  return true;
}

static int pack_value(jrd *r, int depth) {
  if (depth > RA_MAX_DEPTH) return REF_ERR_JSON_TOO_DEEP;
  ws(r);
  if (r->p >= r->end) return REF_ERR_INVALID_JSON;
  int rc;
  switch (*r->p) {
  case '{':
    return pack_object(r, depth);
  case '[':
    return pack_array(r, depth);
  case '"':
    if ((rc = read_string(r)) != 0) return rc;
    if (msgpack_pack_str(r->pk, r->tmp.len) != 0 ||
        msgpack_pack_str_body(r->pk, r->tmp.p, r->tmp.len) != 0)
      return REF_ERR_OUT_OF_MEMORY;
    return 0;
  case 't':
    return lit(r, "true") ? (msgpack_pack_true(r->pk) ? REF_ERR_OUT_OF_MEMORY : 0)
                          : REF_ERR_INVALID_JSON;
  case 'f':
    return lit(r, "false") ? (msgpack_pack_false(r->pk) ? REF_ERR_OUT_OF_MEMORY : 0)
                           : REF_ERR_INVALID_JSON;
  case 'n':
    return lit(r, "null") ? (msgpack_pack_nil(r->pk) ? REF_ERR_OUT_OF_MEMORY : 0)
                          : REF_ERR_INVALID_JSON;
  default:
    if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) return pack_number(r);
    return REF_ERR_INVALID_JSON;
  }
}

int ra_json_to_msgpack(msgpack_packer *pk, const uint8_t *json, size_t len, const ref_span *att,
                       size_t n_att) {
  if (!pk || (!json && len) || (n_att && !att)) return REF_ERR_INVALID_ARGUMENT;
  jrd r = {json, json + len, pk, att, n_att, {0}};
  int rc = pack_value(&r, 1);
  ws(&r);
  if (rc == 0 && r.p != r.end) rc = REF_ERR_INVALID_JSON;
  if (rc == 0 && r.tmp.oom) rc = REF_ERR_OUT_OF_MEMORY;
  ra_buf_free(&r.tmp);
  return rc;
}

/* ---------------------------------------------------------------- msgpack bounds */

static uint64_t be(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v = (v << 8) | p[i];
  return v;
}

bool ra_msgpack_bounded(const uint8_t *p, size_t len) {
  size_t pos = 0;
  uint64_t pending = 1; /* values still to read; each takes at least one byte */
  while (pending) {
    if (pos >= len || pending > len - pos) return false;
    uint8_t t = p[pos++];
    pending--;
    size_t left = len - pos;
    uint64_t body = 0, items = 0;
    int hdr = 0; /* bytes of length after the type byte */
    if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
      /* fixint, nil, false, true */
    } else if (t >= 0x80 && t <= 0x8f) {
      items = 2u * (t & 0x0f);
    } else if (t >= 0x90 && t <= 0x9f) {
      items = t & 0x0f;
    } else if (t >= 0xa0 && t <= 0xbf) {
      body = t & 0x1f;
    } else {
      switch (t) {
      case 0xc4:
      case 0xd9:
        hdr = 1;
        break; /* bin8, str8 */
      case 0xc5:
      case 0xda:
        hdr = 2;
        break; /* bin16, str16 */
      case 0xc6:
      case 0xdb:
        hdr = 4;
        break; /* bin32, str32 */
      case 0xc7:
        hdr = 1, body = 1;
        break; /* ext8: + type byte */
      case 0xc8:
        hdr = 2, body = 1;
        break;
      case 0xc9:
        hdr = 4, body = 1;
        break;
      case 0xca:
        body = 4;
        break; /* float32 */
      case 0xcb:
        body = 8;
        break;
      case 0xcc:
      case 0xd0:
        body = 1;
        break;
      case 0xcd:
      case 0xd1:
        body = 2;
        break;
      case 0xce:
      case 0xd2:
        body = 4;
        break;
      case 0xcf:
      case 0xd3:
        body = 8;
        break;
      case 0xd4:
        body = 2;
        break; /* fixext1..16: type + data */
      case 0xd5:
        body = 3;
        break;
      case 0xd6:
        body = 5;
        break;
      case 0xd7:
        body = 9;
        break;
      case 0xd8:
        body = 17;
        break;
      case 0xdc:
        if (left < 2) return false;
        items = be(p + pos, 2), pos += 2;
        break;
      case 0xdd:
        if (left < 4) return false;
        items = be(p + pos, 4), pos += 4;
        break;
      case 0xde:
        if (left < 2) return false;
        items = 2 * be(p + pos, 2), pos += 2;
        break;
      case 0xdf:
        if (left < 4) return false;
        items = 2 * be(p + pos, 4), pos += 4;
        break;
      default:
        return false; /* 0xc1, never used */
      }
    }
    if (hdr) {
      if (left < (size_t)hdr) return false;
      body += be(p + pos, hdr);
      pos += (size_t)hdr;
    }
    if (body > len - pos) return false;
    pos += (size_t)body;
    pending += items;
  }
  return pos == len;
}

/* ---------------------------------------------------------------- msgpack -> JSON */

/* The MessagePack timestamp extension (type -1) as Date.prototype.toJSON writes it. */
static void put_timestamp(ra_buf *out, const msgpack_object_ext *e) {
  const uint8_t *p = (const uint8_t *)e->ptr;
  int64_t sec;
  uint32_t ns = 0;
  if (e->size == 4) {
    sec = (int64_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
  } else if (e->size == 8) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    ns = (uint32_t)(v >> 34);
    sec = (int64_t)(v & 0x3FFFFFFFFull);
  } else if (e->size == 12) {
    uint64_t s = 0;
    ns = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    for (int i = 4; i < 12; i++) s = (s << 8) | p[i];
    sec = (int64_t)s;
  } else {
    ra_buf_puts(out, "null");
    return;
  }
  time_t t = (time_t)sec;
  struct tm tm;
  if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
    ra_buf_puts(out, "null"); /* toJSON of a date outside what ISO strings hold here */
    return;
  }
  char s[40];
  int n = snprintf(s, sizeof s, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03uZ\"", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns / 1000000u);
  ra_buf_put(out, s, (size_t)n);
}

static int to_json(const msgpack_object *o, ra_buf *out, ra_bins *bins, int depth) {
  if (depth > RA_MAX_DEPTH) return REF_ERR_JSON_TOO_DEEP;
  char num[32];
  switch (o->type) {
  case MSGPACK_OBJECT_NIL:
    ra_buf_puts(out, "null");
    break;
  case MSGPACK_OBJECT_BOOLEAN:
    ra_buf_puts(out, o->via.boolean ? "true" : "false");
    break;
  case MSGPACK_OBJECT_POSITIVE_INTEGER:
    ra_buf_put(out, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64));
    break;
  case MSGPACK_OBJECT_NEGATIVE_INTEGER:
    ra_buf_put(out, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)o->via.i64));
    break;
  case MSGPACK_OBJECT_FLOAT32:
  case MSGPACK_OBJECT_FLOAT64:
    ra_buf_number(out, o->via.f64);
    break;
  case MSGPACK_OBJECT_STR:
    ra_buf_json_string(out, o->via.str.ptr, o->via.str.size);
    break;
  case MSGPACK_OBJECT_BIN: {
    if (bins->n == bins->cap) {
      size_t cap = bins->cap ? bins->cap * 2 : 4;
      ref_span *v = realloc(bins->v, cap * sizeof *v);
      if (!v) return REF_ERR_OUT_OF_MEMORY;
      bins->v = v;
      bins->cap = cap;
    }
    bins->v[bins->n].ptr = (const uint8_t *)o->via.bin.ptr;
    bins->v[bins->n].len = o->via.bin.size;
    /* SIO-BIN: placeholders in document order, as socket.io-parser's deconstruction */
    ra_buf_put(out, num,
               (size_t)snprintf(num, sizeof num, "{\"_placeholder\":true,\"num\":%zu}", bins->n));
    bins->n++;
    break;
  }
  case MSGPACK_OBJECT_ARRAY:
    ra_buf_put(out, "[", 1);
    for (uint32_t i = 0; i < o->via.array.size; i++) {
      if (i) ra_buf_put(out, ",", 1);
      int rc = to_json(&o->via.array.ptr[i], out, bins, depth + 1);
      if (rc) return rc;
    }
    ra_buf_put(out, "]", 1);
    break;
  case MSGPACK_OBJECT_MAP:
    ra_buf_put(out, "{", 1);
    for (uint32_t i = 0; i < o->via.map.size; i++) {
      const msgpack_object *k = &o->via.map.ptr[i].key;
      if (i) ra_buf_put(out, ",", 1);
      if (k->type == MSGPACK_OBJECT_STR) {
        ra_buf_json_string(out, k->via.str.ptr, k->via.str.size);
      } else if (k->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
                 k->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        ra_buf_put(out, "\"", 1);
        int rc = to_json(k, out, bins, depth + 1);
        if (rc) return rc;
        ra_buf_put(out, "\"", 1);
      } else {
        return REF_ERR_BAD_MSGPACK;
      }
      ra_buf_put(out, ":", 1);
      int rc = to_json(&o->via.map.ptr[i].val, out, bins, depth + 1);
      if (rc) return rc;
    }
    ra_buf_put(out, "}", 1);
    break;
  case MSGPACK_OBJECT_EXT:
    if (o->via.ext.type == -1)
      put_timestamp(out, &o->via.ext);
    else
      ra_buf_puts(out, "null");
    break;
  default:
    return REF_ERR_BAD_MSGPACK;
  }
  return out->oom ? REF_ERR_OUT_OF_MEMORY : 0;
}

int ra_msgpack_to_json(const msgpack_object *o, ra_buf *out, ra_bins *bins) {
  if (!o || !out || !bins) return REF_ERR_INVALID_ARGUMENT;
  return to_json(o, out, bins, 1);
}
