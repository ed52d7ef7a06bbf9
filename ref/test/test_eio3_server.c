/* The router with Engine.IO v3 allowed and refused (spec/engine.io-v3.md): version
 * selection from the EIO query (EIO-TVER-1/2), refusal of a request or upgrade that
 * names the other version (EIO-TVER-3), binary POST bodies and their Content-Type
 * (EIO-TTR-3..5), b64=1 (EIO-TTR-2). Virtual clock only. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sioref/eio_server.h"

static eio_server *SRV;
static int MSGS;

static int fake_random(void *user, uint8_t *buf, size_t len) {
  static unsigned n;
  (void)user;
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(n + i * 7);
  n++;
  return 0;
}
static void on_message(void *u, eio_session *s, const uint8_t *d, size_t n, bool bin,
                       uint64_t now_ms) {
  (void)u;
  MSGS++;
  eio_session_send(s, d, n, bin, now_ms); /* echo */
}

static void make(bool allow_eio3) {
  eio_server_config c;
  memset(&c, 0, sizeof c);
  eio_config_defaults(&c.session);
  c.session.ping_interval_ms = 300;
  c.session.ping_timeout_ms = 200;
  c.session.max_payload_bytes = 50;
  c.allow_eio3 = allow_eio3;
  c.random = fake_random;
  c.on_message = on_message;
  cr_assert_eq(eio_server_new(&c, &SRV), 0);
  MSGS = 0;
}
static void teardown(void) {
  eio_server_free(SRV);
  SRV = NULL;
}

#define E3 "{\"code\":3,\"message\":\"Bad request\"}"
#define E5 "{\"code\":5,\"message\":\"Unsupported protocol version\"}"

static eio_http_response req(const char *method, const char *query, const char *ctype) {
  eio_http_request rq = {.method = method, .query = query, .content_type = ctype};
  eio_http_response r;
  cr_assert_eq(eio_server_handle_request(SRV, &rq, 0, &r), 0);
  return r;
}

static void assert_error(eio_http_response r, const char *body) {
  cr_assert_eq(r.action, EIO_HTTP_RESPOND);
  cr_assert_eq(r.status, 400);
  cr_assert_eq(r.body_len, strlen(body));
  cr_assert_eq(memcmp(r.body, body, r.body_len), 0, "body %.*s", (int)r.body_len, r.body);
}

/* Handshake with QUERY; returns the session (hold released), its sid in SID. */
static eio_session *open_with(const char *query, char sid[EIO_SID_LEN + 1]) {
  eio_http_response r = req("GET", query, NULL);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET, "handshake %s refused", query);
  eio_session *s = r.session;
  cr_assert_eq(eio_server_poll_response(SRV, s, &r), 1);
  cr_assert_str_eq(r.content_type, "text/plain; charset=UTF-8");
  strcpy(sid, eio_session_sid(s));
  eio_server_release(SRV, s);
  return s;
}

static char Q[256];
static const char *q(const char *fmt, const char *sid) {
  snprintf(Q, sizeof Q, fmt, sid);
  return Q;
}

/* The handshake's raw query stays with the session (SIO-FNS-2 hands it to Socket.IO). */
Test(eio3_router, session_keeps_the_handshake_query, .fini = teardown) {
  make(true);
  char sid[EIO_SID_LEN + 1];
  eio_session *s = open_with("EIO=3&transport=polling&token=a%20b", sid);
  cr_assert_str_eq(eio_session_query(s), "EIO=3&transport=polling&token=a%20b");
}

/* EIO-TVER-1, EIO-TVER-2: 4 is v4; 3, any other value and none are v3 when allowed. */
Test(eio3_router, version_from_the_eio_query, .fini = teardown) {
  make(true);
  char sid[EIO_SID_LEN + 1];
  cr_assert_eq(eio_session_protocol(open_with("EIO=4&transport=polling", sid)), EIO_PROTOCOL_V4);
  cr_assert_eq(eio_session_protocol(open_with("EIO=3&transport=polling", sid)), EIO_PROTOCOL_V3);
  cr_assert_eq(eio_session_protocol(open_with("EIO=2&transport=polling", sid)), EIO_PROTOCOL_V3);
  cr_assert_eq(eio_session_protocol(open_with("transport=polling", sid)), EIO_PROTOCOL_V3);
}

/* EIO-TVER-2, EIO-HS-5: without v3, anything but 4 is code 5 on polling and WebSocket. */
Test(eio3_router, v3_refused_when_not_allowed, .fini = teardown) {
  make(false);
  assert_error(req("GET", "EIO=3&transport=polling", NULL), E5);
  eio_http_request rq = {.method = "GET", .query = "EIO=3&transport=websocket"};
  eio_http_response r;
  cr_assert_eq(eio_server_ws_open(SRV, &rq, 0, &r), 0);
  assert_error(r, E5);
}

