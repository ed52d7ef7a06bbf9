/* sioload's connection layer: non-blocking Engine.IO v4 / Socket.IO v5 clients over
 * WebSocket (RFC 6455 framing, masked client frames) and HTTP/1.1 long-polling on one
 * epoll loop. Spec tags: EIO-HS-* (handshake, open packet), EIO-HB-* (answers every
 * ping with a pong), EIO-PL-* (polling bodies split on 0x1e), SIO-CN-* (CONNECT to "/"),
 * SIO-ACK-* (ack ids reported to the phases).
 *
 * Checks are minimal by design (see lt_client.h): the upgrade answer must be 101 but its
 * Sec-WebSocket-Accept is not verified, and of JSON only the open packet's sid is read
 * (wire_open). Frames, HTTP heads and polling bodies are decoded by conformance/wire/. */
#include "lt_client.h"

#include "wire_http.h"
#include "wire_open.h"
#include "wire_polling.h"
#include "wire_ws.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LT_RX_BYTES      (256 * 1024)
#define LT_MAX_MSG_BYTES (4u * 1024 * 1024) /* larger inputs kill the client */
#define LT_CLOSE_WAIT_US 2000000ULL

uint64_t lt_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

static uint32_t rng_next(lt_ctx *ctx) {
  /* xorshift64*: masking keys need not be cryptographic for a loopback load tool. */
  ctx->rng ^= ctx->rng >> 12;
  ctx->rng ^= ctx->rng << 25;
  ctx->rng ^= ctx->rng >> 27;
  return (uint32_t)((ctx->rng * 2685821657736338717ULL) >> 32);
}

int lt_ctx_init(lt_ctx *ctx, lt_transport transport, const struct sockaddr_in *server,
                const char *path) {
  memset(ctx, 0, sizeof *ctx);
  ctx->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (ctx->epfd < 0) return -1;
  ctx->transport = transport;
  ctx->server = *server;
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &server->sin_addr, ip, sizeof ip);
  snprintf(ctx->host_hdr, sizeof ctx->host_hdr, "%s:%u", ip, (unsigned)ntohs(server->sin_port));
  snprintf(ctx->path, sizeof ctx->path, "%s", path);
  ctx->source_ips = 1;
  ctx->handshake_timeout_us = 10000000ULL;
  ctx->rx_cap = LT_RX_BYTES;
  ctx->rx = malloc(ctx->rx_cap);
  ctx->tx_cap = 64 * 1024;
  ctx->tx = malloc(ctx->tx_cap);
  ctx->rng = lt_now_us() | 1;
  if (!ctx->rx || !ctx->tx) {
    lt_ctx_free(ctx);
    errno = ENOMEM;
    return -1;
  }
  return 0;
}

void lt_ctx_free(lt_ctx *ctx) {
  if (ctx->epfd >= 0) close(ctx->epfd);
  ctx->epfd = -1;
  free(ctx->rx);
  free(ctx->tx);
  ctx->rx = ctx->tx = NULL;
}

/* ---- buffers ---------------------------------------------------------------------- */

static int buf_append(uint8_t **buf, uint32_t *len, uint32_t *cap, const uint8_t *p, size_t n) {
  if ((size_t)*len + n > LT_MAX_MSG_BYTES) return -1;
  if (*len + n > *cap) {
    size_t c = *cap ? *cap : 256;
    while (c < *len + n) c *= 2;
    uint8_t *nb = realloc(*buf, c);
    if (!nb) return -1;
    *buf = nb;
    *cap = (uint32_t)c;
  }
  memcpy(*buf + *len, p, n);
  *len += (uint32_t)n;
  return 0;
}

static uint8_t *tx_reserve(lt_ctx *ctx, size_t n) {
  if (n > ctx->tx_cap) {
    size_t c = ctx->tx_cap;
    while (c < n) c *= 2;
    uint8_t *nb = realloc(ctx->tx, c);
    if (!nb) return NULL;
    ctx->tx = nb;
    ctx->tx_cap = c;
  }
  return ctx->tx;
}

/* ---- sockets ---------------------------------------------------------------------- */

