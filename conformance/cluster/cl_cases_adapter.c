/* Cluster cases between the nodes (cl_cases_adapter.h). Every case opens its clients
 * directly on the nodes (no balancer), one or two per node, and counts what each client
 * receives: a delivery must arrive exactly once on every node that holds a target, and
 * never on a client that is not one (spec/contract.md CT-50, spec/redis-adapter.md). */
#include "cl_cases_adapter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_ctx.h"
#include "cl_check.h"
#include "cl_peer.h"

void cl_case_connect(ct_run *r) {
  cl_ctx *x = cl_ctx_of(r);
  int n = x->n < CT_MAX_CONNS ? x->n : CT_MAX_CONNS;
  cl_peer p[CT_MAX_CONNS];
  memset(p, 0, sizeof p);
  r->open_graded = 1; /* this case grades the sessions the others take as a preamble */
  int ok = cl_open_per_node(r, p, n, "n") == 0;
  char ids[CT_MAX_CONNS][128];
  for (int i = 0; ok && i < n; i++) {
    ids[i][0] = 0;
    if (!cl_node_has(x, i, "cluster")) continue;
    cJSON *a = NULL;
    int rc = cl_ack(&p[i], "node-id", NULL, CL_WAIT_MS, &a);
    const cJSON *v = cJSON_GetArrayItem(a, 0);
    if (rc != 1 || !cJSON_IsString(v) || !v->valuestring[0]) {
      ct_fail(r, "an ack with one non-empty string", rc == 1 ? "another ack" : "no ack",
              "node %d announces \"cluster\" but does not answer node-id (CT-51)", i + 1);
      ok = 0;
    } else {
      snprintf(ids[i], sizeof ids[i], "%s", v->valuestring);
      ct_log(r, ".. node %d is %s", i + 1, ids[i]);
      for (int k = 0; k < i && ok; k++)
        if (strcmp(ids[k], ids[i]) == 0) {
          ct_fail(r, "distinct node ids", ids[i], "nodes %d and %d answer the same node-id", k + 1,
                  i + 1);
          ok = 0;
        }
    }
    cJSON_Delete(a);
  }
  if (ok) ct_pass(r);
  cl_free_peers(p, n);
}

void cl_case_room(ct_run *r) {
  if (cl_need_all(r, "rooms") < 0) return;
  cl_ctx *x = cl_ctx_of(r);
  int m = cl_pair_nodes(x);
  cl_peer p[2 * CL_PAIR_NODES]; /* members m1.., then outsiders o1.. */
  memset(p, 0, sizeof p);
  char room[96], args[160];
  cl_room_name(r, "r", room, sizeof room);
  snprintf(args, sizeof args, "\"%s\"", room);
  int ok = cl_open_per_node(r, p, m, "m") == 0 && cl_open_per_node(r, p + m, m, "o") == 0;
  for (int i = 0; ok && i < m; i++) ok = cl_ack_eq(r, &p[i], "join", args, room) == 0;
  int want[2 * CL_PAIR_NODES];
  for (int i = 0; i < 2 * m; i++) want[i] = i < m;
  /* from every node in turn: each publishes on the room's channel (RA-2) */
  for (int e = 0; ok && e < m; e++) {
    for (int i = 0; i < 2 * m; i++) cl_clear(&p[i]);
    char msg[200];
    snprintf(msg, sizeof msg, "\"%s\",\"from node %d\"", room, e + 1);
    ct_log(r, ".. round %d: m%d sends to-room-all", e + 1, e + 1);
    ok = cl_emit(&p[e], "to-room-all", msg) == 0;
    if (!ok) {
      ct_fail(r, "the event is sent", "send failed", "m%d: cannot send to-room-all", e + 1);
      break;
    }
    cl_wait_counts(r, p, 2 * m, "room-message", want, CL_WAIT_MS, CL_SETTLE_MS);
    char what[80];
    snprintf(what, sizeof what, "to-room-all from node %d", e + 1);
    ok = cl_check_counts(r, p, 2 * m, "room-message", want, what) == 0;
  }
  if (ok) ct_pass(r);
  cl_free_peers(p, 2 * m);
}

