/* Engine.IO v4 router (sans-I/O): validates requests, runs handshakes, keeps the sid
 * table and answers with the official server's HTTP statuses and JSON errors.
 * Spec tags: EIO-HS, EIO-TR, EIO-UP, EIO-ERR, EIO-LIM, EIO-CORS.
 *
 * Checks run in the official server's order (engine.io 6.6.4 Server.verify, then the
 * handshake): transport name, Origin header characters, then with a sid: known sid and
 * matching transport; without: GET only, no "websocket" without an upgrade, EIO=4. */
#include "sioref/eio_server.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One table entry per session; it is the session's owner and its callbacks' user. */
typedef struct entry {
  eio_server *srv;
  eio_session *s;
  int holds;                 /* requests / WebSockets of the I/O layer pointing at s */
  bool linked;               /* in the sid table (open or closing) */
  bool post_active;          /* a POST body is being read */
  bool post_binary;          /* that body is a v3 binary payload (EIO-TTR-5) */
  size_t hpos;               /* 1 + index in the timer heap, 0 when not in it */
  uint64_t key;              /* its deadline in the heap (0: closed, to be reaped) */
  struct entry *hnext;       /* hash chain */
  struct entry *prev, *next; /* list of all entries */
} entry;

struct eio_server {
  eio_server_config cfg;
  char **origins; /* copies of cfg.cors_origins */
  bool cors_any;
  eio_session_callbacks cb;
  entry **buckets;
  size_t nbuckets; /* power of two */
  size_t linked;
  size_t allocated;
  entry *all;
  entry **heap; /* binary min-heap on entry.key: the next timer is heap[0] */
  size_t heap_n, heap_cap;
  char errbuf[160];
};

static const char *const error_messages[] = {
    "Transport unknown", "Session ID unknown", "Bad handshake method",
    "Bad request",       "Forbidden",          "Unsupported protocol version",
};

const char *eio_http_error_message(eio_http_error code) {
  if ((int)code < 0 || (size_t)code >= sizeof error_messages / sizeof *error_messages)
    return "Bad request";
  return error_messages[code];
}

/* ---- timer heap ----
 * Every live session sits in a min-heap keyed by its next deadline, so a tick costs
 * O(due sessions x log n) instead of a visit to every session, and the I/O layer learns
 * the next wake-up time from heap[0]. Sessions report deadline changes through the
 * session's deadline callback; a closed session is keyed 0 so the next tick reaps it. */

static void heap_place(eio_server *srv, size_t i, entry *e) {
  srv->heap[i] = e;
  e->hpos = i + 1;
}

static void heap_sift_up(eio_server *srv, size_t i) {
  entry *e = srv->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (srv->heap[parent]->key <= e->key) break;
    heap_place(srv, i, srv->heap[parent]);
    i = parent;
  }
  heap_place(srv, i, e);
}

static void heap_sift_down(eio_server *srv, size_t i) {
  entry *e = srv->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= srv->heap_n) break;
    if (c + 1 < srv->heap_n && srv->heap[c + 1]->key < srv->heap[c]->key) c++;
    if (e->key <= srv->heap[c]->key) break;
    heap_place(srv, i, srv->heap[c]);
    i = c;
  }
  heap_place(srv, i, e);
}

static void heap_remove(eio_server *srv, entry *e) {
  if (!e->hpos) return;
  size_t i = e->hpos - 1;
  e->hpos = 0;
  entry *last = srv->heap[--srv->heap_n];
  if (last == e) return;
  heap_place(srv, i, last);
  heap_sift_up(srv, i);
  heap_sift_down(srv, last->hpos - 1);
}

/* Put E in the heap under KEY (or move it there). Returns 0 or -1 when the heap
 * cannot grow (the caller then keeps the session out of timers and closes it). */
static int heap_set(eio_server *srv, entry *e, uint64_t key) {
  e->key = key;
  if (e->hpos) {
    heap_sift_up(srv, e->hpos - 1);
    heap_sift_down(srv, e->hpos - 1);
    return 0;
  }
  if (srv->heap_n == srv->heap_cap) {
    size_t cap = srv->heap_cap ? srv->heap_cap * 2 : 64;
    entry **h = realloc(srv->heap, cap * sizeof *h);
    if (!h) return -1;
    srv->heap = h;
    srv->heap_cap = cap;
  }
  heap_place(srv, srv->heap_n++, e);
  heap_sift_up(srv, e->hpos - 1);
  return 0;
}

