/* Unit tests for the sans-I/O driver (eio_driver.h): timers over routers and hooks,
 * the wake list, the flush of held GETs, POST bodies and WebSockets, closes. A fake
 * I/O layer records what it is asked to write; the clock is virtual (no sleeps). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sioref/eio_driver.h"

typedef struct io_log {
  int http_writes;
  int status;
  char body[256];
  int ws_writes;
  char ws[8][64];
  bool busy;
  int fail_writes; /* >0: the I/O layer's writes fail */
} io_log;

static io_log L;
static eio_driver *D;
static eio_server *SRV;
static eio_conn C[4];
static uint32_t SEED;
static int MSGS, CLOSES;

static int io_http(void *user, eio_conn *c, const eio_http_response *r) {
  cr_assert_eq(user, &L);
  cr_assert_not_null(c->s, "a connection is written while still attached");
  L.http_writes++;
  L.status = r->status;
  size_t n = r->body_len < sizeof L.body - 1 ? r->body_len : sizeof L.body - 1;
  if (n) memcpy(L.body, r->body, n); /* a 413 has no body: NULL, 0 */
  L.body[n] = 0;
  return L.fail_writes ? -1 : 0;
}

static int io_ws(void *user, eio_conn *c, const uint8_t *d, size_t n, bool bin) {
  (void)user;
  (void)c;
  (void)bin;
  if (L.ws_writes < 8 && n < 64) {
    memcpy(L.ws[L.ws_writes], d, n);
    L.ws[L.ws_writes][n] = 0;
  }
  L.ws_writes++;
  return L.fail_writes ? -1 : 0;
}

static bool io_busy(void *user, eio_conn *c) {
  (void)user;
  (void)c;
  return L.busy;
}

static int fake_random(void *user, uint8_t *buf, size_t len) {
  (void)user;
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(SEED++ * 31u);
  return 0;
}

/* The application: echo every message (at the time it came). */
static void app_message(void *u, eio_session *s, const uint8_t *d, size_t n, bool bin,
                        uint64_t now_ms) {
  (void)u;
  MSGS++;
  eio_session_send(s, d, n, bin, now_ms);
}
static void app_close(void *u, eio_session *s, eio_close_reason r, uint64_t now_ms) {
  (void)u;
  (void)s;
  (void)r;
  (void)now_ms;
  CLOSES++;
}

static eio_server *make_router(uint32_t ping_interval_ms) {
  eio_server_config c;
  memset(&c, 0, sizeof c);
  eio_config_defaults(&c.session);
  c.session.ping_interval_ms = ping_interval_ms;
  c.session.ping_timeout_ms = 200;
  c.session.max_payload_bytes = 40;
  c.random = fake_random;
  c.on_message = app_message;
  c.on_close = app_close;
  c.wake = eio_driver_wake;
  c.wake_user = D;
  eio_server *srv;
  cr_assert_eq(eio_server_new(&c, &srv), 0);
  cr_assert_eq(eio_driver_add_router(D, srv), 0);
  return srv;
}

static void setup(void) {
  memset(&L, 0, sizeof L);
  memset(C, 0, sizeof C);
  MSGS = CLOSES = 0;
  eio_driver_io io = {io_http, io_ws, io_busy, &L};
  D = eio_driver_new(&io);
  cr_assert_not_null(D);
  SRV = make_router(300);
}

static void teardown(void) {
  eio_server_free(SRV);
  eio_driver_free(D);
}

TestSuite(driver, .init = setup, .fini = teardown);

/* A request on SRV at NOW; returns the response. */
static eio_http_response req(const char *method, const char *query, bool ws, uint64_t now) {
  eio_http_request r = {method, query, NULL, NULL, NULL};
  eio_http_response resp;
  int rc =
      ws ? eio_server_ws_open(SRV, &r, now, &resp) : eio_server_handle_request(SRV, &r, now, &resp);
  cr_assert_eq(rc, 0);
  return resp;
}

static const char *sid_query(eio_session *s, const char *transport) {
  static char q[128];
  snprintf(q, sizeof q, "EIO=4&transport=%s&sid=%s", transport, eio_session_sid(s));
  return q;
}

static int DONE_N, DONE_RC;
static void on_done(void *user, eio_conn *c, int rc) {
  (void)user;
  (void)c;
  DONE_N++;
  DONE_RC = rc;
}

Test(driver, new_refuses_missing_writers) {
  eio_driver_io io = {io_http, NULL, NULL, NULL};
  cr_assert_null(eio_driver_new(&io));
  cr_assert_null(eio_driver_new(NULL));
}

static uint64_t HOOK_NOW;
static uint64_t hook(void *user, uint64_t now_ms) {
  HOOK_NOW = now_ms;
  return *(uint64_t *)user;
}

