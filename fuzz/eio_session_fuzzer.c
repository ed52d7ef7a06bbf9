/* Fuzz target for the Engine.IO server: the router (eio_server.h) and the session
 * state machine under it (eio_session.h), driven by a script of I/O-layer operations
 * sliced from the input, on a virtual clock, with an echo application on top.
 * Spec tags exercised: EIO-HS (handshake), EIO-TR (polling GET/POST rules), EIO-UP
 * (probe and upgrade), EIO-HB (ping/pong timers), EIO-CL (close), EIO-LIM (limits),
 * EIO-ERR (HTTP errors).
 *
 * Input: 4 header bytes (ping interval, ping timeout, max payload, flags), then
 * operations, each an opcode byte and its arguments (see the op_* enum). Requests
 * that the router holds (a GET, a POST body being read, a WebSocket) go into a hold
 * table of driver connections (eio_driver.h: the loop the adapter runs), and later
 * operations act on a hold chosen by index: answer, abort, feed a body or a WebSocket
 * message, serve (the driver's flush, then every hold), close.
 * Invariants checked:
 *   - no application event for a session after its close event, exactly one close
 *     event per opened session, sids unique;
 *   - everything the server writes is well formed: every poll body iterates with the
 *     payload codec, every WebSocket text message decodes as a packet;
 *   - bounded output: the bytes written stay within a linear bound of the input,
 *     the handshakes and the pings the elapsed time allows, and a drained queue
 *     stays drained;
 *   - the headroom promised before pulled output is writable;
 *   - tick() returns a deadline after now, and it is the earliest deadline of all live
 *     sessions (the router's timer heap misses none);
 *   - after closing everything and letting the timers run out, every session is
 *     freed once its holds are released. */
#include "fuzz_check.h"
#include "fuzz_eio_config.h"
#include "fuzz_script.h"

#include "sioref/eio_codec.h"
#include "sioref/eio_driver.h"
#include "sioref/eio_server.h"
#include "sioref/eio_session.h"
#include "sioref/err.h"
#include "sioref/utf8.h"

#define MAX_HOLDS 16
#define MAX_SIDS  (MAX_OPS + 8) /* at most one handshake per operation */
#define MAX_OPS   256

enum {
  op_handshake_poll, /* GET EIO=4&transport=polling */
  op_handshake_ws,   /* WebSocket EIO=4&transport=websocket */
  op_get,            /* u8 sid index: GET on a known session */
  op_post,           /* u8 sid index, u8 content type, u16 len, body: POST, body read now */
  op_post_begin,     /* u8 sid index: POST whose body comes later (op_hold_act) */
  op_upgrade,        /* u8 sid index: WebSocket with the sid (an upgrade probe) */
  op_hold_act,       /* u8 hold index, u8 action, u16 len, bytes: act on a hold */
  op_tick,           /* u16 ms: advance the clock and run the timers */
  op_app_send,       /* u8 sid index, u8 binary, u16 len, bytes: application send */
  op_app_close,      /* u8 sid index, u8 how: orderly close or abort */
  op_raw_request,    /* u8 method, u8 ws, u16 len, query bytes */
  op_service,        /* answer ready GETs, pull WebSocket output */
  op_count
};

/* A hold points at a driver connection in CONNS, a slot that never moves while
 * attached (the driver and the session point at it); holds themselves are reordered. */
typedef struct hold {
  eio_conn *c;
} hold;

typedef struct world {
  eio_server *srv;
  eio_driver *d;
  eio_conn conns[MAX_HOLDS];
  uint64_t now;
  uint32_t rng;
  hold holds[MAX_HOLDS];
  size_t nholds;
  char sids[MAX_SIDS][EIO_SID_LEN + 1];
  uint8_t closed[MAX_SIDS];
  size_t nsids;
  size_t out_bytes; /* everything pulled so far */
  size_t in_bytes;  /* everything fed so far */
  size_t headroom;
  eio_session *in_callback; /* the session whose on_message runs, for the echo */
} world;

static world W;

/* ---- the application and the callbacks ---- */

static int sid_index(const char *sid) {
  for (size_t i = 0; i < W.nsids; i++)
    if (strcmp(W.sids[i], sid) == 0) return (int)i;
  return -1;
}

/* Deterministic: a replay is the same run. */
static int fuzz_random(void *user, uint8_t *buf, size_t len) {
  (void)user;
  return fuzz_xorshift_fill(&W.rng, buf, len);
}

