/* What a client case is written with (cc_script.c): start the scripted server and the
 * client under test for one case-run, send Engine.IO / Socket.IO packets byte for byte,
 * and wait (bounded) for what the client does: a packet, a stdout line of the client
 * contract (spec/client-contract.md), the end of its connection. Every step is logged in
 * the run's transcript, and the run's verdict is set by the case through ct_verdict.h. */
#ifndef CC_SCRIPT_H
#define CC_SCRIPT_H

#include <cjson/cJSON.h>

#include "ct_verdict.h"
#include "cs_drive.h"

/* The client command, set once by `sioconform client` before the runs. */
typedef struct cc_global {
  char **argv; /* CMD ARGS..., "{url}" substituted per run */
  double tscale;
} cc_global;
extern cc_global cc_g;

typedef struct cc_ctx {
  ct_run *r;
  cs_drive d;
  int64_t t_open; /* when the session was opened (ms), 0 before */
  int session;    /* the session the case follows */
  char sid[32];
} cc_ctx;

/* A Socket.IO packet read from one Engine.IO message ("4" + Socket.IO text). */
typedef struct cc_sio {
  int type;        /* 0..6, -1 when the Engine.IO packet is not a message */
  int attachments; /* types 5 and 6 */
  char nsp[128];   /* "/" when absent */
  long long ack;   /* -1 when absent */
  cJSON *data;     /* owned, NULL when absent or not JSON */
} cc_sio;

/* Settings of one run: the server's open packet and the client's environment. */
typedef struct cc_setup {
  long ping_interval, ping_timeout, max_payload; /* 0: the defaults 25000/20000/1000000 */
  const char *open_extra;                        /* extra open-packet members, or NULL */
  const char *auth;                              /* SIOCONFORM_AUTH, or NULL */
  int upgrade;           /* polling run offering the upgrade: SIOCONFORM_TRANSPORT=polling,websocket
                          * and "upgrades":["websocket"] in the open packet */
  int no_offer;          /* with UPGRADE: the open packet lists no upgrade ("upgrades":[]) */
  const char *reconnect; /* SIOCONFORM_RECONNECT ("DELAY,MAX" ms) [CC-12], or NULL: off */
} cc_setup;

/* Start the server and the client for X->r (transport r->transport). 0, or -1 with the
 * verdict set (a harness or spawn error: FAIL naming it). */
int cc_begin(cc_ctx *x, ct_run *r, const cc_setup *su);
/* Stop the client and the server; the client's stderr goes into the transcript. */
void cc_end(cc_ctx *x);
/* Scale a wait by --timeout-scale. */
int cc_ms(const cc_ctx *x, long ms);

/* ---- waiting (every wait is bounded by TIMEOUT ms, unscaled: the caller scales) */
/* The next unconsumed event of KIND (CS_EV_* or CS_EV_LINE/EXIT), consumed; NULL at the
 * timeout. PREFIX, when not NULL, must start its data. */
const cs_event *cc_wait(cc_ctx *x, int kind, const char *prefix, long timeout);
/* The next client packet of the case's session: text (not binary) starting with PREFIX
 * (NULL: any). Packets that do not match are left for later waits. */
const cs_event *cc_wait_packet(cc_ctx *x, const char *prefix, long timeout);
/* The next client packet of the case's session, whatever it is (consumed). */
const cs_event *cc_next_packet(cc_ctx *x, long timeout);
/* The session was opened (the open packet sent): 1, or 0 after TIMEOUT. */
int cc_wait_open(cc_ctx *x, long timeout);
/* Has the client closed the session by TIMEOUT: a close packet, a WebSocket close, the
 * session's connections all closed, a "disconnect" line or the process's exit. The time
 * it was seen in *AT. 1 or 0. */
int cc_wait_gone(cc_ctx *x, long timeout, int64_t *at);
/* Has the client closed the session on the wire by TIMEOUT: a close packet, a WebSocket
 * close frame, or one of the session's connections closed? 1 or 0. */
int cc_wait_wire_close(cc_ctx *x, long timeout);
/* Pump for MS without consuming anything (events keep for later waits). */
void cc_idle(cc_ctx *x, long ms);
/* How many unconsumed client packets match PREFIX (NULL: any) so far. */
int cc_count_packets(const cc_ctx *x, const char *prefix);

/* ---- sending (logged; polling: flushed at once) */
void cc_send(cc_ctx *x, const char *packet);
void cc_send_bin(cc_ctx *x, const void *p, size_t len);
/* The probe WebSocket of an upgrade: send a text packet on it, or close it silently. */
void cc_send_probe(cc_ctx *x, const char *packet);
void cc_close_probe(cc_ctx *x);
/* Several packets in one polling body (WebSocket: one frame each), P[0..N). */
void cc_send_batch(cc_ctx *x, const char *const *p, int n);

