/* Socket.IO server layer, sans-I/O: server and client life cycle, receive-side
 * dispatch (namespaces, CONNECT/auth, events, acks, disconnects) and timers.
 * Spec tags: SIO-NS-2..8, SIO-AUTH-1, SIO-AUTH-2, SIO-EV-1, SIO-EV-2, SIO-ACK-4,
 * SIO-ACK-5, SIO-DC-1..5, SIO-ROOM-1, SIO-ROOM-5, SIO-LIM-2..4 (emits in sio_emit.c,
 * rooms in sio_room.c).
 *
 * Client state machine (one per Engine.IO connection):
 *   NEW     --open-->            OPEN (connect deadline = now + connect_timeout)
 *   OPEN    --CONNECT ok-->      OPEN, connect deadline cleared for good
 *   OPEN    --tick past deadline, nothing joined--> CLOSED (close callback)
 *   OPEN    --peer violation / invalid state-->     CLOSED (close callback, no DISCONNECTs)
 *   OPEN    --sio_client_close-->  CLOSING (DISCONNECT per socket) --> CLOSED (close cb)
 *   any     --on_closed-->         CLOSED (handlers run, no sends, no close callback)
 * A socket is created CONNECTED by an accepted CONNECT and detached exactly once (client
 * DISCONNECT, server disconnect, or client teardown); a detached socket is freed when the
 * outermost call into its client returns, so hooks may disconnect the socket they run for.
 *
 * Protocol v4 clients (sio_client_open_v4, spec/socket.io-v4.md SIO-FNS-1..6) differ only
 * in handle_connect and its answers: "/" is joined at open, a CONNECT's query is its
 * handshake data, replies carry no payload, refusals a string, ids derive from the
 * Engine.IO sid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/utf8.h"
#include "sio_internal.h"

/* The codec options of C: the server's, in C's protocol. */
static sio_codec_opts client_codec(const sio_client *c) {
  sio_codec_opts o = c->srv->cfg.codec;
  o.protocol = c->protocol;
  return o;
}

/* ---------------------------------------------------------------- helpers */

static bool span_eq_cstr(ref_span a, const char *s, size_t slen) {
  return a.len == slen && (slen == 0 || memcmp(a.ptr, s, slen) == 0);
}

static sio_namespace *find_namespace(sio_server *srv, ref_span name) {
  for (size_t i = 0; i < srv->cfg.n_namespaces; i++) {
    if (span_eq_cstr(name, srv->nsps[i].cfg->name, srv->nsps[i].name_len)) return &srv->nsps[i];
  }
  return NULL;
}

static sio_socket *find_socket(sio_client *c, ref_span nsp) {
  for (sio_socket *s = c->sockets; s; s = s->c_next) {
    if (span_eq_cstr(nsp, s->ns->cfg->name, s->ns->name_len)) return s;
  }
  return NULL;
}

static void free_socket(sio_socket *s) {
  free(s->id);
  free(s->auth);
  free(s->rooms);
  free(s);
}

/* Drop a partial binary packet and the copies it holds. */
static void reasm_drop(sio_client *c) {
  if (c->copies_busy) return; /* a hook is reading them: on_message_locked frees them */
  for (size_t i = 0; i < c->n_copies; i++) free(c->copies[i]);
  c->n_copies = 0;
  if (c->slots) (void)sio_reasm_finish(&c->reasm); /* back to IDLE; the error is expected */
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n) {
  uint8_t *d = malloc(n ? n : 1);
  if (d && n) memcpy(d, p, n);
  return d;
}

/* ---------------------------------------------------------------- server */

sio_server *sio_server_new(const sio_server_config *cfg) {
  if (!cfg || !cfg->send || !cfg->close || !cfg->random || !cfg->namespaces ||
      cfg->n_namespaces == 0)
    return NULL;
  for (size_t i = 0; i < cfg->n_namespaces; i++) {
    const char *n = cfg->namespaces[i].name;
    if (!n || n[0] != '/') return NULL; /* SIO-PK-6: a namespace starts with '/' */
    for (size_t j = 0; j < i; j++)
      if (strcmp(n, cfg->namespaces[j].name) == 0) return NULL;
  }
  sio_server *srv = calloc(1, sizeof *srv);
  if (!srv) return NULL;
  srv->cfg = *cfg;
  if (!srv->cfg.connect_timeout_ms) srv->cfg.connect_timeout_ms = SIO_DEFAULT_CONNECT_TIMEOUT_MS;
  if (!srv->cfg.ack_timeout_ms) srv->cfg.ack_timeout_ms = SIO_DEFAULT_ACK_TIMEOUT_MS;
  if (!srv->cfg.max_rooms_per_socket)
    srv->cfg.max_rooms_per_socket = SIO_DEFAULT_MAX_ROOMS_PER_SOCKET;
  if (!srv->cfg.max_pending_acks) srv->cfg.max_pending_acks = SIO_DEFAULT_MAX_PENDING_ACKS;
  if (!srv->cfg.max_binary_bytes) srv->cfg.max_binary_bytes = SIO_DEFAULT_MAX_BINARY_BYTES;
  srv->max_att =
      srv->cfg.codec.max_attachments ? srv->cfg.codec.max_attachments : SIO_DEFAULT_MAX_ATTACHMENTS;
  srv->nsps = calloc(cfg->n_namespaces, sizeof *srv->nsps);
  srv->scratch = calloc(srv->max_att, sizeof *srv->scratch);
  if (!srv->nsps || !srv->scratch) {
    free(srv->nsps);
    free(srv->scratch);
    free(srv);
    return NULL;
  }
  for (size_t i = 0; i < cfg->n_namespaces; i++) {
    srv->nsps[i].srv = srv;
    srv->nsps[i].cfg = &cfg->namespaces[i];
    srv->nsps[i].name_len = strlen(cfg->namespaces[i].name);
  }
  return srv;
}

