/* Engine.IO client sessions for the harness over long-polling (EIO-POLL-*) and
 * WebSocket (EIO-WS-*): the handshake (EIO-HS-*), a receive queue that absorbs
 * batching (EIO-PL-*), automatic pong answers to pings (EIO-HB-*), and one poll()
 * loop that services every connection of a run so idle sessions keep their
 * heartbeat while a case works on another one. All timing comes from the server's
 * open packet, never from constants. */
#include "ct_client.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire_deflate.h"
#include "wire_payload3.h"
#include "wire_polling.h"
#include "ct_msgpack.h"
#include "ct_payload.h"

const char *ct_case_path(const ct_run *r) {
  if (r->c && r->c->sio) return r->cfg->sio_path;
  /* a case that needs only an Engine.IO endpoint runs on the Socket.IO path when the
   * contract's echo path is absent: the Engine.IO layer is the same on both (issue 11) */
  if (r->c && r->c->needs == CT_NEED_ENGINE && r->cfg->tgt.discovered && !r->cfg->tgt.echo)
    return r->cfg->sio_path;
  return r->cfg->eio_path;
}

/* Where C's requests go: its own node when it was opened with ct_open_at (a cluster
 * run talks to several servers), else the run's target. */
static const char *conn_host(const ct_conn *c) { return c->host[0] ? c->host : c->r->cfg->host; }
static int conn_port(const ct_conn *c) { return c->host[0] ? c->port : c->r->cfg->port; }

int ct_run_eio(const ct_run *r) { return r && r->proto == CT_P_EIO3 ? 3 : 4; }

ct_conn *ct_conn_find(ct_run *r, const char *name) {
  for (int i = 0; i < r->nconns; i++)
    if (strcmp(r->conns[i]->name, name) == 0) return r->conns[i];
  return NULL;
}

ct_conn *ct_conn_new(ct_run *r, const char *name, unsigned transport) {
  ct_conn *c = ct_conn_find(r, name);
  if (c) {
    ct_conn_close(c);
  } else {
    if (r->nconns == CT_MAX_CONNS) return NULL;
    c = ct_xmalloc(sizeof *c);
    r->conns[r->nconns++] = c;
  }
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", name);
  c->r = r;
  c->transport = transport;
  c->ws.fd = -1;
  c->get.fd = -1;
  c->autopong = 1;
  c->bg = 1;
  c->eio3 = ct_run_eio(r) == 3;
  return c;
}

/* --parser msgpack applies to the Socket.IO path only (the echo path has no parser). */
static void set_mp(ct_conn *c) {
  c->mp = c->r->proto == CT_P_MSGPACK && c->r->cfg && c->r->cfg->sio_path &&
          strcmp(c->path, c->r->cfg->sio_path) == 0;
}

void ct_pkt_render(ct_buf *b, const ct_pkt *p) {
  if (p->binary) {
    size_t n = p->data.len < 64 ? p->data.len : 64;
    char *hex = ct_xmalloc(2 * n + 1);
    ct_hex_encode(p->data.data, n, hex);
    ct_buf_printf(b, "<binary %zu bytes: %s%s>", p->data.len, hex, n < p->data.len ? "..." : "");
    free(hex);
  } else {
    ct_buf_add_escaped(b, p->data.data, p->data.len, 300);
  }
}

static void set_closed(ct_conn *c, const char *why) {
  if (!c->closed) ct_log(c->r, "xx %s closed: %s", c->name, why);
  c->closed = 1;
  snprintf(c->close_why, sizeof c->close_why, "%s", why);
}

void ct_queue_push(ct_conn *c, int binary, const unsigned char *p, size_t len) {
  if (c->qn == c->qcap) {
    /* compact, then grow */
    if (c->qhead) {
      memmove(c->q, c->q + c->qhead, (c->qn - c->qhead) * sizeof *c->q);
      c->qn -= c->qhead;
      c->qhead = 0;
    }
    if (c->qn == c->qcap) {
      c->qcap = c->qcap ? c->qcap * 2 : 16;
      c->q = ct_xrealloc(c->q, c->qcap * sizeof *c->q);
    }
  }
  ct_pkt *k = &c->q[c->qn++];
  memset(k, 0, sizeof *k);
  k->binary = binary;
  ct_buf_add(&k->data, p, len);
}

