/* Engine.IO v4 session state machine (sans-I/O): open packet, polling and WebSocket
 * transports, upgrade, heartbeat and close for one client.
 * Spec tags: EIO-HS, EIO-TR, EIO-HB, EIO-UP, EIO-CL, EIO-LIM.
 *
 * States and transitions (state, then the upgrade sub-state while on polling):
 *   OPEN    --eio_session_close()-->          CLOSING (a CLOSE packet is queued last)
 *   CLOSING --CLOSE packet pulled-->          CLOSED  (reason SERVER)
 *   CLOSING --close_timeout, nobody pulls-->  CLOSED  (reason SERVER)
 *   OPEN/CLOSING --abort (peer error, missed pong, client CLOSE, WebSocket gone,
 *                  held GET dropped)-->       CLOSED  (queue dropped)
 * Upgrade (transport polling):
 *   NONE     --WebSocket attached-->           ATTACHED (upgrade timer runs)
 *   ATTACHED --"2probe" on it-->               PROBED   ("3probe" sent on it; a held GET
 *                                                        is answered so the client can
 *                                                        pause polling)
 *   PROBED   --"5" on it-->                    transport = websocket, NONE
 *   ATTACHED/PROBED --anything else, timeout-->FAILED   (the WebSocket is to be closed;
 *                                                        the session stays on polling)
 *   any      --WebSocket closed-->             NONE
 * One queue holds every outgoing packet; whichever transport is current drains it, so
 * a packet queued during an upgrade is delivered exactly once and in order.
 *
 * A v3 session (spec/engine.io-v3.md) differs only at its edges: the codec
 * (eio3_codec.h: length-prefixed bodies, binary bodies, type byte on binary WebSocket
 * messages) and the heartbeat, where the client pings and the server answers; the one
 * timer is then hb_deadline_ms = last ping (or open) + pingInterval + pingTimeout
 * (EIO-THB-3) and no ping is ever sent (EIO-THB-2). */
#include "sioref/eio_session.h"
#include "sioref/eio3_codec.h"
#include "sioref/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum upgrade_state {
  UP_NONE = 0,
  UP_ATTACHED = 1,
  UP_PROBED = 2,
  UP_FAILED = 3,
} upgrade_state;

/* One queued outgoing packet; DATA follows the header in the same allocation. */
typedef struct qpkt {
  struct qpkt *next;
  eio_packet_type type;
  bool binary;
  size_t len;
  uint8_t data[];
} qpkt;

struct eio_session {
  char sid[EIO_SID_LEN + 1];
  const eio_config *cfg;           /* borrowed */
  const eio_session_callbacks *cb; /* borrowed */
  void *cb_user;
  void *user_data; /* application's */
  void *owner;     /* the router's */
  void *poll_conn; /* I/O layer's held-GET connection */
  void *ws_conn;   /* I/O layer's WebSocket connection */

  eio_session_state state;
  eio_close_reason close_reason;
  eio_transport transport; /* the transport that carries the session now */

  upgrade_state up;        /* only meaningful while transport is polling */
  bool ws_attached;        /* a WebSocket (transport or probe) is open */
  bool ws_close_wanted;    /* the I/O layer must close that WebSocket */
  bool probe_pong_pending; /* "3probe" still to be pulled on the probe WebSocket */
  uint64_t upgrade_deadline_ms;

  bool poll_held;  /* a GET is held, waiting for output */
  char poll_final; /* body for a GET held when the session closed: '1' or '6' */

  qpkt *head, *tail; /* outgoing queue */
  size_t queued;

  bool awaiting_pong;
  uint64_t next_ping_ms; /* when OPEN and not awaiting a pong */
  uint64_t pong_deadline_ms;
  uint64_t close_deadline_ms; /* CLOSING only */
  uint64_t noted_deadline;    /* the next deadline the router was last told of */
  uint64_t now_ms;            /* the time given with the latest call: callbacks carry it (a close
                                 caused by pulling the CLOSE packet happens "now" as last told) */

  uint8_t *out; /* pulled output: cfg->out_headroom free bytes, then data */
  size_t out_cap;

  int protocol;            /* EIO_PROTOCOL_V4 or EIO_PROTOCOL_V3 */
  bool b64;                /* v3: text polling bodies only (EIO-TTR-2) */
  bool body_binary;        /* v3: the last pulled poll body is a binary payload */
  uint64_t hb_deadline_ms; /* v3: no ping from the client by then closes (EIO-THB-3) */
  char *query;             /* owned: the handshake's raw query, or NULL */
};

static bool v3(const eio_session *s) { return s->protocol == EIO_PROTOCOL_V3; }

