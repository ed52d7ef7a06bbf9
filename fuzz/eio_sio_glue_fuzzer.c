/* Fuzz target for the whole sioref stack minus sockets: the Engine.IO router
 * (eio_server.h) wired to the glue (eio_sio_glue.h, library sioref_core) exactly as
 * sioref_main.c wires it, the Socket.IO layer and the contract app behind it, driven by
 * a script of I/O-layer operations on a virtual clock through the same sans-I/O
 * driver (eio_driver.h) the libwebsockets adapter runs: its timers (router tick, then
 * the glue's tick), its wake list and its flush.
 * Spec tags exercised: EIO-HS, EIO-TR, EIO-UP, EIO-HB, EIO-CL (closes reach the
 * Socket.IO layer), SIO-NS, SIO-EV, SIO-ACK, SIO-ROOM, SIO-DC, SIO-BIN, and the
 * contract's CT-12..CT-42.
 *
 * Time reaches the glue only as the now_ms of the router's callbacks and ticks.
 *
 * Input: 4 header bytes (ping interval, ping timeout, max payload, flags: bit 0 no
 * upgrades, bit 1 16 bytes of headroom, bit 2 at most 4 sessions, bit 3 abrupt
 * teardown, bits 4-5 upgrade/close timeouts, bits 6-7 connect timeout), then
 * operations, each an opcode byte and its arguments (see the op_* enum). Sessions
 * are named by their index in handshake order (taken modulo the number opened).
 * Requests the router holds (a GET, a WebSocket) go into a hold table of driver
 * connections; like the adapter, a new hold is serviced at once and later only after
 * a wake (the driver's flush); a POST body is routed through the driver too.
 * Invariants checked:
 *   - one close event per opened session, none before its open, no message after it;
 *     the glue detaches its client from a closing session;
 *   - after every tick the glue has freed the client of every closed session (the
 *     Socket.IO client count equals the sessions opened with a client and not closed);
 *   - every poll body iterates with the payload codec, every WebSocket text message
 *     decodes as an Engine.IO packet, and every Socket.IO packet inside a MESSAGE
 *     decodes with sio_packet_decode and reassembles (attachments) with our codec;
 *   - no lost wake: a held GET that has an answer ready, or a WebSocket with output or
 *     a close pending, was woken (else the adapter would never write it);
 *   - each tick returns deadlines after now;
 *   - the headroom promised before pulled output is writable;
 *   - after closing everything and running the timers out, every session is freed
 *     (eio_server_allocated_count == 0), no Socket.IO client is left, and every
 *     session got its close (leaks: LeakSanitizer); with flags bit 3 the teardown is
 *     sioref's abrupt exit instead (connections dropped, router freed, then the glue
 *     freed), checked by ASan and LSan. */
#include "fuzz_check.h"
#include "fuzz_eio_config.h"
#include "fuzz_contract.h"
#include "fuzz_script.h"
#include "fuzz_sio_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/contract_app.h"
#include "sioref/eio_codec.h"
#include "sioref/eio_driver.h"
#include "sioref/eio_server.h"
#include "sioref/eio_session.h"
#include "sioref/err.h"
#include "sioref/sio_binary.h"
#include "sioref/sio_codec.h"
#include "sioref/eio_sio_glue.h"
#include "sioref/sio_server.h"

#define MAX_HOLDS 16
#define MAX_SIDS  24 /* handshakes past this are skipped */
#define MAX_OPS   256
#define BODY_CAP  8192

enum {
  op_handshake_poll, /* GET EIO=4&transport=polling on the Socket.IO path */
  op_handshake_ws,   /* WebSocket EIO=4&transport=websocket */
  op_get,            /* u8 sid: a GET (held, or refused) */
  op_post,           /* u8 sid, u8 content type, u16 len, body: a raw POST */
  op_upgrade,        /* u8 sid: WebSocket with the sid (a probe) */
  op_ws_msg,         /* u8 sid, u8 binary, u16 len, bytes: raw Engine.IO WebSocket message */
  op_sio,            /* u8 sid, u8 kind, u8 ns, u8 event, u8 flags, u8 len, arg bytes */
  op_sio_raw,        /* u8 sid, u8 binary, u16 len, bytes: one Socket.IO message */
  op_probe,          /* u8 sid, u8 steps: "2probe" / service / "5" on the probe WebSocket */
  op_hang_up,        /* u8 sid, u8 what: bit 0 the held GET goes away, bit 1 the WebSocket */
  op_tick,           /* u16 ms: advance the clock, run the timers like the adapter */
  op_service,        /* write what the woken connections have (the driver's flush) */
  op_server_close,   /* u8 sid, u8 how: eio_session_close or abort (shutdown paths) */
  op_count
};

