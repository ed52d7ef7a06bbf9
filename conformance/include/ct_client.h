/* The client (client.c): Engine.IO client sessions ("conns") over polling or WebSocket,
 * all driven by one sequential poll() loop. Cases are in ct_case.h, runs and verdicts in
 * ct_verdict.h; the Socket.IO helpers in ct_sio.h. */
#ifndef CT_CLIENT_H
#define CT_CLIENT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_case.h"
#include "ct_http.h"
#include "ct_util.h"
#include "ct_verdict.h"
#include "ct_ws.h"

/* One Engine.IO packet as received: text (type digit included) or binary bytes. */
typedef struct ct_pkt {
  int binary;
  ct_buf data;
} ct_pkt;

/* One client connection of a run. */
typedef struct ct_conn {
  char name[16];
  ct_run *r;
  unsigned transport; /* CT_TR_POLLING or CT_TR_WEBSOCKET */
  int bg;             /* polling: keep a GET in flight while pumping */
  int autopong;       /* answer ping "2" with pong "3" without queueing it */
  char path[256];
  char host[256]; /* ct_open_at: this conn's own server (a cluster node); "" = the run's */
  int port;
  char sid[128];
  long ping_interval, ping_timeout, max_payload;
  ct_ws ws;
  ct_http_call get;
  int get_pending;
  ct_pkt *q; /* received packets not yet taken */
  size_t qhead, qn, qcap;
  int closed;
  char close_why[200];
  int eio3;                  /* the session speaks Engine.IO v3 (the run's protocol, issue 14) */
  int64_t next_ping;         /* v3: when the client sends its next heartbeat ping (EIO-THB-1) */
  int mp;                    /* Socket.IO packets travel as msgpack (--parser msgpack, on the
                              * Socket.IO path): text forms in the cases, msgpack on the wire */
  char accept_encoding[128]; /* polling: sent with every GET, "" = no header (EIO-CMP-8) */
} ct_conn;

/* Options of a handshake (ct_open_opt); every pointer is borrowed, NULL = not used. */
typedef struct ct_open_opts {
  const char *ws_extensions;   /* WebSocket: the Sec-WebSocket-Extensions offered */
  const char *accept_encoding; /* polling: the Accept-Encoding of every GET */
} ct_open_opts;

/* ---- client sessions (client.c) */
/* Open an Engine.IO session named NAME on TRANSPORT at PATH (NULL = the case's path)
 * with extra query text QUERY (NULL or "&a=b"). The open packet's values are stored
 * in the conn and in the run's variables. Returns the conn (owned by the run) or NULL
 * with the run's failure recorded. */
ct_conn *ct_open(ct_run *r, const char *name, unsigned transport, const char *path,
                 const char *query);
/* ct_open towards HOST:PORT instead of the run's target (a node of a cluster); every
 * later request of the conn goes there too. HOST NULL: the run's target. */
ct_conn *ct_open_at(ct_run *r, const char *name, unsigned transport, const char *host, int port,
                    const char *path, const char *query);
/* ct_open_at with options O (may be NULL). Compression (spec/engine.io-v4.md section 13):
 * the server's answer to a permessage-deflate offer is variable NAME.ws_extensions ("" when
 * none) and must keep RFC 7692 (EIO-CMP-2, EIO-CMP-3; otherwise the run fails); a GET
 * body in a content coding is decoded, and the codings seen so far are variable
 * NAME.content_codings (space-separated, "" when none); a coding the GET did not accept
 * or a body that does not decode closes the conn with the reason (EIO-CMP-9, -10). */
ct_conn *ct_open_opt(ct_run *r, const char *name, unsigned transport, const char *host, int port,
                     const char *path, const char *query, const ct_open_opts *o);
/* A connection slot for raw work (no handshake yet). */
ct_conn *ct_conn_new(ct_run *r, const char *name, unsigned transport);
ct_conn *ct_conn_find(ct_run *r, const char *name);
/* The Engine.IO version runs of R speak: 3 under CT_P_EIO3, else 4. */
int ct_run_eio(const ct_run *r);
/* Path of the case's endpoint. */
const char *ct_case_path(const ct_run *r);
/* Send one Engine.IO packet (text with type digit, or binary). On polling this is a
 * POST whose status must be 200; returns 0, or -1 (failure logged, not recorded). */
int ct_send(ct_conn *c, int binary, const void *p, size_t len);
/* Append the POST body that carries one packet on C to BODY: "b" + base64 for binary in
 * v4; in v3 one "<length>:" segment, binary as "b4" + base64 (EIO-TPL-9, EIO-TPK-6). */
void ct_polling_body(const ct_conn *c, int binary, const void *p, size_t len, ct_buf *body);
/* POST a raw body on a polling conn; STATUS and BODY (may be NULL) get the answer.
 * Returns 0 when a response arrived, -1 otherwise. */
int ct_post(ct_conn *c, const void *body, size_t len, const char *headers, int *status,
            ct_buf *resp_body);
/* Take the next received packet within TIMEOUT_MS (scaled by the caller). Returns 1
 * (OUT filled; caller frees OUT->data), 0 timeout, -1 the conn is closed. */
int ct_next(ct_conn *c, int timeout_ms, ct_pkt *out);
/* Pump every conn of the run for up to MS milliseconds (answers pings, keeps polls). */
void ct_pump(ct_run *r, int ms);
/* Start a GET on a polling conn now (a long poll held by the server). */
int ct_poll_start(ct_conn *c);
void ct_conn_close(ct_conn *c);
/* Tear down every connection of R (closed and freed; R has none after). END_SESSIONS:
 * first end each polling session still open with a POSTed close packet "1", so no
 * half-open session lingers until its ping timeout to disturb the next run. */
void ct_conns_teardown(ct_run *r, int end_sessions);
/* Is the polling session gone? Sends one GET: 1 when it is refused (HTTP 400, a close
 * packet, or no answer), 0 if not. STRICT: only HTTP 400 with error code 1 ("Session
 * ID unknown") counts, for use while another GET of the session may be held (a second
 * GET would itself close a live session). */
int ct_poll_gone(ct_conn *c, int timeout_ms, int strict);
/* Render a packet for logs and reports. */
void ct_pkt_render(ct_buf *b, const ct_pkt *p);
/* Append a received packet to C's queue (copies P); put N packets (ownership taken, the
 * array itself stays the caller's) back at the head of the queue, in order. */
void ct_queue_push(ct_conn *c, int binary, const unsigned char *p, size_t len);
void ct_queue_unshift(ct_conn *c, ct_pkt *pkts, size_t n);

/* The root cases that grade each preamble on its own; a run whose preamble fails is
 * BLOCKED by "<root>@<transport>" (issue 11, "one fault, one failure"). */
#define CT_ROOT_EIO_HANDSHAKE "eio.handshake.open"        /* the echo path's handshake */
#define CT_ROOT_SIO_HANDSHAKE "sio.engine.handshake.open" /* the Socket.IO path's handshake */
#define CT_ROOT_SIO_CONNECT   "sio.connect.main-answer"   /* CONNECT "/" answered, no app */
#define CT_ROOT_GREETING      "sio.connect.main"          /* the contract app's "auth" event */
/* The handshake root for a session opened on PATH. */
const char *ct_handshake_root(const ct_run *r, const char *path);

#endif
