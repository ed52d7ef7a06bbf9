/* Socket.IO v5 server layer, sans-I/O: namespaces, auth, events, acks, rooms,
 * disconnects over one Engine.IO connection per sio_client.
 * Spec: spec/socket.io-v5.md, tags SIO-NS-*, SIO-EV-*, SIO-ACK-*, SIO-ROOM-*, SIO-AUTH-*,
 * SIO-DC-*, SIO-LIM-2..4 (the packet and binary rules SIO-PK-*, SIO-BIN-* are the
 * codec's: sio_codec.h, sio_binary.h).
 *
 * WIRING CONTRACT (for the embedder, i.e. the Engine.IO layer / adapter)
 *
 *  1. Create one sio_server from a sio_server_config (namespaces with their hooks,
 *     timeouts, codec options) plus three embedder callbacks: send, close, random.
 *     The config is copied; the namespace names and hook pointers it points to must
 *     outlive the server (static tables are the norm).
 *  2. For every Engine.IO connection that completes its handshake:
 *       c = sio_client_new(server, conn_user);  sio_client_open(c, now_ms);
 *     then for every Engine.IO MESSAGE packet received, in order:
 *       sio_client_on_message(c, is_binary, payload, len, now_ms);
 *     where payload is the text after the leading '4' (text message), or the raw
 *     attachment bytes (binary message; on polling: after base64 decoding).
 *  3. Timers: after any call into the layer, sio_client_next_deadline(c) says when
 *     sio_client_tick(c, now_ms) must be called next (UINT64_MAX = no timer). A
 *     deadline can also appear because another client's handler emitted to this
 *     client with an ack request: config.wake (optional) is called on every new ack
 *     request, with that client and its new next deadline, so the embedder can re-arm
 *     its timer. sio_server_next_deadline/tick do the same over every client that has
 *     a deadline (idle clients cost nothing), for embedders with one global timer.
 *     Time only moves forward: the layer keeps the largest now_ms it was given.
 *  4. When the Engine.IO connection ends for any reason (peer close, heartbeat
 *     timeout, transport error, or after the layer asked for it via close):
 *       sio_client_on_closed(c, reason);   later, outside any callback:
 *       sio_client_free(c);
 *     sio_client_free also performs on_closed when the embedder has not.
 *
 *  Output:
 *   - send(user, c, is_binary, bytes, len): queue one Engine.IO MESSAGE for c. Text
 *     is the Socket.IO packet text (the embedder prefixes '4'); binary is one
 *     attachment (a binary WebSocket message, or 'b'+base64 on polling). BYTES is
 *     borrowed for the call only: copy it. Messages must be delivered in call order.
 *     A binary packet is one text call followed by its attachment calls.
 *   - close(user, c, reason): close c's Engine.IO connection after flushing what
 *     was already queued with send. By the time it is called the layer has already
 *     torn the client down (handlers ran, no more sends), so calling
 *     sio_client_on_closed from inside it is allowed and a no-op.
 *   - random(user, out, len): fill OUT with LEN unpredictable bytes; 0 on success.
 *     Used for socket ids (sid, 20 base64url characters from 15 bytes).
 *   Callbacks (send, close, random, wake) must NOT call back into the layer, except
 *   sio_client_on_closed: from close (a no-op), or from send when the embedder finds
 *   that connection gone (tolerated for any client: the layer copies its recipient
 *   lists before sending and keeps sockets alive until the outermost call returns).
 *   They may be called for clients other than the one whose entry point is running
 *   (broadcasts, rooms).
 *
 *  Re-entrancy for application hooks: namespace hooks (auth, on_connect, on_event,
 *  on_disconnect) and ack callbacks may call any sio_socket_* / sio_namespace_* /
 *  sio_client_close function, including ones that disconnect the socket being
 *  handled; memory is released when the outermost call into that client returns.
 *  They must never call sio_client_free or sio_server_free.
 *
 *  Threading: none. One server and its clients belong to one thread.
 *
 * The send side (sio_socket_emit, sio_socket_ack, sio_namespace_emit) is declared in
 * sio_emit.h, rooms (sio_socket_join, _leave, _in_room) in sio_room.h: each header pairs
 * with one source (sio_server.c, sio_emit.c, sio_room.c), which share the private
 * sio_internal.h.
 *
 * Choices (checked against socket.io 4.8.4, lib/client.ts and lib/socket.ts):
 *  - SIO-NS-7: a packet other than CONNECT for a namespace this client has not
 *    joined, a CONNECT for a namespace it already joined, and any CONNECT_ERROR sent
 *    by the client close the whole Engine.IO connection ("invalid state"), as the
 *    official server does (client.ts ondecoded). A binary packet is judged when it
 *    is complete (after its attachments), as there.
 *  - SIO-NS-8: a codec peer violation (bad packet, bad placeholder, unexpected
 *    binary/text, too many attachment bytes) closes that Engine.IO connection only,
 *    with no DISCONNECT packets; close's reason is the ref_err code.
 *  - SIO-ACK-4: an ACK whose id is not pending (unknown, already answered, timed out)
 *    is ignored, as the official server does.
 *  - SIO-NS-5: the connect timeout is cancelled only by a successful CONNECT; a
 *    rejected one (invalid namespace, auth refusal) leaves it running, and leaving
 *    every namespace later does not restart it.
 *  - SIO-NS-9: namespaces match exactly; "/chat?x=1" is not "/chat" (socket.io 4.8.4
 *    strips a query only for protocol v3 clients).
 *  - CONNECT is handled synchronously: an EVENT that follows a CONNECT in the same
 *    polling body is delivered (the official server, whose CONNECT is asynchronous,
 *    closes the connection; the contract's CT-20 keeps clients from relying on either).
 *  - SIO-ACK-2: answering a client's ack id at most once is the application's duty;
 *    the layer does not track ids it was asked to answer.
 *  - sio_client_close (the app's "close the connection", official
 *    socket.disconnect(true)) sends DISCONNECT on every joined namespace, then asks
 *    the embedder to close. */