/* ---- callbacks: forward to the application, keep the table in step ---- */

static void unlink_entry(entry *e);

static void cb_message(void *user, eio_session *s, const uint8_t *d, size_t n, bool bin,
                       uint64_t now_ms) {
  entry *e = user;
  if (e->srv->cfg.on_message) e->srv->cfg.on_message(e->srv->cfg.app_user, s, d, n, bin, now_ms);
}

static void cb_close(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  entry *e = user;
  unlink_entry(e); /* a closed sid is unknown from now on */
  /* Due at once: the next tick frees it (never inside a callback). A failed heap
   * growth leaves it to the release that drops its last hold. */
  (void)heap_set(e->srv, e, 0);
  if (e->srv->cfg.on_close) e->srv->cfg.on_close(e->srv->cfg.app_user, s, reason, now_ms);
}

static void cb_deadline(void *user, eio_session *s, uint64_t deadline_ms) {
  entry *e = user;
  if (eio_session_state_get(s) == EIO_SESSION_CLOSED) return; /* keyed 0 by cb_close */
  if (deadline_ms == EIO_NO_DEADLINE) {
    heap_remove(e->srv, e);
  } else if (heap_set(e->srv, e, deadline_ms) < 0) {
    /* No memory for its timer: a session without timers would never be pinged or
     * reaped, so close it (EIO-HB-1 cannot be kept). */
    eio_session_abort(s, EIO_CLOSE_SERVER, deadline_ms);
  }
}

static void cb_wake(void *user, eio_session *s) {
  entry *e = user;
  if (e->srv->cfg.wake) e->srv->cfg.wake(e->srv->cfg.wake_user, s);
}

/* ---- table ---- */

static size_t hash_sid(const char *sid) {
  size_t h = 2166136261u;
  for (; *sid; sid++) h = (h ^ (unsigned char)*sid) * 16777619u;
  return h;
}

static entry *lookup(const eio_server *srv, const char *sid) {
  for (entry *e = srv->buckets[hash_sid(sid) & (srv->nbuckets - 1)]; e; e = e->hnext)
    if (strcmp(eio_session_sid(e->s), sid) == 0) return e;
  return NULL;
}

static void grow(eio_server *srv) {
  size_t n = srv->nbuckets * 2;
  entry **b = calloc(n, sizeof *b);
  if (!b) return; /* keep the old table: slower, still correct */
  for (size_t i = 0; i < srv->nbuckets; i++) {
    entry *e = srv->buckets[i];
    while (e) {
      entry *nx = e->hnext;
      size_t k = hash_sid(eio_session_sid(e->s)) & (n - 1);
      e->hnext = b[k];
      b[k] = e;
      e = nx;
    }
  }
  free(srv->buckets);
  srv->buckets = b;
  srv->nbuckets = n;
}

static void link_entry(eio_server *srv, entry *e) {
  if (srv->linked >= srv->nbuckets) grow(srv);
  size_t k = hash_sid(eio_session_sid(e->s)) & (srv->nbuckets - 1);
  e->hnext = srv->buckets[k];
  srv->buckets[k] = e;
  e->linked = true;
  srv->linked++;
  e->next = srv->all;
  e->prev = NULL;
  if (srv->all) srv->all->prev = e;
  srv->all = e;
  srv->allocated++;
}

static void unlink_entry(entry *e) {
  if (!e->linked) return;
  eio_server *srv = e->srv;
  entry **pp = &srv->buckets[hash_sid(eio_session_sid(e->s)) & (srv->nbuckets - 1)];
  while (*pp && *pp != e) pp = &(*pp)->hnext;
  if (*pp) *pp = e->hnext;
  e->linked = false;
  srv->linked--;
}

static void free_entry(entry *e) {
  eio_server *srv = e->srv;
  unlink_entry(e);
  heap_remove(srv, e);
  if (e->prev)
    e->prev->next = e->next;
  else
    srv->all = e->next;
  if (e->next) e->next->prev = e->prev;
  srv->allocated--;
  eio_session_free(e->s);
  free(e);
}

