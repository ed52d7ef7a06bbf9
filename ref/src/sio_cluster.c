/* Socket.IO server layer, the cluster side: selections of sockets by rooms and except
 * rooms, broadcasts and room operations over them, and the adapter hook that hears of
 * every non-local broadcast and room operation (sio_cluster.h).
 * Spec tags: SIO-ROOM-3, SIO-ROOM-4, RA-9, RA-10, RA-11, RA-16.
 *
 * Acting on a selection is done in two steps: the selected sockets are collected first
 * (each once, RA-10) and their clients entered (sio_client_enter_), then acted on: a send
 * may report a connection gone and a disconnect changes rooms, neither of which may
 * change the lists being walked, and an entered client keeps its detached sockets
 * allocated until it is left again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/json_scan.h"
#include "sioref/sio_cluster.h"
#include "sio_internal.h"

void sio_server_set_adapter(sio_server *srv, const sio_adapter *adapter) {
  if (srv) srv->adapter = adapter;
}

static bool in_room(const sio_socket *s, ref_span room) {
  return sio_socket_in_room(s, (const char *)room.ptr, room.len);
}

/* RA-11: a socket in any except room is left out (its own id is one of its rooms). */
static bool excluded(const sio_socket *s, const sio_selection *sel) {
  for (size_t i = 0; i < sel->n_except; i++)
    if (in_room(s, sel->except[i])) return true;
  return false;
}

static bool sel_ok(const sio_namespace *ns, const sio_selection *sel) {
  if (!ns || !sel || (sel->n_rooms && !sel->rooms) || (sel->n_except && !sel->except)) return false;
  for (size_t i = 0; i < sel->n_rooms; i++)
    if (!sel->rooms[i].ptr && sel->rooms[i].len) return false;
  for (size_t i = 0; i < sel->n_except; i++)
    if (!sel->except[i].ptr && sel->except[i].len) return false;
  return true;
}

typedef struct picked {
  sio_socket **v;
  size_t n, cap;
} picked;

static int pick(picked *p, sio_socket *s) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    sio_socket **v = realloc(p->v, cap * sizeof *v);
    if (!v) return REF_ERR_OUT_OF_MEMORY;
    p->v = v;
    p->cap = cap;
  }
  p->v[p->n++] = s;
  return 0;
}

/* RA-10: the sockets of NS that SEL selects, each once, in a stable order. */
static int collect(sio_namespace *ns, const sio_selection *sel, picked *out) {
  memset(out, 0, sizeof *out);
  if (sel->n_rooms == 0) {
    for (sio_socket *s = ns->head; s; s = s->ns_next)
      if (!excluded(s, sel) && pick(out, s) != 0) return REF_ERR_OUT_OF_MEMORY;
    return 0;
  }
  for (size_t k = 0; k < sel->n_rooms; k++) {
    sio_room *r = sio_room_find_(ns, (const char *)sel->rooms[k].ptr, sel->rooms[k].len);
    for (size_t i = 0; r && i < r->n_members; i++) {
      sio_socket *s = r->members[i].s;
      bool seen = false; /* in an earlier room of the list: already picked (or excluded) */
      for (size_t j = 0; j < k && !seen; j++) seen = in_room(s, sel->rooms[j]);
      if (!seen && s->connected && !excluded(s, sel) && pick(out, s) != 0)
        return REF_ERR_OUT_OF_MEMORY;
    }
  }
  return 0;
}

static void enter_all(picked *p) {
  for (size_t i = 0; i < p->n; i++) sio_client_enter_(p->v[i]->c);
}

static void leave_all(picked *p) {
  for (size_t i = 0; i < p->n; i++) sio_client_leave_(p->v[i]->c);
  free(p->v);
  p->v = NULL;
  p->n = p->cap = 0;
}

size_t sio_namespace_select(sio_namespace *ns, const sio_selection *sel,
                            void (*fn)(void *user, sio_socket *s), void *user) {
  if (!sel_ok(ns, sel) || !fn) return 0;
  picked p;
  if (collect(ns, sel, &p) != 0) {
    free(p.v);
    return 0;
  }
  for (size_t i = 0; i < p.n; i++) fn(user, p.v[i]);
  size_t n = p.n;
  free(p.v);
  return n;
}

