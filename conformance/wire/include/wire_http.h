/* HTTP/1.1 message heads and body framing (RFC 9112) without I/O: parse a response or
 * request head held in a buffer, find a header, decide how the body is delimited, and
 * decode one chunk of a chunked body. Every span borrows from the caller's buffer. */
#ifndef WIRE_HTTP_H
#define WIRE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "wire_err.h"

/* Bytes borrowed from a caller's buffer. */
typedef struct wire_span {
  const unsigned char *p;
  size_t len;
} wire_span;

#define WIRE_HTTP_MAX_HEADERS 64

typedef struct wire_http_head {
  int status;                             /* response: e.g. 200 */
  wire_span method, target;               /* request: e.g. "GET", "/socket.io/?EIO=4" */
  size_t head_len;                        /* start line + header lines + the empty line */
  size_t nhdr;                            /* headers kept, in order */
  size_t dropped;                         /* headers past WIRE_HTTP_MAX_HEADERS, not kept */
  wire_span name[WIRE_HTTP_MAX_HEADERS];  /* as received */
  wire_span value[WIRE_HTTP_MAX_HEADERS]; /* without surrounding SP / HT */
} wire_http_head;

/* Parse the response head at BUF/LEN into H. WIRE_OK (H->head_len bytes used),
 * WIRE_MORE (no empty line yet), WIRE_E_HTTP_VERSION (5 bytes or more that are not
 * "HTTP/"), WIRE_E_HTTP_STATUS (no 3-digit code after the first space),
 * WIRE_E_HTTP_OBS_FOLD. A header line without a colon is skipped, as before. */
wire_err wire_http_response_head(const unsigned char *buf, size_t len, wire_http_head *h);

/* Parse a request head: "METHOD SP TARGET SP HTTP/1.x" then header lines. WIRE_OK,
 * WIRE_MORE, WIRE_E_HTTP_REQUEST_LINE, WIRE_E_HTTP_OBS_FOLD. */
wire_err wire_http_request_head(const unsigned char *buf, size_t len, wire_http_head *h);

/* The value of the first header named NAME (ASCII case-insensitive), or NULL. */
const wire_span *wire_http_find(const wire_http_head *h, const char *name);

/* Does any header named NAME hold TOKEN in its comma-separated list (both compared
 * case-insensitively, RFC 9110 section 7.6.1)? 1 yes, 0 no. */
int wire_http_has_token(const wire_http_head *h, const char *name, const char *token);

typedef enum wire_body {
  WIRE_BODY_NONE,    /* 1xx, 204, 304: no body whatever the headers say */
  WIRE_BODY_CHUNKED, /* the first Transfer-Encoding names "chunked" */
  WIRE_BODY_LENGTH,  /* the first Content-Length, in *LENGTH */
  WIRE_BODY_CLOSE,   /* neither: the body ends with the connection */
} wire_body;

/* How the body of the response H is delimited (RFC 9112 section 6.3). WIRE_OK with
 * *KIND (and *LENGTH for WIRE_BODY_LENGTH), or WIRE_E_HTTP_CONTENT_LENGTH. */
wire_err wire_http_response_body(const wire_http_head *h, wire_body *kind, uint64_t *length);

/* Decode one chunk of a chunked body at P/LEN: "HEX[;ext] CRLF data CRLF". WIRE_OK with
 * *DATA (the chunk's bytes) and *USED (bytes consumed); the last chunk ("0") has an
 * empty *DATA and *USED covers its trailer lines and the closing empty line.
 * WIRE_MORE, or WIRE_E_HTTP_CHUNK (size not hexadecimal or over 2^48, data not
 * followed by CRLF). */
wire_err wire_http_chunk(const unsigned char *p, size_t len, wire_span *data, size_t *used);

#endif