void sio_server_free(sio_server *srv) {
  if (!srv) return;
  while (srv->clients) {
    sio_client *c = srv->clients;
    c->depth = 0; /* free even if the embedder broke the rules */
    sio_client_free(c);
  }
  for (size_t i = 0; i < srv->cfg.n_namespaces; i++) sio_room_table_free_(&srv->nsps[i]);
  free(srv->nsps);
  free(srv->scratch);
  free(srv);
}

sio_namespace *sio_server_namespace(sio_server *srv, const char *name) {
  if (!srv || !name) return NULL;
  ref_span n = {(const uint8_t *)name, strlen(name)};
  return find_namespace(srv, n);
}

uint64_t sio_server_next_deadline(const sio_server *srv) {
  uint64_t d = SIO_NO_DEADLINE;
  if (!srv) return d;
  for (const sio_client *c = srv->timed; c; c = c->t_next) {
    uint64_t cd = sio_client_next_deadline(c);
    if (cd < d) d = cd;
  }
  return d;
}

int sio_server_tick(sio_server *srv, uint64_t now_ms) {
  if (!srv) return 0;
  sio_server_clock_(srv, now_ms);
  int n = 0;
  /* A tick may emit to (and close) other clients, never free them, but it changes the
   * list of timed clients: restart after each tick; clients not yet due are skipped. */
  bool again = true;
  while (again) {
    again = false;
    for (sio_client *c = srv->timed; c; c = c->t_next) {
      if (sio_client_next_deadline(c) <= now_ms) {
        (void)sio_client_tick(c, now_ms);
        n++;
        again = true;
        break;
      }
    }
  }
  return n;
}

void sio_server_clock_(sio_server *srv, uint64_t now_ms) {
  if (now_ms > srv->now_ms) srv->now_ms = now_ms;
}

size_t sio_server_client_count(const sio_server *srv) { return srv ? srv->n_clients : 0; }

/* ---------------------------------------------------------------- client */

sio_client *sio_client_new(sio_server *srv, void *user) {
  if (!srv) return NULL;
  sio_client *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->srv = srv;
  c->user = user;
  c->connect_deadline_ms = SIO_NO_DEADLINE;
  c->max_att = srv->max_att;
  c->protocol = SIO_PROTOCOL_V5;
  if (sio_reasm_init(&c->reasm, &srv->cfg.codec, srv->scratch, c->max_att) != 0) {
    free(c);
    return NULL;
  }
  c->next = srv->clients;
  if (srv->clients) srv->clients->prev = c;
  srv->clients = c;
  srv->n_clients++;
  return c;
}

void sio_client_retime_(sio_client *c) {
  bool want = sio_client_next_deadline(c) != SIO_NO_DEADLINE;
  if (want == c->timed) return;
  sio_server *srv = c->srv;
  if (want) {
    c->t_prev = NULL;
    c->t_next = srv->timed;
    if (srv->timed) srv->timed->t_prev = c;
    srv->timed = c;
  } else {
    if (c->t_prev)
      c->t_prev->t_next = c->t_next;
    else
      srv->timed = c->t_next;
    if (c->t_next) c->t_next->t_prev = c->t_prev;
    c->t_prev = c->t_next = NULL;
  }
  c->timed = want;
}

void sio_client_enter_(sio_client *c) { c->depth++; }

void sio_client_leave_(sio_client *c) {
  if (--c->depth > 0) return;
  sio_client_retime_(c); /* every deadline change happens inside an entry point */
  while (c->graveyard) {
    sio_socket *s = c->graveyard;
    c->graveyard = s->c_next;
    free_socket(s);
  }
}