/* A connection of the fake I/O layer: a driver connection in a slot that never moves
 * (the driver and the session point at it). Free when dc.kind is EIO_CONN_NONE. */
typedef struct hold {
  eio_conn dc;
  uint32_t seq; /* when it was attached: the newest WebSocket of a session wins */
} hold;

typedef struct sess {
  char sid[EIO_SID_LEN + 1];
  bool closed, has_client;
  fuzz_sio_out out; /* the Socket.IO packets the server wrote, reassembled */
} sess;

static struct {
  eio_server *srv;
  eio_sio_glue *glue;
  eio_driver *d;
  /* the glue's callbacks, forwarded to by the observing wrappers below */
  void (*g_open)(void *, eio_session *, uint64_t);
  void (*g_message)(void *, eio_session *, const uint8_t *, size_t, bool, uint64_t);
  void (*g_close)(void *, eio_session *, eio_close_reason, uint64_t);
  void *g_user;
  uint64_t now;
  uint32_t rng;
  hold holds[MAX_HOLDS];
  uint32_t seq;
  int pulls; /* WebSocket messages written in the current service */
  sess ss[MAX_SIDS];
  size_t nsids;
  size_t clients_made, clients_closed, wakes;
  size_t headroom;
} W;

/* ---- the observing wrappers around the glue's callbacks ---- */

static sess *sess_of(const char *sid) {
  for (size_t i = 0; i < W.nsids; i++)
    if (strcmp(W.ss[i].sid, sid) == 0) return &W.ss[i];
  return NULL;
}

/* Deterministic: a replay is the same run. */
static int fuzz_random(void *user, uint8_t *buf, size_t len) {
  (void)user;
  return fuzz_xorshift_fill(&W.rng, buf, len);
}

static void w_open(void *user, eio_session *s, uint64_t now_ms) {
  FUZZ_CHECK(now_ms == W.now, "on_open carries the time of the call");
  const char *sid = eio_session_sid(s);
  FUZZ_CHECK(strlen(sid) == EIO_SID_LEN, "sid length");
  FUZZ_CHECK(sess_of(sid) == NULL, "a sid was handed out twice");
  FUZZ_CHECK(W.nsids < MAX_SIDS, "more sessions than handshakes");
  sess *k = &W.ss[W.nsids++];
  memset(k, 0, sizeof *k);
  memcpy(k->sid, sid, EIO_SID_LEN + 1);
  fuzz_sio_out_init(&k->out);
  W.g_open(user, s, now_ms);
  k->has_client = eio_session_user_data(s) != NULL;
  if (k->has_client) W.clients_made++;
}

static void w_message(void *user, eio_session *s, const uint8_t *d, size_t n, bool bin,
                      uint64_t now_ms) {
  FUZZ_CHECK(now_ms == W.now, "on_message carries the time of the call");
  sess *k = sess_of(eio_session_sid(s));
  FUZZ_CHECK(k != NULL, "message for a session that never opened");
  FUZZ_CHECK(!k->closed, "message event after the close event");
  W.g_message(user, s, d, n, bin, now_ms);
}

static void w_close(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  FUZZ_CHECK(now_ms <= W.now, "on_close from the future");
  sess *k = sess_of(eio_session_sid(s));
  FUZZ_CHECK(k != NULL, "close for a session that never opened");
  FUZZ_CHECK(!k->closed, "second close event");
  FUZZ_CHECK(reason != EIO_CLOSE_NONE && eio_close_reason_text(reason) != NULL, "close reason");
  k->closed = true;
  if (eio_session_user_data(s)) W.clients_closed++;
  W.g_close(user, s, reason, now_ms);
  FUZZ_CHECK(eio_session_user_data(s) == NULL, "the glue left its client on a closed session");
}

