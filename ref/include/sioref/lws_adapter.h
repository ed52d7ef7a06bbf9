/* The libwebsockets adapter: the only I/O in sioref. It listens on one TCP port, serves
 * HTTP long-polling and WebSocket on every mounted Engine.IO path, reassembles
 * request bodies and WebSocket messages (at most eio_server_input_cap() bytes each),
 * hands them to the routers (eio_server.h) with the current time, and runs the
 * sans-I/O driver (eio_driver.h) for timers, wakes and output.
 * It decides nothing about the protocol: every status code, body, close and size
 * limit comes from a router or a session; the adapter only carries it out.
 *
 * Life cycle: sioref_adapter_new() (listens), sioref_adapter_mount() for each path
 * (routers must be created with wake = sioref_adapter_wake, wake_user = the adapter),
 * then sioref_adapter_run() until *STOP becomes non-zero, then sioref_adapter_free().
 * Single-threaded. The adapter owns the only clock: it is not exported. */
#ifndef SIOREF_LWS_ADAPTER_H
#define SIOREF_LWS_ADAPTER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/eio_server.h"

typedef struct sioref_adapter sioref_adapter;

#define SIOREF_MAX_MOUNTS 4
/* Bytes the adapter needs free before every output buffer (LWS_PRE): routers must
 * be configured with session.out_headroom >= this. */
size_t sioref_adapter_headroom(void);

typedef struct sioref_adapter_config {
  const char *host; /* address to bind, e.g. "127.0.0.1" (borrowed for the call) */
  int port;         /* 0 = let the kernel choose (see sioref_adapter_port) */
  bool verbose;     /* one stderr line per connection event */
  /* TLS (https://, wss://): PEM certificate chain and private key files, served by
   * libwebsockets' own OpenSSL support; both NULL for plain TCP (borrowed for the call) */
  const char *tls_cert;
  const char *tls_key;
  /* Extra timers run by the loop (the Socket.IO glue's eio_sio_glue_tick): an
   * eio_driver hook, run after the routers' with the current time; returns the next
   * deadline (UINT64_MAX: none). */
  uint64_t (*tick)(void *user, uint64_t now_ms);
  void *tick_user;
  /* Compression (spec/engine.io-v4.md section 13): accept permessage-deflate offers;
   * code polling GET bodies of at least HTTP_COMPRESSION_MIN bytes in gzip or deflate
   * when the request accepts one (0: never, so a zeroed config compresses nothing) */
  bool ws_compression;
  size_t http_compression_min;
} sioref_adapter_config;

/* Create the lws context and start listening. Returns 0 and *OUT, or -1 (could not
 * listen; a reason was printed to stderr). */
int sioref_adapter_new(const sioref_adapter_config *cfg, sioref_adapter **out);

/* Serve Engine.IO router SRV (borrowed, must outlive the adapter) under PATH (prefix
 * match, e.g. "/engine.io/"; copied). Returns 0, or -1 when the table is full. */
int sioref_adapter_mount(sioref_adapter *a, const char *path, eio_server *srv);

/* The libev loop the adapter runs on (a struct ev_loop *), for other I/O of sioref that
 * shares it (redis_link.h). Valid until sioref_adapter_free. */
void *sioref_adapter_ev_loop(sioref_adapter *a);

/* The port actually listened on. */
int sioref_adapter_port(const sioref_adapter *a);

/* The routers' wake callback (USER is the adapter): S's held GET and WebSocket are
 * served by the driver before the loop next waits (eio_driver_wake). */
void sioref_adapter_wake(void *user, eio_session *s);

/* Serve until *STOP is non-zero (a signal handler sets it and then calls
 * sioref_adapter_interrupt). Then close every session in order and keep serving
 * for at most GRACE_MS so that close packets reach their clients. Returns 0. */
int sioref_adapter_run(sioref_adapter *a, volatile sig_atomic_t *stop, uint32_t grace_ms);

/* Make a blocked run loop look at *STOP now. Async-signal-safe enough for a signal
 * handler (it writes to lws's event pipe). */
void sioref_adapter_interrupt(sioref_adapter *a);

/* Close the listener and every connection, free the adapter. NULL is fine. */
void sioref_adapter_free(sioref_adapter *a);

#endif
