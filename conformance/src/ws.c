/* WebSocket client framing and handshake (RFC 6455 sections 4 and 5) for the
 * Engine.IO websocket transport (EIO-WS-*): masked client frames, reassembly of
 * fragmented server messages, automatic pong and close answers. */
#include "ct_ws.h"

#include "wire_ws.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void ct_ws_encode(ct_buf *out, int fin, int rsv, int opcode, const unsigned char *payload,
                  size_t len, const unsigned char *mask) {
  unsigned char h[WIRE_WS_MAX_HEAD];
  ct_buf_add(out, h, wire_ws_head(h, fin, rsv, opcode, len, mask));
  size_t start = out->len;
  ct_buf_add(out, payload, len);
  if (mask) wire_ws_mask(out->data + start, len, mask, 0);
}

void ct_ws_unmask(unsigned char *p, size_t len, const unsigned char mask[4]) {
  wire_ws_mask(p, len, mask, 0);
}

long ct_ws_decode(const unsigned char *buf, size_t len, ct_ws_frame *f) {
  wire_ws_frame w;
  wire_err e = wire_ws_decode(buf, len, &w);
  if (e == WIRE_MORE) return 0;
  if (e != WIRE_OK) return -1;
  f->fin = w.fin;
  f->rsv = w.rsv;
  f->opcode = w.opcode;
  f->masked = w.masked;
  memcpy(f->mask, w.mask, 4);
  f->payload = w.payload;
  f->len = (size_t)w.len;
  return (long)(w.head_len + w.len);
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
  if (ws->deflater && ws->compress_out && (opcode == WIRE_WS_TEXT || opcode == WIRE_WS_BINARY)) {
    /* EIO-CMP-4: a compressed message has RSV1 on its (only) frame */
    wire_sink z = {0};
    if (wire_pmd_deflate(ws->deflater, p, len, &z) != WIRE_OK) {
      wire_sink_free(&z);
      return -1;
    }
    ct_ws_encode(&b, 1, 4, opcode, z.p, z.len, mask);
    wire_sink_free(&z);
  } else {
    ct_ws_encode(&b, 1, 0, opcode, p, len, mask);
  }
  int rc = ct_ws_send_raw(ws, b.data, b.len);
  ct_buf_free(&b);
  return rc;
}

/* The parameters of our own offer (the cases write it; no quoting in it). */
static void read_offer(const char *offer, wire_pmd_params *o) {
  memset(o, 0, sizeof *o);
  const char *k;
  o->server_no_context_takeover = strstr(offer, "server_no_context_takeover") != NULL;
  o->client_no_context_takeover = strstr(offer, "client_no_context_takeover") != NULL;
  if ((k = strstr(offer, "server_max_window_bits")))
    o->server_max_window_bits = k[22] == '=' ? atoi(k + 23) : -1;
  if ((k = strstr(offer, "client_max_window_bits")))
    o->client_max_window_bits = k[22] == '=' ? atoi(k + 23) : -1;
}

int ct_ws_negotiate(ct_ws *ws, const char *offer, const char *answer, const char **why) {
  ct_ws_free_ext(ws);
  *why = NULL;
  if (!offer || !strstr(offer, "permessage-deflate")) {
    /* nothing offered: any answer is an extension the client did not offer */
    if (answer && *answer) {
      *why = "an extension the client did not offer (RFC 6455 section 9.1)";
      return -1;
    }
    return 0;
  }
  wire_pmd_params o, a;
  read_offer(offer, &o);
  if (wire_pmd_answer(answer, answer ? strlen(answer) : 0, &o, &a, why) != WIRE_OK) return -1;
  if (!a.accepted) return 0;
  /* EIO-CMP-3: the server's window and context as its answer says, ours likewise */
  ws->inflater = wire_pmd_inflater(a.server_max_window_bits ? a.server_max_window_bits : 15,
                                   a.server_no_context_takeover);
  ws->deflater = wire_pmd_deflater(a.client_max_window_bits ? a.client_max_window_bits : 15,
                                   a.client_no_context_takeover);
  ws->compress_out = 1;
  if (!ws->inflater || !ws->deflater) {
    ct_ws_free_ext(ws);
    *why = "out of memory";
    return -1;
  }
  return 1;
}

void ct_ws_free_ext(ct_ws *ws) {
  wire_pmd_end(ws->inflater);
  wire_pmd_end(ws->deflater);
  ws->inflater = ws->deflater = NULL;
  ws->compress_out = 0;
}

/* The most a server's compressed message may inflate to in the harness (a bound against
 * a decompression bomb; far above any maxPayload a case uses). */
#define INFLATE_LIMIT (64u << 20)

