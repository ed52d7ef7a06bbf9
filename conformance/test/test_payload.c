/* Unit tests for the large-payload helpers (exact-length UTF-8 and binary fills, the
 * base64 size fit, the first-difference diff and its report, the Socket.IO JSON split)
 * and for keep-alive response framing: two responses back to back on one connection,
 * Connection tokens. No network, no sleep. */
#include <criterion/criterion.h>
#include <string.h>

#include "ct_http.h"
#include "ct_payload.h"

Test(payload, fill_text_exact_and_utf8) {
  /* "a" (1) + "é" (2) + "€" (3) + "😀" (4) = 10 bytes per unit */
  const char *unit = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  for (size_t n = 0; n < 40; n++) {
    ct_buf b = {0};
    ct_fill_text(&b, unit, n);
    cr_assert_eq(b.len, n);
    if (n) cr_assert(ct_utf8_valid(b.data, b.len), "n=%zu", n);
    ct_buf_free(&b);
  }
  ct_buf b = {0};
  ct_fill_text(&b, unit, 65536);
  cr_assert_eq(b.len, 65536);
  cr_assert(ct_utf8_valid(b.data, b.len));
  cr_assert_eq(memcmp(b.data, unit, 10), 0);
  cr_assert_eq(b.data[65535], 'a'); /* 6 bytes of padding after 6553 units */
  ct_buf_free(&b);
  ct_fill_text(&b, NULL, 3);
  cr_assert_str_eq((char *)b.data, "aaa");
  ct_buf_free(&b);
}

Test(payload, fill_binary_deterministic) {
  ct_buf a = {0}, b = {0}, c = {0};
  ct_fill_binary(&a, 10000, 1);
  ct_fill_binary(&b, 10000, 1);
  ct_fill_binary(&c, 10000, 2);
  cr_assert_eq(a.len, 10000);
  cr_assert_eq(memcmp(a.data, b.data, a.len), 0);
  cr_assert_neq(memcmp(a.data, c.data, a.len), 0);
  int seen[256] = {0}, kinds = 0;
  for (size_t i = 0; i < a.len; i++) kinds += !seen[a.data[i]]++;
  cr_assert_eq(kinds, 256);
  /* a block dropped in the middle is found where it was dropped */
  ct_buf d = {0};
  ct_buf_add(&d, a.data, 5000);
  ct_buf_add(&d, a.data + 5100, 4900);
  cr_assert_eq(ct_first_diff(a.data, a.len, d.data, d.len), 5000);
  ct_buf_free(&a);
  ct_buf_free(&b);
  ct_buf_free(&c);
  ct_buf_free(&d);
}

Test(payload, b64_fit) {
  cr_assert_eq(ct_b64_fit(4), 0);
  cr_assert_eq(ct_b64_fit(5), 3); /* "b" + 4 chars */
  cr_assert_eq(ct_b64_fit(8), 3);
  cr_assert_eq(ct_b64_fit(9), 6);
  for (long body = 5; body < 2000; body++) {
    size_t n = ct_b64_fit(body);
    cr_assert_leq(1 + 4 * ((n + 2) / 3), (size_t)body);
    cr_assert_gt(1 + 4 * ((n + 3 + 2) / 3), (size_t)body); /* the next size does not fit */
  }
  cr_assert_eq(ct_b64_fit(1000000 - 1024), 749229); /* body 998973 */
}

Test(payload, first_diff) {
  cr_assert_eq(ct_first_diff("abc", 3, "abc", 3), -1);
  cr_assert_eq(ct_first_diff("abc", 3, "abd", 3), 2);
  cr_assert_eq(ct_first_diff("abc", 3, "ab", 2), 2);
  cr_assert_eq(ct_first_diff("", 0, "x", 1), 0);
  cr_assert_eq(ct_first_diff("", 0, "", 0), -1);
}

Test(payload, diff_describe_names_lengths_and_offset) {
  ct_buf full = {0}, cut = {0}, e = {0}, a = {0}, why = {0};
  ct_fill_text(&full, "xyz", 70000);
  ct_buf_add(&cut, full.data, 32768);
  ct_diff_describe(full.data, full.len, 0, cut.data, cut.len, 0, &e, &a, &why);
  cr_assert_str_eq((char *)why.data,
                   "got 32768 bytes where 70000 were expected; first difference at byte 32768");
  cr_assert(strstr((char *)e.data, "70000 bytes of text; from byte 32752: "));
  cr_assert(strstr((char *)a.data, "32768 bytes of text; from byte 32752: "));
  ct_buf_reset(&e);
  ct_buf_reset(&a);
  ct_buf_reset(&why);
  unsigned char x[4] = {1, 2, 3, 4}, y[4] = {1, 2, 9, 4};
  ct_diff_describe(x, 4, 1, y, 4, 1, &e, &a, &why);
  cr_assert_str_eq((char *)why.data,
                   "got 4 bytes where 4 were expected; first difference at byte 2");
  cr_assert_str_eq((char *)e.data, "4 bytes of binary; from byte 0: 0102[0304]");
  cr_assert_str_eq((char *)a.data, "4 bytes of binary; from byte 0: 0102[0904]");
  ct_buf_reset(&why);
  ct_diff_describe(x, 4, 1, y, 4, 0, &e, &a, &why);
  cr_assert(strstr((char *)why.data, "got a text message of 4 bytes"));
  ct_buf_free(&full);
  ct_buf_free(&cut);
  ct_buf_free(&e);
  ct_buf_free(&a);
  ct_buf_free(&why);
}