#ifndef SIOREF_SIO_SERVER_H
#define SIOREF_SIO_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/sio_codec.h"
#include "sioref/span.h"

#define SIO_DEFAULT_CONNECT_TIMEOUT_MS   45000 /* the official server's default */
#define SIO_DEFAULT_ACK_TIMEOUT_MS       10000
#define SIO_DEFAULT_MAX_ROOMS_PER_SOCKET 1024 /* a join past this fails (own-id room included) */
#define SIO_DEFAULT_MAX_PENDING_ACKS                                                               \
  1024 /* SIO-LIM-3: per socket; emit-with-ack past this fails                                     \
        */
#define SIO_DEFAULT_MAX_BINARY_BYTES                                                               \
  (16u * 1024u * 1024u)    /* SIO-LIM-2: one packet's attachments                                  \
                            */
#define SIO_SID_LEN     20 /* base64url characters of a socket id */
#define SIO_EIO_SID_MAX 64 /* longest Engine.IO sid sio_client_open_v4 takes */
#define SIO_NO_DEADLINE UINT64_MAX

typedef struct sio_server sio_server;
typedef struct sio_client sio_client;       /* one Engine.IO connection */
typedef struct sio_socket sio_socket;       /* one client joined to one namespace */
typedef struct sio_namespace sio_namespace; /* a configured namespace at run time */

/* Why the layer asked the embedder to close an Engine.IO connection. Negative
 * values are codec peer violations (ref_err, range -200..-299). */
typedef enum sio_close_reason {
  SIO_CLOSE_BY_SERVER = 1,       /* the application called sio_client_close */
  SIO_CLOSE_CONNECT_TIMEOUT = 2, /* no namespace joined within connect_timeout_ms */
  SIO_CLOSE_INVALID_STATE = 3,   /* packet for an unjoined namespace, double CONNECT,
                                    CONNECT_ERROR from the client */
  SIO_CLOSE_INTERNAL = 4,        /* out of memory or random source failure */
} sio_close_reason;