static void app_open(void *user, eio_session *s, uint64_t now_ms) {
  (void)user;
  FUZZ_CHECK(now_ms == W.now, "on_open carries the time of the call");
  const char *sid = eio_session_sid(s);
  FUZZ_CHECK(strlen(sid) == EIO_SID_LEN, "sid length");
  FUZZ_CHECK(sid_index(sid) < 0, "a sid was handed out twice");
  FUZZ_CHECK(W.nsids < MAX_SIDS, "more sessions than handshakes");
  memcpy(W.sids[W.nsids], sid, EIO_SID_LEN + 1);
  W.closed[W.nsids] = 0;
  W.nsids++;
}

static void app_message(void *user, eio_session *s, const uint8_t *data, size_t len, bool bin,
                        uint64_t now_ms) {
  (void)user;
  FUZZ_CHECK(now_ms == W.now, "on_message carries the time of the call");
  int i = sid_index(eio_session_sid(s));
  FUZZ_CHECK(i >= 0, "message for a session that never opened");
  FUZZ_CHECK(!W.closed[i], "message event after the close event");
  /* The contract's echo application: every message goes back unchanged. */
  eio_session_send(s, data, len, bin, now_ms);
}

static void app_close(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  (void)user;
  FUZZ_CHECK(now_ms <= W.now, "on_close from the future");
  int i = sid_index(eio_session_sid(s));
  FUZZ_CHECK(i >= 0, "close for a session that never opened");
  FUZZ_CHECK(!W.closed[i], "second close event");
  FUZZ_CHECK(reason != EIO_CLOSE_NONE && eio_close_reason_text(reason) != NULL, "close reason");
  W.closed[i] = 1;
}

static void app_wake(void *user, eio_session *s) {
  FUZZ_CHECK(user == &W, "wake_user");
  eio_driver_wake(W.d, s);
}

/* ---- checking output ---- */

static void check_headroom(const uint8_t *out) {
  /* The headroom before pulled output belongs to the caller (LWS_PRE): write it. */
  if (W.headroom) memset((uint8_t *)out - W.headroom, 0xEE, W.headroom);
}

static void check_poll_body(const uint8_t *body, size_t len) {
  check_headroom(body);
  W.out_bytes += len;
  eio_payload_iter it;
  FUZZ_CHECK(eio_payload_iter_init(&it, body, len, 0, 0) == 0, "poll body iterator");
  eio_packet p;
  int rc;
  while ((rc = eio_payload_next(&it, &p)) == 1) {
  }
  if (rc != 0) fuzz_dump("poll body", body, len);
  FUZZ_CHECK(rc == 0, "the server wrote a poll body its own codec rejects");
}

static void check_ws_out(const uint8_t *data, size_t len, bool binary) {
  check_headroom(data);
  W.out_bytes += len;
  if (!binary) {
    eio_packet p;
    int rc = eio_packet_decode_text(data, len, &p);
    if (rc != 0) fuzz_dump("ws message", data, len);
    FUZZ_CHECK(rc == 0, "the server wrote a WebSocket message its own codec rejects");
  }
}

/* ---- holds ---- */

/* Forget the holds whose connection the driver released (an answered GET or POST). */
static void prune(void) {
  for (size_t i = 0; i < W.nholds;) {
    if (W.holds[i].c->kind == EIO_CONN_NONE)
      W.holds[i] = W.holds[--W.nholds];
    else
      i++;
  }
}

static void add_hold(eio_session *s, eio_conn_kind kind) {
  eio_conn *c = NULL;
  for (size_t i = 0; i < MAX_HOLDS && !c; i++)
    if (W.conns[i].kind == EIO_CONN_NONE) c = &W.conns[i];
  if (W.nholds < MAX_HOLDS && c) {
    eio_driver_attach(W.d, c, kind, W.srv, s);
    W.holds[W.nholds++] = (hold){c};
    return;
  }
  /* Table full: finish the request at once, as a client that hangs up would. */
  if (kind == EIO_CONN_GET) eio_server_poll_aborted(W.srv, s, W.now);
  if (kind == EIO_CONN_POST) eio_server_post_aborted(W.srv, s, W.now);
  if (kind == EIO_CONN_WS) eio_server_ws_closed(W.srv, s, W.now);
  eio_server_release(W.srv, s);
}

/* The connection of hold I went away (the client hung up, or the I/O layer closed it). */
static void hang_up(size_t i) {
  eio_driver_closed(W.d, W.holds[i].c, W.now);
  W.holds[i] = W.holds[--W.nholds];
}

