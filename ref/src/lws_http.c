/* The HTTP side of the libwebsockets adapter: a request's method, URI, raw query and
 * headers read from lws into a reqbuf, RFC 9112 connection handling, and responses
 * written with the router's status, headers and body. Private to the adapter
 * (lws_adapter.c); like it, it includes libwebsockets.h.
 * Spec tags: EIO-CORS-2 (headers as the router says), RFC 9112 sections 9.3.2 and 9.6. */
#include "lws_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_coding.h"

/* ---- request parsing ---- */

static const char *const METHODS[] = {"GET",   "POST",   "OPTIONS", "PUT",
                                      "PATCH", "DELETE", "CONNECT", "HEAD"};

/* Rebuild the raw query string from lws' decoded fragments, escaping the characters
 * that would change its meaning when the router decodes it again. */
static void build_query(struct lws *wsi, char *out, size_t cap) {
  size_t n = 0;
  out[0] = 0;
  for (int i = 0; i < 64; i++) {
    char frag[256];
    int len = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
    if (len < 0 || (len == 0 && i == 0)) break;
    if (n && n + 1 < cap) out[n++] = '&';
    for (int k = 0; k < len && n + 4 < cap; k++) {
      char ch = frag[k];
      if (ch == '%' || ch == '&' || ch == '+' || ch == ' ') {
        n += (size_t)snprintf(out + n, cap - n, "%%%02X", (unsigned char)ch);
      } else {
        out[n++] = ch;
      }
    }
    out[n] = 0;
  }
}

static const char *copy_hdr(struct lws *wsi, enum lws_token_indexes h, char *buf, int cap) {
  if (lws_hdr_total_length(wsi, h) <= 0) return NULL;
  if (lws_hdr_copy(wsi, buf, cap, h) < 0) return "\x01"; /* too long: an invalid value */
  return buf;
}

/* Fill RB from WSI's headers. Returns the method index, or -1. */
int sioref_http_parse(struct lws *wsi, reqbuf *rb) {
  char *uri = NULL;
  int ulen = 0;
  memset(&rb->rq, 0, sizeof rb->rq);
  int m = lws_http_get_uri_and_method(wsi, &uri, &ulen);
  if (m < 0 || (size_t)m >= sizeof METHODS / sizeof *METHODS || !uri) return -1;
  size_t n = (size_t)ulen < sizeof rb->uri - 1 ? (size_t)ulen : sizeof rb->uri - 1;
  memcpy(rb->uri, uri, n);
  rb->uri[n] = 0;
  build_query(wsi, rb->query, sizeof rb->query);
  rb->rq.method = METHODS[m];
  rb->rq.query = rb->query;
  rb->rq.origin = copy_hdr(wsi, WSI_TOKEN_ORIGIN, rb->origin, sizeof rb->origin);
  rb->rq.content_type = copy_hdr(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, rb->ctype, sizeof rb->ctype);
  rb->rq.acr_headers = copy_hdr(wsi, WSI_TOKEN_HTTP_AC_REQUEST_HEADERS, rb->acrh, sizeof rb->acrh);
  return m;
}

/* RFC 9112 section 9.6: does the request on WSI end its connection? A Connection header
 * too long to copy is taken as "close" (the safe answer for a request we do not follow). */
bool sioref_http_wants_close(struct lws *wsi, reqbuf *rb) {
  const char *option = copy_hdr(wsi, WSI_TOKEN_CONNECTION, rb->connection, sizeof rb->connection);
  if (option && option[0] == '\x01') return true;
  const char *version = copy_hdr(wsi, WSI_TOKEN_HTTP, rb->version, sizeof rb->version);
  if (version && version[0] == '\x01') version = NULL;
  return eio_server_wants_close(version, option);
}

/* Has lws read bytes of WSI past the request it is handling (a pipelined request,
 * RFC 9112 section 9.3.2)? lws keeps them in a per-connection buffer list that only its
 * own "forced service" test can see, and that test covers every connection: the answer
 * is whether it changes when WSI alone stops reading (a reason bit of our own, so the
 * pause of a held GET is left as it is). */
#define RXFLOW_PROBE (1 << 3)
bool sioref_http_rx_buffered(struct lws_context *ctx, struct lws *wsi) {
  if (lws_service_adjust_timeout(ctx, 1, 0) != 0) return false; /* nobody's */
  lws_rx_flow_control(wsi, LWS_RXFLOW_REASON_APPLIES_DISABLE | RXFLOW_PROBE);
  bool others = lws_service_adjust_timeout(ctx, 1, 0) == 0;
  lws_rx_flow_control(wsi, LWS_RXFLOW_REASON_APPLIES_ENABLE | RXFLOW_PROBE);
  return !others;
}

/* ---- responses ---- */

