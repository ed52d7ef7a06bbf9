/* WebSocket client framing and handshake (RFC 6455 sections 4 and 5) for the
 * Engine.IO websocket transport (EIO-WS-*): masked client frames, reassembly of
 * fragmented server messages, automatic pong and close answers. */
#include "ct_ws.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void ct_ws_encode(ct_buf *out, int fin, int rsv, int opcode, const unsigned char *payload,
                  size_t len, const unsigned char *mask) {
  unsigned char h[14];
  size_t n = 0;
  h[n++] = (unsigned char)((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 15));
  unsigned char m = mask ? 0x80 : 0;
  if (len < 126) {
    h[n++] = (unsigned char)(m | len);
  } else if (len <= 0xFFFF) {
    h[n++] = m | 126;
    h[n++] = (unsigned char)(len >> 8);
    h[n++] = (unsigned char)len;
  } else {
    h[n++] = m | 127;
    for (int i = 7; i >= 0; i--) h[n++] = (unsigned char)((uint64_t)len >> (8 * i));
  }
  if (mask) {
    memcpy(h + n, mask, 4);
    n += 4;
  }
  ct_buf_add(out, h, n);
  size_t start = out->len;
  ct_buf_add(out, payload, len);
  if (mask) ct_ws_unmask(out->data + start, len, mask);
}

void ct_ws_unmask(unsigned char *p, size_t len, const unsigned char mask[4]) {
  for (size_t i = 0; i < len; i++) p[i] ^= mask[i & 3];
}

long ct_ws_decode(const unsigned char *buf, size_t len, ct_ws_frame *f) {
  if (len < 2) return 0;
  memset(f, 0, sizeof *f);
  f->fin = buf[0] >> 7;
  f->rsv = (buf[0] >> 4) & 7;
  f->opcode = buf[0] & 15;
  f->masked = buf[1] >> 7;
  uint64_t plen = buf[1] & 127;
  size_t pos = 2;
  if (plen == 126) {
    if (len < 4) return 0;
    plen = (uint64_t)buf[2] << 8 | buf[3];
    pos = 4;
  } else if (plen == 127) {
    if (len < 10) return 0;
    plen = 0;
    for (int i = 0; i < 8; i++) plen = plen << 8 | buf[2 + i];
    if (plen >> 63) return -1;
    pos = 10;
  }
  if (f->masked) {
    if (len < pos + 4) return 0;
    memcpy(f->mask, buf + pos, 4);
    pos += 4;
  }
  if ((uint64_t)(len - pos) < plen) return 0;
  f->payload = buf + pos;
  f->len = (size_t)plen;
  return (long)(pos + plen);
}

void ct_ws_accept_key(const char *key, char out[29]) {
  ct_buf b = {0};
  ct_buf_adds(&b, key);
  ct_buf_adds(&b, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  unsigned char d[20];
  ct_sha1(b.data, b.len, d);
  ct_buf_free(&b);
  ct_b64_encode(d, 20, out);
}

static void random_bytes(unsigned char *p, size_t n) {
  /* one generator per thread (--jobs runs cases on several threads); masks and keys
   * need only differ, not be secret (RFC 6455 section 10.3 is about browsers) */
  static _Thread_local unsigned seed;
  if (!seed) seed = (unsigned)ct_now_ms() ^ (unsigned)getpid() ^ (unsigned)(uintptr_t)&seed;
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    p[i] = (unsigned char)(seed >> 16);
  }
}

int ct_ws_connect(ct_ws *ws, const char *host, int port, const char *target, const char *extra,
                  int timeout_ms, ct_http_resp *resp) {
  memset(ws, 0, sizeof *ws);
  memset(resp, 0, sizeof *resp);
  ws->fd = ct_tcp_connect(host, port, timeout_ms);
  if (ws->fd < 0) {
    ws->closed = 1;
    return -1;
  }
  unsigned char nonce[16];
  char key[32], accept[29];
  random_bytes(nonce, sizeof nonce);
  ct_b64_encode(nonce, sizeof nonce, key);
  ct_buf req = {0};
  ct_buf_printf(&req,
                "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
                target, host, port, key, extra ? extra : "");
  int rc = ct_send_all(ws->fd, req.data, req.len, timeout_ms);
  ct_buf_free(&req);
  int64_t deadline = ct_now_ms() + timeout_ms;
  int eof = rc != 0;
  for (;;) {
    long n;
    while ((n = ct_recv_some(ws->fd, &ws->rx)) > 0) {
    }
    if (n == 0 || n == -2) eof = 1;
    int pr = ct_http_parse(ws->rx.data, ws->rx.len, eof, 1, resp);
    if (pr == 1) break;
    if (pr == -1 || eof) {
      ct_ws_close(ws);
      return -4;
    }
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) {
      ct_ws_close(ws);
      return -4;
    }
    struct pollfd pfd = {ws->fd, POLLIN, 0};
    poll(&pfd, 1, (int)left);
  }
  if (resp->status != 101) {
    /* read the rest of the error body for the transcript */
    ct_http_resp full;
    int64_t end = ct_now_ms() + 200;
    while (ct_now_ms() < end) {
      long n = ct_recv_some(ws->fd, &ws->rx);
      if (n == 0 || n == -2) eof = 1;
      if (ct_http_parse(ws->rx.data, ws->rx.len, eof, 0, &full) == 1) {
        ct_buf_add(&resp->body, full.body.data, full.body.len);
        ct_http_resp_free(&full);
        break;
      }
      if (eof) break;
      struct pollfd pfd = {ws->fd, POLLIN, 0};
      poll(&pfd, 1, 20);
    }
    ct_ws_close(ws);
    return -2;
  }
  ct_buf_consume(&ws->rx, resp->head_len);
  ct_ws_accept_key(key, accept);
  const char *got = ct_http_header(resp, "Sec-WebSocket-Accept");
  if (!got || strcmp(got, accept) != 0) {
    ct_ws_close(ws);
    return -3;
  }
  return 0;
}

