/* Raw HTTP/1.1 for the harness (RFC 9112 message framing: Content-Length, chunked,
 * or read-until-close), used for Engine.IO long-polling (EIO-POLL-*, EIO-HS-*) and
 * for raw requests that probe a server's error handling. */
#include "ct_http.h"

#include "ct_tls.h"
#include "wire_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

_Static_assert(CT_HTTP_MAX_HEADERS == WIRE_HTTP_MAX_HEADERS,
               "ct_http_resp keeps what wire_http keeps");

void ct_http_resp_free(ct_http_resp *r) {
  for (size_t i = 0; i < r->nhdr; i++) {
    free(r->hname[i]);
    free(r->hval[i]);
  }
  ct_buf_free(&r->body);
  memset(r, 0, sizeof *r);
}

const char *ct_http_header(const ct_http_resp *r, const char *name) {
  for (size_t i = 0; i < r->nhdr; i++)
    if (strcasecmp(r->hname[i], name) == 0) return r->hval[i];
  return NULL;
}

int ct_http_has_token(const ct_http_resp *r, const char *name, const char *token) {
  /* the owned strings seen as spans, so the one token rule of wire_http applies */
  wire_http_head h;
  memset(&h, 0, sizeof h);
  for (size_t i = 0; i < r->nhdr; i++) {
    h.name[i] = (wire_span){(const unsigned char *)r->hname[i], strlen(r->hname[i])};
    h.value[i] = (wire_span){(const unsigned char *)r->hval[i], strlen(r->hval[i])};
  }
  h.nhdr = r->nhdr;
  return wire_http_has_token(&h, name, token);
}

/* Decode a chunked body at P/LEN into OUT. 1 complete (*USED = bytes of the chunked
 * body, last chunk and trailers included), 0 need more, -1 bad. */
static int dechunk(const unsigned char *p, size_t len, ct_buf *out, size_t *used) {
  size_t pos = 0;
  for (;;) {
    wire_span data;
    size_t n;
    wire_err e = wire_http_chunk(p + pos, len - pos, &data, &n);
    if (e == WIRE_MORE) return 0;
    if (e != WIRE_OK) return -1;
    pos += n;
    if (data.len == 0) {
      *used = pos;
      return 1;
    }
    ct_buf_add(out, data.p, data.len);
  }
}

int ct_http_parse(const unsigned char *buf, size_t len, int eof, int head_only, ct_http_resp *out) {
  memset(out, 0, sizeof *out);
  wire_http_head h;
  wire_err e = wire_http_response_head(buf, len, &h);
  if (e == WIRE_MORE) return eof ? -1 : 0;
  if (e != WIRE_OK) return -1;
  out->status = h.status;
  out->head_len = h.head_len;
  for (size_t i = 0; i < h.nhdr; i++) {
    out->hname[i] = ct_xstrndup((const char *)h.name[i].p, h.name[i].len);
    out->hval[i] = ct_xstrndup((const char *)h.value[i].p, h.value[i].len);
  }
  out->nhdr = h.nhdr;
  if (head_only) return 1;
  const unsigned char *body = buf + h.head_len;
  size_t blen = len - h.head_len;
  wire_body kind;
  uint64_t n = 0;
  int rc;
  if (wire_http_response_body(&h, &kind, &n) != WIRE_OK) {
    rc = -1;
  } else if (kind == WIRE_BODY_NONE) {
    rc = 1;
    out->msg_len = h.head_len;
  } else if (kind == WIRE_BODY_CHUNKED) {
    size_t used = 0;
    rc = dechunk(body, blen, &out->body, &used);
    if (rc == 0 && eof) rc = -1;
    if (rc == 1) out->msg_len = h.head_len + used;
  } else if (kind == WIRE_BODY_LENGTH) {
    if (blen >= n) {
      ct_buf_add(&out->body, body, (size_t)n);
      out->msg_len = h.head_len + (size_t)n;
      rc = 1;
    } else {
      rc = eof ? -1 : 0;
    }
  } else {
    if (eof) ct_buf_add(&out->body, body, blen);
    rc = eof ? 1 : 0;
  }
  if (rc != 1) ct_http_resp_free(out);
  return rc;
}

void ct_http_build(ct_buf *out, const char *host, int port, const ct_http_req *req) {
  ct_buf_printf(out, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%s", req->method, req->target, host, port,
                req->keep_alive ? "" : "Connection: close\r\n");
  if (req->headers) ct_buf_adds(out, req->headers);
  if (req->body && !req->no_content_length)
    ct_buf_printf(out, "Content-Length: %zu\r\n", req->body_len);
  ct_buf_adds(out, "\r\n");
  if (req->body) ct_buf_add(out, req->body, req->body_len);
}