int sio_client_open(sio_client *c, uint64_t now_ms) {
  if (!c) return REF_ERR_INVALID_ARGUMENT;
  if (c->state != SIO_CS_NEW) return REF_ERR_BAD_STATE;
  c->state = SIO_CS_OPEN;
  sio_server_clock_(c->srv, now_ms);
  /* SIO-NS-5: a client must join a namespace within connectTimeout of the open. */
  c->connect_deadline_ms = now_ms + c->srv->cfg.connect_timeout_ms;
  sio_client_retime_(c);
  return 0;
}

static void handle_connect(sio_client *c, const sio_packet *p);

int sio_client_open_v4(sio_client *c, const char *eio_sid, uint64_t now_ms) {
  size_t n = eio_sid ? strlen(eio_sid) : 0;
  if (!c || n == 0 || n > SIO_EIO_SID_MAX) return REF_ERR_INVALID_ARGUMENT;
  if (c->state != SIO_CS_NEW) return REF_ERR_BAD_STATE;
  memcpy(c->eio_sid, eio_sid, n + 1);
  c->protocol = SIO_PROTOCOL_V4;
  /* SIO-FPK-1: decode with the v4 shapes (the reassembler keeps a copy of the options) */
  sio_codec_opts o = client_codec(c);
  (void)sio_reasm_init(&c->reasm, &o, c->srv->scratch, c->max_att);
  int rc = sio_client_open(c, now_ms);
  if (rc < 0) return rc;
  /* SIO-FNS-1: "/" is connected at once, without a CONNECT from the client. No CONNECT
   * means no payload: the application sees {} as "/"'s auth, as the official server's
   * implicit connect does (contract CT-12 greets with {}). The Engine.IO handshake's query
   * (SIO-FNS-2's handshake data of "/") stays with the session: eio_session_query(). */
  sio_client_enter_(c);
  static const uint8_t root[] = "/";
  sio_packet p = {SIO_PACKET_CONNECT, {root, 1}, SIO_NO_ACK_ID, 0, {NULL, 0}};
  handle_connect(c, &p);
  sio_client_leave_(c);
  return 0;
}

/* Detach every socket of C (DISCONNECT packets only when SEND_DC) and drop partial
 * binary data. The caller has set C's state. */
static void detach_all(sio_client *c, sio_disconnect_reason why, bool send_dc) {
  reasm_drop(c);
  c->connect_deadline_ms = SIO_NO_DEADLINE;
  while (c->sockets) sio_socket_detach_(c->sockets, why, send_dc);
}

void sio_client_fail_(sio_client *c, int reason, sio_disconnect_reason why) {
  if (c->state == SIO_CS_CLOSED) return;
  c->state = SIO_CS_CLOSED; /* no sends: a closing connection gets nothing more */
  detach_all(c, why, false);
  c->srv->cfg.close(c->srv->cfg.user, c, reason);
}

void sio_client_on_closed(sio_client *c, int reason) {
  (void)reason;
  if (!c || c->state == SIO_CS_CLOSED) return;
  sio_client_enter_(c);
  c->state = SIO_CS_CLOSED;
  detach_all(c, SIO_DC_TRANSPORT_CLOSE, false);
  sio_client_leave_(c);
}

int sio_client_close(sio_client *c) {
  if (!c) return REF_ERR_INVALID_ARGUMENT;
  if (c->state != SIO_CS_OPEN && c->state != SIO_CS_NEW) return REF_ERR_BAD_STATE;
  sio_client_enter_(c);
  /* SIO-DC-3: like socket.disconnect(true), DISCONNECT on each namespace, then close. */
  c->state = SIO_CS_CLOSING;
  detach_all(c, SIO_DC_SERVER_NAMESPACE_DISCONNECT, true);
  if (c->state == SIO_CS_CLOSING) { /* not reported gone by a send meanwhile */
    c->state = SIO_CS_CLOSED;
    c->srv->cfg.close(c->srv->cfg.user, c, SIO_CLOSE_BY_SERVER);
  }
  sio_client_leave_(c);
  return 0;
}

uint64_t sio_client_next_deadline(const sio_client *c) {
  if (!c || c->state == SIO_CS_CLOSED) return SIO_NO_DEADLINE;
  uint64_t d = c->connect_deadline_ms;
  for (const sio_socket *s = c->sockets; s; s = s->c_next)
    for (const sio_pending_ack *a = s->acks; a; a = a->next)
      if (a->deadline_ms < d) d = a->deadline_ms;
  return d;
}

/* Find one pending ack of C due at NOW_MS; unlink it and return it with its socket. */
static sio_pending_ack *take_due_ack(sio_client *c, uint64_t now_ms, sio_socket **owner) {
  for (sio_socket *s = c->sockets; s; s = s->c_next) {
    for (sio_pending_ack **pp = &s->acks; *pp; pp = &(*pp)->next) {
      if ((*pp)->deadline_ms <= now_ms) {
        sio_pending_ack *a = *pp;
        *pp = a->next;
        s->n_acks--;
        *owner = s;
        return a;
      }
    }
  }
  return NULL;
}