/* The router's wake (sioref_adapter_wake in sioref): the driver's wake list. */
static void w_wake(void *user, eio_session *s) {
  FUZZ_CHECK(user == &W, "wake_user");
  FUZZ_CHECK(strlen(eio_session_sid(s)) == EIO_SID_LEN, "wake for a session that is gone");
  W.wakes++;
  eio_driver_wake(W.d, s);
}

/* ---- checking output ---- */

/* One Socket.IO message the server wrote to K (DATA/LEN borrowed). */
static void check_sio(sess *k, bool binary, const uint8_t *data, size_t len) {
  const uint8_t *copy = fuzz_sio_out_keep(&k->out, data, len);
  sio_packet p;
  if (!binary) {
    int rc = sio_packet_decode(copy, len, &fuzz_out_opts, &p);
    if (rc != 0) fuzz_dump("socket.io text output", data, len);
    FUZZ_CHECK(rc == 0, "the server wrote a Socket.IO packet sio_packet_decode rejects");
  }
  int rc = fuzz_sio_out_feed(&k->out, binary, copy, len, &p);
  if (rc < 0) fuzz_dump(binary ? "socket.io binary output" : "socket.io text output", data, len);
  FUZZ_CHECK(rc >= 0, "the server's Socket.IO output does not reassemble with our codec");
}

/* The headroom before pulled output belongs to the caller (LWS_PRE): write it. */
static void check_headroom(const uint8_t *out) {
  if (W.headroom) memset((uint8_t *)out - W.headroom, 0xEE, W.headroom);
}

static void check_poll_body(eio_session *s, const uint8_t *body, size_t len) {
  check_headroom(body);
  sess *k = sess_of(eio_session_sid(s));
  FUZZ_CHECK(k != NULL, "poll answer for an unknown session");
  eio_payload_iter it;
  FUZZ_CHECK(eio_payload_iter_init(&it, body, len, 0, 0) == 0, "poll body iterator");
  eio_packet p;
  int rc;
  while ((rc = eio_payload_next(&it, &p)) == 1) {
    if (p.type != EIO_PACKET_MESSAGE) continue;
    if (p.kind == EIO_DATA_BASE64) {
      size_t cap = eio_base64_decoded_len(p.data.len);
      uint8_t *raw = malloc(cap ? cap : 1);
      FUZZ_CHECK(raw != NULL, "out of memory");
      int n = eio_base64_decode(p.data.ptr, p.data.len, raw, cap);
      FUZZ_CHECK(n >= 0, "the server wrote base64 its own codec rejects");
      check_sio(k, true, raw, (size_t)n);
      free(raw);
    } else {
      check_sio(k, false, p.data.ptr, p.data.len);
    }
  }
  if (rc != 0) fuzz_dump("poll body", body, len);
  FUZZ_CHECK(rc == 0, "the server wrote a poll body its own codec rejects");
}

static void check_ws_out(eio_session *s, const uint8_t *data, size_t len, bool binary) {
  check_headroom(data);
  sess *k = sess_of(eio_session_sid(s));
  FUZZ_CHECK(k != NULL, "WebSocket output for an unknown session");
  if (binary) {
    check_sio(k, true, data, len);
    return;
  }
  eio_packet p;
  int rc = eio_packet_decode_text(data, len, &p);
  if (rc != 0) fuzz_dump("ws message", data, len);
  FUZZ_CHECK(rc == 0, "the server wrote a WebSocket message its own codec rejects");
  if (p.type == EIO_PACKET_MESSAGE) check_sio(k, false, p.data.ptr, p.data.len);
}

/* ---- holds: the fake I/O layer under the driver ---- */

/* The driver's HTTP writer: a held GET's poll body, or a routed POST's answer. */
static int io_http(void *user, eio_conn *c, const eio_http_response *r) {
  FUZZ_CHECK(user == &W, "io_user");
  FUZZ_CHECK(c->s != NULL, "an HTTP answer for a released connection");
  if (c->kind == EIO_CONN_GET) {
    FUZZ_CHECK(r->status == 200 && r->body_len > 0, "empty poll answer");
    check_poll_body(c->s, r->body, r->body_len);
  } else {
    FUZZ_CHECK(r->session == NULL, "a POST answer holds a session");
    FUZZ_CHECK(r->status == 200 || r->status == 400 || r->status == 413,
               "unexpected HTTP status for a POST");
  }
  return 0;
}

