/* sioconform: the command line. Loads the cases (scenario files, codec-vector
 * families, C probes), selects them, starts the built-in sioref when no URL is
 * given, runs each selected case on each selected transport and writes the reports.
 * Exit: 0 every required case passed, 1 a conformance failure, 2 usage/connection. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct.h"
#include "ct_deviations.h"
#include "ct_discover.h"
#include "ct_fuzz.h"
#include "ct_match.h"
#include "ct_matrix.h"
#include "ct_ops.h"
#include "ct_report.h"
#include "ct_report_live.h"
#include "ct_run.h"
#include "ct_sched.h"
#include "ct_scenario.h"
#include "ct_url.h"

#ifndef CT_DEFAULT_VECTORS_DIR
#define CT_DEFAULT_VECTORS_DIR "vectors"
#endif
#ifndef CT_DEFAULT_KNOWN_DEVIATIONS
#define CT_DEFAULT_KNOWN_DEVIATIONS "conformance/known-deviations.json"
#endif
#ifndef CT_DEFAULT_SIOREF
#define CT_DEFAULT_SIOREF ""
#endif

static void usage(FILE *f) {
  fputs("usage: sioconform [options] [URL]\n"
        "Checks an Engine.IO v4 / Socket.IO v5 server at URL (http://HOST:PORT[/PATH] or\n"
        "ws://HOST:PORT[/PATH]) over HTTP long-polling and WebSocket; PATH is the Socket.IO\n"
        "path (default /socket.io/). IPv4 only; https:// and wss:// (TLS) are not supported\n"
        "yet; a query or fragment is refused. Without URL the built-in sioref is started.\n"
        "\n"
        "  --list               list case ids, levels, transports and tags; no network\n"
        "  --list-ops           print the step language's op list (Markdown, as in\n"
        "                       vectors/scenarios/README.md); no network\n"
        "  -c, --case PREFIX    run only cases whose id starts with PREFIX (repeatable;\n"
        "                       a run id like eio.x@polling selects one transport)\n"
        "  --transport T        polling, websocket or all (default all)\n"
        "  --path P             Socket.IO path (default: the URL's path, else /socket.io/;\n"
        "                       a trailing / is added); differing from the URL's is an error\n"
        "  --eio-path P         Engine.IO echo path of the test app (default /engine.io/)\n"
        "  --strict             NON-STRICT verdicts count as failures\n"
        "  --timeout-scale X    multiply every harness wait by X (default 1)\n"
        "  --jobs N             case-runs side by side, each on its own sessions (default 8;\n"
        "                       1 runs them one after another in list order); cases marked\n"
        "                       exclusive (broadcasts, floods, timings) always run alone\n"
        "  --max-payload N      maxPayload in bytes to assume when the open packet omits it\n"
        "  --junit FILE         write JUnit XML\n"
        "  --json FILE          write the JSON index (expected/actual, wire transcripts)\n"
        "  --html FILE          write one self-contained HTML page\n"
        "  --vectors DIR        vectors directory (scenarios/, eio/, sio/)\n"
        "  --known-deviations FILE  link each non-PASS run to the entry of FILE whose\n"
        "                       cause matches (default: the source tree's\n"
        "                       conformance/known-deviations.json)\n"
        "  --no-known-deviations  do not link runs to known deviations\n"
        "  --deviations-server NAME  use only the entries listed for server NAME\n"
        "  --sioref BIN         sioref binary to start when no URL is given\n"
        "                       (default: $SIOCONFORM_SIOREF, then the build tree)\n"
        "  --fuzz N             live fuzzing: send N mutated vector inputs inside real\n"
        "                       sessions, check liveness every 50; exit 1 when lost\n"
        "  --fuzz-seed S        fuzzer seed (default 1)\n"
        "  --fuzz-out DIR       reproducer directory (default reports/fuzz-live)\n"
        "  --fuzz-replay DIR    send a reproducer's inputs again, then check liveness\n"
        "                       (exit 0 held, 1 lost)\n"
        "  -v, --verbose        print each run's wire transcript\n"
        "  -h, --help           this help\n"
        "\n"
        "Before the cases the target is probed once (Engine.IO paths, echo path, CONNECT,\n"
        "the contract app, extensions, transports, timings); a case whose need is missing\n"
        "is SKIP with the reason.\n"
        "\n"
        "Exit status: 0 all required cases pass, 1 conformance failure, 2 usage or\n"
        "connection error (including a selection that matches no case, a target that does\n"
        "not speak Engine.IO or a Socket.IO path you named that does not, and a server\n"
        "that stops answering during the run).\n",
        f);
}

/* host and port of URL into CFG; the path is the caller's (ct_url_sio_path) */
/* A whole number in [MIN, MAX] for a numeric option: 0, or -1 (empty, trailing text,
 * out of range). */
