/* wire_http: response and request heads (truncation, version, status, obs-fold,
 * header limits, lookup and tokens), body framing (no body, chunked, Content-Length,
 * until close, bad lengths) and the chunk decoder. */
#include <criterion/criterion.h>

#include "wire_http.h"
#include "wire_test_util.h"

static wire_err resp(const char *s, wire_http_head *h) {
  return wire_http_response_head((const unsigned char *)s, strlen(s), h);
}
static wire_err req(const char *s, wire_http_head *h) {
  return wire_http_request_head((const unsigned char *)s, strlen(s), h);
}
static int span_eq(const wire_span *s, const char *want) {
  return s && s->len == strlen(want) && memcmp(s->p, want, s->len) == 0;
}

Test(wire_http, response_head_fields) {
  wire_http_head h;
  const char *s = "HTTP/1.1 200 OK\r\nContent-Type:  text/plain \t\r\nX-Empty:\r\n"
                  "Content-Length: 2\r\n\r\nok";
  cr_assert_eq(resp(s, &h), WIRE_OK);
  cr_assert_eq(h.status, 200);
  cr_assert_eq(h.head_len, strlen(s) - 2);
  cr_assert_eq(h.nhdr, 3);
  cr_assert(span_eq(&h.name[0], "Content-Type"));
  cr_assert(span_eq(wire_http_find(&h, "content-type"), "text/plain"));
  cr_assert(span_eq(wire_http_find(&h, "X-EMPTY"), ""));
  cr_assert_null(wire_http_find(&h, "X-None"));
  cr_assert_null(wire_http_find(&h, "Content")); /* whole names only */
}

Test(wire_http, response_head_every_truncation_needs_more) {
  const char *s = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  size_t n = strlen(s);
  wire_http_head h;
  for (size_t cut = 0; cut < n; cut++) {
    unsigned char *b = exact(s, cut);
    cr_assert_eq(wire_http_response_head(b, cut, &h), WIRE_MORE, "cut %zu", cut);
    free(b);
  }
  unsigned char *b = exact(s, n);
  cr_assert_eq(wire_http_response_head(b, n, &h), WIRE_OK);
  cr_assert_eq(h.head_len, n);
  free(b);
}

Test(wire_http, response_head_errors) {
  wire_http_head h;
  cr_assert_eq(resp("SSH-2.0-OpenSSH\r\n", &h), WIRE_E_HTTP_VERSION); /* judged at 5 bytes */
  cr_assert_eq(resp("HTTX", &h), WIRE_MORE);                          /* not yet */
  cr_assert_eq(resp("HTTP/1.1 2x0 OK\r\n\r\n", &h), WIRE_E_HTTP_STATUS);
  cr_assert_eq(resp("HTTP/1.1 20\r\n\r\n", &h), WIRE_E_HTTP_STATUS);
  cr_assert_eq(resp("HTTP/1.1\r\n\r\n", &h), WIRE_E_HTTP_STATUS);
  cr_assert_eq(resp("\r\n\r\n", &h), WIRE_E_HTTP_VERSION);
  cr_assert_eq(resp("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", &h), WIRE_E_HTTP_OBS_FOLD);
  cr_assert_eq(resp("HTTP/1.1 200 OK\r\n\tX-A: 1\r\n\r\n", &h), WIRE_E_HTTP_OBS_FOLD);
}

Test(wire_http, header_without_colon_skipped_and_limit) {
  wire_http_head h;
  cr_assert_eq(resp("HTTP/1.1 200 OK\r\nnonsense\r\nA: b\r\n\r\n", &h), WIRE_OK);
  cr_assert_eq(h.nhdr, 1);
  cr_assert(span_eq(wire_http_find(&h, "a"), "b"));
  char big[8192] = "HTTP/1.1 204 No Content\r\n";
  for (int i = 0; i < WIRE_HTTP_MAX_HEADERS + 3; i++)
    snprintf(big + strlen(big), sizeof big - strlen(big), "H%d: v\r\n", i);
  strcat(big, "\r\n");
  cr_assert_eq(resp(big, &h), WIRE_OK);
  cr_assert_eq(h.nhdr, WIRE_HTTP_MAX_HEADERS);
  cr_assert_eq(h.dropped, 3);
}

