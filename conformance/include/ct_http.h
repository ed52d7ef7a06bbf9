/* A raw HTTP/1.1 client for the harness: it writes requests byte for byte (any method,
 * any header, any body) and parses responses incrementally, so cases can send what a
 * polite client never would and still read exactly what the server answered. */
#ifndef CT_HTTP_H
#define CT_HTTP_H

#include <stddef.h>

#include "ct_util.h"

#define CT_HTTP_MAX_HEADERS 64

typedef struct ct_http_resp {
  int status;                       /* e.g. 200; 0 before the status line parsed */
  size_t nhdr;                      /* header count */
  char *hname[CT_HTTP_MAX_HEADERS]; /* owned, as received */
  char *hval[CT_HTTP_MAX_HEADERS];  /* owned, surrounding whitespace trimmed */
  ct_buf body;                      /* owned, de-chunked */
  size_t head_len;                  /* bytes of status line + headers + CRLFCRLF */
  size_t msg_len; /* bytes of the whole message (head + framed body) when the body has its
                   * own length (Content-Length, chunked, or none by status); 0 when it
                   * was delimited by the connection's end. Bytes past MSG_LEN belong to
                   * the next response on a persistent connection (RFC 9112 §9.3) */
} ct_http_resp;

/* Parse a response held in BUF/LEN (everything received so far). EOF says the peer
 * closed the connection (a body without length ends there). HEAD_ONLY stops after
 * the header block (WebSocket handshake). On 1 the response is complete and OUT owns
 * its fields (free with ct_http_resp_free); on 0 more bytes are needed (OUT is left
 * empty); on -1 the bytes are not an HTTP/1.x response. */
int ct_http_parse(const unsigned char *buf, size_t len, int eof, int head_only, ct_http_resp *out);

/* The first header named NAME (case-insensitive), or NULL. Borrowed from R. */
const char *ct_http_header(const ct_http_resp *r, const char *name);
/* Does any header named NAME hold TOKEN in its comma-separated list (both compared
 * case-insensitively, as RFC 9110 §7.6.1 says of connection options)? E.g.
 * "Connection: keep-alive, Close" holds "close". 1 yes, 0 no. */
int ct_http_has_token(const ct_http_resp *r, const char *name, const char *token);
void ct_http_resp_free(ct_http_resp *r);

/* One request to build. Every pointer is borrowed. HEADERS: extra raw header lines,
 * each ending in CRLF (may be NULL). Content-Length is added when BODY is non-NULL,
 * unless NO_CONTENT_LENGTH. Host is always added, and Connection: close unless
 * KEEP_ALIVE (then no Connection header: HTTP/1.1 connections persist by default,
 * RFC 9112 §9.3). */
typedef struct ct_http_req {
  const char *method;
  const char *target; /* path and query, e.g. "/socket.io/?EIO=4&transport=polling" */
  const char *headers;
  const unsigned char *body;
  size_t body_len;
  int no_content_length;
  int keep_alive;
} ct_http_req;

/* Append the request's bytes to OUT. */
void ct_http_build(ct_buf *out, const char *host, int port, const ct_http_req *req);

/* Open a TCP connection to HOST:PORT within TIMEOUT_MS; when a TLS target is
 * configured (ct_tls.h) the TLS handshake is done too, within the same bound, and the
 * functions below read and write through the session. Returns a non-blocking fd, or -1
 * (connection refused, timeout, bad host, a TLS failure: ct_tls_error() says which).
 * The caller owns the fd and closes it with ct_tcp_close. */
int ct_tcp_connect(const char *host, int port, int timeout_ms);

/* Close FD (and forget its TLS session). -1 is ignored. */
void ct_tcp_close(int fd);

/* End FD's sending side (shutdown SHUT_WR; on TLS a close_notify first). 0 or -1. */
int ct_tcp_shutdown_wr(int fd);

/* Write all LEN bytes to non-blocking FD within TIMEOUT_MS. Returns 0 or -1. */
int ct_send_all(int fd, const void *p, size_t len, int timeout_ms);

/* Read what is available on non-blocking FD into B. Returns bytes read (> 0), 0 at
 * EOF, -1 when nothing is available yet, -2 on a socket error (reset). */
long ct_recv_some(int fd, ct_buf *b);

/* An HTTP exchange in flight: started now, its response read later (a long poll). */
typedef struct ct_http_call {
  int fd; /* -1 when not in flight */
  ct_buf rx;
  int eof;
} ct_http_call;

/* Connect and send. Returns 0 or -1 (connect/send failure; CALL is left idle). */
int ct_http_start(ct_http_call *call, const char *host, int port, const ct_http_req *req,
                  int timeout_ms);
/* Read what is there. Returns 1 complete (OUT filled, call closed), 0 pending,
 * -1 connection ended without a full response (call closed). */
int ct_http_step(ct_http_call *call, ct_http_resp *out);
/* Wait until complete or TIMEOUT_MS. Returns 1 complete, 0 timeout (call still in
 * flight), -1 ended without a response. */
int ct_http_wait(ct_http_call *call, ct_http_resp *out, int timeout_ms);
void ct_http_cancel(ct_http_call *call);

/* Start, wait and return: 1 response in OUT, 0 timeout, -1 no response, -2 connect
 * failure. */
int ct_http_do(const char *host, int port, const ct_http_req *req, int timeout_ms,
               ct_http_resp *out);

#endif
