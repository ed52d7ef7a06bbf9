/* Unit tests for the Engine.IO -> Socket.IO glue (eio_sio_glue.h): a router, the glue
 * and a small Socket.IO application, driven through the sans-I/O driver by a fake I/O
 * layer on a virtual clock (no sleeps). Each test would fail if the glue sent a
 * message, a close or a timer to the wrong session or at the wrong time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sioref/eio_driver.h"
#include "sioref/eio_sio_glue.h"
#include "sioref/sio_emit.h"
#include "sioref/sio_room.h"

#define CONNECT_TIMEOUT_MS 500

/* ---- the application: "echo" answers on the same socket, "bye" closes its client ---- */

static int DISCONNECTS, LAST_DC_REASON;
static char LAST_DC_SID[SIO_SID_LEN + 1];

static void app_event(void *user, sio_socket *s, const sio_event *ev) {
  (void)user;
  if (ev->name.len == 4 && memcmp(ev->name.ptr, "echo", 4) == 0)
    sio_socket_emit(s, "echo", ev->args.args, NULL, 0, NULL);
  else if (ev->name.len == 3 && memcmp(ev->name.ptr, "bye", 3) == 0)
    sio_client_close(sio_socket_client(s));
}

static void app_disconnect(void *user, sio_socket *s, sio_disconnect_reason why) {
  (void)user;
  DISCONNECTS++;
  LAST_DC_REASON = (int)why;
  snprintf(LAST_DC_SID, sizeof LAST_DC_SID, "%s", sio_socket_id(s));
}

static const sio_namespace_config NAMESPACES[] = {
    {.name = "/", .on_event = app_event, .on_disconnect = app_disconnect},
};

static uint32_t SEED;
static int app_random(void *user, uint8_t *buf, size_t len) {
  cr_assert_eq(user, &SEED, "the glue passes the application's own random user");
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(SEED++ * 37u);
  return 0;
}

/* ---- the fake I/O layer: one slot per connection, the last HTTP answer of each ---- */

#define NCONN 8
static eio_conn CONNS[NCONN];
static char OUT[NCONN][512];
static eio_driver *D;
static eio_server *SRV;
static eio_sio_glue *G;

static int io_http(void *user, eio_conn *c, const eio_http_response *r) {
  (void)user;
  size_t i = (size_t)(c - CONNS);
  size_t n = r->body_len < sizeof OUT[i] - 1 ? r->body_len : sizeof OUT[i] - 1;
  memcpy(OUT[i], r->body, n);
  OUT[i][n] = 0;
  return 0;
}

static int io_ws(void *user, eio_conn *c, const uint8_t *d, size_t n, bool bin) {
  (void)user;
  (void)c;
  (void)d;
  (void)n;
  (void)bin;
  return 0;
}

static void setup(void) {
  memset(CONNS, 0, sizeof CONNS);
  memset(OUT, 0, sizeof OUT);
  DISCONNECTS = LAST_DC_REASON = 0;
  eio_driver_io io = {io_http, io_ws, NULL, NULL};
  D = eio_driver_new(&io);
  sio_server_config app = {0};
  app.namespaces = NAMESPACES;
  app.n_namespaces = 1;
  app.connect_timeout_ms = CONNECT_TIMEOUT_MS;
  app.random = app_random;
  app.user = &SEED;
  G = eio_sio_glue_new(&app, false);
  cr_assert_not_null(G);
  eio_server_config c;
  memset(&c, 0, sizeof c);
  eio_config_defaults(&c.session);
  c.session.ping_interval_ms = 10000; /* no heartbeat in these tests */
  c.session.ping_timeout_ms = 10000;
  c.random = app_random;
  c.random_user = &SEED;
  c.allow_eio3 = true; /* v4 sessions keep their rules; glue_v3 opens a v3 one */
  eio_sio_glue_eio_callbacks(G, &c);
  c.wake = eio_driver_wake;
  c.wake_user = D;
  cr_assert_eq(eio_server_new(&c, &SRV), 0);
  cr_assert_eq(eio_driver_add_router(D, SRV), 0);
  cr_assert_eq(eio_driver_add_hook(D, eio_sio_glue_tick, G), 0);
}