Test(wire_http, has_token) {
  wire_http_head h;
  cr_assert_eq(resp("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close \r\nConnection: x\r\n"
                    "Vary: ,,\r\n\r\n",
                    &h),
               WIRE_OK);
  cr_assert(wire_http_has_token(&h, "connection", "close"));
  cr_assert(wire_http_has_token(&h, "Connection", "KEEP-ALIVE"));
  cr_assert(wire_http_has_token(&h, "Connection", "x"));
  cr_assert(!wire_http_has_token(&h, "Connection", "clos"));
  cr_assert(!wire_http_has_token(&h, "Vary", ""));
}

Test(wire_http, request_head) {
  wire_http_head h;
  const char *s = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\nrest";
  cr_assert_eq(req(s, &h), WIRE_OK);
  cr_assert(span_eq(&h.method, "GET"));
  cr_assert(span_eq(&h.target, "/socket.io/?EIO=4&transport=polling"));
  cr_assert_eq(h.head_len, strlen(s) - 4);
  cr_assert(span_eq(wire_http_find(&h, "host"), "x"));
  for (size_t cut = 0; cut < strlen(s) - 4; cut++) {
    unsigned char *b = exact(s, cut);
    cr_assert_eq(wire_http_request_head(b, cut, &h), WIRE_MORE, "cut %zu", cut);
    free(b);
  }
  cr_assert_eq(req("GET / HTTP/1.0\r\n\r\n", &h), WIRE_OK);
  cr_assert_eq(req("GET /\r\n\r\n", &h), WIRE_E_HTTP_REQUEST_LINE);
  cr_assert_eq(req(" / HTTP/1.1\r\n\r\n", &h), WIRE_E_HTTP_REQUEST_LINE);
  cr_assert_eq(req("GET  HTTP/1.1\r\n\r\n", &h), WIRE_E_HTTP_REQUEST_LINE);
  cr_assert_eq(req("GET / HTTP/2.0\r\n\r\n", &h), WIRE_E_HTTP_REQUEST_LINE);
  cr_assert_eq(req("GET / HTTP/1.1 x\r\n\r\n", &h), WIRE_E_HTTP_REQUEST_LINE);
  cr_assert_eq(req("GET / HTTP/1.1\r\n folded\r\n\r\n", &h), WIRE_E_HTTP_OBS_FOLD);
}

static wire_body body_of(const char *head, uint64_t *len, wire_err *e) {
  wire_http_head h;
  cr_assert_eq(resp(head, &h), WIRE_OK);
  wire_body k = WIRE_BODY_CLOSE;
  *e = wire_http_response_body(&h, &k, len);
  return k;
}

Test(wire_http, body_framing) {
  uint64_t n;
  wire_err e;
  cr_assert_eq(body_of("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", &n, &e), WIRE_BODY_LENGTH);
  cr_assert(e == WIRE_OK && n == 12);
  cr_assert_eq(body_of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &n, &e), WIRE_BODY_LENGTH);
  cr_assert(e == WIRE_OK && n == 0);
  /* chunked wins over Content-Length (RFC 9112 section 6.3) */
  cr_assert_eq(
      body_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", &n, &e),
      WIRE_BODY_CHUNKED);
  cr_assert_eq(body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &n, &e),
               WIRE_BODY_CHUNKED);
  cr_assert_eq(body_of("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", &n, &e), WIRE_BODY_CLOSE);
  cr_assert_eq(body_of("HTTP/1.1 101 Switching\r\nContent-Length: 5\r\n\r\n", &n, &e),
               WIRE_BODY_NONE);
  cr_assert_eq(body_of("HTTP/1.1 204 No Content\r\n\r\n", &n, &e), WIRE_BODY_NONE);
  cr_assert_eq(body_of("HTTP/1.1 304 Not Modified\r\n\r\n", &n, &e), WIRE_BODY_NONE);
  const char *bad[] = {"abc", "-1", "1 2", "", "+5", "1234567890123456"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char head[128];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n", bad[i]);
    body_of(head, &n, &e);
    cr_assert_eq(e, WIRE_E_HTTP_CONTENT_LENGTH, "Content-Length: %s", bad[i]);
  }
}

