/* Unit tests of `sioconform cluster` without a cluster: the command line, the case table
 * (ids, order, every tag defined in spec/), and the node-stopping helpers on processes
 * and ports of this test's own. No sleeps beyond the helpers' bounded polls. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl_cases.h"
#include "cl_kill.h"
#include "cl_opts.h"
#include "cl_peer.h"
#include "ct_util.h"

static int parse(cl_opts *o, const char *line) {
  static char buf[1024]; /* O keeps pointers into it */
  snprintf(buf, sizeof buf, "cluster %s", line);
  char *argv[32];
  int argc = 0;
  for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " ")) argv[argc++] = t;
  argv[argc] = NULL;
  return cl_opts_parse(o, argc, argv);
}

Test(cluster_opts, nodes_via_and_kill) {
  cl_opts o;
  cr_assert_eq(parse(&o, "--via http://127.0.0.1:9000 --kill 2=4242 http://127.0.0.1:1 "
                         "127.0.0.1:2 http://127.0.0.1:3/"),
               CL_RUN);
  cr_assert_eq(o.n, 3);
  cr_assert_eq(o.nodes[1].port, 2);
  cr_assert(o.has_via);
  cr_assert_eq(o.via.port, 9000);
  cr_assert_eq(o.kill_node, 2);
  cr_assert_eq(o.kill_pid, 4242);
  cr_assert_str_eq(o.sio_path, "/socket.io/");
  cr_assert_eq(parse(&o, "--kill-cmd 1=true --idle 1500 -c cluster.lb 127.0.0.1:1 127.0.0.1:2"),
               CL_RUN);
  cr_assert_str_eq(o.kill_cmd, "true");
  cr_assert_eq(o.idle_ms, 1500);
  cr_assert_eq(o.np, 1);
}

Test(cluster_opts, refusals) {
  cl_opts o;
  cr_assert_eq(parse(&o, "http://127.0.0.1:1"), 2, "one node is not a cluster");
  cr_assert_eq(parse(&o, "--kill 3=10 127.0.0.1:1 127.0.0.1:2"), 2, "no node 3");
  cr_assert_eq(parse(&o, "--kill 1=x 127.0.0.1:1 127.0.0.1:2"), 2);
  cr_assert_eq(parse(&o, "--kill 1=10 --kill-cmd 1=true 127.0.0.1:1 127.0.0.1:2"), 2);
  cr_assert_eq(parse(&o, "127.0.0.1:1/a 127.0.0.1:2/b"), 2, "two Socket.IO paths");
  cr_assert_eq(parse(&o, "https://127.0.0.1:1 127.0.0.1:2"), 2);
  cr_assert_eq(parse(&o, "--idle 0 127.0.0.1:1 127.0.0.1:2"), 2);
  cr_assert_eq(parse(&o, "--transport carrier-pigeon 127.0.0.1:1 127.0.0.1:2"), 2);
  cr_assert_eq(parse(&o, "--list"), CL_RUN, "--list needs no node");
  /* parsed by the server runs' cli.c: what a cluster run has no use for is refused */
  cr_assert_eq(parse(&o, "--jobs 2 127.0.0.1:1 127.0.0.1:2"), 2, "one run at a time");
  cr_assert_eq(parse(&o, "--skip x 127.0.0.1:1 127.0.0.1:2"), 2);
  cr_assert_eq(parse(&o, "--sioref x 127.0.0.1:1 127.0.0.1:2"), 2);
  cr_assert_eq(parse(&o, "127.0.0.1:1 127.0.0.1:2 --via"), 2, "--via without its value");
}

Test(cluster_opts, shared_options) {
  cl_opts o;
  cr_assert_eq(parse(&o, "--strict --timeout-scale 2 --transport=polling --json r.json "
                         "--via=http://127.0.0.1:9 -c a -c b 127.0.0.1:1 --no-known-deviations "
                         "127.0.0.1:2"),
               CL_RUN);
  cr_assert(o.strict && o.no_known && o.has_via);
  cr_assert(o.tscale == 2.0);
  cr_assert_eq(o.transports, CT_TR_POLLING);
  cr_assert_str_eq(o.json, "r.json");
  cr_assert_eq(o.np, 2);
  cr_assert_eq(o.n, 2);
  cr_assert_str_eq(o.urls[1], "127.0.0.1:2");
}

Test(cluster_opts, node_value) {
  int n;
  const char *v;
  cr_assert_eq(cl_opts_node_value("2=abc", 3, &n, &v), 0);
  cr_assert_eq(n, 2);
  cr_assert_str_eq(v, "abc");
  cr_assert_eq(cl_opts_node_value("0=abc", 3, &n, &v), -1);
  cr_assert_eq(cl_opts_node_value("2=", 3, &n, &v), -1);
  cr_assert_eq(cl_opts_node_value("2abc", 3, &n, &v), -1);
}

Test(cluster_cases, table) {
  ct_cases cs;
  memset(&cs, 0, sizeof cs);
  cl_cases_register(&cs);
  cr_assert_gt(cs.n, 5);
  cr_assert_str_eq(cs.v[0].id, CL_ROOT_CONNECT, "the root runs first");
  cr_assert_str_eq(cs.v[cs.n - 1].id, "cluster.failover.node-down", "the stop runs last");
  for (size_t i = 0; i < cs.n; i++) {
    cr_assert_eq(strncmp(cs.v[i].id, "cluster.", 8), 0);
    cr_assert_not_null(cs.v[i].probe);
    for (size_t k = 0; k < i; k++) cr_assert_str_neq(cs.v[i].id, cs.v[k].id);
  }
  ct_cases_free(&cs);
}

