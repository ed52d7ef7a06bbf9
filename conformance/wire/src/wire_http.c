/* HTTP/1.1 heads (RFC 9112 sections 2-5) and body framing (section 6-7). The parser is
 * deliberately permissive where a harness wants to read what a server sent (no limit on
 * the head, header lines without a colon skipped) and strict only where reading on
 * would mean guessing: obs-fold, lengths that are not numbers, chunk sizes. */
#include "wire_http.h"

#include <string.h>

static const unsigned char *find_crlfcrlf(const unsigned char *b, size_t len) {
  for (size_t i = 0; i + 3 < len; i++)
    if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return b + i;
  return NULL;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int span_ieq(const unsigned char *p, size_t n, const char *s) {
  size_t sl = strlen(s);
  if (sl != n) return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(p[i]) != lower((unsigned char)s[i])) return 0;
  return 1;
}

/* Header lines from LINE up to END (the first byte of the final CRLFCRLF + 2, i.e. the
 * CRLF that ends the last header line). */
static wire_err header_lines(const unsigned char *line, const unsigned char *end,
                             wire_http_head *h) {
  while (line < end) {
    const unsigned char *eol = line;
    while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n')) eol++;
    if (eol + 1 >= end) eol = end; /* cannot happen: END ends in CRLF */
    if (line[0] == ' ' || line[0] == '\t') return WIRE_E_HTTP_OBS_FOLD;
    const unsigned char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon) {
      if (h->nhdr < WIRE_HTTP_MAX_HEADERS) {
        const unsigned char *v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t')) v++;
        const unsigned char *ve = eol;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
        h->name[h->nhdr] = (wire_span){line, (size_t)(colon - line)};
        h->value[h->nhdr] = (wire_span){v, (size_t)(ve - v)};
        h->nhdr++;
      } else {
        h->dropped++;
      }
    }
    line = eol + 2;
  }
  return WIRE_OK;
}

wire_err wire_http_response_head(const unsigned char *buf, size_t len, wire_http_head *h) {
  memset(h, 0, sizeof *h);
  /* judged on 5 bytes only: fewer may still become "HTTP/" */
  if (len >= 5 && memcmp(buf, "HTTP/", 5) != 0) return WIRE_E_HTTP_VERSION;
  const unsigned char *end = find_crlfcrlf(buf, len);
  if (!end) return WIRE_MORE;
  size_t head_len = (size_t)(end - buf) + 4;
  if (head_len < 5 + 4) return WIRE_E_HTTP_VERSION; /* "HTTP/" cut by the empty line */
  const unsigned char *sp = memchr(buf, ' ', (size_t)(end - buf));
  if (!sp || sp + 4 > end) return WIRE_E_HTTP_STATUS;
  int status = 0;
  for (int i = 1; i <= 3; i++) {
    if (sp[i] < '0' || sp[i] > '9') return WIRE_E_HTTP_STATUS;
    status = status * 10 + (sp[i] - '0');
  }
  const unsigned char *nl = memchr(buf, '\n', (size_t)(end - buf) + 2);
  wire_err e = header_lines(nl + 1, end + 2, h);
  if (e != WIRE_OK) return e;
  h->status = status;
  h->head_len = head_len;
  return WIRE_OK;
}

wire_err wire_http_request_head(const unsigned char *buf, size_t len, wire_http_head *h) {
  memset(h, 0, sizeof *h);
  const unsigned char *end = find_crlfcrlf(buf, len);
  if (!end) return WIRE_MORE;
  const unsigned char *eol = buf;
  while (!(eol[0] == '\r' && eol[1] == '\n')) eol++; /* stops at END at the latest */
  const unsigned char *sp1 = memchr(buf, ' ', (size_t)(eol - buf));
  if (!sp1 || sp1 == buf) return WIRE_E_HTTP_REQUEST_LINE;
  const unsigned char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
  if (!sp2 || sp2 == sp1 + 1) return WIRE_E_HTTP_REQUEST_LINE;
  const unsigned char *v = sp2 + 1;
  if (eol - v != 8 || memcmp(v, "HTTP/1.", 7) != 0 || v[7] < '0' || v[7] > '9')
    return WIRE_E_HTTP_REQUEST_LINE;
  wire_err e = header_lines(eol + 2, end + 2, h);
  if (e != WIRE_OK) return e;
  h->method = (wire_span){buf, (size_t)(sp1 - buf)};
  h->target = (wire_span){sp1 + 1, (size_t)(sp2 - sp1 - 1)};
  h->head_len = (size_t)(end - buf) + 4;
  return WIRE_OK;
}

