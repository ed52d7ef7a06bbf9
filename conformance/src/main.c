/* sioconform: the command line. Loads the cases (scenario files, codec-vector
 * families, C probes), selects them, starts the built-in sioref when no URL is
 * given, runs each selected case on each selected transport and writes the reports.
 * Exit: 0 every required case passed, 1 a conformance failure, 2 usage/connection. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pthread.h>
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
#include "ct_matrix.h"
#include "ct_report.h"
#include "ct_report_live.h"
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
/* --jobs default: enough runs side by side that the heartbeat-bound cases (each waits
 * one or more pingInterval + pingTimeout) overlap, few enough for a 2-core machine */
#define CT_DEFAULT_JOBS 8
#define CT_MAX_JOBS     64

static void usage(FILE *f) {
  fputs("usage: sioconform [options] [URL]\n"
        "Checks an Engine.IO v4 / Socket.IO v5 server at URL (http://HOST:PORT[/PATH] or\n"
        "ws://HOST:PORT[/PATH]) over HTTP long-polling and WebSocket; PATH is the Socket.IO\n"
        "path (default /socket.io/). IPv4 only; https:// and wss:// (TLS) are not supported\n"
        "yet; a query or fragment is refused. Without URL the built-in sioref is started.\n"
        "\n"
        "  --list               list case ids, levels, transports and tags; no network\n"
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

static int selected(const ct_case *c, unsigned tr, char **prefixes, int np) {
  if (np == 0) return 1;
  const char *tn = tr == CT_TR_POLLING ? "polling" : "websocket";
  for (int i = 0; i < np; i++) {
    const char *p = prefixes[i];
    const char *at = strchr(p, '@');
    if (at) {
      size_t l = (size_t)(at - p);
      if (strlen(c->id) == l && strncmp(c->id, p, l) == 0 && strcmp(at + 1, tn) == 0) return 1;
    } else if (strncmp(c->id, p, strlen(p)) == 0) {
      return 1;
    }
  }
  return 0;
}

static int write_report(const char *file, const char *what, const ct_run *runs, size_t n,
                        const char *target, int strict, int complete,
                        int (*fn)(FILE *, const ct_run *, size_t, const char *, int, int)) {
  /* atomic: a reader (or a kill during the write) never sees a torn file (issue 16) */
  return ct_report_file(file, what, runs, n, target, strict, complete, fn, 0);
}

/* ---- the scheduler: the plan's runs on --jobs threads */

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

enum { ST_PENDING = 0, ST_RUNNING, ST_DONE, ST_REPORTED };

typedef struct plan_item {
  const ct_case *c;
  unsigned tr;
  size_t ci; /* index of the case, for its busy flag */
  int state; /* ST_* */
} plan_item;

typedef struct sched {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ct_config *cfg;
  plan_item *items;
  size_t n, ncases;
  ct_run *runs;        /* runs[i] belongs to items[i] */
  size_t *order;       /* the order runs start in */
  unsigned char *busy; /* per case: one of its runs is running */
  int running, exclusive_running;
  int stop; /* the server stopped answering: start nothing more */
  char gone[400];
  char target[300];
  const ct_known *known; /* known deviations, linked on each console line */
  ct_live *live;         /* partial reports rewritten as runs finish (issue 16) */
} sched;

/* How long a case may wait, roughly, in ms: the sum of its waits with the server's
 * timings. Only the order matters (the heartbeat-bound runs start first). */
static long case_weight(const ct_case *c, const ct_config *cfg) {
  if (!c->steps) return 0;
  cJSON *vars = cJSON_CreateObject();
  long pi = cfg->tgt.ping_interval > 0 ? cfg->tgt.ping_interval : 25000;
  long pt = cfg->tgt.ping_timeout > 0 ? cfg->tgt.ping_timeout : 20000;
  long mp = cfg->tgt.max_payload > 0 ? cfg->tgt.max_payload : 1000000;
  cJSON_AddNumberToObject(vars, "pingInterval", (double)pi);
  cJSON_AddNumberToObject(vars, "pingTimeout", (double)pt);
  cJSON_AddNumberToObject(vars, "maxPayload", (double)mp);
  long w = 0;
  const cJSON *s;
  cJSON_ArrayForEach(s, c->steps) {
    /* sleeps and close deadlines count; an expect's timeout is only a bound, unless it
     * is heartbeat-bound (then it is also the wait) */
    static const char *const keys[] = {"ms", "within", "timeout"};
    for (int k = 0; k < 3; k++) {
      const cJSON *v = cJSON_GetObjectItem(s, keys[k]);
      long x = 0;
      if (cJSON_IsString(v) && strstr(v->valuestring, "ping"))
        ct_eval(v->valuestring, vars, &x);
      else if (cJSON_IsNumber(v) && k < 2)
        x = (long)v->valuedouble;
      w += x > 0 ? x : 0;
    }
  }
  cJSON_Delete(vars);
  return w;
}

typedef struct weighted {
  size_t i;
  long w;
} weighted;

static int by_weight(const void *a, const void *b) {
  const weighted *x = a, *y = b;
  if (x->w != y->w) return x->w > y->w ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* --jobs 1: the plan order, as always. Otherwise the exclusive runs first (alone, in
 * plan order), then the rest, longest first. */
static void sched_order(sched *sc) {
  sc->order = ct_xmalloc((sc->n ? sc->n : 1) * sizeof *sc->order);
  if (sc->cfg->jobs <= 1) {
    for (size_t i = 0; i < sc->n; i++) sc->order[i] = i;
    return;
  }
  weighted *w = ct_xmalloc((sc->n ? sc->n : 1) * sizeof *w);
  long *cw = ct_xmalloc((sc->ncases ? sc->ncases : 1) * sizeof *cw);
  for (size_t i = 0; i < sc->ncases; i++) cw[i] = -1;
  for (size_t i = 0; i < sc->n; i++) {
    plan_item *it = &sc->items[i];
    if (cw[it->ci] < 0) cw[it->ci] = case_weight(it->c, sc->cfg);
    /* exclusive runs go first: a huge weight keeps them in front, in plan order */
    w[i] = (weighted){i, it->c->exclusive ? 0x7fffffffL : cw[it->ci]};
  }
  qsort(w, sc->n, sizeof *w, by_weight);
  for (size_t i = 0; i < sc->n; i++) sc->order[i] = w[i].i;
  free(w);
  free(cw);
}

/* Under the lock: the next run that may start now, or -1 (none yet: wait), or -2 (none
 * left). */
static long sched_pick(sched *sc) {
  if (sc->stop || g_interrupted) return -2;
  if (sc->exclusive_running) return -1;
  int left = 0;
  for (size_t k = 0; k < sc->n; k++) {
    size_t i = sc->order[k];
    plan_item *it = &sc->items[i];
    if (it->state != ST_PENDING) continue;
    left = 1;
    if (it->c->exclusive) {
      /* an exclusive run starts on an idle harness, and nothing passes it */
      return sc->running == 0 ? (long)i : -1;
    }
    /* the app's shared names (rooms "ct-r1"...) would meet between the two transports of
     * one case: app cases run one transport at a time */
    if (it->c->needs == CT_NEED_APP && sc->busy[it->ci]) continue;
    return (long)i;
  }
  return left ? -1 : -2;
}

/* A run did not pass: is the server still there? Bounded: two handshakes. */
static int server_gone(sched *sc, char *why, size_t len) {
  const ct_config *cfg = sc->cfg;
  int t = (int)(3000 * cfg->tscale);
  if (ct_target_alive(cfg, t, why, len)) return 0;
  ct_sleep_ms(500);
  return !ct_target_alive(cfg, 2 * t, why, len);
}

static void sched_one(sched *sc, size_t i) {
  plan_item *it = &sc->items[i];
  ct_run *r = &sc->runs[i];
  if (sc->cfg->verbose && sc->cfg->jobs <= 1)
    fprintf(stderr, "--- %s@%s\n", it->c->id, it->tr == CT_TR_POLLING ? "polling" : "websocket");
  ct_run_case(r, it->c, sc->cfg, it->tr);
  char why[300] = "";
  /* connection errors make a run fail: one that did not pass triggers a liveness check */
  int gone = r->verdict != CT_V_PASS && r->verdict != CT_V_SKIP && sc->cfg->tgt.discovered &&
             server_gone(sc, why, sizeof why);
  pthread_mutex_lock(&sc->mu);
  sc->running--;
  if (it->c->exclusive) sc->exclusive_running = 0;
  sc->busy[it->ci] = 0;
  it->state = ST_DONE;
  /* a run that ends after the server was found gone failed because of that: drop it */
  if (!sc->stop || gone) {
    it->state = ST_REPORTED;
    if (sc->cfg->verbose && sc->cfg->jobs > 1)
      fprintf(stderr, "--- %s\n%s", r->run_id, r->log.data ? (char *)r->log.data : "");
    ct_deviations_annotate(sc->known, r, 1); /* for the console line's link */
    ct_report_console_line(stdout, r);
    fflush(stdout);
    ct_live_add(sc->live, i, r);
  }
  if (gone && !sc->stop) {
    sc->stop = 1;
    snprintf(sc->gone, sizeof sc->gone, "%s %s, last run %s", sc->target, why, r->run_id);
  }
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
}

static void *sched_worker(void *arg) {
  sched *sc = arg;
  pthread_mutex_lock(&sc->mu);
  for (;;) {
    long i = sched_pick(sc);
    if (i == -2) break;
    if (i == -1) {
      pthread_cond_wait(&sc->cv, &sc->mu);
      continue;
    }
    plan_item *it = &sc->items[i];
    it->state = ST_RUNNING;
    sc->running++;
    sc->busy[it->ci] = 1;
    if (it->c->exclusive) sc->exclusive_running = 1;
    pthread_mutex_unlock(&sc->mu);
    sched_one(sc, (size_t)i);
    pthread_mutex_lock(&sc->mu);
  }
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
  return NULL;
}

/* Runs share only what this lock guards and the read-only cfg/cases. Known benign race:
 * cJSON (1.7.x) writes its global error position on every parse (reset, then set on a
 * failure) from any run's thread; the harness never reads it (no cJSON_GetErrorPtr).
 * TSan does not see it because the system libcjson is not instrumented. */
static void sched_run(sched *sc) {
  sc->runs = ct_xmalloc((sc->n ? sc->n : 1) * sizeof *sc->runs);
  memset(sc->runs, 0, (sc->n ? sc->n : 1) * sizeof *sc->runs);
  sc->busy = ct_xmalloc(sc->ncases ? sc->ncases : 1);
  memset(sc->busy, 0, sc->ncases ? sc->ncases : 1);
  sched_order(sc);
  pthread_mutex_init(&sc->mu, NULL);
  pthread_cond_init(&sc->cv, NULL);
  int nt = sc->cfg->jobs;
  if ((size_t)nt > sc->n) nt = (int)sc->n;
  if (nt <= 1) {
    sched_worker(sc); /* --jobs 1: this thread, one run after another, as always */
  } else {
    pthread_t th[CT_MAX_JOBS];
    int started = 0;
    /* the workers block SIGINT/SIGTERM (inherited mask): the signal lands on this
     * thread, in pthread_join, and cannot cut a run's I/O short with EINTR */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (int k = 0; k < nt; k++)
      if (pthread_create(&th[started], NULL, sched_worker, sc) == 0) started++;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started == 0) sched_worker(sc);
    for (int k = 0; k < started; k++) pthread_join(th[k], NULL);
  }
  pthread_cond_destroy(&sc->cv);
  pthread_mutex_destroy(&sc->mu);
  free(sc->order);
  free(sc->busy);
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

  size_t nsel = 0;
  for (size_t i = 0; i < cs.n; i++)
    for (unsigned t = 1; t <= 2; t++)
      if ((cs.v[i].transports & t) && (transports & t) && selected(&cs.v[i], t, prefixes, np))
        nsel++;
  if (nsel == 0) {
    fprintf(stderr, "sioconform: no case matches the selection\n");
    ct_cases_free(&cs);
    return 2;
  }
  if (list) {
    for (size_t i = 0; i < cs.n; i++) {
      const ct_case *c = &cs.v[i];
      int any = 0;
      for (unsigned t = 1; t <= 2; t++)
        any |= (c->transports & t) && (transports & t) && selected(c, t, prefixes, np);
      if (!any) continue;
      printf("%-58s %-6s %-18s %s  needs:%s%s%s%s\n", c->id, ct_level_name(c->level),
             c->transports == CT_TR_ALL       ? "polling,websocket"
             : c->transports == CT_TR_POLLING ? "polling"
                                              : "websocket",
             c->tags, ct_need_name(c->needs), c->requires ? "  requires:" : "",
             c->requires ? c->requires : "", c->exclusive ? "  exclusive" : "");
    }
    printf("%zu cases, %zu case-runs selected\n", cs.n, nsel);
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
      ct_cases_free(&cs);
      return 2;
    }
    /* the reference has no known deviations: a non-PASS of sioref is never linked to
     * another server's entry */
    if (!known_server) known_server = "sioref";
    child = start_sioref(bin, &cfg);
    if (child < 0) {
      fprintf(stderr, "sioconform: could not start %s\n", bin);
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
    ct_cases_free(&cs);
    return 2;
  }
  close(fd);
  if (fuzz.n > 0 || fuzz.replay) {
    fuzz.child = child;
    int frc = fuzz.replay ? ct_fuzz_replay(&cfg, &fuzz) : ct_fuzz_run(&cfg, &fuzz);
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
    ct_cases_free(&cs);
    if (child > 0) {
      kill(child, SIGTERM);
      waitpid(child, NULL, 0);
    }
    return 2;
  }

  /* the plan: every selected (case, transport) in list order */
  sched sc;
  memset(&sc, 0, sizeof sc);
  sc.cfg = &cfg;
  sc.items = ct_xmalloc(nsel * sizeof *sc.items);
  sc.ncases = cs.n;
  for (size_t i = 0; i < cs.n; i++)
    for (unsigned t = 1; t <= 2; t++) {
      const ct_case *c = &cs.v[i];
      if (!((c->transports & t) && (transports & t) && selected(c, t, prefixes, np))) continue;
      sc.items[sc.n++] = (plan_item){c, t, i, 0};
    }
  {
    const ct_case **pc = ct_xmalloc(sc.n * sizeof *pc);
    unsigned *pt = ct_xmalloc(sc.n * sizeof *pt);
    for (size_t i = 0; i < sc.n; i++) {
      pc[i] = sc.items[i].c;
      pt[i] = sc.items[i].tr;
    }
    char *e = cfg.extensions ? cJSON_PrintUnformatted(cfg.extensions) : NULL;
    printf("sioconform: checking %s (extensions: %s)\n", target, e ? e : "none announced");
    free(e);
    ct_discovery_print(stdout, &cfg, pc, pt, sc.n);
    if (cfg.jobs > 1) printf("  jobs: %d case-runs side by side (--jobs)\n", cfg.jobs);
    fflush(stdout);
    free(pc);
    free(pt);
  }
  snprintf(sc.target, sizeof sc.target, "%s", target);
  sc.known = &known;
  sc.live = ct_live_new(junit, json, html, target, cfg.strict, sc.n, 1000);
  int64_t t_start = ct_now_ms();
  catch_interrupts(child);
  sched_run(&sc);
  int complete = !g_interrupted && !sc.stop;

  /* the reports list the finished runs in plan order */
  ct_run *runs = ct_xmalloc((sc.n ? sc.n : 1) * sizeof *runs);
  size_t nr = 0;
  for (size_t i = 0; i < sc.n; i++)
    if (sc.items[i].state == ST_REPORTED) {
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
            nr, sc.n, sc.gone);
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
  for (size_t i = 0; i < sc.n; i++)
    if (sc.items[i].state != ST_PENDING) ct_run_free(&sc.runs[i]);
  free(runs);
  ct_deviations_free(&known);
  free(sc.runs);
  free(sc.items);
  cJSON_Delete(cfg.extensions);
  ct_cases_free(&cs);
  if (child > 0) {
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
  }
  if (werr || sc.stop || g_interrupted) return 2;
  return failed ? 1 : 0;
}
