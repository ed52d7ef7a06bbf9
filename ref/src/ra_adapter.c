/* The Redis adapter, sans-I/O (ra_adapter.h), send side and life cycle: channels and
 * subscriptions, what this node publishes (broadcasts, room operations, requests), the
 * bounded command queue, and the bookkeeping of requests that wait for answers. What other
 * nodes publish is read in ra_receive.c; the structures both use are in ra_internal.h.
 * Spec tags: RA-1..RA-9, RA-14, RA-16, RA-21..RA-23 (spec/redis-adapter.md), each where
 * it is enforced.
 *
 * What the application does reaches this file through the sio_adapter hooks
 * (sio_cluster.h) and leaves as commands in a queue that the embedder drains to the
 * publisher connection.
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
#include "ra_internal.h"

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

uint64_t ra_now_of_(ra_adapter *a) {
  uint64_t s = sio_server_now_ms(a->srv);
  if (s > a->now_ms) a->now_ms = s;
  return a->now_ms;
}

static ra_nsp *nsp_of(ra_adapter *a, const sio_namespace *ns) {
  for (size_t i = 0; i < a->n_nsps; i++)
    if (a->nsps[i].ns == ns) return &a->nsps[i];
  return NULL;
}

bool ra_span_is_(ref_span s, const char *p, size_t n) {
  return s.len == n && (n == 0 || memcmp(s.ptr, p, n) == 0);
}

bool ra_str_is_(const msgpack_object *o, const char *p, size_t n) {
  return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
         (n == 0 || memcmp(o->via.str.ptr, p, n) == 0);
}

const msgpack_object *ra_mget_(const msgpack_object *map, const char *key) {
  if (!map || map->type != MSGPACK_OBJECT_MAP) return NULL;
  size_t n = strlen(key);
  for (uint32_t i = 0; i < map->via.map.size; i++)
    if (ra_str_is_(&map->via.map.ptr[i].key, key, n)) return &map->via.map.ptr[i].val;
  return NULL;
}

bool ra_as_int_(const msgpack_object *o, int64_t *out) {
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

ref_span ra_str_span_(const msgpack_object *o) {
  ref_span r = {NULL, 0};
  if (o && o->type == MSGPACK_OBJECT_STR) {
    r.ptr = (const uint8_t *)o->via.str.ptr;
    r.len = o->via.str.size;
  }
  return r;
}

/* ---------------------------------------------------------------- the command queue */

void ra_queue_(ra_adapter *a, ra_cmd_kind kind, const char *ch, size_t ch_len, uint8_t *payload,
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

void ra_publish_(ra_adapter *a, const char *ch, size_t ch_len, ra_buf *b) {
  if (b->oom) {
    a->stats.dropped++;
    ra_buf_free(b);
    return;
  }
  size_t len = b->len;
  uint8_t *p = (uint8_t *)b->p;
  b->p = NULL;
  ra_buf_free(b);
  ra_queue_(a, RA_CMD_PUBLISH, ch, ch_len, p ? p : calloc(1, 1), len, 0);
}

void ra_publish_sbuf_(ra_adapter *a, const char *ch, size_t ch_len, msgpack_sbuffer *sb) {
  uint8_t *p = (uint8_t *)sb->data;
  size_t len = sb->size;
  sb->data = NULL;
  sb->size = sb->alloc = 0;
  if (!p) {
    a->stats.dropped++;
    return;
  }
  ra_queue_(a, RA_CMD_PUBLISH, ch, ch_len, p, len, 0);
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

int ra_pack_str_(msgpack_packer *pk, const void *p, size_t n) {
  return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, p, n);
}
int ra_pack_cstr_(msgpack_packer *pk, const char *s) { return ra_pack_str_(pk, s, strlen(s)); }

/* RA-8: rooms as given; except without duplicates. */
static int pack_rooms(msgpack_packer *pk, const ref_span *r, size_t n, bool dedup) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    bool dup = false;
    for (size_t j = 0; dedup && j < i && !dup; j++)
      dup = ra_span_is_(r[j], (const char *)r[i].ptr, r[i].len);
    if (!dup) k++;
  }
  if (msgpack_pack_array(pk, k)) return -1;
  for (size_t i = 0; i < n; i++) {
    bool dup = false;
    for (size_t j = 0; dedup && j < i && !dup; j++)
      dup = ra_span_is_(r[j], (const char *)r[i].ptr, r[i].len);
    if (!dup && ra_pack_str_(pk, r[i].ptr, r[i].len)) return -1;
  }
  return 0;
}