/* The driver's WebSocket writer (what the adapter's lws_write does). */
static int io_ws(void *user, eio_conn *c, const uint8_t *d, size_t len, bool bin) {
  (void)user;
  check_ws_out(c->s, d, len, bin);
  FUZZ_CHECK(++W.pulls < 100000, "a WebSocket queue that never drains");
  return 0;
}

/* The connection went away (the client hung up, or the I/O layer closed it). */
static void hang_up(hold *h) { eio_driver_closed(W.d, &h->dc, W.now); }

/* What the I/O layer does with a served connection's RESULT (not KEEP). */
static void served(eio_conn *c, int result) {
  FUZZ_CHECK(result >= 0, "the driver failed to serve a connection");
  if (result == EIO_DRIVER_WS_CLOSE) hang_up((hold *)c); /* the adapter closes it */
  /* EIO_DRIVER_HTTP_END: the driver released it; the slot is free again. */
}

static void on_flushed(void *user, eio_conn *c, int result) {
  (void)user;
  served(c, result);
}

/* The adapter's flush: serve the connections that were woken (ALL: every one). */
static void service(bool all) {
  W.pulls = 0;
  eio_driver_flush(W.d, W.now, on_flushed, NULL);
  if (!all) return;
  for (size_t i = 0; i < MAX_HOLDS; i++) {
    if (W.holds[i].dc.kind == EIO_CONN_NONE) continue;
    W.pulls = 0;
    int rc = eio_driver_service(W.d, &W.holds[i].dc, W.now);
    if (rc != EIO_DRIVER_KEEP) served(&W.holds[i].dc, rc);
  }
}

static hold *free_hold(void) {
  for (size_t i = 0; i < MAX_HOLDS; i++)
    if (W.holds[i].dc.kind == EIO_CONN_NONE) return &W.holds[i];
  return NULL;
}

static void add_hold(eio_session *s, eio_conn_kind kind) {
  hold *h = free_hold();
  if (!h) {
    /* Table full: the client hangs up at once. */
    if (kind == EIO_CONN_GET) eio_server_poll_aborted(W.srv, s, W.now);
    if (kind == EIO_CONN_WS) eio_server_ws_closed(W.srv, s, W.now);
    eio_server_release(W.srv, s);
    return;
  }
  eio_driver_attach(W.d, &h->dc, kind, W.srv, s);
  h->seq = ++W.seq;
  W.pulls = 0;
  int rc = eio_driver_service(W.d, &h->dc, W.now); /* the adapter checks it at once */
  if (rc != EIO_DRIVER_KEEP) served(&h->dc, rc);
}

/* Route a request; a POST body, when the router asks for one, is BODY/LEN. */
static void request(const char *method, const char *query, const char *ctype, bool ws,
                    const uint8_t *body, size_t len) {
  eio_http_request req = {method, query, NULL, ctype, NULL};
  eio_http_response r;
  int rc = ws ? eio_server_ws_open(W.srv, &req, W.now, &r)
              : eio_server_handle_request(W.srv, &req, W.now, &r);
  FUZZ_CHECK(rc == 0 || rc == REF_ERR_OUT_OF_MEMORY, "request failed on valid arguments");
  if (rc != 0) return;
  if (r.action == EIO_HTTP_READ_BODY) {
    /* The whole body at once, routed by the driver as the adapter's flush does. */
    FUZZ_CHECK(r.session != NULL, "READ_BODY without a session");
    hold *h = free_hold();
    if (!h) {
      eio_server_post_aborted(W.srv, r.session, W.now);
      eio_server_release(W.srv, r.session);
      return;
    }
    eio_driver_attach(W.d, &h->dc, EIO_CONN_POST, W.srv, r.session);
    eio_driver_post_ready(W.d, &h->dc, body, len);
    FUZZ_CHECK(eio_driver_service(W.d, &h->dc, W.now) == EIO_DRIVER_HTTP_END, "POST not answered");
    return;
  }
  switch (r.action) {
  case EIO_HTTP_RESPOND:
    FUZZ_CHECK(r.session == NULL, "a plain response holds a session");
    FUZZ_CHECK(r.status == 200 || r.status == 204 || r.status == 400 || r.status == 403 ||
                   r.status == 413,
               "unexpected HTTP status");
    break;
  case EIO_HTTP_HOLD_GET:
    add_hold(r.session, EIO_CONN_GET);
    break;
  case EIO_HTTP_WEBSOCKET:
    add_hold(r.session, EIO_CONN_WS);
    break;
  case EIO_HTTP_WEBSOCKET_CLOSE: /* a second WebSocket: 101, then closed */
    FUZZ_CHECK(r.session == NULL, "a WebSocket to close holds a session");
    break;
  default:
    FUZZ_CHECK(0, "unexpected HTTP action");
  }
}

