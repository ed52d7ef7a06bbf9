/* The Redis adapter, sans-I/O (ra_adapter.h): channels and subscriptions, broadcast
 * messages and requests of @socket.io/redis-adapter 8.3.0 in both directions, own
 * messages filtered by uid, and the bookkeeping of requests that wait for answers.
 * Spec tags: RA-1..RA-25 (spec/redis-adapter.md), each where it is enforced.
 *
 * A message from Redis goes: channel -> namespace and kind (broadcast, request,
 * response); payload -> msgpack_object (a JSON payload is first packed as MessagePack by
 * ra_value, so one reader serves both encodings, RA-13); then it is carried out on the
 * Socket.IO layer with a local selection (sio_cluster.h: local, so nothing is published
 * again). What the application does goes the other way through the sio_adapter hooks
 * and leaves as commands in a bounded queue that the embedder drains to the publisher.
 *
 * Requests this node makes and waits on (server-side events with acks, broadcasts with
 * acks) live in a list with their deadline: NUMSUB (RA-14) tells how many answers to
 * expect, the answers are matched by requestId (RA-19), and the deadline ends what is
 * still open. */
#include "sioref/ra_adapter.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/ra_value.h"

typedef struct ra_nsp {
  sio_namespace *ns;
  const char *name;
  size_t name_len;
  char *uid;                   /* RA-1 */
  char *bcast;                 /* "<key>#<nsp>#": broadcast channels start so (RA-2) */
  char *req, *resp, *resp_own; /* RA-3 */
  size_t bcast_len, req_len, resp_len, resp_own_len;
} ra_nsp;

typedef struct ra_cmd_node {
  struct ra_cmd_node *next;
  ra_command c;
} ra_cmd_node;

/* A request of this node waiting for answers. */
typedef struct ra_req {
  struct ra_req *next;
  char id[RA_UID_LEN + 1];
  ra_nsp *nsp;
  int type; /* 6 SERVER_SIDE_EMIT, 7 BROADCAST */
  uint64_t tag;
  uint64_t deadline_ms;
  sio_cluster_op *op;
  uint8_t *held; /* type 6: the request, published once NUMSUB says someone listens */
  size_t held_len;
} ra_req;

struct ra_adapter {
  sio_server *srv;
  sio_adapter hooks;
  char *key;
  uint64_t timeout_ms;
  size_t max_queued;
  sio_random_fn random;
  void *random_user;
  ra_nsp *nsps;
  size_t n_nsps;
  char **subs;
  bool *sub_pattern;
  size_t n_subs;
  ra_cmd_node *head, *tail;
  size_t queued_bytes, queued_count;
  ra_req *reqs;
  uint64_t next_tag;
  uint64_t now_ms;
  ra_stats stats;
};

/* ---------------------------------------------------------------- helpers */

static char *cat3(const char *a, const char *b, const char *c, size_t *len) {
  size_t n = strlen(a) + strlen(b) + strlen(c);
  char *s = malloc(n + 1);
  if (s) snprintf(s, n + 1, "%s%s%s", a, b, c);
  if (len) *len = n;
  return s;
}

/* RA-1: 6 characters of A-Z a-z 0-9 - _, each from one random byte modulo 64. */
static int draw_id(ra_adapter *a, char *out) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint8_t r[RA_UID_LEN];
  if (a->random(a->random_user, r, sizeof r) != 0) return -1;
  for (int i = 0; i < RA_UID_LEN; i++) out[i] = alphabet[r[i] & 63];
  out[RA_UID_LEN] = '\0';
  return 0;
}

static uint64_t now_of(ra_adapter *a) {
  uint64_t s = sio_server_now_ms(a->srv);
  if (s > a->now_ms) a->now_ms = s;
  return a->now_ms;
}

static ra_nsp *nsp_of(ra_adapter *a, const sio_namespace *ns) {
  for (size_t i = 0; i < a->n_nsps; i++)
    if (a->nsps[i].ns == ns) return &a->nsps[i];
  return NULL;
}

static bool span_is(ref_span s, const char *p, size_t n) {
  return s.len == n && (n == 0 || memcmp(s.ptr, p, n) == 0);
}

static bool str_is(const msgpack_object *o, const char *p, size_t n) {
  return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
         (n == 0 || memcmp(o->via.str.ptr, p, n) == 0);
}

static const msgpack_object *mget(const msgpack_object *map, const char *key) {
  if (!map || map->type != MSGPACK_OBJECT_MAP) return NULL;
  size_t n = strlen(key);
  for (uint32_t i = 0; i < map->via.map.size; i++)
    if (str_is(&map->via.map.ptr[i].key, key, n)) return &map->via.map.ptr[i].val;
  return NULL;
}

static bool as_int(const msgpack_object *o, int64_t *out) {
  if (!o) return false;
  if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX) {
    *out = (int64_t)o->via.u64;
    return true;
  }
  if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
    *out = o->via.i64;
    return true;
  }
  if ((o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32) &&
      o->via.f64 == (double)(int64_t)o->via.f64) {
    *out = (int64_t)o->via.f64;
    return true;
  }
  return false;
}

static ref_span str_span(const msgpack_object *o) {
  ref_span r = {NULL, 0};
  if (o && o->type == MSGPACK_OBJECT_STR) {
    r.ptr = (const uint8_t *)o->via.str.ptr;
    r.len = o->via.str.size;
  }
  return r;
}

/* ---------------------------------------------------------------- the command queue */

static void queue(ra_adapter *a, ra_cmd_kind kind, const char *ch, size_t ch_len, uint8_t *payload,
                  size_t len, uint64_t tag) {
  ra_cmd_node *n = NULL;
  char *c = NULL;
  if (a->queued_bytes + len + ch_len > a->max_queued || !(n = calloc(1, sizeof *n)) ||
      !(c = malloc(ch_len + 1))) {
    /* Redis away for long, or out of memory: the newest command is the one given up */
    a->stats.dropped++;
    free(n);
    free(payload);
    return;
  }
  memcpy(c, ch, ch_len);
  c[ch_len] = '\0';
  n->c.kind = kind;
  n->c.channel = c;
  n->c.channel_len = ch_len;
  n->c.payload = payload;
  n->c.payload_len = len;
  n->c.tag = tag;
  if (a->tail)
    a->tail->next = n;
  else
    a->head = n;
  a->tail = n;
  a->queued_bytes += len + ch_len;
  a->queued_count++;
}