void ct_queue_unshift(ct_conn *c, ct_pkt *pkts, size_t n) {
  if (!n) return;
  size_t rest = c->qn - c->qhead;
  ct_pkt *q = ct_xmalloc((n + rest + 16) * sizeof *q);
  memcpy(q, pkts, n * sizeof *q);
  if (rest) memcpy(q + n, c->q + c->qhead, rest * sizeof *q);
  free(c->q);
  c->q = q;
  c->qhead = 0;
  c->qn = n + rest;
  c->qcap = n + rest + 16;
}

static void handle_pkt(ct_conn *c, int binary, const unsigned char *p, size_t len);
/* A packet's text form, decoded from msgpack: handled as a text packet. */
static void handle_pkt_text(ct_conn *c, const unsigned char *p, size_t len) {
  int mp = c->mp;
  c->mp = 0;
  handle_pkt(c, 0, p, len);
  c->mp = mp;
}

/* One packet arrived on C. EIO-HB-2: a client answers every ping with a pong. Under v3
 * the direction is reversed (EIO-THB-1): the client pings, and the pongs that answer its
 * own pings are taken here; a server ping is queued for the case to see (EIO-THB-2). */
static void handle_pkt(ct_conn *c, int binary, const unsigned char *p, size_t len) {
  if (binary && c->mp) {
    /* SIO-MP-1: a Socket.IO packet is one binary message; the cases read its text form */
    ct_buf t = {0};
    ct_buf_adds(&t, "4");
    if (ct_mp_to_text(p, len, &t) == 0) {
      ct_pkt raw = {1, {(unsigned char *)p, len, 0}};
      ct_buf b = {0};
      ct_pkt_render(&b, &raw);
      ct_log(c->r, "<- %s msgpack %s", c->name, (char *)b.data);
      ct_buf_free(&b);
      handle_pkt_text(c, t.data, t.len);
      ct_buf_free(&t);
      return;
    }
    ct_buf_free(&t);
    ct_log(c->r, "!! %s: a binary message that is not one msgpack packet", c->name);
  }
  ct_pkt tmp = {binary, {(unsigned char *)p, len, 0}};
  ct_buf b = {0};
  ct_pkt_render(&b, &tmp);
  ct_log(c->r, "<- %s %s", c->name, (char *)b.data);
  ct_buf_free(&b);
  if (!binary && len == 1 && p[0] == (c->eio3 ? '3' : '2') && c->autopong) {
    if (!c->eio3) ct_send(c, 0, "3", 1);
    return;
  }
  ct_queue_push(c, binary, p, len);
  if (!binary && len >= 1 && p[0] == '1' && len == 1) set_closed(c, "close packet received");
}

/* Split a polling body into packets with the wire layer's splitter (EIO-PL-1: '\x1e'
 * separates packets; a 'b' prefix marks base64 binary). Empty records are passed on:
 * the transcript shows exactly what the server sent. */
/* A base64 binary packet's text (EIO-PK-10 "b...", v3 "b4..." after the type digit
 * was checked by the caller) to a binary packet; bad base64 is passed on as text. */
static void handle_b64(ct_conn *c, const unsigned char *raw, size_t rawlen,
                       const unsigned char *b64, size_t n) {
  unsigned char *bin = ct_xmalloc(n + 1);
  long k = ct_b64_decode((const char *)b64, n, bin);
  if (k < 0) {
    ct_log(c->r, "!! %s: bad base64 in polling body", c->name);
    handle_pkt(c, 0, raw, rawlen);
  } else {
    handle_pkt(c, 1, bin, (size_t)k);
  }
  free(bin);
}

/* A binary v3 packet (a WebSocket binary message, a binary payload segment): the type
 * byte 0x04 then the data (EIO-TPK-5). Another type byte is passed on whole, logged. */
static void handle_bin3(ct_conn *c, const unsigned char *p, size_t len) {
  if (len >= 1 && p[0] == 4) {
    handle_pkt(c, 1, p + 1, len - 1);
    return;
  }
  ct_log(c->r, "!! %s: v3 binary packet without the message type byte 0x04", c->name);
  handle_pkt(c, 1, p, len);
}

/* A v3 polling body (spec/engine.io-v3.md section 3): text segments counted in UTF-16
 * units, or a binary payload. A body that does not decode is passed on whole as one text
 * packet, so the case sees what came. */