int sio_client_tick(sio_client *c, uint64_t now_ms) {
  if (!c) return 0;
  if (c->state != SIO_CS_OPEN) return c->state == SIO_CS_CLOSED ? 1 : 0;
  sio_client_enter_(c);
  sio_server_clock_(c->srv, now_ms);
  if (c->connect_deadline_ms <= now_ms && c->n_sockets == 0) {
    /* SIO-NS-5: no namespace joined within connectTimeout: close the connection. */
    sio_client_fail_(c, SIO_CLOSE_CONNECT_TIMEOUT, SIO_DC_INTERNAL);
  }
  /* SIO-ACK-5: a server ack request not answered in time ends with TIMEOUT; a later
   * answer for its id is ignored (the id is no longer pending). One at a time: the
   * callback may disconnect sockets or emit new requests. */
  sio_socket *s;
  sio_pending_ack *a;
  while (c->state == SIO_CS_OPEN && (a = take_due_ack(c, now_ms, &s)) != NULL) {
    a->fn(a->user, s, SIO_ACK_TIMEOUT, NULL);
    free(a);
  }
  int closed = c->state == SIO_CS_CLOSED;
  sio_client_leave_(c);
  return closed;
}

void sio_client_free(sio_client *c) {
  if (!c) return;
  sio_client_on_closed(c, 0);
  c->depth = 0;
  while (c->graveyard) {
    sio_socket *s = c->graveyard;
    c->graveyard = s->c_next;
    free_socket(s);
  }
  reasm_drop(c);
  sio_server *srv = c->srv;
  c->state = SIO_CS_CLOSED;
  sio_client_retime_(c); /* off the timed list */
  if (c->prev)
    c->prev->next = c->next;
  else
    srv->clients = c->next;
  if (c->next) c->next->prev = c->prev;
  srv->n_clients--;
  free(c->slots);
  free(c->copies);
  free(c);
}

void *sio_client_user(const sio_client *c) { return c ? c->user : NULL; }
bool sio_client_is_closed(const sio_client *c) { return !c || c->state == SIO_CS_CLOSED; }
size_t sio_client_socket_count(const sio_client *c) { return c ? c->n_sockets : 0; }

/* ---------------------------------------------------------------- socket basics */

const char *sio_socket_id(const sio_socket *s) { return s ? s->id : NULL; }
sio_client *sio_socket_client(const sio_socket *s) { return s ? s->c : NULL; }
sio_namespace *sio_socket_namespace(const sio_socket *s) { return s ? s->ns : NULL; }
ref_span sio_socket_auth(const sio_socket *s) {
  ref_span sp = {NULL, 0};
  if (s) {
    sp.ptr = (const uint8_t *)s->auth;
    sp.len = s->auth_len;
  }
  return sp;
}
uint64_t sio_socket_now_ms(const sio_socket *s) { return s ? s->c->srv->now_ms : 0; }
bool sio_socket_connected(const sio_socket *s) { return s && s->connected; }
const char *sio_namespace_name(const sio_namespace *ns) { return ns ? ns->cfg->name : NULL; }
size_t sio_namespace_socket_count(const sio_namespace *ns) { return ns ? ns->n_sockets : 0; }

void sio_socket_detach_(sio_socket *s, sio_disconnect_reason why, bool send_dc) {
  if (!s->connected) return;
  sio_client *c = s->c;
  sio_client_enter_(c);
  if (send_dc) {
    /* SIO-DC-3: the server's namespace disconnect is a DISCONNECT packet for that nsp. */
    sio_packet p = {SIO_PACKET_DISCONNECT,
                    {(const uint8_t *)s->ns->cfg->name, s->ns->name_len},
                    SIO_NO_ACK_ID,
                    0,
                    {NULL, 0}};
    (void)sio_send_packet_(c, &p, NULL, 0);
    if (!s->connected) { /* the send reported the connection gone: already detached */
      sio_client_leave_(c);
      return;
    }
  }
  s->connected = false;
  sio_room_leave_all_(s); /* SIO-ROOM-5 */
  /* out of the namespace */
  if (s->ns_prev)
    s->ns_prev->ns_next = s->ns_next;
  else
    s->ns->head = s->ns_next;
  if (s->ns_next) s->ns_next->ns_prev = s->ns_prev;
  s->ns->n_sockets--;
  /* out of the client, into its graveyard */
  if (s->c_prev)
    s->c_prev->c_next = s->c_next;
  else
    c->sockets = s->c_next;
  if (s->c_next) s->c_next->c_prev = s->c_prev;
  c->n_sockets--;
  s->c_prev = NULL;
  s->c_next = c->graveyard;
  c->graveyard = s;
  /* Requests the client can no longer answer end as CANCELLED. */
  while (s->acks) {
    sio_pending_ack *a = s->acks;
    s->acks = a->next;
    s->n_acks--;
    a->fn(a->user, s, SIO_ACK_CANCELLED, NULL);
    free(a);
  }
  if (s->ns->cfg->on_disconnect) s->ns->cfg->on_disconnect(s->ns->cfg->user, s, why);
  sio_client_leave_(c);
}

