/* Engine.IO v4 server/router, sans-I/O: turns HTTP requests and WebSocket upgrade
 * requests on one path into session calls, owns the sid table, and writes the HTTP
 * status, headers and JSON error bodies the official server writes.
 * Spec: spec/engine.io-v4.md, tags EIO-HS, EIO-TR, EIO-UP, EIO-ERR, EIO-LIM, EIO-CORS.
 *
 * The I/O layer hands over parsed requests (method, raw query string, a few headers)
 * and whole bodies; it never decides anything itself. A request that needs to wait
 * (a GET held for output, a POST whose body is still arriving, a WebSocket) comes
 * back with a *held* session pointer: the I/O layer keeps it until it calls
 * eio_server_release(). A closed session leaves the sid table at once and is freed
 * when the last hold is released (or by the next tick when it has none). */
#ifndef SIOREF_EIO_SERVER_H
#define SIOREF_EIO_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/eio_session.h"

/* Engine.IO's HTTP error codes (EIO-ERR), the "code" member of an error body. */
typedef enum eio_http_error {
  EIO_HTTP_ERR_UNKNOWN_TRANSPORT = 0,            /* "Transport unknown" */
  EIO_HTTP_ERR_UNKNOWN_SID = 1,                  /* "Session ID unknown" */
  EIO_HTTP_ERR_BAD_HANDSHAKE_METHOD = 2,         /* "Bad handshake method" */
  EIO_HTTP_ERR_BAD_REQUEST = 3,                  /* "Bad request" */
  EIO_HTTP_ERR_FORBIDDEN = 4,                    /* "Forbidden" */
  EIO_HTTP_ERR_UNSUPPORTED_PROTOCOL_VERSION = 5, /* "Unsupported protocol version" */
} eio_http_error;

/* The official server's message for CODE. Static; "Bad request" for unknown codes. */
const char *eio_http_error_message(eio_http_error code);

typedef struct eio_server eio_server;

typedef struct eio_server_config {
  eio_config session; /* copied */
  /* EIO-CORS: allowed origins (copied). "*" allows any origin. None: no CORS headers. */
  const char *const *cors_origins;
  size_t n_cors_origins;
  /* EIO-LIM-3, EIO-HS-8: most sessions at once (0 = no bound); a handshake past it is
   * refused with error code 4 (HTTP 403). */
  size_t max_sessions;
  /* EIO-TVER-1/2: also serve Engine.IO v3 (spec/engine.io-v3.md): a handshake whose EIO
   * is not "4" (or is absent) opens a v3 session. Off: it is refused with code 5. Either
   * way a request naming another version than its session's is code 3 (EIO-TVER-3). */
  bool allow_eio3;
  /* Random bytes for session ids: fill BUF with LEN bytes, return 0 (or <0 on error). */
  int (*random)(void *user, uint8_t *buf, size_t len);
  void *random_user;
  /* The application: on_open after a handshake (the open packet is already queued,
   * so anything the application sends follows it); on_message and on_close as in
   * eio_session_callbacks. Any may be NULL. Time comes in as NOW_MS, the time the I/O
   * layer gave to the call that caused the event: an application never reads a clock. */
  void (*on_open)(void *user, eio_session *s, uint64_t now_ms);
  void (*on_message)(void *user, eio_session *s, const uint8_t *data, size_t len, bool binary,
                     uint64_t now_ms);
  void (*on_close)(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms);
  void *app_user;
  /* The I/O layer's wake callback (see eio_session_callbacks.wake). */
  void (*wake)(void *user, eio_session *s);
  void *wake_user;
} eio_server_config;

/* Create a router. CFG is copied (origins included). Returns 0 and *OUT,
 * REF_ERR_INVALID_ARGUMENT (NULL, or no random source) or REF_ERR_OUT_OF_MEMORY. */
int eio_server_new(const eio_server_config *cfg, eio_server **out);

/* Free SRV and every session, without callbacks. NULL is fine. */
void eio_server_free(eio_server *srv);

/* A parsed HTTP request. All strings NUL-terminated, borrowed for the call. */
typedef struct eio_http_request {
  const char *method;       /* "GET", "POST", "OPTIONS", ... */
  const char *query;        /* raw query string without '?', or NULL */
  const char *origin;       /* Origin header, or NULL */
  const char *content_type; /* Content-Type header, or NULL */
  const char *acr_headers;  /* Access-Control-Request-Headers, or NULL */
} eio_http_request;

typedef enum eio_http_action {
  EIO_HTTP_RESPOND = 0,         /* write the response below, then finish the request */
  EIO_HTTP_HOLD_GET = 1,        /* a GET for .session: wait until eio_server_poll_response()
                                   gives the answer (check now, and after each wake) */
  EIO_HTTP_READ_BODY = 2,       /* a POST for .session: read the whole body, then call
                                   eio_server_post_body() */
  EIO_HTTP_WEBSOCKET = 3,       /* accept the WebSocket for .session (eio_server_ws_open) */
  EIO_HTTP_WEBSOCKET_CLOSE = 4, /* complete the WebSocket handshake (101), then close that
                                   connection at once with no packet; .session is NULL
                                   (EIO-TR-16, EIO-TR-19: a second WebSocket for a session) */
} eio_http_action;