static void handle_body3(ct_conn *c, const unsigned char *p, size_t len) {
  wire_payload3_iter it;
  wire_payload3_rec rec;
  wire_payload3_begin(&it, p, len);
  int rc;
  while ((rc = wire_payload3_next(&it, &rec)) == WIRE_MORE) {
    const unsigned char *s = rec.pkt.p;
    size_t n = rec.pkt.len;
    if (rec.binary)
      handle_bin3(c, s, n);
    else if (n >= 2 && s[0] == 'b' && s[1] == '4')
      handle_b64(c, s, n, s + 2, n - 2);
    else
      handle_pkt(c, 0, s, n);
  }
  if (rc < 0) {
    ct_log(c->r, "!! %s: v3 polling body does not decode (%s)", c->name, wire_err_name(rc));
    handle_pkt(c, 0, p, len);
  }
}

static void handle_body(ct_conn *c, const unsigned char *p, size_t len) {
  if (c->eio3) {
    handle_body3(c, p, len);
    return;
  }
  wire_polling_iter it;
  wire_polling_rec rec;
  wire_polling_begin(&it, p, len);
  while (wire_polling_next(&it, &rec)) {
    if (rec.binary) {
      handle_b64(c, rec.raw.p, rec.raw.len, rec.data.p, rec.data.len);
    } else {
      handle_pkt(c, 0, rec.raw.p, rec.raw.len);
    }
  }
}

/* The Accept-Encoding header line of C's GETs, or NULL (caller frees). */
static char *accept_header(const ct_conn *c) {
  return c->accept_encoding[0] ? ct_xasprintf("Accept-Encoding: %s\r\n", c->accept_encoding) : NULL;
}

/* A string variable NAME.KEY of C. */
static void conn_var(ct_conn *c, const char *key, const char *value) {
  char k[64];
  snprintf(k, sizeof k, "%s.%s", c->name, key);
  cJSON_DeleteItemFromObject(c->r->vars, k);
  cJSON_AddStringToObject(c->r->vars, k, value);
}

/* The most a coded polling body may decode to in the harness (a bomb bound). */
#define DECODE_LIMIT (64u << 20)

/* A GET body in a content coding (EIO-CMP-8): decoded into PLAIN, the coding added to
 * NAME.content_codings. 1 decoded, 0 not coded, -1 refused (C closed with the reason):
 * a coding the request did not accept (EIO-CMP-10) or a body that does not decode
 * (EIO-CMP-9). */
static int decode_body(ct_conn *c, const ct_http_resp *resp, ct_buf *plain) {
  const char *ce = ct_http_header(resp, "Content-Encoding");
  if (!ce || !*ce || strcasecmp(ce, "identity") == 0) return 0;
  char k[64];
  snprintf(k, sizeof k, "%s.content_codings", c->name);
  const char *seen = cJSON_GetStringValue(cJSON_GetObjectItem(c->r->vars, k));
  if (!seen || !strstr(seen, ce)) {
    char *all = ct_xasprintf("%s%s%s", seen && *seen ? seen : "", seen && *seen ? " " : "", ce);
    conn_var(c, "content_codings", all);
    free(all);
  }
  char why[200];
  if (!wire_http_coding_accepted(c->accept_encoding[0] ? c->accept_encoding : NULL, ce)) {
    snprintf(why, sizeof why, "GET answered in Content-Encoding %.40s, which the request %s", ce,
             c->accept_encoding[0] ? "did not accept" : "did not ask for (no Accept-Encoding)");
    ct_log(c->r, "!! %s: %s", c->name, why);
    set_closed(c, why);
    return -1;
  }
  wire_sink out = {0};
  wire_err e = wire_http_decode_body(ce, resp->body.data, resp->body.len, DECODE_LIMIT, &out);
  if (e != WIRE_OK) {
    snprintf(why, sizeof why, "GET body does not decode as %.40s (%s)", ce, wire_err_name(e));
    ct_log(c->r, "!! %s: %s", c->name, why);
    wire_sink_free(&out);
    set_closed(c, why);
    return -1;
  }
  ct_log(c->r, ".. %s: GET body in %s, %zu bytes, %zu decoded", c->name, ce, resp->body.len,
         out.len);
  if (out.len) ct_buf_add(plain, out.p, out.len);
  wire_sink_free(&out);
  return 1;
}

/* A 200 GET answer's packets to C's queue, decoded first when coded. */
static void take_body(ct_conn *c, const ct_http_resp *resp) {
  ct_buf plain = {0};
  int d = decode_body(c, resp, &plain);
  if (d == 0) handle_body(c, resp->body.data, resp->body.len);
  if (d == 1) handle_body(c, plain.data, plain.len);
  ct_buf_free(&plain);
}