/* ---- Socket.IO */
/* Parse the Engine.IO packet TEXT/LEN into S (free with cc_sio_free). 0, or -1. */
int cc_sio_parse(const char *text, size_t len, cc_sio *s);
void cc_sio_free(cc_sio *s);
/* The first half of the preamble: the session opened and the client's CONNECT for "/"
 * read (consumed, returned); NULL with the run BLOCKED (or failed when the run grades
 * that step). */
const cs_event *cc_await_connect(cc_ctx *x);
/* The common preamble: open seen, CONNECT for "/" read, answered with CONNECT {sid},
 * the client's "connect" line seen. CONNECT's packet into *CONNECT (owned) when not
 * NULL. 0, or -1 with the run BLOCKED (or failed when the run grades that step). */
int cc_connect(cc_ctx *x, char **connect_packet);
/* Does the contract line LINE belong to namespace NSP ([CC-11]: the line's last word
 * when that starts with '/', else "/"; NSP NULL means "/")? */
int cc_line_in_ns(const char *line, const char *nsp);
/* cc_begin and cc_connect: 0, or -1 with the run graded (cc_end done). */
int cc_start(cc_ctx *x, ct_run *r, const cc_setup *su);
/* Has the client left the session by event E: a close packet, a WebSocket close or a
 * closed WebSocket connection of the session, a "disconnect" line for "/", the process's
 * exit? */
int cc_is_gone(const cc_ctx *x, const cs_event *e);
/* The next unconsumed stdout line whose first word is WORD and that belongs to namespace
 * NSP ([CC-11]: the line's last word is the namespace; "/" or NULL: a line that ends in
 * no namespace), consumed; NULL after TIMEOUT. */
const cs_event *cc_wait_line(cc_ctx *x, const char *word, const char *nsp, long timeout);
/* The client was told (by the case's last packet) something it may ignore or refuse:
 * grade that it neither crashed nor hung [CC-13]. An echo-ack probe follows; PASS when
 * it is acked (the client went on) or when the client left the session cleanly (a close,
 * a "disconnect" line, exit status 0) within 3 s; FAIL on an exit by signal or non-zero
 * status, or on neither. */
void cc_grade_survive(cc_ctx *x);
/* A namespace joined on request [CC-11]: "join" sent on "/" (with AUTH, a JSON text, or
 * NULL), its CONNECT read on the same session and, unless REFUSE, answered. 1 when
 * joined (the "connect NSP" line seen), 0 with the run graded (SKIP when the client says
 * "unsupported join"). With REFUSE the CONNECT packet is left for the case to answer:
 * returns 1 once it is read. */
int cc_join(cc_ctx *x, const char *nsp, const char *auth, int refuse, char **connect_packet);
/* JSON text of V (caller frees), "(none)" for NULL. */
char *cc_json(const cJSON *v);

/* Expectations the cases share (cc_script.c). */
/* Wait for an EVENT from the client on "/" whose array equals WANT (a JSON text), ack id
 * as ACK says (-1: none, -2: any, else that id); 1 with *GOT_ACK, or 0 with the run
 * failed (WHAT names it). Other packets are left in place. */
int cc_expect_event(cc_ctx *x, const char *want, int ack, long long *got_ack, long timeout,
                    const char *what);

/* Wait for an ACK (type 3) with id ID on "/" whose array equals WANT. */
int cc_expect_ack(cc_ctx *x, long long id, const char *want, long timeout, const char *what);
/* Send 42<ID>["echo-ack",ARGS] on "/" and expect 43<ID>[ARGS] (ARGS: the arguments as
 * JSON text without brackets) [CC-4]. 1, or 0 with the run failed. */
int cc_echo_ack(cc_ctx *x, long long id, const char *args, const char *what);
/* cc_expect_event on namespace NSP. */
int cc_expect_event_ns(cc_ctx *x, const char *nsp, const char *want, int ack, long long *got_ack,
                       long timeout, const char *what);
/* Send a BINARY_EVENT/BINARY_ACK header HEADER and its N attachments: one polling body
 * (the attachments as `b` records), or N + 1 WebSocket messages. */
void cc_send_binary(cc_ctx *x, const char *header, const unsigned char *const *bins,
                    const size_t *lens, int n);
/* Wait for a binary packet (5 or 6) of type TYPE whose header has ack id ACK (-2: any),
 * NSP, and whose array equals WANT (placeholders in place), then its N attachments
 * equal to BINS/LENS in order. *GOT_ACK gets the ack id. 1, or 0 with the run failed. */
int cc_expect_binary(cc_ctx *x, int type, const char *nsp, long long ack, const char *want,
                     const unsigned char *const *bins, const size_t *lens, int n,
                     long long *got_ack, long timeout, const char *what);

#endif