static void publish(ra_adapter *a, const char *ch, size_t ch_len, ra_buf *b) {
  if (b->oom) {
    a->stats.dropped++;
    ra_buf_free(b);
    return;
  }
  size_t len = b->len;
  uint8_t *p = (uint8_t *)b->p;
  b->p = NULL;
  ra_buf_free(b);
  queue(a, RA_CMD_PUBLISH, ch, ch_len, p ? p : calloc(1, 1), len, 0);
}

static void publish_sbuf(ra_adapter *a, const char *ch, size_t ch_len, msgpack_sbuffer *sb) {
  uint8_t *p = (uint8_t *)sb->data;
  size_t len = sb->size;
  sb->data = NULL;
  sb->size = sb->alloc = 0;
  if (!p) {
    a->stats.dropped++;
    return;
  }
  queue(a, RA_CMD_PUBLISH, ch, ch_len, p, len, 0);
}

bool ra_take_command(ra_adapter *a, ra_command *out) {
  if (!a || !out || !a->head) return false;
  ra_cmd_node *n = a->head;
  a->head = n->next;
  if (!a->head) a->tail = NULL;
  a->queued_bytes -= n->c.payload_len + n->c.channel_len;
  a->queued_count--;
  *out = n->c;
  free(n);
  a->stats.published++;
  return true;
}

void ra_command_free(ra_command *c) {
  if (!c) return;
  free(c->channel);
  free(c->payload);
  memset(c, 0, sizeof *c);
}

size_t ra_queued_count(const ra_adapter *a) { return a ? a->queued_count : 0; }

/* ---------------------------------------------------------------- writing messages */

static int pack_str(msgpack_packer *pk, const void *p, size_t n) {
  return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, p, n);
}
static int pack_cstr(msgpack_packer *pk, const char *s) { return pack_str(pk, s, strlen(s)); }

/* RA-8: rooms as given; except without duplicates. */
static int pack_rooms(msgpack_packer *pk, const ref_span *r, size_t n, bool dedup) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    bool dup = false;
    for (size_t j = 0; dedup && j < i && !dup; j++)
      dup = span_is(r[j], (const char *)r[i].ptr, r[i].len);
    if (!dup) k++;
  }
  if (msgpack_pack_array(pk, k)) return -1;
  for (size_t i = 0; i < n; i++) {
    bool dup = false;
    for (size_t j = 0; dedup && j < i && !dup; j++)
      dup = span_is(r[j], (const char *)r[i].ptr, r[i].len);
    if (!dup && pack_str(pk, r[i].ptr, r[i].len)) return -1;
  }
  return 0;
}

/* RA-6: the packet map {type: 2, data, nsp}. */
static int pack_packet(msgpack_packer *pk, ra_nsp *n, ref_span data, const ref_span *att,
                       size_t n_att) {
  if (msgpack_pack_map(pk, 3) || pack_cstr(pk, "type") || msgpack_pack_int(pk, 2) ||
      pack_cstr(pk, "data"))
    return REF_ERR_OUT_OF_MEMORY;
  int rc = ra_json_to_msgpack(pk, data.ptr, data.len, att, n_att);
  if (rc) return rc;
  if (pack_cstr(pk, "nsp") || pack_str(pk, n->name, n->name_len)) return REF_ERR_OUT_OF_MEMORY;
  return 0;
}

/* RA-8: opts {rooms, except, flags}; FLAGS_TIMEOUT > 0 adds flags.timeout (RA-23). */
static int pack_opts(msgpack_packer *pk, const sio_selection *sel, uint64_t flags_timeout) {
  if (msgpack_pack_map(pk, 3) || pack_cstr(pk, "rooms") ||
      pack_rooms(pk, sel->rooms, sel->n_rooms, false) || pack_cstr(pk, "except") ||
      pack_rooms(pk, sel->except, sel->n_except, true) || pack_cstr(pk, "flags"))
    return -1;
  if (flags_timeout)
    return msgpack_pack_map(pk, 1) || pack_cstr(pk, "timeout") ||
           msgpack_pack_uint64(pk, flags_timeout);
  return msgpack_pack_map(pk, 0);
}

static void json_rooms(ra_buf *b, const ref_span *r, size_t n, bool dedup) {
  ra_buf_put(b, "[", 1);
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    bool dup = false;
    for (size_t j = 0; dedup && j < i && !dup; j++)
      dup = span_is(r[j], (const char *)r[i].ptr, r[i].len);
    if (dup) continue;
    if (!first) ra_buf_put(b, ",", 1);
    first = false;
    ra_buf_json_string(b, (const char *)r[i].ptr, r[i].len);
  }
  ra_buf_put(b, "]", 1);
}

/* "{"uid":"..."," as every request of 8.3.0 starts (RA-13). */
static void json_head(ra_buf *b, ra_nsp *n, const char *request_id) {
  ra_buf_puts(b, "{\"uid\":");
  ra_buf_json_string(b, n->uid, strlen(n->uid));
  if (request_id) {
    ra_buf_puts(b, ",\"requestId\":");
    ra_buf_json_string(b, request_id, strlen(request_id));
  }
}

static void json_opts(ra_buf *b, const sio_selection *sel) {
  ra_buf_puts(b, ",\"opts\":{\"rooms\":");
  json_rooms(b, sel->rooms, sel->n_rooms, false);
  ra_buf_puts(b, ",\"except\":");
  json_rooms(b, sel->except, sel->n_except, true);
  ra_buf_puts(b, "}");
}

/* JSON text as JSON.stringify(JSON.parse(text)) would print it (requests carry data
 * re-printed by the official adapter; so do ours, byte for byte). */
static int json_canonical(ra_buf *out, ref_span json) {
  msgpack_sbuffer sb;
  msgpack_sbuffer_init(&sb);
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  int rc = ra_json_to_msgpack(&pk, json.ptr, json.len, NULL, 0);
  if (rc == 0) {
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    if (msgpack_unpack_next(&up, sb.data, sb.size, NULL) == MSGPACK_UNPACK_SUCCESS) {
      ra_bins bins = {0};
      rc = ra_msgpack_to_json(&up.data, out, &bins);
      ra_bins_free(&bins);
    } else {
      rc = REF_ERR_BAD_MSGPACK;
    }
    msgpack_unpacked_destroy(&up);
  }
  msgpack_sbuffer_destroy(&sb);
  return rc;
}

