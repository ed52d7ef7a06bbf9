/* libwebsockets 4.1.6 adapter: sockets, HTTP requests and responses, WebSocket frames
 * and timers for the Engine.IO routers. The only file that includes libwebsockets.h.
 * Spec tags it serves (decided by the routers, carried out here): EIO-TR (polling and
 * WebSocket transports), EIO-UP, EIO-LIM-1 (bodies and messages are bounded while
 * they are reassembled), EIO-CORS (headers written as the router says).
 *
 * Facts about lws 4.1.6 this file relies on (checked in its sources):
 *  - HTTP and WebSocket share protocols[0]; an upgrade goes through
 *    LWS_CALLBACK_HTTP_CONFIRM_UPGRADE (headers available, user data may be absent;
 *    returning >0 after writing our own response refuses it with that response),
 *    then FILTER_PROTOCOL_CONNECTION and ESTABLISHED in the same service call.
 *  - A held request is dropped after the pending timeout (5 s) unless it is cleared
 *    with lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0).
 *  - lws runs on a libev loop that we own (LWS_SERVER_OPTION_LIBEV with a foreign
 *    loop, through Debian's evlib plugin): libev waits with epoll, so a turn of the
 *    loop costs what happened in it, not the number of connections (lws' own loop
 *    calls poll() over every descriptor). Our timers are one ev_timer set from the
 *    routers' timer heaps, rearmed by an ev_prepare watcher before each wait.
 *  - Every WebSocket gets a receive buffer of the protocol's rx_buffer_size when it
 *    is established; messages longer than that arrive in several RECEIVE calls.
 *  - lws_write() may be called outside the WRITEABLE callback: what the socket does
 *    not take is kept by lws (lws_partial_buffered() says so) and sent when it is
 *    writable again. Output (WebSocket packets, the answer to a held GET) is therefore
 *    written straight from the loop, before it next waits, instead of costing two
 *    epoll changes and one more turn per packet; WRITEABLE is only used to continue
 *    after a partial write and to close a WebSocket.
 *  - The default retry policy arms a 310 s "validity" timer per WebSocket in a
 *    sorted list (an insertion walks the list) and sends its own pings: Engine.IO
 *    has its heartbeat, so a policy without them is given.
 *  - URI arguments arrive percent-decoded and split at '&' into fragments.
 *  - A POST without Content-Length gets no body callbacks (chunked bodies are not
 *    read); one with an explicit "Content-Length: 0" gets an empty body callback.
 *  - Bodies and WebSocket messages arrive in pieces; back-to-back lws_write()s are
 *    queued by lws, and a transaction completed with output still queued is
 *    deferred until it is sent.
 *  - lws closes a connection after a response when the request said exactly
 *    "Connection: close" (or was HTTP/1.0), but never says so in the response, and
 *    does not see "close" inside a longer option list.
 *  - While a request is being answered (a held GET), lws does not read its socket:
 *    a client that closes or half-closes then leaves POLLIN set for good, and the
 *    loop would spin on it (and keep the socket in CLOSE-WAIT) until the answer.
 *    So a held GET has lws' reading paused (lws_rx_flow_control) and one ev_io
 *    watcher of ours that peeks at the socket for the end of input.
 *  - Pipelining (RFC 9112 section 9.3.2) is not served, it is refused cleanly: lws
 *    4.1.6 keeps the bytes read past a request in a buffer list, and a POST it later
 *    parses from that list gets the wrong bytes as its body (the start of its own
 *    head: "PO"), after which the rest of the list is never consumed and the loop
 *    spins on it (~100 ticks/s, a denial of service), also after the client leaves;
 *    and while a POST's answer waits for the driver's flush, lws calls BODY_COMPLETION again
 *    for every service of those bytes. RFC 9112 requires answers in the order of
 *    the requests (section 9.3.2: MUST; serving them in parallel is a MAY) and lets
 *    either side close a connection at any time (section 9.5; a client retries what
 *    went unanswered, 9.3.2), announced with "Connection: close" (9.6). So: when
 *    lws holds unparsed bytes of a connection (lws_service_adjust_timeout() reports
 *    buffered input; toggling this connection's reading tells whether they are its
 *    own), the request being answered gets "Connection: close" and the connection
 *    ends after it; a POST that comes out of that buffer is not read at all (the
 *    connection is closed, unanswered). Bytes queued behind a held GET end it the
 *    same way once it is answered. */
#include "sioref/lws_adapter.h"

#include "sioref/eio_driver.h"
#include "lws_http.h"

