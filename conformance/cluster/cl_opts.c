/* `sioconform cluster`'s command line (cl_opts.h). */
#include "cl_opts.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_case.h"
#include "ct_cli.h"

static void usage(FILE *f) {
  fputs("usage: sioconform cluster [options] URL1 URL2 ... [--via LB_URL]\n"
        "Checks a cluster of Socket.IO servers that share broadcasts (e.g. through the Redis\n"
        "adapter): each URL is one node (http://HOST:PORT[/PATH], the same PATH for all), each\n"
        "running the test-app contract (spec/contract.md; the \"cluster\" extension, CT-50 to\n"
        "CT-56, for the cross-node joins and acks). Run ids: cluster.<area>.<name>@<transport>.\n"
        "\n"
        "  --via LB_URL         the load balancer in front of the nodes: adds the sticky\n"
        "                       polling, WebSocket upgrade and idle cases (CT-57 to CT-59)\n"
        "  --kill N=PID         node N (1-based, in URL order) is process PID: the failover\n"
        "                       case (CT-60) stops it with SIGKILL, as a crash would\n"
        "  --kill-cmd N=CMD     the same, stopping node N by running /bin/sh -c CMD (at most\n"
        "                       10 s); without --kill or --kill-cmd the failover case is SKIP.\n"
        "                       The failover case runs last: the node stays down after it\n"
        "  --idle MS            how long the idle case stays idle (default 2 x pingInterval\n"
        "                       + pingTimeout + 500: longer than any proxy read timeout that\n"
        "                       is short enough to cut a connection between two pings)\n"
        "  -c, --case PREFIX    run only cases whose id starts with PREFIX (repeatable)\n"
        "  --transport T        polling, websocket or all (default all)\n"
        "  --list               list the cluster cases; no network\n"
        "  --strict             NON-STRICT verdicts count as failures\n"
        "  --timeout-scale X    multiply the harness's waits by X (default 1)\n"
        "  --junit FILE, --json FILE, --html FILE   reports, as for server runs\n"
        "  --known-deviations FILE, --no-known-deviations, --deviations-server NAME\n"
        "  -v, --verbose        print each run's transcript\n"
        "\n"
        "Case-runs go one after another (a broadcast reaches every client of the cluster).\n"
        "Exit status: 0 all required cases pass, 1 conformance failure, 2 usage error or a\n"
        "node that cannot be reached.\n",
        f);
}

int cl_opts_node_value(const char *arg, int nnodes, int *node, const char **value) {
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (end == arg || *end != '=' || errno || v < 1 || v > nnodes || !end[1]) return -1;
  *node = (int)v;
  *value = end + 1;
  return 0;
}

static int bad(const char *msg, const char *arg) {
  fprintf(stderr, "sioconform cluster: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return 2;
}

/* The URLs: parsed, http only, one Socket.IO path for all. */
static int resolve(cl_opts *o, const char *kill_arg, const char *kill_cmd_arg) {
  char err[512];
  if (o->n < 2 && !o->list) return bad("a cluster needs at least two node URLs", NULL);
  for (int i = 0; i < o->n; i++) {
    char p[CT_URL_PATH_MAX];
    if (ct_url_parse(o->urls[i], &o->nodes[i], err, sizeof err) != 0) return bad(err, NULL);
    if (o->nodes[i].tls) return bad("TLS nodes are not supported here (http:// only)", o->urls[i]);
    if (ct_url_sio_path(o->nodes[i].path, NULL, p, sizeof p, err, sizeof err) != 0)
      return bad(err, NULL);
    if (i == 0)
      snprintf(o->sio_path, sizeof o->sio_path, "%s", p);
    else if (strcmp(p, o->sio_path) != 0)
      return bad("every node must have the same Socket.IO path", o->urls[i]);
  }
  if (o->via_url) {
    if (ct_url_parse(o->via_url, &o->via, err, sizeof err) != 0) return bad(err, NULL);
    if (o->via.tls) return bad("a TLS balancer is not supported here (http:// only)", o->via_url);
    o->has_via = 1;
  }
  if (kill_arg && kill_cmd_arg) return bad("--kill and --kill-cmd together", NULL);
  const char *v;
  if (kill_arg) {
    char *end;
    if (cl_opts_node_value(kill_arg, o->n, &o->kill_node, &v) != 0)
      return bad("--kill needs N=PID with N a node number", kill_arg);
    errno = 0;
    long pid = strtol(v, &end, 10);
    if (*end || errno || pid < 2 || pid > INT_MAX) return bad("--kill: not a PID", v);
    o->kill_pid = (pid_t)pid;
  }
  if (kill_cmd_arg) {
    if (cl_opts_node_value(kill_cmd_arg, o->n, &o->kill_node, &v) != 0)
      return bad("--kill-cmd needs N=COMMAND with N a node number", kill_cmd_arg);
    o->kill_cmd = v;
  }
  return CL_RUN;
}

/* The value of the cluster's own option NAME at ARGV[*I] ("--NAME VALUE" or
 * "--NAME=VALUE"): *VALUE set, *I past it, 1; 0 when ARGV[*I] is not NAME; -1 when
 * the value is missing. */
static int own_option(char **argv, int argc, int *i, const char *name, const char **value) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0) return 0;
  if (a[2 + n] == '=') {
    *value = a + 3 + n;
    return 1;
  }
  if (a[2 + n]) return 0;
  if (*i + 1 >= argc) return -1;
  *value = argv[++*i];
  return 1;
}

