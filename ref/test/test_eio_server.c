/* Tests for the Engine.IO router: every HTTP error response, handshakes, the sid table,
 * holds and reaping, CORS, concurrent GET, oversize POST, WebSocket open and upgrade
 * refusals (EIO-HS, EIO-TR, EIO-UP, EIO-ERR, EIO-LIM, EIO-CORS). Virtual clock only. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sioref/eio_server.h"

static eio_server *SRV;
static int OPENS, CLOSES, MSGS;
static eio_close_reason LAST_REASON;
static unsigned NEXT_BYTE;
static bool RANDOM_FAILS;

static int fake_random(void *user, uint8_t *buf, size_t len) {
  (void)user;
  if (RANDOM_FAILS) return -1;
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)((NEXT_BYTE >> (8 * (i % 4))) + i * 7);
  NEXT_BYTE++;
  return 0;
}
static void on_open(void *u, eio_session *s, uint64_t now_ms) {
  (void)u;
  (void)s;
  (void)now_ms;
  OPENS++;
}
static void on_message(void *u, eio_session *s, const uint8_t *d, size_t n, bool bin,
                       uint64_t now_ms) {
  (void)u;
  MSGS++;
  eio_session_send(s, d, n, bin, now_ms); /* echo */
}
static void on_close(void *u, eio_session *s, eio_close_reason r, uint64_t now_ms) {
  (void)u;
  (void)s;
  (void)now_ms;
  CLOSES++;
  LAST_REASON = r;
}

/* The test router; UPGRADE_MS / CLOSE_MS override those timeouts when not 0. */
static void make_server_with(const char *const *origins, size_t n, uint32_t upgrade_ms,
                             uint32_t close_ms) {
  eio_server_config c;
  memset(&c, 0, sizeof c);
  eio_config_defaults(&c.session);
  c.session.ping_interval_ms = 300;
  c.session.ping_timeout_ms = 200;
  c.session.max_payload_bytes = 50;
  if (upgrade_ms) c.session.upgrade_timeout_ms = upgrade_ms;
  if (close_ms) c.session.close_timeout_ms = close_ms;
  c.cors_origins = origins;
  c.n_cors_origins = n;
  c.random = fake_random;
  c.on_open = on_open;
  c.on_message = on_message;
  c.on_close = on_close;
  cr_assert_eq(eio_server_new(&c, &SRV), 0);
}

static void make_server(const char *const *origins, size_t n) {
  make_server_with(origins, n, 0, 0);
}

static void setup(void) {
  OPENS = CLOSES = MSGS = 0;
  NEXT_BYTE = 0;
  RANDOM_FAILS = false;
  make_server(NULL, 0);
}
static void teardown(void) {
  eio_server_free(SRV);
  SRV = NULL;
}

static eio_http_response request(const char *method, const char *query, const char *origin) {
  eio_http_request rq = {.method = method, .query = query, .origin = origin};
  eio_http_response r;
  cr_assert_eq(eio_server_handle_request(SRV, &rq, 0, &r), 0);
  return r;
}

static void assert_error(eio_http_response r, int status, const char *body) {
  cr_assert_eq(r.action, EIO_HTTP_RESPOND);
  cr_assert_eq(r.status, status);
  cr_assert_str_eq(r.content_type, "application/json");
  cr_assert_eq(r.body_len, strlen(body));
  cr_assert_eq(memcmp(r.body, body, r.body_len), 0, "body %.*s", (int)r.body_len, r.body);
  cr_assert_null(r.session);
}

/* EIO-TR-19: a WebSocket to complete (101) and close at once, with no session. */
static void assert_ws_close(eio_http_response r) {
  cr_assert_eq(r.action, EIO_HTTP_WEBSOCKET_CLOSE);
  cr_assert_null(r.session);
}

#define E0 "{\"code\":0,\"message\":\"Transport unknown\"}"
#define E1 "{\"code\":1,\"message\":\"Session ID unknown\"}"
#define E2 "{\"code\":2,\"message\":\"Bad handshake method\"}"
#define E3 "{\"code\":3,\"message\":\"Bad request\"}"
#define E5 "{\"code\":5,\"message\":\"Unsupported protocol version\"}"