static void maybe_free(entry *e) {
  if (e->holds <= 0 && eio_session_state_get(e->s) == EIO_SESSION_CLOSED) free_entry(e);
}

/* ---- construction ---- */

int eio_server_new(const eio_server_config *cfg, eio_server **out) {
  if (!cfg || !out || !cfg->random) return REF_ERR_INVALID_ARGUMENT;
  eio_server *srv = calloc(1, sizeof *srv);
  if (!srv) return REF_ERR_OUT_OF_MEMORY;
  srv->cfg = *cfg;
  srv->nbuckets = 64;
  srv->buckets = calloc(srv->nbuckets, sizeof *srv->buckets);
  if (cfg->n_cors_origins) srv->origins = calloc(cfg->n_cors_origins, sizeof *srv->origins);
  if (!srv->buckets || (cfg->n_cors_origins && !srv->origins)) goto oom;
  for (size_t i = 0; i < cfg->n_cors_origins; i++) {
    srv->origins[i] = strdup(cfg->cors_origins[i] ? cfg->cors_origins[i] : "");
    if (!srv->origins[i]) goto oom;
    if (strcmp(srv->origins[i], "*") == 0) srv->cors_any = true;
  }
  srv->cfg.cors_origins = (const char *const *)srv->origins;
  srv->cb.on_message = cb_message;
  srv->cb.on_close = cb_close;
  srv->cb.wake = cb_wake;
  srv->cb.deadline = cb_deadline;
  *out = srv;
  return 0;
oom:
  srv->cfg.cors_origins = NULL;
  eio_server_free(srv);
  return REF_ERR_OUT_OF_MEMORY;
}

void eio_server_free(eio_server *srv) {
  if (!srv) return;
  while (srv->all) {
    entry *e = srv->all;
    e->linked = false; /* skip the table walk: it is freed below */
    srv->all = e->next;
    eio_session_free(e->s);
    free(e);
  }
  if (srv->origins)
    for (size_t i = 0; i < srv->cfg.n_cors_origins; i++) free(srv->origins[i]);
  free(srv->origins);
  free(srv->buckets);
  free(srv->heap);
  free(srv);
}

/* ---- query string ---- */

typedef struct query_val {
  char v[64];
  bool present;
  bool bad; /* repeated, too long, or badly escaped: matches nothing */
} query_val;

typedef struct query {
  query_val eio, transport, sid, b64;
} query;

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Percent-decode [P, END) into OUT (form encoding: '+' is a space). */
static bool decode_component(const char *p, const char *end, char *out, size_t cap) {
  size_t n = 0;
  while (p < end) {
    char c = *p++;
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (end - p < 2 || hexval(p[0]) < 0 || hexval(p[1]) < 0) return false;
      c = (char)(hexval(p[0]) * 16 + hexval(p[1]));
      p += 2;
    }
    if (n + 1 >= cap) return false;
    out[n++] = c;
  }
  out[n] = 0;
  return true;
}

static void parse_query(const char *q, query *out) {
  memset(out, 0, sizeof *out);
  if (!q) return;
  while (*q) {
    const char *amp = strchr(q, '&');
    const char *end = amp ? amp : q + strlen(q);
    const char *eq = memchr(q, '=', (size_t)(end - q));
    const char *kend = eq ? eq : end;
    char key[16];
    query_val *slot = NULL;
    if (decode_component(q, kend, key, sizeof key)) {
      if (strcmp(key, "EIO") == 0)
        slot = &out->eio;
      else if (strcmp(key, "transport") == 0)
        slot = &out->transport;
      else if (strcmp(key, "sid") == 0)
        slot = &out->sid;
      else if (strcmp(key, "b64") == 0)
        slot = &out->b64;
    }
    if (slot) {
      /* A repeated key becomes a list in the official server, which then matches no
       * transport, no sid and no version. */
      if (slot->present) slot->bad = true;
      slot->present = true;
      const char *vb = eq ? eq + 1 : end;
      if (!decode_component(vb, end, slot->v, sizeof slot->v)) slot->bad = true;
    }
    q = amp ? amp + 1 : end;
  }
}