#include <errno.h>
#include <ev.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Per-connection state (lws "per session data"); zeroed by lws. */
typedef struct conn {
  eio_conn dc;        /* first: the driver's part (held GET, POST, WebSocket; its session) */
  bool ws_close_only; /* a WebSocket accepted only to be closed (EIO-TR-19) */
  char *allow_origin; /* CORS answer for a polling request (owned), NULL for none */
  uint8_t *buf;       /* POST body or WebSocket message being reassembled */
  size_t len, cap;
  bool too_large;           /* past eio_server_input_cap(): the rest is not kept */
  bool close_after;         /* RFC 9112 section 9.6: close the connection after this response */
  ev_io eof;                /* a held GET: watches its socket for the client's end of input */
  struct ev_loop *eof_loop; /* the loop EOF runs on, NULL when it is not started */
  bool paused;              /* a held GET: lws does not read its connection */
  bool in_msg;              /* a WebSocket message is being reassembled */
  bool msg_binary;
  struct lws *wsi;     /* its own connection */
  bool writeable_turn; /* inside its WRITEABLE callback (permessage-deflate pacing) */
  bool pmd;            /* permessage-deflate was offered and not declined (pacing below) */
  uint8_t *pmd_in;     /* permessage-deflate: this connection's copy of compressed input */
  size_t pmd_in_cap;
  bool wrote; /* a message was written in this WRITEABLE turn */
} conn;

typedef struct mount {
  char path[64];
  size_t path_len;
  eio_server *router;
} mount;

struct sioref_adapter {
  struct lws_context *ctx;
  int port;
  bool verbose;
  mount mounts[SIOREF_MAX_MOUNTS];
  size_t n_mounts;
  eio_driver *driver; /* timers, wakes and output of every router (sans-I/O) */
  struct ev_loop *loop;
  ev_prepare prepare;  /* before each wait: run due timers, rearm the timer */
  ev_timer timer;      /* the earliest deadline of any session */
  uint64_t timer_at;   /* when it is armed for, EIO_NO_DEADLINE when stopped */
  uint64_t cap_ms;     /* run_timers never sleeps past this (the shutdown grace) */
  long http_threshold; /* poll bodies of this many bytes or more may be coded; -1 never */
  bool ws_compression; /* permessage-deflate offers are accepted */
  volatile sig_atomic_t *stop;
  bool draining; /* stopping: sessions are closing, keep serving them */
  /* A WebSocket accepted in CONFIRM_UPGRADE, waiting for its user data in FILTER. */
  struct lws *pending_wsi;
  eio_server *pending_router;
  eio_session *pending_s;
};

size_t sioref_adapter_headroom(void) { return LWS_PRE; }

/* The monotonic clock: the only one in sioref. Everything below gets it as now_ms. */
static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static sioref_adapter *adapter_of(struct lws *wsi) {
  return lws_context_user(lws_get_context(wsi));
}

static void vlog(sioref_adapter *a, const char *what, eio_session *s) {
  if (a->verbose) fprintf(stderr, "sioref: %s %s\n", what, s ? eio_session_sid(s) : "-");
}

static void eof_stop(conn *c) {
  if (!c->eof_loop) return;
  ev_io_stop(c->eof_loop, &c->eof);
  c->eof_loop = NULL;
}

/* Forget C's I/O state; its driver part must have been released (release_conn). */
static void conn_reset(conn *c) {
  eof_stop(c);
  free(c->pmd_in);
  free(c->buf);
  free(c->allow_origin);
  memset(c, 0, sizeof *c);
}

/* Append to the reassembly buffer, never past LIMIT bytes (eio_server_input_cap: the
 * first LIMIT bytes are kept, the rest dropped; the session refuses such an input). */
static int conn_append(conn *c, const void *in, size_t n, size_t limit) {
  if (c->too_large) return 0;
  if (c->len + n > limit) {
    c->too_large = true;
    n = limit - c->len;
  }
  if (c->len + n > c->cap) {
    size_t cap = c->cap ? c->cap : 1024;
    while (cap < c->len + n) cap *= 2;
    if (cap > limit) cap = limit;
    uint8_t *p = realloc(c->buf, cap ? cap : 1);
    if (!p) return -1;
    c->buf = p;
    c->cap = cap;
  }
  if (n) memcpy(c->buf + c->len, in, n);
  c->len += n;
  return 0;
}

static mount *find_mount(sioref_adapter *a, const char *uri) {
  for (size_t i = 0; i < a->n_mounts; i++)
    if (strncmp(uri, a->mounts[i].path, a->mounts[i].path_len) == 0) return &a->mounts[i];
  return NULL;
}

/* ---- polling ---- */

static void release_conn(sioref_adapter *a, conn *c) {
  eio_driver_release(a->driver, &c->dc); /* the router's hold */
  conn_reset(c);
}

/* The socket of a held GET became readable: the client either ended its input (a close
 * or a half-close: it cannot read the answer, or does not wait for it) or sent a
 * pipelined request. The first ends the connection, which aborts the poll (EIO-TR-12,
 * as the official server does when its request ends early); the second is left for
 * lws to read once the GET is answered. */