/* Handshake over polling; returns the session and copies its sid into SID. The GET's
 * hold is released. */
static eio_session *handshake(char sid[EIO_SID_LEN + 1], uint64_t now) {
  eio_http_request rq = {.method = "GET", .query = "EIO=4&transport=polling&t=x"};
  eio_http_response r;
  cr_assert_eq(eio_server_handle_request(SRV, &rq, now, &r), 0);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  eio_session *s = r.session;
  eio_http_response pr;
  cr_assert_eq(eio_server_poll_response(SRV, s, &pr), 1);
  cr_assert_eq(pr.status, 200);
  cr_assert_str_eq(pr.content_type, "text/plain; charset=UTF-8");
  cr_assert_eq(pr.body[0], '0');
  memcpy(sid, eio_session_sid(s), EIO_SID_LEN + 1);
  eio_server_release(SRV, s);
  return s;
}

static char *q_sid(const char *fmt, const char *sid) {
  static char buf[128];
  snprintf(buf, sizeof buf, fmt, sid);
  return buf;
}

TestSuite(router, .init = setup, .fini = teardown);

Test(router, handshake_issues_url_safe_sid) {
  char sid[EIO_SID_LEN + 1];
  handshake(sid, 0);
  cr_assert_eq(strlen(sid), EIO_SID_LEN);
  for (int i = 0; i < EIO_SID_LEN; i++)
    cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", sid[i]));
  cr_assert_eq(OPENS, 1);
  cr_assert_eq(eio_server_session_count(SRV), 1);
  cr_assert_not_null(eio_server_find(SRV, sid));
}

Test(router, sids_are_unique) {
  char a[EIO_SID_LEN + 1], b[EIO_SID_LEN + 1];
  handshake(a, 0);
  NEXT_BYTE = 0; /* the random source repeats itself: the router must draw again */
  handshake(b, 0);
  cr_assert_str_neq(a, b);
}

Test(router, error_transport_unknown) {
  assert_error(request("GET", "EIO=4", NULL), 400, E0);
  assert_error(request("GET", "EIO=4&transport=flash", NULL), 400, E0);
  assert_error(request("GET", NULL, NULL), 400, E0);
  /* a repeated key matches no transport */
  assert_error(request("GET", "EIO=4&transport=polling&transport=polling", NULL), 400, E0);
  /* EIO-ERR-4: transport is checked first */
  assert_error(request("POST", "EIO=3&transport=x&sid=nope", NULL), 400, E0);
}

Test(router, error_session_id_unknown) {
  assert_error(request("GET", "EIO=4&transport=polling&sid=nope", NULL), 400, E1);
  assert_error(request("POST", "EIO=4&transport=polling&sid=nope", NULL), 400, E1);
}

Test(router, error_bad_handshake_method) {
  assert_error(request("POST", "EIO=4&transport=polling", NULL), 400, E2);
  assert_error(request("PUT", "EIO=4&transport=polling", NULL), 400, E2);
  assert_error(request("OPTIONS", "EIO=4&transport=polling", NULL), 400, E2);
}

Test(router, error_unsupported_protocol_version) {
  assert_error(request("GET", "EIO=3&transport=polling", NULL), 400, E5);
  assert_error(request("GET", "transport=polling", NULL), 400, E5);
  assert_error(request("GET", "EIO=4&EIO=4&transport=polling", NULL), 400, E5);
}

Test(router, error_bad_request) {
  /* WebSocket handshake without the upgrade */
  assert_error(request("GET", "EIO=4&transport=websocket", NULL), 400, E3);
  /* EIO-CORS-4: malformed Origin */
  assert_error(request("GET", "EIO=4&transport=polling", "http://a\x01.example"), 400, E3);
  cr_assert_eq(OPENS, 0);
}

Test(router, percent_encoded_query_values) {
  eio_http_response r = request("GET", "EIO=%34&transport=pol%6Cing", NULL);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  eio_server_release(SRV, r.session);
  assert_error(request("GET", "EIO=4&transport=polling%zz", NULL), 400, E0);
}

