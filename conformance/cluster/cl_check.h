/* What the cluster cases check with (cl_check.c): room names, extension needs, clients
 * on every node, acks and delivery counts compared with what each client should get. */
#ifndef CL_CHECK_H
#define CL_CHECK_H

#include "cl_ctx.h"
#include "cl_peer.h"

/* At most this many nodes take part in a case with two clients per node: a run holds at
 * most CT_MAX_CONNS (16) connections. */
#define CL_PAIR_NODES 7
#define CL_WAIT_MS    2000 /* a delivery through the adapter */
#define CL_SETTLE_MS  300  /* then this long for duplicates and strays */

/* The room names of a run: unique per case and transport, "ct-" as CT-36 wants. */
void cl_room_name(const ct_run *r, const char *what, char *out, size_t len);

/* SKIP unless every node announces extension NAME (CT-30); 0 when they all do. */
int cl_need_all(ct_run *r, const char *name);

/* Free what the peers P[0..N) hold. */
void cl_free_peers(cl_peer *p, int n);

/* Open one client per node for nodes [0, N) named PREFIX1, PREFIX2, ... into P. */
int cl_open_per_node(ct_run *r, cl_peer *p, int n, const char *prefix);

/* An ack of EVENT(ARGS) on P with one string argument equal to WANT (the contract's
 * join/leave acks). 0, or -1 with the failure recorded. */
int cl_ack_eq(ct_run *r, cl_peer *p, const char *event, const char *args, const char *want);

/* Compare the counts of EVENT on every peer with WANT; FAIL naming WHAT when they differ. */
int cl_check_counts(ct_run *r, cl_peer *p, int n, const char *event, const int *want,
                    const char *what);

/* How many nodes a case with two clients per node uses (at most CL_PAIR_NODES). */
int cl_pair_nodes(const cl_ctx *x);

/* The node ids of P[0..N) (CT-51) into IDS. 0, or -1 with the failure recorded. */
int cl_node_ids(ct_run *r, cl_peer *p, int n, char ids[][128]);

/* The answers of a server-side emit or a broadcast with acks (CT-55, CT-56): ACK is the
 * ack's argument array; its first member must be {"responses": [...]} without "error".
 * Each response's KEY member (a string) must be one of WANT[0..N) (SELF excluded, -1 for
 * none), each exactly once; with ARG, each response's "arg" must equal it. */
int cl_check_responses(ct_run *r, const cJSON *ack, const char *key, char want[][128], int n,
                       int self, const char *arg, const char *what);

#endif