static void take_response(const eio_http_response *r) {
  switch (r->action) {
  case EIO_HTTP_RESPOND:
    FUZZ_CHECK(r->session == NULL, "a plain response holds a session");
    FUZZ_CHECK(r->status == 200 || r->status == 204 || r->status == 400 || r->status == 403 ||
                   r->status == 413,
               "unexpected HTTP status");
    FUZZ_CHECK(r->body_len == 0 || r->body != NULL, "body length without a body");
    W.out_bytes += r->body_len;
    break;
  case EIO_HTTP_HOLD_GET:
    add_hold(r->session, EIO_CONN_GET);
    break;
  case EIO_HTTP_READ_BODY:
    add_hold(r->session, EIO_CONN_POST);
    break;
  case EIO_HTTP_WEBSOCKET:
    add_hold(r->session, EIO_CONN_WS);
    break;
  case EIO_HTTP_WEBSOCKET_CLOSE: /* a second WebSocket: 101, then closed */
    FUZZ_CHECK(r->session == NULL, "a WebSocket to close holds a session");
    return;
  default:
    FUZZ_CHECK(0, "unknown HTTP action");
  }
  if (r->action != EIO_HTTP_RESPOND) FUZZ_CHECK(r->session != NULL, "held action without session");
}

/* The driver's HTTP writer: a held GET's poll body, or a routed POST's answer. */
static int io_http(void *user, eio_conn *c, const eio_http_response *r) {
  FUZZ_CHECK(user == &W, "io_user");
  if (c->kind == EIO_CONN_GET) {
    FUZZ_CHECK(r->status == 200 && r->body_len > 0, "empty poll answer");
    check_poll_body(r->body, r->body_len);
  } else {
    take_response(r);
  }
  return 0;
}

static int PULLS;
/* The driver's WebSocket writer. */
static int io_ws(void *user, eio_conn *c, const uint8_t *d, size_t len, bool bin) {
  (void)user;
  (void)c;
  check_ws_out(d, len, bin);
  FUZZ_CHECK(++PULLS < 100000, "a WebSocket queue that never drains");
  return 0;
}

/* What the I/O layer does after the driver served C with RESULT. */
static void served(eio_conn *c, int result) {
  if (result < 0) fprintf(stderr, "driver service: %d\n", result);
  FUZZ_CHECK(result >= 0, "the driver failed to serve a connection");
  if (c->kind == EIO_CONN_WS) {
    const uint8_t *d;
    size_t len;
    bool bin;
    FUZZ_CHECK(eio_session_ws_pull(c->s, &d, &len, &bin) == 0, "a drained queue refilled");
  }
  if (result == EIO_DRIVER_WS_CLOSE) eio_driver_closed(W.d, c, W.now); /* the adapter closes it */
}

static void on_flushed(void *user, eio_conn *c, int result) {
  (void)user;
  served(c, result);
}

/* What the I/O layer does on wake: the driver's flush of the woken connections, then
 * (the fuzzer's extra) every GET and WebSocket held, woken or not. */
static void service(void) {
  PULLS = 0;
  eio_driver_flush(W.d, W.now, on_flushed, NULL);
  for (size_t i = 0; i < W.nholds; i++) {
    eio_conn *c = W.holds[i].c;
    if (c->kind != EIO_CONN_GET && c->kind != EIO_CONN_WS) continue;
    PULLS = 0;
    served(c, eio_driver_service(W.d, c, W.now));
  }
  prune();
}

static const char *sid_at(uint8_t k) {
  return W.nsids ? W.sids[k % W.nsids] : "AAAAAAAAAAAAAAAAAAAA";
}

static void request(const char *method, const char *query, const char *ctype, int ws) {
  eio_http_request req = {method, query, NULL, ctype, NULL};
  eio_http_response r;
  int rc = ws ? eio_server_ws_open(W.srv, &req, W.now, &r)
              : eio_server_handle_request(W.srv, &req, W.now, &r);
  FUZZ_CHECK(rc == 0 || rc == REF_ERR_OUT_OF_MEMORY, "request failed on valid arguments");
  if (rc == 0) take_response(&r);
}

static void sid_request(const char *method, uint8_t k, const char *ctype, int ws) {
  char q[128];
  snprintf(q, sizeof q, "EIO=4&transport=%s&sid=%s", ws ? "websocket" : "polling", sid_at(k));
  request(method, q, ctype, ws);
}