Test(driver, tick_is_the_earliest_of_routers_and_hooks) {
  eio_server *second = make_router(100);
  uint64_t hook_next = 5000;
  cr_assert_eq(eio_driver_add_hook(D, hook, &hook_next), 0);
  cr_assert_eq(eio_driver_tick(D, 0), 5000, "no sessions: the hook's deadline");
  cr_assert_eq(HOOK_NOW, 0);
  eio_http_response first = req("GET", "EIO=4&transport=polling", false, 0); /* ping at 300 */
  eio_http_request r = {"GET", "EIO=4&transport=polling", NULL, NULL, NULL};
  eio_http_response resp;
  cr_assert_eq(eio_server_handle_request(second, &r, 10, &resp), 0); /* ping at 110 */
  cr_assert_eq(eio_driver_tick(D, 20), 110);
  cr_assert_eq(HOOK_NOW, 20, "the hook gets the driver's now");
  hook_next = 50;
  cr_assert_eq(eio_driver_tick(D, 30), 50);
  eio_server_release(second, resp.session);
  eio_server_release(SRV, first.session);
  eio_server_free(second);
}

Test(driver, held_get_is_answered_by_the_flush_and_released) {
  eio_http_response r = req("GET", "EIO=4&transport=polling", false, 0);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  eio_driver_attach(D, &C[0], EIO_CONN_GET, SRV, r.session);
  cr_assert_eq(eio_session_poll_conn(r.session), &C[0]);
  eio_driver_queue(D, &C[0]);
  cr_assert(eio_driver_woken(&C[0]));
  eio_driver_flush(D, 1, on_done, NULL);
  cr_assert_eq(L.http_writes, 1);
  cr_assert_eq(L.status, 200);
  cr_assert_eq(strncmp(L.body, "0{\"sid\":", 8), 0, "the open packet: %s", L.body);
  cr_assert_eq(DONE_N, 1);
  cr_assert_eq(DONE_RC, EIO_DRIVER_HTTP_END);
  cr_assert_eq(C[0].kind, EIO_CONN_NONE, "released after the answer");
  cr_assert_eq(eio_server_held_count(SRV), 0);
}

Test(driver, get_without_output_stays_held_until_a_wake) {
  eio_http_response r = req("GET", "EIO=4&transport=polling", false, 0);
  eio_driver_attach(D, &C[0], EIO_CONN_GET, SRV, r.session);
  eio_driver_flush(D, 1, on_done, NULL); /* nothing queued for C[0] yet */
  cr_assert_eq(L.http_writes, 0);
  eio_driver_queue(D, &C[0]);
  eio_driver_flush(D, 1, on_done, NULL); /* the open packet */
  eio_session *s = eio_server_find(SRV, eio_session_sid(r.session));
  r = req("GET", sid_query(s, "polling"), false, 2);
  eio_driver_attach(D, &C[1], EIO_CONN_GET, SRV, r.session);
  cr_assert_eq(eio_driver_service(D, &C[1], 2), EIO_DRIVER_KEEP, "nothing to send: held");
  cr_assert_not(eio_driver_woken(&C[1]));
  cr_assert_eq(eio_session_send(s, (const uint8_t *)"hi", 2, false, 3), 0);
  cr_assert(eio_driver_woken(&C[1]), "the session's wake queued its held GET");
  eio_driver_flush(D, 3, on_done, NULL);
  cr_assert_str_eq(L.body, "4hi");
  cr_assert_eq(L.http_writes, 2);
}

Test(driver, post_body_is_routed_by_the_flush_not_before) {
  eio_http_response r = req("GET", "EIO=4&transport=polling", false, 0);
  eio_session *s = r.session;
  eio_server_release(SRV, s);
  r = req("POST", sid_query(s, "polling"), false, 1);
  cr_assert_eq(r.action, EIO_HTTP_READ_BODY);
  eio_driver_attach(D, &C[0], EIO_CONN_POST, SRV, r.session);
  eio_driver_post_ready(D, &C[0], (const uint8_t *)"4abc", 4);
  cr_assert_eq(MSGS, 0, "routed only by the flush");
  eio_driver_flush(D, 2, on_done, NULL);
  cr_assert_eq(MSGS, 1);
  cr_assert_eq(L.status, 200);
  cr_assert_str_eq(L.body, "ok");
  cr_assert_eq(DONE_RC, EIO_DRIVER_HTTP_END);
  cr_assert_eq(C[0].kind, EIO_CONN_NONE);
}

Test(driver, oversize_post_cut_at_the_input_cap_gets_413) {
  eio_http_response r = req("GET", "EIO=4&transport=polling", false, 0);
  eio_session *s = r.session;
  eio_server_release(SRV, s);
  r = req("POST", sid_query(s, "polling"), false, 1);
  eio_driver_attach(D, &C[0], EIO_CONN_POST, SRV, r.session);
  uint8_t cut[41];
  cr_assert_eq(eio_server_input_cap(SRV), sizeof cut);
  memset(cut, 'a', sizeof cut);
  cut[0] = '4';
  eio_driver_post_ready(D, &C[0], cut, sizeof cut);
  eio_driver_flush(D, 2, on_done, NULL);
  cr_assert_eq(L.status, 413); /* EIO-TR-10, EIO-LIM-1 */
  cr_assert_eq(MSGS, 0);
  cr_assert_eq(CLOSES, 1);
}