int sio_socket_disconnect(sio_socket *s) {
  if (!s) return REF_ERR_INVALID_ARGUMENT;
  if (!s->connected) return REF_ERR_BAD_STATE;
  sio_socket_detach_(s, SIO_DC_SERVER_NAMESPACE_DISCONNECT, true);
  return 0;
}

/* ---------------------------------------------------------------- receive side */

/* Split a JSON array text "[a,b,...]" (valid, checked by the codec) into the span of
 * its elements without the brackets. */
static ref_span array_inner(ref_span arr) {
  const uint8_t *b = arr.ptr, *e = arr.ptr + arr.len;
  while (b < e && *b != '[') b++;
  if (b < e) b++;
  while (e > b && e[-1] != ']') e--;
  if (e > b) e--;
  while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')) b++;
  while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) e--;
  ref_span r = {b, (size_t)(e - b)};
  return r;
}

/* The arguments after the event name: NAME is the escaped contents of the first string,
 * so its closing quote is at name.ptr + name.len. */
static ref_span event_args(ref_span data, ref_span name) {
  const uint8_t *p = name.ptr + name.len + 1, *end = data.ptr + data.len;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  ref_span r = {NULL, 0};
  if (p >= end || *p != ',') return r; /* ']' : no arguments */
  ref_span rest = {p, (size_t)(end - p)};
  /* rest is ",a,b]" (plus whitespace): reuse array_inner by treating ',' like '[' */
  const uint8_t *b = rest.ptr + 1, *e = end;
  while (e > b && e[-1] != ']') e--;
  if (e > b) e--;
  while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')) b++;
  while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) e--;
  r.ptr = b;
  r.len = (size_t)(e - b);
  return r;
}

/* 15 random bytes -> 20 base64url characters. */
static int make_sid(sio_server *srv, char out[SIO_SID_LEN + 1]) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint8_t r[15];
  if (srv->cfg.random(srv->cfg.user, r, sizeof r) != 0) return REF_ERR_INTERNAL;
  for (int i = 0, o = 0; i < 15; i += 3) {
    uint32_t v = ((uint32_t)r[i] << 16) | ((uint32_t)r[i + 1] << 8) | r[i + 2];
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = alphabet[v & 63];
  }
  out[SIO_SID_LEN] = '\0';
  return 0;
}

/* Send CONNECT_ERROR for NSP with {"message":MSG[,"data":DATA]}. */
static void send_connect_error(sio_client *c, ref_span nsp, const char *msg,
                               const char *data_json) {
  size_t mlen = strlen(msg);
  if (c->protocol == SIO_PROTOCOL_V4) {
    /* SIO-FNS-4: v4's ERROR carries the reason as a JSON string (the MAY of sending the
     * application's data instead is not taken: the reason always goes). */
    char *q = malloc(sio_json_quote_(msg, mlen, NULL));
    if (!q) {
      sio_client_fail_(c, SIO_CLOSE_INTERNAL, SIO_DC_INTERNAL);
      return;
    }
    size_t qn = sio_json_quote_(msg, mlen, q);
    sio_packet p = {SIO_PACKET_CONNECT_ERROR, nsp, SIO_NO_ACK_ID, 0, {(const uint8_t *)q, qn}};
    (void)sio_send_packet_(c, &p, NULL, 0);
    free(q);
    return;
  }
  size_t dlen = data_json ? strlen(data_json) : 0;
  size_t cap = 12 + sio_json_quote_(msg, mlen, NULL) + (data_json ? 8 + dlen : 0) + 2;
  char *buf = malloc(cap);
  if (!buf) {
    sio_client_fail_(c, SIO_CLOSE_INTERNAL, SIO_DC_INTERNAL);
    return;
  }
  size_t n = 0;
  memcpy(buf + n, "{\"message\":", 11);
  n += 11;
  n += sio_json_quote_(msg, mlen, buf + n);
  if (data_json) {
    memcpy(buf + n, ",\"data\":", 8);
    n += 8;
    memcpy(buf + n, data_json, dlen);
    n += dlen;
  }
  buf[n++] = '}';
  sio_packet p = {SIO_PACKET_CONNECT_ERROR, nsp, SIO_NO_ACK_ID, 0, {(const uint8_t *)buf, n}};
  (void)sio_send_packet_(c, &p, NULL, 0);
  free(buf);
}

