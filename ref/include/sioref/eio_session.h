/* Engine.IO v4 session: one client connection's state machine, sans-I/O.
 * Spec: spec/engine.io-v4.md, tags EIO-HS (open packet), EIO-TR (transports),
 * EIO-HB (heartbeat), EIO-UP (upgrade), EIO-CL (close), EIO-LIM (limits).
 * A session opened with eio_session_new_proto(..., EIO_PROTOCOL_V3, ...) speaks
 * Engine.IO v3 instead (spec/engine.io-v3.md): length-prefixed polling bodies
 * (EIO-TPL), binary WebSocket messages with a type byte (EIO-TPK-5), and the
 * client-driven heartbeat (EIO-THB); everything else is shared.
 *
 * A session never reads a clock, a random source or a socket. The caller (the router
 * in eio_server.h, or a test) feeds it whole inputs with the current time in
 * milliseconds, asks it for its next deadline, and pulls its output one polling body
 * or one WebSocket message at a time. Application events (message, close) go out
 * through callbacks; the "wake" callback tells the I/O layer that there is something
 * to pull or a connection to close, so that it can ask its event loop for a write.
 *
 * Callbacks are invoked from inside the eio_session_* call that caused them. They may
 * call eio_session_send() and eio_session_close() on any session, but must not free
 * a session (the router owns them) and must not pull output. */
#ifndef SIOREF_EIO_SESSION_H
#define SIOREF_EIO_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/eio_codec.h"
#include "sioref/err.h"

/* Session-level Engine.IO errors (REF_ERR_POLL_OVERLAP, _UPGRADE_REFUSED,
 * _TRANSPORT_MISMATCH, _UNEXPECTED_PACKET) live in err.h, range -150..-199. */

/* Defaults: the official server's (engine.io 6.6.4). */
#define EIO_DEFAULT_PING_INTERVAL_MS   25000u
#define EIO_DEFAULT_PING_TIMEOUT_MS    20000u
#define EIO_DEFAULT_MAX_PAYLOAD_BYTES  1000000u
#define EIO_DEFAULT_UPGRADE_TIMEOUT_MS 10000u
#define EIO_DEFAULT_CLOSE_TIMEOUT_MS   30000u

/* 15 random bytes in base64url: the shape of the official server's ids. */
#define EIO_SID_LEN 20

#define EIO_NO_DEADLINE UINT64_MAX

/* Engine.IO protocol revisions (the EIO query parameter). */
#define EIO_PROTOCOL_V4 4
#define EIO_PROTOCOL_V3 3

typedef struct eio_config {
  uint32_t ping_interval_ms;   /* EIO-HB: time between a pong and the next ping */
  uint32_t ping_timeout_ms;    /* EIO-HB: time allowed for the pong */
  uint32_t upgrade_timeout_ms; /* EIO-UP: time allowed from WebSocket open to UPGRADE */
  uint32_t close_timeout_ms;   /* polling: time an orderly close waits for a GET */
  size_t max_payload_bytes;    /* EIO-LIM: largest POST body / WebSocket message */
  size_t out_headroom;         /* bytes left free before every pulled output (LWS_PRE) */
  bool allow_upgrades;         /* announce and accept the websocket upgrade */
} eio_config;

/* Fill CFG with the defaults above, no headroom, upgrades allowed. */
void eio_config_defaults(eio_config *cfg);

/* Why a session closed. Names follow the official server's close reasons. */
typedef enum eio_close_reason {
  EIO_CLOSE_NONE = 0,
  EIO_CLOSE_SERVER = 1,          /* eio_session_close(): "forced close" */
  EIO_CLOSE_CLIENT = 2,          /* the client sent CLOSE: "transport close" */
  EIO_CLOSE_TRANSPORT_CLOSE = 3, /* the WebSocket went away: "transport close" */
  EIO_CLOSE_PING_TIMEOUT = 4,    /* EIO-HB: no pong in time: "ping timeout" */
  EIO_CLOSE_PARSE_ERROR = 5,     /* undecodable input: "parse error" */
  EIO_CLOSE_TRANSPORT_ERROR = 6, /* protocol misuse / aborted request: "transport error" */
} eio_close_reason;

/* The official server's text for REASON ("ping timeout", ...). Static. */
const char *eio_close_reason_text(eio_close_reason reason);

typedef enum eio_session_state {
  EIO_SESSION_OPEN = 0,
  EIO_SESSION_CLOSING = 1, /* eio_session_close(): flushing queued packets, then CLOSE */
  EIO_SESSION_CLOSED = 2,
} eio_session_state;

typedef struct eio_session eio_session;