static void on_eof_io(struct ev_loop *loop, ev_io *w, int revents) {
  (void)revents;
  conn *c = w->data;
  char b;
  ssize_t n = recv(w->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  ev_io_stop(loop, w);
  c->eof_loop = NULL;
  /* RFC 9112 section 9.3.2: a request pipelined behind the GET is not served (see the
   * top of this file): the GET's answer says "Connection: close" and ends it. */
  if (n > 0) c->close_after = true;
  if (n > 0 || c->dc.kind != EIO_CONN_GET || !c->wsi) return;
  /* Closed here and now (C is gone afterwards): an asynchronous kill is only carried
   * out when lws next services its timers, which an idle loop may not do for long. */
  lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
}

/* Hold the GET on WSI: lws stops reading it, our watcher looks for the end of input. */
static void hold_get(sioref_adapter *a, struct lws *wsi, conn *c) {
  lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0); /* held for up to pingInterval */
  int fd = (int)lws_get_socket_fd(wsi);
  if (fd < 0) return;
  lws_rx_flow_control(wsi, 0);
  c->paused = true;
  ev_io_init(&c->eof, on_eof_io, fd, EV_READ);
  c->eof.data = c;
  c->eof_loop = a->loop;
  ev_io_start(a->loop, &c->eof);
}

/* The held GET on WSI is being answered: lws reads the connection again (the next
 * request on it, or its end). */
static void unhold_get(struct lws *wsi, conn *c) {
  eof_stop(c);
  if (!c->paused) return;
  c->paused = false;
  lws_rx_flow_control(wsi, 1);
}

static int on_http(sioref_adapter *a, struct lws *wsi, conn *c) {
  release_conn(a, c); /* a keep-alive connection starting a new request */
  reqbuf rb;
  if (sioref_http_parse(wsi, &rb) < 0) return sioref_http_respond_simple(wsi, 400, true);
  bool close = sioref_http_wants_close(wsi, &rb);
  /* This request came out of lws' buffer, behind one already answered (pipelined):
   * answered (in order) but the last on this connection. A POST is not read: lws 4.1.6
   * would hand on the wrong bytes as its body and then spin (top of this file). */
  if (sioref_http_rx_buffered(a->ctx, wsi)) {
    vlog(a, "pipelined request: connection closed after it", NULL);
    if (strcmp(rb.rq.method, "POST") == 0) return -1;
    close = true;
  }
  mount *mt = find_mount(a, rb.uri);
  if (!mt) return sioref_http_respond_simple(wsi, 404, close);
  if (strcmp(rb.rq.method, "POST") == 0 &&
      lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0) {
    /* lws does not read bodies without Content-Length (chunked): refuse and close,
     * since the unread body would be taken for the next request. */
    sioref_http_respond_simple(wsi, 411, true);
    return -1;
  }
  eio_http_response r;
  if (eio_server_handle_request(mt->router, &rb.rq, now_ms(), &r) < 0)
    return sioref_http_respond_simple(wsi, 500, close);
  switch (r.action) {
  case EIO_HTTP_RESPOND:
    if (sioref_http_respond(wsi, &r, NULL, close)) return -1;
    return sioref_http_finish(wsi, close);
  case EIO_HTTP_HOLD_GET:
    eio_driver_attach(a->driver, &c->dc, EIO_CONN_GET, mt->router, r.session);
    c->wsi = wsi;
    c->close_after = close;
    if (r.allow_origin) c->allow_origin = strdup(r.allow_origin); /* none if out of memory */
    hold_get(a, wsi, c);
    eio_driver_queue(a->driver, &c->dc); /* answered at once if output is queued */
    return 0;
  case EIO_HTTP_READ_BODY:
    eio_driver_attach(a->driver, &c->dc, EIO_CONN_POST, mt->router, r.session);
    c->close_after = close;
    if (r.allow_origin) c->allow_origin = strdup(r.allow_origin); /* none if out of memory */
    return 0;
  case EIO_HTTP_WEBSOCKET:
  case EIO_HTTP_WEBSOCKET_CLOSE:
    break;
  }
  return sioref_http_respond_simple(wsi, 500, close);
}

/* The driver's HTTP writer: the answer to a held GET (its poll body, with LWS_PRE
 * headroom) or to a routed POST, on C's connection. Returns 0 or -1. */
