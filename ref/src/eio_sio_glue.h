/* Glue between the Engine.IO router and the Socket.IO layer (sio_server.h) running the
 * test-app contract (contract_app.h): one sio_client per Engine.IO session. Private to
 * sioref; without the Socket.IO layer (SIOREF_HAVE_SIO unset) the functions are no-ops. */
#ifndef SIOREF_EIO_SIO_GLUE_H
#define SIOREF_EIO_SIO_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#include "sioref/eio_server.h"

typedef struct eio_sio_glue eio_sio_glue;

#if SIOREF_HAVE_SIO
/* Create the Socket.IO server with the contract app, CONNECT_TIMEOUT_MS and RANDOM
 * (the same source as session ids). Returns NULL when out of memory. */
eio_sio_glue *eio_sio_glue_new(uint64_t connect_timeout_ms,
                               int (*random)(void *user, uint8_t *buf, size_t len), bool verbose);

/* Point CFG's application callbacks (on_open, on_message, on_close, app_user) at G. */
void eio_sio_glue_eio_callbacks(eio_sio_glue *g, eio_server_config *cfg);

/* The adapter's extra timer hook (USER is G): free clients whose session closed, run
 * the Socket.IO timers due at NOW_MS, return the next deadline (UINT64_MAX: none). */
uint64_t eio_sio_glue_tick(void *user, uint64_t now_ms);

/* Free G and every client. Call after the router's sessions are gone. NULL is fine. */
void eio_sio_glue_free(eio_sio_glue *g);
#else
static inline void eio_sio_glue_free(eio_sio_glue *g) { (void)g; }
#endif

#endif