/* Decode a whole chunked body into OUT; returns the last result. */
static wire_err dechunk(const char *s, size_t len, char *out, size_t *used_all) {
  size_t pos = 0, o = 0;
  for (;;) {
    wire_span d;
    size_t used;
    unsigned char *b = exact(s + pos, len - pos);
    wire_err e = wire_http_chunk(b, len - pos, &d, &used);
    if (e == WIRE_OK) {
      if (d.len) memcpy(out + o, d.p, d.len);
      o += d.len;
      out[o] = 0;
    }
    free(b);
    if (e != WIRE_OK) return e;
    pos += used;
    if (d.len == 0) {
      *used_all = pos;
      return WIRE_OK;
    }
  }
}

Test(wire_http, chunked_body) {
  const char *s =
      "4\r\n{\"co\r\n6;ext=1\r\nde\":1}\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  char out[64];
  size_t used = 0;
  cr_assert_eq(dechunk(s, strlen(s), out, &used), WIRE_OK);
  cr_assert_str_eq(out, "{\"code\":1}0123456789");
  cr_assert_eq(used, strlen(s) - 4);
  size_t n = strlen(s) - 4;
  for (size_t cut = 0; cut < n; cut++)
    cr_assert_eq(dechunk(s, cut, out, &used), WIRE_MORE, "cut %zu", cut);
}

Test(wire_http, chunk_errors) {
  char out[64];
  size_t used;
  cr_assert_eq(dechunk("zz\r\n", 4, out, &used), WIRE_E_HTTP_CHUNK);
  cr_assert_eq(dechunk("z", 1, out, &used), WIRE_E_HTTP_CHUNK); /* judged before the CRLF */
  cr_assert_eq(dechunk("\r\n", 2, out, &used), WIRE_E_HTTP_CHUNK);
  cr_assert_eq(dechunk("-1\r\n", 4, out, &used), WIRE_E_HTTP_CHUNK);
  cr_assert_eq(dechunk("3\r\nabcX\r\n", 9, out, &used), WIRE_E_HTTP_CHUNK);
  /* sizes that would overflow, or over 2^48, are refused, not trusted */
  cr_assert_eq(dechunk("ffffffffffffffff\r\n", 18, out, &used), WIRE_E_HTTP_CHUNK);
  cr_assert_eq(dechunk("1000000000000\r\n", 15, out, &used), WIRE_E_HTTP_CHUNK);
  cr_assert_eq(dechunk("fffffffffff\r\nab", 15, out, &used), WIRE_MORE); /* legal, not there */
}

Test(wire_http, random_input_stays_in_bounds) {
  uint64_t seed = 7;
  const char alphabet[] = "HTP/1. 0239\r\n:;a-fchunkedContent-Length";
  unsigned char tmp[96];
  for (int i = 0; i < 20000; i++) {
    size_t n = test_rand(&seed) % sizeof tmp;
    for (size_t j = 0; j < n; j++)
      tmp[j] = (unsigned char)alphabet[test_rand(&seed) % (sizeof alphabet - 1)];
    if (n >= 5 && (i & 1)) memcpy(tmp, "HTTP/", 5);
    unsigned char *b = exact(tmp, n);
    wire_http_head h;
    wire_err e = wire_http_response_head(b, n, &h);
    if (e == WIRE_OK) {
      cr_assert_leq(h.head_len, n);
      wire_body k;
      uint64_t len;
      (void)wire_http_response_body(&h, &k, &len);
    }
    e = wire_http_request_head(b, n, &h);
    if (e == WIRE_OK) cr_assert_leq(h.head_len, n);
    wire_span d;
    size_t used;
    e = wire_http_chunk(b, n, &d, &used);
    if (e == WIRE_OK) cr_assert_leq(used, n);
    free(b);
  }
}