static void sock_release(lt_ctx *ctx, lt_sock *s) {
  if (s->fd >= 0) {
    close(s->fd); /* close() also removes the fd from the epoll set */
    ctx->socks_open--;
  }
  s->fd = -1;
  s->state = LT_SOCK_CLOSED;
  s->upgraded = s->want_out = s->busy = false;
  free(s->rbuf);
  free(s->wbuf);
  free(s->frag);
  s->rbuf = s->wbuf = s->frag = NULL;
  s->rlen = s->rcap = s->wlen = s->woff = s->wcap = s->flen = s->fcap = 0;
}

static void client_fail(lt_ctx *ctx, lt_client *cl, const char *why, uint64_t now_us) {
  if (cl->state == LT_CL_DEAD || cl->state == LT_CL_IDLE) return;
  sock_release(ctx, &cl->a);
  sock_release(ctx, &cl->b);
  cl->state = LT_CL_DEAD;
  cl->error = why;
  if (ctx->hooks.on_dead) ctx->hooks.on_dead(ctx, cl, now_us);
}

void lt_client_reset(lt_ctx *ctx, lt_client *cl) {
  sock_release(ctx, &cl->a);
  sock_release(ctx, &cl->b);
  free(cl->outq);
  cl->outq = NULL;
  cl->outq_len = cl->outq_cap = 0;
  cl->state = LT_CL_IDLE;
  cl->t_deadline_us = 0;
  cl->sid[0] = 0;
}

static int sock_set_out(lt_ctx *ctx, lt_sock *s, bool want) {
  if (s->want_out == want) return 0;
  struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = s};
  if (epoll_ctl(ctx->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0) return -1;
  s->want_out = want;
  return 0;
}

static int sock_connect(lt_ctx *ctx, lt_sock *s) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (ctx->source_ips > 1) {
    /* Spread connections over several loopback source addresses so that churn does not
     * run out of ephemeral ports (each address has its own port range). */
    struct sockaddr_in src = {.sin_family = AF_INET};
    uint32_t k = ctx->next_source++ % ctx->source_ips;
    src.sin_addr.s_addr = htonl(0x7f000001u + k);
#ifdef IP_BIND_ADDRESS_NO_PORT
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) {
      close(fd);
      return -1;
    }
  }
  int rc = connect(fd, (const struct sockaddr *)&ctx->server, sizeof ctx->server);
  if (rc < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = s};
  if (epoll_ctl(ctx->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    close(fd);
    return -1;
  }
  s->fd = fd;
  s->want_out = true;
  s->state = LT_SOCK_CONNECTING;
  ctx->socks_open++;
  return 0;
}

/* Queue or send N bytes. Returns 0, or -1 on a socket error. */
static int sock_write(lt_ctx *ctx, lt_sock *s, const uint8_t *p, size_t n) {
  ctx->bytes_out += n;
  if (s->state == LT_SOCK_OPEN && s->wlen == s->woff) {
    ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
    if (w == (ssize_t)n) return 0;
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      w = 0;
    }
    p += w;
    n -= (size_t)w;
  }
  if (s->woff == s->wlen) s->woff = s->wlen = 0;
  if (buf_append(&s->wbuf, &s->wlen, &s->wcap, p, n) < 0) return -1;
  if (s->state == LT_SOCK_OPEN) return sock_set_out(ctx, s, true);
  return 0;
}