Test(router, post_ok_and_echo_over_poll) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  eio_http_response r = request("POST", q_sid("EIO=4&transport=polling&sid=%s", sid), NULL);
  cr_assert_eq(r.action, EIO_HTTP_READ_BODY);
  cr_assert_eq(r.session, s);
  eio_http_response pr;
  const char *body = "4test1\x1e"
                     "4test2\x1e"
                     "4test3";
  cr_assert_eq(eio_server_post_body(SRV, s, (const uint8_t *)body, strlen(body), 1, &pr), 0);
  cr_assert_eq(pr.status, 200);
  cr_assert_eq(pr.body_len, 2);
  cr_assert_eq(memcmp(pr.body, "ok", 2), 0);
  eio_server_release(SRV, s);
  cr_assert_eq(MSGS, 3);
  r = request("GET", q_sid("EIO=4&transport=polling&sid=%s", sid), NULL);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  cr_assert_eq(eio_server_poll_response(SRV, s, &pr), 1);
  cr_assert_eq(pr.body_len, strlen(body)); /* CT-10: one body, same order */
  cr_assert_eq(memcmp(pr.body, body, pr.body_len), 0);
  eio_server_release(SRV, s);
}

Test(router, concurrent_get_closes_session) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  const char *q = q_sid("EIO=4&transport=polling&sid=%s", sid);
  eio_http_response first = request("GET", q, NULL);
  cr_assert_eq(first.action, EIO_HTTP_HOLD_GET);
  eio_http_response pr;
  cr_assert_eq(eio_server_poll_response(SRV, s, &pr), 0); /* held */
  assert_error(request("GET", q, NULL), 400, E3);         /* EIO-TR-6 */
  cr_assert_eq(CLOSES, 1);
  cr_assert_eq(eio_server_poll_response(SRV, s, &pr), 1);
  cr_assert_eq(pr.body_len, 1);
  cr_assert_eq(pr.body[0], '1');
  cr_assert_eq(eio_server_allocated_count(SRV), 1); /* still held by the first GET */
  cr_assert_eq(eio_server_held_count(SRV), 1);
  cr_assert_eq(eio_server_session_count(SRV), 0);
  eio_server_release(SRV, s);
  cr_assert_eq(eio_server_allocated_count(SRV), 0);
  assert_error(request("GET", q, NULL), 400, E1);
}

Test(router, concurrent_post_closes_session) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  const char *q = q_sid("EIO=4&transport=polling&sid=%s", sid);
  eio_http_response a = request("POST", q, NULL);
  cr_assert_eq(a.action, EIO_HTTP_READ_BODY);
  assert_error(request("POST", q, NULL), 400, E3); /* EIO-TR-7 */
  cr_assert_eq(CLOSES, 1);
  eio_http_response pr;
  eio_server_post_body(SRV, s, (const uint8_t *)"4x", 2, 1, &pr);
  cr_assert_eq(pr.status, 400);
  cr_assert_eq(MSGS, 0);
  eio_server_release(SRV, s);
  assert_error(request("POST", q, NULL), 400, E1);
}

Test(router, oversize_post_gets_413_and_closes) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  const char *q = q_sid("EIO=4&transport=polling&sid=%s", sid);
  eio_http_response r = request("POST", q, NULL);
  eio_http_response pr;
  /* a body cut by the I/O layer at eio_server_input_cap() bytes (maxPayload + 1) */
  size_t cap = eio_server_input_cap(SRV);
  cr_assert_eq(cap, 51);
  char cut[51];
  memset(cut, 'a', sizeof cut);
  cut[0] = '4';
  cr_assert_eq(eio_server_post_body(SRV, r.session, (const uint8_t *)cut, cap, 1, &pr), 0);
  cr_assert_eq(pr.status, 413); /* EIO-TR-10 */
  cr_assert_eq(MSGS, 0);
  cr_assert_eq(CLOSES, 1);
  eio_server_release(SRV, s);
  assert_error(request("GET", q, NULL), 400, E1);
  /* a body that is complete but over the limit is refused the same way */
  handshake(sid, 0);
  q = q_sid("EIO=4&transport=polling&sid=%s", sid);
  r = request("POST", q, NULL);
  char big[60];
  memset(big, 'a', sizeof big);
  big[0] = '4';
  eio_server_post_body(SRV, r.session, (const uint8_t *)big, sizeof big, 1, &pr);
  cr_assert_eq(pr.status, 413);
  eio_server_release(SRV, r.session);
}