typedef struct eio_session_callbacks {
  /* A MESSAGE from the client. DATA/LEN borrowed for the call only; BINARY says it
   * was a binary message (raw bytes, already base64-decoded on polling). NOW_MS is the
   * time given to the call that delivered it. */
  void (*on_message)(void *user, eio_session *s, const uint8_t *data, size_t len, bool binary,
                     uint64_t now_ms);
  /* The session reached CLOSED (exactly once). The session stays valid until the
   * router frees it; user data should be detached here. NOW_MS is the time given to
   * the call that closed it (for a close completed by pulling the CLOSE packet, which
   * takes no time, the time of the latest call on S that did). */
  void (*on_close)(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms);
  /* Output to pull, a held GET to answer, or a WebSocket to close: schedule a write.
   * Must not pull or free anything itself. */
  void (*wake)(void *user, eio_session *s);
  /* The session's next deadline (eio_session_next_deadline) changed to DEADLINE_MS
   * (EIO_NO_DEADLINE once closed). Called on the way out of any call that can move a
   * timer, never with a stale value; optional. Must not call back into S. */
  void (*deadline)(void *user, eio_session *s, uint64_t deadline_ms);
} eio_session_callbacks;

/* Create a session opened over TRANSPORT at NOW_MS and queue its open packet
 * (EIO-HS). CFG and CB are borrowed and must outlive the session; SID is copied
 * (exactly EIO_SID_LEN characters). USER is passed to every callback.
 * Returns 0 and *OUT, REF_ERR_INVALID_ARGUMENT or REF_ERR_OUT_OF_MEMORY. */
int eio_session_new(const eio_config *cfg, const char *sid, eio_transport transport,
                    uint64_t now_ms, const eio_session_callbacks *cb, void *user,
                    eio_session **out);

/* eio_session_new for protocol PROTOCOL (EIO_PROTOCOL_V4 or EIO_PROTOCOL_V3). B64
 * (v3 only): the client sent b64=1 and takes text polling bodies only (EIO-TTR-2).
 * Returns as eio_session_new; REF_ERR_INVALID_ARGUMENT for another PROTOCOL. */
int eio_session_new_proto(const eio_config *cfg, const char *sid, eio_transport transport,
                          int protocol, bool b64, uint64_t now_ms, const eio_session_callbacks *cb,
                          void *user, eio_session **out);

/* The session's protocol: EIO_PROTOCOL_V4 or EIO_PROTOCOL_V3 (EIO_PROTOCOL_V4 for NULL). */
int eio_session_protocol(const eio_session *s);

/* The raw query string of the handshake request (the router sets it before on_open;
 * Socket.IO protocol v4 hands it to the main namespace, SIO-FNS-2). QUERY is copied;
 * NULL clears it. Returns 0 or REF_ERR_OUT_OF_MEMORY (the query is then ""). */
int eio_session_set_query(eio_session *s, const char *query);
/* That query, owned by S; "" when none. */
const char *eio_session_query(const eio_session *s);

/* Free S and everything it queued. Does not call on_close. NULL is fine. */
void eio_session_free(eio_session *s);

/* Accessors. The sid string is owned by S. */
const char *eio_session_sid(const eio_session *s);
eio_session_state eio_session_state_get(const eio_session *s);
eio_transport eio_session_transport(const eio_session *s);
eio_close_reason eio_session_close_reason(const eio_session *s);
bool eio_session_upgrading(const eio_session *s); /* a probe WebSocket is attached */

/* One opaque pointer for the application (the Socket.IO layer's client, ...). */
void eio_session_set_user_data(eio_session *s, void *data);
void *eio_session_user_data(const eio_session *s);

/* Two opaque pointers for the I/O layer: its held-GET connection and its WebSocket
 * connection for this session, so that "wake" can find them. Not used by S. */
void eio_session_set_poll_conn(eio_session *s, void *conn);
void *eio_session_poll_conn(const eio_session *s);
void eio_session_set_ws_conn(eio_session *s, void *conn);
void *eio_session_ws_conn(const eio_session *s);

/* One opaque pointer for the session's owner (the router's table entry). */
void eio_session_set_owner(eio_session *s, void *owner);
void *eio_session_owner(const eio_session *s);

/* ---- application side ---- */

/* Queue a MESSAGE (text, or binary raw bytes) for the client. DATA copied. Text must
 * be UTF-8 and, while a v4 session is on polling, must not hold U+001E (it separates
 * packets in a v4 poll body; v3 bodies are length-prefixed): otherwise
 * REF_ERR_INVALID_ARGUMENT and nothing is queued.
 * Returns 0, REF_ERR_INVALID_ARGUMENT, REF_ERR_OUT_OF_MEMORY, or REF_ERR_BAD_STATE
 * when the session is closing or closed (the message is dropped). */
int eio_session_send(eio_session *s, const uint8_t *data, size_t len, bool binary, uint64_t now_ms);

/* Orderly server close (EIO-CL): queued packets are still delivered, then a CLOSE
 * packet, then the transport closes. Idempotent; no-op when already closed. */
