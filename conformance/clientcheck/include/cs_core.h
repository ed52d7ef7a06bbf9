/* The scripted server of `sioconform client` without I/O (cs_core.c): the Engine.IO v4
 * server side of one client under test, driven by bytes in and bytes out. It answers
 * the transport mechanics itself (HTTP requests, the WebSocket handshake and frames,
 * the open packet, holding a polling GET) and leaves every protocol decision to the
 * case: it sends what the case queues, byte for byte, and reports what the client did
 * as events (requests, packets, closes, a second GET while one is held). No sockets, no
 * clock (times are arguments), no threads; built on the wire library, so the client
 * checker reads the client with decoders that sioref does not share. */
#ifndef CS_CORE_H
#define CS_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "ct_util.h"

#define CS_MAX_CONNS 32

enum { CS_TR_POLLING = 1, CS_TR_WEBSOCKET = 2 }; /* the values of CT_TR_* */

typedef enum cs_ev_kind {
  CS_EV_REQUEST = 1, /* an HTTP request head was read; data: "METHOD TARGET" */
  CS_EV_OPEN,        /* a session was opened (handshake answered with the open packet) */
  CS_EV_PACKET,      /* one Engine.IO packet from the client; data: its text, or the
                      * decoded bytes when binary (base64 `b` form or binary frame) */
  CS_EV_GET_OVERLAP, /* a polling GET arrived while another was held [EIO-TR-6] */
  CS_EV_WS_CLOSE,    /* a WebSocket close frame from the client */
  CS_EV_CONN_CLOSED, /* the client closed a TCP connection (end of stream) */
  CS_EV_BAD,         /* something the core could not read; data: what */
  CS_EV_PROBE,       /* a WebSocket with the polling session's sid was opened (upgrade) */
} cs_ev_kind;

typedef struct cs_event {
  cs_ev_kind kind;
  int conn;           /* connection index */
  unsigned transport; /* CS_TR_* the event arrived on (0 when unknown) */
  int binary;         /* CS_EV_PACKET: binary data */
  int session;        /* the session's number (1, 2 ...) at the time; 0 before any */
  char *data;         /* owned, NUL-terminated (binary data may hold NULs: use len) */
  size_t len;
  int64_t at; /* the time given with the input that caused it */
  /* CS_EV_REQUEST: the body's length and its polling records (0x1e-separated) */
  size_t body_len;
  int records;
} cs_event;

typedef struct cs_opts {
  const char *path;       /* the Engine.IO path, default "/socket.io/" */
  long ping_interval;     /* announced in the open packet */
  long ping_timeout;      /* announced */
  long max_payload;       /* announced; -1: the key is left out */
  const char *open_extra; /* extra JSON members written into the open packet, e.g.
                           * "\"x\":1" (NULL: none), for "survives unknown fields" */
  int upgrades;           /* 1: a polling open packet lists "websocket" */
} cs_opts;

typedef struct cs_core cs_core;

/* A core with O's settings (copied; strings must outlive the core). */
cs_core *cs_core_new(const cs_opts *o);
void cs_core_free(cs_core *s);

/* A new TCP connection: its index (>= 0), or -1 when CS_MAX_CONNS are open. */
int cs_core_accept(cs_core *s);
/* Bytes read from connection C at time NOW. */
void cs_core_input(cs_core *s, int c, const void *p, size_t len, int64_t now);
/* The client closed connection C (end of stream or error). */
void cs_core_eof(cs_core *s, int c, int64_t now);

/* Bytes to write on C (borrowed until cs_core_written): their length, 0 when none. */
size_t cs_core_output(const cs_core *s, int c, const unsigned char **p);
void cs_core_written(cs_core *s, int c, size_t n);
/* Should the driver close C now (everything written and the core is done with it)? */
int cs_core_should_close(const cs_core *s, int c);
/* Is C an open connection? */
int cs_core_conn_open(const cs_core *s, int c);
/* The driver closed C (after cs_core_should_close, or at the end). */
void cs_core_closed(cs_core *s, int c);

/* The next event, oldest first: 1 with *EV filled (free with cs_event_free), 0 none. */
int cs_core_next_event(cs_core *s, cs_event *ev);
void cs_event_free(cs_event *ev);

/* ---- what a case does (each queues bytes for the current session) */

/* Queue one Engine.IO packet: text as given (P is the whole packet, type digit
 * included, e.g. "42[\"x\"]"), or BINARY data (WebSocket: a binary frame; polling:
 * `b` + base64). On polling, queued packets wait for cs_core_flush. */
void cs_core_send(cs_core *s, const void *p, size_t len, int binary);
/* Polling: queue BODY as it is, joined to what is queued with one 0x1e (so a case can
 * write a whole batched body, or a deliberately broken one). WebSocket: one text frame. */
void cs_core_send_raw(cs_core *s, const char *body, size_t len);
/* Polling: answer the held GET with everything queued (one body). No effect on
 * WebSocket or when nothing is queued or held. */
void cs_core_flush(cs_core *s);
/* Send text packet P on the upgrading WebSocket (the probe answer), if there is one. */
void cs_core_send_probe(cs_core *s, const char *p, size_t len);
/* Close the upgrading WebSocket without a byte (a failed probe); the polling session
 * goes on. */
void cs_core_close_probe(cs_core *s);
/* Go silent and vanish: every connection is closed without another byte. */
void cs_core_drop(cs_core *s);
/* Forget the session, as a restarted server would: a held GET is answered 400 "Session
 * ID unknown" (code 1), the session's WebSocket is closed without a byte, and every later
 * request with its sid gets code 1 [EIO-TR-2]. New handshakes are served. */
void cs_core_forget(cs_core *s);
/* Refuse the next N handshakes (polling or WebSocket) with 400 code 4 "Forbidden", as an
 * overloaded server would: a reconnecting client's attempts, timed by the case. */
void cs_core_refuse(cs_core *s, int n);

/* ---- what the core saw */
typedef struct cs_stats {
  int sessions;       /* handshakes answered */
  unsigned transport; /* the current session's transport, 0 before the first */
  int get_overlaps;   /* CS_EV_GET_OVERLAP count */
  int held;           /* a polling GET is held now */
  int requests;       /* HTTP requests read */
  char sid[32];       /* the current session id */
} cs_stats;
void cs_core_stats(const cs_core *s, cs_stats *st);

#endif