const wire_span *wire_http_find(const wire_http_head *h, const char *name) {
  for (size_t i = 0; i < h->nhdr; i++)
    if (span_ieq(h->name[i].p, h->name[i].len, name)) return &h->value[i];
  return NULL;
}

int wire_http_has_token(const wire_http_head *h, const char *name, const char *token) {
  for (size_t i = 0; i < h->nhdr; i++) {
    if (!span_ieq(h->name[i].p, h->name[i].len, name)) continue;
    const unsigned char *p = h->value[i].p, *end = p + h->value[i].len;
    while (p < end) {
      while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
      const unsigned char *e = p;
      while (e < end && *e != ',') e++;
      const unsigned char *te = e;
      while (te > p && (te[-1] == ' ' || te[-1] == '\t')) te--;
      if (te > p && span_ieq(p, (size_t)(te - p), token)) return 1;
      p = e;
    }
  }
  return 0;
}

/* Does span S contain the bytes of NEEDLE (case-sensitive, as the harness always did)? */
static int span_has(wire_span s, const char *needle) {
  size_t nl = strlen(needle);
  for (size_t i = 0; i + nl <= s.len; i++)
    if (memcmp(s.p + i, needle, nl) == 0) return 1;
  return 0;
}

wire_err wire_http_response_body(const wire_http_head *h, wire_body *kind, uint64_t *length) {
  *length = 0;
  int st = h->status;
  if ((st >= 100 && st < 200) || st == 204 || st == 304) {
    *kind = WIRE_BODY_NONE;
    return WIRE_OK;
  }
  const wire_span *te = wire_http_find(h, "Transfer-Encoding");
  if (te && span_has(*te, "chunked")) {
    *kind = WIRE_BODY_CHUNKED;
    return WIRE_OK;
  }
  const wire_span *cl = wire_http_find(h, "Content-Length");
  if (!cl) {
    *kind = WIRE_BODY_CLOSE;
    return WIRE_OK;
  }
  /* 1*DIGIT; 15 digits keep any value far from overflow and above any real body */
  if (cl->len == 0 || cl->len > 15) return WIRE_E_HTTP_CONTENT_LENGTH;
  uint64_t n = 0;
  for (size_t i = 0; i < cl->len; i++) {
    if (cl->p[i] < '0' || cl->p[i] > '9') return WIRE_E_HTTP_CONTENT_LENGTH;
    n = n * 10 + (uint64_t)(cl->p[i] - '0');
  }
  *kind = WIRE_BODY_LENGTH;
  *length = n;
  return WIRE_OK;
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = (unsigned char)lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* The offset of the CRLF at or after POS in P/LEN, or LEN when there is none yet. */
static size_t find_crlf(const unsigned char *p, size_t len, size_t pos) {
  for (size_t i = pos; i + 1 < len; i++)
    if (p[i] == '\r' && p[i + 1] == '\n') return i;
  return len;
}

wire_err wire_http_chunk(const unsigned char *p, size_t len, wire_span *data, size_t *used) {
  *data = (wire_span){NULL, 0};
  *used = 0;
  size_t eol = find_crlf(p, len, 0);
  /* the size is judged as soon as it is there, so garbage fails without waiting */
  uint64_t sz = 0;
  size_t i = 0;
  for (; i < eol && hexval(p[i]) >= 0; i++) {
    if (i >= 12) return WIRE_E_HTTP_CHUNK; /* over 2^48 bytes: not a real chunk */
    sz = sz << 4 | (uint64_t)hexval(p[i]);
  }
  if (i == 0 && eol > 0) return WIRE_E_HTTP_CHUNK;
  if (eol == len) return WIRE_MORE;
  if (i == 0) return WIRE_E_HTTP_CHUNK; /* an empty size line */
  /* after the digits: chunk extensions (";name=value"), ignored */
  size_t pos = eol + 2;
  if (sz == 0) {
    /* trailer lines are ignored: skip lines up to the empty one */
    for (;;) {
      size_t j = find_crlf(p, len, pos);
      if (j == len) return WIRE_MORE;
      int empty = j == pos;
      pos = j + 2;
      if (empty) break;
    }
    *used = pos;
    return WIRE_OK;
  }
  if ((uint64_t)(len - pos) < sz + 2) return WIRE_MORE;
  if (p[pos + sz] != '\r' || p[pos + sz + 1] != '\n') return WIRE_E_HTTP_CHUNK;
  *data = (wire_span){p + pos, (size_t)sz};
  *used = pos + (size_t)sz + 2;
  return WIRE_OK;
}