static int hexval(uint8_t ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Percent-decode [P, P+N) ('+' is a space) and append it as a JSON string literal to
 * OUT (NULL: measure). A decoded byte sequence that is not UTF-8 is kept only as far as
 * the JSON escaper takes it: bytes >= 0x80 pass through, so the caller checks UTF-8. */
static size_t query_part_json(const uint8_t *p, size_t n, char *out, char *tmp) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t ch = p[i];
    if (ch == '+')
      ch = ' ';
    else if (ch == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
      ch = (uint8_t)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
      i += 2;
    }
    tmp[k++] = (char)ch;
  }
  return sio_json_quote_(tmp, k, out);
}

/* SIO-FNS-2: a v4 CONNECT's query "a=1&b=x" as the JSON object {"a":"1","b":"x"} (a key
 * without '=' gets ""), malloc'd into *OUT; NULL when out of memory or not UTF-8. */
static char *query_json(ref_span q, size_t *len) {
  char *tmp = malloc(q.len + 1);
  if (!tmp) return NULL;
  /* every byte becomes at most 6 in a JSON string, plus quotes, ':' ',' and braces */
  char *out = malloc(6 * q.len + 4 * (q.len + 1) + 3);
  if (!out) {
    free(tmp);
    return NULL;
  }
  size_t n = 0;
  out[n++] = '{';
  const uint8_t *p = q.ptr, *end = q.ptr + q.len;
  while (p < end) {
    const uint8_t *amp = memchr(p, '&', (size_t)(end - p));
    const uint8_t *e = amp ? amp : end;
    const uint8_t *eq = memchr(p, '=', (size_t)(e - p));
    if (e > p) {
      if (n > 1) out[n++] = ',';
      n += query_part_json(p, (size_t)((eq ? eq : e) - p), out + n, tmp);
      out[n++] = ':';
      n += eq ? query_part_json(eq + 1, (size_t)(e - eq - 1), out + n, tmp)
              : query_part_json(p, 0, out + n, tmp);
    }
    p = amp ? amp + 1 : end;
  }
  out[n++] = '}';
  out[n] = 0;
  free(tmp);
  if (!ref_utf8_valid((const uint8_t *)out, n)) {
    free(out);
    return NULL;
  }
  *len = n;
  return out;
}

/* SIO-FNS-5 (v4) or a random id (v5) for socket S of C in NS, into s->id. */
static int make_socket_id(sio_client *c, sio_namespace *ns, sio_socket *s) {
  if (c->protocol != SIO_PROTOCOL_V4) {
    s->id = malloc(SIO_SID_LEN + 1);
    s->id_len = SIO_SID_LEN;
    return s->id ? make_sid(c->srv, s->id) : REF_ERR_OUT_OF_MEMORY;
  }
  bool root = ns->name_len == 1;
  size_t sl = strlen(c->eio_sid);
  s->id_len = root ? sl : ns->name_len + 1 + sl;
  s->id = malloc(s->id_len + 1);
  if (!s->id) return REF_ERR_OUT_OF_MEMORY;
  if (root)
    memcpy(s->id, c->eio_sid, sl + 1);
  else
    snprintf(s->id, s->id_len + 1, "%s#%s", ns->cfg->name, c->eio_sid);
  return 0;
}