int ct_tcp_connect(const char *host, int port, int timeout_ms) {
  int64_t t0 = ct_now_ms();
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai) return -1;
    sa.sin_addr = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
    freeaddrinfo(ai);
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    if (errno != EINPROGRESS) {
      close(fd);
      return -1;
    }
    struct pollfd pfd = {fd, POLLOUT, 0};
    int err = 0;
    socklen_t el = sizeof err;
    if (poll(&pfd, 1, timeout_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 ||
        err != 0) {
      close(fd);
      return -1;
    }
  }
  /* a TLS target: every connection is a TLS session from here on (tls.c) */
  int64_t left = t0 + timeout_ms - ct_now_ms();
  if (ct_tls_on() && ct_tls_client(fd, host, left > 0 ? (int)left : 1) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void ct_tcp_close(int fd) {
  if (fd < 0) return;
  ct_tls_forget(fd); /* before close: the fd number may be reused at once */
  close(fd);
}

int ct_tcp_shutdown_wr(int fd) {
  if (ct_tls_has(fd)) return ct_tls_shutdown_wr(fd);
  return shutdown(fd, SHUT_WR);
}

int ct_send_all(int fd, const void *p, size_t len, int timeout_ms) {
  const unsigned char *c = p;
  int64_t deadline = ct_now_ms() + timeout_ms;
  int tls = ct_tls_has(fd);
  while (len) {
    short ev = POLLOUT;
    ssize_t n;
    if (tls) {
      n = ct_tls_send(fd, c, len, &ev);
      if (n == -2) return -1;
    } else {
      n = send(fd, c, len, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
    }
    if (n > 0) {
      c += n;
      len -= (size_t)n;
      continue;
    }
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) return -1;
    struct pollfd pfd = {fd, ev, 0};
    poll(&pfd, 1, (int)left);
  }
  return 0;
}

long ct_recv_some(int fd, ct_buf *b) {
  unsigned char tmp[65536];
  if (ct_tls_has(fd)) {
    short ev;
    long t = ct_tls_recv(fd, tmp, sizeof tmp, &ev);
    if (t > 0) ct_buf_add(b, tmp, (size_t)t);
    return t;
  }
  ssize_t n = recv(fd, tmp, sizeof tmp, 0);
  if (n > 0) {
    ct_buf_add(b, tmp, (size_t)n);
    return (long)n;
  }
  if (n == 0) return 0;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return -1;
  return -2;
}

int ct_http_start(ct_http_call *call, const char *host, int port, const ct_http_req *req,
                  int timeout_ms) {
  memset(call, 0, sizeof *call);
  call->fd = ct_tcp_connect(host, port, timeout_ms);
  if (call->fd < 0) return -1;
  ct_buf b = {0};
  ct_http_build(&b, host, port, req);
  int rc = ct_send_all(call->fd, b.data, b.len, timeout_ms);
  ct_buf_free(&b);
  if (rc != 0) {
    /* the server may already have answered and closed (e.g. an oversized body):
     * keep the call so the answer can still be read */
    call->eof = 0;
  }
  return 0;
}

void ct_http_cancel(ct_http_call *call) {
  ct_tcp_close(call->fd);
  call->fd = -1;
  ct_buf_free(&call->rx);
}

int ct_http_step(ct_http_call *call, ct_http_resp *out) {
  for (;;) {
    long n = ct_recv_some(call->fd, &call->rx);
    if (n == -1) break;
    if (n <= 0) {
      call->eof = 1;
      break;
    }
  }
  int rc = ct_http_parse(call->rx.data, call->rx.len, call->eof, 0, out);
  if (rc == 1 || rc == -1 || call->eof) {
    if (rc == 0) rc = -1;
    ct_http_cancel(call);
  }
  return rc;
}

int ct_http_wait(ct_http_call *call, ct_http_resp *out, int timeout_ms) {
  int64_t deadline = ct_now_ms() + timeout_ms;
  for (;;) {
    int rc = ct_http_step(call, out);
    if (rc != 0) return rc;
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) return 0;
    struct pollfd pfd = {call->fd, POLLIN, 0};
    poll(&pfd, 1, (int)left);
  }
}

int ct_http_do(const char *host, int port, const ct_http_req *req, int timeout_ms,
               ct_http_resp *out) {
  ct_http_call call;
  if (ct_http_start(&call, host, port, req, timeout_ms) != 0) return -2;
  int rc = ct_http_wait(&call, out, timeout_ms);
  ct_http_cancel(&call);
  return rc;
}