static char *poll_target(ct_conn *c) {
  return ct_xasprintf("%s?EIO=%d&transport=polling&sid=%s", c->path, c->eio3 ? 3 : 4, c->sid);
}

int ct_poll_start(ct_conn *c) {
  if (c->get_pending || c->closed) return 0;
  char *t = poll_target(c);
  char *hdr = accept_header(c);
  ct_http_req req = {.method = "GET", .target = t, .headers = hdr};
  ct_log(c->r, "-> %s GET %s", c->name, t);
  int rc = ct_http_start(&c->get, conn_host(c), conn_port(c), &req, ct_ms(c->r, 2000));
  free(t);
  free(hdr);
  if (rc != 0) {
    set_closed(c, "GET: cannot connect");
    return -1;
  }
  c->get_pending = 1;
  return 0;
}

static void get_done(ct_conn *c, int rc, ct_http_resp *resp) {
  c->get_pending = 0;
  if (rc == 1) {
    ct_log(c->r, "<- %s GET status %d (%zu bytes)", c->name, resp->status, resp->body.len);
    if (resp->status == 200) {
      take_body(c, resp);
    } else {
      char why[96];
      snprintf(why, sizeof why, "GET answered HTTP %d", resp->status);
      set_closed(c, why);
    }
    ct_http_resp_free(resp);
  } else {
    set_closed(c, "GET connection ended without a response");
  }
}

/* Service everything that is readable now, without blocking. */
static void service(ct_run *r) {
  for (int i = 0; i < r->nconns; i++) {
    ct_conn *c = r->conns[i];
    if (c->transport == CT_TR_WEBSOCKET) {
      if (c->ws.fd < 0 && !c->ws.rx.len) continue;
      ct_buf msg = {0};
      int op, rc;
      while ((rc = ct_ws_next(&c->ws, &op, &msg)) == 1) {
        if (op == WIRE_WS_BINARY && c->eio3)
          handle_bin3(c, msg.data, msg.len); /* EIO-TTR-1: the type byte first */
        else
          handle_pkt(c, op == WIRE_WS_BINARY, msg.data, msg.len);
      }
      ct_buf_free(&msg);
      if (rc < 0 && !c->closed) {
        char why[200];
        if (c->ws.error[0] && c->ws.fd < 0 && !c->ws.got_close)
          snprintf(why, sizeof why, "the harness failed the connection: %s", c->ws.error);
        else if (c->ws.got_close)
          snprintf(why, sizeof why, "WebSocket close frame, code %d", c->ws.close_code);
        else
          snprintf(why, sizeof why, "WebSocket connection ended without a close frame");
        set_closed(c, why);
      }
      if (c->ws.error[0]) {
        ct_log(r, "!! %s: %s", c->name, c->ws.error);
        c->ws.error[0] = 0;
      }
    } else if (c->get_pending) {
      ct_http_resp resp;
      int rc = ct_http_step(&c->get, &resp);
      if (rc != 0) get_done(c, rc, &resp);
    }
  }
}

/* v3 (EIO-THB-1): the client sends a ping every pingInterval on each open session whose
 * heartbeat the harness keeps ("autopong"; a case that grades the heartbeat turns it
 * off and sends its own). */
static void ping3(ct_run *r) {
  int64_t now = ct_now_ms();
  for (int i = 0; i < r->nconns; i++) {
    ct_conn *c = r->conns[i];
    if (!c->eio3 || !c->autopong || c->closed || !c->sid[0] || !c->next_ping || now < c->next_ping)
      continue;
    c->next_ping = now + (c->ping_interval > 0 ? c->ping_interval : 25000);
    ct_send(c, 0, "2", 1);
  }
}

/* Pump until TARGET has a packet or is closed, or until DEADLINE. */
static void pump_until(ct_run *r, ct_conn *target, int64_t deadline) {
  for (;;) {
    service(r);
    ping3(r);
    if (target && (target->qhead < target->qn || target->closed)) return;
    struct pollfd pfd[CT_MAX_CONNS];
    int n = 0;
    for (int i = 0; i < r->nconns; i++) {
      ct_conn *c = r->conns[i];
      if (c->closed) continue;
      if (c->transport == CT_TR_POLLING && c->sid[0] && !c->get_pending && (c->bg || c == target))
        ct_poll_start(c);
      int fd = c->transport == CT_TR_WEBSOCKET ? c->ws.fd : c->get_pending ? c->get.fd : -1;
      if (fd >= 0) pfd[n++] = (struct pollfd){fd, POLLIN, 0};
    }
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) return;
    if (n == 0) {
      ct_sleep_ms(left < 10 ? left : 10);
      continue;
    }
    poll(pfd, (nfds_t)n, (int)(left < 50 ? left : 50));
  }
}