static int parse_count(const char *s, unsigned long long min, unsigned long long max,
                       unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (!*s || *end || errno || v < min || v > max) return -1;
  *out = v;
  return 0;
}

static int parse_url(const char *url, ct_config *cfg, ct_url *u, char *err, size_t errlen) {
  if (ct_url_parse(url, u, err, errlen) != 0) return -1;
  memcpy(cfg->host, u->host, sizeof cfg->host);
  cfg->port = u->port;
  return 0;
}

/* Start sioref on a free loopback port and read its "listening on" line. */
static pid_t start_sioref(const char *bin, ct_config *cfg) {
  int pfd[2];
  if (pipe(pfd) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(pfd[1], 1);
    close(pfd[0]);
    close(pfd[1]);
    /* the contract timings (build/CONTRACT.txt) */
    execl(bin, bin, "--host", "127.0.0.1", "--port", "0", "--ping-interval", "300",
          "--ping-timeout", "200", "--connect-timeout", "1000", (char *)NULL);
    _exit(127);
  }
  close(pfd[1]);
  FILE *f = fdopen(pfd[0], "r");
  char line[256];
  int ok = 0;
  if (f && fgets(line, sizeof line, f)) {
    char *u = strstr(line, "http://");
    if (strncmp(line, "listening on ", 13) == 0 && u) {
      u[strcspn(u, "\r\n")] = 0;
      ct_url pu;
      char perr[300];
      ok = parse_url(u, cfg, &pu, perr, sizeof perr) == 0;
    }
  }
  if (f) fclose(f);
  if (!ok) {
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
  }
  return pid;
}

static const char *find_sioref(const char *opt) {
  if (opt) return opt;
  const char *e = getenv("SIOCONFORM_SIOREF");
  if (e && *e) return e;
  static char path[4096];
  /* next to our own build directory: build/<dir>/conformance/sioconform ->
   * build/<dir>/ref/sioref */
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
  if (n > 0) {
    path[n] = 0;
    char *s = strrchr(path, '/');
    if (s) {
      *s = 0;
      s = strrchr(path, '/');
      if (s) {
        strcpy(s, "/ref/sioref");
        if (access(path, X_OK) == 0) return path;
      }
    }
  }
  if (*CT_DEFAULT_SIOREF && access(CT_DEFAULT_SIOREF, X_OK) == 0) return CT_DEFAULT_SIOREF;
  return NULL;
}

static int write_report(const char *file, const char *what, const ct_run *runs, size_t n,
                        const char *target, int strict, int complete,
                        int (*fn)(FILE *, const ct_run *, size_t, const char *, int, int)) {
  /* atomic: a reader (or a kill during the write) never sees a torn file (issue 16) */
  return ct_report_file(file, what, runs, n, target, strict, complete, fn, 0);
}

/* ---- interrupts during the runs (the scheduler, sched.c, stops starting runs) */

/* SIGINT/SIGTERM (Ctrl-C, a CI timeout) during the runs: start nothing more, let the runs
 * in flight end (each is bounded), write the reports of the finished runs marked
 * incomplete (issue 16). A second signal ends the process at once. The handler only
 * stores a flag, or calls kill/_exit, which are async-signal-safe. */
static volatile sig_atomic_t g_interrupted;
static volatile pid_t g_child = -1;

static void on_interrupt(int sig) {
  if (g_interrupted) {
    if (g_child > 0) kill(g_child, SIGTERM);
    _exit(128 + sig);
  }
  g_interrupted = sig;
}