/* The JSON array ["event",args...] (malloc'd; ptr NULL when out of memory). */
static ref_span data_array(const char *event, ref_span args) {
  size_t el = strlen(event);
  size_t cap = 2 + sio_json_quote_(event, el, NULL) + (args.len ? 1 + args.len : 0);
  char *data = malloc(cap);
  ref_span r = {NULL, 0};
  if (!data) return r;
  size_t n = 0;
  data[n++] = '[';
  n += sio_json_quote_(event, el, data + n);
  if (args.len) {
    data[n++] = ',';
    memcpy(data + n, args.ptr, args.len);
    n += args.len;
  }
  data[n++] = ']';
  r.ptr = (const uint8_t *)data;
  r.len = n;
  return r;
}

int sio_namespace_broadcast(sio_namespace *ns, const sio_selection *sel, const char *event,
                            ref_span args, const ref_span *att, size_t n_att,
                            const sio_ack_request *ack) {
  if (!sel_ok(ns, sel) || !event || (!args.ptr && args.len) || (n_att && !att))
    return REF_ERR_INVALID_ARGUMENT;
  picked p;
  if (collect(ns, sel, &p) != 0) {
    free(p.v);
    return REF_ERR_OUT_OF_MEMORY;
  }
  enter_all(&p);
  int count = 0, err = 0;
  for (size_t i = 0; i < p.n; i++) {
    if (!p.v[i]->connected) continue; /* gone while sending to an earlier one */
    int rc = sio_socket_emit(p.v[i], event, args, att, n_att, ack);
    if (rc == 0)
      count++;
    else if (rc != REF_ERR_BAD_STATE && rc != REF_ERR_BUFFER_TOO_SMALL && !err)
      err = rc; /* the application's data (refused by the encoder) or out of memory */
  }
  leave_all(&p);
  if (err && count == 0) return err;
  const sio_adapter *ad = ns->srv->adapter;
  if (!sel->local && ad && ad->broadcast) {
    /* RA-5: the adapter gets the packet's data array, as the local sockets got it. */
    ref_span data = data_array(event, args);
    if (!data.ptr) return REF_ERR_OUT_OF_MEMORY;
    ad->broadcast(ad->user, ns, sel, data, att, n_att);
    free((void *)data.ptr);
  }
  return count;
}

/* OP 0 join, 1 leave, 2 disconnect (namespace), 3 disconnect (connection). */
static int act(sio_namespace *ns, const sio_selection *sel, int op, const ref_span *rooms,
               size_t n_rooms) {
  if (!sel_ok(ns, sel) || (n_rooms && !rooms)) return REF_ERR_INVALID_ARGUMENT;
  picked p;
  if (collect(ns, sel, &p) != 0) {
    free(p.v);
    return REF_ERR_OUT_OF_MEMORY;
  }
  enter_all(&p);
  int count = 0;
  for (size_t i = 0; i < p.n; i++) {
    sio_socket *s = p.v[i];
    if (!s->connected) continue;
    count++;
    for (size_t k = 0; op < 2 && k < n_rooms; k++) {
      if (op == 0)
        (void)sio_socket_join(s, (const char *)rooms[k].ptr, rooms[k].len);
      else
        (void)sio_socket_leave(s, (const char *)rooms[k].ptr, rooms[k].len);
    }
    if (op == 2) (void)sio_socket_disconnect(s);
    if (op == 3) (void)sio_client_close(s->c);
  }
  leave_all(&p);
  const sio_adapter *ad = ns->srv->adapter;
  if (!sel->local && ad) {
    if (op == 0 && ad->join) ad->join(ad->user, ns, sel, rooms, n_rooms);
    if (op == 1 && ad->leave) ad->leave(ad->user, ns, sel, rooms, n_rooms);
    if (op >= 2 && ad->disconnect) ad->disconnect(ad->user, ns, sel, op == 3);
  }
  return count;
}