/* op_hold_act: what to do with the hold. */
static void hold_act(uint8_t action, const uint8_t *b, size_t len) {
  eio_conn *c = W.holds[0].c; /* caller rotated the chosen hold to slot 0 */
  W.in_bytes += len;
  switch (c->kind) {
  case EIO_CONN_GET:
    if (action & 1) hang_up(0); /* the client hung up: the session is aborted */
    break;
  case EIO_CONN_POST:
    if (action & 1) {
      hang_up(0); /* before its body: the POST is aborted */
    } else {
      eio_driver_post_ready(W.d, c, b, len);
      FUZZ_CHECK(eio_driver_service(W.d, c, W.now) == EIO_DRIVER_HTTP_END, "POST not answered");
      prune();
    }
    break;
  case EIO_CONN_WS:
    if ((action & 3) == 3) {
      hang_up(0); /* the peer closed the WebSocket */
    } else {
      /* through the router, as the adapter hands messages on */
      int rc = eio_driver_ws_message(W.d, c, b, len, (action & 1) != 0, W.now);
      FUZZ_CHECK(rc == 0 || rc == REF_ERR_PAYLOAD_TOO_LARGE, "ws_message: an unexpected code");
    }
    break;
  case EIO_CONN_NONE:
    FUZZ_CHECK(0, "a hold without a connection");
  }
}