void eio_config_defaults(eio_config *cfg) {
  if (!cfg) return;
  memset(cfg, 0, sizeof *cfg);
  cfg->ping_interval_ms = EIO_DEFAULT_PING_INTERVAL_MS;
  cfg->ping_timeout_ms = EIO_DEFAULT_PING_TIMEOUT_MS;
  cfg->upgrade_timeout_ms = EIO_DEFAULT_UPGRADE_TIMEOUT_MS;
  cfg->close_timeout_ms = EIO_DEFAULT_CLOSE_TIMEOUT_MS;
  cfg->max_payload_bytes = EIO_DEFAULT_MAX_PAYLOAD_BYTES;
  cfg->allow_upgrades = true;
}

const char *eio_close_reason_text(eio_close_reason reason) {
  switch (reason) {
  case EIO_CLOSE_SERVER:
    return "forced close";
  case EIO_CLOSE_CLIENT:
    return "transport close";
  case EIO_CLOSE_TRANSPORT_CLOSE:
    return "transport close";
  case EIO_CLOSE_PING_TIMEOUT:
    return "ping timeout";
  case EIO_CLOSE_PARSE_ERROR:
    return "parse error";
  case EIO_CLOSE_TRANSPORT_ERROR:
    return "transport error";
  case EIO_CLOSE_NONE:
    break;
  }
  return "none";
}

static void wake(eio_session *s) {
  if (s->cb && s->cb->wake) s->cb->wake(s->cb_user, s);
}

/* Tell the router when the session's next deadline moved, so it can keep its sessions
 * in a timer heap instead of visiting every one on each turn. Every public call that
 * can change a timer ends here (the wrappers below), so the router's copy is never
 * later than the real deadline. */
static void note_deadline(eio_session *s) {
  if (!s) return;
  uint64_t d = eio_session_next_deadline(s);
  if (d == s->noted_deadline) return;
  s->noted_deadline = d;
  if (s->cb && s->cb->deadline) s->cb->deadline(s->cb_user, s, d);
}

static int enqueue(eio_session *s, eio_packet_type type, const uint8_t *data, size_t len,
                   bool binary) {
  qpkt *q = malloc(sizeof *q + len);
  if (!q) return REF_ERR_OUT_OF_MEMORY;
  q->next = NULL;
  q->type = type;
  q->binary = binary;
  q->len = len;
  if (len) memcpy(q->data, data, len);
  if (s->tail)
    s->tail->next = q;
  else
    s->head = q;
  s->tail = q;
  s->queued++;
  return 0;
}

static qpkt *dequeue(eio_session *s) {
  qpkt *q = s->head;
  if (!q) return NULL;
  s->head = q->next;
  if (!s->head) s->tail = NULL;
  s->queued--;
  return q;
}

static void drop_queue(eio_session *s) {
  qpkt *q;
  while ((q = dequeue(s)) != NULL) free(q);
}

/* Make room for N output bytes after the headroom. */
static int out_reserve(eio_session *s, size_t n) {
  size_t need = s->cfg->out_headroom + n + 1;
  if (need <= s->out_cap) return 0;
  uint8_t *p = realloc(s->out, need);
  if (!p) return REF_ERR_OUT_OF_MEMORY;
  s->out = p;
  s->out_cap = need;
  return 0;
}

static uint8_t *out_data(eio_session *s) { return s->out + s->cfg->out_headroom; }

/* Encode packets into the output buffer: N of them as one polling body, or one
 * WebSocket message. Returns the length or an error. */
static int encode_one(const eio_session *s, const eio_packet *pk, size_t n, eio_transport t,
                      uint8_t *out, size_t cap) {
  if (v3(s)) /* EIO-TPL-9/15, EIO-TPK-6 */
    return t == EIO_TRANSPORT_POLLING ? eio3_payload_encode(pk, n, s->body_binary, out, cap)
                                      : eio3_packet_encode(pk, true, out, cap);
  return t == EIO_TRANSPORT_POLLING ? eio_payload_encode(pk, n, out, cap)
                                    : eio_packet_encode(pk, t, out, cap);
}

static int encode_out(eio_session *s, const eio_packet *pk, size_t n, eio_transport t) {
  int rc = out_reserve(s, 64);
  if (rc < 0) return rc;
  size_t cap = s->out_cap - s->cfg->out_headroom;
  int need = encode_one(s, pk, n, t, out_data(s), cap);
  if (need < 0 || (size_t)need < cap) return need;
  rc = out_reserve(s, (size_t)need);
  if (rc < 0) return rc;
  return encode_one(s, pk, n, t, out_data(s), s->out_cap - s->cfg->out_headroom);
}

/* Put a fixed short text (a one-digit packet, "3probe") in the output buffer. */
static int out_text(eio_session *s, const char *text, const uint8_t **data, size_t *len) {
  size_t n = strlen(text);
  int rc = out_reserve(s, n);
  if (rc < 0) return rc;
  memcpy(out_data(s), text, n);
  *data = out_data(s);
  *len = n;
  return 1;
}

