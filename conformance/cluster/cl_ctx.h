/* What a cluster run knows about its cluster (cl_ctx.c): the nodes, what each announced,
 * the load balancer and the way to stop a node. Runs see only a ct_config (ct_run.cfg);
 * that config is the first member of the context, so a case finds the whole context
 * from its run. Filled once before the runs; the failover case alone changes it (the
 * node it stopped is marked down), and runs go one at a time. */
#ifndef CL_CTX_H
#define CL_CTX_H

#include "cl_opts.h"
#include "ct_client.h"

typedef struct cl_node {
  char url[300];
  char host[256];
  int port;
  ct_config cfg; /* this node's discovery (extensions, timings, transports) */
  int down;      /* stopped by the failover case */
} cl_node;

typedef struct cl_ctx {
  ct_config cfg; /* first: the runs' config (host/port = node 1; nothing "discovered", so
                    the harness's needs rules pass every case to its probe, which decides) */
  cl_node nodes[CL_MAX_NODES];
  int n;
  int has_via;
  char via_host[256];
  int via_port;
  char via_url[300];
  int kill_node; /* 1-based; 0: no way to stop a node was given */
  pid_t kill_pid;
  const char *kill_cmd;
  long idle_ms;
} cl_ctx;

/* The context of run R (whose cfg is a cl_ctx's). */
cl_ctx *cl_ctx_of(const ct_run *r);

/* Fill X from O (no network). */
void cl_ctx_init(cl_ctx *x, const cl_opts *o, const char *vectors_dir);

/* Discover every node (ct_discover: paths, app, extensions, timings). Returns 0, or -1
 * with one line printed for the first node that does not speak Engine.IO. */
int cl_ctx_discover(cl_ctx *x);

/* Free what discovery allocated. */
void cl_ctx_free(cl_ctx *x);

/* Does node I (0-based) announce extension NAME (CT-30)? */
int cl_node_has(const cl_ctx *x, int i, const char *name);

/* The first node (0-based) that is up and announces NAME, or -1. */
int cl_first_with(const cl_ctx *x, const char *name);

#endif