static void run_tick(uint64_t to) {
  W.now = to;
  uint64_t next = eio_driver_tick(W.d, W.now); /* the router's tick, as the adapter runs it */
  FUZZ_CHECK(next > W.now, "tick left a timer due now (the event loop would spin)");
  /* The router's timer heap against every live session, by brute force: a deadline
   * the heap missed would never fire (a session never pinged or never reaped). */
  uint64_t brute = EIO_NO_DEADLINE;
  for (size_t i = 0; i < W.nsids; i++) {
    eio_session *s = eio_server_find(W.srv, W.sids[i]);
    uint64_t d = s ? eio_session_next_deadline(s) : EIO_NO_DEADLINE;
    FUZZ_CHECK(d > W.now, "a session due now was not ticked");
    if (d < brute) brute = d;
  }
  FUZZ_CHECK(next == brute, "the timer heap disagrees with the sessions' deadlines");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  fuzz_reader rd = {data, size};
  memset(&W, 0, sizeof W);
  W.now = 1000;
  W.rng = 0x12345678u;

  eio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  eio_config_defaults(&cfg.session);
  uint8_t flags = fuzz_eio_config_read(&rd, &cfg.session, 16u, 16u, 0x0fu);
  static const char *const any[] = {"*"};
  static const char *const one[] = {"http://example.test"};
  if (flags & 4) {
    cfg.cors_origins = (flags & 8) ? any : one;
    cfg.n_cors_origins = 1;
  }
  cfg.random = fuzz_random;
  cfg.on_open = app_open;
  cfg.on_message = app_message;
  cfg.on_close = app_close;
  cfg.wake = app_wake;
  cfg.wake_user = &W;
  eio_driver_io io = {io_http, io_ws, NULL, &W};
  W.d = eio_driver_new(&io);
  FUZZ_CHECK(W.d != NULL, "driver_new");
  W.headroom = cfg.session.out_headroom;
  FUZZ_CHECK(eio_server_new(&cfg, &W.srv) == 0, "server_new");
  FUZZ_CHECK(eio_driver_add_router(W.d, W.srv) == 0, "add_router");
  uint64_t start = W.now;
  size_t ops = 0, handshakes = 0;

  while (rd.n && ops < MAX_OPS) {
    ops++;
    uint8_t op = fuzz_u8(&rd) % op_count;
    switch (op) {
    case op_handshake_poll:
      handshakes++;
      request("GET", "EIO=4&transport=polling", NULL, 0);
      break;
    case op_handshake_ws:
      handshakes++;
      request("GET", "EIO=4&transport=websocket", NULL, 1);
      break;
    case op_get:
      sid_request("GET", fuzz_u8(&rd), NULL, 0);
      break;
    case op_post: {
      uint8_t k = fuzz_u8(&rd), ct = fuzz_u8(&rd);
      size_t len = fuzz_u16(&rd);
      const uint8_t *b = fuzz_take(&rd, &len);
      sid_request("POST", k, (ct & 3) == 1 ? "application/octet-stream" : NULL, 0);
      /* If the POST was taken, it is the newest hold: give it the body now. */
      if (W.nholds && W.holds[W.nholds - 1].c->kind == EIO_CONN_POST) {
        hold tmp = W.holds[0];
        W.holds[0] = W.holds[W.nholds - 1];
        W.holds[W.nholds - 1] = tmp;
        hold_act((ct >> 2) & 2, b, len);
      }
      break;
    }
    case op_post_begin:
      sid_request("POST", fuzz_u8(&rd), NULL, 0);
      break;
    case op_upgrade:
      sid_request("GET", fuzz_u8(&rd), NULL, 1);
      break;
    case op_hold_act: {
      uint8_t k = fuzz_u8(&rd), action = fuzz_u8(&rd);
      size_t len = fuzz_u16(&rd) & 0x0fff;
      const uint8_t *b = fuzz_take(&rd, &len);
      if (!W.nholds) break;
      size_t i = k % W.nholds;
      hold tmp = W.holds[0];
      W.holds[0] = W.holds[i];
      W.holds[i] = tmp;
      hold_act(action, b, len);
      break;
    }
    case op_tick:
      run_tick(W.now + fuzz_u16(&rd));
      break;
    case op_app_send: {
      uint8_t k = fuzz_u8(&rd), bin = fuzz_u8(&rd);
      size_t len = fuzz_u8(&rd);
      const uint8_t *b = fuzz_take(&rd, &len);
      W.in_bytes += len;
      eio_session *s = eio_server_find(W.srv, sid_at(k));
      if (s) {
        /* The session refuses text that is not UTF-8, and text holding U+001E while
         * on polling (EIO-PL-8: it cannot travel in a poll body; finding F1). */
        bool binary = bin & 1;
        bool refuse =
            !binary &&
            (!ref_utf8_valid(b, len) ||
             (eio_session_transport(s) == EIO_TRANSPORT_POLLING && len && memchr(b, 0x1e, len)));
        int rc = eio_session_send(s, b, len, binary, W.now);
        if (refuse)
          FUZZ_CHECK(rc == REF_ERR_INVALID_ARGUMENT || rc == REF_ERR_BAD_STATE,
                     "send accepted text a poll body or the peer cannot carry");
        else
          FUZZ_CHECK(rc == 0 || rc == REF_ERR_BAD_STATE, "send to a live session failed");
      }
      break;
    }
    case op_app_close: {
      uint8_t k = fuzz_u8(&rd), how = fuzz_u8(&rd);
      eio_session *s = eio_server_find(W.srv, sid_at(k));
      if (s && (how & 1))
        eio_session_abort(s, EIO_CLOSE_SERVER, W.now);
      else if (s)
        eio_session_close(s, W.now);
      break;
    }
    case op_raw_request: {
      static const char *const methods[] = {"GET", "POST", "OPTIONS", "PUT"};
      uint8_t m = fuzz_u8(&rd), ws = fuzz_u8(&rd);
      size_t len = fuzz_u8(&rd);
      const uint8_t *b = fuzz_take(&rd, &len);
      char q[257];
      for (size_t i = 0; i < len; i++) q[i] = b[i] ? (char)b[i] : '&';
      q[len] = '\0';
      request(methods[m & 3], (m & 4) ? NULL : q, (m & 8) ? "text/plain" : NULL, ws & 1);
      break;
    }
    case op_service:
      service();
      break;
    default:
      break;
    }
  }
  service();

  /* Bounded output: echoes of what came in (base64 adds a third), open packets,
   * error bodies, the pings the elapsed time allows, and per-operation framing. */
  uint64_t elapsed = W.now - start;
  size_t pings = (size_t)(elapsed / cfg.session.ping_interval_ms + 2) * (W.nsids + 1);
  size_t bound = 2 * W.in_bytes + 512 * (handshakes + 1) + 256 * ops + 8 * pings;
  FUZZ_CHECK(W.out_bytes <= bound, "the server wrote more than its inputs can explain");

  /* Shut down like the adapter: close everything, let the clients go away, let the
   * timers run out; then every session must be closed and freed. */
  eio_server_close_all(W.srv, W.now);
  service();
  while (W.nholds) hang_up(W.nholds - 1);
  uint64_t longest = (uint64_t)cfg.session.ping_interval_ms + cfg.session.ping_timeout_ms +
                     cfg.session.upgrade_timeout_ms + cfg.session.close_timeout_ms;
  for (int round = 0; round < 4; round++) run_tick(W.now + longest + 1);
  FUZZ_CHECK(eio_server_session_count(W.srv) == 0, "a session outlived shutdown");
  FUZZ_CHECK(eio_server_allocated_count(W.srv) == 0, "a released, closed session was not freed");
  for (size_t i = 0; i < W.nsids; i++)
    FUZZ_CHECK(W.closed[i], "a session never got its close event");
  eio_server_free(W.srv);
  eio_driver_free(W.d);
  return 0;
}