int ct_ws_send_raw(ct_ws *ws, const void *p, size_t len) {
  if (ws->fd < 0) return -1;
  /* generous: a maxPayload-sized message to a busy server may take a while */
  return ct_send_all(ws->fd, p, len, 10000);
}

int ct_ws_send(ct_ws *ws, int opcode, const void *p, size_t len) {
  unsigned char mask[4];
  random_bytes(mask, 4);
  ct_buf b = {0};
  ct_ws_encode(&b, 1, 0, opcode, p, len, mask);
  int rc = ct_ws_send_raw(ws, b.data, b.len);
  ct_buf_free(&b);
  return rc;
}

void ct_ws_close(ct_ws *ws) {
  if (ws->fd >= 0) close(ws->fd);
  ws->fd = -1;
  ws->closed = 1;
}

static void flag(ct_ws *ws, const char *why) {
  if (!ws->error[0]) snprintf(ws->error, sizeof ws->error, "%s", why);
}

int ct_ws_next(ct_ws *ws, int *opcode, ct_buf *out) {
  if (ws->fd >= 0) {
    for (;;) {
      long n = ct_recv_some(ws->fd, &ws->rx);
      if (n > 0) continue;
      if (n == 0 || n == -2) ws->closed = 1;
      break;
    }
  }
  for (;;) {
    ct_ws_frame f;
    long used = ct_ws_decode(ws->rx.data, ws->rx.len, &f);
    if (used == 0) break;
    if (used < 0) {
      flag(ws, "malformed frame header from server");
      ct_ws_close(ws);
      return -1;
    }
    /* RFC 6455 5.1: a server must not mask frames */
    if (f.masked) flag(ws, "server sent a masked frame");
    if (f.rsv) flag(ws, "server set reserved bits without an extension");
    if (f.opcode >= 8) {
      if (f.opcode == CT_WS_PING) {
        unsigned char tmp[125];
        size_t l = f.len < sizeof tmp ? f.len : sizeof tmp;
        memcpy(tmp, f.payload, l);
        ct_buf_consume(&ws->rx, (size_t)used);
        ct_ws_send(ws, CT_WS_PONG, tmp, l);
        continue;
      }
      if (f.opcode == CT_WS_CLOSE) {
        ws->got_close = 1;
        ws->close_code = f.len >= 2 ? (f.payload[0] << 8 | f.payload[1]) : 1005;
        unsigned char code[2] = {f.payload && f.len >= 2 ? f.payload[0] : 0x03,
                                 f.payload && f.len >= 2 ? f.payload[1] : 0xe8};
        ct_ws_send(ws, CT_WS_CLOSE, code, 2);
        ct_buf_reset(&ws->rx);
        ct_ws_close(ws);
        return -1;
      }
      ct_buf_consume(&ws->rx, (size_t)used);
      continue; /* unsolicited pong: ignored */
    }
    if (f.opcode == CT_WS_CONT) {
      if (!ws->msg_op) flag(ws, "continuation frame without a message");
    } else {
      if (ws->msg_op) flag(ws, "new message before the previous one finished");
      ws->msg_op = f.opcode;
      ct_buf_reset(&ws->msg);
    }
    ct_buf_add(&ws->msg, f.payload, f.len);
    ct_buf_consume(&ws->rx, (size_t)used);
    if (f.fin && ws->msg_op) {
      *opcode = ws->msg_op;
      ws->msg_op = 0;
      ct_buf_reset(out);
      ct_buf_add(out, ws->msg.data, ws->msg.len);
      ct_buf_reset(&ws->msg);
      return 1;
    }
  }
  if (ws->closed) {
    if (ws->fd >= 0) ct_ws_close(ws);
    return -1;
  }
  return 0;
}