/* Every tag a cluster case cites is defined ("[TAG]") in a file of spec/. */
Test(cluster_cases, tags_defined) {
  static const char *const files[] = {"contract.md", "redis-adapter.md", "engine.io-v4.md",
                                      "socket.io-v5.md"};
  char *text[4];
  for (int f = 0; f < 4; f++) {
    char *p = ct_xasprintf("%s/spec/%s", SIO_SOURCE_DIR, files[f]);
    text[f] = ct_read_file(p);
    cr_assert_not_null(text[f], "%s", p);
    free(p);
  }
  for (const char *const *t = cl_cases_tags(); *t; t++) {
    char *list = ct_xstrdup(*t);
    for (char *tag = strtok(list, ","); tag; tag = strtok(NULL, ",")) {
      char *b = ct_xasprintf("[%s]", tag);
      int found = 0;
      for (int f = 0; f < 4; f++) found |= strstr(text[f], b) != NULL;
      cr_assert(found, "tag %s is not defined in spec/", tag);
      free(b);
    }
    free(list);
  }
  for (int f = 0; f < 4; f++) free(text[f]);
}

/* A port nothing listens on: bound, then closed. */
static int closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t l = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &l);
  close(fd);
  return ntohs(a.sin_port);
}

Test(cluster_kill, pid_running) {
  cr_assert(cl_pid_running(getpid()));
  pid_t c = fork();
  if (c == 0) _exit(0);
  waitpid(c, NULL, 0);
  cr_assert_not(cl_pid_running(c), "a reaped child is gone");
}

Test(cluster_kill, by_pid_and_by_command) {
  char why[300], log[200];
  int port = closed_port();
  pid_t c = fork();
  if (c == 0) {
    pause();
    _exit(0);
  }
  cr_assert_eq(cl_kill_node(c, NULL, "127.0.0.1", port, 1000, why, sizeof why, log, sizeof log), 0,
               "%s", why);
  int st;
  waitpid(c, &st, 0);
  cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  cr_assert_eq(cl_kill_node(c, NULL, "127.0.0.1", port, 1000, why, sizeof why, log, sizeof log), -1,
               "a pid that is gone is refused");
  cr_assert_eq(cl_kill_node(0, "true", "127.0.0.1", port, 1000, why, sizeof why, log, sizeof log),
               0, "%s", why);
  cr_assert_eq(cl_kill_node(0, "exit 3", "127.0.0.1", port, 1000, why, sizeof why, log, sizeof log),
               -1);
  cr_assert(strstr(why, "non-zero"));
}

Test(cluster_kill, node_still_answering) {
  char why[300], log[200];
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bind(fd, (struct sockaddr *)&a, sizeof a);
  listen(fd, 16);
  socklen_t l = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &l);
  cr_assert_eq(
      cl_kill_node(0, "true", "127.0.0.1", ntohs(a.sin_port), 0, why, sizeof why, log, sizeof log),
      -1);
  cr_assert(strstr(why, "still accepts"));
  close(fd);
}

/* A peer's packets as cl_peer reads them, from a queue filled by hand (no socket): events
 * of "/" kept with their ack ids, acks kept apart, anything else left out. */
Test(cluster_peer, events_and_acks) {
  ct_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.tscale = 1.0;
  ct_run r;
  memset(&r, 0, sizeof r);
  r.cfg = &cfg;
  ct_conn *c = ct_conn_new(&r, "n1", CT_TR_WEBSOCKET);
  cl_peer p;
  memset(&p, 0, sizeof p);
  p.c = c;
  snprintf(p.name, sizeof p.name, "n1");
  p.events = cJSON_CreateArray();
  static const char *const in[] = {"42[\"room-message\",\"x\"]",
                                   "42/custom,[\"room-message\"]",
                                   "427[\"room-ack-request\",\"q\"]",
                                   "439[{\"responses\":[]}]",
                                   "42[\"room-message\",\"y\"]",
                                   "2",
                                   "42[1]"};
  for (size_t i = 0; i < sizeof in / sizeof *in; i++)
    ct_queue_push(c, 0, (const unsigned char *)in[i], strlen(in[i]));
  cl_collect(&r, &p, 1, 0);
  cr_assert_eq(cl_count(&p, "room-message"), 2, "the /custom event is not /'s");
  cr_assert_eq(cl_count(&p, "room-ack-request"), 1);
  cr_assert_eq(cl_count(&p, "$ack"), 1);
  const cJSON *req = cJSON_GetArrayItem(p.events, 1);
  cr_assert_eq(cJSON_GetArrayItem(req, 0)->valueint, 7, "the event's ack id is kept");
  ct_buf b = {0};
  cl_counts_text(&b, &p, 1, "room-message");
  cr_assert_str_eq((char *)b.data, "n1=2");
  ct_buf_free(&b);
  cl_clear(&p);
  cr_assert_eq(cl_count(&p, "room-message"), 0);
  cl_peer_free(&p);
  ct_conns_teardown(&r, 0);
}
