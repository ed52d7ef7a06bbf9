/* The cluster cases' table (cl_cases.h) and the wrapper every case runs in. The cases
 * themselves: cl_cases_adapter.c (broadcasts, rooms and acks between the nodes) and
 * cl_cases_lb.c (through the load balancer, and a node going down). */
#include "cl_cases.h"

#include <stdlib.h>
#include <string.h>

#include "cl_cases_adapter.h"
#include "cl_cases_lb.h"

static const ct_probe_def defs[] = {
    {CL_ROOT_CONNECT,
     "every node serves a Socket.IO session with the contract app; cluster nodes have distinct ids",
     "CT-12,CT-51", CT_MUST, CT_TR_ALL, cl_case_connect},
    {"cluster.broadcast.room",
     "a broadcast to a room reaches its members on every node exactly once, and no one else",
     "CT-35,RA-2,RA-10", CT_MUST, CT_TR_ALL, cl_case_room},
    {"cluster.broadcast.namespace",
     "a broadcast from any node reaches every other client of the cluster exactly once",
     "CT-37,RA-10", CT_MUST, CT_TR_ALL, cl_case_namespace},
    {"cluster.broadcast.except",
     "excluded clients (an except room, the sender's own id) get nothing, on any node",
     "CT-34,CT-54,RA-10,RA-11", CT_MUST, CT_TR_ALL, cl_case_except},
    {"cluster.rooms.remote-join",
     "a socket joins and leaves a room through another node (socketsJoin, socketsLeave)",
     "CT-52,CT-53,RA-16", CT_MUST, CT_TR_ALL, cl_case_remote_join},
    {"cluster.ack.server-side-emit",
     "serverSideEmit with an ack is answered once by every other node", "CT-55,RA-14,RA-21,RA-22",
     CT_MUST, CT_TR_ALL, cl_case_ssemit},
    {"cluster.ack.broadcast",
     "a broadcast with acks collects one ack from each member on every node",
     "CT-56,RA-23,RA-24,RA-25", CT_MUST, CT_TR_ALL, cl_case_bcast_ack},
    {CL_ROOT_STICKY,
     "through the load balancer, every request of a polling session reaches its node (sticky "
     "sessions)",
     "CT-57", CT_MUST, CT_TR_POLLING, cl_case_sticky},
    {"cluster.lb.websocket", "a WebSocket connection passes the load balancer (101, then packets)",
     "CT-58", CT_MUST, CT_TR_WEBSOCKET, cl_case_lb_websocket},
    {"cluster.lb.upgrade", "the upgrade from polling to WebSocket passes the load balancer",
     "CT-58,EIO-UP-2,EIO-UP-3", CT_MUST, CT_TR_POLLING, cl_case_lb_upgrade},
    {"cluster.lb.idle", "an idle connection through the load balancer outlives its read timeout",
     "CT-59", CT_MUST, CT_TR_ALL, cl_case_lb_idle},
    {"cluster.failover.node-down",
     "a node stops: its clients reconnect to the others, which go on sharing broadcasts",
     "CT-60,RA-14", CT_MUST, CT_TR_WEBSOCKET, cl_case_failover},
};
#define NDEFS (sizeof defs / sizeof defs[0])

/* A preamble of a cluster case that fails (a handshake, a CONNECT, the greeting on some
 * node) is graded by the harness against the server suite's roots (ct_client.h), which a
 * cluster run does not have: it is blocked by the cluster's own root instead, the case
 * that opens a session on every node. The reason still says what failed where. */
static void run_def(ct_run *r) {
  const ct_probe_def *d = ct_probe_def_find(defs, NDEFS, r->c->id);
  if (!d) return;
  d->fn(r);
  if (r->verdict == CT_V_BLOCKED && r->blocked_by && strncmp(r->blocked_by, "cluster.", 8) != 0) {
    free(r->blocked_by);
    r->blocked_by = ct_xasprintf("%s@%s", CL_ROOT_CONNECT,
                                 r->transport == CT_TR_POLLING ? "polling" : "websocket");
  }
}

void cl_cases_register(ct_cases *cs) {
  ct_cases_add_probes(cs, defs, NDEFS, "conformance/cluster/cl_cases.c", CT_NEED_APP, 1, run_def);
}

const char *const *cl_cases_tags(void) {
  static const char *tags[NDEFS + 1];
  for (size_t i = 0; i < NDEFS; i++) tags[i] = defs[i].tags;
  tags[NDEFS] = NULL;
  return tags;
}