Test(router, undecodable_post_gets_400_and_closes) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  const char *q = q_sid("EIO=4&transport=polling&sid=%s", sid);
  eio_http_response r = request("POST", q, NULL), pr;
  eio_server_post_body(SRV, s, (const uint8_t *)"x", 1, 1, &pr);
  assert_error(pr, 400, E3); /* EIO-TR-9 */
  eio_server_release(SRV, r.session);
  assert_error(request("GET", q, NULL), 400, E1);
}

Test(router, binary_post_is_refused) {
  char sid[EIO_SID_LEN + 1];
  handshake(sid, 0);
  eio_http_request rq = {.method = "POST",
                         .query = q_sid("EIO=4&transport=polling&sid=%s", sid),
                         .content_type = "application/octet-stream"};
  eio_http_response r;
  eio_server_handle_request(SRV, &rq, 0, &r);
  assert_error(r, 400, E3); /* EIO-TR-11 */
  cr_assert_eq(CLOSES, 1);
}

Test(router, other_method_on_session) {
  char sid[EIO_SID_LEN + 1];
  handshake(sid, 0);
  assert_error(request("PUT", q_sid("EIO=4&transport=polling&sid=%s", sid), NULL), 400, E3);
  cr_assert_eq(CLOSES, 0);
}

Test(router, aborted_held_get_reaps_session) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  eio_http_response r = request("GET", q_sid("EIO=4&transport=polling&sid=%s", sid), NULL);
  eio_server_poll_aborted(SRV, r.session, 5);
  eio_server_release(SRV, s);
  cr_assert_eq(eio_server_allocated_count(SRV), 0);
  cr_assert_eq(LAST_REASON, EIO_CLOSE_TRANSPORT_ERROR);
}

/* EIO-LIM-3: a session nobody polls any more is freed after the ping timeout */
Test(router, vanished_polling_client_reaped_after_ping_timeout) {
  char sid[EIO_SID_LEN + 1];
  handshake(sid, 1000);
  cr_assert_eq(eio_server_tick(SRV, 1000), 1300);
  cr_assert_eq(eio_server_tick(SRV, 1300), 1500); /* ping queued, nobody collects it */
  cr_assert_eq(eio_server_session_count(SRV), 1);
  cr_assert_eq(eio_server_tick(SRV, 1500), EIO_NO_DEADLINE);
  cr_assert_eq(eio_server_session_count(SRV), 0);
  cr_assert_eq(eio_server_allocated_count(SRV), 0);
  cr_assert_eq(LAST_REASON, EIO_CLOSE_PING_TIMEOUT);
}

Test(router, ws_handshake_and_refusals) {
  eio_http_request rq = {.method = "GET", .query = "EIO=4&transport=websocket"};
  eio_http_response r;
  cr_assert_eq(eio_server_ws_open(SRV, &rq, 0, &r), 0);
  cr_assert_eq(r.action, EIO_HTTP_WEBSOCKET);
  eio_session *s = r.session;
  cr_assert_eq(eio_session_transport(s), EIO_TRANSPORT_WEBSOCKET);
  char sid[EIO_SID_LEN + 1];
  memcpy(sid, eio_session_sid(s), sizeof sid);
  /* EIO-TR-16, EIO-TR-19: a second WebSocket for a WebSocket session is accepted and
   * closed at once, without touching the session */
  rq.query = q_sid("EIO=4&transport=websocket&sid=%s", sid);
  eio_server_ws_open(SRV, &rq, 0, &r);
  assert_ws_close(r);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  /* EIO-TR-3: polling on a WebSocket session */
  assert_error(request("GET", q_sid("EIO=4&transport=polling&sid=%s", sid), NULL), 400, E3);
  cr_assert_eq(CLOSES, 0);
  /* probe on an unknown sid */
  rq.query = "EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA";
  eio_server_ws_open(SRV, &rq, 0, &r);
  assert_error(r, 400, E1);
  rq.query = "EIO=3&transport=websocket";
  eio_server_ws_open(SRV, &rq, 0, &r);
  assert_error(r, 400, E5);
  rq.query = "EIO=4&transport=polling";
  eio_server_ws_open(SRV, &rq, 0, &r);
  assert_error(r, 400, E3);
  rq.query = "EIO=4";
  eio_server_ws_open(SRV, &rq, 0, &r);
  assert_error(r, 400, E0);
  eio_session_ws_closed(s, 1);
  eio_server_release(SRV, s);
  cr_assert_eq(eio_server_allocated_count(SRV), 0);
}

