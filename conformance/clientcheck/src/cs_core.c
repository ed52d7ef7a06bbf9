/* The scripted server core (cs_core.h): HTTP/1.1 requests and WebSocket frames read with
 * the wire library, one Engine.IO session at a time, every client action reported as an
 * event. The core decides nothing about the protocol beyond what a transport needs to
 * carry the case's bytes: which packets to send, and when, is the case's business. */
#include "cs_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire_http.h"
#include "wire_polling.h"
#include "wire_ws.h"

enum { CONN_FREE = 0, CONN_HTTP, CONN_WS };

typedef struct conn {
  int kind;
  ct_buf in, out;
  int close_after; /* close once OUT is written */
  int held;        /* a polling GET is held on this connection */
  int msg_op;      /* WebSocket message being reassembled (0: none) */
  ct_buf msg;
} conn;

struct cs_core {
  cs_opts o;
  conn c[CS_MAX_CONNS];
  cs_event *ev;
  size_t nev, cap, head;
  int session; /* the current session's number, 0 before the first */
  unsigned transport;
  char sid[32];
  int held_conn;  /* the connection holding the polling GET, or -1 */
  int ws_conn;    /* the session's WebSocket connection, or -1 */
  int probe_conn; /* a WebSocket upgrading the polling session, or -1 */
  ct_buf queue;   /* polling: the body being gathered */
  int queued;     /* packets in QUEUE */
  int overlaps, requests;
  int refuse; /* handshakes still to refuse (cs_core_refuse) */
};

cs_core *cs_core_new(const cs_opts *o) {
  cs_core *s = ct_xmalloc(sizeof *s);
  memset(s, 0, sizeof *s);
  s->o = *o;
  if (!s->o.path) s->o.path = "/socket.io/";
  s->held_conn = s->ws_conn = s->probe_conn = -1;
  return s;
}

void cs_core_free(cs_core *s) {
  if (!s) return;
  for (int i = 0; i < CS_MAX_CONNS; i++) {
    ct_buf_free(&s->c[i].in);
    ct_buf_free(&s->c[i].out);
    ct_buf_free(&s->c[i].msg);
  }
  for (size_t i = s->head; i < s->nev; i++) free(s->ev[i].data);
  free(s->ev);
  ct_buf_free(&s->queue);
  free(s);
}

static void push(cs_core *s, cs_ev_kind k, int c, unsigned tr, int binary, const void *p,
                 size_t len, int64_t at) {
  if (s->nev == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 16;
    s->ev = ct_xrealloc(s->ev, s->cap * sizeof *s->ev);
  }
  cs_event *e = &s->ev[s->nev++];
  e->kind = k;
  e->conn = c;
  e->transport = tr;
  e->binary = binary;
  e->session = s->session;
  e->data = ct_xmalloc(len + 1);
  if (len) memcpy(e->data, p, len);
  e->data[len] = 0;
  e->len = len;
  e->at = at;
  e->body_len = 0;
  e->records = 0;
}

int cs_core_next_event(cs_core *s, cs_event *ev) {
  if (s->head == s->nev) return 0;
  *ev = s->ev[s->head++];
  if (s->head == s->nev) s->head = s->nev = 0;
  return 1;
}

void cs_event_free(cs_event *ev) {
  free(ev->data);
  ev->data = NULL;
}

int cs_core_accept(cs_core *s) {
  for (int i = 0; i < CS_MAX_CONNS; i++)
    if (s->c[i].kind == CONN_FREE) {
      conn *k = &s->c[i];
      ct_buf_reset(&k->in);
      ct_buf_reset(&k->out);
      ct_buf_reset(&k->msg);
      k->kind = CONN_HTTP;
      k->close_after = k->held = k->msg_op = 0;
      return i;
    }
  return -1;
}

/* ---- HTTP */

static void respond(cs_core *s, int c, int status, const char *reason, const char *ctype,
                    const void *body, size_t len) {
  conn *k = &s->c[c];
  ct_buf_printf(&k->out,
                "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                "Cache-Control: no-store\r\nConnection: keep-alive\r\n\r\n",
                status, reason, ctype, len);
  ct_buf_add(&k->out, body, len);
}