Test(driver, websocket_output_in_order_then_close) {
  eio_http_response r = req("GET", "EIO=4&transport=websocket", true, 0);
  cr_assert_eq(r.action, EIO_HTTP_WEBSOCKET);
  eio_session *s = r.session;
  eio_driver_attach(D, &C[0], EIO_CONN_WS, SRV, s);
  cr_assert_eq(eio_session_ws_conn(s), &C[0]);
  cr_assert_eq(eio_driver_service(D, &C[0], 0), EIO_DRIVER_KEEP);
  cr_assert_eq(L.ws_writes, 1, "the open packet");
  cr_assert_eq(eio_driver_ws_message(D, &C[0], (const uint8_t *)"4one", 4, false, 1), 0);
  cr_assert_eq(eio_driver_ws_message(D, &C[0], (const uint8_t *)"4two", 4, false, 1), 0);
  cr_assert(eio_driver_woken(&C[0]));
  L.busy = true; /* a partial write: nothing is pulled */
  eio_driver_flush(D, 1, on_done, NULL);
  cr_assert_eq(L.ws_writes, 1);
  cr_assert_not(eio_driver_woken(&C[0]));
  L.busy = false; /* writable again: the I/O layer services it */
  cr_assert_eq(eio_driver_service(D, &C[0], 2), EIO_DRIVER_KEEP);
  cr_assert_eq(L.ws_writes, 3);
  cr_assert_str_eq(L.ws[1], "4one");
  cr_assert_str_eq(L.ws[2], "4two");
  eio_session_close(s, 3); /* EIO-CL-5: CLOSE packet, then the WebSocket closes */
  eio_driver_flush(D, 3, on_done, NULL);
  cr_assert_str_eq(L.ws[3], "1");
  cr_assert_eq(DONE_RC, EIO_DRIVER_WS_CLOSE);
  eio_driver_closed(D, &C[0], 4);
  cr_assert_eq(C[0].kind, EIO_CONN_NONE);
  cr_assert_eq(CLOSES, 1);
  eio_driver_tick(D, 5);
  cr_assert_eq(eio_server_allocated_count(SRV), 0, "the closed session was freed");
}

Test(driver, oversize_websocket_message_is_refused_by_the_session) {
  eio_http_response r = req("GET", "EIO=4&transport=websocket", true, 0);
  eio_driver_attach(D, &C[0], EIO_CONN_WS, SRV, r.session);
  uint8_t big[41];
  memset(big, 'a', sizeof big);
  big[0] = '4';
  cr_assert_eq(eio_driver_ws_message(D, &C[0], big, sizeof big, false, 1),
               REF_ERR_PAYLOAD_TOO_LARGE); /* EIO-TR-18: the I/O layer closes with 1009 */
  cr_assert_eq(MSGS, 0);
  cr_assert_eq(CLOSES, 1, "the WebSocket carried the session: it closed");
  eio_driver_closed(D, &C[0], 2);
}

Test(driver, closed_get_aborts_its_session_and_leaves_the_wake_list) {
  eio_http_response r = req("GET", "EIO=4&transport=polling", false, 0);
  eio_session *s = r.session;
  eio_driver_attach(D, &C[0], EIO_CONN_GET, SRV, s);
  eio_driver_queue(D, &C[0]);
  eio_driver_closed(D, &C[0], 1); /* EIO-TR-12 */
  cr_assert_not(eio_driver_woken(&C[0]), "a gone connection is never flushed");
  cr_assert_eq(CLOSES, 1);
  eio_driver_flush(D, 1, on_done, NULL);
  cr_assert_eq(DONE_N, 0);
  cr_assert_eq(L.http_writes, 0);
}

Test(driver, failed_write_is_reported_and_the_connection_released) {
  eio_http_response r = req("GET", "EIO=4&transport=polling", false, 0);
  eio_driver_attach(D, &C[0], EIO_CONN_GET, SRV, r.session);
  L.fail_writes = 1;
  cr_assert_lt(eio_driver_service(D, &C[0], 1), 0);
  cr_assert_eq(C[0].kind, EIO_CONN_NONE);
  cr_assert_eq(eio_server_held_count(SRV), 0);
}

Test(driver, oversize_message_on_a_probe_ends_only_the_probe) {
  eio_http_response r = req("GET", "EIO=4&transport=polling", false, 0);
  eio_session *s = r.session;
  eio_server_release(SRV, s);
  r = req("GET", sid_query(s, "websocket"), true, 1);
  cr_assert_eq(r.action, EIO_HTTP_WEBSOCKET);
  eio_driver_attach(D, &C[0], EIO_CONN_WS, SRV, s);
  uint8_t big[41];
  memset(big, 'a', sizeof big);
  big[0] = '2';
  /* EIO-LIM-1: refused by the session, whatever the WebSocket carries (1009 close) */
  cr_assert_eq(eio_driver_ws_message(D, &C[0], big, sizeof big, false, 2),
               REF_ERR_PAYLOAD_TOO_LARGE);
  cr_assert_eq(CLOSES, 0, "a probe's message does not close the session");
  eio_driver_closed(D, &C[0], 3); /* the I/O layer closed the probe */
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  cr_assert_eq(eio_session_transport(s), EIO_TRANSPORT_POLLING);
}