/* ---------------------------------------------------------------- hooks: this node acts */

/* RA-2, RA-5..RA-8: a broadcast leaves as [uid, packet, opts] on the namespace channel,
 * or on the room's channel when there is exactly one room. */
static void hook_broadcast(void *user, sio_namespace *ns, const sio_selection *sel, ref_span data,
                           const ref_span *att, size_t n_att) {
  ra_adapter *a = user;
  ra_nsp *n = nsp_of(a, ns);
  if (!n) return;
  msgpack_sbuffer sb;
  msgpack_sbuffer_init(&sb);
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  int rc = msgpack_pack_array(&pk, 3) || pack_cstr(&pk, n->uid) ? REF_ERR_OUT_OF_MEMORY : 0;
  if (!rc) rc = pack_packet(&pk, n, data, att, n_att);
  if (!rc && pack_opts(&pk, sel, 0)) rc = REF_ERR_OUT_OF_MEMORY;
  if (rc) {
    a->stats.dropped++;
    msgpack_sbuffer_destroy(&sb);
    return;
  }
  if (sel->n_rooms == 1) {
    ra_buf ch = {0};
    ra_buf_put(&ch, n->bcast, n->bcast_len);
    ra_buf_put(&ch, sel->rooms[0].ptr, sel->rooms[0].len);
    ra_buf_put(&ch, "#", 1);
    if (!ch.oom)
      publish_sbuf(a, ch.p, ch.len, &sb);
    else
      a->stats.dropped++;
    ra_buf_free(&ch);
  } else {
    publish_sbuf(a, n->bcast, n->bcast_len, &sb);
  }
  msgpack_sbuffer_destroy(&sb);
}

/* RA-16: REMOTE_JOIN / REMOTE_LEAVE with opts (this node acted already). */
static void room_op(ra_adapter *a, sio_namespace *ns, const sio_selection *sel, int type,
                    const ref_span *rooms, size_t n_rooms) {
  ra_nsp *n = nsp_of(a, ns);
  if (!n) return;
  ra_buf b = {0};
  json_head(&b, n, NULL);
  ra_buf_puts(&b, type == 2 ? ",\"type\":2" : ",\"type\":3");
  json_opts(&b, sel);
  ra_buf_puts(&b, ",\"rooms\":");
  json_rooms(&b, rooms, n_rooms, false);
  ra_buf_puts(&b, "}");
  publish(a, n->req, n->req_len, &b);
}

static void hook_join(void *user, sio_namespace *ns, const sio_selection *sel,
                      const ref_span *rooms, size_t n_rooms) {
  room_op(user, ns, sel, 2, rooms, n_rooms);
}

static void hook_leave(void *user, sio_namespace *ns, const sio_selection *sel,
                       const ref_span *rooms, size_t n_rooms) {
  room_op(user, ns, sel, 3, rooms, n_rooms);
}

static void hook_disconnect(void *user, sio_namespace *ns, const sio_selection *sel, bool close) {
  ra_adapter *a = user;
  ra_nsp *n = nsp_of(a, ns);
  if (!n) return;
  ra_buf b = {0};
  json_head(&b, n, NULL);
  ra_buf_puts(&b, ",\"type\":4");
  json_opts(&b, sel);
  ra_buf_puts(&b, close ? ",\"close\":true}" : ",\"close\":false}");
  publish(a, n->req, n->req_len, &b);
}

static ra_req *req_new(ra_adapter *a, ra_nsp *n, int type, sio_cluster_op *op, uint64_t timeout) {
  ra_req *r = calloc(1, sizeof *r);
  if (!r || draw_id(a, r->id) != 0) {
    free(r);
    return NULL;
  }
  r->nsp = n;
  r->type = type;
  r->op = op;
  r->tag = ++a->next_tag;
  r->deadline_ms = now_of(a) + timeout;
  r->next = a->reqs;
  a->reqs = r;
  return r;
}

static void req_drop(ra_adapter *a, ra_req *r) {
  for (ra_req **pp = &a->reqs; *pp; pp = &(*pp)->next) {
    if (*pp == r) {
      *pp = r->next;
      break;
    }
  }
  sio_cluster_op_release(r->op);
  free(r->held);
  free(r);
}

static void numsub(ra_adapter *a, ra_req *r) {
  queue(a, RA_CMD_NUMSUB, r->nsp->req, r->nsp->req_len, NULL, 0, r->tag);
}

/* RA-21, RA-22: SERVER_SIDE_EMIT; with an answer wanted, NUMSUB first (RA-14). */
static void hook_server_emit(void *user, sio_namespace *ns, ref_span data, const ref_span *att,
                             size_t n_att, sio_cluster_op *op) {
  (void)att;
  (void)n_att; /* a JSON request holds no bytes: binary arguments travel as placeholders */
  ra_adapter *a = user;
  ra_nsp *n = nsp_of(a, ns);
  ra_req *r = n && op ? req_new(a, n, 6, op, a->timeout_ms) : NULL;
  if (!n || (op && !r)) {
    if (op) {
      sio_cluster_op_expire(op);
      sio_cluster_op_release(op);
    }
    return;
  }
  ra_buf b = {0};
  json_head(&b, n, r ? r->id : NULL);
  ra_buf_puts(&b, ",\"type\":6,\"data\":");
  if (json_canonical(&b, data) != 0) {
    ra_buf_free(&b);
    if (r) {
      sio_cluster_op_expire(op);
      req_drop(a, r);
    }
    return;
  }
  ra_buf_puts(&b, "}");
  if (!r) {
    publish(a, n->req, n->req_len, &b);
    return;
  }
  if (b.oom) {
    ra_buf_free(&b);
    sio_cluster_op_expire(op);
    req_drop(a, r);
    return;
  }
  r->held = (uint8_t *)b.p; /* published when NUMSUB answers */
  r->held_len = b.len;
  numsub(a, r);
}

/* RA-23: a broadcast with acks is a BROADCAST request in MessagePack, then NUMSUB counts
 * the nodes whose client counts to wait for (RA-14). */