static void respond_error(cs_core *s, int c, int code, const char *msg) {
  char body[128];
  int n = snprintf(body, sizeof body, "{\"code\":%d,\"message\":\"%s\"}", code, msg);
  respond(s, c, 400, "Bad Request", "application/json", body, (size_t)n);
}

/* The value of query parameter NAME in TARGET (percent-escapes left as they are) into
 * OUT; 1 found, 0 not. */
static int query_param(const wire_span *target, const char *name, char *out, size_t outlen) {
  const char *t = (const char *)target->p;
  size_t n = target->len, i = 0;
  while (i < n && t[i] != '?') i++;
  size_t nl = strlen(name);
  while (i < n) {
    i++; /* past '?' or '&' */
    size_t j = i;
    while (j < n && t[j] != '&') j++;
    if (j - i > nl && strncmp(t + i, name, nl) == 0 && t[i + nl] == '=') {
      size_t vl = j - i - nl - 1;
      if (vl >= outlen) vl = outlen - 1;
      memcpy(out, t + i + nl + 1, vl);
      out[vl] = 0;
      return 1;
    }
    i = j;
  }
  return 0;
}

static void open_packet(cs_core *s, ct_buf *b, int polling) {
  ct_buf_printf(b, "0{\"sid\":\"%s\",\"upgrades\":[%s],\"pingInterval\":%ld,\"pingTimeout\":%ld",
                s->sid, polling && s->o.upgrades ? "\"websocket\"" : "", s->o.ping_interval,
                s->o.ping_timeout);
  if (s->o.max_payload >= 0) ct_buf_printf(b, ",\"maxPayload\":%ld", s->o.max_payload);
  if (s->o.open_extra && *s->o.open_extra) ct_buf_printf(b, ",%s", s->o.open_extra);
  ct_buf_adds(b, "}");
}

static void new_session(cs_core *s, unsigned tr) {
  s->session++;
  s->transport = tr;
  snprintf(s->sid, sizeof s->sid, "cs-sid-%d", s->session);
  s->held_conn = -1;
  s->ws_conn = -1;
  s->probe_conn = -1;
  ct_buf_reset(&s->queue);
  s->queued = 0;
}

/* Answer the held GET with the queued body. */
static void answer_held(cs_core *s) {
  if (s->held_conn < 0 || s->queued == 0) return;
  conn *k = &s->c[s->held_conn];
  respond(s, s->held_conn, 200, "OK", "text/plain; charset=UTF-8", s->queue.data, s->queue.len);
  k->held = 0;
  s->held_conn = -1;
  ct_buf_reset(&s->queue);
  s->queued = 0;
}

void cs_core_flush(cs_core *s) {
  if (s->transport == CS_TR_POLLING) answer_held(s);
}

static void ws_frame(cs_core *s, int c, int opcode, const void *p, size_t len) {
  unsigned char h[WIRE_WS_MAX_HEAD];
  size_t hl = wire_ws_head(h, 1, 0, opcode, len, NULL);
  ct_buf_add(&s->c[c].out, h, hl);
  ct_buf_add(&s->c[c].out, p, len);
}

static void ws_accept(cs_core *s, int c, const wire_span *key, int64_t now, int upgrade) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  ct_buf k = {0};
  ct_buf_add(&k, key->p, key->len);
  ct_buf_adds(&k, guid);
  unsigned char sha[20];
  ct_sha1(k.data, k.len, sha);
  ct_buf_free(&k);
  char acc[32];
  ct_b64_encode(sha, 20, acc);
  ct_buf_printf(&s->c[c].out,
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                acc);
  s->c[c].kind = CONN_WS;
  if (upgrade) {
    s->probe_conn = c;
    push(s, CS_EV_PROBE, c, CS_TR_WEBSOCKET, 0, s->sid, strlen(s->sid), now);
    return;
  }
  new_session(s, CS_TR_WEBSOCKET);
  s->ws_conn = c;
  ct_buf op = {0};
  open_packet(s, &op, 0);
  ws_frame(s, c, WIRE_WS_TEXT, op.data, op.len);
  ct_buf_free(&op);
  push(s, CS_EV_OPEN, c, CS_TR_WEBSOCKET, 0, s->sid, strlen(s->sid), now);
}