/* Why a socket left its namespace (passed to on_disconnect). */
typedef enum sio_disconnect_reason {
  SIO_DC_CLIENT_NAMESPACE_DISCONNECT = 1, /* the client sent DISCONNECT */
  SIO_DC_SERVER_NAMESPACE_DISCONNECT = 2, /* sio_socket_disconnect or sio_client_close */
  SIO_DC_TRANSPORT_CLOSE = 3,             /* the embedder reported the connection gone */
  SIO_DC_PEER_ERROR = 4,                  /* the layer closed after a peer violation */
  SIO_DC_INTERNAL = 5,                    /* the layer closed after a local failure */
} sio_disconnect_reason;

/* Status passed to an ack callback. */
typedef enum sio_ack_status {
  SIO_ACK_OK = 0,        /* the client answered; data is its argument list */
  SIO_ACK_TIMEOUT = 1,   /* no answer before the deadline; data is empty */
  SIO_ACK_CANCELLED = 2, /* the socket left before answering; data is empty. The
                            socket is already disconnected: do not emit on it. */
} sio_ack_status;

/* A received argument list. Every span borrows memory that lives only for the
 * duration of the callback; copy what you keep. */
typedef struct sio_args {
  ref_span args;               /* the JSON values, comma-separated, without the
                                  enclosing brackets (and without the event name for
                                  an event); len 0 when there are none. Binary
                                  arguments appear as {"_placeholder":true,"num":i}. */
  const ref_span *attachments; /* attachments[i] is placeholder num i; NULL if none */
  size_t n_attachments;
} sio_args;

/* A received event. */
typedef struct sio_event {
  ref_span name;  /* the event name: JSON string contents, still escaped, no quotes */
  ref_span data;  /* the whole JSON array, e.g. ["name",1,2] */
  sio_args args;  /* the arguments after the name */
  int64_t ack_id; /* SIO_NO_ACK_ID, or the id to pass to sio_socket_ack */
} sio_event;

/* Filled by a rejecting auth hook. Both strings are copied by the layer before the
 * hook's caller returns, so they may point to the hook's own buffers. */
typedef struct sio_auth_reject {
  const char *message;   /* required: plain UTF-8 text; the layer JSON-escapes it */
  const char *data_json; /* optional: JSON text for "data", NULL for none; trusted
                            to be valid JSON (not re-checked) */
} sio_auth_reject;

/* SIO-AUTH: decide a CONNECT. AUTH is the handshake auth JSON object text ("{}"
 * when the client sent none), borrowed for the call. Return true to accept;
 * false to reject after filling REJECT (a NULL message becomes "unauthorized"). */
typedef bool (*sio_auth_fn)(void *user, sio_client *c, ref_span auth, sio_auth_reject *reject);
/* The socket is connected (its CONNECT reply already sent). AUTH as above. */
typedef void (*sio_connect_fn)(void *user, sio_socket *s, ref_span auth);
/* An EVENT or BINARY_EVENT arrived for S. */
typedef void (*sio_event_fn)(void *user, sio_socket *s, const sio_event *ev);
/* S left its namespace. It is already out of every room and out of the namespace,
 * its pending acks were cancelled; S is released after the hook returns. */
typedef void (*sio_disconnect_fn)(void *user, sio_socket *s, sio_disconnect_reason why);
/* A server-issued ack request ended. S is valid for the call (for CANCELLED it is
 * disconnected already). DATA is NULL unless STATUS is SIO_ACK_OK. */
typedef void (*sio_ack_fn)(void *user, sio_socket *s, sio_ack_status status, const sio_args *data);

typedef struct sio_namespace_config {
  const char *name;          /* "/" or "/custom": exact, NUL-terminated, borrowed */
  sio_auth_fn auth;          /* NULL: accept every CONNECT */
  sio_connect_fn on_connect; /* each may be NULL */
  sio_event_fn on_event;
  sio_disconnect_fn on_disconnect;
  void *user; /* passed to the four hooks */
} sio_namespace_config;