static void hook_broadcast_ack(void *user, sio_namespace *ns, const sio_selection *sel,
                               ref_span data, const ref_span *att, size_t n_att,
                               uint64_t timeout_ms, sio_cluster_op *op) {
  ra_adapter *a = user;
  ra_nsp *n = nsp_of(a, ns);
  ra_req *r = n ? req_new(a, n, 7, op, timeout_ms) : NULL;
  if (!r) {
    sio_cluster_op_servers(op, 1);
    sio_cluster_op_release(op);
    return;
  }
  msgpack_sbuffer sb;
  msgpack_sbuffer_init(&sb);
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  int rc = msgpack_pack_map(&pk, 5) || pack_cstr(&pk, "uid") || pack_cstr(&pk, n->uid) ||
                   pack_cstr(&pk, "requestId") || pack_cstr(&pk, r->id) || pack_cstr(&pk, "type") ||
                   msgpack_pack_int(&pk, 7) || pack_cstr(&pk, "packet")
               ? REF_ERR_OUT_OF_MEMORY
               : 0;
  if (!rc) rc = pack_packet(&pk, n, data, att, n_att);
  if (!rc && (pack_cstr(&pk, "opts") || pack_opts(&pk, sel, timeout_ms ? timeout_ms : 1)))
    rc = REF_ERR_OUT_OF_MEMORY;
  if (rc) {
    msgpack_sbuffer_destroy(&sb);
    sio_cluster_op_servers(op, 1); /* this node alone */
    req_drop(a, r);
    return;
  }
  publish_sbuf(a, n->req, n->req_len, &sb);
  msgpack_sbuffer_destroy(&sb);
  numsub(a, r);
}

/* ---------------------------------------------------------------- life cycle */

ra_adapter *ra_adapter_new(const ra_config *cfg) {
  if (!cfg || !cfg->srv || !cfg->random) return NULL;
  ra_adapter *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->srv = cfg->srv;
  a->key = strdup(cfg->key ? cfg->key : RA_DEFAULT_KEY);
  a->timeout_ms =
      cfg->requests_timeout_ms ? cfg->requests_timeout_ms : RA_DEFAULT_REQUESTS_TIMEOUT_MS;
  a->max_queued = cfg->max_queued_bytes ? cfg->max_queued_bytes : RA_DEFAULT_MAX_QUEUED_BYTES;
  a->random = cfg->random;
  a->random_user = cfg->random_user;
  /* every configured namespace joins the cluster, as the official server creates one
   * adapter per namespace (RA-1) */
  size_t cnt = 0;
  while (sio_server_namespace_at(cfg->srv, cnt)) cnt++;
  a->nsps = calloc(cnt ? cnt : 1, sizeof *a->nsps);
  a->subs = calloc(cnt * 4 + 1, sizeof *a->subs);
  a->sub_pattern = calloc(cnt * 4 + 1, sizeof *a->sub_pattern);
  if (!a->key || !a->nsps || !a->subs || !a->sub_pattern) goto fail;
  for (size_t i = 0; i < cnt; i++) {
    ra_nsp *n = &a->nsps[a->n_nsps++];
    n->ns = sio_server_namespace_at(cfg->srv, i);
    n->name = sio_namespace_name(n->ns);
    n->name_len = strlen(n->name);
    char id[RA_UID_LEN + 1];
    if (cfg->fixed_uids && cfg->fixed_uids[i]) {
      n->uid = strdup(cfg->fixed_uids[i]);
    } else {
      if (draw_id(a, id) != 0) goto fail;
      n->uid = strdup(id);
    }
    char *mid = cat3(n->name, "#", "", NULL);
    char *pre_b = cat3(a->key, "#", "", NULL);
    char *pre_q = cat3(a->key, "-request#", "", NULL);
    char *pre_r = cat3(a->key, "-response#", "", NULL);
    if (mid && pre_b && pre_q && pre_r && n->uid) {
      n->bcast = cat3(pre_b, mid, "", &n->bcast_len);
      n->req = cat3(pre_q, mid, "", &n->req_len);
      n->resp = cat3(pre_r, mid, "", &n->resp_len);
      n->resp_own = cat3(n->resp ? n->resp : "", n->uid, "#", &n->resp_own_len);
    }
    free(mid);
    free(pre_b);
    free(pre_q);
    free(pre_r);
    if (!n->uid || !n->bcast || !n->req || !n->resp || !n->resp_own) goto fail;
    /* RA-4: the pattern of every broadcast channel, and three plain channels */
    a->sub_pattern[a->n_subs] = true;
    if (!(a->subs[a->n_subs++] = cat3(n->bcast, "*", "", NULL))) goto fail;
    if (!(a->subs[a->n_subs++] = strdup(n->req))) goto fail;
    if (!(a->subs[a->n_subs++] = strdup(n->resp))) goto fail;
    if (!(a->subs[a->n_subs++] = strdup(n->resp_own))) goto fail;
  }
  a->hooks.broadcast = hook_broadcast;
  a->hooks.join = hook_join;
  a->hooks.leave = hook_leave;
  a->hooks.disconnect = hook_disconnect;
  a->hooks.server_emit = hook_server_emit;
  a->hooks.broadcast_ack = hook_broadcast_ack;
  a->hooks.user = a;
  sio_server_set_adapter(a->srv, &a->hooks);
  return a;
fail:
  ra_adapter_free(a);
  return NULL;
}

void ra_adapter_free(ra_adapter *a) {
  if (!a) return;
  if (a->hooks.user) sio_server_set_adapter(a->srv, NULL);
  while (a->reqs) req_drop(a, a->reqs);
  ra_command c;
  while (ra_take_command(a, &c)) ra_command_free(&c);
  for (size_t i = 0; i < a->n_nsps; i++) {
    ra_nsp *n = &a->nsps[i];
    free(n->uid);
    free(n->bcast);
    free(n->req);
    free(n->resp);
    free(n->resp_own);
  }
  for (size_t i = 0; i < a->n_subs; i++) free(a->subs[i]);
  free(a->subs);
  free(a->sub_pattern);
  free(a->nsps);
  free(a->key);
  free(a);
}

size_t ra_subscription_count(const ra_adapter *a) { return a ? a->n_subs : 0; }

const char *ra_subscription(const ra_adapter *a, size_t i, bool *pattern) {
  if (!a || i >= a->n_subs) return NULL;
  if (pattern) *pattern = a->sub_pattern[i];
  return a->subs[i];
}

