/* Raw HTTP/1.1 for the harness (RFC 9112 message framing: Content-Length, chunked,
 * or read-until-close), used for Engine.IO long-polling (EIO-POLL-*, EIO-HS-*) and
 * for raw requests that probe a server's error handling. */
#include "ct_http.h"

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

static const unsigned char *find_crlfcrlf(const unsigned char *b, size_t len) {
  for (size_t i = 0; i + 3 < len; i++)
    if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return b + i;
  return NULL;
}

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
  size_t tl = strlen(token);
  for (size_t i = 0; i < r->nhdr; i++) {
    if (strcasecmp(r->hname[i], name) != 0) continue;
    const char *p = r->hval[i];
    while (*p) {
      while (*p == ' ' || *p == '\t' || *p == ',') p++;
      const char *e = p;
      while (*e && *e != ',') e++;
      const char *te = e;
      while (te > p && (te[-1] == ' ' || te[-1] == '\t')) te--;
      if ((size_t)(te - p) == tl && strncasecmp(p, token, tl) == 0) return 1;
      p = e;
    }
  }
  return 0;
}

/* Decode a chunked body starting at P. Returns 1 complete (*USED = bytes of the chunked
 * body, last chunk and CRLF included), 0 need more, -1 bad. */
static int dechunk(const unsigned char *p, size_t len, ct_buf *out, size_t *used) {
  size_t pos = 0;
  for (;;) {
    size_t i = pos;
    while (i + 1 < len && !(p[i] == '\r' && p[i + 1] == '\n')) i++;
    if (i + 1 >= len) return 0;
    char *end;
    char tmp[32];
    size_t n = i - pos < sizeof tmp - 1 ? i - pos : sizeof tmp - 1;
    memcpy(tmp, p + pos, n);
    tmp[n] = 0;
    unsigned long sz = strtoul(tmp, &end, 16);
    if (end == tmp) return -1;
    pos = i + 2;
    if (sz == 0) {
      /* trailers are ignored: skip lines up to the empty one */
      for (;;) {
        size_t j = pos;
        while (j + 1 < len && !(p[j] == '\r' && p[j + 1] == '\n')) j++;
        if (j + 1 >= len) return 0;
        int empty = j == pos;
        pos = j + 2;
        if (empty) break;
      }
      *used = pos;
      return 1;
    }
    if (len - pos < sz + 2) return 0;
    ct_buf_add(out, p + pos, sz);
    pos += sz + 2;
  }
}

int ct_http_parse(const unsigned char *buf, size_t len, int eof, int head_only, ct_http_resp *out) {
  memset(out, 0, sizeof *out);
  if (len >= 5 && memcmp(buf, "HTTP/", 5) != 0) return -1;
  const unsigned char *end = find_crlfcrlf(buf, len);
  if (!end) return eof ? -1 : 0;
  size_t head_len = (size_t)(end - buf) + 4;
  /* status line */
  const unsigned char *sp = memchr(buf, ' ', head_len);
  if (!sp || sp + 4 > end) return -1;
  int status = 0;
  for (int i = 1; i <= 3; i++) {
    if (sp[i] < '0' || sp[i] > '9') return -1;
    status = status * 10 + (sp[i] - '0');
  }
  out->status = status;
  out->head_len = head_len;
  const unsigned char *line = memchr(buf, '\n', head_len);
  line = line ? line + 1 : end;
  while (line < end + 2) {
    const unsigned char *eol = line;
    while (eol < end + 2 && *eol != '\r') eol++;
    if (eol == line) break;
    const unsigned char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon && out->nhdr < CT_HTTP_MAX_HEADERS) {
      const unsigned char *v = colon + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      const unsigned char *ve = eol;
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
      out->hname[out->nhdr] = ct_xstrndup((const char *)line, (size_t)(colon - line));
      out->hval[out->nhdr] = ct_xstrndup((const char *)v, (size_t)(ve - v));
      out->nhdr++;
    }
    line = eol + 2;
  }
  if (head_only) return 1;
  const unsigned char *body = buf + head_len;
  size_t blen = len - head_len;
  const char *te = ct_http_header(out, "Transfer-Encoding");
  const char *cl = ct_http_header(out, "Content-Length");
  int rc;
  if ((status >= 100 && status < 200) || status == 204 || status == 304) {
    rc = 1;
    out->msg_len = head_len;
  } else if (te && strstr(te, "chunked")) {
    size_t used = 0;
    rc = dechunk(body, blen, &out->body, &used);
    if (rc == 0 && eof) rc = -1;
    if (rc == 1) out->msg_len = head_len + used;
  } else if (cl) {
    unsigned long n = strtoul(cl, NULL, 10);
    if (blen >= n) {
      ct_buf_add(&out->body, body, n);
      out->msg_len = head_len + n;
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
  return fd;
}

int ct_send_all(int fd, const void *p, size_t len, int timeout_ms) {
  const unsigned char *c = p;
  int64_t deadline = ct_now_ms() + timeout_ms;
  while (len) {
    ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
    if (n > 0) {
      c += n;
      len -= (size_t)n;
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) return -1;
    struct pollfd pfd = {fd, POLLOUT, 0};
    poll(&pfd, 1, (int)left);
  }
  return 0;
}

long ct_recv_some(int fd, ct_buf *b) {
  unsigned char tmp[65536];
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
  if (call->fd >= 0) close(call->fd);
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