/* EIO-TVER-3: a later request naming the other version is code 3, the session untouched. */
Test(eio3_router, other_version_on_a_session_is_refused, .fini = teardown) {
  make(true);
  char sid[EIO_SID_LEN + 1];
  eio_session *s = open_with("EIO=3&transport=polling", sid);
  assert_error(req("GET", q("EIO=4&transport=polling&sid=%s", sid), NULL), E3);
  assert_error(req("POST", q("EIO=4&transport=polling&sid=%s", sid), "text/plain"), E3);
  eio_http_request rq = {.method = "GET", .query = q("EIO=4&transport=websocket&sid=%s", sid)};
  eio_http_response r;
  cr_assert_eq(eio_server_ws_open(SRV, &rq, 0, &r), 0);
  assert_error(r, E3); /* the 2026 advisory's mixed-version upgrade */
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  cr_assert_not(eio_session_ws_attached(s));
  /* and the other way round */
  eio_session *s4 = open_with("EIO=4&transport=polling", sid);
  assert_error(req("GET", q("EIO=3&transport=polling&sid=%s", sid), NULL), E3);
  rq.query = q("transport=websocket&sid=%s", sid);
  cr_assert_eq(eio_server_ws_open(SRV, &rq, 0, &r), 0);
  assert_error(r, E3);
  cr_assert_eq(eio_session_state_get(s4), EIO_SESSION_OPEN);
  /* the same version upgrades */
  rq.query = q("EIO=4&transport=websocket&sid=%s", sid);
  cr_assert_eq(eio_server_ws_open(SRV, &rq, 0, &r), 0);
  cr_assert_eq(r.action, EIO_HTTP_WEBSOCKET);
  eio_server_release(SRV, r.session);
}

/* EIO-TTR-5, EIO-TTR-4: an octet-stream POST is a binary payload, and the echo comes
 * back as a binary body with its Content-Type. */
Test(eio3_router, binary_post_and_binary_get, .fini = teardown) {
  make(true);
  char sid[EIO_SID_LEN + 1];
  open_with("EIO=3&transport=polling", sid);
  eio_http_response r =
      req("POST", q("EIO=3&transport=polling&sid=%s", sid), "application/octet-stream");
  cr_assert_eq(r.action, EIO_HTTP_READ_BODY);
  eio_session *s = r.session;
  static const uint8_t body[] = {0x01, 0x03, 0xff, 0x04, 0xaa, 0xbb};
  cr_assert_eq(eio_server_post_body(SRV, s, body, sizeof body, 1, &r), 0);
  cr_assert_eq(r.status, 200);
  eio_server_release(SRV, s);
  cr_assert_eq(MSGS, 1);
  r = req("GET", q("EIO=3&transport=polling&sid=%s", sid), NULL);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  cr_assert_eq(eio_server_poll_response(SRV, s, &r), 1);
  cr_assert_str_eq(r.content_type, "application/octet-stream");
  cr_assert_eq(r.body_len, sizeof body);
  cr_assert_eq(memcmp(r.body, body, sizeof body), 0);
  eio_server_release(SRV, s);
}

/* EIO-TTR-2: b64=1 on the handshake gives text bodies, binary as b4 + base64. */
Test(eio3_router, b64_gives_text_bodies, .fini = teardown) {
  make(true);
  char sid[EIO_SID_LEN + 1];
  eio_session *s = open_with("EIO=3&transport=polling&b64=1", sid);
  cr_assert_eq(eio_session_send(s, (const uint8_t *)"\xaa\xbb", 2, true, 1), 0);
  eio_http_response r = req("GET", q("EIO=3&transport=polling&b64=1&sid=%s", sid), NULL);
  cr_assert_eq(eio_server_poll_response(SRV, s, &r), 1);
  cr_assert_str_eq(r.content_type, "text/plain; charset=UTF-8");
  cr_assert_eq(r.body_len, 8);
  cr_assert_eq(memcmp(r.body, "6:b4qrs=", 8), 0);
  eio_server_release(SRV, s);
}

/* EIO-TR-11 still holds for v4 sessions on a router that allows v3. */
Test(eio3_router, v4_binary_post_still_refused, .fini = teardown) {
  make(true);
  char sid[EIO_SID_LEN + 1];
  eio_session *s = open_with("EIO=4&transport=polling", sid);
  assert_error(req("POST", q("EIO=4&transport=polling&sid=%s", sid), "application/octet-stream"),
               E3);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSED);
}
