/* `sioconform client` (cc_main.h): the options, the client cases planned and run on the
 * harness's scheduler (sched.c, one scripted server and one client process per
 * case-run), the console summary and the JSON/JUnit/HTML reports of the server runs,
 * and the same exit codes. */
#include "cc_main.h"

#include <getopt.h> /* optind */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc_cases.h"
#include "cc_script.h"
#include "ct_cli.h"
#include "ct_deviations.h"
#include "ct_stage.h"

static void usage(FILE *f) {
  fputs("usage: sioconform client [options] -- CMD ARGS...\n"
        "Checks a Socket.IO v5 client: for every case-run a scripted server listens on a\n"
        "free 127.0.0.1 port and CMD ARGS is started once, with every \"{url}\" in ARGS\n"
        "replaced by http://127.0.0.1:PORT and, in its environment, SIOCONFORM_URL (the\n"
        "same URL), SIOCONFORM_TRANSPORT (polling or websocket) and SIOCONFORM_AUTH (a JSON\n"
        "object, or empty for none). CMD implements spec/client-contract.md. Each client\n"
        "process lives at most as long as its case (then SIGTERM, SIGKILL after 1 s).\n"
        "\n"
        "  -c, --case PREFIX    run only cases whose id starts with PREFIX (repeatable;\n"
        "                       client.x@polling selects one run); --skip PREFIX leaves out\n"
        "  --transport T        polling, websocket or all (default all)\n"
        "  --list               list the client cases; start nothing\n"
        "  --jobs N             case-runs side by side (default 4), each with its own server\n"
        "  --timeout-scale X    multiply the harness's waits by X (default 1)\n"
        "  --strict             NON-STRICT verdicts count as failures\n"
        "  --junit FILE, --json FILE, --html FILE   reports, as for server runs\n"
        "  --known-deviations FILE, --no-known-deviations, --deviations-server NAME\n"
        "  -v, --verbose        print each run's transcript\n"
        "\n"
        "Exit status: 0 all required cases pass, 1 conformance failure, 2 usage error.\n",
        f);
}

int cc_main(int argc, char **argv, const char *vectors_dir, const char *known_default) {
  /* the client's own usage (the shared parser prints the server runs') */
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    }
  /* the options are the server runs' (cli.c); "--" ends them */
  ct_cli o;
  ct_cli_defaults(&o);
  o.cfg.jobs = 4;
  o.cfg.vectors_dir = vectors_dir;
  optind = 1;
  int prc = ct_cli_parse_options(&o, argc, argv);
  if (prc != CT_CLI_RUN) return prc;
  const char *bad = ct_cli_server_only(&o);
  if (bad) {
    fprintf(stderr, "sioconform client: %s is for server runs\n", bad);
    return 2;
  }
  ct_config cfg = o.cfg;
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  int list = o.list, no_known = o.no_known;
  unsigned trs = o.transports;
  const char *files[3] = {o.junit, o.json, o.html}, *known_file = o.known_file,
             *server = o.known_server;
  /* "--" ends the options (getopt consumed it); what follows is the client */
  if (!list && optind >= argc) {
    fprintf(stderr, "sioconform client: no client command (-- CMD ARGS...)\n");
    return 2;
  }
  ct_cases cs;
  memset(&cs, 0, sizeof cs);
  cc_cases_register(&cs);
  ct_plan plan;
  if (ct_plan_build(&plan, &cs, trs, o.prefixes, o.np, o.skips, o.ns) == 0) {
    fprintf(stderr, "sioconform client: no case matches the selection\n");
    ct_cases_free(&cs);
    return 2;
  }
  if (list) {
    for (size_t k = 0; k < plan.n; k++) {
      const ct_case *c = plan.items[k].c;
      if (k > 0 && plan.items[k - 1].c == c) continue;
      printf("%-40s %-6s %-18s %s\n", c->id, ct_level_name(c->level),
             c->transports == CT_TR_ALL       ? "polling,websocket"
             : c->transports == CT_TR_POLLING ? "polling"
                                              : "websocket",
             c->tags);
    }
    printf("%zu cases, %zu case-runs selected\n", cs.n, plan.n);
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    return 0;
  }
  cc_g.argv = argv + optind;
  cc_g.tscale = cfg.tscale;
  ct_known known;
  memset(&known, 0, sizeof known);
  if (!no_known) {
    char err[512];
    if (ct_deviations_load(&known, known_file ? known_file : known_default, vectors_dir, server,
                           err, sizeof err) < 0) {
      fprintf(stderr, "sioconform client: %s\n", err);
      if (known_file) {
        ct_plan_free(&plan);
        ct_cases_free(&cs);
        return 2;
      }
    }
  }
  char target[300];
  ct_buf t = {0};
  ct_buf_adds(&t, "client:");
  for (char **a = cc_g.argv; *a; a++) ct_buf_printf(&t, " %s", *a);
  snprintf(target, sizeof target, "%s", (char *)t.data);
  ct_buf_free(&t);
  signal(SIGPIPE, SIG_IGN);
  ct_stage_catch_interrupts(-1);

  printf("sioconform: checking the client %s (%zu case-runs, jobs %d)\n", target + 8, plan.n,
         cfg.jobs);
  fflush(stdout);
  ct_stage st = {.cfg = &cfg,
                 .plan = &plan,
                 .known = &known,
                 .target = target,
                 .files = {files[0], files[1], files[2]}};
  ct_stage_run(&st);
  printf("wall time %.1f s with --jobs %d\n", (double)(ct_now_ms() - st.t_start) / 1000.0,
         cfg.jobs);
  fflush(stdout);
  int rc = ct_stage_finish(&st);
  ct_deviations_free(&known);
  ct_plan_free(&plan);
  ct_cases_free(&cs);
  return rc;
}