/* One polling record as a client packet event. */
static void polling_packet(cs_core *s, int c, const wire_polling_rec *r, int64_t now) {
  if (!r->binary) {
    push(s, CS_EV_PACKET, c, CS_TR_POLLING, 0, r->raw.p, r->raw.len, now);
    return;
  }
  unsigned char *bin = ct_xmalloc(r->data.len / 4 * 3 + 1);
  long n = ct_b64_decode((const char *)r->data.p, r->data.len, bin);
  if (n < 0)
    push(s, CS_EV_BAD, c, CS_TR_POLLING, 0, "b record that is not base64", 27, now);
  else
    push(s, CS_EV_PACKET, c, CS_TR_POLLING, 1, bin, (size_t)n, now);
  free(bin);
}

/* One whole request on C (head H, body BODY/BLEN). */
static void handle_request(cs_core *s, int c, const wire_http_head *h, const unsigned char *body,
                           size_t blen, int64_t now) {
  conn *k = &s->c[c];
  ct_buf line = {0};
  ct_buf_add(&line, h->method.p, h->method.len);
  ct_buf_adds(&line, " ");
  ct_buf_add(&line, h->target.p, h->target.len);
  s->requests++;
  push(s, CS_EV_REQUEST, c, 0, 0, line.data, line.len, now);
  ct_buf_free(&line);
  if (blen) {
    /* [EIO-PL-9]: a case weighs the client's bodies against the announced maxPayload */
    cs_event *ev = &s->ev[s->nev - 1];
    ev->body_len = blen;
    wire_polling_iter it;
    wire_polling_rec r;
    wire_polling_begin(&it, body, blen);
    while (wire_polling_next(&it, &r)) ev->records++;
  }
  size_t pl = strlen(s->o.path);
  if (h->target.len < pl || memcmp(h->target.p, s->o.path, pl) != 0) {
    respond(s, c, 404, "Not Found", "text/plain", "not found", 9);
    return;
  }
  char eio[8] = "", tr[16] = "", sid[64] = "";
  int has_sid = query_param(&h->target, "sid", sid, sizeof sid);
  query_param(&h->target, "EIO", eio, sizeof eio);
  query_param(&h->target, "transport", tr, sizeof tr);
  int get = h->method.len == 3 && memcmp(h->method.p, "GET", 3) == 0;
  int post = h->method.len == 4 && memcmp(h->method.p, "POST", 4) == 0;
  if (strcmp(eio, "4") != 0) {
    respond_error(s, c, 5, "Unsupported protocol version");
    return;
  }
  if (strcmp(tr, "websocket") == 0) {
    const wire_span *key = wire_http_find(h, "Sec-WebSocket-Key");
    if (!get || !key || !wire_http_has_token(h, "Upgrade", "websocket")) {
      respond_error(s, c, 3, "Bad request");
      return;
    }
    if (has_sid) {
      /* an upgrade [EIO-UP-2]: only of the polling session, one at a time; the probe
       * and the switch are the case's and the client's (below, on "5") */
      if (s->transport != CS_TR_POLLING || !s->sid[0] || strcmp(sid, s->sid) != 0 ||
          s->probe_conn >= 0) {
        respond_error(s, c, 3, "Bad request");
        return;
      }
      ws_accept(s, c, key, now, 1);
      return;
    }
    if (s->refuse > 0) {
      s->refuse--;
      respond_error(s, c, 4, "Forbidden");
      return;
    }
    ws_accept(s, c, key, now, 0);
    return;
  }
  if (strcmp(tr, "polling") != 0) {
    respond_error(s, c, 0, "Transport unknown");
    return;
  }
  if (!has_sid) {
    if (!get) {
      respond_error(s, c, 2, "Bad handshake method");
      return;
    }
    if (s->refuse > 0) {
      s->refuse--;
      respond_error(s, c, 4, "Forbidden");
      return;
    }
    new_session(s, CS_TR_POLLING);
    ct_buf op = {0};
    open_packet(s, &op, 1);
    respond(s, c, 200, "OK", "text/plain; charset=UTF-8", op.data, op.len);
    ct_buf_free(&op);
    push(s, CS_EV_OPEN, c, CS_TR_POLLING, 0, s->sid, strlen(s->sid), now);
    return;
  }
  if (!s->sid[0] || strcmp(sid, s->sid) != 0) {
    respond_error(s, c, 1, "Session ID unknown");
    return;
  }
  if (s->transport != CS_TR_POLLING) {
    respond_error(s, c, 3, "Bad request"); /* [EIO-UP-6] */
    return;
  }
  if (get) {
    if (s->held_conn >= 0) {
      /* [EIO-TR-6]: reported; the second GET is refused, the held one stays */
      s->overlaps++;
      push(s, CS_EV_GET_OVERLAP, c, CS_TR_POLLING, 0, "", 0, now);
      respond(s, c, 400, "Bad Request", "text/plain", "overlap", 7);
      return;
    }
    k->held = 1;
    s->held_conn = c;
    answer_held(s);
    return;
  }
  if (post) {
    wire_polling_iter it;
    wire_polling_rec r;
    wire_polling_begin(&it, body, blen);
    while (wire_polling_next(&it, &r)) polling_packet(s, c, &r, now);
    respond(s, c, 200, "OK", "text/html", "ok", 2);
    return;
  }
  respond_error(s, c, 2, "Bad request");
}