/* sioref_http_write with the body in content coding CODING (NULL: none). */
static int write_coded(struct lws *wsi, int status, const char *ctype, const uint8_t *body,
                       size_t len, bool body_has_headroom, const char *allow_origin,
                       const eio_http_response *r, bool no_store, bool close, const char *coding) {
  uint8_t hbuf[LWS_PRE + 2048 + 4096]; /* headers, then a small body */
  uint8_t *start = hbuf + LWS_PRE, *p = start, *end = hbuf + sizeof hbuf - 1;
  if (lws_add_http_common_headers(wsi, (unsigned)status, ctype, (lws_filepos_t)len, &p, end))
    return -1;
  /* EIO-CMP-8: the coding named, Content-Length (above) counting the coded bytes */
  if (coding && lws_add_http_header_by_name(
                    wsi, (const unsigned char *)"content-encoding:", (const unsigned char *)coding,
                    (int)strlen(coding), &p, end))
    return -1;
  /* RFC 9112 section 9.6: a server that closes after this response says so (SHOULD);
   * a keep-alive client would otherwise reuse the socket and lose its next request. */
  if (close && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
                                            (const unsigned char *)"close", 5, &p, end))
    return -1;
  if (allow_origin && *allow_origin) {
    /* EIO-CORS-2 */
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-origin:",
                                    (const unsigned char *)allow_origin, (int)strlen(allow_origin),
                                    &p, end) ||
        lws_add_http_header_by_name(
            wsi, (const unsigned char *)"vary:", (const unsigned char *)"Origin", 6, &p, end))
      return -1;
  }
  if (r && r->preflight) {
    const char *m = r->allow_methods ? r->allow_methods : "GET, POST";
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-methods:",
                                    (const unsigned char *)m, (int)strlen(m), &p, end))
      return -1;
    if (r->allow_headers && *r->allow_headers &&
        lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-headers:",
                                    (const unsigned char *)r->allow_headers,
                                    (int)strlen(r->allow_headers), &p, end))
      return -1;
  }
  if (no_store && lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                              (const unsigned char *)"no-store", 8, &p, end))
    return -1;
  /* A small body goes out in the same send() as the headers: one segment instead of
   * two for every polling answer (lws writes HTTP/1 bytes as they are). */
  if (lws_finalize_http_header(wsi, &p, end)) return -1;
  if (len <= (size_t)(end - p)) {
    if (len) memcpy(p, body, len);
    p += len;
    return lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) < 0 ? -1 : 0;
  }
  if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) < 0) return -1;
  if (body_has_headroom) {
    if (lws_write(wsi, (unsigned char *)body, len, LWS_WRITE_HTTP_FINAL) < 0) return -1;
    return 0;
  }
  return -1; /* a body without headroom is always small (error answers) */
}

int sioref_http_write(struct lws *wsi, int status, const char *ctype, const uint8_t *body,
                      size_t len, bool body_has_headroom, const char *allow_origin,
                      const eio_http_response *r, bool no_store, bool close) {
  return write_coded(wsi, status, ctype, body, len, body_has_headroom, allow_origin, r, no_store,
                     close, NULL);
}

int sioref_http_write_poll(struct lws *wsi, const char *ctype, const uint8_t *body, size_t len,
                           const char *allow_origin, bool close, long threshold) {
  const char *coding = NULL;
  char accept[256];
  /* EIO-CMP-8, EIO-CMP-10: bodies of THRESHOLD bytes or more, in a coding the request
   * accepts (an Accept-Encoding too long to copy is taken as none) */
  if (threshold >= 0 && len >= (size_t)threshold &&
      lws_hdr_copy(wsi, accept, sizeof accept, WSI_TOKEN_HTTP_ACCEPT_ENCODING) > 0)
    coding = sioref_coding_pick(accept);
  uint8_t *coded = NULL;
  size_t clen = 0;
  if (coding && sioref_coding_encode(coding, body, len, LWS_PRE, &coded, &clen) == 0) {
    int rc = write_coded(wsi, 200, ctype, coded + LWS_PRE, clen, true, allow_origin, NULL, true,
                         close, coding);
    free(coded);
    return rc;
  }
  return write_coded(wsi, 200, ctype, body, len, true, allow_origin, NULL, true, close, NULL);
}

int sioref_http_respond(struct lws *wsi, const eio_http_response *r, const char *allow_origin,
                        bool close) {
  return sioref_http_write(wsi, r->status, r->content_type, r->body, r->body_len, false,
                           allow_origin ? allow_origin : r->allow_origin, r, false, close);
}

/* Finish an HTTP transaction: 0 to keep the connection, -1 to close it. CLOSE: the
 * request asked for it (RFC 9112 section 9.6: the server MUST close after the
 * response); lws flushes what is still queued before it closes. */
int sioref_http_finish(struct lws *wsi, bool close) {
  if (lws_http_transaction_completed(wsi)) return -1;
  return close ? -1 : 0;
}

int sioref_http_respond_simple(struct lws *wsi, int status, bool close) {
  if (sioref_http_write(wsi, status, NULL, NULL, 0, false, NULL, NULL, false, close)) return -1;
  return sioref_http_finish(wsi, close);
}