void ct_pump(ct_run *r, int ms) { pump_until(r, NULL, ct_now_ms() + ms); }

int ct_next(ct_conn *c, int timeout_ms, ct_pkt *out) {
  pump_until(c->r, c, ct_now_ms() + timeout_ms);
  if (c->qhead < c->qn) {
    *out = c->q[c->qhead++];
    if (c->qhead == c->qn) c->qhead = c->qn = 0;
    return 1;
  }
  return c->closed ? -1 : 0;
}

int ct_post(ct_conn *c, const void *body, size_t len, const char *headers, int *status,
            ct_buf *resp_body) {
  char *t = poll_target(c);
  ct_http_req req = {.method = "POST",
                     .target = t,
                     .headers = headers ? headers : "Content-Type: text/plain;charset=UTF-8\r\n",
                     .body = body,
                     .body_len = len};
  ct_buf shown = {0};
  ct_buf_add_escaped(&shown, body, len, 300);
  ct_log(c->r, "-> %s POST %s", c->name, (char *)shown.data);
  ct_buf_free(&shown);
  ct_http_resp resp;
  int rc = ct_http_do(conn_host(c), conn_port(c), &req, ct_ms(c->r, 3000), &resp);
  free(t);
  if (rc != 1) {
    ct_log(c->r, "<- %s POST: no response (%d)", c->name, rc);
    *status = 0;
    return -1;
  }
  *status = resp.status;
  ct_log(c->r, "<- %s POST status %d body %.*s", c->name, resp.status,
         (int)(resp.body.len > 80 ? 80 : resp.body.len),
         resp.body.data ? (char *)resp.body.data : "");
  if (resp_body) ct_buf_add(resp_body, resp.body.data, resp.body.len);
  ct_http_resp_free(&resp);
  return 0;
}

void ct_polling_body(const ct_conn *c, int binary, const void *p, size_t len, ct_buf *body) {
  ct_buf pkt = {0};
  if (binary) {
    char *b64 = ct_xmalloc(len / 3 * 4 + 8);
    ct_b64_encode(p, len, b64);
    ct_buf_adds(&pkt, c->eio3 ? "b4" : "b"); /* EIO-PK-10; EIO-TPK-6 in v3 */
    ct_buf_adds(&pkt, b64);
    free(b64);
  } else {
    ct_buf_add(&pkt, p, len);
  }
  if (c->eio3) {
    /* EIO-TPL-9: one text segment, its length in UTF-16 units */
    char pre[16];
    wire_payload3_prefix(pre, pkt.data, pkt.len);
    ct_buf_adds(body, pre);
  }
  ct_buf_add(body, pkt.data, pkt.len);
  ct_buf_free(&pkt);
}

int ct_send(ct_conn *c, int binary, const void *p, size_t len) {
  if (c->mp && !binary && len > 1 && ((const char *)p)[0] == '4') {
    /* SIO-MP-1: the Socket.IO packet as one msgpack map in a binary message */
    ct_buf m = {0};
    if (ct_mp_from_text((const char *)p + 1, len - 1, &m) == 0) {
      ct_log(c->r, ".. %s: %.*s as msgpack", c->name, (int)(len > 200 ? 200 : len),
             (const char *)p);
      int mp = c->mp;
      c->mp = 0;
      int rc = ct_send(c, 1, m.data, m.len);
      c->mp = mp;
      ct_buf_free(&m);
      return rc;
    }
    ct_buf_free(&m);
    ct_log(c->r, ".. %s: not a packet msgpack carries; sent as text", c->name);
  }
  if (c->transport == CT_TR_WEBSOCKET) {
    ct_pkt tmp = {binary, {(unsigned char *)p, len, 0}};
    ct_buf b = {0};
    ct_pkt_render(&b, &tmp);
    ct_log(c->r, "-> %s %s", c->name, (char *)b.data);
    ct_buf_free(&b);
    int rc;
    if (binary && c->eio3) {
      /* EIO-TPK-6: a v3 binary message starts with the type byte 0x04 */
      unsigned char *m = ct_xmalloc(len + 1);
      m[0] = 4;
      if (len) memcpy(m + 1, p, len);
      rc = ct_ws_send(&c->ws, WIRE_WS_BINARY, m, len + 1);
      free(m);
    } else {
      rc = ct_ws_send(&c->ws, binary ? WIRE_WS_BINARY : WIRE_WS_TEXT, p, len);
    }
    if (rc != 0) {
      ct_log(c->r, "!! %s: send failed", c->name);
      return -1;
    }
    return 0;
  }
  ct_buf body = {0};
  ct_polling_body(c, binary, p, len, &body);
  int status = 0;
  int rc = ct_post(c, body.data, body.len, NULL, &status, NULL);
  ct_buf_free(&body);
  return rc == 0 && status == 200 ? 0 : -1;
}