static void http_input(cs_core *s, int c, int64_t now) {
  conn *k = &s->c[c];
  while (k->kind == CONN_HTTP && !k->held && !k->close_after && k->in.len > 0) {
    wire_http_head h;
    wire_err e = wire_http_request_head(k->in.data, k->in.len, &h);
    if (e == WIRE_MORE) return;
    if (e != WIRE_OK) {
      push(s, CS_EV_BAD, c, 0, 0, wire_err_name(e), strlen(wire_err_name(e)), now);
      respond(s, c, 400, "Bad Request", "text/plain", "bad request", 11);
      k->close_after = 1;
      return;
    }
    size_t blen = 0;
    const wire_span *cl = wire_http_find(&h, "Content-Length");
    if (cl) {
      for (size_t i = 0; i < cl->len; i++)
        if (cl->p[i] >= '0' && cl->p[i] <= '9') blen = blen * 10 + (size_t)(cl->p[i] - '0');
    } else if (wire_http_has_token(&h, "Transfer-Encoding", "chunked")) {
      /* chunked request bodies: gather the chunks (clients rarely send them) */
      ct_buf body = {0};
      size_t pos = h.head_len;
      for (;;) {
        wire_span d;
        size_t used;
        wire_err ce = wire_http_chunk(k->in.data + pos, k->in.len - pos, &d, &used);
        if (ce == WIRE_MORE) {
          ct_buf_free(&body);
          return;
        }
        if (ce != WIRE_OK) {
          ct_buf_free(&body);
          push(s, CS_EV_BAD, c, 0, 0, "bad chunk", 9, now);
          k->close_after = 1;
          return;
        }
        pos += used;
        if (d.len == 0) break;
        ct_buf_add(&body, d.p, d.len);
      }
      handle_request(s, c, &h, body.data, body.len, now);
      ct_buf_free(&body);
      ct_buf_consume(&k->in, pos);
      continue;
    }
    if (k->in.len < h.head_len + blen) return;
    /* the request's bytes stay in K->in while it is handled (H borrows them) */
    size_t total = h.head_len + blen;
    handle_request(s, c, &h, k->in.data + h.head_len, blen, now);
    ct_buf_consume(&k->in, total);
  }
}

/* ---- WebSocket */