void ct_ws_close(ct_ws *ws) {
  ct_tcp_close(ws->fd);
  ws->fd = -1;
  ws->closed = 1;
}

static void flag(ct_ws *ws, const char *why) {
  if (!ws->error[0]) snprintf(ws->error, sizeof ws->error, "%s", why);
}

/* The transcript's words for a rule a server's frame broke. */
static const char *rule_text(wire_err e) {
  switch (e) {
  case WIRE_E_WS_MASKED:
    return "server sent a masked frame";
  case WIRE_E_WS_RSV:
    return "server set reserved bits without an extension";
  case WIRE_E_WS_OPCODE:
    return "server sent a reserved opcode";
  case WIRE_E_WS_CONTROL_FRAGMENTED:
    return "server fragmented a control frame";
  case WIRE_E_WS_CONTROL_LENGTH:
    return "server sent a control frame over 125 bytes";
  case WIRE_E_WS_CONT_WITHOUT_MESSAGE:
    return "continuation frame without a message";
  case WIRE_E_WS_MESSAGE_INTERLEAVED:
    return "new message before the previous one finished";
  default:
    return wire_err_name(e);
  }
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
    wire_ws_frame f;
    wire_err e = wire_ws_decode(ws->rx.data, ws->rx.len, &f);
    if (e == WIRE_MORE) break;
    if (e != WIRE_OK) {
      flag(ws, "malformed frame header from server");
      ct_ws_close(ws);
      return -1;
    }
    size_t used = f.head_len + (size_t)f.len;
    /* RFC 6455 5.1-5.5: the rules a server's frame must keep; the first broken one is
     * flagged, and the frame is still read as the harness always did */
    /* EIO-CMP-4: with permessage-deflate, RSV1 marks the first frame of a compressed
     * data message; anywhere else it stays a broken rule (EIO-CMP-6) */
    int rsv1 =
        ws->inflater && f.rsv == 4 && (f.opcode == WIRE_WS_TEXT || f.opcode == WIRE_WS_BINARY);
    wire_ws_frame chk = f;
    if (rsv1) chk.rsv = 0;
    wire_err rule = wire_ws_check(&chk, 0);
    if (rule == WIRE_OK) rule = wire_ws_fragment_rule(ws->msg_op, &f);
    if (rule != WIRE_OK) flag(ws, rule_text(rule));
    if (f.opcode >= 8) {
      if (f.opcode == WIRE_WS_PING) {
        unsigned char tmp[125];
        size_t l = f.len < sizeof tmp ? (size_t)f.len : sizeof tmp;
        memcpy(tmp, f.payload, l);
        ct_buf_consume(&ws->rx, used);
        ct_ws_send(ws, WIRE_WS_PONG, tmp, l);
        continue;
      }
      if (f.opcode == WIRE_WS_CLOSE) {
        ws->got_close = 1;
        ws->close_code = f.len >= 2 ? (f.payload[0] << 8 | f.payload[1]) : 1005;
        unsigned char code[2] = {f.payload && f.len >= 2 ? f.payload[0] : 0x03,
                                 f.payload && f.len >= 2 ? f.payload[1] : 0xe8};
        ct_ws_send(ws, WIRE_WS_CLOSE, code, 2);
        ct_buf_reset(&ws->rx);
        ct_ws_close(ws);
        return -1;
      }
      ct_buf_consume(&ws->rx, used);
      continue; /* unsolicited pong: ignored */
    }
    if (f.opcode != WIRE_WS_CONT) {
      ws->msg_op = f.opcode;
      ws->msg_compressed = rsv1;
      ct_buf_reset(&ws->msg);
    }
    ct_buf_add(&ws->msg, f.payload, (size_t)f.len);
    ct_buf_consume(&ws->rx, used);
    if (f.fin && ws->msg_op) {
      *opcode = ws->msg_op;
      ws->msg_op = 0;
      ct_buf_reset(out);
      if (ws->msg_compressed) {
        wire_sink z = {0};
        wire_err ze = wire_pmd_inflate(ws->inflater, ws->msg.data, ws->msg.len, INFLATE_LIMIT, &z);
        if (ze != WIRE_OK) {
          /* RFC 7692 section 8: the client fails the connection (EIO-CMP-3, -4) */
          wire_sink_free(&z);
          flag(ws, ze == WIRE_E_TOO_LARGE ? "server sent a compressed message that inflates "
                                            "past the harness's limit"
                                          : "server sent a compressed message that does not "
                                            "inflate under the negotiated parameters");
          ct_buf_reset(&ws->msg);
          ct_ws_close(ws);
          return -1;
        }
        if (z.len) ct_buf_add(out, z.p, z.len);
        wire_sink_free(&z);
      } else {
        ct_buf_add(out, ws->msg.data, ws->msg.len);
      }
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