static int sock_flush(lt_ctx *ctx, lt_sock *s) {
  while (s->woff < s->wlen) {
    ssize_t w = send(s->fd, s->wbuf + s->woff, s->wlen - s->woff, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    s->woff += (uint32_t)w;
  }
  s->woff = s->wlen = 0;
  return sock_set_out(ctx, s, false);
}

/* ---- WebSocket framing (RFC 6455) ------------------------------------------------- */

/* Send one WS frame with OPCODE whose payload is PREFIX (0 or 1 byte) + P. */
static int ws_send(lt_ctx *ctx, lt_sock *s, int opcode, int prefix, const uint8_t *p, size_t n) {
  size_t plen = n + (prefix >= 0 ? 1 : 0);
  uint8_t *f = tx_reserve(ctx, plen + WIRE_WS_MAX_HEAD);
  if (!f) return -1;
  uint8_t key[4] = {(uint8_t)(s->mask_key >> 24), (uint8_t)(s->mask_key >> 16),
                    (uint8_t)(s->mask_key >> 8), (uint8_t)s->mask_key};
  size_t h = wire_ws_head(f, 1, 0, opcode, plen, key);
  uint8_t *d = f + h;
  size_t j = 0;
  if (prefix >= 0) d[j++] = (uint8_t)prefix;
  if (n) memcpy(d + j, p, n);
  wire_ws_mask(d, plen, key, 0);
  ctx->frames_out++;
  return sock_write(ctx, s, f, h + plen);
}

/* ---- Engine.IO / Socket.IO packets ------------------------------------------------- */

static int poll_flush_post(lt_ctx *ctx, lt_client *cl);
static int poll_get(lt_ctx *ctx, lt_client *cl);

/* Send one Engine.IO text packet: TYPE digit + P. */
static int eio_send(lt_ctx *ctx, lt_client *cl, char type, const uint8_t *p, size_t n) {
  if (ctx->transport == LT_WEBSOCKET) return ws_send(ctx, &cl->a, 1, type, p, n);
  /* EIO-PL-1: packets in one polling body are separated by the record separator. */
  uint8_t hdr[2] = {0x1e, (uint8_t)type};
  int sep = cl->outq_len > 0 ? 0 : 1;
  if (buf_append(&cl->outq, &cl->outq_len, &cl->outq_cap, hdr + sep, 2 - (size_t)sep) < 0 ||
      (n && buf_append(&cl->outq, &cl->outq_len, &cl->outq_cap, p, n) < 0))
    return -1;
  return poll_flush_post(ctx, cl);
}

int lt_client_emit(lt_ctx *ctx, lt_client *cl, const char *txt, size_t len) {
  if (cl->state != LT_CL_READY) return -1;
  if (eio_send(ctx, cl, '4', (const uint8_t *)txt, len) < 0) {
    client_fail(ctx, cl, "write failed", lt_now_us());
    return -1;
  }
  return 0;
}

static uint32_t parse_u32(const uint8_t *p, size_t n, size_t *used) {
  uint32_t v = 0;
  size_t i = 0;
  while (i < n && p[i] >= '0' && p[i] <= '9') v = v * 10 + (uint32_t)(p[i++] - '0');
  *used = i;
  return v;
}

/* EIO-HS-2: the session id of the open packet P/N (type digit included) into SID. */
static int open_sid(const uint8_t *p, size_t n, char *sid, size_t cap) {
  wire_open o;
  if (wire_open_parse(p, n, &o) != WIRE_OK || o.sid.len + 1 > cap) return -1;
  memcpy(sid, o.sid.p, o.sid.len);
  sid[o.sid.len] = 0;
  return 0;
}

/* Handle one Engine.IO text packet from the server. */
static void eio_in(lt_ctx *ctx, lt_client *cl, const uint8_t *p, size_t n, uint64_t now) {
  ctx->frames_in++;
  if (n == 0) return;
  switch (p[0]) {
  case '0': /* EIO-HS-2: open packet; then ask for namespace "/" (SIO-CN-1) */
    if (ctx->transport == LT_POLLING) {
      if (open_sid(p, n, cl->sid, sizeof cl->sid) < 0) {
        client_fail(ctx, cl, "open packet without sid", now);
        return;
      }
    }
    if (eio_send(ctx, cl, '4', (const uint8_t *)"0", 1) < 0)
      client_fail(ctx, cl, "write failed", now);
    return;
  case '2': /* EIO-HB-2: answer every ping with a pong carrying the same data */
    ctx->pings_answered++;
    if (eio_send(ctx, cl, '3', p + 1, n - 1) < 0) client_fail(ctx, cl, "write failed", now);
    return;
  case '1':
    client_fail(ctx, cl, "server sent close", now);
    return;
  case '6':
  case '3':
    return;
  case '4':
    break;
  default:
    return;
  }
  if (n < 2) return;
  const uint8_t *q = p + 2;
  size_t m = n - 2;
  switch (p[1]) {
  case '0': /* SIO-CN-2: CONNECT acknowledged */
    if (cl->state == LT_CL_HANDSHAKE) {
      cl->state = LT_CL_READY;
      cl->was_ready = true;
      cl->t_deadline_us = 0;
      if (ctx->hooks.on_ready) ctx->hooks.on_ready(ctx, cl, now);
    }
    return;
  case '4':
    client_fail(ctx, cl, "CONNECT_ERROR", now);
    return;
  case '1':
    client_fail(ctx, cl, "server sent DISCONNECT", now);
    return;
  case '3': {                     /* SIO-ACK-2: "3" [nsp ","] id JSON */
    if (m && q[0] == '/') return; /* only namespace "/" is used */
    size_t used;
    uint32_t id = parse_u32(q, m, &used);
    if (used == 0) return;
    if (ctx->hooks.on_ack) ctx->hooks.on_ack(ctx, cl, id, q + used, m - used, now);
    return;
  }
  case '2': {
    if (m && q[0] == '/') return;
    size_t used;
    (void)parse_u32(q, m, &used);
    if (ctx->hooks.on_event) ctx->hooks.on_event(ctx, cl, q + used, m - used, now);
    return;
  }
  default:
    return;
  }
}

/* ---- WebSocket input --------------------------------------------------------------- */

/* Parse as many complete frames as P holds; returns the bytes consumed or -1 (client
 * failed). */
static long ws_frames(lt_ctx *ctx, lt_sock *s, uint8_t *p, size_t n, uint64_t now) {
  lt_client *cl = s->cl;
  size_t off = 0;
  for (;;) {
    wire_ws_frame f;
    wire_err e = wire_ws_decode_head(p + off, n - off, &f);
    if (e == WIRE_MORE) break;
    /* judged on the head, before the payload arrives */
    if (e != WIRE_OK || f.len > LT_MAX_MSG_BYTES) {
      client_fail(ctx, cl, "frame too large", now);
      return -1;
    }
    if (n - off < f.head_len + f.len) break;
    uint8_t *d = p + off + f.head_len;
    size_t len = (size_t)f.len;
    if (f.masked) wire_ws_mask(d, len, f.mask, 0); /* servers must not mask; it costs nothing */
    off += f.head_len + len;
    bool fin = f.fin;
    int op = f.opcode;
    if (op >= 8) { /* control frames */
      if (op == 8) {
        if (cl->state != LT_CL_CLOSING) ws_send(ctx, s, 8, -1, d, len >= 2 ? 2 : 0);
        cl->state = LT_CL_CLOSING;
        if (!cl->t_deadline_us) cl->t_deadline_us = now + LT_CLOSE_WAIT_US;
      } else if (op == 9) {
        if (ws_send(ctx, s, 10, -1, d, len) < 0) {
          client_fail(ctx, cl, "write failed", now);
          return -1;
        }
      }
      continue;
    }
    if (!fin || op == 0) { /* fragmented message: reassemble */
      if (buf_append(&s->frag, &s->flen, &s->fcap, d, len) < 0) {
        client_fail(ctx, cl, "message too large", now);
        return -1;
      }
      if (!fin) continue;
      eio_in(ctx, cl, s->frag, s->flen, now);
      s->flen = 0;
    } else if (op == 1) {
      eio_in(ctx, cl, d, len, now);
    } /* binary messages are not used by the load phases */
    if (cl->state == LT_CL_DEAD || cl->state == LT_CL_IDLE) return -1;
  }
  return (long)off;
}

/* ---- HTTP responses (upgrade and polling) ------------------------------------------ */

typedef struct http_resp {
  int status;
  size_t header_len;
  size_t body_len;
} http_resp;

#define LT_MAX_HEAD 16384

/* Returns 1 with R filled when P holds a complete response head (and, unless HEAD_ONLY,
 * its whole Content-Length body), 0 when more input is needed, -1 when unusable, -2 for
 * a chunked body (not supported: the report says so). */
static int http_parse(const uint8_t *p, size_t n, bool head_only, http_resp *r) {
  wire_http_head h;
  wire_err e = wire_http_response_head(p, n, &h);
  if (e == WIRE_MORE) return n > LT_MAX_HEAD ? -1 : 0;
  if (e != WIRE_OK) return -1;
  r->status = h.status;
  r->header_len = h.head_len;
  r->body_len = 0;
  if (head_only) return 1;
  wire_body kind;
  uint64_t len;
  if (wire_http_response_body(&h, &kind, &len) != WIRE_OK) return -1;
  if (kind == WIRE_BODY_CHUNKED) return -2;
  if (kind != WIRE_BODY_LENGTH || len > LT_MAX_MSG_BYTES) return -1;
  r->body_len = (size_t)len;
  return n - r->header_len < r->body_len ? 0 : 1;
}

static int poll_request(lt_ctx *ctx, lt_client *cl, lt_sock *s, const char *method,
                        const uint8_t *body, size_t blen) {
  if (s->state == LT_SOCK_CLOSED && sock_connect(ctx, s) < 0) return -1;
  char head[512];
  int h;
  if (cl->sid[0])
    h = snprintf(head, sizeof head, "%s %s?EIO=4&transport=polling&sid=%s HTTP/1.1\r\nHost: %s\r\n",
                 method, ctx->path, cl->sid, ctx->host_hdr);
  else
    h = snprintf(head, sizeof head, "%s %s?EIO=4&transport=polling HTTP/1.1\r\nHost: %s\r\n",
                 method, ctx->path, ctx->host_hdr);
  if (body)
    h += snprintf(head + h, sizeof head - (size_t)h,
                  "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: %zu\r\n", blen);
  h += snprintf(head + h, sizeof head - (size_t)h, "\r\n");
  uint8_t *t = tx_reserve(ctx, (size_t)h + blen);
  if (!t) return -1;
  memcpy(t, head, (size_t)h);
  if (blen) memcpy(t + h, body, blen);
  s->busy = true;
  return sock_write(ctx, s, t, (size_t)h + blen);
}

static int poll_get(lt_ctx *ctx, lt_client *cl) {
  if (cl->a.busy) return 0;
  return poll_request(ctx, cl, &cl->a, "GET", NULL, 0);
}

static int poll_flush_post(lt_ctx *ctx, lt_client *cl) {
  if (cl->b.busy || cl->outq_len == 0 || !cl->sid[0]) return 0;
  /* The body is copied into the request before outq is reused. */
  int rc = poll_request(ctx, cl, &cl->b, "POST", cl->outq, cl->outq_len);
  cl->outq_len = 0;
  return rc;
}

/* A complete polling response BODY on socket S. */
static void poll_response(lt_ctx *ctx, lt_sock *s, int status, const uint8_t *body, size_t n,
                          uint64_t now) {
  lt_client *cl = s->cl;
  s->busy = false;
  if (status != 200) {
    client_fail(ctx, cl, s->role == LT_ROLE_GET ? "GET status != 200" : "POST status != 200", now);
    return;
  }
  if (s->role == LT_ROLE_POST) {
    if (cl->state == LT_CL_CLOSING) {
      lt_client_reset(ctx, cl);
      if (ctx->hooks.on_dead) ctx->hooks.on_dead(ctx, cl, now);
      return;
    }
    if (poll_flush_post(ctx, cl) < 0) client_fail(ctx, cl, "write failed", now);
    return;
  }
  bool first = cl->sid[0] == 0;
  /* EIO-PL-2: split the body on 0x1e; every record is one packet (binary ones and
   * empty ones are not used by the load phases). */
  wire_polling_iter it;
  wire_polling_rec rec;
  wire_polling_begin(&it, body, n);
  while (wire_polling_next(&it, &rec)) {
    if (rec.raw.len && !rec.binary) eio_in(ctx, cl, rec.raw.p, rec.raw.len, now);
    if (cl->state == LT_CL_DEAD || cl->state == LT_CL_IDLE) return;
  }
  if (first && !cl->sid[0]) {
    client_fail(ctx, cl, "handshake response without open packet", now);
    return;
  }
  if (cl->state == LT_CL_CLOSING) return;
  if (poll_get(ctx, cl) < 0) client_fail(ctx, cl, "write failed", now);
}

/* ---- input dispatch ---------------------------------------------------------------- */

/* Process the bytes in P (N) for S. Returns the bytes consumed, or -1 when the client
 * died or was recycled. */
static long sock_input(lt_ctx *ctx, lt_sock *s, uint8_t *p, size_t n, uint64_t now) {
  lt_client *cl = s->cl;
  if (s->role == LT_ROLE_WS && s->upgraded) return ws_frames(ctx, s, p, n, now);
  http_resp r;
  size_t off = 0;
  while (off < n) {
    int rc = http_parse(p + off, n - off, s->role == LT_ROLE_WS, &r);
    if (rc == 0) break;
    if (rc < 0) {
      client_fail(ctx, cl, rc == -2 ? "chunked HTTP body (unsupported)" : "bad HTTP response", now);
      return -1;
    }
    if (s->role == LT_ROLE_WS) {
      if (r.status != 101) {
        client_fail(ctx, cl, "upgrade refused", now);
        return -1;
      }
      s->upgraded = true;
      off += r.header_len;
      long m = ws_frames(ctx, s, p + off, n - off, now);
      return m < 0 ? -1 : (long)off + m;
    }
    off += r.header_len + r.body_len;
    poll_response(ctx, s, r.status, p + off - r.body_len, r.body_len, now);
    if (cl->state == LT_CL_DEAD || cl->state == LT_CL_IDLE) return -1;
  }
  return (long)off;
}

static void sock_readable(lt_ctx *ctx, lt_sock *s, uint64_t now) {
  lt_client *cl = s->cl;
  ssize_t r = recv(s->fd, ctx->rx, ctx->rx_cap, 0);
  if (r <= 0) {
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (cl->state == LT_CL_CLOSING) { /* the server ended the connection: close done */
      lt_client_reset(ctx, cl);
      if (ctx->hooks.on_dead) ctx->hooks.on_dead(ctx, cl, now);
      return;
    }
    if (s->role != LT_ROLE_WS && !s->busy && cl->state == LT_CL_READY) {
      sock_release(ctx, s); /* an idle keep-alive connection closed: reopen on demand */
      return;
    }
    client_fail(ctx, cl, r == 0 ? "connection closed by server" : "connection error", now);
    return;
  }
  ctx->bytes_in += (uint64_t)r;
  if (s->rlen == 0) {
    long used = sock_input(ctx, s, ctx->rx, (size_t)r, now);
    if (used < 0) return;
    if ((size_t)used < (size_t)r &&
        buf_append(&s->rbuf, &s->rlen, &s->rcap, ctx->rx + used, (size_t)r - (size_t)used) < 0)
      client_fail(ctx, cl, "input too large", now);
    return;
  }
  if (buf_append(&s->rbuf, &s->rlen, &s->rcap, ctx->rx, (size_t)r) < 0) {
    client_fail(ctx, cl, "input too large", now);
    return;
  }
  long used = sock_input(ctx, s, s->rbuf, s->rlen, now);
  if (used < 0) return;
  memmove(s->rbuf, s->rbuf + used, s->rlen - (size_t)used);
  s->rlen -= (uint32_t)used;
}

static void sock_writable(lt_ctx *ctx, lt_sock *s, uint64_t now) {
  lt_client *cl = s->cl;
  if (s->state == LT_SOCK_CONNECTING) {
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err) {
      client_fail(ctx, cl, "connect failed", now);
      return;
    }
    s->state = LT_SOCK_OPEN;
  }
  if (sock_flush(ctx, s) < 0) client_fail(ctx, cl, "write failed", now);
}