static int io_http_write(void *user, eio_conn *dc, const eio_http_response *r) {
  sioref_adapter *a = user;
  conn *c = (conn *)dc;
  struct lws *wsi = c->wsi;
  bool get = dc->kind == EIO_CONN_GET;
  if (get) unhold_get(wsi, c);
  /* Requests behind this one in lws' buffer (pipelined): its answer is the last. */
  if (sioref_http_rx_buffered(a->ctx, wsi)) c->close_after = true;
  if (get && r->status == 200) /* EIO-CMP-8: gzip or deflate when asked, above a threshold */
    return sioref_http_write_poll(wsi, r->content_type, r->body, r->body_len, c->allow_origin,
                                  c->close_after, a->http_threshold);
  if (get)
    return sioref_http_write(wsi, r->status, r->content_type, r->body, r->body_len, true,
                             c->allow_origin, NULL, true, c->close_after);
  return sioref_http_respond(wsi, r, c->allow_origin, c->close_after);
}

/* After the driver served C's HTTP request with RESULT (C released): end the
 * transaction. Returns 0 to keep the connection, -1 to close it. */
static int end_http(struct lws *wsi, conn *c, int result) {
  bool close = c->close_after;
  conn_reset(c);
  if (result < 0) return -1;
  return sioref_http_finish(wsi, close);
}

/* Serve C's held GET or complete POST now, from one of its own callbacks. */
static int serve_http(sioref_adapter *a, struct lws *wsi, conn *c) {
  int rc = eio_driver_service(a->driver, &c->dc, now_ms());
  return rc == EIO_DRIVER_KEEP ? 0 : end_http(wsi, c, rc);
}

static int on_http_writeable(sioref_adapter *a, struct lws *wsi, conn *c) {
  if (c->dc.kind != EIO_CONN_GET || !c->dc.s) return 0;
  return serve_http(a, wsi, c);
}

static int on_body(sioref_adapter *a, conn *c, const void *in, size_t len) {
  (void)a;
  if (c->dc.kind != EIO_CONN_POST || !c->dc.s) return 0;
  /* EIO-LIM-1: never hold more of a body than the router needs to refuse it. */
  return conn_append(c, in, len, eio_server_input_cap(c->dc.router));
}

/* A complete POST body goes to its session from the driver's flush, after every socket
 * event of this turn of the loop. libev runs the events of one turn newest first, so a
 * GET and a POST that a client sends side by side on two connections would otherwise be
 * seen in the opposite order whenever both arrive in the same turn: a POST "1" would
 * close the session before the GET sent with it is held (the official suites expect
 * the GET to be answered). Polls on the same turn are thus always routed before the
 * bodies, as they are when the requests come one turn apart. */
static int on_body_done(sioref_adapter *a, struct lws *wsi, conn *c) {
  if (c->dc.kind != EIO_CONN_POST || !c->dc.s) return 0;
  /* lws calls again while the answer is deferred when bytes follow the body (a
   * pipelined request): answer now, as the last on this connection. */
  if (c->dc.body_ready) {
    c->close_after = true;
    return serve_http(a, wsi, c);
  }
  c->wsi = wsi;
  eio_driver_post_ready(a->driver, &c->dc, c->buf, c->len);
  return 0;
}

static void on_http_closed(sioref_adapter *a, conn *c) {
  if (c->dc.s && c->dc.kind == EIO_CONN_GET) vlog(a, "poll aborted", c->dc.s); /* EIO-TR-12 */
  eio_driver_closed(a->driver, &c->dc, now_ms()); /* a complete body still counts */
  conn_reset(c);
}

/* ---- WebSocket ---- */

static void drop_pending(sioref_adapter *a) {
  if (!a->pending_wsi) return;
  if (a->pending_s) {
    eio_server_ws_closed(a->pending_router, a->pending_s, now_ms());
    eio_server_release(a->pending_router, a->pending_s);
  }
  a->pending_wsi = NULL;
  a->pending_s = NULL;
  a->pending_router = NULL;
}

static int on_confirm_upgrade(sioref_adapter *a, struct lws *wsi, const char *proto) {
  if (!proto || strcmp(proto, "websocket") != 0) return -1;
  reqbuf rb;
  if (sioref_http_parse(wsi, &rb) < 0) return -1;
  mount *mt = find_mount(a, rb.uri);
  /* A refused upgrade is closed after its answer (lws does it): say so. */
  if (!mt) {
    sioref_http_write(wsi, 404, NULL, NULL, 0, false, NULL, NULL, false, true);
    return 1;
  }
  drop_pending(a);
  eio_http_response r;
  if (eio_server_ws_open(mt->router, &rb.rq, now_ms(), &r) < 0) return -1;
  if (r.action != EIO_HTTP_WEBSOCKET && r.action != EIO_HTTP_WEBSOCKET_CLOSE) {
    /* EIO-TR-14: refused before the 101, with the router's HTTP error. */
    if (sioref_http_respond(wsi, &r, NULL, true)) return -1;
    return 1;
  }
  /* EIO_HTTP_WEBSOCKET_CLOSE: pending with no session; on_filter marks it to close. */
  a->pending_wsi = wsi;
  a->pending_router = mt->router;
  a->pending_s = r.session;
  return 0;
}

