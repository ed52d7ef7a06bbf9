/* The HTTP side of the libwebsockets adapter (lws_http.c): parsing a request from
 * lws into an eio_http_request, and writing the routers' responses. Private to
 * sioref's adapter; every function is a thin, stateless helper over one connection. */
#ifndef SIOREF_LWS_HTTP_H
#define SIOREF_LWS_HTTP_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/eio_server.h"

typedef struct reqbuf {
  char uri[512];
  char query[1024];
  char origin[256];
  char ctype[128];
  char acrh[256];
  char connection[256];
  char version[16];
  eio_http_request rq;
} reqbuf;

/* Fill RB from WSI's headers. Returns the method index, or -1. */
int sioref_http_parse(struct lws *wsi, reqbuf *rb);

/* RFC 9112 section 9.6: does the request on WSI end its connection? */
bool sioref_http_wants_close(struct lws *wsi, reqbuf *rb);

/* Has lws read bytes of WSI past the request it is handling (pipelined, RFC 9112
 * section 9.3.2)? CTX is WSI's context. */
bool sioref_http_rx_buffered(struct lws_context *ctx, struct lws *wsi);

/* Write status, headers and body. BODY_HAS_HEADROOM: LWS_PRE bytes before the body
 * may be used; otherwise a small body is copied. Returns 0 or -1. */
int sioref_http_write(struct lws *wsi, int status, const char *ctype, const uint8_t *body,
                      size_t len, bool body_has_headroom, const char *allow_origin,
                      const eio_http_response *r, bool no_store, bool close);

/* Write the 200 answer to a polling GET: BODY/LEN (with LWS_PRE bytes of headroom) of
 * type CTYPE, not to be stored; in gzip or deflate when LEN is at least THRESHOLD (-1:
 * never) and the request's Accept-Encoding accepts one (http_coding.h, EIO-CMP-8..10).
 * Returns 0 or -1. */
int sioref_http_write_poll(struct lws *wsi, const char *ctype, const uint8_t *body, size_t len,
                           const char *allow_origin, bool close, long threshold);

/* Write the router's response R (ALLOW_ORIGIN overrides its CORS answer when set). */
int sioref_http_respond(struct lws *wsi, const eio_http_response *r, const char *allow_origin,
                        bool close);

/* Finish an HTTP transaction: 0 to keep the connection, -1 to close it. */
int sioref_http_finish(struct lws *wsi, bool close);

/* A bodiless answer STATUS, then finish. */
int sioref_http_respond_simple(struct lws *wsi, int status, bool close);

#endif