int lt_ctx_poll(lt_ctx *ctx, int timeout_ms) {
  struct epoll_event evs[256];
  int n = epoll_wait(ctx->epfd, evs, 256, timeout_ms);
  if (n < 0) return errno == EINTR ? 0 : -1;
  for (int i = 0; i < n; i++) {
    lt_sock *s = evs[i].data.ptr;
    uint64_t now = lt_now_us();
    /* A callback may have recycled this client and reopened its socket under the same
     * struct; events for a closed fd are never delivered after close(), so s->fd < 0
     * means the event is stale. */
    if (s->fd < 0) continue;
    if (evs[i].events & (EPOLLOUT | EPOLLERR)) {
      sock_writable(ctx, s, now);
      if (s->fd < 0) continue;
    }
    if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) sock_readable(ctx, s, now);
  }
  return n;
}

/* ---- client lifecycle ------------------------------------------------------------- */

void lt_client_init(lt_client *cl, uint32_t idx) {
  memset(cl, 0, sizeof *cl);
  cl->idx = idx;
  cl->a.fd = cl->b.fd = -1;
  cl->a.cl = cl->b.cl = cl;
}

int lt_client_start(lt_ctx *ctx, lt_client *cl, uint64_t now_us) {
  lt_client_reset(ctx, cl);
  cl->state = LT_CL_HANDSHAKE;
  cl->was_ready = false;
  cl->error = NULL;
  cl->t_start_us = now_us;
  cl->t_deadline_us = now_us + ctx->handshake_timeout_us;
  cl->a.mask_key = rng_next(ctx);
  if (ctx->transport == LT_WEBSOCKET) {
    cl->a.role = LT_ROLE_WS;
    if (sock_connect(ctx, &cl->a) < 0) {
      client_fail(ctx, cl, "socket/connect failed", now_us);
      return -1;
    }
    char req[512];
    /* EIO-HS-1 over WebSocket; the fixed key is fine since the answer is not checked. */
    int h = snprintf(req, sizeof req,
                     "GET %s?EIO=4&transport=websocket HTTP/1.1\r\nHost: %s\r\n"
                     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: c2lvbG9hZC1rZXktMDAwMQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     ctx->path, ctx->host_hdr);
    return sock_write(ctx, &cl->a, (const uint8_t *)req, (size_t)h);
  }
  cl->a.role = LT_ROLE_GET;
  cl->b.role = LT_ROLE_POST;
  /* EIO-HS-1 over polling: the first GET carries no sid and returns the open packet. */
  if (poll_get(ctx, cl) < 0) {
    client_fail(ctx, cl, "socket/connect failed", now_us);
    return -1;
  }
  return 0;
}