static int off(const char *s, size_t *o) {
  return ct_sio_json_offset((const unsigned char *)s, strlen(s), o);
}

Test(payload, sio_json_offset) {
  size_t o = 0;
  cr_assert_eq(off("42[\"message\",\"x\"]", &o), 0);
  cr_assert_eq(o, 2);
  cr_assert_eq(off("451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]", &o), 0);
  cr_assert_eq(o, 4);
  cr_assert_eq(off("42/custom,12[\"a\"]", &o), 0);
  cr_assert_eq(o, 12);
  cr_assert_eq(off("43456[1]", &o), 0);
  cr_assert_eq(o, 5);
  cr_assert_eq(off("40{\"sid\":\"x\"}", &o), 0);
  cr_assert_eq(o, 2);
  cr_assert_eq(off("40", &o), -1);
  cr_assert_eq(off("3probe", &o), -1);
  cr_assert_eq(off("42/custom", &o), -1);
}

/* Keep-alive: two responses arrive in one read; each is framed by its own length and
 * MSG_LEN says where the next starts. */
Test(payload, keepalive_two_responses_back_to_back) {
  const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n4hi\r\n0\r\n\r\n"
                  "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: Keep-Alive, "
                  "CLOSE\r\n\r\n";
  const unsigned char *p = (const unsigned char *)s;
  size_t len = strlen(s);
  ct_http_resp r;
  cr_assert_eq(ct_http_parse(p, len, 0, 0, &r), 1);
  cr_assert_str_eq((char *)r.body.data, "ok");
  cr_assert_not(ct_http_has_token(&r, "Connection", "close"));
  cr_assert(ct_http_has_token(&r, "connection", "keep-alive"));
  size_t first = r.msg_len;
  cr_assert_eq(first, strlen("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: "
                             "keep-alive\r\n\r\nok"));
  ct_http_resp_free(&r);
  cr_assert_eq(ct_http_parse(p + first, len - first, 0, 0, &r), 1);
  cr_assert_str_eq((char *)r.body.data, "4hi");
  size_t second = r.msg_len;
  ct_http_resp_free(&r);
  cr_assert_eq(ct_http_parse(p + first + second, len - first - second, 0, 0, &r), 1);
  cr_assert_eq(r.status, 400);
  cr_assert(ct_http_has_token(&r, "Connection", "close"));
  cr_assert_eq(first + second + r.msg_len, len);
  ct_http_resp_free(&r);
  /* a chunked body whose last CRLF has not arrived yet is not complete */
  const char *part = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n4hi\r\n0\r\n";
  cr_assert_eq(ct_http_parse((const unsigned char *)part, strlen(part), 0, 0, &r), 0);
  /* a body delimited by the connection's end has no length of its own */
  const char *eofb = "HTTP/1.1 200 OK\r\n\r\nabc";
  cr_assert_eq(ct_http_parse((const unsigned char *)eofb, strlen(eofb), 1, 0, &r), 1);
  cr_assert_eq(r.msg_len, 0);
  ct_http_resp_free(&r);
}

Test(payload, has_token_edges) {
  const char *s = "HTTP/1.1 200 OK\r\nConnection: closed\r\nConnection:  upgrade ,close \r\n"
                  "Content-Length: 0\r\n\r\n";
  ct_http_resp r;
  cr_assert_eq(ct_http_parse((const unsigned char *)s, strlen(s), 0, 0, &r), 1);
  cr_assert(ct_http_has_token(&r, "Connection", "close")); /* second header */
  cr_assert(ct_http_has_token(&r, "Connection", "upgrade"));
  cr_assert_not(ct_http_has_token(&r, "Connection", "clos"));
  cr_assert_not(ct_http_has_token(&r, "Upgrade", "close"));
  ct_http_resp_free(&r);
}

Test(payload, build_keep_alive_has_no_connection_header) {
  ct_buf b = {0};
  ct_http_req req = {.method = "GET", .target = "/x", .keep_alive = 1};
  ct_http_build(&b, "127.0.0.1", 80, &req);
  cr_assert_str_eq((char *)b.data, "GET /x HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n");
  ct_buf_reset(&b);
  req.keep_alive = 0;
  ct_http_build(&b, "127.0.0.1", 80, &req);
  cr_assert(strstr((char *)b.data, "Connection: close\r\n"));
  ct_buf_free(&b);
}