void cl_case_namespace(ct_run *r) {
  if (cl_need_all(r, "broadcast") < 0) return;
  cl_ctx *x = cl_ctx_of(r);
  int m = x->n < CT_MAX_CONNS ? x->n : CT_MAX_CONNS;
  cl_peer p[CT_MAX_CONNS];
  memset(p, 0, sizeof p);
  int ok = cl_open_per_node(r, p, m, "n") == 0;
  for (int e = 0; ok && e < m; e++) {
    int want[CT_MAX_CONNS];
    for (int i = 0; i < m; i++) {
      want[i] = i != e;
      cl_clear(&p[i]);
    }
    char msg[64];
    snprintf(msg, sizeof msg, "\"from node %d\"", e + 1);
    if (cl_emit(&p[e], "broadcast", msg) != 0) {
      ct_fail(r, "the event is sent", "send failed", "n%d: cannot send broadcast", e + 1);
      ok = 0;
      break;
    }
    cl_wait_counts(r, p, m, "broadcast-message", want, CL_WAIT_MS, CL_SETTLE_MS);
    char what[64];
    snprintf(what, sizeof what, "broadcast from node %d", e + 1);
    ok = cl_check_counts(r, p, m, "broadcast-message", want, what) == 0;
  }
  if (ok) ct_pass(r);
  cl_free_peers(p, m);
}

void cl_case_except(ct_run *r) {
  if (cl_need_all(r, "rooms") < 0) return;
  cl_ctx *x = cl_ctx_of(r);
  int e0 = cl_first_with(x, "cluster");
  if (e0 < 0) {
    ct_skip(r, "no node announces the \"cluster\" extension (to-room-except, CT-54)");
    return;
  }
  int m = cl_pair_nodes(x);
  cl_peer p[2 * CL_PAIR_NODES]; /* a1..: in the room; x1..: in the room and the except room */
  memset(p, 0, sizeof p);
  char room[96], ex[96], a1[120], a2[120];
  cl_room_name(r, "r", room, sizeof room);
  cl_room_name(r, "x", ex, sizeof ex);
  snprintf(a1, sizeof a1, "\"%s\"", room);
  snprintf(a2, sizeof a2, "\"%s\"", ex);
  int ok = cl_open_per_node(r, p, m, "a") == 0 && cl_open_per_node(r, p + m, m, "x") == 0;
  for (int i = 0; ok && i < 2 * m; i++) ok = cl_ack_eq(r, &p[i], "join", a1, room) == 0;
  for (int i = m; ok && i < 2 * m; i++) ok = cl_ack_eq(r, &p[i], "join", a2, ex) == 0;
  int want[2 * CL_PAIR_NODES];
  if (ok && e0 < m) {
    /* an except room: its members are left out on every node (RA-11) */
    for (int i = 0; i < 2 * m; i++) {
      want[i] = i < m;
      cl_clear(&p[i]);
    }
    char msg[300];
    snprintf(msg, sizeof msg, "\"%s\",\"%s\",\"except\"", room, ex);
    ok = cl_emit(&p[e0], "to-room-except", msg) == 0;
    if (ok) {
      cl_wait_counts(r, p, 2 * m, "room-message", want, CL_WAIT_MS, CL_SETTLE_MS);
      char what[80];
      snprintf(what, sizeof what, "to-room-except from node %d", e0 + 1);
      ok = cl_check_counts(r, p, 2 * m, "room-message", want, what) == 0;
    } else {
      ct_fail(r, "the event is sent", "send failed", "cannot send to-room-except");
    }
  }
  /* the sender's own id: to-room leaves out only the sender, wherever the others are */
  int s = m > 1 ? 1 : 0;
  if (ok) {
    for (int i = 0; i < 2 * m; i++) {
      want[i] = i != s;
      cl_clear(&p[i]);
    }
    char msg[200];
    snprintf(msg, sizeof msg, "\"%s\",\"not the sender\"", room);
    ok = cl_emit(&p[s], "to-room", msg) == 0;
    if (ok) {
      cl_wait_counts(r, p, 2 * m, "room-message", want, CL_WAIT_MS, CL_SETTLE_MS);
      char what[80];
      snprintf(what, sizeof what, "to-room from node %d (sender excluded)", s + 1);
      ok = cl_check_counts(r, p, 2 * m, "room-message", want, what) == 0;
    } else {
      ct_fail(r, "the event is sent", "send failed", "cannot send to-room");
    }
  }
  if (ok) ct_pass(r);
  cl_free_peers(p, 2 * m);
}

/* Ask P for its ct- rooms (CT-53) until ROOM is in them (WANT 1) or not (WANT 0), at most
 * CL_WAIT_MS: a remote join is applied when the adapter's request comes back (RA-16). */
