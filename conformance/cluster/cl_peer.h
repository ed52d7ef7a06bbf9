/* Socket.IO clients of a cluster case (cl_peer.c): one harness connection (ct_conn, so the
 * run's transcript shows every packet) on a chosen node or through the load balancer,
 * with the events it received kept aside, so that a case can wait for an ack on one
 * client while broadcasts arrive on all of them, then count deliveries per client. */
#ifndef CL_PEER_H
#define CL_PEER_H

#include <cjson/cJSON.h>

#include "ct_client.h"

#define CL_VIA (-1) /* the node index of a client opened through the load balancer */

typedef struct cl_peer {
  ct_conn *c;    /* owned by the run */
  int node;      /* 0-based node, or CL_VIA */
  char name[16]; /* the conn's name in the transcript */
  char sid[64];  /* the Socket.IO socket id (CONNECT answer) */
  cJSON *events; /* array of [ack id or -1, event name, args...] received on "/" */
  long next_ack; /* the next ack id this client sends */
} cl_peer;

/* Open P: an Engine.IO session on TRANSPORT at node NODE (or CL_VIA), CONNECT "/" and the
 * contract's greeting (ct_sio_open). 0, or -1 with the run's verdict recorded. */
int cl_peer_open(ct_run *r, cl_peer *p, const char *name, int node, unsigned transport);
/* Free what P holds (its connection belongs to the run). */
void cl_peer_free(cl_peer *p);

/* Emit EVENT with ARGS (JSON array members without brackets, e.g. "\"ct-a\",1", or NULL)
 * and no ack id. 0, or -1 when the send failed. */
int cl_emit(cl_peer *p, const char *event, const char *args);
/* Emit EVENT with ARGS and an ack id; wait up to TIMEOUT_MS for its ack, keeping the
 * events that arrive meanwhile. 1 with *OUT the ack's argument array (caller frees), 0
 * timeout, -1 the connection closed. */
int cl_ack(cl_peer *p, const char *event, const char *args, int timeout_ms, cJSON **out);
/* Acknowledge ack id ID of an event P received, with ARGS. */
int cl_answer(cl_peer *p, long id, const char *args);

/* Service every connection of R for MS ms, then move each peer's received events aside. */
void cl_collect(ct_run *r, cl_peer *peers, int n, int ms);
/* How many events named EVENT P has received (and kept) so far. */
int cl_count(const cl_peer *p, const char *event);
/* Forget P's kept events. */
void cl_clear(cl_peer *p);
/* Wait (at most TIMEOUT_MS) until every peer I has at least WANT[I] events named EVENT,
 * then SETTLE_MS more (a duplicate or a stray delivery shows up in that window). */
void cl_wait_counts(ct_run *r, cl_peer *peers, int n, const char *event, const int *want,
                    int timeout_ms, int settle_ms);
/* "n1=1 n2=0 ..." of the counts of EVENT, into B, for a verdict's "actual". */
void cl_counts_text(ct_buf *b, const cl_peer *peers, int n, const char *event);

#endif