ra_stats ra_adapter_stats(const ra_adapter *a) {
  ra_stats z = {0};
  return a ? a->stats : z;
}

const char *ra_adapter_uid(const ra_adapter *a, const char *nsp_name) {
  for (size_t i = 0; a && nsp_name && i < a->n_nsps; i++)
    if (strcmp(a->nsps[i].name, nsp_name) == 0) return a->nsps[i].uid;
  return NULL;
}

/* ---------------------------------------------------------------- reading messages */

/* The rooms of a msgpack array of strings (other elements are skipped), as spans into
 * the message; *OUT is malloc'd (NULL when empty). */
static size_t rooms_of(const msgpack_object *arr, ref_span **out) {
  *out = NULL;
  if (!arr || arr->type != MSGPACK_OBJECT_ARRAY || arr->via.array.size == 0) return 0;
  ref_span *v = malloc(arr->via.array.size * sizeof *v);
  if (!v) return 0;
  size_t n = 0;
  for (uint32_t i = 0; i < arr->via.array.size; i++)
    if (arr->via.array.ptr[i].type == MSGPACK_OBJECT_STR) v[n++] = str_span(&arr->via.array.ptr[i]);
  *out = v;
  return n;
}

/* RA-10: the selection of opts {rooms, except}, local (RA-9: never published again). */
typedef struct sel_buf {
  sio_selection sel;
  ref_span *rooms, *except;
} sel_buf;

static void sel_of(const msgpack_object *opts, sel_buf *s) {
  memset(s, 0, sizeof *s);
  s->sel.n_rooms = rooms_of(mget(opts, "rooms"), &s->rooms);
  s->sel.rooms = s->rooms;
  s->sel.n_except = rooms_of(mget(opts, "except"), &s->except);
  s->sel.except = s->except;
  s->sel.local = true;
}

static void sel_free(sel_buf *s) {
  free(s->rooms);
  free(s->except);
}

/* An event's data array [name, args...] as the Socket.IO layer takes it: NAME (malloc'd,
 * NUL-terminated), ARGS JSON text in ARGS, binary values as attachments in BINS. */
static bool event_of(const msgpack_object *data, char **name, ra_buf *args, ra_bins *bins) {
  *name = NULL;
  if (!data || data->type != MSGPACK_OBJECT_ARRAY || data->via.array.size == 0) return false;
  const msgpack_object *ev = &data->via.array.ptr[0];
  if (ev->type != MSGPACK_OBJECT_STR || memchr(ev->via.str.ptr, 0, ev->via.str.size)) return false;
  for (uint32_t i = 1; i < data->via.array.size; i++) {
    if (i > 1) ra_buf_put(args, ",", 1);
    if (ra_msgpack_to_json(&data->via.array.ptr[i], args, bins) != 0) return false;
  }
  if (args->oom || !(*name = malloc(ev->via.str.size + 1))) return false;
  memcpy(*name, ev->via.str.ptr, ev->via.str.size);
  (*name)[ev->via.str.size] = '\0';
  return true;
}

/* RA-6: the packet of a broadcast or a BROADCAST request: type 2 (or 5), data, nsp. */
static bool packet_ok(ra_nsp *n, const msgpack_object *pkt) {
  int64_t type;
  if (!pkt || pkt->type != MSGPACK_OBJECT_MAP || !as_int(mget(pkt, "type"), &type) ||
      (type != 2 && type != 5))
    return false;
  const msgpack_object *nsp = mget(pkt, "nsp");
  if (nsp && nsp->type != MSGPACK_OBJECT_NIL) return str_is(nsp, n->name, n->name_len);
  return n->name_len == 1; /* no nsp: "/" */
}

static bool own_uid(ra_nsp *n, const msgpack_object *uid) {
  return str_is(uid, n->uid, strlen(n->uid));
}

/* RA-10: a broadcast message of another node, for this node's sockets. */
static void on_broadcast(ra_adapter *a, ra_nsp *n, const msgpack_object *m) {
  if (m->type != MSGPACK_OBJECT_ARRAY || m->via.array.size < 3 ||
      m->via.array.ptr[0].type != MSGPACK_OBJECT_STR) {
    a->stats.ignored_bad++;
    return;
  }
  if (own_uid(n, &m->via.array.ptr[0])) { /* RA-12: delivered here already */
    a->stats.ignored_own++;
    return;
  }
  const msgpack_object *pkt = &m->via.array.ptr[1];
  if (!packet_ok(n, pkt)) {
    a->stats.ignored_bad++;
    return;
  }
  char *name;
  ra_buf args = {0};
  ra_bins bins = {0};
  if (event_of(mget(pkt, "data"), &name, &args, &bins)) {
    sel_buf s;
    sel_of(&m->via.array.ptr[2], &s);
    int rc = sio_namespace_broadcast(
        n->ns, &s.sel, name, (ref_span){(const uint8_t *)args.p, args.len}, bins.v, bins.n, NULL);
    if (rc > 0) a->stats.delivered += (uint64_t)rc;
    sel_free(&s);
  } else {
    a->stats.ignored_bad++;
  }
  free(name);
  ra_buf_free(&args);
  ra_bins_free(&bins);
}

/* ---- answers (RA-19, RA-20: JSON on the shared response channel) */

static void answer_start(ra_buf *b, const msgpack_object *rid) {
  ra_buf_puts(b, "{\"requestId\":");
  ra_buf_json_string(b, rid->via.str.ptr, rid->via.str.size);
}

typedef struct collect_ctx {
  ra_buf *b;
  bool first;
  ra_nsp *n;
} collect_ctx;

static void add_id(void *user, sio_socket *s) {
  collect_ctx *c = user;
  if (!c->first) ra_buf_put(c->b, ",", 1);
  c->first = false;
  ra_buf_json_string(c->b, sio_socket_id(s), SIO_SID_LEN);
}

static void add_room(void *user, ref_span room) {
  collect_ctx *c = user;
  if (!c->first) ra_buf_put(c->b, ",", 1);
  c->first = false;
  ra_buf_json_string(c->b, (const char *)room.ptr, room.len);
}