/* Remember the time of the call being served: callbacks fired by it carry it. */
static void stamp(eio_session *s, uint64_t now_ms) {
  if (s) s->now_ms = now_ms;
}

static void set_closed(eio_session *s, eio_close_reason reason) {
  s->state = EIO_SESSION_CLOSED;
  s->close_reason = reason;
  s->awaiting_pong = false;
  if (s->ws_attached) s->ws_close_wanted = true;
  s->probe_pong_pending = false;
  if (s->cb && s->cb->on_close) s->cb->on_close(s->cb_user, s, reason, s->now_ms);
  wake(s);
}

static void do_abort(eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  (void)now_ms;
  if (!s || s->state == EIO_SESSION_CLOSED) return;
  drop_queue(s);
  /* EIO-CL-2, EIO-TR-6: a GET held at close time gets a CLOSE packet, except when the client
   * itself closed: then it only needs releasing (the official server sends NOOP). */
  s->poll_final = reason == EIO_CLOSE_CLIENT ? '6' : '1';
  set_closed(s, reason);
}

void eio_session_abort(eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  stamp(s, now_ms);
  do_abort(s, reason, now_ms);
  note_deadline(s);
}

int eio_session_new(const eio_config *cfg, const char *sid, eio_transport transport,
                    uint64_t now_ms, const eio_session_callbacks *cb, void *user,
                    eio_session **out) {
  return eio_session_new_proto(cfg, sid, transport, EIO_PROTOCOL_V4, false, now_ms, cb, user, out);
}

int eio_session_new_proto(const eio_config *cfg, const char *sid, eio_transport transport,
                          int protocol, bool b64, uint64_t now_ms, const eio_session_callbacks *cb,
                          void *user, eio_session **out) {
  if (!cfg || !sid || !out || strlen(sid) != EIO_SID_LEN) return REF_ERR_INVALID_ARGUMENT;
  if (protocol != EIO_PROTOCOL_V4 && protocol != EIO_PROTOCOL_V3) return REF_ERR_INVALID_ARGUMENT;
  if (transport != EIO_TRANSPORT_POLLING && transport != EIO_TRANSPORT_WEBSOCKET)
    return REF_ERR_INVALID_ARGUMENT;
  eio_session *s = calloc(1, sizeof *s);
  if (!s) return REF_ERR_OUT_OF_MEMORY;
  memcpy(s->sid, sid, EIO_SID_LEN + 1);
  s->cfg = cfg;
  s->cb = cb;
  s->cb_user = user;
  s->transport = transport;
  s->ws_attached = transport == EIO_TRANSPORT_WEBSOCKET;
  s->state = EIO_SESSION_OPEN;
  s->now_ms = now_ms;
  s->protocol = protocol;
  s->b64 = protocol == EIO_PROTOCOL_V3 && b64;
  /* EIO-HB-1: the first ping goes out pingInterval after the open packet. EIO-THB-3: a
   * v3 client's first ping is due within pingInterval + pingTimeout of it. */
  s->next_ping_ms = now_ms + cfg->ping_interval_ms;
  s->hb_deadline_ms = now_ms + (uint64_t)cfg->ping_interval_ms + cfg->ping_timeout_ms;
  s->noted_deadline = eio_session_next_deadline(s); /* the router reads it after creation */

  /* EIO-HS-2, EIO-HS-3: the open packet announces sid, upgrades, the two heartbeat timings and
   * maxPayload; upgrades is ["websocket"] on polling and [] on WebSocket. EIO-THS-1: a v3
   * open packet may omit maxPayload; we announce it there too, as engine.io 6.x does. */
  char open[256];
  bool upgrades = transport == EIO_TRANSPORT_POLLING && cfg->allow_upgrades;
  int n = snprintf(open, sizeof open,
                   "{\"sid\":\"%s\",\"upgrades\":[%s],\"pingInterval\":%u,"
                   "\"pingTimeout\":%u,\"maxPayload\":%zu}",
                   s->sid, upgrades ? "\"websocket\"" : "", (unsigned)cfg->ping_interval_ms,
                   (unsigned)cfg->ping_timeout_ms, cfg->max_payload_bytes);
  if (n < 0 || (size_t)n >= sizeof open ||
      enqueue(s, EIO_PACKET_OPEN, (const uint8_t *)open, (size_t)n, false) < 0) {
    free(s);
    return REF_ERR_OUT_OF_MEMORY;
  }
  *out = s;
  return 0;
}

void eio_session_free(eio_session *s) {
  if (!s) return;
  drop_queue(s);
  free(s->out);
  free(s->query);
  free(s);
}

const char *eio_session_sid(const eio_session *s) { return s ? s->sid : NULL; }
int eio_session_protocol(const eio_session *s) { return s ? s->protocol : EIO_PROTOCOL_V4; }

