/* The sans-I/O driver of the Engine.IO routers: one timer loop, one wake list and one
 * flush loop for any event loop. The I/O layer (the libwebsockets adapter, a fuzz
 * target, a test) keeps one eio_conn per connection that waits on a session (a held
 * GET, a POST whose body is complete, a WebSocket) and gives the driver two write
 * callbacks; the driver pulls the sessions' output and hands it over, and releases
 * the router's holds. It reads no clock and no socket: time comes in as now_ms.
 * Spec: EIO-TR (one answer per held GET, WebSocket messages in order), EIO-CL (a
 * WebSocket is closed after the last packet), EIO-HB (timers run when due).
 *
 * The loop of an I/O layer, once per turn before it waits:
 *   next = eio_driver_tick(d, now);   arm a timer for NEXT
 *   eio_driver_flush(d, now);         write what the woken connections have
 * and on its connection events:
 *   a held GET / WebSocket accepted: eio_driver_attach(), then eio_driver_service()
 *   a POST body complete:            eio_driver_post_ready() (routed by the next flush)
 *   a WebSocket message:             eio_driver_ws_message()
 *   a writable connection:           eio_driver_service()
 *   a connection gone:               eio_driver_closed()
 * Routers must be created with wake = eio_driver_wake, wake_user = the driver.
 * Single-threaded. */
#ifndef SIOREF_EIO_DRIVER_H
#define SIOREF_EIO_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/eio_server.h"

#define EIO_DRIVER_MAX_ROUTERS 4
#define EIO_DRIVER_MAX_HOOKS   4

typedef enum eio_conn_kind {
  EIO_CONN_NONE = 0, /* not attached (free, or released) */
  EIO_CONN_GET = 1,  /* a held polling GET */
  EIO_CONN_POST = 2, /* a polling POST; its body is routed by the flush after post_ready */
  EIO_CONN_WS = 3,   /* a WebSocket: the session's transport or its upgrade probe */
} eio_conn_kind;

/* The driver's view of one connection. Embed it in the I/O layer's own connection
 * record (which must not move while attached); zero it before first use. The fields
 * are the driver's: read them, never write them. */
typedef struct eio_conn {
  eio_conn_kind kind;
  eio_server *router;
  eio_session *s;      /* held for the I/O layer until released */
  const uint8_t *body; /* POST: the body (borrowed until routed) */
  size_t body_len;
  bool body_ready;                /* POST: eio_driver_post_ready was called */
  struct eio_conn *next, **pprev; /* in the driver's wake list; pprev NULL when not */
} eio_conn;

/* What the I/O layer writes. USER is eio_driver_config.io_user. */
typedef struct eio_driver_io {
  /* The HTTP answer to C (a held GET with its poll body, or a routed POST): R is the
   * router's response, its body owned by the session and valid for this call only
   * (OUT_HEADROOM bytes before it are free for a held GET's body). Return 0, or <0
   * when it could not be written (the connection is then to be closed). After the
   * call C is released; the I/O layer ends the HTTP transaction itself. */
  int (*http_write)(void *user, eio_conn *c, const eio_http_response *r);
  /* One WebSocket message for C (DATA owned by the session, valid for this call;
   * OUT_HEADROOM bytes before it are free). Return 0, or <0 on a write error. */
  int (*ws_write)(void *user, eio_conn *c, const uint8_t *data, size_t len, bool binary);
  /* Optional: true while C's WebSocket holds back output (a partial write). The
   * driver then pulls nothing more for C; the I/O layer calls eio_driver_service
   * again once C is writable. Asked before every pull. */
  bool (*ws_busy)(void *user, eio_conn *c);
  void *io_user;
} eio_driver_io;

typedef struct eio_driver eio_driver;

/* Create a driver that writes through IO (copied). Returns NULL when IO lacks a
 * callback or when out of memory. */
eio_driver *eio_driver_new(const eio_driver_io *io);

/* Free D (not the routers, not the connections). NULL is fine. */
void eio_driver_free(eio_driver *d);