int sio_namespace_sockets_join(sio_namespace *ns, const sio_selection *sel, const ref_span *rooms,
                               size_t n_rooms) {
  return act(ns, sel, 0, rooms, n_rooms);
}

int sio_namespace_sockets_leave(sio_namespace *ns, const sio_selection *sel, const ref_span *rooms,
                                size_t n_rooms) {
  return act(ns, sel, 1, rooms, n_rooms);
}

int sio_namespace_disconnect_sockets(sio_namespace *ns, const sio_selection *sel, bool close) {
  return act(ns, sel, close ? 3 : 2, NULL, 0);
}

size_t sio_socket_room_count(const sio_socket *s) { return s ? s->n_rooms : 0; }

ref_span sio_socket_room(const sio_socket *s, size_t i) {
  ref_span r = {NULL, 0};
  if (s && i < s->n_rooms) {
    r.ptr = (const uint8_t *)s->rooms[i].room->name;
    r.len = s->rooms[i].room->name_len;
  }
  return r;
}

void sio_namespace_each_room(sio_namespace *ns, void (*fn)(void *user, ref_span room), void *user) {
  if (!ns || !fn) return;
  for (size_t b = 0; b < ns->n_buckets; b++)
    for (sio_room *r = ns->buckets[b]; r; r = r->next)
      if (r->n_members) fn(user, (ref_span){(const uint8_t *)r->name, r->name_len});
}

bool sio_namespace_has_room(sio_namespace *ns, ref_span room) {
  if (!ns || (!room.ptr && room.len)) return false;
  sio_room *r = sio_room_find_(ns, (const char *)room.ptr, room.len);
  return r && r->n_members > 0;
}

void sio_cluster_emitted_(sio_namespace *ns, const char *room, size_t room_len,
                          const sio_socket *except, ref_span data, const ref_span *att,
                          size_t n_att) {
  const sio_adapter *ad = ns->srv->adapter;
  if (!ad || !ad->broadcast) return;
  ref_span r = {(const uint8_t *)room, room_len};
  ref_span x = {except ? (const uint8_t *)except->id : NULL, except ? SIO_SID_LEN : 0};
  /* RA-11: "everyone but the sender" is "except the room named by its id", which works
   * on every node. */
  sio_selection sel = {room ? &r : NULL, room ? 1 : 0, except ? &x : NULL, except ? 1 : 0, false};
  ad->broadcast(ad->user, ns, &sel, data, att, n_att);
}

/* ---------------------------------------------------------------- requests with answers */

struct sio_cluster_op {
  int refs;             /* the creator while it runs, each local pending ack, the adapter */
  bool done;            /* the callback ran */
  bool bcast;           /* a broadcast with acks; else a server-side event */
  bool has_adapter;     /* answers may come from other nodes */
  long servers;         /* RA-14: nodes counted, -1 until known */
  long servers_seen;    /* broadcast: nodes whose client count arrived (this one included) */
  size_t clients;       /* broadcast: clients expected over all nodes */
  size_t responses;     /* answers received */
  size_t local_pending; /* local acks not ended yet */
  bool local_timeout;   /* a local client did not answer in time */
  char *json;           /* "[a,b,..." without the closing bracket (owned) */
  size_t len, cap;
  sio_cluster_done_fn fn;
  void *user;
};

static void op_unref(sio_cluster_op *op) {
  if (--op->refs > 0) return;
  free(op->json);
  free(op);
}

static void op_finish(sio_cluster_op *op, const char *error) {
  if (op->done) return;
  op->done = true;
  op->json[op->len] = ']'; /* op->cap always keeps room for it */
  op->fn(op->user, error, (ref_span){(const uint8_t *)op->json, op->len + 1});
}

static void op_check(sio_cluster_op *op) {
  if (op->done || op->servers < 0) return;
  if (op->bcast) {
    if (op->servers_seen >= op->servers && op->responses >= op->clients) op_finish(op, NULL);
  } else if ((long)op->responses >= op->servers - 1) {
    op_finish(op, NULL);
  }
  /* This node alone: a local client that did not answer ends the request. */
  if (!op->done && !op->has_adapter && op->local_pending == 0 && op->local_timeout)
    op_finish(op, "operation has timed out");
}