static void store_open(ct_run *r, ct_conn *c, cJSON *o) {
  char ok[64];
  snprintf(ok, sizeof ok, "%s.open", c->name);
  cJSON_DeleteItemFromObject(r->vars, ok);
  cJSON_AddItemToObject(r->vars, ok, cJSON_Duplicate(o, 1));
  cJSON *sid = cJSON_GetObjectItem(o, "sid");
  if (cJSON_IsString(sid)) snprintf(c->sid, sizeof c->sid, "%s", sid->valuestring);
  cJSON *pi = cJSON_GetObjectItem(o, "pingInterval");
  cJSON *pt = cJSON_GetObjectItem(o, "pingTimeout");
  cJSON *mp = cJSON_GetObjectItem(o, "maxPayload");
  c->ping_interval = cJSON_IsNumber(pi) ? (long)pi->valuedouble : 25000;
  c->ping_timeout = cJSON_IsNumber(pt) ? (long)pt->valuedouble : 20000;
  /* v3: the client's first ping is due one pingInterval after the open packet */
  if (c->eio3) c->next_ping = ct_now_ms() + c->ping_interval;
  /* EIO-HS-2 makes maxPayload mandatory, but a server that omits it still has a limit:
   * the harness then sizes its messages by --max-payload when given, else by the
   * official server's default (engine.io maxHttpBufferSize, 1e6 bytes), and says so in
   * the transcript. The open packet itself (NAME.open) is left as received, so the
   * case that grades EIO-HS-2 still sees the omission. */
  cJSON *mp_used = NULL;
  if (cJSON_IsNumber(mp)) {
    c->max_payload = (long)mp->valuedouble;
  } else {
    long cfg_mp = r->cfg ? r->cfg->max_payload : 0;
    c->max_payload = cfg_mp > 0 ? cfg_mp : CT_DEFAULT_MAX_PAYLOAD;
    mp_used = cJSON_CreateNumber((double)c->max_payload);
    ct_log(r, ".. %s: the open packet has no maxPayload; ${maxPayload} = %ld (%s)", c->name,
           c->max_payload,
           cfg_mp > 0 ? "--max-payload"
                      : "the official server's default maxHttpBufferSize; set --max-payload "
                        "to change it");
  }
  /* variables: unprefixed names follow the most recent open, NAME.x stay per conn */
  const char *keys[] = {"sid", "pingInterval", "pingTimeout", "maxPayload"};
  for (int i = 0; i < 4; i++) {
    cJSON *v = cJSON_GetObjectItem(o, keys[i]);
    if (!v && i == 3) v = mp_used;
    if (!v) continue;
    char k[64];
    snprintf(k, sizeof k, "%s.%s", c->name, keys[i]);
    cJSON_DeleteItemFromObject(r->vars, k);
    cJSON_AddItemToObject(r->vars, k, cJSON_Duplicate(v, 1));
    cJSON_DeleteItemFromObject(r->vars, keys[i]);
    cJSON_AddItemToObject(r->vars, keys[i], cJSON_Duplicate(v, 1));
  }
  cJSON_Delete(mp_used);
}

const char *ct_handshake_root(const ct_run *r, const char *path) {
  /* the Engine.IO layer is graded on the path it was reached on */
  return path && r->cfg->sio_path && strcmp(path, r->cfg->sio_path) == 0 ? CT_ROOT_SIO_HANDSHAKE
                                                                         : CT_ROOT_EIO_HANDSHAKE;
}