/* Does the upgrade request on WSI offer permessage-deflate (lws then accepts it unless
 * decline_extension says no)? */
static bool offers_pmd(struct lws *wsi) {
  char offer[512];
  int n = lws_hdr_copy(wsi, offer, sizeof offer, WSI_TOKEN_EXTENSIONS);
  return n > 0 && strstr(offer, "permessage-deflate");
}

static int on_filter(sioref_adapter *a, struct lws *wsi, conn *c) {
  if (a->pending_wsi != wsi || !c) return 1;
  release_conn(a, c);
  /* EIO-TR-19: a second WebSocket is closed once established, with no packet. */
  c->ws_close_only = !a->pending_s;
  c->wsi = wsi;
  c->pmd = a->ws_compression && offers_pmd(wsi);
  if (a->pending_s)
    eio_driver_attach(a->driver, &c->dc, EIO_CONN_WS, a->pending_router, a->pending_s);
  a->pending_wsi = NULL;
  a->pending_s = NULL;
  a->pending_router = NULL;
  return 0;
}

/* Reassemble one WebSocket message (at most eio_server_input_cap() bytes of it) and
 * route it. The adapter decides nothing about its size: EIO-TR-18, EIO-LIM-1 are
 * decided by the session (eio_session_ws_message), the 1009 close is carried out here. */
static int on_ws_receive(sioref_adapter *a, struct lws *wsi, conn *c, const void *in, size_t len) {
  if (c->dc.kind != EIO_CONN_WS || !c->dc.s) return -1;
  bool complete = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
  const uint8_t *msg = in ? in : (const uint8_t *)"";
  bool binary = lws_frame_is_binary(wsi) != 0;
  if (c->in_msg || !complete) {
    /* The usual case skips this: a whole message in one piece is routed from where
     * lws keeps it. */
    if (!c->in_msg) {
      c->in_msg = true;
      c->len = 0;
      c->too_large = false;
      c->msg_binary = binary;
    }
    if (conn_append(c, in, len, eio_server_input_cap(c->dc.router)) < 0) return -1;
    if (!complete) return 0;
    c->in_msg = false;
    msg = c->buf ? c->buf : (const uint8_t *)"";
    len = c->len;
    binary = c->msg_binary;
  }
  int rc = eio_driver_ws_message(a->driver, &c->dc, msg, len, binary, now_ms());
  if (msg == c->buf) {
    /* Large messages are rare: give the buffer back rather than keep it per connection. */
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
  }
  if (rc == REF_ERR_PAYLOAD_TOO_LARGE) {
    vlog(a, "ws message too large", c->dc.s);
    lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
    return -1;
  }
  /* Output or a close is announced by the session's wake; nothing else to do. */
  return 0;
}

/* The driver's WebSocket writer: one message per lws_write; what the socket does not
 * take now lws keeps (a partial write), sent when it is writable. */
static int io_ws_write(void *user, eio_conn *dc, const uint8_t *d, size_t n, bool bin) {
  (void)user;
  conn *c = (conn *)dc;
  c->wrote = true;
  return lws_write(c->wsi, (unsigned char *)d, n, bin ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < (int)n
             ? -1
             : 0;
}

/* While lws keeps a partial write nothing more is pulled: WRITEABLE goes on. */
static bool io_ws_busy(void *user, eio_conn *dc) {
  sioref_adapter *a = user;
  conn *c = (conn *)dc;
  /* lws' permessage-deflate expects one lws_write per WRITEABLE callback: it may keep
   * part of a compressed message to drain in the next one, and data written outside
   * WRITEABLE, several messages back to back, came out corrupted under load (sioref with
   * --ws-compression on, eio.compress.ws.* at --jobs 8). So with compression on, a
   * WebSocket's messages are paced one per WRITEABLE. */
  bool paced = a->ws_compression && c->pmd && (!c->writeable_turn || c->wrote);
  if (!paced && !lws_partial_buffered(c->wsi)) return false;
  lws_callback_on_writable(c->wsi);
  return true;
}

static int on_ws_writeable(sioref_adapter *a, struct lws *wsi, conn *c) {
  if (c->ws_close_only) {
    lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0); /* EIO-TR-19 */
    return -1;
  }
  if (c->dc.kind != EIO_CONN_WS || !c->dc.s) return -1;
  c->writeable_turn = true;
  c->wrote = false;
  int rc = eio_driver_service(a->driver, &c->dc, now_ms());
  c->writeable_turn = false;
  if (rc == EIO_DRIVER_WS_CLOSE) lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
  return rc ? -1 : 0;
}

