/* `sioconform cluster`'s command line (cl_opts.h). */
#include "cl_opts.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_case.h"

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

int cl_opts_parse(cl_opts *o, int argc, char **argv) {
  static const struct option lo[] = {{"via", 1, 0, 'V'},
                                     {"kill", 1, 0, 'K'},
                                     {"kill-cmd", 1, 0, 'C'},
                                     {"idle", 1, 0, 'I'},
                                     {"case", 1, 0, 'c'},
                                     {"transport", 1, 0, 't'},
                                     {"list", 0, 0, 'l'},
                                     {"strict", 0, 0, 'S'},
                                     {"timeout-scale", 1, 0, 's'},
                                     {"junit", 1, 0, 'J'},
                                     {"json", 1, 0, 'O'},
                                     {"html", 1, 0, 'H'},
                                     {"known-deviations", 1, 0, 'k'},
                                     {"no-known-deviations", 0, 0, 'n'},
                                     {"deviations-server", 1, 0, 'd'},
                                     {"verbose", 0, 0, 'v'},
                                     {"help", 0, 0, 'h'},
                                     {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->transports = CT_TR_ALL;
  o->tscale = 1.0;
  const char *kill_arg = NULL, *kill_cmd_arg = NULL;
  optind = 1;
  int ch;
  while ((ch = getopt_long(argc, argv, "c:vh", lo, NULL)) != -1) {
    char *end;
    switch (ch) {
    case 'V':
      o->via_url = optarg;
      break;
    case 'K':
      kill_arg = optarg;
      break;
    case 'C':
      kill_cmd_arg = optarg;
      break;
    case 'I':
      errno = 0;
      o->idle_ms = strtol(optarg, &end, 10);
      if (*end || errno || o->idle_ms < 1 || o->idle_ms > 600000)
        return bad("--idle needs milliseconds from 1 to 600000", optarg);
      break;
    case 'c':
      if (o->np < CL_MAX_PREFIXES) o->prefixes[o->np++] = optarg;
      break;
    case 't':
      o->transports = strcmp(optarg, "polling") == 0     ? CT_TR_POLLING
                      : strcmp(optarg, "websocket") == 0 ? CT_TR_WEBSOCKET
                      : strcmp(optarg, "all") == 0       ? CT_TR_ALL
                                                         : 0;
      if (!o->transports) return bad("--transport must be polling, websocket or all", optarg);
      break;
    case 'l':
      o->list = 1;
      break;
    case 'S':
      o->strict = 1;
      break;
    case 's':
      o->tscale = strtod(optarg, &end);
      if (*end || o->tscale <= 0 || o->tscale > 100)
        return bad("--timeout-scale needs a number in (0, 100]", optarg);
      break;
    case 'J':
      o->junit = optarg;
      break;
    case 'O':
      o->json = optarg;
      break;
    case 'H':
      o->html = optarg;
      break;
    case 'k':
      o->known_file = optarg;
      break;
    case 'n':
      o->no_known = 1;
      break;
    case 'd':
      o->known_server = optarg;
      break;
    case 'v':
      o->verbose = 1;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  for (int i = optind; i < argc; i++) {
    if (o->n == CL_MAX_NODES) return bad("too many nodes (at most 16)", argv[i]);
    o->urls[o->n++] = argv[i];
  }
  return resolve(o, kill_arg, kill_cmd_arg);
}