static void ws_input(cs_core *s, int c, int64_t now) {
  conn *k = &s->c[c];
  while (k->kind == CONN_WS && !k->close_after && k->in.len > 0) {
    wire_ws_frame f;
    wire_err e = wire_ws_decode(k->in.data, k->in.len, &f);
    if (e == WIRE_MORE) return;
    wire_err rule = e == WIRE_OK ? wire_ws_check(&f, 1) : e;
    if (rule == WIRE_OK) rule = wire_ws_fragment_rule(k->msg_op, &f);
    if (rule != WIRE_OK) {
      push(s, CS_EV_BAD, c, CS_TR_WEBSOCKET, 0, wire_err_name(rule), strlen(wire_err_name(rule)),
           now);
      k->close_after = 1;
      return;
    }
    unsigned char *pl = (unsigned char *)k->in.data + f.head_len;
    size_t len = (size_t)f.len;
    wire_ws_mask(pl, len, f.mask, 0);
    if (f.opcode == WIRE_WS_CLOSE) {
      push(s, CS_EV_WS_CLOSE, c, CS_TR_WEBSOCKET, 0, pl, len, now);
      ws_frame(s, c, WIRE_WS_CLOSE, pl, len >= 2 ? 2 : 0);
      k->close_after = 1;
    } else if (f.opcode == WIRE_WS_PING) {
      ws_frame(s, c, WIRE_WS_PONG, pl, len);
    } else if (f.opcode == WIRE_WS_PONG) {
      /* nothing: the case sends no WebSocket pings */
    } else {
      if (f.opcode != WIRE_WS_CONT) {
        k->msg_op = f.opcode;
        ct_buf_reset(&k->msg);
      }
      ct_buf_add(&k->msg, pl, len);
      if (f.fin) {
        push(s, CS_EV_PACKET, c, CS_TR_WEBSOCKET, k->msg_op == WIRE_WS_BINARY, k->msg.data,
             k->msg.len, now);
        /* "5" on the upgrading WebSocket completes the upgrade [EIO-UP-5]: from now on
         * the session's packets travel there */
        if (c == s->probe_conn && k->msg_op == WIRE_WS_TEXT && k->msg.len == 1 &&
            k->msg.data[0] == '5') {
          s->transport = CS_TR_WEBSOCKET;
          s->ws_conn = c;
          s->probe_conn = -1;
          ct_buf_reset(&s->queue);
          s->queued = 0;
        }
        k->msg_op = 0;
        ct_buf_reset(&k->msg);
      }
    }
    ct_buf_consume(&k->in, f.head_len + len);
  }
}

void cs_core_input(cs_core *s, int c, const void *p, size_t len, int64_t now) {
  if (c < 0 || c >= CS_MAX_CONNS || s->c[c].kind == CONN_FREE) return;
  ct_buf_add(&s->c[c].in, p, len);
  if (s->c[c].kind == CONN_HTTP) http_input(s, c, now);
  /* a 101 turns the connection into a WebSocket: frames may follow in the same read */
  if (s->c[c].kind == CONN_WS) ws_input(s, c, now);
}

void cs_core_eof(cs_core *s, int c, int64_t now) {
  if (c < 0 || c >= CS_MAX_CONNS || s->c[c].kind == CONN_FREE) return;
  push(s, CS_EV_CONN_CLOSED, c, s->c[c].kind == CONN_WS ? CS_TR_WEBSOCKET : CS_TR_POLLING, 0, "", 0,
       now);
  cs_core_closed(s, c);
}

size_t cs_core_output(const cs_core *s, int c, const unsigned char **p) {
  if (c < 0 || c >= CS_MAX_CONNS) return 0;
  *p = s->c[c].out.data;
  return s->c[c].out.len;
}

void cs_core_written(cs_core *s, int c, size_t n) {
  if (c >= 0 && c < CS_MAX_CONNS) ct_buf_consume(&s->c[c].out, n);
}

int cs_core_should_close(const cs_core *s, int c) {
  return c >= 0 && c < CS_MAX_CONNS && s->c[c].kind != CONN_FREE && s->c[c].close_after &&
         s->c[c].out.len == 0;
}