/* What the driver's flush did with a woken connection (RESULT is not KEEP). */
static void on_flushed(void *user, eio_conn *dc, int result) {
  (void)user;
  conn *c = (conn *)dc;
  struct lws *wsi = c->wsi;
  if (dc->kind == EIO_CONN_WS) {
    if (result == EIO_DRIVER_WS_CLOSE)
      lws_callback_on_writable(wsi); /* the close is done in WRITEABLE */
    else if (result < 0)
      lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    return;
  }
  /* An HTTP answer: closed at once (answered with "Connection: close", or failed): an
   * asynchronous kill waits for lws' next timer service, which an idle loop may not
   * run for long, leaving the socket open. What lws still holds of the answer is
   * flushed before the close. */
  if (end_http(wsi, c, result) < 0) lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
}

static void on_ws_closed(sioref_adapter *a, conn *c) {
  if (c->dc.kind == EIO_CONN_WS && c->dc.s) vlog(a, "websocket closed", c->dc.s);
  eio_driver_closed(a->driver, &c->dc, now_ms());
  conn_reset(c);
}

/* EIO-CMP-3: lws 4.1.6 accepts an offer with server_max_window_bits but leaves the
 * parameter out of its answer, which RFC 7692 section 7.1.2.1 requires ("a server
 * accepts ... by including" it; eio.compress.ws.window-bits saw the answer
 * "permessage-deflate"). Such offers are declined instead, which the RFC allows.
 * Returns 1 to decline the extension, 0 to let lws accept it. */
static int decline_extension(struct lws *wsi) {
  char offer[512];
  int n = lws_hdr_copy(wsi, offer, sizeof offer, WSI_TOKEN_EXTENSIONS);
  if (n < 0) return 1; /* too long to read: declined */
  return n > 0 && strstr(offer, "server_max_window_bits") ? 1 : 0;
}

/* ---- the lws callback ---- */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
  sioref_adapter *a = adapter_of(wsi);
  conn *c = user;
  if (!a) return 0;
  switch (reason) {
  case LWS_CALLBACK_HTTP:
    return c ? on_http(a, wsi, c) : -1;
  case LWS_CALLBACK_HTTP_BODY:
    return c ? on_body(a, c, in, len) : 0;
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    return c ? on_body_done(a, wsi, c) : 0;
  case LWS_CALLBACK_HTTP_WRITEABLE:
    return c ? on_http_writeable(a, wsi, c) : 0;
  case LWS_CALLBACK_CLOSED_HTTP:
    if (c) on_http_closed(a, c);
    return 0;
  case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
    return on_confirm_upgrade(a, wsi, in);
  case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
    return decline_extension(wsi);
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    return on_filter(a, wsi, c);
  case LWS_CALLBACK_ESTABLISHED:
    if (c && c->dc.s) vlog(a, "websocket open", c->dc.s);
    lws_callback_on_writable(wsi); /* the open packet, for a new session */
    return 0;
  case LWS_CALLBACK_RECEIVE:
    return c ? on_ws_receive(a, wsi, c, in, len) : -1;
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return c ? on_ws_writeable(a, wsi, c) : -1;
  case LWS_CALLBACK_CLOSED:
    if (c) on_ws_closed(a, c);
    return 0;
  case LWS_CALLBACK_WSI_DESTROY:
    if (a->pending_wsi == wsi) drop_pending(a);
    return 0;
  default:
    return 0;
  }
}

/* The receive buffer is allocated per WebSocket and stays resident for the life of the
 * connection, so it is most of what an idle client costs (2 KiB of 4.9 KiB at 2048).
 * 512 bytes hold the usual small Socket.IO message in one piece; longer messages come
 * in several RECEIVE calls and are reassembled in conn.buf (lws reads the socket into
 * its shared buffer either way, so this costs callbacks and a copy, not syscalls). */
#define WS_RX_BUFFER 512