void lt_client_close(lt_ctx *ctx, lt_client *cl, uint64_t now_us) {
  if (cl->state != LT_CL_READY && cl->state != LT_CL_HANDSHAKE) return;
  int rc;
  if (ctx->transport == LT_WEBSOCKET) {
    static const uint8_t code[2] = {0x03, 0xe8}; /* 1000: normal closure */
    rc = ws_send(ctx, &cl->a, 8, -1, code, 2);
  } else {
    rc = cl->sid[0] ? eio_send(ctx, cl, '1', NULL, 0) : -1;
  }
  cl->state = LT_CL_CLOSING;
  cl->t_deadline_us = now_us + LT_CLOSE_WAIT_US;
  if (rc < 0) {
    lt_client_reset(ctx, cl);
    if (ctx->hooks.on_dead) ctx->hooks.on_dead(ctx, cl, now_us);
  }
}

void lt_ctx_sweep(lt_ctx *ctx, lt_client *clients, size_t n, uint64_t now_us) {
  for (size_t i = 0; i < n; i++) {
    lt_client *cl = &clients[i];
    if (!cl->t_deadline_us || now_us < cl->t_deadline_us) continue;
    if (cl->state == LT_CL_HANDSHAKE) {
      client_fail(ctx, cl, "handshake timeout", now_us);
    } else if (cl->state == LT_CL_CLOSING) {
      /* The server kept the connection after our close: drop it ourselves. */
      lt_client_reset(ctx, cl);
      if (ctx->hooks.on_dead) ctx->hooks.on_dead(ctx, cl, now_us);
    }
  }
}