static void teardown(void) {
  eio_server_free(SRV); /* first the sessions, then the clients */
  eio_sio_glue_free(G);
  eio_driver_free(D);
}

TestSuite(glue, .init = setup, .fini = teardown);

static size_t NEXT_CONN;
static eio_conn *conn(void) {
  for (size_t k = 0; k < NCONN; k++) {
    size_t i = (NEXT_CONN + k) % NCONN;
    if (CONNS[i].kind == EIO_CONN_NONE) {
      NEXT_CONN = i + 1;
      OUT[i][0] = 0;
      return &CONNS[i];
    }
  }
  cr_assert_fail("out of connection slots");
  return NULL;
}

static eio_http_response request(const char *method, const char *query, uint64_t now) {
  eio_http_request r = {method, query, NULL, NULL, NULL};
  eio_http_response resp;
  cr_assert_eq(eio_server_handle_request(SRV, &r, now, &resp), 0);
  return resp;
}

/* A polling handshake at NOW; returns the session (its open packet collected). */
static eio_session *handshake(uint64_t now) {
  eio_http_response r = request("GET", "EIO=4&transport=polling", now);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  eio_session *s = r.session;
  eio_conn *c = conn();
  eio_driver_attach(D, c, EIO_CONN_GET, SRV, s);
  cr_assert_eq(eio_driver_service(D, c, now), EIO_DRIVER_HTTP_END);
  cr_assert_eq(OUT[c - CONNS][0], '0', "the open packet");
  return s;
}

static const char *q_sid(eio_session *s) {
  static char q[96];
  snprintf(q, sizeof q, "EIO=4&transport=polling&sid=%s", eio_session_sid(s));
  return q;
}

/* A POST of BODY to S at NOW, routed by the driver's flush. */
static void post(eio_session *s, const char *body, uint64_t now) {
  eio_http_response r = request("POST", q_sid(s), now);
  cr_assert_eq(r.action, EIO_HTTP_READ_BODY);
  eio_conn *c = conn();
  eio_driver_attach(D, c, EIO_CONN_POST, SRV, s);
  eio_driver_post_ready(D, c, (const uint8_t *)body, strlen(body));
  eio_driver_flush(D, now, NULL, NULL);
  cr_assert_str_eq(OUT[c - CONNS], "ok");
}

/* A GET for S at NOW: returns its slot; OUT[slot] is "" while it stays held. */
static size_t poll_get(eio_session *s, uint64_t now) {
  eio_http_response r = request("GET", q_sid(s), now);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  eio_conn *c = conn();
  eio_driver_attach(D, c, EIO_CONN_GET, SRV, s);
  eio_driver_service(D, c, now);
  return (size_t)(c - CONNS);
}

static sio_namespace *root(void) { return sio_server_namespace(eio_sio_glue_server(G), "/"); }

Test(glue, new_needs_an_application) {
  cr_assert_null(eio_sio_glue_new(NULL, false));
  sio_server_config app = {0};
  app.namespaces = NAMESPACES;
  app.n_namespaces = 1;
  cr_assert_null(eio_sio_glue_new(&app, false), "no random source");
}

Test(glue, every_session_gets_its_own_client) {
  cr_assert_eq(sio_server_client_count(eio_sio_glue_server(G)), 0);
  handshake(1000);
  handshake(1000);
  cr_assert_eq(sio_server_client_count(eio_sio_glue_server(G)), 2);
}