/* RA-6: the packet map {type: 2, data, nsp}. */
static int pack_packet(msgpack_packer *pk, ra_nsp *n, ref_span data, const ref_span *att,
                       size_t n_att) {
  if (msgpack_pack_map(pk, 3) || ra_pack_cstr_(pk, "type") || msgpack_pack_int(pk, 2) ||
      ra_pack_cstr_(pk, "data"))
    return REF_ERR_OUT_OF_MEMORY;
  int rc = ra_json_to_msgpack(pk, data.ptr, data.len, att, n_att);
  if (rc) return rc;
  if (ra_pack_cstr_(pk, "nsp") || ra_pack_str_(pk, n->name, n->name_len))
    return REF_ERR_OUT_OF_MEMORY;
  return 0;
}

/* RA-8: opts {rooms, except, flags}; FLAGS_TIMEOUT > 0 adds flags.timeout (RA-23). */
static int pack_opts(msgpack_packer *pk, const sio_selection *sel, uint64_t flags_timeout) {
  if (msgpack_pack_map(pk, 3) || ra_pack_cstr_(pk, "rooms") ||
      pack_rooms(pk, sel->rooms, sel->n_rooms, false) || ra_pack_cstr_(pk, "except") ||
      pack_rooms(pk, sel->except, sel->n_except, true) || ra_pack_cstr_(pk, "flags"))
    return -1;
  if (flags_timeout)
    return msgpack_pack_map(pk, 1) || ra_pack_cstr_(pk, "timeout") ||
           msgpack_pack_uint64(pk, flags_timeout);
  return msgpack_pack_map(pk, 0);
}

static void json_rooms(ra_buf *b, const ref_span *r, size_t n, bool dedup) {
  ra_buf_put(b, "[", 1);
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    bool dup = false;
    for (size_t j = 0; dedup && j < i && !dup; j++)
      dup = ra_span_is_(r[j], (const char *)r[i].ptr, r[i].len);
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
int ra_json_canonical_(ra_buf *out, ref_span json) {
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
  int rc = msgpack_pack_array(&pk, 3) || ra_pack_cstr_(&pk, n->uid) ? REF_ERR_OUT_OF_MEMORY : 0;
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
      ra_publish_sbuf_(a, ch.p, ch.len, &sb);
    else
      a->stats.dropped++;
    ra_buf_free(&ch);
  } else {
    ra_publish_sbuf_(a, n->bcast, n->bcast_len, &sb);
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
  ra_publish_(a, n->req, n->req_len, &b);
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
  ra_publish_(a, n->req, n->req_len, &b);
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
  r->deadline_ms = ra_now_of_(a) + timeout;
  r->next = a->reqs;
  a->reqs = r;
  return r;
}

void ra_req_drop_(ra_adapter *a, ra_req *r) {
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
  ra_queue_(a, RA_CMD_NUMSUB, r->nsp->req, r->nsp->req_len, NULL, 0, r->tag);
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
  if (ra_json_canonical_(&b, data) != 0) {
    ra_buf_free(&b);
    if (r) {
      sio_cluster_op_expire(op);
      ra_req_drop_(a, r);
    }
    return;
  }
  ra_buf_puts(&b, "}");
  if (!r) {
    ra_publish_(a, n->req, n->req_len, &b);
    return;
  }
  if (b.oom) {
    ra_buf_free(&b);
    sio_cluster_op_expire(op);
    ra_req_drop_(a, r);
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
  int rc = msgpack_pack_map(&pk, 5) || ra_pack_cstr_(&pk, "uid") || ra_pack_cstr_(&pk, n->uid) ||
                   ra_pack_cstr_(&pk, "requestId") || ra_pack_cstr_(&pk, r->id) ||
                   ra_pack_cstr_(&pk, "type") || msgpack_pack_int(&pk, 7) ||
                   ra_pack_cstr_(&pk, "packet")
               ? REF_ERR_OUT_OF_MEMORY
               : 0;
  if (!rc) rc = pack_packet(&pk, n, data, att, n_att);
  if (!rc && (ra_pack_cstr_(&pk, "opts") || pack_opts(&pk, sel, timeout_ms ? timeout_ms : 1)))
    rc = REF_ERR_OUT_OF_MEMORY;
  if (rc) {
    msgpack_sbuffer_destroy(&sb);
    sio_cluster_op_servers(op, 1); /* this node alone */
    ra_req_drop_(a, r);
    return;
  }
  ra_publish_sbuf_(a, n->req, n->req_len, &sb);
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
  while (a->reqs) ra_req_drop_(a, a->reqs);
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
    ra_queue_(a, RA_CMD_PUBLISH, r->nsp->req, r->nsp->req_len, p, r->held_len, 0);
  }
  if (sio_cluster_op_is_done(r->op)) ra_req_drop_(a, r);
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
    ra_req_drop_(a, due);
  }
}