static const char *sid_at(uint8_t k) {
  return W.nsids ? W.ss[k % W.nsids].sid : "AAAAAAAAAAAAAAAAAAAA";
}

static void sid_request(const char *method, uint8_t k, const char *ctype, bool ws,
                        const uint8_t *body, size_t len) {
  char q[128];
  snprintf(q, sizeof q, "EIO=4&transport=%s&sid=%s", ws ? "websocket" : "polling", sid_at(k));
  request(method, q, ctype, ws, body, len);
}

/* The newest WebSocket hold of session K, or -1. */
static int ws_hold_of(uint8_t k) {
  eio_session *s = eio_server_find(W.srv, sid_at(k));
  if (!s) return -1;
  int best = -1;
  for (size_t i = 0; i < MAX_HOLDS; i++)
    if (W.holds[i].dc.s == s && W.holds[i].dc.kind == EIO_CONN_WS &&
        (best < 0 || W.holds[i].seq > W.holds[best].seq))
      best = (int)i;
  return best;
}

/* One WebSocket message through the router, as the adapter hands it on; a message the
 * session refuses for its size (1009) ends the WebSocket. */
static void ws_send(int i, const uint8_t *b, size_t len, bool binary) {
  int rc = eio_driver_ws_message(W.d, &W.holds[i].dc, b, len, binary, W.now);
  FUZZ_CHECK(rc == 0 || rc == REF_ERR_PAYLOAD_TOO_LARGE, "ws_message: an unexpected code");
  if (rc == REF_ERR_PAYLOAD_TOO_LARGE) hang_up(&W.holds[i]);
}

/* Deliver Socket.IO messages (MSGS[i] of LENS[i] bytes, BIN[i]) to session K the way a
 * client would: over its WebSocket once upgraded, else in one POST body. */
static void deliver(uint8_t k, size_t n, const uint8_t *const *msgs, const size_t *lens,
                    const bool *bin) {
  eio_session *s = eio_server_find(W.srv, sid_at(k));
  if (!s) return;
  int wi = ws_hold_of(k);
  static uint8_t buf[BODY_CAP];
  if (wi >= 0 && eio_session_transport(s) == EIO_TRANSPORT_WEBSOCKET) {
    for (size_t i = 0; i < n; i++) {
      if (bin[i]) {
        ws_send(wi, msgs[i], lens[i], true);
      } else {
        size_t len = lens[i] < BODY_CAP - 1 ? lens[i] : BODY_CAP - 1;
        buf[0] = '4';
        memcpy(buf + 1, msgs[i], len);
        ws_send(wi, buf, len + 1, false);
      }
      wi = ws_hold_of(k); /* the session may have closed the WebSocket */
      if (wi < 0) return;
    }
    return;
  }
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (i && o < BODY_CAP) buf[o++] = 0x1e;
    if (bin[i]) {
      if (o + 2 + (lens[i] + 2) / 3 * 4 >= BODY_CAP) break;
      buf[o++] = 'b';
      int w = eio_base64_encode(msgs[i], lens[i], buf + o, BODY_CAP - o);
      FUZZ_CHECK(w >= 0 && (size_t)w <= BODY_CAP - o, "base64 encode");
      o += (size_t)w;
    } else {
      if (o + 1 + lens[i] >= BODY_CAP) break;
      buf[o++] = '4';
      memcpy(buf + o, msgs[i], lens[i]);
      o += lens[i];
    }
  }
  sid_request("POST", k, "text/plain;charset=UTF-8", false, buf, o);
}