static bool val_is(const query_val *v, const char *s) {
  return v->present && !v->bad && strcmp(v->v, s) == 0;
}

/* EIO-TVER-1, EIO-TVER-2: "4" is v4; anything else (or nothing) is v3 when v3 is
 * served, else no version we speak (0). */
static int query_protocol(const eio_server *srv, const query *q) {
  if (val_is(&q->eio, "4")) return EIO_PROTOCOL_V4;
  return srv->cfg.allow_eio3 ? EIO_PROTOCOL_V3 : 0;
}

/* EIO-TVER-3: a request of an open session must name the session's version. Without
 * v3 the router never looked at EIO after the handshake, and still does not. */
static bool other_version(const eio_server *srv, const query *q, const eio_session *s) {
  return srv->cfg.allow_eio3 && query_protocol(srv, q) != eio_session_protocol(s);
}

/* The official server refuses an Origin with control characters (other than tab). */
static bool origin_invalid(const char *origin) {
  if (!origin) return false;
  for (const unsigned char *p = (const unsigned char *)origin; *p; p++)
    if ((*p < 32 && *p != '\t') || *p == 127) return true;
  return false;
}

/* ---- responses ---- */

static void resp_init(eio_server *srv, const eio_http_request *req, eio_http_response *r) {
  memset(r, 0, sizeof *r);
  /* EIO-CORS-1, EIO-CORS-2: echo the request's Origin only when it is configured (or "*" is). */
  if (req && req->origin && srv->cfg.n_cors_origins) {
    if (srv->cors_any) {
      r->allow_origin = "*";
    } else {
      for (size_t i = 0; i < srv->cfg.n_cors_origins; i++)
        if (strcmp(srv->origins[i], req->origin) == 0) r->allow_origin = req->origin;
    }
  }
}

/* EIO-ERR-1, EIO-ERR-2, EIO-ERR-3: status 400 (403 for Forbidden) and {"code":N,"message":"..."}.
 */
static void resp_error(eio_server *srv, eio_http_response *r, eio_http_error code) {
  int n = snprintf(srv->errbuf, sizeof srv->errbuf, "{\"code\":%d,\"message\":\"%s\"}", (int)code,
                   eio_http_error_message(code));
  r->action = EIO_HTTP_RESPOND;
  r->status = code == EIO_HTTP_ERR_FORBIDDEN ? 403 : 400;
  r->content_type = "application/json";
  r->body = (const uint8_t *)srv->errbuf;
  r->body_len = (size_t)n;
  r->session = NULL;
}

/* EIO-CORS-4: an Origin with characters not allowed in a header value: code 3. Checked
 * after transport, sid, method and version (EIO-ERR-4). */
static bool bad_origin(eio_server *srv, const eio_http_request *req, eio_http_response *r) {
  if (!origin_invalid(req->origin)) return false;
  r->allow_origin = NULL;
  resp_error(srv, r, EIO_HTTP_ERR_BAD_REQUEST);
  return true;
}

static void resp_ok(eio_http_response *r) {
  r->action = EIO_HTTP_RESPOND;
  r->status = 200;
  r->content_type = "text/html"; /* what the official server writes for a POST */
  r->body = (const uint8_t *)"ok";
  r->body_len = 2;
}

static void resp_hold(eio_http_response *r, eio_http_action a, entry *e) {
  r->action = a;
  r->session = e->s;
  e->holds++;
}

/* ---- handshake ---- */

static int new_sid(eio_server *srv, char sid[EIO_SID_LEN + 1]) {
  for (int tries = 0; tries < 8; tries++) {
    uint8_t raw[15];
    char b64[24];
    if (srv->cfg.random(srv->cfg.random_user, raw, sizeof raw) < 0) return REF_ERR_INTERNAL;
    int n = eio_base64_encode(raw, sizeof raw, (uint8_t *)b64, sizeof b64);
    if (n != EIO_SID_LEN) return REF_ERR_INTERNAL;
    for (int i = 0; i < n; i++) {
      if (b64[i] == '+') b64[i] = '-';
      if (b64[i] == '/') b64[i] = '_';
    }
    b64[n] = 0;
    if (!lookup(srv, b64)) {
      memcpy(sid, b64, EIO_SID_LEN + 1);
      return 0;
    }
  }
  return REF_ERR_INTERNAL;
}