/* RA-18: one fetched socket. */
static void add_socket(void *user, sio_socket *s) {
  collect_ctx *c = user;
  ra_buf *b = c->b;
  if (!c->first) ra_buf_put(b, ",", 1);
  c->first = false;
  const char *id = sio_socket_id(s);
  ra_buf_puts(b, "{\"id\":");
  ra_buf_json_string(b, id, SIO_SID_LEN);
  ra_buf_puts(b, ",\"handshake\":{\"headers\":{},\"time\":\"\",\"address\":\"\",\"xdomain\":false,"
                 "\"secure\":false,\"issued\":0,\"url\":\"\",\"query\":{},\"auth\":");
  ref_span auth = sio_socket_auth(s);
  if (auth.len)
    ra_buf_put(b, auth.ptr, auth.len);
  else
    ra_buf_puts(b, "{}");
  ra_buf_puts(b, "},\"rooms\":[");
  ra_buf_json_string(b, id, SIO_SID_LEN); /* its own id first */
  for (size_t i = 0; i < sio_socket_room_count(s); i++) {
    ref_span r = sio_socket_room(s, i);
    if (span_is(r, id, SIO_SID_LEN)) continue;
    ra_buf_put(b, ",", 1);
    ra_buf_json_string(b, (const char *)r.ptr, r.len);
  }
  ra_buf_puts(b, "],\"data\":{}}");
}

/* ---- a BROADCAST request of another node (RA-23..RA-25) */

typedef struct ack_rec {
  ra_adapter *a;
  ra_nsp *n;
  char *request_id;
  long pending;
  bool guarded; /* the broadcast is still being sent: do not free yet */
} ack_rec;

static void ack_rec_done(ack_rec *r) {
  if (r->guarded || r->pending > 0) return;
  free(r->request_id);
  free(r);
}

static void on_remote_ack(void *user, sio_socket *s, sio_ack_status st, const sio_args *data) {
  (void)s;
  ack_rec *r = user;
  r->pending--;
  if (st == SIO_ACK_OK) {
    /* RA-25: BROADCAST_ACK {type: 9, requestId, packet: first argument} in MessagePack */
    ra_adapter *a = r->a;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    ra_buf arr = {0};
    ra_buf_put(&arr, "[", 1);
    if (data && data->args.len) ra_buf_put(&arr, data->args.ptr, data->args.len);
    ra_buf_put(&arr, "]", 1);
    msgpack_sbuffer tmp;
    msgpack_sbuffer_init(&tmp);
    msgpack_packer tpk;
    msgpack_packer_init(&tpk, &tmp, msgpack_sbuffer_write);
    int rc = arr.oom ? REF_ERR_OUT_OF_MEMORY
                     : ra_json_to_msgpack(&tpk, (const uint8_t *)arr.p, arr.len,
                                          data ? data->attachments : NULL,
                                          data ? data->n_attachments : 0);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    if (rc == 0 && msgpack_unpack_next(&up, tmp.data, tmp.size, NULL) == MSGPACK_UNPACK_SUCCESS) {
      bool has = up.data.type == MSGPACK_OBJECT_ARRAY && up.data.via.array.size > 0;
      /* an ack without arguments: packet is undefined, which notepack leaves out */
      if (!(msgpack_pack_map(&pk, has ? 3 : 2) || pack_cstr(&pk, "type") ||
            msgpack_pack_int(&pk, 9) || pack_cstr(&pk, "requestId") ||
            pack_cstr(&pk, r->request_id) ||
            (has &&
             (pack_cstr(&pk, "packet") || msgpack_pack_object(&pk, up.data.via.array.ptr[0])))))
        publish_sbuf(a, r->n->resp, r->n->resp_len, &sb);
    }
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&tmp);
    msgpack_sbuffer_destroy(&sb);
    ra_buf_free(&arr);
  }
  ack_rec_done(r);
}

static void on_broadcast_request(ra_adapter *a, ra_nsp *n, const msgpack_object *m,
                                 const msgpack_object *rid) {
  const msgpack_object *pkt = mget(m, "packet"), *opts = mget(m, "opts");
  int64_t timeout = 0;
  (void)as_int(mget(mget(opts, "flags"), "timeout"), &timeout);
  if (!packet_ok(n, pkt) || !rid || timeout <= 0) {
    a->stats.ignored_bad++;
    return;
  }
  char *name;
  ra_buf args = {0};
  ra_bins bins = {0};
  ack_rec *r = calloc(1, sizeof *r);
  if (r && event_of(mget(pkt, "data"), &name, &args, &bins)) {
    r->a = a;
    r->n = n;
    r->guarded = true;
    r->request_id = malloc(rid->via.str.size + 1);
    if (r->request_id) {
      memcpy(r->request_id, rid->via.str.ptr, rid->via.str.size);
      r->request_id[rid->via.str.size] = '\0';
      sel_buf s;
      sel_of(opts, &s);
      sio_ack_request req = {on_remote_ack, r, (uint64_t)timeout};
      int cnt = sio_namespace_broadcast(
          n->ns, &s.sel, name, (ref_span){(const uint8_t *)args.p, args.len}, bins.v, bins.n, &req);
      sel_free(&s);
      if (cnt < 0) cnt = 0;
      a->stats.delivered += (uint64_t)cnt;
      r->pending += cnt;
      /* RA-24: BROADCAST_CLIENT_COUNT, once, at once */
      ra_buf b = {0};
      ra_buf_puts(&b, "{\"type\":8,\"requestId\":");
      ra_buf_json_string(&b, rid->via.str.ptr, rid->via.str.size);
      char num[32];
      snprintf(num, sizeof num, ",\"clientCount\":%d}", cnt);
      ra_buf_puts(&b, num);
      publish(a, n->resp, n->resp_len, &b);
    }
    r->guarded = false;
    ack_rec_done(r);
    free(name);
  } else {
    free(r);
    a->stats.ignored_bad++;
  }
  ra_buf_free(&args);
  ra_bins_free(&bins);
}

/* ---- a SERVER_SIDE_EMIT of another node (RA-21, RA-22) */

typedef struct sse_reply {
  ra_adapter *a;
  ra_nsp *n;
  const msgpack_object *rid;
} sse_reply;