/* op_sio: a well-formed Socket.IO packet (and its attachments) built from a few bytes. */
static void sio_op(uint8_t k, uint8_t kind, uint8_t n, uint8_t e, uint8_t fl, const uint8_t *b,
                   size_t len) {
  char pk[1024], arg[512];
  fuzz_json_string(arg, sizeof arg, b, len);
  int o;
  uint8_t att[3][2];
  const uint8_t *msgs[4] = {(const uint8_t *)pk};
  size_t lens[4] = {0};
  bool bin[4] = {false};
  size_t nmsg = 1;
  switch (kind % 5) {
  case 0: { /* CONNECT */
    static const char *const auths[] = {"", "{}", "{\"token\":\"sioconform\"}", "{\"token\":1}"};
    o = snprintf(pk, sizeof pk, "0");
    o += fuzz_nsp_prefix(pk + o, sizeof pk - (size_t)o, n);
    o += snprintf(pk + o, sizeof pk - (size_t)o, "%s", auths[e % 4]);
    break;
  }
  case 1: /* EVENT, with an ack id when flags bit 0 */
    o = snprintf(pk, sizeof pk, "2");
    o += fuzz_nsp_prefix(pk + o, sizeof pk - (size_t)o, n);
    if (fl & 1) o += snprintf(pk + o, sizeof pk - (size_t)o, "%u", fl >> 4);
    if (fl & 2)
      o += snprintf(pk + o, sizeof pk - (size_t)o, "[\"%s\"]", fuzz_event(e));
    else
      o += snprintf(pk + o, sizeof pk - (size_t)o, "[\"%s\",%s%s]", fuzz_event(e), arg,
                    (fl & 4) ? ",{\"a\":[1,2.5,null,true]}" : "");
    break;
  case 2: /* ACK */
    o = snprintf(pk, sizeof pk, "3");
    o += fuzz_nsp_prefix(pk + o, sizeof pk - (size_t)o, n);
    o += snprintf(pk + o, sizeof pk - (size_t)o, "%u[%s]", e, arg);
    break;
  case 3: /* DISCONNECT */
    o = snprintf(pk, sizeof pk, "1");
    o += fuzz_nsp_prefix(pk + o, sizeof pk - (size_t)o, n);
    break;
  default: { /* BINARY_EVENT with 1..3 attachments (an event of the contract) */
    unsigned na = 1u + (fl & 3) % 3;
    o = snprintf(pk, sizeof pk, "5%u-", na);
    o += fuzz_nsp_prefix(pk + o, sizeof pk - (size_t)o, n);
    if (fl & 4) o += snprintf(pk + o, sizeof pk - (size_t)o, "%u", fl >> 4);
    o += snprintf(pk + o, sizeof pk - (size_t)o, "[\"%s\"", fuzz_event(e));
    for (unsigned i = 0; i < na; i++) {
      o += snprintf(pk + o, sizeof pk - (size_t)o, ",{\"_placeholder\":true,\"num\":%u}", i);
      att[i][0] = (uint8_t)i;
      att[i][1] = len ? b[0] : 0xff;
      msgs[1 + i] = att[i];
      lens[1 + i] = 2;
      bin[1 + i] = true;
    }
    o += snprintf(pk + o, sizeof pk - (size_t)o, "]");
    nmsg = 1 + na;
    break;
  }
  }
  lens[0] = (size_t)o;
  deliver(k, nmsg, msgs, lens, bin);
}

/* The adapter's run_timers(): the driver's tick (every router's, then the glue's).
 * Its result is the earlier of the two deadlines, so both must be after now. */
static void run_tick(uint64_t to) {
  W.now = to;
  uint64_t next = eio_driver_tick(W.d, W.now);
  FUZZ_CHECK(next > W.now, "a tick (router or glue) left a timer due now");
  FUZZ_CHECK(W.clients_made >= W.clients_closed, "client accounting");
  size_t live = W.clients_made - W.clients_closed;
  size_t count = sio_server_client_count(eio_sio_glue_server(W.glue));
  if (count != live)
    fprintf(stderr, "socket.io clients %zu, sessions open with a client %zu\n", count, live);
  FUZZ_CHECK(count == live, "a Socket.IO client outlived its session's close by a tick");
}