/* EIO-LIM-3, EIO-HS-8: the session bound, checked before a handshake (policy comes
 * after method and before version, EIO-ERR-4). */
static bool over_limit(const eio_server *srv) {
  return srv->cfg.max_sessions && srv->linked >= srv->cfg.max_sessions;
}

static int handshake(eio_server *srv, eio_transport t, int protocol, bool b64,
                     const char *raw_query, uint64_t now_ms, entry **out) {
  char sid[EIO_SID_LEN + 1];
  int rc = new_sid(srv, sid);
  if (rc < 0) return rc;
  entry *e = calloc(1, sizeof *e);
  if (!e) return REF_ERR_OUT_OF_MEMORY;
  e->srv = srv;
  rc = eio_session_new_proto(&srv->cfg.session, sid, t, protocol, b64, now_ms, &srv->cb, e, &e->s);
  if (rc < 0) {
    free(e);
    return rc;
  }
  eio_session_set_owner(e->s, e);
  if (eio_session_set_query(e->s, raw_query) < 0 ||
      heap_set(srv, e, eio_session_next_deadline(e->s)) < 0) {
    eio_session_free(e->s);
    free(e);
    return REF_ERR_OUT_OF_MEMORY;
  }
  link_entry(srv, e);
  if (srv->cfg.on_open) srv->cfg.on_open(srv->cfg.app_user, e->s, now_ms);
  *out = e;
  return 0;
}

/* ---- HTTP ---- */

int eio_server_handle_request(eio_server *srv, const eio_http_request *req, uint64_t now_ms,
                              eio_http_response *resp) {
  if (!srv || !req || !req->method || !resp) return REF_ERR_INVALID_ARGUMENT;
  resp_init(srv, req, resp);

  /* EIO-CORS-3: with origins configured, a preflight is answered before anything else
   * (as the cors middleware does in the official server). */
  if (srv->cfg.n_cors_origins && strcmp(req->method, "OPTIONS") == 0) {
    resp->action = EIO_HTTP_RESPOND;
    resp->status = 204;
    if (resp->allow_origin) {
      resp->preflight = true;
      resp->allow_methods = "GET, POST"; /* EIO-CORS-3 */
      resp->allow_headers = req->acr_headers;
    }
    return 0;
  }

  query q;
  parse_query(req->query, &q);
  bool polling = val_is(&q.transport, "polling");
  /* EIO-HS-6: code 0 for a transport the server does not know. */
  if (!polling && !val_is(&q.transport, "websocket")) {
    resp_error(srv, resp, EIO_HTTP_ERR_UNKNOWN_TRANSPORT);
    return 0;
  }
  if (q.sid.present) {
    entry *e = q.sid.bad ? NULL : lookup(srv, q.sid.v);
    if (!e) {
      resp_error(srv, resp, EIO_HTTP_ERR_UNKNOWN_SID); /* EIO-TR-2: code 1 */
      return 0;
    }
    if (bad_origin(srv, req, resp)) return 0;
    if (other_version(srv, &q, e->s)) {
      resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST); /* EIO-TVER-3: session untouched */
      return 0;
    }
    /* EIO-TR-3, EIO-UP-6: plain HTTP is polling only, and only while the session is on
     * polling (after an upgrade the official server answers TRANSPORT_MISMATCH). */
    if (!polling || eio_session_transport(e->s) != EIO_TRANSPORT_POLLING) {
      resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
      return 0;
    }
    if (strcmp(req->method, "GET") == 0) {
      int rc = eio_session_poll_begin(e->s, now_ms);
      if (rc < 0) {
        /* EIO-TR-6: an overlapping GET closes the session; the official server answers
         * it 400 with an empty body, we add the JSON error body. */
        resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
        return 0;
      }
      resp_hold(resp, EIO_HTTP_HOLD_GET, e);
      return 0;
    }
    if (strcmp(req->method, "POST") == 0) {
      if (e->post_active) {
        /* EIO-TR-7: two POSTs at once: the official server closes the session. */
        eio_session_abort(e->s, EIO_CLOSE_TRANSPORT_ERROR, now_ms);
        resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
        return 0;
      }
      bool binary = req->content_type && strcmp(req->content_type, "application/octet-stream") == 0;
      if (binary && eio_session_protocol(e->s) != EIO_PROTOCOL_V3) {
        /* EIO-TR-11: v4 polling bodies are text; a binary body closes the session.
         * EIO-TTR-5: a v3 one is a binary payload. */
        eio_session_abort(e->s, EIO_CLOSE_TRANSPORT_ERROR, now_ms);
        resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
        return 0;
      }
      e->post_active = true;
      e->post_binary = binary;
      resp_hold(resp, EIO_HTTP_READ_BODY, e);
      return 0;
    }
    /* Other methods on a session: the official server answers 500 with no body; we
     * answer a plain Bad request. */
    resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
    return 0;
  }

  /* EIO-HS-1, EIO-HS-7: a handshake is a GET, over polling (a WebSocket handshake is an upgrade),
   * for protocol version 4. */
  if (strcmp(req->method, "GET") != 0) {
    resp_error(srv, resp, EIO_HTTP_ERR_BAD_HANDSHAKE_METHOD);
    return 0;
  }
  if (over_limit(srv)) {
    resp_error(srv, resp, EIO_HTTP_ERR_FORBIDDEN);
    return 0;
  }
  int protocol = query_protocol(srv, &q);
  if (!protocol) {
    resp_error(srv, resp, EIO_HTTP_ERR_UNSUPPORTED_PROTOCOL_VERSION); /* EIO-HS-5, EIO-TVER-2 */
    return 0;
  }
  if (!polling) {
    resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST); /* websocket needs an upgrade */
    return 0;
  }
  if (bad_origin(srv, req, resp)) return 0;
  entry *e;
  /* EIO-TTR-2: b64 (any non-empty value, as the official server reads it) */
  bool b64 = q.b64.present && (q.b64.bad || q.b64.v[0]);
  int rc = handshake(srv, EIO_TRANSPORT_POLLING, protocol, b64, req->query, now_ms, &e);
  if (rc < 0) return rc;
  rc = eio_session_poll_begin(e->s, now_ms);
  if (rc < 0) return rc;
  resp_hold(resp, EIO_HTTP_HOLD_GET, e);
  return 0;
}

