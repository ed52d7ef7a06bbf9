/* The Redis adapter, receive side: what the other nodes publish (ra_adapter.h), read
 * into msgpack_objects (a JSON request is packed as MessagePack first, so one reader
 * serves both encodings, RA-13) and carried out on the Socket.IO layer with local
 * selections (sio_cluster.h: nothing is published again): broadcasts (RA-5, RA-6,
 * RA-10..RA-12), requests of every type (RA-13, RA-15..RA-18, RA-21..RA-25) and the
 * answers to this node's own requests (RA-19).
 * Spec tags: as listed, each where it is enforced. */
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/ra_adapter.h"
#include "sioref/ra_value.h"
#include "sioref/sio_cluster.h"
#include "ra_internal.h"

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
    if (arr->via.array.ptr[i].type == MSGPACK_OBJECT_STR)
      v[n++] = ra_str_span_(&arr->via.array.ptr[i]);
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
  s->sel.n_rooms = rooms_of(ra_mget_(opts, "rooms"), &s->rooms);
  s->sel.rooms = s->rooms;
  s->sel.n_except = rooms_of(ra_mget_(opts, "except"), &s->except);
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
  if (!pkt || pkt->type != MSGPACK_OBJECT_MAP || !ra_as_int_(ra_mget_(pkt, "type"), &type) ||
      (type != 2 && type != 5))
    return false;
  const msgpack_object *nsp = ra_mget_(pkt, "nsp");
  if (nsp && nsp->type != MSGPACK_OBJECT_NIL) return ra_str_is_(nsp, n->name, n->name_len);
  return n->name_len == 1; /* no nsp: "/" */
}