/* No lost wake: output a connection has was announced (else it would stall). */
static void check_no_lost_wake(void) {
  for (size_t i = 0; i < MAX_HOLDS; i++) {
    eio_conn *h = &W.holds[i].dc;
    if (h->kind == EIO_CONN_NONE || eio_driver_woken(h)) continue;
    if (h->kind == EIO_CONN_GET) {
      FUZZ_CHECK(!eio_session_poll_ready(h->s), "a held GET has an answer nobody was woken for");
    } else if (h->kind == EIO_CONN_WS) {
      const uint8_t *d;
      size_t len;
      bool bin;
      int rc = eio_session_ws_pull(h->s, &d, &len, &bin);
      if (rc == 1) fuzz_dump("unannounced ws output", d, len);
      FUZZ_CHECK(rc == 0, "a WebSocket has output nobody was woken for");
      FUZZ_CHECK(!eio_session_ws_want_close(h->s), "a WebSocket close nobody was woken for");
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  fuzz_reader rd = {data, size};
  memset(&W, 0, sizeof W);
  W.now = 1000;
  W.rng = 0x9E3779B9u;

  eio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  eio_config_defaults(&cfg.session);
  uint8_t flags = fuzz_eio_config_read(&rd, &cfg.session, 64u, 32u, 3u);
  cfg.max_sessions = (flags & 4) ? 4 : 0;
  uint64_t connect_timeout = 100u + (flags >> 6) * 400u;
  bool abrupt = (flags & 8) != 0;
  cfg.random = fuzz_random;
  W.headroom = cfg.session.out_headroom;

  /* As sioref_main.c: the contract app in the glue, its callbacks on the router, the
   * driver's wake, the glue's tick as the driver's hook. */
  eio_driver_io io = {io_http, io_ws, NULL, &W};
  W.d = eio_driver_new(&io);
  FUZZ_CHECK(W.d != NULL, "driver_new");
  sio_server_config app = {0};
  contract_app_configure(&app);
  app.connect_timeout_ms = connect_timeout;
  app.random = fuzz_random;
  W.glue = eio_sio_glue_new(&app, false);
  FUZZ_CHECK(W.glue != NULL, "glue_new");
  eio_sio_glue_eio_callbacks(W.glue, &cfg);
  W.g_open = cfg.on_open;
  W.g_message = cfg.on_message;
  W.g_close = cfg.on_close;
  W.g_user = cfg.app_user;
  cfg.on_open = w_open;
  cfg.on_message = w_message;
  cfg.on_close = w_close;
  cfg.wake = w_wake;
  cfg.wake_user = &W;
  FUZZ_CHECK(eio_server_new(&cfg, &W.srv) == 0, "server_new");
  FUZZ_CHECK(eio_driver_add_router(W.d, W.srv) == 0, "add_router");
  FUZZ_CHECK(eio_driver_add_hook(W.d, eio_sio_glue_tick, W.glue) == 0, "add_hook");

  size_t ops = 0;
  static uint8_t tmp[BODY_CAP];
  while (rd.n && ops < MAX_OPS) {
    ops++;
    uint8_t op = fuzz_u8(&rd) % op_count;
    switch (op) {
    case op_handshake_poll:
      if (W.nsids < MAX_SIDS) request("GET", "EIO=4&transport=polling", NULL, false, NULL, 0);
      break;
    case op_handshake_ws:
      if (W.nsids < MAX_SIDS) request("GET", "EIO=4&transport=websocket", NULL, true, NULL, 0);
      break;
    case op_get:
      sid_request("GET", fuzz_u8(&rd), NULL, false, NULL, 0);
      break;
    case op_post: {
      uint8_t k = fuzz_u8(&rd), ct = fuzz_u8(&rd);
      size_t len = fuzz_u16(&rd) & 0x0fff;
      const uint8_t *b = fuzz_take(&rd, &len);
      sid_request("POST", k, (ct & 1) ? "application/octet-stream" : NULL, false, b, len);
      break;
    }
    case op_upgrade:
      sid_request("GET", fuzz_u8(&rd), NULL, true, NULL, 0);
      break;
    case op_ws_msg: {
      uint8_t k = fuzz_u8(&rd), bin = fuzz_u8(&rd);
      size_t len = fuzz_u16(&rd) & 0x0fff;
      const uint8_t *b = fuzz_take(&rd, &len);
      int wi = ws_hold_of(k);
      if (wi >= 0) ws_send(wi, b, len, bin & 1);
      break;
    }
    case op_sio: {
      uint8_t k = fuzz_u8(&rd), kind = fuzz_u8(&rd), n = fuzz_u8(&rd), e = fuzz_u8(&rd),
              fl = fuzz_u8(&rd);
      size_t len = fuzz_u8(&rd) & 0x3f;
      const uint8_t *b = fuzz_take(&rd, &len);
      sio_op(k, kind, n, e, fl, b, len);
      break;
    }
    case op_sio_raw: {
      uint8_t k = fuzz_u8(&rd), bin = fuzz_u8(&rd);
      size_t len = fuzz_u16(&rd) & 0x0fff;
      const uint8_t *b = fuzz_take(&rd, &len);
      memcpy(tmp, b, len);
      const uint8_t *m[1] = {tmp};
      bool isbin[1] = {(bin & 1) != 0};
      deliver(k, 1, m, &len, isbin);
      break;
    }
    case op_probe: {
      uint8_t k = fuzz_u8(&rd), steps = fuzz_u8(&rd);
      int wi = ws_hold_of(k);
      if (wi < 0) break;
      if (steps & 1) ws_send(wi, (const uint8_t *)"2probe", 6, false);
      if (steps & 2) service(false);
      wi = ws_hold_of(k);
      if (wi >= 0 && (steps & 4)) ws_send(wi, (const uint8_t *)"5", 1, false);
      break;
    }
    case op_hang_up: {
      uint8_t k = fuzz_u8(&rd), what = fuzz_u8(&rd);
      eio_session *s = eio_server_find(W.srv, sid_at(k));
      if (!s) break;
      for (size_t i = MAX_HOLDS; i-- > 0;) {
        hold *h = &W.holds[i];
        if (h->dc.s != s) continue;
        if ((h->dc.kind == EIO_CONN_GET && (what & 1)) || (h->dc.kind == EIO_CONN_WS && (what & 2)))
          hang_up(h);
      }
      break;
    }
    case op_tick:
      run_tick(W.now + fuzz_u16(&rd));
      break;
    case op_service:
      service(false);
      break;
    case op_server_close: {
      uint8_t k = fuzz_u8(&rd), how = fuzz_u8(&rd);
      eio_session *s = eio_server_find(W.srv, sid_at(k));
      if (s && (how & 1))
        eio_session_abort(s, EIO_CLOSE_SERVER, W.now);
      else if (s)
        eio_session_close(s, W.now);
      break;
    }
    default:
      break;
    }
  }
  service(false);
  check_no_lost_wake();
  run_tick(W.now);

  if (abrupt) {
    /* sioref's exit when the shutdown grace ran out: sioref_adapter_free() drops every
     * connection (the sessions see their GET / WebSocket go), then eio_server_free()
     * frees what is left without callbacks, then eio_sio_glue_free() frees the clients,
     * some of whose sessions are gone. Oracles: ASan (no use after free), LSan. */
    for (size_t i = MAX_HOLDS; i-- > 0;) hang_up(&W.holds[i]);
    for (size_t i = 0; i < W.nsids; i++) fuzz_sio_out_forget(&W.ss[i].out);
    eio_server_free(W.srv);
    eio_sio_glue_free(W.glue);
    eio_driver_free(W.d);
    return 0;
  }

  /* Shut down like sioref: close every session, let the connections write and go,
   * run the timers out; then nothing may be left. */
  eio_server_close_all(W.srv, W.now);
  service(true);
  for (size_t i = MAX_HOLDS; i-- > 0;) hang_up(&W.holds[i]);
  uint64_t longest = (uint64_t)cfg.session.ping_interval_ms + cfg.session.ping_timeout_ms +
                     cfg.session.upgrade_timeout_ms + cfg.session.close_timeout_ms +
                     connect_timeout;
  for (int round = 0; round < 4; round++) run_tick(W.now + longest + 1);
  FUZZ_CHECK(eio_server_session_count(W.srv) == 0, "a session outlived shutdown");
  FUZZ_CHECK(eio_server_allocated_count(W.srv) == 0, "a released, closed session was not freed");
  FUZZ_CHECK(sio_server_client_count(eio_sio_glue_server(W.glue)) == 0,
             "a Socket.IO client outlived shutdown");
  for (size_t i = 0; i < W.nsids; i++) {
    FUZZ_CHECK(W.ss[i].closed, "a session never got its close event");
    fuzz_sio_out_forget(&W.ss[i].out);
  }
  eio_server_free(W.srv);
  eio_sio_glue_free(W.glue);
  eio_driver_free(W.d);
  return 0;
}
