/* sioconform: the command line. Loads the cases (scenario files, codec-vector
 * families, C probes), selects them, starts the built-in sioref when no URL is
 * given, runs each selected case on each selected transport and writes the reports.
 * Exit: 0 every required case passed, 1 a conformance failure, 2 usage/connection. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct.h"
#include "ct_deviations.h"
#include "ct_fuzz.h"
#include "ct_report.h"

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
        "Checks an Engine.IO v4 / Socket.IO v5 server at URL (http://HOST:PORT) over HTTP\n"
        "long-polling and WebSocket. Without URL the built-in sioref is started and checked.\n"
        "\n"
        "  --list               list case ids, levels, transports and tags; no network\n"
        "  -c, --case PREFIX    run only cases whose id starts with PREFIX (repeatable;\n"
        "                       a run id like eio.x@polling selects one transport)\n"
        "  --transport T        polling, websocket or all (default all)\n"
        "  --path P             Socket.IO path (default /socket.io/)\n"
        "  --eio-path P         Engine.IO echo path of the test app (default /engine.io/)\n"
        "  --strict             NON-STRICT verdicts count as failures\n"
        "  --timeout-scale X    multiply every harness wait by X (default 1)\n"
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
        "Exit status: 0 all required cases pass, 1 conformance failure, 2 usage or\n"
        "connection error (including a selection that matches no case).\n",
        f);
}

static int parse_url(const char *url, ct_config *cfg) {
  const char *p = url;
  if (strncmp(p, "http://", 7) == 0)
    p += 7;
  else if (strncmp(p, "ws://", 5) == 0)
    p += 5;
  else if (strstr(p, "://"))
    return -1;
  const char *colon = strchr(p, ':');
  const char *slash = strchr(p, '/');
  if (!colon || (slash && slash < colon)) return -1;
  size_t hl = (size_t)(colon - p);
  if (hl == 0 || hl >= sizeof cfg->host) return -1;
  memcpy(cfg->host, p, hl);
  cfg->host[hl] = 0;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (port <= 0 || port > 65535 || (*end && *end != '/')) return -1;
  cfg->port = (int)port;
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
      ok = parse_url(u, cfg) == 0;
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
                        const char *target, int strict,
                        int (*fn)(FILE *, const ct_run *, size_t, const char *, int)) {
  FILE *f = fopen(file, "w");
  if (!f) {
    fprintf(stderr, "sioconform: cannot write %s: %s\n", file, strerror(errno));
    return -1;
  }
  int rc = fn(f, runs, n, target, strict);
  if (fclose(f) != 0) rc = -1;
  if (rc == 0) fprintf(stderr, "%s report: %s\n", what, file);
  return rc;
}

int main(int argc, char **argv) {
  ct_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.sio_path = "/socket.io/";
  cfg.eio_path = "/engine.io/";
  cfg.tscale = 1.0;
  cfg.vectors_dir =
      getenv("SIOCONFORM_VECTORS") ? getenv("SIOCONFORM_VECTORS") : CT_DEFAULT_VECTORS_DIR;
  int list = 0;
  ct_fuzz_opts fuzz = {0, 1, "reports/fuzz-live", -1, NULL};
  unsigned transports = CT_TR_ALL;
  char *prefixes[256];
  int np = 0;
  const char *junit = NULL, *json = NULL, *html = NULL, *sioref_opt = NULL;
  const char *known_file = NULL; /* --known-deviations; NULL: the default, if readable */
  int no_known = 0;
  const char *known_server = NULL; /* --deviations-server; NULL: every entry */
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
    O_KNOWN_SERVER
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
      cfg.sio_path = optarg;
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
      char *end;
      errno = 0;
      unsigned long long v = strtoull(optarg, &end, 10);
      if (*end || !*optarg || errno || (o == O_FUZZ && (v == 0 || v > 100000000))) {
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
  if (url && parse_url(url, &cfg) != 0) {
    fprintf(stderr, "sioconform: bad URL %s (want http://HOST:PORT)\n", url);
    return 2;
  }

  ct_cases cs = {0};
  char err[512];
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
      printf("%-58s %-6s %-18s %s%s%s\n", c->id, ct_level_name(c->level),
             c->transports == CT_TR_ALL       ? "polling,websocket"
             : c->transports == CT_TR_POLLING ? "polling"
                                              : "websocket",
             c->tags, c->requires ? "  requires:" : "", c->requires ? c->requires : "");
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
  cfg.extensions = ct_discover_extensions(&cfg);
  {
    char *e = cfg.extensions ? cJSON_PrintUnformatted(cfg.extensions) : NULL;
    printf("sioconform: checking %s (extensions: %s)\n", target, e ? e : "none announced");
    free(e);
  }

  /* Known deviations, matched by cause (known-deviations.md). An explicit file that does
   * not load is a usage error; the default one is only used when it is there. */
  ct_known known = {0};
  if (!no_known && ct_deviations_load(&known, known_file ? known_file : CT_DEFAULT_KNOWN_DEVIATIONS,
                                      cfg.vectors_dir, known_server, err, sizeof err) < 0) {
    fprintf(stderr, "sioconform: %s%s\n", err, known_file ? "" : " (runs not linked)");
    if (known_file) no_known = -1;
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

  ct_run *runs = ct_xmalloc(nsel * sizeof *runs);
  size_t nr = 0;
  for (size_t i = 0; i < cs.n; i++) {
    for (unsigned t = 1; t <= 2; t++) {
      const ct_case *c = &cs.v[i];
      if (!((c->transports & t) && (transports & t) && selected(c, t, prefixes, np))) continue;
      if (cfg.verbose) fprintf(stderr, "--- %s@%s\n", c->id, t == 1 ? "polling" : "websocket");
      ct_run_case(&runs[nr], c, &cfg, t);
      ct_deviations_annotate(&known, &runs[nr], 1); /* for the console line's link */
      ct_report_console_line(stdout, &runs[nr]);
      fflush(stdout);
      nr++;
    }
  }
  ct_deviations_annotate(&known, runs, nr);
  ct_report_console_summary(stdout, runs, nr, cfg.strict);
  int werr = 0;
  if (junit) werr |= write_report(junit, "JUnit", runs, nr, target, cfg.strict, ct_report_junit);
  if (json) werr |= write_report(json, "JSON", runs, nr, target, cfg.strict, ct_report_json);
  if (html) werr |= write_report(html, "HTML", runs, nr, target, cfg.strict, ct_report_html);
  int failed = 0;
  for (size_t i = 0; i < nr; i++) failed |= ct_run_failed(&runs[i], cfg.strict);
  for (size_t i = 0; i < nr; i++) ct_run_free(&runs[i]);
  free(runs);
  ct_deviations_free(&known);
  cJSON_Delete(cfg.extensions);
  ct_cases_free(&cs);
  if (child > 0) {
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
  }
  if (werr) return 2;
  return failed ? 1 : 0;
}