/* Parse an open packet's JSON (EIO-HS-2). Returns 0, or -1 with the failure recorded. */
static int parse_open(ct_run *r, ct_conn *c, const ct_pkt *p) {
  const char *root = ct_handshake_root(r, c->path);
  if (p->binary || p->data.len < 2 || p->data.data[0] != '0') {
    ct_buf b = {0};
    ct_pkt_render(&b, p);
    ct_preamble_fail(r, root, c->transport, "an open packet 0{...}", (char *)b.data,
                     "first packet is not an open packet");
    ct_buf_free(&b);
    return -1;
  }
  cJSON *o = cJSON_ParseWithLength((const char *)p->data.data + 1, p->data.len - 1);
  if (!cJSON_IsObject(o) || !cJSON_IsString(cJSON_GetObjectItem(o, "sid"))) {
    ct_buf b = {0};
    ct_pkt_render(&b, p);
    ct_preamble_fail(r, root, c->transport, "0{\"sid\":...}", (char *)b.data,
                     "open packet has no string sid");
    ct_buf_free(&b);
    cJSON_Delete(o);
    return -1;
  }
  store_open(r, c, o);
  cJSON_Delete(o);
  return 0;
}

ct_conn *ct_open(ct_run *r, const char *name, unsigned transport, const char *path,
                 const char *query) {
  return ct_open_at(r, name, transport, NULL, 0, path, query);
}

ct_conn *ct_open_at(ct_run *r, const char *name, unsigned transport, const char *host, int port,
                    const char *path, const char *query) {
  return ct_open_opt(r, name, transport, host, port, path, query, NULL);
}

/* After the 101 of C's handshake that offered OFFER: EIO-CMP-2, EIO-CMP-3. 0, or -1
 * with the run failed. */
static int ws_negotiated(ct_run *r, ct_conn *c, const char *offer, const ct_http_resp *resp) {
  const char *answer = ct_http_header(resp, "Sec-WebSocket-Extensions");
  conn_var(c, "ws_extensions", answer ? answer : "");
  const char *why;
  int n = ct_ws_negotiate(&c->ws, offer, answer, &why);
  if (n < 0) {
    ct_fail(r, "an answer RFC 7692 allows", answer ? answer : "(none)",
            "%s: Sec-WebSocket-Extensions answer breaks a rule: %s", c->name, why);
    return -1;
  }
  if (offer)
    ct_log(r, ".. %s: permessage-deflate %s (answer: %s)", c->name, n ? "negotiated" : "declined",
           answer ? answer : "none");
  return 0;
}

ct_conn *ct_open_opt(ct_run *r, const char *name, unsigned transport, const char *host, int port,
                     const char *path, const char *query, const ct_open_opts *o) {
  ct_conn *c = ct_conn_new(r, name, transport);
  if (!c) {
    ct_fail(r, NULL, NULL, "too many connections in one case");
    return NULL;
  }
  if (host) {
    snprintf(c->host, sizeof c->host, "%s", host);
    c->port = port;
  }
  snprintf(c->path, sizeof c->path, "%s", path ? path : ct_case_path(r));
  set_mp(c);
  const char *offer = o && o->ws_extensions ? o->ws_extensions : NULL;
  if (o && o->accept_encoding)
    snprintf(c->accept_encoding, sizeof c->accept_encoding, "%s", o->accept_encoding);
  conn_var(c, "content_codings", "");
  char *ext_hdr = offer ? ct_xasprintf("Sec-WebSocket-Extensions: %s\r\n", offer) : NULL;
  char *acc_hdr = accept_header(c);
  char *target =
      ct_xasprintf("%s?EIO=%d&transport=%s%s", c->path, c->eio3 ? 3 : 4,
                   transport == CT_TR_POLLING ? "polling" : "websocket", query ? query : "");
  int wait = ct_ms(r, 3000);
  const char *root = ct_handshake_root(r, c->path);
  ct_pkt first = {0};
  int ok = 0;
  if (transport == CT_TR_POLLING) {
    ct_http_req req = {.method = "GET", .target = target, .headers = acc_hdr};
    ct_log(r, "-> %s GET %s", name, target);
    ct_http_resp resp;
    int rc = ct_http_do(conn_host(c), conn_port(c), &req, wait, &resp);
    if (rc != 1) {
      ct_preamble_fail(r, root, transport, "HTTP 200 with an open packet", "no response",
                       "handshake GET failed (%d)", rc);
    } else {
      ct_log(r, "<- %s GET status %d", name, resp.status);
      if (resp.status != 200) {
        char got[32];
        snprintf(got, sizeof got, "HTTP %d", resp.status);
        ct_preamble_fail(r, root, transport, "HTTP 200", got, "handshake GET was refused");
      } else {
        take_body(c, &resp);
        ok = ct_next(c, 0, &first) == 1;
        if (!ok)
          ct_preamble_fail(r, root, transport, "an open packet", "empty body",
                           "handshake body had no packet");
      }
      ct_http_resp_free(&resp);
    }
  } else {
    ct_http_resp resp;
    ct_log(r, "-> %s WS GET %s", name, target);
    int rc = ct_ws_connect(&c->ws, conn_host(c), conn_port(c), target, ext_hdr, wait, &resp);
    if (rc == 0 && ws_negotiated(r, c, offer, &resp) < 0) {
      ct_http_resp_free(&resp);
      free(target);
      free(ext_hdr);
      free(acc_hdr);
      return NULL;
    }
    if (rc != 0) {
      char got[64];
      snprintf(got, sizeof got, "connect result %d, HTTP %d", rc, resp.status);
      ct_preamble_fail(r, root, transport, "HTTP 101 Switching Protocols", got,
                       "WebSocket handshake failed");
    } else {
      ct_log(r, "<- %s WS 101", name);
      int nr = ct_next(c, wait, &first);
      ok = nr == 1;
      if (!ok)
        ct_preamble_fail(r, root, transport, "an open packet", nr == 0 ? "nothing" : c->close_why,
                         "no open packet");
    }
    ct_http_resp_free(&resp);
  }
  free(target);
  free(ext_hdr);
  free(acc_hdr);
  if (ok) {
    ok = parse_open(r, c, &first) == 0;
  }
  ct_buf_free(&first.data);
  return ok ? c : NULL;
}

