/* sioload's connection layer: many non-blocking Socket.IO v5 clients over Engine.IO v4
 * (WebSocket or HTTP long-polling) multiplexed on one epoll loop.
 *
 * The layer only speaks the protocol: it connects, completes the handshakes, answers
 * heartbeats, sends Socket.IO packets and reports acks and events to the phase logic
 * through callbacks. It never decides what to send next; the phases in main.c do.
 * Parsing is deliberately minimal (type digits, ack ids, event payload spans): a load
 * generator must cost far less per message than the server it measures, so it checks
 * only what it needs to count correctly and leaves validation to the conformance suite. */
#ifndef SIOLOAD_LT_CLIENT_H
#define SIOLOAD_LT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

typedef enum lt_transport { LT_WEBSOCKET = 0, LT_POLLING = 1 } lt_transport;

typedef enum lt_sock_role { LT_ROLE_WS = 0, LT_ROLE_GET = 1, LT_ROLE_POST = 2 } lt_sock_role;

typedef enum lt_sock_state {
  LT_SOCK_CLOSED = 0, /* no fd */
  LT_SOCK_CONNECTING, /* non-blocking connect() in progress */
  LT_SOCK_OPEN,       /* TCP up (WS: upgrade request sent, response awaited or done) */
} lt_sock_state;

typedef enum lt_client_state {
  LT_CL_IDLE = 0,  /* never started, or recycled */
  LT_CL_HANDSHAKE, /* TCP / HTTP / Engine.IO open / Socket.IO CONNECT in progress */
  LT_CL_READY,     /* Socket.IO CONNECT acknowledged on "/" */
  LT_CL_CLOSING,   /* close sent, waiting for the server to end the connection */
  LT_CL_DEAD,      /* failed or closed; see lt_client.error */
} lt_client_state;

struct lt_client;

/* One TCP connection. WebSocket clients use one; polling clients use two (a long-poll
 * GET and a POST connection), both HTTP/1.1 keep-alive. */
typedef struct lt_sock {
  int fd;
  uint8_t role;  /* lt_sock_role */
  uint8_t state; /* lt_sock_state */
  bool upgraded; /* WS: the 101 response has been read */
  bool want_out; /* EPOLLOUT currently requested */
  bool busy;     /* polling: a request is outstanding on this connection */
  struct lt_client *cl;
  uint8_t *rbuf; /* owned: unparsed input carried between reads */
  uint32_t rlen, rcap;
  uint8_t *wbuf; /* owned: output not yet accepted by the kernel */
  uint32_t wlen, woff, wcap;
  uint8_t *frag; /* owned: WS fragmented message being reassembled */
  uint32_t flen, fcap;
  uint32_t mask_key; /* WS: this connection's masking key */
} lt_sock;

/* One outstanding ack request (owned by the phase logic in main.c). */
typedef struct lt_pending {
  uint64_t t_us;
  uint32_t id;
  uint8_t kind;
} lt_pending;

typedef struct lt_client {
  lt_sock a; /* WS connection, or the polling GET connection */
  lt_sock b; /* polling POST connection */
  uint32_t idx;
  uint8_t state;          /* lt_client_state */
  bool churn;             /* a churn-phase client (recycled after each handshake) */
  bool was_ready;         /* reached READY since the last start */
  const char *error;      /* static string: why the client died */
  uint64_t t_start_us;    /* when the handshake started */
  uint64_t t_deadline_us; /* handshake / close deadline, 0 = none */
  char sid[40];           /* polling: the Engine.IO session id */
  uint8_t *outq;          /* polling: owned, packets waiting for the next POST */
  uint32_t outq_len, outq_cap;
  /* Phase bookkeeping, managed by main.c. */
  uint32_t next_id;
  uint32_t inflight, want_inflight;
  lt_pending *ring; /* owned: outstanding acks indexed by id & ring_mask */
  uint32_t ring_mask;
  bool joined;
} lt_client;

typedef struct lt_ctx lt_ctx;

/* Callbacks into the phase logic. DATA spans point into a buffer valid only for the
 * duration of the call. A callback may emit on or close any client but must never
 * (re)start one: the caller restarts clients between lt_ctx_poll() calls. on_dead runs
 * when a client fails (state DEAD, error set) or finishes a polite close (state IDLE). */
typedef struct lt_hooks {
  void (*on_ready)(lt_ctx *ctx, lt_client *cl, uint64_t now_us);
  void (*on_ack)(lt_ctx *ctx, lt_client *cl, uint32_t id, const uint8_t *data, size_t len,
                 uint64_t now_us);
  void (*on_event)(lt_ctx *ctx, lt_client *cl, const uint8_t *data, size_t len, uint64_t now_us);
  void (*on_dead)(lt_ctx *ctx, lt_client *cl, uint64_t now_us);
} lt_hooks;

struct lt_ctx {
  int epfd;
  lt_transport transport;
  struct sockaddr_in server;
  char host_hdr[64];   /* "127.0.0.1:PORT" */
  char path[128];      /* "/socket.io/" */
  uint32_t source_ips; /* rotate source address over 127.0.0.1 .. 127.0.0.N */
  uint32_t next_source;
  uint64_t handshake_timeout_us;
  lt_hooks hooks;
  void *user;
  uint8_t *rx; /* owned: read scratch */
  size_t rx_cap;
  uint8_t *tx; /* owned: frame building scratch */
  size_t tx_cap;
  uint64_t rng;
  /* Counters (cumulative). */
  uint64_t frames_in, frames_out, bytes_in, bytes_out;
  uint64_t pings_answered;
  uint64_t socks_open;
};

/* Monotonic clock in microseconds. */
uint64_t lt_now_us(void);

/* Prepare CTX for TRANSPORT towards SERVER (IPv4 loopback) and PATH (copied).
 * Returns 0, or -1 with errno set when epoll or memory cannot be had. */
int lt_ctx_init(lt_ctx *ctx, lt_transport transport, const struct sockaddr_in *server,
                const char *path);

/* Release CTX's own buffers and epoll fd (clients belong to the caller). */
void lt_ctx_free(lt_ctx *ctx);

/* Zero CL and give it index IDX (sockets closed). Call once before any other use. */
void lt_client_init(lt_client *cl, uint32_t idx);

/* Start CL's handshake (CL must be IDLE or DEAD; its old resources are released first).
 * Returns 0, or -1 when no socket could be created (CL is then DEAD, error set). */
int lt_client_start(lt_ctx *ctx, lt_client *cl, uint64_t now_us);

/* Send one Socket.IO packet (its text form, e.g. "21[\"x\"]") to CL. TXT is copied.
 * Returns 0, or -1 when CL is not READY or the write failed (CL then DEAD). */
int lt_client_emit(lt_ctx *ctx, lt_client *cl, const char *txt, size_t len);

/* Begin a polite close: WebSocket close frame, or Engine.IO close packet over polling.
 * The client becomes CLOSING and then IDLE when the server ends the connection (or
 * DEAD at the close deadline). */
void lt_client_close(lt_ctx *ctx, lt_client *cl, uint64_t now_us);

/* Drop every socket of CL at once and free its buffers; CL becomes IDLE. */
void lt_client_reset(lt_ctx *ctx, lt_client *cl);

/* Wait up to TIMEOUT_MS for I/O and process it (callbacks run from here).
 * Returns the number of events handled, or -1 on an epoll error. */
int lt_ctx_poll(lt_ctx *ctx, int timeout_ms);

/* Fail handshakes and closes whose deadline passed; call every ~100 ms. */
void lt_ctx_sweep(lt_ctx *ctx, lt_client *clients, size_t n, uint64_t now_us);

#endif