/* Run SRV's timers from eio_driver_tick (borrowed, must outlive D). Returns 0, or
 * REF_ERR_INVALID_ARGUMENT when the table (EIO_DRIVER_MAX_ROUTERS) is full. */
int eio_driver_add_router(eio_driver *d, eio_server *srv);

/* Run another timer (e.g. eio_sio_glue_tick) after the routers' in every tick: it
 * returns its next deadline (UINT64_MAX: none). REF_ERR_INVALID_ARGUMENT when full. */
int eio_driver_add_hook(eio_driver *d, uint64_t (*tick)(void *user, uint64_t now_ms), void *user);

/* The routers' wake callback (USER is the driver): queue S's held GET and WebSocket. */
void eio_driver_wake(void *user, eio_session *s);

/* Run every router's and every hook's timers due at NOW_MS; return the earliest next
 * deadline (EIO_NO_DEADLINE: none). */
uint64_t eio_driver_tick(eio_driver *d, uint64_t now_ms);

/* Attach C to the session S that SRV's response holds for the I/O layer (KIND is GET
 * for EIO_HTTP_HOLD_GET, POST for EIO_HTTP_READ_BODY, WS for EIO_HTTP_WEBSOCKET).
 * A GET or WebSocket becomes the session's connection, found by eio_driver_wake. */
void eio_driver_attach(eio_driver *d, eio_conn *c, eio_conn_kind kind, eio_server *srv,
                       eio_session *s);

/* The whole body of the POST on C (BODY borrowed until C is routed): queued for the
 * next eio_driver_flush (or eio_driver_service). The body is the request's first
 * eio_server_input_cap() bytes when it was longer (the router refuses it). */
void eio_driver_post_ready(eio_driver *d, eio_conn *c, const uint8_t *body, size_t len);

/* One whole WebSocket message on C, routed (eio_server_ws_message). Returns 0, or
 * REF_ERR_PAYLOAD_TOO_LARGE: the I/O layer closes this WebSocket with status 1009
 * (RFC 6455 section 7.4.1), see eio_server_ws_message. */
int eio_driver_ws_message(eio_driver *d, eio_conn *c, const uint8_t *data, size_t len, bool binary,
                          uint64_t now_ms);

/* Results of eio_driver_service (and what eio_driver_flush hands to DONE):
 * KEEP: C stays as it is; HTTP_END: C's HTTP answer was written and C released, end
 * the transaction; WS_CLOSE: close C's WebSocket (then call eio_driver_closed). */
#define EIO_DRIVER_KEEP     0
#define EIO_DRIVER_HTTP_END 1
#define EIO_DRIVER_WS_CLOSE 2

/* Serve C now: answer a held GET that has its answer, route a ready POST body, write
 * a WebSocket's queued messages. Returns EIO_DRIVER_KEEP, EIO_DRIVER_HTTP_END,
 * EIO_DRIVER_WS_CLOSE, or <0 when the connection is to be closed (a write failed;
 * a GET that cannot be answered has its session closed, EIO-TR-12; C is released). */
int eio_driver_service(eio_driver *d, eio_conn *c, uint64_t now_ms);

/* Serve every connection woken since the last flush. DONE (may be NULL) gets each
 * one whose service did not return EIO_DRIVER_KEEP, with that result. */
void eio_driver_flush(eio_driver *d, uint64_t now_ms,
                      void (*done)(void *user, eio_conn *c, int result), void *done_user);

/* Queue C for the next flush, as a wake would (e.g. a GET just held: answered at once
 * when output is already queued). */
void eio_driver_queue(eio_driver *d, eio_conn *c);

/* True when C waits in the wake list. */
bool eio_driver_woken(const eio_conn *c);

/* C's connection went away (or was closed after EIO_DRIVER_WS_CLOSE): the session
 * learns it (a held GET aborted, EIO-TR-12; a WebSocket gone; a POST aborted, or its
 * complete body still routed) and C is released. No-op when C is not attached. */
void eio_driver_closed(eio_driver *d, eio_conn *c, uint64_t now_ms);

/* Release C without telling the session anything (its hold is dropped). */
void eio_driver_release(eio_driver *d, eio_conn *c);

#endif