static void handle_connect(sio_client *c, const sio_packet *p) {
  bool v4 = c->protocol == SIO_PROTOCOL_V4;
  ref_span name = p->nsp, query = {NULL, 0};
  if (v4) { /* SIO-FNS-2: "/chat?token=abc" is /chat with its handshake query */
    const uint8_t *qm = memchr(name.ptr, '?', name.len);
    if (qm) {
      query = (ref_span){qm + 1, name.len - (size_t)(qm + 1 - name.ptr)};
      name.len = (size_t)(qm - name.ptr);
    }
  }
  sio_namespace *ns = find_namespace(c->srv, name);
  if (!ns) {
    /* SIO-NS-4, SIO-NS-3: an unknown namespace is refused; the connection stays open. */
    send_connect_error(c, name, "Invalid namespace", NULL);
    return;
  }
  /* SIO-AUTH-1: an absent payload is presented as {}. */
  static const uint8_t empty_obj[] = "{}";
  ref_span auth = p->data.len ? p->data : (ref_span){empty_obj, 2};
  char *qjson = NULL;
  if (query.len) {
    size_t ql = 0;
    qjson = query_json(query, &ql);
    if (!qjson) {
      send_connect_error(c, name, "Invalid query", NULL);
      return;
    }
    auth = (ref_span){(const uint8_t *)qjson, ql};
  }
  if (ns->cfg->auth) {
    /* SIO-AUTH-2: the namespace's hook decides; a refusal is CONNECT_ERROR with the
     * hook's message and optional data, and the connection stays open. */
    sio_auth_reject rej = {NULL, NULL};
    bool ok = ns->cfg->auth(ns->cfg->user, c, auth, &rej);
    if (c->state != SIO_CS_OPEN) { /* the hook closed the client */
      free(qjson);
      return;
    }
    if (!ok) {
      free(qjson);
      send_connect_error(c, name, rej.message ? rej.message : "unauthorized", rej.data_json);
      return;
    }
  }
  sio_socket *s = calloc(1, sizeof *s);
  char *auth_copy = malloc(auth.len + 1);
  if (!s || !auth_copy || make_socket_id(c, ns, s) != 0) {
    if (s) free(s->id);
    free(s);
    free(auth_copy);
    free(qjson);
    sio_client_fail_(c, SIO_CLOSE_INTERNAL, SIO_DC_INTERNAL);
    return;
  }
  memcpy(auth_copy, auth.ptr, auth.len);
  auth_copy[auth.len] = '\0';
  free(qjson);
  s->auth = auth_copy;
  s->auth_len = auth.len;
  s->c = c;
  s->ns = ns;
  s->connected = true;
  /* SIO-ROOM-1: every socket is in the room named by its own id. */
  if (sio_socket_join(s, s->id, s->id_len) != 0) {
    sio_room_leave_all_(s);
    free_socket(s);
    sio_client_fail_(c, SIO_CLOSE_INTERNAL, SIO_DC_INTERNAL);
    return;
  }
  s->c_next = c->sockets;
  if (c->sockets) c->sockets->c_prev = s;
  c->sockets = s;
  c->n_sockets++;
  s->ns_next = ns->head;
  if (ns->head) ns->head->ns_prev = s;
  ns->head = s;
  ns->n_sockets++;
  c->connect_deadline_ms = SIO_NO_DEADLINE; /* SIO-NS-5: joined in time */
  /* SIO-NS-2: the CONNECT reply carries the socket id: {"sid":"..."}; SIO-FNS-3: in v4
   * it carries nothing. */
  char body[8 + SIO_SID_LEN + 3];
  int bl = 0;
  if (!v4) {
    memcpy(body, "{\"sid\":\"", 8);
    bl = 8;
    memcpy(body + bl, s->id, SIO_SID_LEN);
    bl += SIO_SID_LEN;
    body[bl++] = '"';
    body[bl++] = '}';
  }
  sio_packet reply = {SIO_PACKET_CONNECT,
                      {(const uint8_t *)ns->cfg->name, ns->name_len},
                      SIO_NO_ACK_ID,
                      0,
                      {(const uint8_t *)body, (size_t)bl}};
  (void)sio_send_packet_(c, &reply, NULL, 0);
  if (!s->connected) return; /* the embedder reported the connection gone while sending */
  if (ns->cfg->on_connect) ns->cfg->on_connect(ns->cfg->user, s, sio_socket_auth(s));
}

/* One complete packet (attachments ATT[0..n) for binary types). */
static void dispatch(sio_client *c, const sio_packet *p, const ref_span *att, size_t n_att) {
  ref_span key = p->nsp;
  if (c->protocol == SIO_PROTOCOL_V4 && p->type == SIO_PACKET_CONNECT) {
    const uint8_t *qm = memchr(key.ptr, '?', key.len); /* SIO-FNS-2: joined as /chat */
    if (qm) key.len = (size_t)(qm - key.ptr);
    /* SIO-FNS-6: "/" is joined at open; the client's own CONNECT for it is redundant */
    if (key.len == 1 && find_socket(c, key)) return;
  }
  sio_socket *s = find_socket(c, key);
  if (p->type == SIO_PACKET_CONNECT && !s) {
    handle_connect(c, p);
    return;
  }
  if (!s || p->type == SIO_PACKET_CONNECT || p->type == SIO_PACKET_CONNECT_ERROR) {
    /* SIO-NS-7: a packet for a namespace not joined, a second CONNECT, or a
     * CONNECT_ERROR from a client is an invalid state: socket.io 4.8.4 closes the
     * whole connection (client.ts ondecoded), and so do we. */
    sio_client_fail_(c, SIO_CLOSE_INVALID_STATE, SIO_DC_PEER_ERROR);
    return;
  }
  switch (p->type) {
  case SIO_PACKET_EVENT:
  case SIO_PACKET_BINARY_EVENT: {
    /* SIO-EV-1, SIO-EV-2: hand the event to the namespace, in order, with its arguments
     * as JSON text and its attachments by placeholder number. */
    sio_event ev;
    memset(&ev, 0, sizeof ev);
    if (sio_packet_event_name(p, &ev.name) != 0) return; /* cannot happen: decoded event */
    ev.data = p->data;
    ev.args.args = event_args(p->data, ev.name);
    ev.args.attachments = n_att ? att : NULL;
    ev.args.n_attachments = n_att;
    ev.ack_id = p->ack_id;
    if (s->ns->cfg->on_event) s->ns->cfg->on_event(s->ns->cfg->user, s, &ev);
    break;
  }
  case SIO_PACKET_ACK:
  case SIO_PACKET_BINARY_ACK: {
    /* SIO-ACK-4: an answer to a pending server request; any other id is ignored. */
    for (sio_pending_ack **pp = &s->acks; *pp; pp = &(*pp)->next) {
      if ((*pp)->id == p->ack_id) {
        sio_pending_ack *a = *pp;
        *pp = a->next;
        s->n_acks--;
        sio_args args = {array_inner(p->data), n_att ? att : NULL, n_att};
        a->fn(a->user, s, SIO_ACK_OK, &args);
        free(a);
        break;
      }
    }
    break;
  }
  case SIO_PACKET_DISCONNECT:
    /* SIO-DC-1, SIO-DC-2: the client leaves this namespace only, no answer is sent and
     * the connection stays open; SIO-DC-5: it may CONNECT again later. */
    sio_socket_detach_(s, SIO_DC_CLIENT_NAMESPACE_DISCONNECT, false);
    break;
  default:
    break;
  }
}

