/* `sioconform cluster`'s command line (cl_opts.c): the node URLs, the load balancer, the
 * way to stop a node, and the report options of server runs. Nothing here touches the
 * network; unit-tested in test/test_cluster.c. */
#ifndef CL_OPTS_H
#define CL_OPTS_H

#include <sys/types.h>

#include "ct_url.h"

#define CL_MAX_NODES    16
#define CL_MAX_PREFIXES 64
#define CL_RUN          (-1) /* cl_opts_parse: go on and run */

typedef struct cl_opts {
  int n;                      /* nodes named */
  ct_url nodes[CL_MAX_NODES]; /* each node's URL, parsed */
  const char *urls[CL_MAX_NODES];
  int has_via;
  ct_url via; /* --via: the load balancer in front of the nodes */
  const char *via_url;
  int kill_node;        /* --kill / --kill-cmd: the node (1-based) to stop; 0 = none */
  pid_t kill_pid;       /* --kill N=PID: SIGKILL to PID */
  const char *kill_cmd; /* --kill-cmd N=CMD: /bin/sh -c CMD */
  long idle_ms;         /* --idle MS; 0 = 2 x pingInterval + pingTimeout + 500 */
  char sio_path[CT_URL_PATH_MAX];
  char *prefixes[CL_MAX_PREFIXES];
  int np;
  unsigned transports;
  int list, strict, verbose, no_known;
  double tscale;
  const char *junit, *json, *html;
  const char *known_file, *known_server;
} cl_opts;

/* Parse ARGV (argv[0] is "cluster") into O. Returns CL_RUN to go on, or the exit
 * status: 0 after --help, 2 for a usage error (one line on stderr). */
int cl_opts_parse(cl_opts *o, int argc, char **argv);

/* "N=VALUE" of --kill and --kill-cmd: the 1-based node in [1, NNODES] into *NODE and a
 * pointer to VALUE into *VALUE. 0, or -1 when malformed. */
int cl_opts_node_value(const char *arg, int nnodes, int *node, const char **value);

#endif