void ct_conn_close(ct_conn *c) {
  if (c->get_pending) ct_http_cancel(&c->get);
  c->get_pending = 0;
  ct_ws_close(&c->ws);
  ct_ws_free_ext(&c->ws);
  ct_buf_free(&c->ws.rx);
  ct_buf_free(&c->ws.msg);
  for (size_t i = c->qhead; i < c->qn; i++) ct_buf_free(&c->q[i].data);
  free(c->q);
  c->q = NULL;
  c->qhead = c->qn = c->qcap = 0;
  c->closed = 1;
}

void ct_conns_teardown(ct_run *r, int end_sessions) {
  for (int i = 0; i < r->nconns; i++) {
    ct_conn *k = r->conns[i];
    /* leave no half-open polling session behind to disturb the next case (it would
     * linger until its ping timeout and receive broadcasts) */
    if (end_sessions && k->transport == CT_TR_POLLING && k->sid[0] && !k->closed) {
      int st;
      ct_post(k, "1", 1, NULL, &st, NULL);
    }
    ct_conn_close(k);
    free(k);
    r->conns[i] = NULL;
  }
  r->nconns = 0;
}

int ct_poll_gone(ct_conn *c, int timeout_ms, int strict) {
  char *t = poll_target(c);
  ct_http_req req = {.method = "GET", .target = t};
  ct_log(c->r, "-> %s GET %s (is the session gone?)", c->name, t);
  ct_http_resp resp;
  int rc = ct_http_do(conn_host(c), conn_port(c), &req, timeout_ms, &resp);
  free(t);
  if (rc == 1) {
    ct_log(c->r, "<- %s GET status %d body %.*s", c->name, resp.status,
           (int)(resp.body.len > 80 ? 80 : resp.body.len),
           resp.body.data ? (char *)resp.body.data : "");
    int gone = resp.status == 400 ||
               (resp.status == 200 && resp.body.len == 1 && resp.body.data[0] == '1');
    if (strict) {
      /* EIO-TR-2 / EIO-ERR-1: only "unknown sid" (code 1) proves the session is gone;
       * any other refusal may come from this very probe (EIO-TR-6) */
      cJSON *j = cJSON_ParseWithLength((const char *)resp.body.data, resp.body.len);
      const cJSON *code = cJSON_GetObjectItem(j, "code");
      gone = resp.status == 400 && cJSON_IsNumber(code) && code->valueint == 1;
      cJSON_Delete(j);
    }
    ct_http_resp_free(&resp);
    return gone;
  }
  return !strict && (rc == -1 || rc == -2);
}