Test(router, upgrade_then_polling_refused) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  eio_http_request rq = {.method = "GET", .query = q_sid("EIO=4&transport=websocket&sid=%s", sid)};
  eio_http_response r;
  eio_server_ws_open(SRV, &rq, 0, &r);
  cr_assert_eq(r.action, EIO_HTTP_WEBSOCKET);
  cr_assert_eq(r.session, s);
  cr_assert_eq(eio_session_ws_message(s, (const uint8_t *)"2probe", 6, false, 1), 0);
  cr_assert_eq(eio_session_ws_message(s, (const uint8_t *)"5", 1, false, 2), 0);
  assert_error(request("GET", q_sid("EIO=4&transport=polling&sid=%s", sid), NULL), 400, E3);
  assert_error(request("POST", q_sid("EIO=4&transport=polling&sid=%s", sid), NULL), 400, E3);
  rq.query = q_sid("EIO=4&transport=websocket&sid=%s", sid); /* q_sid's buffer was reused */
  eio_server_ws_open(SRV, &rq, 0, &r);
  assert_ws_close(r); /* EIO-UP-6, EIO-TR-16, EIO-TR-19 */
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_ws_closed(s, 3);
  eio_server_release(SRV, s);
}

Test(router, second_websocket_while_upgrading_is_closed_after_101) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  eio_http_request rq = {.method = "GET", .query = q_sid("EIO=4&transport=websocket&sid=%s", sid)};
  eio_http_response r;
  eio_server_ws_open(SRV, &rq, 0, &r);
  cr_assert_eq(r.action, EIO_HTTP_WEBSOCKET);
  eio_http_response r2;
  eio_server_ws_open(SRV, &rq, 1, &r2);
  assert_ws_close(r2); /* EIO-TR-16, EIO-TR-19: the probe in progress is not disturbed */
  cr_assert_eq(eio_session_ws_message(s, (const uint8_t *)"2probe", 6, false, 2), 0);
  cr_assert_eq(eio_session_ws_message(s, (const uint8_t *)"5", 1, false, 3), 0);
  cr_assert_eq(eio_session_transport(s), EIO_TRANSPORT_WEBSOCKET);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_ws_closed(s, 4);
  eio_server_release(SRV, s);
}

Test(router, second_websocket_on_a_closing_session_is_refused) {
  char sid[EIO_SID_LEN + 1];
  eio_session *s = handshake(sid, 0);
  eio_session_close(s, 1);
  eio_http_request rq = {.method = "GET", .query = q_sid("EIO=4&transport=websocket&sid=%s", sid)};
  eio_http_response r;
  eio_server_ws_open(SRV, &rq, 2, &r);
  cr_assert_eq(r.action, EIO_HTTP_RESPOND);
  cr_assert_eq(r.status, 400);
  cr_assert_null(r.session);
}