static const struct lws_protocols PROTOCOLS[] = {
    /* tx_packet_size: one send() may carry a whole message (0 would cap sends at
     * the receive buffer size, splitting every longer message into several). */
    {"eio", callback, sizeof(conn), WS_RX_BUFFER, 0, NULL, 256 * 1024},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- life cycle ---- */

/* permessage-deflate (RFC 7692, spec/engine.io-v4.md section 13.1) through lws' own
 * extension (Debian's libwebsockets 4.1.6 is built with it and links zlib): lws answers
 * the client's offer, inflates before RECEIVE (so the reassembly bound and maxPayload
 * apply to the inflated message, EIO-CMP-7) and deflates every lws_write of a data
 * message. The third member is the offer lws makes as a client, unused by a server. */
/* What lws 4.1.6 hands its permessage-deflate extension with LWS_EXT_CB_PAYLOAD_RX (its
 * private extension-permessage-deflate.h; the layout of this pinned release). */
struct pmd_rx_ebufs {
  struct lws_tokens eb_in, eb_out;
};

/* lws 4.1.6's inflater keeps pointing zlib at the input it was given when its output
 * buffer fills first (it answers "pending"), while the WebSocket role takes that input
 * as consumed and reuses the buffer (the per-thread read buffer, shared by every
 * connection): the rest of the message is then inflated from another connection's
 * bytes ("invalid block type", corrupted messages under load; seen with
 * eio.compress.ws.* at --jobs 8). Giving the extension a copy of each input chunk that
 * this connection owns until its next chunk keeps zlib's input valid. */
static int pm_deflate(struct lws_context *ctx, const struct lws_extension *ext, struct lws *wsi,
                      enum lws_extension_callback_reasons reason, void *user, void *in,
                      size_t len) {
  if (reason == LWS_EXT_CB_PAYLOAD_RX && in) {
    struct pmd_rx_ebufs *pmdrx = in;
    conn *c = lws_wsi_user(wsi);
    if (c && pmdrx->eb_in.len > 0 && pmdrx->eb_in.token) {
      size_t n = (size_t)pmdrx->eb_in.len;
      if (n > c->pmd_in_cap) {
        uint8_t *p = realloc(c->pmd_in, n);
        if (!p) return -1;
        c->pmd_in = p;
        c->pmd_in_cap = n;
      }
      memcpy(c->pmd_in, pmdrx->eb_in.token, n);
      pmdrx->eb_in.token = c->pmd_in;
    }
  }
  return lws_extension_callback_pm_deflate(ctx, ext, wsi, reason, user, in, len);
}

static const struct lws_extension PM_DEFLATE[] = {
    {"permessage-deflate", pm_deflate, "permessage-deflate"},
    {NULL, NULL, NULL},
};

/* Engine.IO's heartbeat keeps connections honest: no lws validity timers or pings. */
static const lws_retry_bo_t NO_VALIDITY = {.secs_since_valid_ping = 0,
                                           .secs_since_valid_hangup = 0};

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents);
static void on_timer(struct ev_loop *loop, ev_timer *w, int revents);

int sioref_adapter_new(const sioref_adapter_config *cfg, sioref_adapter **out) {
  if (!cfg || !out) return -1;
  sioref_adapter *a = calloc(1, sizeof *a);
  if (!a) return -1;
  a->verbose = cfg->verbose;
  eio_driver_io io = {io_http_write, io_ws_write, io_ws_busy, a};
  a->driver = eio_driver_new(&io);
  if (!a->driver || (cfg->tick && eio_driver_add_hook(a->driver, cfg->tick, cfg->tick_user) < 0)) {
    eio_driver_free(a->driver);
    free(a);
    return -1;
  }
  a->timer_at = EIO_NO_DEADLINE;
  a->cap_ms = EIO_NO_DEADLINE;
  a->http_threshold = cfg->http_compression_min ? (long)cfg->http_compression_min : -1;
  a->ws_compression = cfg->ws_compression;
  lws_set_log_level(cfg->verbose ? (LLL_ERR | LLL_WARN) : LLL_ERR, NULL);
  a->loop = ev_loop_new(EVFLAG_AUTO);
  if (!a->loop) {
    fprintf(stderr, "sioref: cannot create the event loop\n");
    eio_driver_free(a->driver);
    free(a);
    return -1;
  }
  ev_prepare_init(&a->prepare, on_prepare);
  a->prepare.data = a;
  ev_prepare_start(a->loop, &a->prepare);
  ev_timer_init(&a->timer, on_timer, 0, 0);
  a->timer.data = a;

  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = cfg->port;
  info.iface = cfg->host;
  info.protocols = PROTOCOLS;
  info.user = a;
  info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_LIBEV;
  void *loops[1] = {a->loop};
  info.foreign_loops = loops;
  info.retry_and_idle_policy = &NO_VALIDITY;
  if (cfg->ws_compression) info.extensions = PM_DEFLATE;
  if (cfg->host && strchr(cfg->host, '.')) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  if (cfg->tls_cert) {
    /* the same HTTP/1.1 and WebSocket service inside TLS; ALPN offers only http/1.1,
     * since the adapter serves no HTTP/2 */
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = cfg->tls_cert;
    info.ssl_private_key_filepath = cfg->tls_key;
    info.alpn = "http/1.1";
  }
  /* A held GET keeps its header table until it is answered: allow many of them. */
  info.max_http_header_pool = 4096;
  a->ctx = lws_create_context(&info);
  if (!a->ctx) {
    fprintf(stderr,
            "sioref: cannot listen on %s:%d (or the libev plugin of libwebsockets is missing: "
            "Debian package libwebsockets-evlib-ev%s)\n",
            cfg->host ? cfg->host : "*", cfg->port,
            cfg->tls_cert ? "; or the TLS certificate or key did not load" : "");
    ev_loop_destroy(a->loop);
    eio_driver_free(a->driver);
    free(a);
    return -1;
  }
  struct lws_vhost *vh = lws_get_vhost_by_name(a->ctx, "default");
  a->port = vh ? lws_get_vhost_listen_port(vh) : cfg->port;
  if (a->port <= 0) {
    fprintf(stderr, "sioref: cannot listen on %s:%d\n", cfg->host ? cfg->host : "*", cfg->port);
    lws_context_destroy(a->ctx);
    ev_loop_destroy(a->loop);
    eio_driver_free(a->driver);
    free(a);
    return -1;
  }
  *out = a;
  return 0;
}