static void catch_interrupts(pid_t child) {
  g_child = child;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv) {
  ct_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.sio_path = "/socket.io/";
  cfg.eio_path = "/engine.io/";
  cfg.tscale = 1.0;
  cfg.vectors_dir =
      getenv("SIOCONFORM_VECTORS") ? getenv("SIOCONFORM_VECTORS") : CT_DEFAULT_VECTORS_DIR;
  /* sioconform matrix A.json B.json ... (issue 16) */
  if (argc > 1 && strcmp(argv[1], "matrix") == 0)
    return ct_matrix_main(argc - 1, argv + 1, cfg.vectors_dir, stdout);
  int list = 0;
  ct_fuzz_opts fuzz = {0, 1, "reports/fuzz-live", -1, NULL};
  unsigned transports = CT_TR_ALL;
  char *prefixes[256];
  int np = 0;
  const char *junit = NULL, *json = NULL, *html = NULL, *sioref_opt = NULL;
  const char *known_file = NULL; /* --known-deviations; NULL: the default, if readable */
  int no_known = 0;
  const char *known_server = NULL; /* --deviations-server; NULL: every entry */
  const char *path_opt = NULL;     /* --path; NULL: the URL's path, else /socket.io/ */
  enum {
    O_LIST = 256,
    O_LIST_OPS,
    O_TRANSPORT,
    O_PATH,
    O_EIOPATH,
    O_STRICT,
    O_SCALE,
    O_JUNIT,
    O_JSON,
    O_HTML,
    O_VECTORS,
    O_SIOREF,
    O_FUZZ,
    O_FUZZ_SEED,
    O_FUZZ_OUT,
    O_FUZZ_REPLAY,
    O_KNOWN,
    O_NO_KNOWN,
    O_KNOWN_SERVER,
    O_JOBS,
    O_MAX_PAYLOAD
  };
  static const struct option lo[] = {{"list", no_argument, 0, O_LIST},
                                     {"list-ops", no_argument, 0, O_LIST_OPS},
                                     {"case", required_argument, 0, 'c'},
                                     {"transport", required_argument, 0, O_TRANSPORT},
                                     {"path", required_argument, 0, O_PATH},
                                     {"eio-path", required_argument, 0, O_EIOPATH},
                                     {"strict", no_argument, 0, O_STRICT},
                                     {"timeout-scale", required_argument, 0, O_SCALE},
                                     {"junit", required_argument, 0, O_JUNIT},
                                     {"json", required_argument, 0, O_JSON},
                                     {"html", required_argument, 0, O_HTML},
                                     {"vectors", required_argument, 0, O_VECTORS},
                                     {"sioref", required_argument, 0, O_SIOREF},
                                     {"fuzz", required_argument, 0, O_FUZZ},
                                     {"fuzz-seed", required_argument, 0, O_FUZZ_SEED},
                                     {"fuzz-out", required_argument, 0, O_FUZZ_OUT},
                                     {"fuzz-replay", required_argument, 0, O_FUZZ_REPLAY},
                                     {"known-deviations", required_argument, 0, O_KNOWN},
                                     {"no-known-deviations", no_argument, 0, O_NO_KNOWN},
                                     {"deviations-server", required_argument, 0, O_KNOWN_SERVER},
                                     {"jobs", required_argument, 0, O_JOBS},
                                     {"max-payload", required_argument, 0, O_MAX_PAYLOAD},
                                     {"verbose", no_argument, 0, 'v'},
                                     {"help", no_argument, 0, 'h'},
                                     {0, 0, 0, 0}};
  int o;
  while ((o = getopt_long(argc, argv, "c:vh", lo, NULL)) != -1) {
    switch (o) {
    case O_LIST:
      list = 1;
      break;
    case O_LIST_OPS: { /* the op list of vectors/scenarios/README.md, from the op table */
      ct_buf b = {0};
      ct_ops_markdown(&b);
      fputs((char *)b.data, stdout);
      ct_buf_free(&b);
      return 0;
    }
    case 'c':
      if (np < 256) prefixes[np++] = optarg;
      break;
    case O_TRANSPORT:
      if (strcmp(optarg, "polling") == 0)
        transports = CT_TR_POLLING;
      else if (strcmp(optarg, "websocket") == 0)
        transports = CT_TR_WEBSOCKET;
      else if (strcmp(optarg, "all") == 0)
        transports = CT_TR_ALL;
      else {
        fprintf(stderr, "sioconform: --transport must be polling, websocket or all\n");
        return 2;
      }
      break;
    case O_PATH:
      path_opt = optarg;
      break;
    case O_EIOPATH:
      cfg.eio_path = optarg;
      break;
    case O_STRICT:
      cfg.strict = 1;
      break;
    case O_SCALE: {
      char *end;
      cfg.tscale = strtod(optarg, &end);
      if (*end || cfg.tscale <= 0 || cfg.tscale > 100) {
        fprintf(stderr, "sioconform: --timeout-scale needs a number in (0, 100]\n");
        return 2;
      }
      break;
    }
    case O_JUNIT:
      junit = optarg;
      break;
    case O_JSON:
      json = optarg;
      break;
    case O_HTML:
      html = optarg;
      break;
    case O_VECTORS:
      cfg.vectors_dir = optarg;
      break;
    case O_SIOREF:
      sioref_opt = optarg;
      break;
    case O_FUZZ:
    case O_FUZZ_SEED: {
      unsigned long long v;
      if (o == O_FUZZ ? parse_count(optarg, 1, 100000000, &v)
                      : parse_count(optarg, 0, ULLONG_MAX, &v)) {
        fprintf(stderr, "sioconform: --fuzz and --fuzz-seed need a number\n");
        return 2;
      }
      if (o == O_FUZZ)
        fuzz.n = (long)v;
      else
        fuzz.seed = v;
      break;
    }
    case O_FUZZ_OUT:
      fuzz.out = optarg;
      break;
    case O_JOBS:
    case O_MAX_PAYLOAD: {
      unsigned long long v;
      if (parse_count(optarg, 1, o == O_JOBS ? CT_MAX_JOBS : LONG_MAX, &v)) {
        fprintf(stderr, o == O_JOBS ? "sioconform: --jobs needs a number from 1 to 64\n"
                                    : "sioconform: --max-payload needs a positive number\n");
        return 2;
      }
      if (o == O_JOBS)
        cfg.jobs = (int)v;
      else
        cfg.max_payload = (long)v;
      break;
    }
    case O_FUZZ_REPLAY:
      fuzz.replay = optarg;
      break;
    case O_KNOWN:
      known_file = optarg;
      break;
    case O_NO_KNOWN:
      no_known = 1;
      break;
    case O_KNOWN_SERVER:
      known_server = optarg;
      break;
    case 'v':
      cfg.verbose = 1;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (argc - optind > 1) {
    usage(stderr);
    return 2;
  }
  const char *url = optind < argc ? argv[optind] : NULL;
  char err[512];
  /* the URL's path is the Socket.IO path; --path may repeat it, not contradict it */
  ct_url tu = {{0}, 0, {0}};
  static char sio_path[CT_URL_PATH_MAX];
  if ((url && parse_url(url, &cfg, &tu, err, sizeof err) != 0) ||
      ct_url_sio_path(tu.path, path_opt, sio_path, sizeof sio_path, err, sizeof err) != 0) {
    fprintf(stderr, "sioconform: %s\n", err);
    return 2;
  }
  cfg.sio_path = sio_path;

  ct_cases cs = {0};
  char *scen = ct_xasprintf("%s/scenarios", cfg.vectors_dir);
  int rc = ct_scenarios_load_dir(&cs, scen, err, sizeof err);
  free(scen);
  if (rc < 0) {
    fprintf(stderr, "sioconform: %s\n", err);
    ct_cases_free(&cs);
    return 2;
  }
  if (ct_vectors_load(&cs, cfg.vectors_dir, err, sizeof err) < 0) {
    fprintf(stderr, "sioconform: %s\n", err);
    ct_cases_free(&cs);
    return 2;
  }
  ct_probes_register(&cs);

  /* the plan: every selected (case, transport) in list order, made once; --list, the
   * discovery header and the scheduler all read it */
  ct_plan plan;
  if (ct_plan_build(&plan, &cs, transports, prefixes, np) == 0) {
    fprintf(stderr, "sioconform: no case matches the selection\n");
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    return 2;
  }
  if (list) {
    for (size_t k = 0; k < plan.n; k++) {
      const ct_case *c = plan.items[k].c;
      if (k > 0 && plan.items[k - 1].c == c) continue; /* the case's second transport */
      printf("%-58s %-6s %-18s %s  needs:%s%s%s%s\n", c->id, ct_level_name(c->level),
             c->transports == CT_TR_ALL       ? "polling,websocket"
             : c->transports == CT_TR_POLLING ? "polling"
                                              : "websocket",
             c->tags, ct_need_name(c->needs), c->requires ? "  requires:" : "",
             c->requires ? c->requires : "", c->exclusive ? "  exclusive" : "");
    }
    printf("%zu cases, %zu case-runs selected\n", cs.n, plan.n);
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    return 0;
  }

  signal(SIGPIPE, SIG_IGN);
  pid_t child = -1;
  char target[300];
  if (!url) {
    const char *bin = find_sioref(sioref_opt);
    if (!bin) {
      fprintf(stderr, "sioconform: no URL given and no sioref binary found "
                      "(use --sioref BIN or SIOCONFORM_SIOREF)\n");
      ct_plan_free(&plan);
      ct_cases_free(&cs);
      return 2;
    }
    /* the reference has no known deviations: a non-PASS of sioref is never linked to
     * another server's entry */
    if (!known_server) known_server = "sioref";
    child = start_sioref(bin, &cfg);
    if (child < 0) {
      fprintf(stderr, "sioconform: could not start %s\n", bin);
      ct_plan_free(&plan);
      ct_cases_free(&cs);
      return 2;
    }
    fprintf(stderr, "started %s (pid %d) on %s:%d\n", bin, (int)child, cfg.host, cfg.port);
  }
  snprintf(target, sizeof target, "http://%s:%d", cfg.host, cfg.port);
  /* connection check: a server that does not answer is exit 2, not 300 failures */
  int fd = ct_tcp_connect(cfg.host, cfg.port, 2000);
  if (fd < 0) {
    fprintf(stderr, "sioconform: cannot connect to %s\n", target);
    if (child > 0) {
      kill(child, SIGTERM);
      waitpid(child, NULL, 0);
    }
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    return 2;
  }
  close(fd);
  if (fuzz.n > 0 || fuzz.replay) {
    fuzz.child = child;
    int frc = fuzz.replay ? ct_fuzz_replay(&cfg, &fuzz) : ct_fuzz_run(&cfg, &fuzz);
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    if (child > 0) {
      kill(child, SIGTERM);
      waitpid(child, NULL, 0);
    }
    return frc;
  }
  char why[600];
  int drc = ct_discover(&cfg, why, sizeof why);
  /* a Socket.IO path the user named (URL or --path) that does not speak Engine.IO is a
   * typo or the wrong server: the echo path answering must not turn it into all SKIP */
  if (drc == 0 && !cfg.tgt.sio_engine && (tu.path[0] || path_opt)) {
    snprintf(why, sizeof why, "nothing speaks Engine.IO on the Socket.IO path %s you named (%s)",
             cfg.sio_path, cfg.tgt.answered);
    drc = -1;
  }
  if (drc != 0) {
    /* not Engine.IO, or unreachable: one line naming what answered, exit 2 */
    fprintf(stderr, "sioconform: %s\n", why);
    cJSON_Delete(cfg.extensions);
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    if (child > 0) {
      kill(child, SIGTERM);
      waitpid(child, NULL, 0);
    }
    return 2;
  }
  if (cfg.jobs <= 0) cfg.jobs = CT_DEFAULT_JOBS;

  /* Known deviations, matched by cause (known-deviations.md). An explicit file that does
   * not load is a usage error; the default one is only used when it is there. */
  ct_known known = {0};
  if (!no_known && ct_deviations_load(&known, known_file ? known_file : CT_DEFAULT_KNOWN_DEVIATIONS,
                                      cfg.vectors_dir, known_server, err, sizeof err) < 0) {
    fprintf(stderr, "sioconform: %s%s\n", err, known_file ? "" : " (runs not linked)");
    if (known_file) no_known = -1;
  } else if (!no_known && known_server && known.n == 0) {
    /* a typo or a server nobody has judged: say so rather than link nothing silently */
    fprintf(stderr,
            "sioconform: no entry of the known deviations lists server \"%s\"; runs not linked\n",
            known_server);
  }
  if (no_known < 0) {
    cJSON_Delete(cfg.extensions);
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    if (child > 0) {
      kill(child, SIGTERM);
      waitpid(child, NULL, 0);
    }
    return 2;
  }

  ct_sched sc;
  memset(&sc, 0, sizeof sc);
  sc.cfg = &cfg;
  sc.plan = &plan;
  sc.interrupted = &g_interrupted;
  {
    const ct_case **pc = ct_xmalloc(plan.n * sizeof *pc);
    unsigned *pt = ct_xmalloc(plan.n * sizeof *pt);
    for (size_t i = 0; i < plan.n; i++) {
      pc[i] = plan.items[i].c;
      pt[i] = plan.items[i].tr;
    }
    char *e = cfg.extensions ? cJSON_PrintUnformatted(cfg.extensions) : NULL;
    printf("sioconform: checking %s (extensions: %s)\n", target, e ? e : "none announced");
    free(e);
    ct_discovery_print(stdout, &cfg, pc, pt, plan.n);
    if (cfg.jobs > 1) printf("  jobs: %d case-runs side by side (--jobs)\n", cfg.jobs);
    fflush(stdout);
    free(pc);
    free(pt);
  }
  snprintf(sc.target, sizeof sc.target, "%s", target);
  sc.known = &known;
  sc.live = ct_live_new(junit, json, html, target, cfg.strict, plan.n, 1000);
  int64_t t_start = ct_now_ms();
  catch_interrupts(child);
  ct_sched_run(&sc);
  int complete = !g_interrupted && !sc.stop;

  /* the reports list the finished runs in plan order */
  ct_run *runs = ct_xmalloc((plan.n ? plan.n : 1) * sizeof *runs);
  size_t nr = 0;
  for (size_t i = 0; i < plan.n; i++)
    if (plan.items[i].state == CT_RUN_REPORTED) {
      /* link on the run itself: the copy below is shallow and freed through sc.runs */
      ct_deviations_annotate(&known, &sc.runs[i], 1);
      runs[nr++] = sc.runs[i];
    }
  ct_report_console_summary(stdout, runs, nr, cfg.strict);
  if (cfg.jobs > 1)
    printf("wall time %.1f s with --jobs %d\n", (double)(ct_now_ms() - t_start) / 1000.0, cfg.jobs);
  if (sc.stop)
    fprintf(stderr,
            "sioconform: the server stopped answering after %zu of %zu case-runs (%s); "
            "stopped, the reports hold the runs finished so far\n",
            nr, plan.n, sc.gone);
  if (g_interrupted)
    fprintf(stderr, "sioconform: interrupted: reports hold the %zu runs finished so far\n", nr);
  fflush(stdout);
  int werr = 0;
  if (junit)
    werr |= write_report(junit, "JUnit", runs, nr, target, cfg.strict, complete, ct_report_junit);
  if (json)
    werr |= write_report(json, "JSON", runs, nr, target, cfg.strict, complete, ct_report_json);
  if (html)
    werr |= write_report(html, "HTML", runs, nr, target, cfg.strict, complete, ct_report_html);
  ct_live_free(sc.live);
  int failed = 0;
  for (size_t i = 0; i < nr; i++) failed |= ct_run_failed(&runs[i], cfg.strict);
  for (size_t i = 0; i < plan.n; i++)
    if (plan.items[i].state != CT_RUN_PENDING) ct_run_free(&sc.runs[i]);
  free(runs);
  ct_deviations_free(&known);
  free(sc.runs);
  cJSON_Delete(cfg.extensions);
  ct_plan_free(&plan);
  ct_cases_free(&cs);
  if (child > 0) {
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
  }
  if (werr || sc.stop || g_interrupted) return 2;
  return failed ? 1 : 0;
}