Test(glue, messages_go_to_their_own_client_and_back) {
  eio_session *a = handshake(1000), *b = handshake(1000);
  post(a, "40", 1001);
  post(b, "40", 1001);
  size_t ga = poll_get(a, 1002), gb = poll_get(b, 1002);
  cr_assert_eq(strncmp(OUT[ga], "40{\"sid\":", 9), 0, "A's CONNECT answered on A: %s", OUT[ga]);
  cr_assert_eq(strncmp(OUT[gb], "40{\"sid\":", 9), 0, "B's CONNECT answered on B: %s", OUT[gb]);
  cr_assert_eq(sio_namespace_socket_count(root()), 2);
  gb = poll_get(b, 1003); /* held: B has nothing */
  post(a, "42[\"echo\",\"from-a\"]", 1004);
  ga = poll_get(a, 1005);
  cr_assert_str_eq(OUT[ga], "42[\"echo\",\"from-a\"]");
  cr_assert_str_eq(OUT[gb], "", "nothing for B");
  cr_assert_eq(CONNS[gb].kind, EIO_CONN_GET, "B's GET is still held");
}

Test(glue, a_session_close_reaches_only_its_socket) {
  eio_session *a = handshake(1000), *b = handshake(1000);
  post(a, "40", 1001);
  post(b, "40", 1001);
  poll_get(a, 1002);
  size_t gb = poll_get(b, 1002);
  char b_sid[SIO_SID_LEN + 1];
  snprintf(b_sid, sizeof b_sid, "%.*s", SIO_SID_LEN, OUT[gb] + 10);
  post(b, "1", 1003); /* EIO-CL-1: B's client closes its Engine.IO session */
  cr_assert_eq(DISCONNECTS, 1);
  cr_assert_eq(LAST_DC_REASON, SIO_DC_TRANSPORT_CLOSE);
  cr_assert_str_eq(LAST_DC_SID, b_sid, "the socket of the closed session left");
  cr_assert_eq(sio_namespace_socket_count(root()), 1);
  cr_assert_eq(eio_session_state_get(a), EIO_SESSION_OPEN);
  /* B's client is freed by the next tick, never inside the close callback */
  cr_assert_eq(sio_server_client_count(eio_sio_glue_server(G)), 2);
  eio_driver_tick(D, 1004);
  cr_assert_eq(sio_server_client_count(eio_sio_glue_server(G)), 1);
}

Test(glue, an_application_close_closes_only_its_session) {
  eio_session *a = handshake(1000), *b = handshake(1000);
  post(a, "40", 1001);
  post(b, "40", 1001);
  poll_get(a, 1002);
  poll_get(b, 1002);
  post(a, "42[\"bye\"]", 1003);
  cr_assert_eq(eio_session_state_get(a), EIO_SESSION_CLOSING, "EIO-CL-4: an orderly close");
  cr_assert_eq(eio_session_state_get(b), EIO_SESSION_OPEN);
  size_t ga = poll_get(a, 1004);
  const char *last = strrchr(OUT[ga], 0x1e);
  cr_assert_str_eq(last ? last + 1 : OUT[ga], "1", "A's poll ends with the CLOSE packet");
  cr_assert_eq(DISCONNECTS, 1);
  cr_assert_eq(LAST_DC_REASON, SIO_DC_SERVER_NAMESPACE_DISCONNECT);
}

Test(glue, the_connect_timer_runs_on_the_callbacks_clock) {
  eio_session *a = handshake(1000); /* opened at 1000: CONNECT due by 1500 */
  eio_session *b = handshake(1200); /* by 1700 */
  cr_assert_eq(eio_sio_glue_tick(G, 1200), 1000 + CONNECT_TIMEOUT_MS,
               "the deadline counts from on_open's now_ms");
  eio_driver_tick(D, 1499);
  cr_assert_eq(eio_session_state_get(a), EIO_SESSION_OPEN);
  eio_driver_tick(D, 1500);
  cr_assert_neq(eio_session_state_get(a), EIO_SESSION_OPEN, "A timed out at 1500");
  cr_assert_eq(eio_session_state_get(b), EIO_SESSION_OPEN, "B is not due before 1700");
  cr_assert_eq(eio_sio_glue_tick(G, 1500), 1200 + CONNECT_TIMEOUT_MS);
  post(b, "40", 1600); /* B joins in time: its timer is gone */
  eio_driver_tick(D, 1800);
  cr_assert_eq(eio_session_state_get(b), EIO_SESSION_OPEN);
  cr_assert_eq(sio_namespace_socket_count(root()), 1);
}