static int on_message_locked(sio_client *c, bool is_binary, const uint8_t *bytes, size_t len) {
  sio_packet p;
  int rc;
  if (!is_binary) {
    rc = sio_reasm_feed_text(&c->reasm, bytes, len, &p);
    if (rc == SIO_REASM_COMPLETE) {
      dispatch(c, &p, NULL, 0);
      return 0;
    }
    if (rc == SIO_REASM_NEED_MORE) {
      /* The reassembler keeps spans into the header text, which dies when we return:
       * feed it again from an owned copy. */
      uint8_t *copy = dup_bytes(bytes, len);
      if (!c->slots) { /* the client's first binary packet: slots of its own from now on */
        c->slots = calloc(c->max_att, sizeof *c->slots);
        c->copies = calloc((size_t)c->max_att + 1, sizeof *c->copies);
      }
      if (!copy || !c->slots || !c->copies) {
        free(copy);
        sio_client_fail_(c, SIO_CLOSE_INTERNAL, SIO_DC_INTERNAL);
        return 1;
      }
      sio_codec_opts o = client_codec(c);
      (void)sio_reasm_init(&c->reasm, &o, c->slots, c->max_att);
      c->copies[0] = copy;
      c->n_copies = 1;
      c->bin_bytes = 0;
      rc = sio_reasm_feed_text(&c->reasm, copy, len, &p);
      if (rc == SIO_REASM_NEED_MORE) return 0;
      if (rc >= 0) rc = REF_ERR_INTERNAL; /* same bytes, different answer: a bug */
    }
  } else {
    uint8_t *copy = NULL;
    if (c->n_copies > 0) { /* only keep bytes a pending packet will use */
      /* SIO-LIM-2: bound the total size of one packet's attachments. */
      c->bin_bytes += len;
      if (c->bin_bytes > c->srv->cfg.max_binary_bytes) {
        sio_client_fail_(c, REF_ERR_PAYLOAD_TOO_LARGE, SIO_DC_PEER_ERROR);
        return 1;
      }
      copy = dup_bytes(bytes, len);
      if (!copy) {
        sio_client_fail_(c, SIO_CLOSE_INTERNAL, SIO_DC_INTERNAL);
        return 1;
      }
      c->copies[c->n_copies++] = copy;
    }
    rc = sio_reasm_feed_binary(&c->reasm, copy ? copy : bytes, len, &p);
    if (rc == SIO_REASM_NEED_MORE) return 0;
    if (rc == SIO_REASM_COMPLETE) {
      c->copies_busy = true; /* hooks may tear the client down while reading them */
      dispatch(c, &p, c->slots, p.attachments);
      c->copies_busy = false;
      for (size_t i = 0; i < c->n_copies; i++) free(c->copies[i]);
      c->n_copies = 0;
      return c->state == SIO_CS_CLOSED;
    }
  }
  /* SIO-NS-8, SIO-LIM-4: a codec peer violation closes this connection only, without
   * DISCONNECTs (SIO-DC-4),
   * as the official server does on a parser error (client.ts onerror). */
  sio_client_fail_(c, rc, SIO_DC_PEER_ERROR);
  return 1;
}

int sio_client_on_message(sio_client *c, bool is_binary, const uint8_t *bytes, size_t len,
                          uint64_t now_ms) {
  if (!c || (!bytes && len)) return REF_ERR_INVALID_ARGUMENT;
  if (c->state != SIO_CS_OPEN) return REF_ERR_BAD_STATE;
  sio_client_enter_(c);
  sio_server_clock_(c->srv, now_ms);
  static const uint8_t none[1] = {0};
  int rc = on_message_locked(c, is_binary, bytes ? bytes : none, len);
  if (c->state == SIO_CS_CLOSED) rc = 1;
  sio_client_leave_(c);
  return rc;
}