int cs_core_conn_open(const cs_core *s, int c) {
  return c >= 0 && c < CS_MAX_CONNS && s->c[c].kind != CONN_FREE;
}

void cs_core_closed(cs_core *s, int c) {
  if (c < 0 || c >= CS_MAX_CONNS) return;
  conn *k = &s->c[c];
  k->kind = CONN_FREE;
  k->held = 0;
  ct_buf_reset(&k->in);
  ct_buf_reset(&k->out);
  ct_buf_reset(&k->msg);
  if (s->held_conn == c) s->held_conn = -1;
  if (s->ws_conn == c) s->ws_conn = -1;
  if (s->probe_conn == c) s->probe_conn = -1;
}

/* ---- sending */

void cs_core_send(cs_core *s, const void *p, size_t len, int binary) {
  if (s->transport == CS_TR_WEBSOCKET) {
    if (s->ws_conn >= 0) ws_frame(s, s->ws_conn, binary ? WIRE_WS_BINARY : WIRE_WS_TEXT, p, len);
    return;
  }
  if (s->queued) ct_buf_add(&s->queue, "\x1e", 1);
  if (binary) {
    char *b64 = ct_xmalloc(4 * ((len + 2) / 3) + 1);
    size_t n = ct_b64_encode(p, len, b64);
    ct_buf_adds(&s->queue, "b");
    ct_buf_add(&s->queue, b64, n);
    free(b64);
  } else {
    ct_buf_add(&s->queue, p, len);
  }
  s->queued++;
}

void cs_core_send_raw(cs_core *s, const char *body, size_t len) {
  if (s->transport == CS_TR_WEBSOCKET) {
    cs_core_send(s, body, len, 0);
    return;
  }
  if (s->queued) ct_buf_add(&s->queue, "\x1e", 1);
  ct_buf_add(&s->queue, body, len);
  s->queued++;
}

void cs_core_send_probe(cs_core *s, const char *p, size_t len) {
  if (s->probe_conn >= 0) ws_frame(s, s->probe_conn, WIRE_WS_TEXT, p, len);
}

void cs_core_close_probe(cs_core *s) {
  if (s->probe_conn < 0) return;
  ct_buf_reset(&s->c[s->probe_conn].out);
  s->c[s->probe_conn].close_after = 1;
  s->probe_conn = -1;
}

void cs_core_drop(cs_core *s) {
  for (int i = 0; i < CS_MAX_CONNS; i++)
    if (s->c[i].kind != CONN_FREE) {
      ct_buf_reset(&s->c[i].out);
      s->c[i].close_after = 1;
      s->c[i].held = 0;
    }
  s->held_conn = s->ws_conn = s->probe_conn = -1;
  s->queued = 0;
  ct_buf_reset(&s->queue);
}

void cs_core_forget(cs_core *s) {
  if (s->held_conn >= 0) {
    int c = s->held_conn;
    s->c[c].held = 0;
    s->held_conn = -1;
    respond_error(s, c, 1, "Session ID unknown");
  }
  const int ws[2] = {s->ws_conn, s->probe_conn};
  for (int i = 0; i < 2; i++)
    if (ws[i] >= 0) {
      ct_buf_reset(&s->c[ws[i]].out);
      s->c[ws[i]].close_after = 1;
    }
  s->ws_conn = s->probe_conn = -1;
  s->sid[0] = 0; /* no request matches it any more [EIO-TR-2] */
  s->queued = 0;
  ct_buf_reset(&s->queue);
}

void cs_core_refuse(cs_core *s, int n) { s->refuse = n; }

void cs_core_stats(const cs_core *s, cs_stats *st) {
  memset(st, 0, sizeof *st);
  st->sessions = s->session;
  st->transport = s->transport;
  st->get_overlaps = s->overlaps;
  st->held = s->held_conn >= 0;
  st->requests = s->requests;
  snprintf(st->sid, sizeof st->sid, "%s", s->sid);
}