static int await_membership(ct_run *r, cl_peer *p, const char *room, int want) {
  int64_t deadline = ct_now_ms() + ct_ms(r, CL_WAIT_MS);
  for (int tries = 0; tries < 100; tries++) {
    cJSON *a = NULL;
    int rc = cl_ack(p, "my-rooms", NULL, CL_WAIT_MS, &a);
    int in = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetArrayItem(a, 0)) {
      if (cJSON_IsString(v) && strcmp(v->valuestring, room) == 0) in = 1;
    }
    char *got = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    if (rc == 1 && in == want) {
      free(got);
      return 0;
    }
    if (rc != 1 || ct_now_ms() >= deadline) {
      ct_fail(r, want ? "the room among the socket's rooms" : "the room no longer among them",
              got       ? got
              : rc == 0 ? "no ack to my-rooms"
                        : "connection closed",
              "%s: the %s through another node did not reach it within %d ms", p->name,
              want ? "remote-join" : "remote-leave", CL_WAIT_MS);
      free(got);
      return -1;
    }
    free(got);
    ct_pump(r, 50);
  }
  return -1;
}

void cl_case_remote_join(ct_run *r) {
  if (cl_need_all(r, "cluster") < 0) return;
  cl_ctx *x = cl_ctx_of(r);
  int m = x->n < CT_MAX_CONNS ? x->n : CT_MAX_CONNS;
  cl_peer p[CT_MAX_CONNS]; /* p[0] on node 1 asks; the others are joined from there */
  memset(p, 0, sizeof p);
  char room[96], args[300];
  cl_room_name(r, "j", room, sizeof room);
  int ok = cl_open_per_node(r, p, m, "n") == 0;
  for (int i = 1; ok && i < m; i++) {
    snprintf(args, sizeof args, "\"%s\",\"%s\"", p[i].sid, room);
    ok = cl_ack_eq(r, &p[0], "remote-join", args, room) == 0 &&
         await_membership(r, &p[i], room, 1) == 0;
  }
  int want[CT_MAX_CONNS];
  snprintf(args, sizeof args, "\"%s\",\"joined\"", room);
  if (ok) {
    for (int i = 0; i < m; i++) {
      want[i] = i > 0;
      cl_clear(&p[i]);
    }
    ok = cl_emit(&p[0], "to-room-all", args) == 0;
    cl_wait_counts(r, p, m, "room-message", want, CL_WAIT_MS, CL_SETTLE_MS);
    ok = ok && cl_check_counts(r, p, m, "room-message", want, "after remote-join from node 1") == 0;
  }
  for (int i = 1; ok && i < m; i++) {
    char a2[300];
    snprintf(a2, sizeof a2, "\"%s\",\"%s\"", p[i].sid, room);
    ok = cl_ack_eq(r, &p[0], "remote-leave", a2, room) == 0 &&
         await_membership(r, &p[i], room, 0) == 0;
  }
  if (ok) {
    for (int i = 0; i < m; i++) {
      want[i] = 0;
      cl_clear(&p[i]);
    }
    snprintf(args, sizeof args, "\"%s\",\"left\"", room);
    ok = cl_emit(&p[0], "to-room-all", args) == 0;
    cl_wait_counts(r, p, m, "room-message", want, 0, CL_SETTLE_MS);
    ok =
        ok && cl_check_counts(r, p, m, "room-message", want, "after remote-leave from node 1") == 0;
  }
  if (ok) ct_pass(r);
  cl_free_peers(p, m);
}

void cl_case_ssemit(ct_run *r) {
  if (cl_need_all(r, "cluster") < 0) return;
  cl_ctx *x = cl_ctx_of(r);
  int m = x->n < CT_MAX_CONNS ? x->n : CT_MAX_CONNS;
  if (m < x->n) {
    ct_skip(r, "more than %d nodes: not every node can be asked", CT_MAX_CONNS);
    return;
  }
  cl_peer p[CT_MAX_CONNS];
  memset(p, 0, sizeof p);
  char ids[CT_MAX_CONNS][128];
  int ok = cl_open_per_node(r, p, m, "n") == 0 && cl_node_ids(r, p, m, ids) == 0;
  for (int e = 0; ok && e < m; e++) {
    char arg[64], args[80], what[80];
    snprintf(arg, sizeof arg, "ping from node %d", e + 1);
    snprintf(args, sizeof args, "\"%s\"", arg);
    snprintf(what, sizeof what, "server-side-emit from node %d", e + 1);
    cJSON *a = NULL;
    /* the adapter waits up to its requestsTimeout (5 s by default) for missing nodes */
    int rc = cl_ack(&p[e], "server-side-emit", args, 7000, &a);
    if (rc != 1)
      ct_fail(r, "an ack with the other nodes' answers", rc == 0 ? "no ack in 7 s" : "closed",
              "%s: not acked", what);
    ok = rc == 1 && cl_check_responses(r, a, "node", ids, m, e, arg, what) == 0;
    cJSON_Delete(a);
  }
  if (ok) ct_pass(r);
  cl_free_peers(p, m);
}