int eio_session_set_query(eio_session *s, const char *query) {
  if (!s) return REF_ERR_INVALID_ARGUMENT;
  free(s->query);
  s->query = query ? strdup(query) : NULL;
  return query && !s->query ? REF_ERR_OUT_OF_MEMORY : 0;
}

const char *eio_session_query(const eio_session *s) { return s && s->query ? s->query : ""; }
bool eio_session_poll_binary(const eio_session *s) { return s && s->body_binary; }
eio_session_state eio_session_state_get(const eio_session *s) {
  return s ? s->state : EIO_SESSION_CLOSED;
}
eio_transport eio_session_transport(const eio_session *s) {
  return s ? s->transport : EIO_TRANSPORT_POLLING;
}
eio_close_reason eio_session_close_reason(const eio_session *s) {
  return s ? s->close_reason : EIO_CLOSE_NONE;
}
bool eio_session_upgrading(const eio_session *s) {
  return s && s->transport == EIO_TRANSPORT_POLLING && s->ws_attached &&
         (s->up == UP_ATTACHED || s->up == UP_PROBED);
}
void eio_session_set_user_data(eio_session *s, void *data) {
  if (s) s->user_data = data;
}
void *eio_session_user_data(const eio_session *s) { return s ? s->user_data : NULL; }
void eio_session_set_poll_conn(eio_session *s, void *conn) {
  if (s) s->poll_conn = conn;
}
void *eio_session_poll_conn(const eio_session *s) { return s ? s->poll_conn : NULL; }
void eio_session_set_ws_conn(eio_session *s, void *conn) {
  if (s) s->ws_conn = conn;
}
void *eio_session_ws_conn(const eio_session *s) { return s ? s->ws_conn : NULL; }
bool eio_session_ws_attached(const eio_session *s) { return s && s->ws_attached; }
void eio_session_set_owner(eio_session *s, void *owner) {
  if (s) s->owner = owner;
}
void *eio_session_owner(const eio_session *s) { return s ? s->owner : NULL; }

/* ---- application side ---- */

int eio_session_send(eio_session *s, const uint8_t *data, size_t len, bool binary,
                     uint64_t now_ms) {
  stamp(s, now_ms);
  if (!s || (!data && len)) return REF_ERR_INVALID_ARGUMENT;
  if (!binary) {
    /* Text must be UTF-8 (EIO-PK) and, on polling, free of the record separator that
     * joins packets in a body (EIO-PL-8): refuse it here, not when a poll is due. */
    if (!ref_utf8_valid(data, len)) return REF_ERR_INVALID_ARGUMENT;
    if (!v3(s) && s->transport == EIO_TRANSPORT_POLLING && len && memchr(data, 0x1e, len))
      return REF_ERR_INVALID_ARGUMENT;
  }
  if (s->state != EIO_SESSION_OPEN) return REF_ERR_BAD_STATE;
  int rc = enqueue(s, EIO_PACKET_MESSAGE, data, len, binary);
  if (rc < 0) return rc;
  wake(s);
  return 0;
}

static void do_close(eio_session *s, uint64_t now_ms) {
  if (!s || s->state != EIO_SESSION_OPEN) return;
  /* EIO-CL-4, EIO-CL-5: orderly close: what is queued goes first, the CLOSE packet last. */
  if (enqueue(s, EIO_PACKET_CLOSE, NULL, 0, false) < 0) {
    eio_session_abort(s, EIO_CLOSE_SERVER, now_ms);
    return;
  }
  s->state = EIO_SESSION_CLOSING;
  s->close_deadline_ms = now_ms + s->cfg->close_timeout_ms;
  /* EIO-CL-4 during an upgrade: the probe WebSocket is left alone. The CLOSE packet goes
   * out on whichever transport the client uses next (the poll, or the WebSocket once
   * it sends "5"), and set_closed() closes the probe after that. Closing the probe
   * here instead can leave the official client stuck: once it has started pausing its
   * polling for the switch, a failed probe leaves the polling paused for good, so it
   * never fetches the CLOSE packet and ends with a ping timeout. */
  wake(s);
}

void eio_session_close(eio_session *s, uint64_t now_ms) {
  stamp(s, now_ms);
  do_close(s, now_ms);
  note_deadline(s);
}

/* ---- time ---- */

static void fail_upgrade(eio_session *s) {
  s->up = UP_FAILED;
  s->probe_pong_pending = false;
  s->ws_close_wanted = true;
  wake(s);
}