void eio_session_close(eio_session *s, uint64_t now_ms);

/* Abrupt close with REASON: queued packets are dropped, a held GET is answered with a
 * CLOSE packet and the WebSocket is to be closed. No-op when already closed. */
void eio_session_abort(eio_session *s, eio_close_reason reason, uint64_t now_ms);

/* ---- time ---- */

/* Run every timer due at NOW_MS: send a PING, close on a missed PONG, give up a
 * stalled upgrade or an orderly close nobody collects. */
void eio_session_tick(eio_session *s, uint64_t now_ms);

/* The earliest time at which eio_session_tick() has work, or EIO_NO_DEADLINE. */
uint64_t eio_session_next_deadline(const eio_session *s);

/* ---- polling transport ---- */

/* A GET arrived for S. Returns 0 (the GET is now held by S), or
 * REF_ERR_POLL_OVERLAP (a GET was already held: S is aborted, EIO-TR),
 * REF_ERR_TRANSPORT_MISMATCH (S runs over WebSocket; S unchanged),
 * REF_ERR_BAD_STATE (S closed). */
int eio_session_poll_begin(eio_session *s, uint64_t now_ms);

/* True when the held GET should be answered now. */
bool eio_session_poll_ready(const eio_session *s);

/* Answer the held GET: *BODY and *LEN is the whole response body (queued packets joined,
 * EIO-TR batching), owned by S and valid until the next call on S; OUT_HEADROOM
 * bytes before *BODY are free for the caller. Returns 1 with a body, 0 when nothing
 * is ready (the GET stays held), REF_ERR_BAD_STATE when no GET is held,
 * REF_ERR_OUT_OF_MEMORY. */
int eio_session_poll_pull(eio_session *s, const uint8_t **body, size_t *len);

/* Whether the body the last eio_session_poll_pull gave is a v3 binary payload
 * (Content-Type application/octet-stream, EIO-TTR-3/4) rather than text. */
bool eio_session_poll_binary(const eio_session *s);

/* The held GET's connection went away before it was answered: the official server
 * treats this as a transport error and closes the session. */
void eio_session_poll_aborted(eio_session *s, uint64_t now_ms);

/* A complete POST body. Packets are handled in order until one closes S.
 * Returns 0 (answer 200 "ok"), or REF_ERR_PAYLOAD_TOO_LARGE (EIO-LIM, checked first,
 * in any state; S aborted),
 * REF_ERR_TRANSPORT_MISMATCH (S unchanged), REF_ERR_BAD_STATE (closed), or a codec
 * error (S aborted with "parse error"). */
int eio_session_poll_post(eio_session *s, const uint8_t *body, size_t len, uint64_t now_ms);

/* eio_session_poll_post for a body that is a v3 binary payload when BINARY_BODY (its
 * Content-Type was application/octet-stream, EIO-TTR-5). A v4 session takes no binary
 * body: REF_ERR_INVALID_ARGUMENT (the router refuses it first, EIO-TR-11). */
int eio_session_poll_post_typed(eio_session *s, const uint8_t *body, size_t len, bool binary_body,
                                uint64_t now_ms);

/* ---- WebSocket transport ---- */

/* A WebSocket for S's sid opened as an upgrade probe (EIO-UP). Returns 0, or
 * REF_ERR_UPGRADE_REFUSED when S is not on polling, already has a WebSocket, or
 * upgrades are off; REF_ERR_BAD_STATE when S is closing or closed. */
int eio_session_ws_attach(eio_session *s, uint64_t now_ms);

/* One whole WebSocket message. Returns 0 or the error that closed S (or, on a probe
 * WebSocket, the error that ended the upgrade attempt). REF_ERR_PAYLOAD_TOO_LARGE
 * (EIO-LIM-1, checked first): the message is over maxPayload, the I/O layer must close
 * this WebSocket; S is aborted when the WebSocket is its transport. */
int eio_session_ws_message(eio_session *s, const uint8_t *data, size_t len, bool binary,
                           uint64_t now_ms);

/* Pull the next WebSocket message to send: returns 1 and *DATA, *LEN and *BINARY (owned by
 * S, valid until the next call on S, OUT_HEADROOM bytes free before it), 0 when there
 * is nothing, REF_ERR_OUT_OF_MEMORY. */
int eio_session_ws_pull(eio_session *s, const uint8_t **data, size_t *len, bool *binary);

/* True when the I/O layer must close S's WebSocket (after pulling what is left). */
bool eio_session_ws_want_close(const eio_session *s);

/* S's WebSocket is gone (closed by either side). When it carried the session, S
 * closes with "transport close"; when it was an upgrade probe, S goes on polling. */
void eio_session_ws_closed(eio_session *s, uint64_t now_ms);

/* True when a WebSocket is attached to S (as transport or probe). */
bool eio_session_ws_attached(const eio_session *s);

#endif