int eio_server_poll_response(eio_server *srv, eio_session *s, eio_http_response *resp) {
  if (!srv || !s || !resp) return REF_ERR_INVALID_ARGUMENT;
  memset(resp, 0, sizeof *resp);
  const uint8_t *body;
  size_t len;
  int rc = eio_session_poll_pull(s, &body, &len);
  if (rc <= 0) return rc;
  resp->action = EIO_HTTP_RESPOND;
  resp->status = 200;
  /* EIO-TTR-4: a v3 binary payload goes as application/octet-stream */
  resp->content_type =
      eio_session_poll_binary(s) ? "application/octet-stream" : "text/plain; charset=UTF-8";
  resp->body = body;
  resp->body_len = len;
  return 1;
}

void eio_server_poll_aborted(eio_server *srv, eio_session *s, uint64_t now_ms) {
  if (srv && s) eio_session_poll_aborted(s, now_ms);
}

int eio_server_post_body(eio_server *srv, eio_session *s, const uint8_t *body, size_t len,
                         uint64_t now_ms, eio_http_response *resp) {
  if (!srv || !s || !resp) return REF_ERR_INVALID_ARGUMENT;
  entry *e = eio_session_owner(s);
  resp_init(srv, NULL, resp);
  bool binary = e && e->post_binary;
  if (e) e->post_active = e->post_binary = false;
  int rc = eio_session_poll_post_typed(s, body, len, binary, now_ms);
  if (rc == REF_ERR_PAYLOAD_TOO_LARGE) {
    /* EIO-TR-10, EIO-LIM-1: the session decided (it closed itself, the body being a
     * peer violation); the official server answers 413 with no body. */
    resp->action = EIO_HTTP_RESPOND;
    resp->status = 413;
  } else if (rc == 0) {
    resp_ok(resp);
  } else if (rc == REF_ERR_BAD_STATE) {
    resp_error(srv, resp, EIO_HTTP_ERR_UNKNOWN_SID);
  } else if (rc == REF_ERR_OUT_OF_MEMORY || rc == REF_ERR_INVALID_ARGUMENT) {
    return rc;
  } else {
    /* EIO-TR-9: a bad body closed the session ("parse error"); answer 400 (the
     * official server still answers 200 "ok"). */
    resp_error(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
  }
  return 0;
}

void eio_server_post_aborted(eio_server *srv, eio_session *s, uint64_t now_ms) {
  if (!srv || !s) return;
  entry *e = eio_session_owner(s);
  if (e) e->post_active = false;
  eio_session_abort(s, EIO_CLOSE_TRANSPORT_ERROR, now_ms);
}

size_t eio_server_input_cap(const eio_server *srv) {
  if (!srv) return 0;
  size_t max = srv->cfg.session.max_payload_bytes;
  return max < SIZE_MAX ? max + 1 : max;
}

int eio_server_ws_message(eio_server *srv, eio_session *s, const uint8_t *data, size_t len,
                          bool binary, uint64_t now_ms) {
  if (!srv || !s || (!data && len)) return REF_ERR_INVALID_ARGUMENT;
  if (!data) data = (const uint8_t *)"";
  int rc = eio_session_ws_message(s, data, len, binary, now_ms);
  /* EIO-TR-18, EIO-LIM-1: decided by the session; the WebSocket goes with 1009. Other
   * errors closed the session (or ended the probe) already: the wake says the rest. */
  return rc == REF_ERR_PAYLOAD_TOO_LARGE ? rc : 0;
}

void eio_server_ws_closed(eio_server *srv, eio_session *s, uint64_t now_ms) {
  if (srv && s) eio_session_ws_closed(s, now_ms);
}

/* EIO-TR-14, EIO-ERR-1: a refused WebSocket request gets the same JSON error as a
 * polling one (the official server writes the bare message as text/html). */
static void ws_refuse(eio_server *srv, eio_http_response *r, eio_http_error code) {
  resp_error(srv, r, code);
}

int eio_server_ws_open(eio_server *srv, const eio_http_request *req, uint64_t now_ms,
                       eio_http_response *resp) {
  if (!srv || !req || !resp) return REF_ERR_INVALID_ARGUMENT;
  resp_init(srv, req, resp);
  query q;
  parse_query(req->query, &q);
  if (!val_is(&q.transport, "websocket")) {
    /* "polling" cannot take an upgraded connection; anything else is unknown. */
    ws_refuse(srv, resp,
              val_is(&q.transport, "polling") ? EIO_HTTP_ERR_BAD_REQUEST
                                              : EIO_HTTP_ERR_UNKNOWN_TRANSPORT);
    return 0;
  }
  if (q.sid.present) {
    entry *e = q.sid.bad ? NULL : lookup(srv, q.sid.v);
    if (!e) {
      ws_refuse(srv, resp, EIO_HTTP_ERR_UNKNOWN_SID);
      return 0;
    }
    if (bad_origin(srv, req, resp)) return 0;
    /* EIO-TVER-3: an upgrade that changes the version is refused before the 101 (the
     * 2026 advisory: engine.io took the heartbeat rules from the upgrade's own EIO). */
    if (other_version(srv, &q, e->s)) {
      ws_refuse(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
      return 0;
    }
    /* EIO-TR-16, EIO-TR-19, EIO-UP-6: a session that already has a WebSocket (opened
     * over one, upgrading or upgraded) keeps it; the new one gets its 101 and is closed
     * at once, as the official server does and the official suite's client expects. */
    if (eio_session_state_get(e->s) == EIO_SESSION_OPEN &&
        (eio_session_transport(e->s) == EIO_TRANSPORT_WEBSOCKET || eio_session_ws_attached(e->s))) {
      resp->action = EIO_HTTP_WEBSOCKET_CLOSE;
      resp->session = NULL;
      return 0;
    }
    /* EIO-UP-1: one upgrade per session, from polling; a closing session or one that
     * may not upgrade refuses it before the 101. */
    if (eio_session_ws_attach(e->s, now_ms) < 0) {
      ws_refuse(srv, resp, EIO_HTTP_ERR_BAD_REQUEST);
      return 0;
    }
    resp_hold(resp, EIO_HTTP_WEBSOCKET, e);
    return 0;
  }
  if (over_limit(srv)) {
    ws_refuse(srv, resp, EIO_HTTP_ERR_FORBIDDEN);
    return 0;
  }
  int protocol = query_protocol(srv, &q);
  if (!protocol) {
    ws_refuse(srv, resp, EIO_HTTP_ERR_UNSUPPORTED_PROTOCOL_VERSION); /* EIO-TVER-2 */
    return 0;
  }
  if (bad_origin(srv, req, resp)) return 0;
  entry *e;
  int rc = handshake(srv, EIO_TRANSPORT_WEBSOCKET, protocol, false, req->query, now_ms, &e);
  if (rc < 0) return rc;
  resp_hold(resp, EIO_HTTP_WEBSOCKET, e);
  return 0;
}

/* Does the comma-separated token list LIST contain TOKEN (ASCII case-insensitive)? */
static bool token_listed(const char *list, const char *token) {
  size_t tlen = strlen(token);
  const char *p = list;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    const char *start = p;
    while (*p && *p != ',') p++;
    const char *end = p;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
    if ((size_t)(end - start) == tlen) {
      size_t i = 0;
      while (i < tlen && tolower((unsigned char)start[i]) == token[i]) i++;
      if (i == tlen) return true;
    }
  }
  return false;
}

bool eio_server_wants_close(const char *version, const char *connection) {
  /* RFC 9112 section 9.6: "close" ends the connection after this response; HTTP/1.0
   * connections are not persistent unless the client asks (RFC 9112 section 9.3). */
  if (connection && token_listed(connection, "close")) return true;
  if (version && strcmp(version, "HTTP/1.0") == 0)
    return !(connection && token_listed(connection, "keep-alive"));
  return false;
}

void eio_server_release(eio_server *srv, eio_session *s) {
  if (!srv || !s) return;
  entry *e = eio_session_owner(s);
  if (!e) return;
  if (e->holds > 0) e->holds--;
  maybe_free(e);
}

uint64_t eio_server_tick(eio_server *srv, uint64_t now_ms) {
  if (!srv) return EIO_NO_DEADLINE;
  /* Only sessions whose deadline has come are visited. A tick re-keys its session
   * through the deadline callback (or closes it, keying it 0), so heap[0] changes. */
  while (srv->heap_n && srv->heap[0]->key <= now_ms) {
    entry *e = srv->heap[0];
    if (eio_session_state_get(e->s) == EIO_SESSION_CLOSED) {
      heap_remove(srv, e);
      maybe_free(e); /* with holds left, the last eio_server_release frees it */
      continue;
    }
    eio_session_tick(e->s, now_ms);
    /* A tick that could not act (no memory for the ping) leaves the deadline where it
     * was: retry a millisecond later rather than spin. */
    if (e->hpos == 1 && e->key <= now_ms && eio_session_state_get(e->s) != EIO_SESSION_CLOSED)
      heap_set(srv, e, now_ms + 1);
  }
  return srv->heap_n ? srv->heap[0]->key : EIO_NO_DEADLINE;
}

void eio_server_close_all(eio_server *srv, uint64_t now_ms) {
  if (!srv) return;
  for (entry *e = srv->all; e; e = e->next) eio_session_close(e->s, now_ms);
}

size_t eio_server_session_count(const eio_server *srv) { return srv ? srv->linked : 0; }
size_t eio_server_allocated_count(const eio_server *srv) { return srv ? srv->allocated : 0; }

size_t eio_server_held_count(const eio_server *srv) {
  size_t n = 0;
  if (srv)
    for (const entry *e = srv->all; e; e = e->next) n += e->holds > 0;
  return n;
}

eio_session *eio_server_find(eio_server *srv, const char *sid) {
  if (!srv || !sid) return NULL;
  entry *e = lookup(srv, sid);
  return e ? e->s : NULL;
}

const eio_config *eio_server_session_config(const eio_server *srv) {
  return srv ? &srv->cfg.session : NULL;
}