static void do_tick(eio_session *s, uint64_t now_ms) {
  if (!s || s->state == EIO_SESSION_CLOSED) return;
  if (s->state == EIO_SESSION_CLOSING && now_ms >= s->close_deadline_ms) {
    eio_session_abort(s, EIO_CLOSE_SERVER, now_ms);
    return;
  }
  /* EIO-THB-3: no ping from a v3 client for pingInterval + pingTimeout closes; EIO-THB-2:
   * the server never pings it. */
  if (v3(s)) {
    if (now_ms >= s->hb_deadline_ms) {
      eio_session_abort(s, EIO_CLOSE_PING_TIMEOUT, now_ms);
      return;
    }
    if (eio_session_upgrading(s) && now_ms >= s->upgrade_deadline_ms) fail_upgrade(s);
    return;
  }
  /* EIO-HB-3, EIO-HB-7: a pong that does not come within pingTimeout closes. */
  if (s->awaiting_pong && now_ms >= s->pong_deadline_ms) {
    eio_session_abort(s, EIO_CLOSE_PING_TIMEOUT, now_ms);
    return;
  }
  /* EIO-HB-1: the server pings pingInterval after the open packet or the last pong. */
  if (s->state == EIO_SESSION_OPEN && !s->awaiting_pong && now_ms >= s->next_ping_ms) {
    if (enqueue(s, EIO_PACKET_PING, NULL, 0, false) == 0) {
      s->awaiting_pong = true;
      s->pong_deadline_ms = now_ms + s->cfg->ping_timeout_ms;
      wake(s);
    }
  }
  /* EIO-UP-7: an upgrade that is not completed within upgradeTimeout is given up. */
  if (eio_session_upgrading(s) && now_ms >= s->upgrade_deadline_ms) fail_upgrade(s);
}