/* What the server runs' options (cli.c) hold that a cluster run has no use for: its
 * name, when set. The cluster runs one case-run at a time on the vectors it was given. */
static const char *not_for_clusters(const ct_cli *c) {
  const char *s = ct_cli_server_only(c);
  if (s) return s;
  if (c->ns) return "--skip";
  if (c->cfg.jobs) return "--jobs";
  if (c->eio_mask || c->parser_mask) return "--eio/--parser";
  if (c->cfg.vectors_dir) return "--vectors";
  return NULL;
}

int cl_opts_parse(cl_opts *o, int argc, char **argv) {
  memset(o, 0, sizeof *o);
  const char *kill_arg = NULL, *kill_cmd_arg = NULL, *idle_arg = NULL;
  /* the cluster's own options come out first; the rest are the server runs' (cli.c) */
  char **rest = ct_xmalloc((size_t)(argc + 1) * sizeof *rest);
  int nrest = 0, own_done = 0;
  for (int i = 0; i < argc; i++) {
    const char *v = NULL;
    int r = 0;
    if (i > 0 && !own_done) {
      if (strcmp(argv[i], "--") == 0) own_done = 1;
      if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
        free(rest);
        usage(stdout);
        return 0;
      }
      if ((r = own_option(argv, argc, &i, "via", &v)) > 0)
        o->via_url = v;
      else if (!r && (r = own_option(argv, argc, &i, "kill", &v)) > 0)
        kill_arg = v;
      else if (!r && (r = own_option(argv, argc, &i, "kill-cmd", &v)) > 0)
        kill_cmd_arg = v;
      else if (!r && (r = own_option(argv, argc, &i, "idle", &v)) > 0)
        idle_arg = v;
      if (r < 0) {
        free(rest);
        return bad("a value is missing", argv[i]);
      }
      if (r > 0) continue;
    }
    rest[nrest++] = argv[i];
  }
  rest[nrest] = NULL;
  ct_cli c;
  ct_cli_defaults(&c);
  c.cfg.vectors_dir = NULL; /* set only by --vectors, which is refused */
  optind = 1;
  int rc = ct_cli_parse_options(&c, nrest, rest);
  const char *unfit = rc == CT_CLI_RUN ? not_for_clusters(&c) : NULL;
  for (int i = optind; rc == CT_CLI_RUN && !unfit && i < nrest; i++) {
    if (o->n == CL_MAX_NODES) {
      free(rest);
      return bad("too many nodes (at most 16)", rest[i]);
    }
    o->urls[o->n++] = rest[i];
  }
  free(rest);
  if (rc != CT_CLI_RUN) return rc;
  if (unfit) return bad("not an option of cluster runs", unfit);
  if (idle_arg) {
    char *end;
    errno = 0;
    o->idle_ms = strtol(idle_arg, &end, 10);
    if (*end || errno || o->idle_ms < 1 || o->idle_ms > 600000)
      return bad("--idle needs milliseconds from 1 to 600000", idle_arg);
  }
  for (int i = 0; i < c.np && o->np < CL_MAX_PREFIXES; i++) o->prefixes[o->np++] = c.prefixes[i];
  o->transports = c.transports;
  o->list = c.list;
  o->strict = c.cfg.strict;
  o->verbose = c.cfg.verbose;
  o->tscale = c.cfg.tscale;
  o->junit = c.junit;
  o->json = c.json;
  o->html = c.html;
  o->known_file = c.known_file;
  o->no_known = c.no_known;
  o->known_server = c.known_server;
  return resolve(o, kill_arg, kill_cmd_arg);
}