typedef struct eio_http_response {
  eio_http_action action;
  int status;               /* RESPOND: 200, 204, 400, 403, 413 */
  const char *content_type; /* static string, or NULL for no body */
  const uint8_t *body;      /* owned by SRV or the session: valid until the next call */
  size_t body_len;
  /* EIO-CORS: value for Access-Control-Allow-Origin (the request's Origin, borrowed
   * from the request, or "*"), or NULL for no CORS headers. When set, also send
   * "Vary: Origin". Keep a copy for a held GET's later answer. */
  const char *allow_origin;
  bool preflight;            /* add Access-Control-Allow-Methods / -Headers below */
  const char *allow_methods; /* static */
  const char *allow_headers; /* borrowed from the request; may be NULL */
  eio_session *session;      /* HOLD_GET, READ_BODY, WEBSOCKET: held for the caller */
} eio_http_response;

/* Route one plain HTTP request on the Engine.IO path. Returns 0 and fills RESP (the
 * request's outcome, errors included, is in RESP), or REF_ERR_INVALID_ARGUMENT /
 * REF_ERR_OUT_OF_MEMORY (answer 500). */
int eio_server_handle_request(eio_server *srv, const eio_http_request *req, uint64_t now_ms,
                              eio_http_response *resp);

/* The held GET for S: returns 1 and fills RESP (200, the poll body) when it should be
 * answered now, 0 when it stays held, or an error (answer 500). */
int eio_server_poll_response(eio_server *srv, eio_session *s, eio_http_response *resp);

/* The held GET's connection went away unanswered (S is closed, as the official
 * server does). The caller still releases its hold. */
void eio_server_poll_aborted(eio_server *srv, eio_session *s, uint64_t now_ms);

/* The most bytes of one POST body or WebSocket message the I/O layer needs to keep:
 * maxPayload + 1. A longer input is refused whatever its content, so the I/O layer
 * reassembles at most this many bytes and passes them on; the session, not the I/O
 * layer, decides that they are too many (EIO-LIM-1). */
size_t eio_server_input_cap(const eio_server *srv);

/* The whole POST body for S (after READ_BODY): all of it, or its first
 * eio_server_input_cap() bytes when it was longer. Fills RESP: 200 "ok", 413 (over
 * maxPayload, EIO-TR-10, EIO-LIM-1; S closed) or 400. Returns 0 or an error. */
int eio_server_post_body(eio_server *srv, eio_session *s, const uint8_t *body, size_t len,
                         uint64_t now_ms, eio_http_response *resp);

/* The POST's connection went away before its body was complete: S is closed. */
void eio_server_post_aborted(eio_server *srv, eio_session *s, uint64_t now_ms);

/* A WebSocket upgrade request (GET with Upgrade: websocket). Fills RESP: action
 * EIO_HTTP_WEBSOCKET with a held session (a new one opened over WebSocket, or an
 * existing polling one that this socket may upgrade, EIO-UP); EIO_HTTP_WEBSOCKET_CLOSE
 * (no session) for a second WebSocket of a session that already has one (upgrading,
 * upgraded or opened over WebSocket); or RESPOND 400 with the official server's JSON
 * error when refused. Returns 0 or an error. */
int eio_server_ws_open(eio_server *srv, const eio_http_request *req, uint64_t now_ms,
                       eio_http_response *resp);

/* One whole WebSocket message on the WebSocket the router gave S (EIO_HTTP_WEBSOCKET):
 * all of it, or its first eio_server_input_cap() bytes when it was longer. Returns 0,
 * or REF_ERR_PAYLOAD_TOO_LARGE (EIO-TR-18, EIO-LIM-1): close this WebSocket with status
 * 1009 (RFC 6455 section 7.4.1); S is closed when that WebSocket was its transport.
 * REF_ERR_INVALID_ARGUMENT on NULL arguments. */
int eio_server_ws_message(eio_server *srv, eio_session *s, const uint8_t *data, size_t len,
                          bool binary, uint64_t now_ms);

/* S's WebSocket went away (closed by either side): S closes when it was its transport
 * ("transport close"), or goes on polling when it was an upgrade probe. */
void eio_server_ws_closed(eio_server *srv, eio_session *s, uint64_t now_ms);

/* RFC 9112 section 9.6: whether the connection must be closed after the response to a
 * request of HTTP version VERSION (the request line's "HTTP/1.1"; NULL is taken as 1.1)
 * with Connection header value CONNECTION (NULL when absent). True when the header lists
 * the "close" option (a comma-separated list of case-insensitive tokens), and for
 * HTTP/1.0 unless it lists "keep-alive". Both pointers are borrowed; never fails. */
bool eio_server_wants_close(const char *version, const char *connection);

/* Drop the caller's hold on S (taken by a response with a session). After this the
 * caller must not use S. */
void eio_server_release(eio_server *srv, eio_session *s);

/* Run every session's timers due at NOW_MS, free closed sessions nobody holds, and
 * return the earliest next deadline (EIO_NO_DEADLINE if none). */
uint64_t eio_server_tick(eio_server *srv, uint64_t now_ms);

/* Orderly close of every open session (eio_session_close), e.g. on shutdown. */
void eio_server_close_all(eio_server *srv, uint64_t now_ms);

/* Sessions in the sid table (open or closing), and all allocated (closed but held
 * included). */
size_t eio_server_session_count(const eio_server *srv);
size_t eio_server_allocated_count(const eio_server *srv);

/* Sessions the I/O layer still holds (a held GET, a POST being read, a WebSocket). */
size_t eio_server_held_count(const eio_server *srv);

/* Look up an open or closing session by sid (NUL-terminated); NULL if none. */
eio_session *eio_server_find(eio_server *srv, const char *sid);

const eio_config *eio_server_session_config(const eio_server *srv);

#endif