void cl_case_bcast_ack(ct_run *r) {
  if (cl_need_all(r, "cluster") < 0) return;
  cl_ctx *x = cl_ctx_of(r);
  int m = x->n < CT_MAX_CONNS ? x->n : CT_MAX_CONNS;
  cl_peer p[CT_MAX_CONNS];
  memset(p, 0, sizeof p);
  char room[96], args[200], names[CT_MAX_CONNS][128];
  cl_room_name(r, "k", room, sizeof room);
  snprintf(args, sizeof args, "\"%s\"", room);
  int ok = cl_open_per_node(r, p, m, "n") == 0;
  for (int i = 0; ok && i < m; i++) {
    ok = cl_ack_eq(r, &p[i], "join", args, room) == 0;
    snprintf(names[i], sizeof names[i], "%s", p[i].name);
  }
  if (!ok) {
    cl_free_peers(p, m);
    return;
  }
  /* p[0] asks for a broadcast with acks; every member (p[0] too) answers its request with
   * its own name while p[0]'s ack is awaited */
  long id = p[0].next_ack++;
  char *t = ct_xasprintf("42%ld[\"room-ack\",\"%s\",\"q\"]", id, room);
  ok = ct_send(p[0].c, 0, t, strlen(t)) == 0;
  free(t);
  int answered[CT_MAX_CONNS] = {0};
  cJSON *result = NULL;
  int64_t deadline = ct_now_ms() + ct_ms(r, 4000);
  while (ok && !result && ct_now_ms() < deadline) {
    cl_collect(r, p, m, 20);
    for (int i = 0; i < m; i++) {
      const cJSON *ev;
      cJSON_ArrayForEach(ev, p[i].events) {
        const cJSON *name = cJSON_GetArrayItem(ev, 1);
        long aid = (long)cJSON_GetArrayItem(ev, 0)->valuedouble;
        if (!cJSON_IsString(name)) continue;
        if (strcmp(name->valuestring, "room-ack-request") == 0 && !answered[i] && aid >= 0) {
          char a[160];
          snprintf(a, sizeof a, "\"%s\"", p[i].name);
          cl_answer(&p[i], aid, a);
          answered[i] = 1;
        } else if (i == 0 && strcmp(name->valuestring, "$ack") == 0 && aid == id) {
          result = cJSON_Duplicate(cJSON_GetArrayItem(ev, 2), 1);
        }
      }
    }
  }
  if (ok && !result) {
    ct_fail(r, "an ack with every member's answer", "no ack in 4 s",
            "room-ack from node 1: not acked");
    ok = 0;
  }
  if (ok) {
    /* every member received the request exactly once */
    int want[CT_MAX_CONNS];
    for (int i = 0; i < m; i++) want[i] = 1;
    cl_collect(r, p, m, ct_ms(r, CL_SETTLE_MS));
    ok = cl_check_counts(r, p, m, "room-ack-request", want, "room-ack from node 1") == 0;
  }
  if (ok) {
    /* the answers are the members' acks: {"responses": ["n1", "n2", ...]} */
    cJSON *as_objs = cJSON_CreateArray();
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "responses");
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(cJSON_GetArrayItem(result, 0), "responses")) {
      cJSON *w = cJSON_CreateObject();
      cJSON_AddItemToObject(w, "from", cJSON_Duplicate(v, 1));
      cJSON_AddItemToArray(list, w);
    }
    const cJSON *err = cJSON_GetObjectItem(cJSON_GetArrayItem(result, 0), "error");
    if (err) cJSON_AddItemToObject(o, "error", cJSON_Duplicate(err, 1));
    if (!cJSON_IsArray(cJSON_GetObjectItem(cJSON_GetArrayItem(result, 0), "responses")))
      cJSON_DeleteItemFromObject(o, "responses");
    cJSON_AddItemToArray(as_objs, o);
    ok = cl_check_responses(r, as_objs, "from", names, m, -1, NULL, "room-ack from node 1") == 0;
    cJSON_Delete(as_objs);
  }
  cJSON_Delete(result);
  if (ok) ct_pass(r);
  cl_free_peers(p, m);
}