static void sse_answer(void *user, ref_span arg, const ref_span *att, size_t n_att) {
  sse_reply *r = user;
  ra_buf b = {0};
  ra_buf_puts(&b, "{\"type\":6,\"requestId\":");
  ra_buf_json_string(&b, r->rid->via.str.ptr, r->rid->via.str.size);
  ra_buf_puts(&b, ",\"data\":");
  /* JSON.stringify of the first argument; an absent one (undefined) leaves "data" out */
  if (arg.len == 0 || json_canonical(&b, arg) != 0) {
    ra_buf_free(&b);
    ra_buf_puts(&b, "{\"type\":6,\"requestId\":");
    ra_buf_json_string(&b, r->rid->via.str.ptr, r->rid->via.str.size);
  }
  (void)att;
  (void)n_att;
  ra_buf_puts(&b, "}");
  publish(r->a, r->n->resp, r->n->resp_len, &b); /* RA-20: always the shared channel */
}

static void on_server_emit(ra_adapter *a, ra_nsp *n, const msgpack_object *m,
                           const msgpack_object *rid) {
  const msgpack_object *data = mget(m, "data");
  char *name;
  ra_buf args = {0};
  ra_bins bins = {0};
  if (event_of(data, &name, &args, &bins)) {
    ra_buf whole = {0};
    ra_bins wbins = {0};
    (void)ra_msgpack_to_json(data, &whole, &wbins);
    sio_event ev;
    memset(&ev, 0, sizeof ev);
    /* the name as a JSON string's contents: escaped as JSON.stringify would */
    ra_buf esc = {0};
    ra_buf_json_string(&esc, name, strlen(name));
    ev.name = (ref_span){(const uint8_t *)esc.p + 1, esc.len >= 2 ? esc.len - 2 : 0};
    ev.data = (ref_span){(const uint8_t *)whole.p, whole.len};
    ev.args.args = (ref_span){(const uint8_t *)args.p, args.len};
    ev.args.attachments = bins.n ? bins.v : NULL;
    ev.args.n_attachments = bins.n;
    ev.ack_id = rid ? 0 : SIO_NO_ACK_ID;
    sse_reply sr = {a, n, rid};
    sio_cluster_reply reply = {sse_answer, &sr, false};
    if (!esc.oom && !whole.oom) sio_namespace_server_event(n->ns, &ev, rid ? &reply : NULL);
    ra_buf_free(&esc);
    ra_buf_free(&whole);
    ra_bins_free(&wbins);
    free(name);
  } else {
    a->stats.ignored_bad++;
  }
  ra_buf_free(&args);
  ra_bins_free(&bins);
}

static ra_req *req_by_id(ra_adapter *a, const msgpack_object *rid) {
  for (ra_req *r = a->reqs; rid && r; r = r->next)
    if (str_is(rid, r->id, strlen(r->id))) return r;
  return NULL;
}

/* A request of another node (RA-13). */
static void on_request(ra_adapter *a, ra_nsp *n, const msgpack_object *m) {
  int64_t type;
  const msgpack_object *uid = mget(m, "uid"), *rid = mget(m, "requestId");
  if (rid && rid->type != MSGPACK_OBJECT_STR) rid = NULL;
  if (m->type != MSGPACK_OBJECT_MAP || !as_int(mget(m, "type"), &type) || type < 0 || type > 7) {
    a->stats.ignored_bad++; /* response types 8, 9 too */
    return;
  }
  /* RA-12: this node's own requests; 2, 3, 4 were carried out here before publishing */
  if (own_uid(n, uid) || req_by_id(a, rid)) {
    a->stats.ignored_own++;
    return;
  }
  const msgpack_object *opts = mget(m, "opts");
  ra_buf b = {0};
  collect_ctx cc = {&b, true, n};
  sel_buf s;
  switch (type) {
  case 0: /* RA-17: SOCKETS */
  case 5: /* RA-18: REMOTE_FETCH */
    if (!rid) break;
    if (type == 0) {
      memset(&s, 0, sizeof s);
      s.sel.n_rooms = rooms_of(mget(m, "rooms"), &s.rooms);
      s.sel.rooms = s.rooms;
      s.sel.local = true;
    } else {
      sel_of(opts, &s);
    }
    answer_start(&b, rid);
    ra_buf_puts(&b, ",\"sockets\":[");
    sio_namespace_select(n->ns, &s.sel, type == 0 ? add_id : add_socket, &cc);
    ra_buf_puts(&b, "]}");
    sel_free(&s);
    publish(a, n->resp, n->resp_len, &b);
    return;
  case 1: /* RA-15: ALL_ROOMS */
    if (!rid) break;
    answer_start(&b, rid);
    ra_buf_puts(&b, ",\"rooms\":[");
    sio_namespace_each_room(n->ns, add_room, &cc);
    ra_buf_puts(&b, "]}");
    publish(a, n->resp, n->resp_len, &b);
    return;
  case 2:
  case 3:
  case 4: {
    /* RA-16: with opts, every node acts on its selected sockets and answers nothing */
    if (opts) {
      sel_of(opts, &s);
      if (type == 4) {
        const msgpack_object *close = mget(m, "close");
        bool c = close && close->type == MSGPACK_OBJECT_BOOLEAN && close->via.boolean;
        (void)sio_namespace_disconnect_sockets(n->ns, &s.sel, c);
      } else {
        ref_span *rooms;
        size_t nr = rooms_of(mget(m, "rooms"), &rooms);
        if (type == 2)
          (void)sio_namespace_sockets_join(n->ns, &s.sel, rooms, nr);
        else
          (void)sio_namespace_sockets_leave(n->ns, &s.sel, rooms, nr);
        free(rooms);
      }
      sel_free(&s);
      return;
    }
    /* the older single-socket form: only the node holding socket sid acts, and answers */
    ref_span sid = str_span(mget(m, "sid"));
    if (!rid || !sid.ptr || !sio_namespace_has_room(n->ns, sid)) return;
    sio_selection one = {&sid, 1, NULL, 0, true};
    if (type == 4) {
      const msgpack_object *close = mget(m, "close");
      (void)sio_namespace_disconnect_sockets(
          n->ns, &one, close && close->type == MSGPACK_OBJECT_BOOLEAN && close->via.boolean);
    } else {
      ref_span room = str_span(mget(m, "room"));
      if (type == 2)
        (void)sio_namespace_sockets_join(n->ns, &one, &room, 1);
      else
        (void)sio_namespace_sockets_leave(n->ns, &one, &room, 1);
    }
    answer_start(&b, rid);
    ra_buf_puts(&b, "}");
    publish(a, n->resp, n->resp_len, &b);
    return;
  }
  case 6:
    on_server_emit(a, n, m, rid);
    return;
  case 7:
    on_broadcast_request(a, n, m, rid);
    return;
  default:
    break;
  }
  ra_buf_free(&b);
}