/* RFC 9112 section 9.6 (connection options are a comma list, case-insensitive) */
Test(router, wants_close_follows_the_connection_header) {
  cr_assert_not(eio_server_wants_close(NULL, NULL));
  cr_assert_not(eio_server_wants_close("HTTP/1.1", NULL));
  cr_assert_not(eio_server_wants_close("HTTP/1.1", "keep-alive"));
  cr_assert_not(eio_server_wants_close("HTTP/1.1", "Upgrade"));
  cr_assert_not(eio_server_wants_close("HTTP/1.1", "closed, x-close"));
  cr_assert_not(eio_server_wants_close("HTTP/1.1", ""));
  cr_assert(eio_server_wants_close("HTTP/1.1", "close"));
  cr_assert(eio_server_wants_close("HTTP/1.1", "Close"));
  cr_assert(eio_server_wants_close("HTTP/1.1", "CLOSE"));
  cr_assert(eio_server_wants_close(NULL, "close"));
  cr_assert(eio_server_wants_close("HTTP/1.1", " close "));
  cr_assert(eio_server_wants_close("HTTP/1.1", "TE, close"));
  cr_assert(eio_server_wants_close("HTTP/1.1", "close,TE"));
  cr_assert(eio_server_wants_close("HTTP/1.1", "keep-alive,\tclose"));
  cr_assert(eio_server_wants_close("HTTP/1.0", NULL));
  cr_assert(eio_server_wants_close("HTTP/1.0", "TE"));
  cr_assert_not(eio_server_wants_close("HTTP/1.0", "Keep-Alive"));
  cr_assert(eio_server_wants_close("HTTP/1.0", "keep-alive, close"));
}

Test(router, no_cors_headers_by_default) {
  eio_http_response r = request("GET", "EIO=4&transport=polling", "http://evil.example");
  cr_assert_null(r.allow_origin); /* EIO-CORS-1 */
  eio_server_release(SRV, r.session);
}

Test(router, cors_listed_origin_is_echoed) {
  eio_server_free(SRV);
  const char *const origins[] = {"http://a.example", "http://b.example"};
  make_server(origins, 2);
  eio_http_response r = request("GET", "EIO=4&transport=polling", "http://b.example");
  cr_assert_str_eq(r.allow_origin, "http://b.example"); /* EIO-CORS-2 */
  eio_server_release(SRV, r.session);
  r = request("GET", "EIO=4&transport=polling", "http://c.example");
  cr_assert_null(r.allow_origin);
  eio_server_release(SRV, r.session);
  /* errors carry CORS headers too, so a browser can read them */
  r = request("GET", "EIO=9&transport=polling", "http://a.example");
  cr_assert_str_eq(r.allow_origin, "http://a.example");
  /* EIO-CORS-3: preflight */
  eio_http_request rq = {.method = "OPTIONS",
                         .query = "EIO=4&transport=polling",
                         .origin = "http://a.example",
                         .acr_headers = "content-type"};
  eio_server_handle_request(SRV, &rq, 0, &r);
  cr_assert_eq(r.status, 204);
  cr_assert(r.preflight);
  cr_assert_str_eq(r.allow_methods, "GET, POST");
  cr_assert_str_eq(r.allow_headers, "content-type");
  rq.origin = "http://c.example";
  eio_server_handle_request(SRV, &rq, 0, &r);
  cr_assert_eq(r.status, 204);
  cr_assert_not(r.preflight);
  cr_assert_null(r.allow_origin);
}

Test(router, cors_any_origin) {
  eio_server_free(SRV);
  const char *const origins[] = {"*"};
  make_server(origins, 1);
  eio_http_response r = request("GET", "EIO=4&transport=polling", "http://x.example");
  cr_assert_str_eq(r.allow_origin, "*");
  eio_server_release(SRV, r.session);
}

Test(router, random_failure_is_reported) {
  RANDOM_FAILS = true;
  eio_http_request rq = {.method = "GET", .query = "EIO=4&transport=polling"};
  eio_http_response r;
  cr_assert_lt(eio_server_handle_request(SRV, &rq, 0, &r), 0);
  cr_assert_eq(eio_server_session_count(SRV), 0);
}