/* SIO-FNS-1, EIO-TVER-4: an Engine.IO v3 session gets a protocol v4 client: "/" is
 * connected at once, so the handshake's answer already holds "40" after the open
 * packet, and an event is answered in a length-prefixed body. */
Test(glue, v3_session_gets_an_implicit_main_namespace) {
  eio_http_response r = request("GET", "EIO=3&transport=polling", 1000);
  cr_assert_eq(r.action, EIO_HTTP_HOLD_GET);
  eio_session *s = r.session;
  eio_conn *c = conn();
  eio_driver_attach(D, c, EIO_CONN_GET, SRV, s);
  cr_assert_eq(eio_driver_service(D, c, 1000), EIO_DRIVER_HTTP_END);
  const char *out = OUT[c - CONNS];
  cr_assert(strchr(out, ':') && strchr(out, ':')[1] == '0', "the open packet: %s", out);
  cr_assert_str_eq(out + strlen(out) - 4, "2:40", "then CONNECT for /: %s", out);
  cr_assert_eq(sio_namespace_socket_count(root()), 1);
  char q[96];
  snprintf(q, sizeof q, "EIO=3&transport=polling&sid=%s", eio_session_sid(s));
  r = request("POST", q, 1001);
  cr_assert_eq(r.action, EIO_HTTP_READ_BODY);
  c = conn();
  eio_driver_attach(D, c, EIO_CONN_POST, SRV, s);
  const char *body = "15:42[\"echo\",\"v3\"]";
  eio_driver_post_ready(D, c, (const uint8_t *)body, strlen(body));
  eio_driver_flush(D, 1001, NULL, NULL);
  cr_assert_str_eq(OUT[c - CONNS], "ok");
  r = request("GET", q, 1002);
  c = conn();
  eio_driver_attach(D, c, EIO_CONN_GET, SRV, s);
  eio_driver_service(D, c, 1002);
  cr_assert_str_eq(OUT[c - CONNS], "15:42[\"echo\",\"v3\"]");
}

/* A parser (eio_sio_glue_set_parser) sits on both directions: here decode passes text
 * through and refuses binary; encode sends every layer message as binary. */
static int tp_decode(void *st, const uint8_t *d, size_t n, bool bin, eio_sio_emit_fn emit,
                     void *ctx) {
  (void)st;
  return bin ? REF_ERR_BAD_MSGPACK : emit(ctx, false, d, n);
}
static int tp_encode(void *st, bool bin, const uint8_t *d, size_t n, eio_sio_emit_fn emit,
                     void *ctx) {
  (void)st, (void)bin;
  return emit(ctx, true, d, n);
}

Test(glue, parser_converts_both_ways_and_its_refusal_closes) {
  static const eio_sio_parser tp = {tp_decode, tp_encode, NULL};
  eio_sio_glue_set_parser(G, &tp);
  eio_session *s = handshake(1000);
  post(s, "40", 1001);
  size_t g = poll_get(s, 1002);
  cr_assert_eq(strncmp(OUT[g], "b", 1), 0, "the CONNECT answer went out binary: %s", OUT[g]);
  cr_assert_eq(sio_namespace_socket_count(root()), 1);
  post(s, "bNDI=", 1003); /* a binary message: the parser refuses it */
  cr_assert_eq(sio_namespace_socket_count(root()), 0);
  g = poll_get(s, 1004);
  cr_assert_str_eq(OUT[g], "1", "the session closes: %s", OUT[g]);
}