static bool own_uid(ra_nsp *n, const msgpack_object *uid) {
  return ra_str_is_(uid, n->uid, strlen(n->uid));
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
  if (event_of(ra_mget_(pkt, "data"), &name, &args, &bins)) {
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
    if (ra_span_is_(r, id, SIO_SID_LEN)) continue;
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
      if (!(msgpack_pack_map(&pk, has ? 3 : 2) || ra_pack_cstr_(&pk, "type") ||
            msgpack_pack_int(&pk, 9) || ra_pack_cstr_(&pk, "requestId") ||
            ra_pack_cstr_(&pk, r->request_id) ||
            (has &&
             (ra_pack_cstr_(&pk, "packet") || msgpack_pack_object(&pk, up.data.via.array.ptr[0])))))
        ra_publish_sbuf_(a, r->n->resp, r->n->resp_len, &sb);
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
  const msgpack_object *pkt = ra_mget_(m, "packet"), *opts = ra_mget_(m, "opts");
  int64_t timeout = 0;
  (void)ra_as_int_(ra_mget_(ra_mget_(opts, "flags"), "timeout"), &timeout);
  if (!packet_ok(n, pkt) || !rid || timeout <= 0) {
    a->stats.ignored_bad++;
    return;
  }
  char *name;
  ra_buf args = {0};
  ra_bins bins = {0};
  ack_rec *r = calloc(1, sizeof *r);
  if (r && event_of(ra_mget_(pkt, "data"), &name, &args, &bins)) {
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
      ra_publish_(a, n->resp, n->resp_len, &b);
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
  if (arg.len == 0 || ra_json_canonical_(&b, arg) != 0) {
    ra_buf_free(&b);
    ra_buf_puts(&b, "{\"type\":6,\"requestId\":");
    ra_buf_json_string(&b, r->rid->via.str.ptr, r->rid->via.str.size);
  }
  (void)att;
  (void)n_att;
  ra_buf_puts(&b, "}");
  ra_publish_(r->a, r->n->resp, r->n->resp_len, &b); /* RA-20: always the shared channel */
}

static void on_server_emit(ra_adapter *a, ra_nsp *n, const msgpack_object *m,
                           const msgpack_object *rid) {
  const msgpack_object *data = ra_mget_(m, "data");
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
    if (ra_str_is_(rid, r->id, strlen(r->id))) return r;
  return NULL;
}

/* A request of another node (RA-13). */
static void on_request(ra_adapter *a, ra_nsp *n, const msgpack_object *m) {
  int64_t type;
  const msgpack_object *uid = ra_mget_(m, "uid"), *rid = ra_mget_(m, "requestId");
  if (rid && rid->type != MSGPACK_OBJECT_STR) rid = NULL;
  if (m->type != MSGPACK_OBJECT_MAP || !ra_as_int_(ra_mget_(m, "type"), &type) || type < 0 ||
      type > 7) {
    a->stats.ignored_bad++; /* response types 8, 9 too */
    return;
  }
  /* RA-12: this node's own requests; 2, 3, 4 were carried out here before publishing */
  if (own_uid(n, uid) || req_by_id(a, rid)) {
    a->stats.ignored_own++;
    return;
  }
  const msgpack_object *opts = ra_mget_(m, "opts");
  ra_buf b = {0};
  collect_ctx cc = {&b, true, n};
  sel_buf s;
  switch (type) {
  case 0: /* RA-17: SOCKETS */
  case 5: /* RA-18: REMOTE_FETCH */
    if (!rid) break;
    if (type == 0) {
      memset(&s, 0, sizeof s);
      s.sel.n_rooms = rooms_of(ra_mget_(m, "rooms"), &s.rooms);
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
    ra_publish_(a, n->resp, n->resp_len, &b);
    return;
  case 1: /* RA-15: ALL_ROOMS */
    if (!rid) break;
    answer_start(&b, rid);
    ra_buf_puts(&b, ",\"rooms\":[");
    sio_namespace_each_room(n->ns, add_room, &cc);
    ra_buf_puts(&b, "]}");
    ra_publish_(a, n->resp, n->resp_len, &b);
    return;
  case 2:
  case 3:
  case 4: {
    /* RA-16: with opts, every node acts on its selected sockets and answers nothing */
    if (opts) {
      sel_of(opts, &s);
      if (type == 4) {
        const msgpack_object *close = ra_mget_(m, "close");
        bool c = close && close->type == MSGPACK_OBJECT_BOOLEAN && close->via.boolean;
        (void)sio_namespace_disconnect_sockets(n->ns, &s.sel, c);
      } else {
        ref_span *rooms;
        size_t nr = rooms_of(ra_mget_(m, "rooms"), &rooms);
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
    ref_span sid = ra_str_span_(ra_mget_(m, "sid"));
    if (!rid || !sid.ptr || !sio_namespace_has_room(n->ns, sid)) return;
    sio_selection one = {&sid, 1, NULL, 0, true};
    if (type == 4) {
      const msgpack_object *close = ra_mget_(m, "close");
      (void)sio_namespace_disconnect_sockets(
          n->ns, &one, close && close->type == MSGPACK_OBJECT_BOOLEAN && close->via.boolean);
    } else {
      ref_span room = ra_str_span_(ra_mget_(m, "room"));
      if (type == 2)
        (void)sio_namespace_sockets_join(n->ns, &one, &room, 1);
      else
        (void)sio_namespace_sockets_leave(n->ns, &one, &room, 1);
    }
    answer_start(&b, rid);
    ra_buf_puts(&b, "}");
    ra_publish_(a, n->resp, n->resp_len, &b);
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
  ra_req *r = req_by_id(a, ra_mget_(m, "requestId"));
  if (!r) return; /* not ours, or forgotten */
  int64_t type = -1;
  (void)ra_as_int_(ra_mget_(m, "type"), &type);
  if (r->type == 6 && type == 6) {
    ra_buf v = {0};
    ra_bins bins = {0};
    const msgpack_object *d = ra_mget_(m, "data");
    if (!d || ra_msgpack_to_json(d, &v, &bins) != 0) {
      ra_buf_free(&v);
      ra_buf_puts(&v, "null");
    }
    sio_cluster_op_response(r->op, (ref_span){(const uint8_t *)v.p, v.len});
    ra_buf_free(&v);
    ra_bins_free(&bins);
  } else if (r->type == 7 && type == 8) {
    int64_t cnt = 0;
    if (ra_as_int_(ra_mget_(m, "clientCount"), &cnt) && cnt >= 0)
      sio_cluster_op_clients(r->op, (size_t)cnt);
  } else if (r->type == 7 && type == 9) {
    ra_buf v = {0};
    ra_bins bins = {0};
    const msgpack_object *p = ra_mget_(m, "packet");
    if (!p || ra_msgpack_to_json(p, &v, &bins) != 0) {
      ra_buf_free(&v);
      ra_buf_puts(&v, "null");
    }
    sio_cluster_op_response(r->op, (ref_span){(const uint8_t *)v.p, v.len});
    ra_buf_free(&v);
    ra_bins_free(&bins);
  }
  if (sio_cluster_op_is_done(r->op)) ra_req_drop_(a, r);
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
    if (ra_span_is_(channel, n->req, n->req_len))
      kind = 2;
    else if (ra_span_is_(channel, n->resp, n->resp_len) ||
             ra_span_is_(channel, n->resp_own, n->resp_own_len))
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