Test(router, close_all_then_collect) {
  char a[EIO_SID_LEN + 1], b[EIO_SID_LEN + 1];
  eio_session *sa = handshake(a, 0);
  handshake(b, 0);
  eio_server_close_all(SRV, 10);
  eio_http_response r = request("GET", q_sid("EIO=4&transport=polling&sid=%s", a), NULL), pr;
  cr_assert_eq(eio_server_poll_response(SRV, sa, &pr), 1);
  cr_assert_eq(pr.body[0], '1');
  eio_server_release(SRV, r.session);
  cr_assert_eq(eio_server_session_count(SRV), 1);
  eio_server_tick(SRV, 10 + EIO_DEFAULT_CLOSE_TIMEOUT_MS);
  cr_assert_eq(eio_server_session_count(SRV), 0);
  cr_assert_eq(eio_server_allocated_count(SRV), 0);
  cr_assert_eq(CLOSES, 2);
}

Test(router, many_sessions_grow_the_table) {
  char sid[EIO_SID_LEN + 1];
  for (int i = 0; i < 300; i++) handshake(sid, 0);
  cr_assert_eq(eio_server_session_count(SRV), 300);
  cr_assert_not_null(eio_server_find(SRV, sid));
}

/* EIO-LIM-3 and EIO-HS-8: the number of live sessions is bounded; past it, 403 code 4 */
Test(router, session_bound_refuses_handshakes_with_403) {
  eio_server_free(SRV);
  eio_server_config c;
  memset(&c, 0, sizeof c);
  eio_config_defaults(&c.session);
  c.random = fake_random;
  c.max_sessions = 2;
  cr_assert_eq(eio_server_new(&c, &SRV), 0);
  char a[EIO_SID_LEN + 1], b[EIO_SID_LEN + 1];
  eio_session *sa = handshake(a, 0);
  handshake(b, 0);
  eio_http_response r = request("GET", "EIO=4&transport=polling", NULL);
  cr_assert_eq(r.status, 403); /* EIO-HS-8, EIO-ERR-3 */
  cr_assert_eq(memcmp(r.body, "{\"code\":4,\"message\":\"Forbidden\"}", r.body_len), 0);
  eio_http_request rq = {.method = "GET", .query = "EIO=4&transport=websocket"};
  eio_server_ws_open(SRV, &rq, 0, &r);
  cr_assert_eq(r.status, 403);
  /* method is still checked first (EIO-ERR-4) */
  assert_error(request("POST", "EIO=4&transport=polling", NULL), 400, E2);
  eio_session_abort(sa, EIO_CLOSE_SERVER, 1);
  r = request("GET", "EIO=4&transport=polling", NULL);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET); /* room again */
  eio_server_release(SRV, r.session);
}

/* The router keeps sessions in a timer heap fed by the sessions' deadline reports.
 * Drive many sessions through every timer-changing path (pongs on both transports,
 * upgrades started, probed, completed and abandoned, held GETs dropped, orderly and
 * abrupt closes) on a virtual clock, and after every step compare what the router
 * says is next with the minimum over all live sessions, computed by brute force: a
 * missed report would show as a deadline the heap does not know about. */
#define SOAK_SIDS 64
static unsigned soak_rand(unsigned *st) {
  *st ^= *st << 13;
  *st ^= *st >> 17;
  *st ^= *st << 5;
  return *st;
}

static eio_session *soak_pick(char sids[][EIO_SID_LEN + 1], size_t n, unsigned *st) {
  if (!n) return NULL;
  return eio_server_find(SRV, sids[soak_rand(st) % n]);
}

static void soak_check(char sids[][EIO_SID_LEN + 1], size_t n, uint64_t now) {
  uint64_t next = eio_server_tick(SRV, now), brute = EIO_NO_DEADLINE;
  for (size_t i = 0; i < n; i++) {
    eio_session *s = eio_server_find(SRV, sids[i]);
    if (!s) continue;
    uint64_t d = eio_session_next_deadline(s);
    cr_assert_gt(d, now, "a due session was not ticked (deadline %llu, now %llu)",
                 (unsigned long long)d, (unsigned long long)now);
    if (d < brute) brute = d;
  }
  cr_assert_eq(next, brute, "router says %llu, sessions say %llu", (unsigned long long)next,
               (unsigned long long)brute);
}