/* Embedder callbacks; see the wiring contract above. */
typedef int (*sio_send_fn)(void *user, sio_client *c, bool is_binary, const uint8_t *bytes,
                           size_t len);
typedef void (*sio_close_fn)(void *user, sio_client *c, int reason);
typedef int (*sio_random_fn)(void *user, uint8_t *out, size_t len);
typedef void (*sio_wake_fn)(void *user, sio_client *c, uint64_t deadline_ms);

typedef struct sio_server_config {
  const sio_namespace_config *namespaces; /* borrowed array; names must be unique */
  size_t n_namespaces;
  uint64_t connect_timeout_ms;   /* 0 = SIO_DEFAULT_CONNECT_TIMEOUT_MS */
  uint64_t ack_timeout_ms;       /* default for emits that pass 0; 0 = SIO_DEFAULT_ACK_TIMEOUT_MS */
  uint32_t max_rooms_per_socket; /* 0 = SIO_DEFAULT_MAX_ROOMS_PER_SOCKET */
  uint32_t max_pending_acks;     /* 0 = SIO_DEFAULT_MAX_PENDING_ACKS */
  size_t max_binary_bytes;       /* total attachment bytes of one packet; more closes the
                                    connection with REF_ERR_PAYLOAD_TOO_LARGE.
                                    0 = SIO_DEFAULT_MAX_BINARY_BYTES */
  sio_codec_opts codec;          /* zeros = codec defaults */
  sio_send_fn send;              /* required */
  sio_close_fn close;            /* required */
  sio_random_fn random;          /* required */
  sio_wake_fn wake;              /* optional */
  void *user;                    /* passed to send, close, random, wake */
} sio_server_config;

/* ---- server ---- */

/* Create a server. CFG is copied (not the namespace table it points to).
 * Returns NULL when CFG is NULL, lacks send/close/random, has no namespace, a
 * namespace name that does not start with '/', a duplicate name; or when out of
 * memory. */
sio_server *sio_server_new(const sio_server_config *cfg);

/* Free the server. Every client must have been freed first (sio_client_free);
 * clients still alive are freed here without calling close. NULL is a no-op. */
void sio_server_free(sio_server *srv);

/* The run-time namespace named NAME (NUL-terminated), or NULL if not configured. */
sio_namespace *sio_server_namespace(sio_server *srv, const char *name);

/* Earliest deadline over every client, SIO_NO_DEADLINE when none. */
uint64_t sio_server_next_deadline(const sio_server *srv);

/* sio_client_tick for every client whose deadline is <= NOW_MS. Returns how many
 * clients were ticked. */
int sio_server_tick(sio_server *srv, uint64_t now_ms);

/* Number of live clients (for tests and leak checks). */
size_t sio_server_client_count(const sio_server *srv);

/* ---- client (one Engine.IO connection) ---- */

/* Create a client on SRV. USER is the embedder's connection pointer, returned by
 * sio_client_user. Returns NULL on bad argument or out of memory. */
sio_client *sio_client_new(sio_server *srv, void *user);

/* The Engine.IO connection opened at NOW_MS: starts the connect timeout (SIO-NS).
 * Returns 0, REF_ERR_INVALID_ARGUMENT, or REF_ERR_BAD_STATE (already opened/closed). */
int sio_client_open(sio_client *c, uint64_t now_ms);

/* Open C as a Socket.IO protocol v4 client (spec/socket.io-v4.md) on the Engine.IO v3
 * session whose sid is EIO_SID (copied; 1..SIO_EIO_SID_MAX characters): as
 * sio_client_open, then "/" is connected at once and CONNECT ("0") sent, or ERROR with
 * the reason as a JSON string when "/" is not configured or its auth hook refuses
 * (SIO-FNS-1, SIO-FNS-4); "/" gets {} as its auth (there was no CONNECT, so no payload;
 * the Engine.IO handshake's query, "/"'s handshake data, is eio_session_query()). From then
 * on packets follow protocol v4: no CONNECT payload, a query after '?' in a CONNECT's
 * namespace is the handshake data (presented to auth as a JSON object of strings,
 * SIO-FNS-2), accepts are CONNECT without payload
 * (SIO-FNS-3), refusals ERROR with a string, socket ids are EIO_SID for "/" and
 * "<nsp>#<EIO_SID>" otherwise (SIO-FNS-5), and a CONNECT for "/" is ignored
 * (SIO-FNS-6). Returns as sio_client_open, REF_ERR_INVALID_ARGUMENT for a bad EIO_SID. */