int sioref_adapter_mount(sioref_adapter *a, const char *path, eio_server *srv) {
  if (!a || !path || !srv || a->n_mounts >= SIOREF_MAX_MOUNTS) return -1;
  if (strlen(path) >= sizeof a->mounts[0].path) return -1;
  if (eio_driver_add_router(a->driver, srv) < 0) return -1;
  mount *m = &a->mounts[a->n_mounts++];
  snprintf(m->path, sizeof m->path, "%s", path);
  m->path_len = strlen(m->path);
  m->router = srv;
  return 0;
}

int sioref_adapter_port(const sioref_adapter *a) { return a ? a->port : -1; }

void *sioref_adapter_ev_loop(sioref_adapter *a) { return a ? a->loop : NULL; }

/* Output for S: its held GET or WebSocket is written by the driver's flush before the
 * loop next waits. */
void sioref_adapter_wake(void *user, eio_session *s) {
  sioref_adapter *a = user;
  if (a) eio_driver_wake(a->driver, s);
}

void sioref_adapter_interrupt(sioref_adapter *a) {
  if (a && a->ctx) lws_cancel_service(a->ctx);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)w;
  (void)revents; /* waking the loop is all it takes: on_prepare runs the timers */
}

/* Run every due timer and arm the ev_timer for the next one (never later than
 * a->cap_ms). Cheap when nothing is due: the routers keep their sessions in a heap. */
static void run_timers(sioref_adapter *a) {
  uint64_t now = now_ms();
  uint64_t next = eio_driver_tick(a->driver, now);
  if (a->cap_ms < next) next = a->cap_ms;
  if (next == a->timer_at && ev_is_active(&a->timer)) return;
  ev_timer_stop(a->loop, &a->timer);
  a->timer_at = next;
  if (next == EIO_NO_DEADLINE) return;
  uint64_t wait_ms = next > now ? next - now : 0;
  if (wait_ms > 60000) wait_ms = 60000;
  /* ev_now() is the loop's cached time: measure from the real time instead. */
  ev_now_update(a->loop);
  ev_timer_set(&a->timer, (double)(wait_ms ? wait_ms : 1) / 1000.0, 0);
  ev_timer_start(a->loop, &a->timer);
}

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents) {
  (void)revents;
  sioref_adapter *a = w->data;
  if (a->stop && *a->stop && !a->draining) {
    ev_break(loop, EVBREAK_ALL);
    return;
  }
  run_timers(a);
  eio_driver_flush(a->driver, now_ms(), on_flushed, a);
}

/* Sessions with a connection still open: their CLOSE packet can still be delivered.
 * A polling session without a held GET cannot be told before its next request. */
static size_t connected_sessions(const sioref_adapter *a) {
  size_t n = 0;
  for (size_t i = 0; i < a->n_mounts; i++) n += eio_server_held_count(a->mounts[i].router);
  return n;
}

int sioref_adapter_run(sioref_adapter *a, volatile sig_atomic_t *stop, uint32_t grace_ms) {
  if (!a) return -1;
  a->stop = stop;
  if (!*stop) ev_run(a->loop, 0); /* until on_prepare sees *stop */
  /* EIO-CL-4, EIO-CL-5: close every session in order, then give the close packets a
   * bounded time to leave. */
  a->draining = true;
  uint64_t now = now_ms();
  for (size_t i = 0; i < a->n_mounts; i++) eio_server_close_all(a->mounts[i].router, now);
  uint64_t end = now + grace_ms;
  a->cap_ms = end;
  while (connected_sessions(a) && now_ms() < end) ev_run(a->loop, EVRUN_ONCE);
  return 0;
}

void sioref_adapter_free(sioref_adapter *a) {
  if (!a) return;
  ev_timer_stop(a->loop, &a->timer);
  ev_prepare_stop(a->loop, &a->prepare);
  if (a->ctx) lws_context_destroy(a->ctx); /* closes connections: CLOSED callbacks release holds */
  ev_loop_destroy(a->loop);
  eio_driver_free(a->driver);
  free(a);
}
