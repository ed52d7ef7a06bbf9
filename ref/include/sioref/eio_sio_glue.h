/* Engine.IO -> Socket.IO glue, sans-I/O: runs a Socket.IO application (sio_server.h)
 * on the sessions of one Engine.IO router (eio_server.h), one sio_client per session.
 * It never reads a clock, a random source or a socket: time comes in as the now_ms
 * of the router's callbacks and of eio_sio_glue_tick(); ids come from the
 * application's own random callback.
 * Spec: Socket.IO rides on Engine.IO MESSAGE packets (spec/socket.io-v5.md, EIO-TR);
 * closes follow EIO-CL in both directions.
 *
 * Wiring: g = eio_sio_glue_new(&app, ...); eio_sio_glue_eio_callbacks(g, &router_cfg);
 * eio_server_new(&router_cfg, ...); run eio_sio_glue_tick() with the router's tick
 * (eio_driver.h takes it as its extra timer hook); at exit free the router first,
 * then the glue. */
#ifndef SIOREF_EIO_SIO_GLUE_H
#define SIOREF_EIO_SIO_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#include "sioref/eio_server.h"
#include "sioref/sio_server.h"

typedef struct eio_sio_glue eio_sio_glue;

/* Create the glue and its Socket.IO server for the application APP (namespaces,
 * hooks, timeouts, limits, codec options, e.g. filled by contract_app_configure).
 * APP is copied; its send, close and wake are replaced by the glue's, and its random
 * (required) is called with APP->user for socket ids. VERBOSE: one stderr line per
 * open and close. Returns NULL when APP is NULL or refused by sio_server_new, or when
 * out of memory. */
eio_sio_glue *eio_sio_glue_new(const sio_server_config *app, bool verbose);

/* A Socket.IO parser other than the text one (e.g. msgpack, spec/msgpack.md): it
 * converts between the Engine.IO messages of the wire and the text form the Socket.IO
 * layer reads and writes (a packet text, then its attachments as binary messages). */
typedef int (*eio_sio_emit_fn)(void *ctx, bool binary, const uint8_t *data, size_t len);
typedef struct eio_sio_parser {
  /* One message from the client: call EMIT for each message the layer reads. A
   * negative return is a peer violation: the connection closes without DISCONNECT
   * packets (SIO-NS-8, SIO-DC-4). */
  int (*decode)(void *state, const uint8_t *data, size_t len, bool binary, eio_sio_emit_fn emit,
                void *ctx);
  /* One message of the layer for the client: call EMIT for each Engine.IO message. The
   * layer's messages of one packet come in a row (header, then attachments). */
  int (*encode)(void *state, bool binary, const uint8_t *data, size_t len, eio_sio_emit_fn emit,
                void *ctx);
  void *state; /* passed to both, owned by the caller */
} eio_sio_parser;

/* Use parser P (borrowed; NULL: the text parser, messages pass unchanged) from the next
 * session on. Set it before the router opens sessions. */
void eio_sio_glue_set_parser(eio_sio_glue *g, const eio_sio_parser *p);

/* Point CFG's application callbacks (on_open, on_message, on_close, app_user) at G. */
void eio_sio_glue_eio_callbacks(eio_sio_glue *g, eio_server_config *cfg);

/* The glue's timers (USER is G): free the clients whose session closed (never inside
 * a callback), run the Socket.IO timers due at NOW_MS, return the next deadline
 * (UINT64_MAX: none). The signature is eio_driver's timer hook. */
uint64_t eio_sio_glue_tick(void *user, uint64_t now_ms);

/* The Socket.IO server G runs (owned by G), e.g. for sio_server_client_count. */
sio_server *eio_sio_glue_server(const eio_sio_glue *g);

/* Free G and every client. Call after the router's sessions are gone. NULL is fine. */
void eio_sio_glue_free(eio_sio_glue *g);

#endif