int sio_client_open_v4(sio_client *c, const char *eio_sid, uint64_t now_ms);

/* Feed one Engine.IO MESSAGE payload (borrowed for the call). Handlers run inside.
 * Returns 0 when the message was handled (including "ignored"), 1 when it made
 * the layer close the connection (close callback already called), or
 * REF_ERR_INVALID_ARGUMENT / REF_ERR_BAD_STATE (not open, or already closed: the
 * message is dropped). */
int sio_client_on_message(sio_client *c, bool is_binary, const uint8_t *bytes, size_t len,
                          uint64_t now_ms);

/* The Engine.IO connection is gone (REASON is for logs; any int). Every joined
 * socket gets on_disconnect(SIO_DC_TRANSPORT_CLOSE) unless the layer already tore
 * the client down; partial binary packets and pending acks are dropped/cancelled.
 * Idempotent; never calls send or close. */
void sio_client_on_closed(sio_client *c, int reason);

/* Application-initiated close (official socket.disconnect(true)): DISCONNECT on
 * every joined namespace, on_disconnect(SERVER_NAMESPACE_DISCONNECT), then the
 * close callback with SIO_CLOSE_BY_SERVER. Returns 0 or REF_ERR_BAD_STATE when the
 * client is already closed. */
int sio_client_close(sio_client *c);

/* When sio_client_tick must next run: the connect timeout or the earliest ack
 * deadline; SIO_NO_DEADLINE when none (or closed). */
uint64_t sio_client_next_deadline(const sio_client *c);

/* Fire what is due at NOW_MS: connect timeout (close with
 * SIO_CLOSE_CONNECT_TIMEOUT), ack timeouts (callbacks with SIO_ACK_TIMEOUT).
 * Returns 0, or 1 when the client is closed (by this tick or before). */
int sio_client_tick(sio_client *c, uint64_t now_ms);

/* Free the client (on_closed first if needed). Never from inside a layer
 * callback or hook. NULL is a no-op. */
void sio_client_free(sio_client *c);

void *sio_client_user(const sio_client *c);
bool sio_client_is_closed(const sio_client *c);
/* Number of namespaces this client has joined. */
size_t sio_client_socket_count(const sio_client *c);

/* ---- socket (a client in one namespace) ---- */

/* The socket id, NUL-terminated, owned by S: SIO_SID_LEN characters, except on a
 * protocol v4 client (SIO-FNS-5: the Engine.IO sid, or "<nsp>#<sid>"). */
const char *sio_socket_id(const sio_socket *s);
sio_client *sio_socket_client(const sio_socket *s);
sio_namespace *sio_socket_namespace(const sio_socket *s);
/* The handshake auth JSON text ("{}" when none), owned by S. */
ref_span sio_socket_auth(const sio_socket *s);
/* The latest now_ms any entry point of the server was given (it never goes back):
 * the base of ack deadlines. */
uint64_t sio_socket_now_ms(const sio_socket *s);
bool sio_socket_connected(const sio_socket *s);

/* SIO-DC: server-side namespace disconnect: send DISCONNECT, run on_disconnect
 * (SIO_DC_SERVER_NAMESPACE_DISCONNECT). The Engine.IO connection stays open. S
 * must not be used after the call returns (unless called from a hook of S's own
 * client, where it stays readable until that hook returns, with connected=false).
 * Returns 0 or REF_ERR_BAD_STATE when already disconnected. */
int sio_socket_disconnect(sio_socket *s);

/* ---- namespace ---- */

const char *sio_namespace_name(const sio_namespace *ns);
/* Number of connected sockets. */
size_t sio_namespace_socket_count(const sio_namespace *ns);

#endif