/* An answer to one of this node's requests (RA-19), matched by requestId alone. */
static void on_response(ra_adapter *a, const msgpack_object *m) {
  ra_req *r = req_by_id(a, mget(m, "requestId"));
  if (!r) return; /* not ours, or forgotten */
  int64_t type = -1;
  (void)as_int(mget(m, "type"), &type);
  if (r->type == 6 && type == 6) {
    ra_buf v = {0};
    ra_bins bins = {0};
    const msgpack_object *d = mget(m, "data");
    if (!d || ra_msgpack_to_json(d, &v, &bins) != 0) {
      ra_buf_free(&v);
      ra_buf_puts(&v, "null");
    }
    sio_cluster_op_response(r->op, (ref_span){(const uint8_t *)v.p, v.len});
    ra_buf_free(&v);
    ra_bins_free(&bins);
  } else if (r->type == 7 && type == 8) {
    int64_t cnt = 0;
    if (as_int(mget(m, "clientCount"), &cnt) && cnt >= 0)
      sio_cluster_op_clients(r->op, (size_t)cnt);
  } else if (r->type == 7 && type == 9) {
    ra_buf v = {0};
    ra_bins bins = {0};
    const msgpack_object *p = mget(m, "packet");
    if (!p || ra_msgpack_to_json(p, &v, &bins) != 0) {
      ra_buf_free(&v);
      ra_buf_puts(&v, "null");
    }
    sio_cluster_op_response(r->op, (ref_span){(const uint8_t *)v.p, v.len});
    ra_buf_free(&v);
    ra_bins_free(&bins);
  }
  if (sio_cluster_op_is_done(r->op)) req_drop(a, r);
}

/* Decode a request or response: JSON when it starts with '{', else MessagePack (RA-13).
 * UP is initialised here; SB holds the packed JSON. */
static bool decode(ref_span payload, msgpack_sbuffer *sb, msgpack_unpacked *up) {
  msgpack_unpacked_init(up);
  msgpack_sbuffer_init(sb);
  const char *data = (const char *)payload.ptr;
  size_t len = payload.len;
  if (len && payload.ptr[0] == '{') {
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    if (ra_json_to_msgpack(&pk, payload.ptr, payload.len, NULL, 0) != 0) return false;
    data = sb->data;
    len = sb->size;
  }
  size_t off = 0;
  /* msgpack-c allocates what headers announce: bound them by the bytes first */
  return len && ra_msgpack_bounded((const uint8_t *)data, len) &&
         msgpack_unpack_next(up, data, len, &off) == MSGPACK_UNPACK_SUCCESS && off == len;
}

void ra_on_message(ra_adapter *a, ref_span channel, ref_span payload, uint64_t now_ms) {
  if (!a || (!channel.ptr && channel.len) || (!payload.ptr && payload.len)) return;
  if (now_ms > a->now_ms) a->now_ms = now_ms;
  sio_server_clock(a->srv, now_ms);
  a->stats.received++;
  for (size_t i = 0; i < a->n_nsps; i++) {
    ra_nsp *n = &a->nsps[i];
    int kind = 0; /* 1 broadcast, 2 request, 3 response */
    ref_span room = {NULL, 0};
    if (span_is(channel, n->req, n->req_len))
      kind = 2;
    else if (span_is(channel, n->resp, n->resp_len) ||
             span_is(channel, n->resp_own, n->resp_own_len))
      kind = 3;
    else if (channel.len >= n->bcast_len && memcmp(channel.ptr, n->bcast, n->bcast_len) == 0) {
      size_t rest = channel.len - n->bcast_len;
      if (rest == 0) {
        kind = 1;
      } else if (channel.ptr[channel.len - 1] == '#') {
        kind = 1;
        room.ptr = channel.ptr + n->bcast_len;
        room.len = rest - 1;
        /* RA-10: a room nobody here is in: dropped before decoding */
        if (!sio_namespace_has_room(n->ns, room)) return;
      }
    }
    if (!kind) continue;
    msgpack_sbuffer sb;
    msgpack_unpacked up;
    if (!decode(payload, &sb, &up)) {
      a->stats.ignored_bad++;
    } else if (kind == 1) {
      on_broadcast(a, n, &up.data);
    } else if (kind == 2) {
      on_request(a, n, &up.data);
    } else if (up.data.type == MSGPACK_OBJECT_MAP) {
      on_response(a, &up.data);
    }
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
    return;
  }
  a->stats.ignored_bad++; /* a channel of no namespace here */
}

void ra_on_numsub(ra_adapter *a, uint64_t tag, long long count, uint64_t now_ms) {
  if (!a) return;
  if (now_ms > a->now_ms) a->now_ms = now_ms;
  ra_req *r = a->reqs;
  while (r && r->tag != tag) r = r->next;
  if (!r || count < 0) return; /* forgotten, or failed: the deadline ends it */
  /* RA-14: the count includes this node */
  sio_cluster_op_servers(r->op, (long)count);
  if (r->held && count > 1) {
    uint8_t *p = r->held;
    r->held = NULL;
    queue(a, RA_CMD_PUBLISH, r->nsp->req, r->nsp->req_len, p, r->held_len, 0);
  }
  if (sio_cluster_op_is_done(r->op)) req_drop(a, r);
}

uint64_t ra_next_deadline(const ra_adapter *a) {
  uint64_t d = UINT64_MAX;
  for (const ra_req *r = a ? a->reqs : NULL; r; r = r->next)
    if (r->deadline_ms < d) d = r->deadline_ms;
  return d;
}

void ra_tick(ra_adapter *a, uint64_t now_ms) {
  if (!a) return;
  if (now_ms > a->now_ms) a->now_ms = now_ms;
  sio_server_clock(a->srv, now_ms);
  /* one at a time: a callback may make new requests */
  for (;;) {
    ra_req *due = NULL;
    for (ra_req *r = a->reqs; r && !due; r = r->next)
      if (r->deadline_ms <= now_ms) due = r;
    if (!due) return;
    /* RA-14, RA-25: what did not answer in time is given up; later answers are ignored */
    sio_cluster_op_expire(due->op);
    req_drop(a, due);
  }
}
