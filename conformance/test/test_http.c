/* Unit tests for the harness's HTTP/1.1 response parser: Content-Length, chunked and
 * read-until-close bodies, partial input, header lookup, and garbage. */
#include <criterion/criterion.h>
#include <string.h>

#include "ct_http.h"

static int parse(const char *s, int eof, ct_http_resp *r) {
  return ct_http_parse((const unsigned char *)s, strlen(s), eof, 0, r);
}

Test(http, content_length) {
  ct_http_resp r;
  const char *s = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
  cr_assert_eq(parse(s, 0, &r), 1);
  cr_assert_eq(r.status, 200);
  cr_assert_str_eq((char *)r.body.data, "ok");
  cr_assert_str_eq(ct_http_header(&r, "content-type"), "text/plain");
  cr_assert_null(ct_http_header(&r, "X-None"));
  ct_http_resp_free(&r);
}

Test(http, partial_needs_more) {
  ct_http_resp r;
  const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab";
  cr_assert_eq(parse(s, 0, &r), 0);
  cr_assert_eq(parse(s, 1, &r), -1); /* the peer closed early */
  cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Len", 0, &r), 0);
}

Test(http, chunked) {
  ct_http_resp r;
  const char *s = "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "4\r\n{\"co\r\n6\r\nde\":1}\r\n0\r\n\r\n";
  cr_assert_eq(parse(s, 0, &r), 1);
  cr_assert_eq(r.status, 400);
  cr_assert_str_eq((char *)r.body.data, "{\"code\":1}");
  ct_http_resp_free(&r);
  cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab", 0, &r), 0);
}

Test(http, until_close_and_head_only) {
  ct_http_resp r;
  const char *s = "HTTP/1.1 200 OK\r\n\r\nall of it";
  cr_assert_eq(parse(s, 0, &r), 0);
  cr_assert_eq(parse(s, 1, &r), 1);
  cr_assert_str_eq((char *)r.body.data, "all of it");
  ct_http_resp_free(&r);
  const char *u = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x01x";
  cr_assert_eq(ct_http_parse((const unsigned char *)u, strlen(u), 0, 1, &r), 1);
  cr_assert_eq(r.status, 101);
  cr_assert_eq(r.head_len, strlen(u) - 3);
  ct_http_resp_free(&r);
}

Test(http, garbage) {
  ct_http_resp r;
  cr_assert_eq(parse("SSH-2.0-OpenSSH\r\n\r\n", 0, &r), -1);
  cr_assert_eq(parse("HTTP/1.1 2x0 OK\r\n\r\n", 0, &r), -1);
}

Test(http, build_request) {
  ct_buf b = {0};
  ct_http_req req = {.method = "POST",
                     .target = "/e/?sid=1",
                     .headers = "X-A: b\r\n",
                     .body = (const unsigned char *)"4hi",
                     .body_len = 3};
  ct_http_build(&b, "127.0.0.1", 80, &req);
  cr_assert_str_eq((char *)b.data, "POST /e/?sid=1 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"
                                   "Connection: close\r\nX-A: b\r\nContent-Length: 3\r\n\r\n4hi");
  ct_buf_free(&b);
}