Test(router, timer_heap_matches_every_session) {
  char sids[SOAK_SIDS][EIO_SID_LEN + 1];
  size_t n = 0;
  unsigned st = 2463534242u;
  uint64_t now = 1000;
  int upgrades = 0, pings = 0;
  /* Short upgrade and close timeouts, so that each timer in turn is the earliest. */
  eio_server_free(SRV);
  make_server_with(NULL, 0, 40, 60);
  for (int step = 0; step < 20000; step++) {
    unsigned op = soak_rand(&st) % 10;
    eio_session *s = soak_pick(sids, n, &st);
    if (op == 0 && n < SOAK_SIDS) { /* a new session on either transport */
      if (soak_rand(&st) & 1) {
        handshake(sids[n++], now);
      } else {
        eio_http_request rq = {.method = "GET", .query = "EIO=4&transport=websocket"};
        eio_http_response r;
        cr_assert_eq(eio_server_ws_open(SRV, &rq, now, &r), 0);
        memcpy(sids[n++], eio_session_sid(r.session), EIO_SID_LEN + 1);
      }
    } else if (op == 1 && s) { /* a pong, on whichever transport carries the session */
      if (eio_session_transport(s) == EIO_TRANSPORT_WEBSOCKET) {
        eio_session_ws_message(s, (const uint8_t *)"3", 1, false, now);
      } else {
        eio_http_response r =
            request("POST", q_sid("EIO=4&transport=polling&sid=%s", eio_session_sid(s)), NULL);
        if (r.action == EIO_HTTP_READ_BODY) {
          eio_http_response pr;
          eio_server_post_body(SRV, s, (const uint8_t *)"3", 1, now, &pr);
          eio_server_release(SRV, s);
        }
      }
    } else if (op == 2 && s && eio_session_transport(s) == EIO_TRANSPORT_POLLING) {
      /* an upgrade attempt, at any of its stages */
      eio_http_request rq = {
          .method = "GET", .query = q_sid("EIO=4&transport=websocket&sid=%s", eio_session_sid(s))};
      eio_http_response r;
      eio_server_ws_open(SRV, &rq, now, &r);
      if (r.action == EIO_HTTP_WEBSOCKET) upgrades++;
    } else if (op == 3 && s && eio_session_upgrading(s)) {
      unsigned k = soak_rand(&st) % 3;
      const char *m = k == 0 ? "2probe" : k == 1 ? "5" : "4junk";
      eio_session_ws_message(s, (const uint8_t *)m, strlen(m), false, now);
    } else if (op == 4 && s && eio_session_ws_attached(s) && soak_rand(&st) % 4 == 0) {
      eio_session_ws_closed(s, now); /* the WebSocket (transport or probe) went away */
      eio_server_release(SRV, s);
    } else if (op == 5 && s && soak_rand(&st) % 8 == 0) {
      eio_session_close(s, now); /* orderly: CLOSING until pulled or timed out */
    } else if (op == 6 && s && eio_session_transport(s) == EIO_TRANSPORT_POLLING) {
      /* a GET that is answered, or dropped by the client */
      eio_http_response r =
          request("GET", q_sid("EIO=4&transport=polling&sid=%s", eio_session_sid(s)), NULL);
      if (r.action == EIO_HTTP_HOLD_GET) {
        eio_http_response pr;
        if (eio_server_poll_response(SRV, s, &pr) == 0 && soak_rand(&st) % 4 == 0)
          eio_server_poll_aborted(SRV, s, now);
        eio_server_release(SRV, s);
      }
    } else if (op == 7 && s && eio_session_ws_attached(s)) {
      const uint8_t *d;
      size_t len;
      bool bin;
      while (eio_session_ws_pull(s, &d, &len, &bin) > 0)
        if (len == 1 && d[0] == '2') pings++;
    } else {
      now += soak_rand(&st) % 120; /* time passes: pings, timeouts, reaping */
    }
    soak_check(sids, n, now);
    if (n == SOAK_SIDS && eio_server_session_count(SRV) == 0) n = 0; /* start over */
  }
  cr_assert_gt(upgrades, 10);
  cr_assert_gt(pings, 10);
  cr_assert_gt(CLOSES, 10);
}