static sio_cluster_op *op_new(bool bcast, sio_cluster_done_fn fn, void *user) {
  sio_cluster_op *op = calloc(1, sizeof *op);
  if (!op) return NULL;
  op->json = malloc(64);
  if (!op->json) {
    free(op);
    return NULL;
  }
  op->json[0] = '[';
  op->len = 1;
  op->cap = 64;
  op->refs = 1;
  op->bcast = bcast;
  op->servers = -1;
  op->fn = fn;
  op->user = user;
  return op;
}

void sio_cluster_op_servers(sio_cluster_op *op, long count) {
  if (!op) return;
  op->servers = count < 1 ? 1 : count;
  op_check(op);
}

void sio_cluster_op_clients(sio_cluster_op *op, size_t n) {
  if (!op) return;
  op->servers_seen++;
  op->clients += n;
  op_check(op);
}

void sio_cluster_op_response(sio_cluster_op *op, ref_span v) {
  if (!op || op->done) return;
  size_t need = op->len + 2 + (v.len ? v.len : 4); /* ',' value ']' */
  if (need > op->cap) {
    size_t cap = op->cap * 2;
    while (cap < need) cap *= 2;
    char *p = realloc(op->json, cap);
    if (!p) return; /* the answer is lost, and counted: the request still ends */
    op->json = p;
    op->cap = cap;
  }
  if (op->len > 1) op->json[op->len++] = ',';
  if (v.len) {
    memcpy(op->json + op->len, v.ptr, v.len);
    op->len += v.len;
  } else {
    memcpy(op->json + op->len, "null", 4); /* an ack without arguments */
    op->len += 4;
  }
  op->responses++;
  op_check(op);
}

void sio_cluster_op_expire(sio_cluster_op *op) {
  if (!op || op->done) return;
  char msg[96];
  if (op->bcast)
    snprintf(msg, sizeof msg, "operation has timed out");
  else
    snprintf(msg, sizeof msg, "timeout reached: only %zu responses received out of %ld",
             op->responses, op->servers > 0 ? op->servers - 1 : 0);
  op_finish(op, msg);
}

void sio_cluster_op_release(sio_cluster_op *op) {
  if (op) op_unref(op);
}

bool sio_cluster_op_is_done(const sio_cluster_op *op) { return !op || op->done; }

uint64_t sio_server_now_ms(const sio_server *srv) { return srv ? srv->now_ms : 0; }

void sio_server_clock(sio_server *srv, uint64_t now_ms) {
  if (srv) sio_server_clock_(srv, now_ms);
}

sio_namespace *sio_server_namespace_at(sio_server *srv, size_t i) {
  return srv && i < srv->cfg.n_namespaces ? &srv->nsps[i] : NULL;
}

/* The first of the comma-separated JSON values ARGS (valid JSON, as the codec checked),
 * without the white space that ends it. */
static ref_span first_value(ref_span args) {
  ref_span v = json_first_value(args);
  const uint8_t *p = v.ptr;
  size_t i = v.len;
  while (i > 0 && (p[i - 1] == ' ' || p[i - 1] == '\t' || p[i - 1] == '\n' || p[i - 1] == '\r'))
    i--;
  return (ref_span){p, i};
}

/* A local client's ack of a broadcast with acks. */
static void op_local_ack(void *user, sio_socket *s, sio_ack_status st, const sio_args *data) {
  (void)s;
  sio_cluster_op *op = user;
  op->local_pending--;
  if (st == SIO_ACK_OK) {
    /* RA-25: the first argument only, as socket.io hands it to the broadcast's callback
     * (binary arguments stay placeholders: their bytes are not kept) */
    ref_span first = data && data->args.len ? first_value(data->args) : (ref_span){NULL, 0};
    sio_cluster_op_response(op, first);
  } else {
    if (st == SIO_ACK_TIMEOUT) op->local_timeout = true;
    op_check(op);
  }
  op_unref(op);
}