void eio_session_tick(eio_session *s, uint64_t now_ms) {
  stamp(s, now_ms);
  do_tick(s, now_ms);
  note_deadline(s);
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint64_t eio_session_next_deadline(const eio_session *s) {
  if (!s || s->state == EIO_SESSION_CLOSED) return EIO_NO_DEADLINE;
  uint64_t d = EIO_NO_DEADLINE;
  if (v3(s))
    d = s->hb_deadline_ms; /* EIO-THB-3 */
  else if (s->awaiting_pong)
    d = s->pong_deadline_ms;
  else if (s->state == EIO_SESSION_OPEN)
    d = s->next_ping_ms;
  if (s->state == EIO_SESSION_CLOSING) d = min_u64(d, s->close_deadline_ms);
  if (eio_session_upgrading(s)) d = min_u64(d, s->upgrade_deadline_ms);
  return d;
}

/* ---- incoming packets (both transports) ---- */

static int deliver_message(eio_session *s, const eio_packet *p) {
  if (!s->cb || !s->cb->on_message) return 0;
  if (p->kind != EIO_DATA_BASE64) {
    s->cb->on_message(s->cb_user, s, p->data.ptr, p->data.len, p->kind == EIO_DATA_BINARY,
                      s->now_ms);
    return 0;
  }
  size_t cap = eio_base64_decoded_len(p->data.len);
  uint8_t *raw = malloc(cap ? cap : 1);
  if (!raw) return REF_ERR_OUT_OF_MEMORY;
  int n = eio_base64_decode(p->data.ptr, p->data.len, raw, cap);
  if (n >= 0) s->cb->on_message(s->cb_user, s, raw, (size_t)n, true, s->now_ms);
  free(raw);
  return n < 0 ? n : 0;
}

/* Handle one decoded packet on the session's current transport. Returns 0 or the
 * error that closed the session. */
static int handle_packet(eio_session *s, const eio_packet *p, uint64_t now_ms) {
  switch (p->type) {
  case EIO_PACKET_MESSAGE: {
    int rc = deliver_message(s, p);
    if (rc == REF_ERR_BAD_BASE64) eio_session_abort(s, EIO_CLOSE_PARSE_ERROR, now_ms);
    return rc;
  }
  case EIO_PACKET_PONG:
    if (v3(s)) return 0; /* EIO-THB-5: out of direction on v3, ignored */
    /* EIO-HB-5: a pong when none is awaited changes nothing but the interval, which
     * (as in the official server) restarts from the last pong. */
    s->awaiting_pong = false;
    s->next_ping_ms = now_ms + s->cfg->ping_interval_ms;
    return 0;
  case EIO_PACKET_PING:
    if (v3(s)) {
      /* EIO-THB-1, EIO-THB-3: answer with a pong and restart the timeout (the data is
       * not echoed, as engine.io does not). */
      s->hb_deadline_ms = now_ms + (uint64_t)s->cfg->ping_interval_ms + s->cfg->ping_timeout_ms;
      int rc = enqueue(s, EIO_PACKET_PONG, NULL, 0, false);
      if (rc == 0) wake(s);
      return rc;
    }
    /* EIO-HB-4: v4 heartbeats are server-driven; a client ping (with or without
     * "probe") on the session's own transport is ignored. The official server closes
     * the session instead ("invalid heartbeat direction"). */
    return 0;
  case EIO_PACKET_CLOSE:
    /* EIO-CL-1, EIO-CL-2, EIO-CL-3: the client closes the session. */
    eio_session_abort(s, EIO_CLOSE_CLIENT, now_ms);
    return 0;
  case EIO_PACKET_OPEN:
  case EIO_PACKET_UPGRADE:
  case EIO_PACKET_NOOP:
    /* EIO-HS-11, EIO-CL-6: packets only a server sends (or only a probe WebSocket
     * carries) are protocol errors on an established transport. */
    eio_session_abort(s, EIO_CLOSE_PARSE_ERROR, now_ms);
    return REF_ERR_UNEXPECTED_PACKET;
  }
  return 0;
}

/* ---- polling transport ---- */

static int do_poll_begin(eio_session *s, uint64_t now_ms) {
  if (!s) return REF_ERR_INVALID_ARGUMENT;
  if (s->state == EIO_SESSION_CLOSED) return REF_ERR_BAD_STATE;
  if (s->transport != EIO_TRANSPORT_POLLING) return REF_ERR_TRANSPORT_MISMATCH;
  if (s->poll_held) {
    /* EIO-TR-6: one GET at a time; an overlapping GET is a protocol error that closes
     * the session (the official server answers the new GET 400 and the held GET with
     * a CLOSE packet). */
    eio_session_abort(s, EIO_CLOSE_TRANSPORT_ERROR, now_ms);
    return REF_ERR_POLL_OVERLAP;
  }
  s->poll_held = true;
  if (eio_session_poll_ready(s)) wake(s);
  return 0;
}

int eio_session_poll_begin(eio_session *s, uint64_t now_ms) {
  stamp(s, now_ms);
  int rc = do_poll_begin(s, now_ms);
  note_deadline(s);
  return rc;
}

bool eio_session_poll_ready(const eio_session *s) {
  if (!s || !s->poll_held) return false;
  if (s->state == EIO_SESSION_CLOSED) return true;
  if (s->transport != EIO_TRANSPORT_POLLING) return true; /* upgraded: release it */
  if (s->head) return true;
  /* EIO-UP-4: once probed, answer at once (NOOP) so the client can pause polling. */
  return s->up == UP_PROBED;
}

static int do_poll_pull(eio_session *s, const uint8_t **body, size_t *len) {
  if (!s || !body || !len) return REF_ERR_INVALID_ARGUMENT;
  if (!s->poll_held) return REF_ERR_BAD_STATE;
  if (!eio_session_poll_ready(s)) return 0;
  s->body_binary = false;
  if (s->state == EIO_SESSION_CLOSED) {
    /* EIO-TPL-1: a v3 body is length-prefixed even for one packet */
    char final[4] = {'1', ':', s->poll_final ? s->poll_final : '1', 0};
    s->poll_held = false;
    return out_text(s, v3(s) ? final : final + 2, body, len);
  }
  if (s->transport != EIO_TRANSPORT_POLLING || !s->head) {
    s->poll_held = false;
    return out_text(s, v3(s) ? "1:6" : "6", body, len);
  }
  /* EIO-TR-4: everything queued goes out in one body. */
  eio_packet *pk = malloc(s->queued * sizeof *pk);
  if (!pk) return REF_ERR_OUT_OF_MEMORY;
  size_t n = 0;
  bool has_close = false;
  for (qpkt *q = s->head; q; q = q->next, n++) {
    pk[n].type = q->type;
    pk[n].kind = q->binary ? EIO_DATA_BINARY : EIO_DATA_TEXT;
    pk[n].data.ptr = q->data;
    pk[n].data.len = q->len;
    if (q->type == EIO_PACKET_CLOSE) has_close = true;
    /* EIO-TTR-2, EIO-TTR-3: binary data goes out as a v3 binary body unless b64=1 */
    if (q->binary && v3(s) && !s->b64) s->body_binary = true;
  }
  int need = encode_out(s, pk, n, EIO_TRANSPORT_POLLING);
  free(pk);
  if (need < 0) return need;
  *body = out_data(s);
  *len = (size_t)need;
  s->poll_held = false;
  drop_queue(s);
  if (has_close) {
    /* EIO-CL-4: the CLOSE packet is out; the orderly close is complete. */
    s->poll_final = '1';
    set_closed(s, EIO_CLOSE_SERVER);
  }
  return 1;
}

int eio_session_poll_pull(eio_session *s, const uint8_t **body, size_t *len) {
  int rc = do_poll_pull(s, body, len);
  note_deadline(s);
  return rc;
}

static void do_poll_aborted(eio_session *s, uint64_t now_ms) {
  if (!s || !s->poll_held) return;
  s->poll_held = false;
  /* The official server: "poll connection closed prematurely" -> transport error. */
  eio_session_abort(s, EIO_CLOSE_TRANSPORT_ERROR, now_ms);
}

void eio_session_poll_aborted(eio_session *s, uint64_t now_ms) {
  stamp(s, now_ms);
  do_poll_aborted(s, now_ms);
  note_deadline(s);
}

static int do_poll_post(eio_session *s, const uint8_t *body, size_t len, bool binary_body,
                        uint64_t now_ms) {
  if (!s || (!body && len) || (binary_body && !v3(s))) return REF_ERR_INVALID_ARGUMENT;
  /* EIO-TR-10, EIO-LIM-1: the one maxPayload decision for polling bodies (the router
   * answers it 413, the I/O layer only stops buffering past eio_server_input_cap).
   * First, whatever the state: a body is refused for its size alone. */
  if (len > s->cfg->max_payload_bytes) {
    eio_session_abort(s, EIO_CLOSE_TRANSPORT_ERROR, now_ms);
    return REF_ERR_PAYLOAD_TOO_LARGE;
  }
  if (s->state == EIO_SESSION_CLOSED) return REF_ERR_BAD_STATE;
  if (s->transport != EIO_TRANSPORT_POLLING) return REF_ERR_TRANSPORT_MISMATCH;
  if (!body) body = (const uint8_t *)""; /* an empty body: never hand NULL on */
  eio_payload_iter it;
  eio3_payload_iter it3; /* EIO-TTR-5: v3 bodies, text or binary by Content-Type */
  int rc = v3(s) ? eio3_payload_iter_init(&it3, body, len, binary_body, 0, 0)
                 : eio_payload_iter_init(&it, body, len, 0, 0); /* size checked above */
  if (rc < 0) {
    /* EIO-TPL-5/7: a v3 body refused whole is undecodable ("parse error") */
    eio_session_abort(s, v3(s) ? EIO_CLOSE_PARSE_ERROR : EIO_CLOSE_TRANSPORT_ERROR, now_ms);
    return rc;
  }
  for (;;) {
    eio_packet p;
    rc = v3(s) ? eio3_payload_next(&it3, &p) : eio_payload_next(&it, &p);
    if (rc == 0) return 0;
    if (rc < 0) {
      eio_session_abort(s, EIO_CLOSE_PARSE_ERROR, now_ms);
      return rc;
    }
    rc = handle_packet(s, &p, now_ms);
    if (rc < 0) return rc;
    if (s->state == EIO_SESSION_CLOSED) return 0;
  }
}

int eio_session_poll_post(eio_session *s, const uint8_t *body, size_t len, uint64_t now_ms) {
  return eio_session_poll_post_typed(s, body, len, false, now_ms);
}

int eio_session_poll_post_typed(eio_session *s, const uint8_t *body, size_t len, bool binary_body,
                                uint64_t now_ms) {
  stamp(s, now_ms);
  int rc = do_poll_post(s, body, len, binary_body, now_ms);
  note_deadline(s);
  return rc;
}

/* ---- WebSocket transport ---- */

static int do_ws_attach(eio_session *s, uint64_t now_ms) {
  if (!s) return REF_ERR_INVALID_ARGUMENT;
  if (s->state != EIO_SESSION_OPEN) return REF_ERR_BAD_STATE;
  /* EIO-UP-1, EIO-TR-16: one upgrade, from polling, while no other WebSocket is attached. */
  if (!s->cfg->allow_upgrades || s->transport != EIO_TRANSPORT_POLLING || s->ws_attached)
    return REF_ERR_UPGRADE_REFUSED;
  s->ws_attached = true;
  s->ws_close_wanted = false;
  s->up = UP_ATTACHED;
  s->upgrade_deadline_ms = now_ms + s->cfg->upgrade_timeout_ms;
  return 0;
}

int eio_session_ws_attach(eio_session *s, uint64_t now_ms) {
  stamp(s, now_ms);
  int rc = do_ws_attach(s, now_ms);
  note_deadline(s);
  return rc;
}

static int probe_message(eio_session *s, const uint8_t *data, size_t len, bool binary) {
  eio_packet p;
  if (s->up == UP_FAILED) return REF_ERR_UPGRADE_REFUSED; /* already being closed */
  int drc = binary  ? -1
            : v3(s) ? eio3_packet_decode_text(data, len, &p)
                    : eio_packet_decode_text(data, len, &p);
  if (drc == 0) {
    if (p.type == EIO_PACKET_PING && s->up == UP_ATTACHED && p.data.len == 5 &&
        memcmp(p.data.ptr, "probe", 5) == 0) {
      /* EIO-UP-3, EIO-UP-4: answer the probe on the new WebSocket, and release a held GET. */
      s->up = UP_PROBED;
      s->probe_pong_pending = true;
      wake(s);
      return 0;
    }
    if (p.type == EIO_PACKET_UPGRADE && s->up == UP_PROBED && p.data.len == 0) {
      /* EIO-UP-5, EIO-UP-6: switch; the queue now drains to the WebSocket, a held GET gets NOOP
       * and further polling requests for this sid are refused. */
      s->transport = EIO_TRANSPORT_WEBSOCKET;
      s->up = UP_NONE;
      s->probe_pong_pending = false;
      wake(s);
      return 0;
    }
  }
  /* EIO-UP-8: anything else on a probe WebSocket (UPGRADE without a probe included) ends
   * the upgrade attempt; the session goes on over polling. */
  fail_upgrade(s);
  return REF_ERR_UPGRADE_REFUSED;
}

static int do_ws_message(eio_session *s, const uint8_t *data, size_t len, bool binary,
                         uint64_t now_ms) {
  if (!s || (!data && len)) return REF_ERR_INVALID_ARGUMENT;
  /* EIO-TR-18, EIO-LIM-1: the one maxPayload decision for WebSocket messages, made
   * first as for bodies. The WebSocket is to be closed (status 1009, by the I/O layer
   * on this return); the session closes with it when it carried the session (a probe
   * only ends the upgrade, when its WebSocket goes). */
  if (len > s->cfg->max_payload_bytes) {
    if (s->transport == EIO_TRANSPORT_WEBSOCKET)
      eio_session_abort(s, EIO_CLOSE_TRANSPORT_ERROR, now_ms);
    return REF_ERR_PAYLOAD_TOO_LARGE;
  }
  if (!s->ws_attached || s->state == EIO_SESSION_CLOSED) return REF_ERR_BAD_STATE;
  if (s->transport == EIO_TRANSPORT_POLLING) return probe_message(s, data, len, binary);
  eio_packet p;
  int rc;
  if (v3(s)) /* EIO-TPK-5, EIO-TTR-1: a binary message starts with its type byte */
    rc = binary ? eio3_packet_decode_binary(data, len, &p) : eio3_packet_decode_text(data, len, &p);
  else
    rc = binary ? eio_packet_decode_binary(data, len, &p) : eio_packet_decode_text(data, len, &p);
  if (rc < 0) {
    eio_session_abort(s, EIO_CLOSE_PARSE_ERROR, now_ms);
    return rc;
  }
  return handle_packet(s, &p, now_ms);
}

int eio_session_ws_message(eio_session *s, const uint8_t *data, size_t len, bool binary,
                           uint64_t now_ms) {
  stamp(s, now_ms);
  int rc = do_ws_message(s, data, len, binary, now_ms);
  note_deadline(s);
  return rc;
}

static int do_ws_pull(eio_session *s, const uint8_t **data, size_t *len, bool *binary) {
  if (!s || !data || !len || !binary) return REF_ERR_INVALID_ARGUMENT;
  if (!s->ws_attached) return 0;
  *binary = false;
  if (s->probe_pong_pending) {
    s->probe_pong_pending = false;
    return out_text(s, "3probe", data, len);
  }
  if (s->transport != EIO_TRANSPORT_WEBSOCKET || s->state == EIO_SESSION_CLOSED || !s->head)
    return 0;
  qpkt *q = s->head;
  eio_packet p = {.type = q->type,
                  .kind = q->binary ? EIO_DATA_BINARY : EIO_DATA_TEXT,
                  .data = {q->data, q->len}};
  int need = encode_out(s, &p, 1, EIO_TRANSPORT_WEBSOCKET);
  if (need < 0) return need;
  *data = out_data(s);
  *len = (size_t)need;
  *binary = q->binary;
  free(dequeue(s));
  if (p.type == EIO_PACKET_CLOSE) {
    s->poll_final = '1';
    set_closed(s, EIO_CLOSE_SERVER); /* EIO-CL-5: CLOSE sent, now close the WebSocket */
  }
  return 1;
}

int eio_session_ws_pull(eio_session *s, const uint8_t **data, size_t *len, bool *binary) {
  int rc = do_ws_pull(s, data, len, binary);
  note_deadline(s);
  return rc;
}

bool eio_session_ws_want_close(const eio_session *s) {
  return s && s->ws_attached && s->ws_close_wanted && !s->probe_pong_pending;
}

static void do_ws_closed(eio_session *s, uint64_t now_ms) {
  if (!s || !s->ws_attached) return;
  s->ws_attached = false;
  s->ws_close_wanted = false;
  s->probe_pong_pending = false;
  s->ws_conn = NULL;
  if (s->transport == EIO_TRANSPORT_WEBSOCKET) {
    eio_session_abort(s, EIO_CLOSE_TRANSPORT_CLOSE, now_ms);
    return;
  }
  s->up = UP_NONE; /* a failed or abandoned probe: the session stays on polling */
}

void eio_session_ws_closed(eio_session *s, uint64_t now_ms) {
  stamp(s, now_ms);
  do_ws_closed(s, now_ms);
  note_deadline(s);
}