int sio_namespace_broadcast_with_ack(sio_namespace *ns, const sio_selection *sel, const char *event,
                                     ref_span args, const ref_span *att, size_t n_att,
                                     uint64_t timeout_ms, sio_cluster_done_fn fn, void *user) {
  if (!sel_ok(ns, sel) || !event || !fn || (!args.ptr && args.len) || (n_att && !att))
    return REF_ERR_INVALID_ARGUMENT;
  sio_cluster_op *op = op_new(true, fn, user);
  if (!op) return REF_ERR_OUT_OF_MEMORY;
  const sio_adapter *ad = ns->srv->adapter;
  op->has_adapter = !sel->local && ad && ad->broadcast_ack;
  picked p;
  if (collect(ns, sel, &p) != 0) {
    free(p.v);
    op_unref(op);
    return REF_ERR_OUT_OF_MEMORY;
  }
  sio_ack_request req = {op_local_ack, op, timeout_ms};
  enter_all(&p);
  int count = 0, err = 0;
  for (size_t i = 0; i < p.n; i++) {
    if (!p.v[i]->connected) continue;
    op->refs++;
    op->local_pending++;
    int rc = sio_socket_emit(p.v[i], event, args, att, n_att, &req);
    if (rc == 0) {
      count++;
    } else {
      op->refs--;
      op->local_pending--;
      if (rc != REF_ERR_BAD_STATE && rc != REF_ERR_BUFFER_TOO_SMALL && !err) err = rc;
    }
  }
  leave_all(&p);
  if (err && count == 0) {
    op->done = true; /* FN is not called on error */
    op_unref(op);
    return err;
  }
  if (op->has_adapter) {
    ref_span data = data_array(event, args);
    if (data.ptr) {
      op->refs++; /* the adapter's, given back with sio_cluster_op_release */
      ad->broadcast_ack(ad->user, ns, sel, data, att, n_att, timeout_ms, op);
      free((void *)data.ptr);
    } else {
      op->has_adapter = false;
    }
  }
  if (!op->has_adapter) op->servers = 1;
  sio_cluster_op_clients(op, (size_t)count); /* this node's count (RA-24, for itself) */
  op_unref(op);
  return count;
}

void sio_server_on_server_event(sio_server *srv, sio_server_event_fn fn, void *user) {
  if (!srv) return;
  srv->server_event = fn;
  srv->server_event_user = user;
}

int sio_cluster_reply_send(sio_cluster_reply *reply, ref_span args, const ref_span *att,
                           size_t n_att) {
  if (!reply || reply->used || !reply->fn) return REF_ERR_BAD_STATE;
  reply->used = true; /* RA-22: the first call answers, later ones are ignored */
  reply->fn(reply->user, args.len ? first_value(args) : args, att, n_att);
  return 0;
}

void sio_namespace_server_event(sio_namespace *ns, const sio_event *ev, sio_cluster_reply *reply) {
  if (!ns || !ev || !ns->srv->server_event) return;
  ns->srv->server_event(ns->srv->server_event_user, ns, ev, reply);
}

int sio_namespace_server_emit(sio_namespace *ns, const char *event, ref_span args,
                              const ref_span *att, size_t n_att, sio_cluster_done_fn fn,
                              void *user) {
  if (!ns || !event || (!args.ptr && args.len) || (n_att && !att)) return REF_ERR_INVALID_ARGUMENT;
  const sio_adapter *ad = ns->srv->adapter;
  sio_cluster_op *op = NULL;
  if (fn) {
    op = op_new(false, fn, user);
    if (!op) return REF_ERR_OUT_OF_MEMORY;
  }
  if (ad && ad->server_emit) {
    ref_span data = data_array(event, args);
    if (!data.ptr) {
      if (op) op->done = true, op_unref(op);
      return REF_ERR_OUT_OF_MEMORY;
    }
    if (op) op->refs++;
    ad->server_emit(ad->user, ns, data, att, n_att, op);
    free((void *)data.ptr);
  } else if (op) {
    sio_cluster_op_servers(op, 1); /* RA-14: this node alone answers with nothing */
  }
  if (op) op_unref(op);
  return 0;
}
