/* sioconform's command line: the options into a ct_cli, the URL and --path into the
 * target (host, port, Socket.IO path). Nothing here touches the network. */
#include "ct_cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_ops.h"
#include "ct_sched.h"

#ifndef CT_DEFAULT_VECTORS_DIR
#define CT_DEFAULT_VECTORS_DIR "vectors"
#endif

static void usage(FILE *f) {
  fputs("usage: sioconform [options] [URL]\n"
        "       sioconform client [options] -- CMD ARGS...   (check a client library:\n"
        "       spec/client-contract.md; sioconform client --help)\n"
        "       sioconform cluster [options] URL1 URL2 ... [--via LB_URL]   (check a\n"
        "       cluster of nodes and its load balancer; sioconform cluster --help)\n"
        "Checks an Engine.IO v4 / Socket.IO v5 server at URL (http://HOST:PORT[/PATH] or\n"
        "ws://HOST:PORT[/PATH]; https:// or wss:// for TLS) over HTTP long-polling and\n"
        "WebSocket; PATH is the Socket.IO path (default /socket.io/). IPv4 only; a query or\n"
        "fragment is refused. Without URL the built-in sioref is started.\n"
        "\n"
        "  --list               list case ids, levels, transports and tags; no network\n"
        "  --list-ops           print the step language's op list (Markdown, as in\n"
        "                       vectors/scenarios/README.md); no network\n"
        "  -c, --case PREFIX    run only cases whose id starts with PREFIX (repeatable;\n"
        "                       a run id like eio.x@polling selects one transport)\n"
        "  --skip PREFIX        leave out the runs PREFIX names, in the same forms as -c\n"
        "                       (repeatable; e.g. a case that kills a server you already\n"
        "                       know is vulnerable, so the rest of the run goes on)\n"
        "  --transport T        polling, websocket or all (default all)\n"
        "  --eio V              Engine.IO version: 4 (default), 3 (Socket.IO protocol v4)\n"
        "                       or all; runs under v3 have ids ending /eio3\n"
        "  --parser P           json (default), msgpack (socket.io-msgpack-parser, ids\n"
        "                       ending /msgpack) or all\n"
        "  --path P             Socket.IO path (default: the URL's path, else /socket.io/;\n"
        "                       a trailing / is added); differing from the URL's is an error\n"
        "  --eio-path P         Engine.IO echo path of the test app (default /engine.io/)\n"
        "  --strict             NON-STRICT verdicts count as failures\n"
        "  --timeout-scale X    multiply every harness wait by X (default 1)\n"
        "  --jobs N             case-runs side by side, each on its own sessions (default 8;\n"
        "                       1 runs them one after another in list order); cases marked\n"
        "                       exclusive (broadcasts, floods, timings) always run alone\n"
        "  --max-payload N      maxPayload in bytes to assume when the open packet omits it\n"
        "  --ca FILE            TLS: trust the CA certificate(s) in PEM FILE as well as the\n"
        "                       system's (the server's certificate is verified by default)\n"
        "  --insecure           TLS: accept any certificate (no chain or name check)\n"
        "  --cors-origin O      the server allows CORS origin O (its --cors-origin, spec/\n"
        "                       contract.md CT-6): adds the *.cors.configured.* cases\n"
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

/* The positional URL and --path: host and port into CFG, the Socket.IO path into
 * O->sio_path (the URL's path; --path may repeat it, not contradict it). */
static int resolve_target(ct_cli *o) {
  char err[512];
  if ((o->url && ct_url_parse(o->url, &o->url_parts, err, sizeof err) != 0) ||
      ct_url_sio_path(o->url_parts.path, o->path_opt, o->sio_path, sizeof o->sio_path, err,
                      sizeof err) != 0) {
    fprintf(stderr, "sioconform: %s\n", err);
    return 2;
  }
  /* TLS options without a TLS target would be silently ignored: say so instead */
  if ((o->ca_file || o->insecure) && !o->url_parts.tls) {
    fprintf(stderr, "sioconform: --ca and --insecure need an https:// or wss:// URL\n");
    return 2;
  }
  if (o->ca_file && o->insecure) {
    fprintf(stderr, "sioconform: --ca and --insecure together: --insecure checks no CA\n");
    return 2;
  }
  if (o->url) {
    memcpy(o->cfg.host, o->url_parts.host, sizeof o->cfg.host);
    o->cfg.port = o->url_parts.port;
  }
  o->cfg.sio_path = o->sio_path;
  return CT_CLI_RUN;
}

/* --eio 3|4|all and --parser json|msgpack|all (issue 14): kept apart until the end, where
 * they become cfg.protocols (the msgpack parser rides on Engine.IO v4 only). */
static int parse_protocol(ct_cli *o, int eio, const char *v) {
  int all = strcmp(v, "all") == 0;
  if (eio && (all || strcmp(v, "3") == 0 || strcmp(v, "4") == 0)) {
    o->eio_mask = all ? 3u : strcmp(v, "3") == 0 ? 2u : 1u;
    return 0;
  }
  if (!eio && (all || strcmp(v, "json") == 0 || strcmp(v, "msgpack") == 0)) {
    o->parser_mask = all ? 3u : strcmp(v, "json") == 0 ? 1u : 2u;
    return 0;
  }
  fprintf(stderr, eio ? "sioconform: --eio must be 3, 4 or all\n"
                      : "sioconform: --parser must be json, msgpack or all\n");
  return -1;
}

/* The protocols the two options select: v4 x json, v3 x json, v4 x msgpack. */
static int resolve_protocols(ct_cli *o) {
  unsigned e = o->eio_mask ? o->eio_mask : 1u, pa = o->parser_mask ? o->parser_mask : 1u;
  unsigned p = 0;
  if ((e & 1u) && (pa & 1u)) p |= CT_P_EIO4;
  if ((e & 2u) && (pa & 1u)) p |= CT_P_EIO3;
  if ((e & 1u) && (pa & 2u)) p |= CT_P_MSGPACK;
  if (!p) {
    fprintf(stderr, "sioconform: the msgpack parser is checked on Engine.IO v4 only "
                    "(spec/msgpack.md); use --eio 4 or all with --parser msgpack\n");
    return 2;
  }
  o->cfg.protocols = p;
  return CT_CLI_RUN;
}

void ct_cli_defaults(ct_cli *o) {
  memset(o, 0, sizeof *o);
  o->cfg.sio_path = "/socket.io/";
  o->cfg.eio_path = "/engine.io/";
  o->cfg.tscale = 1.0;
  o->cfg.vectors_dir =
      getenv("SIOCONFORM_VECTORS") ? getenv("SIOCONFORM_VECTORS") : CT_DEFAULT_VECTORS_DIR;
  o->fuzz = (ct_fuzz_opts){0, 1, "reports/fuzz-live", -1, NULL};
  o->transports = CT_TR_ALL;
  o->cfg.protocols = CT_P_EIO4;
}

int ct_cli_parse_options(ct_cli *o, int argc, char **argv) {
  enum {
    O_LIST = 256,
    O_LIST_OPS,
    O_SKIP,
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
    O_MAX_PAYLOAD,
    O_CA,
    O_INSECURE,
    O_CORS,
    O_EIO,
    O_PARSER
  };
  static const struct option lo[] = {{"list", no_argument, 0, O_LIST},
                                     {"list-ops", no_argument, 0, O_LIST_OPS},
                                     {"case", required_argument, 0, 'c'},
                                     {"skip", required_argument, 0, O_SKIP},
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
                                     {"ca", required_argument, 0, O_CA},
                                     {"insecure", no_argument, 0, O_INSECURE},
                                     {"cors-origin", required_argument, 0, O_CORS},
                                     {"eio", required_argument, 0, O_EIO},
                                     {"parser", required_argument, 0, O_PARSER},
                                     {"verbose", no_argument, 0, 'v'},
                                     {"help", no_argument, 0, 'h'},
                                     {0, 0, 0, 0}};
  int ch;
  while ((ch = getopt_long(argc, argv, "c:vh", lo, NULL)) != -1) {
    switch (ch) {
    case O_LIST:
      o->list = 1;
      break;
    case O_LIST_OPS: { /* the op list of vectors/scenarios/README.md, from the op table */
      ct_buf b = {0};
      ct_ops_markdown(&b);
      fputs((char *)b.data, stdout);
      ct_buf_free(&b);
      return 0;
    }
    case 'c':
      if (o->np < CT_CLI_MAX_PREFIXES) o->prefixes[o->np++] = optarg;
      break;
    case O_SKIP:
      if (o->ns < CT_CLI_MAX_PREFIXES) o->skips[o->ns++] = optarg;
      break;
    case O_TRANSPORT:
      if (strcmp(optarg, "polling") == 0)
        o->transports = CT_TR_POLLING;
      else if (strcmp(optarg, "websocket") == 0)
        o->transports = CT_TR_WEBSOCKET;
      else if (strcmp(optarg, "all") == 0)
        o->transports = CT_TR_ALL;
      else {
        fprintf(stderr, "sioconform: --transport must be polling, websocket or all\n");
        return 2;
      }
      break;
    case O_PATH:
      o->path_opt = optarg;
      break;
    case O_EIOPATH:
      o->cfg.eio_path = optarg;
      break;
    case O_STRICT:
      o->cfg.strict = 1;
      break;
    case O_SCALE: {
      char *end;
      o->cfg.tscale = strtod(optarg, &end);
      if (*end || o->cfg.tscale <= 0 || o->cfg.tscale > 100) {
        fprintf(stderr, "sioconform: --timeout-scale needs a number in (0, 100]\n");
        return 2;
      }
      break;
    }
    case O_JUNIT:
      o->junit = optarg;
      break;
    case O_JSON:
      o->json = optarg;
      break;
    case O_HTML:
      o->html = optarg;
      break;
    case O_VECTORS:
      o->cfg.vectors_dir = optarg;
      break;
    case O_SIOREF:
      o->sioref = optarg;
      break;
    case O_FUZZ:
    case O_FUZZ_SEED: {
      unsigned long long v;
      if (ch == O_FUZZ ? parse_count(optarg, 1, 100000000, &v)
                       : parse_count(optarg, 0, ULLONG_MAX, &v)) {
        fprintf(stderr, "sioconform: --fuzz and --fuzz-seed need a number\n");
        return 2;
      }
      if (ch == O_FUZZ)
        o->fuzz.n = (long)v;
      else
        o->fuzz.seed = v;
      break;
    }
    case O_FUZZ_OUT:
      o->fuzz.out = optarg;
      break;
    case O_JOBS:
    case O_MAX_PAYLOAD: {
      unsigned long long v;
      if (parse_count(optarg, 1, ch == O_JOBS ? CT_MAX_JOBS : LONG_MAX, &v)) {
        fprintf(stderr, ch == O_JOBS ? "sioconform: --jobs needs a number from 1 to 64\n"
                                     : "sioconform: --max-payload needs a positive number\n");
        return 2;
      }
      if (ch == O_JOBS)
        o->cfg.jobs = (int)v;
      else
        o->cfg.max_payload = (long)v;
      break;
    }
    case O_CA:
      o->ca_file = optarg;
      break;
    case O_INSECURE:
      o->insecure = 1;
      break;
    case O_CORS:
      /* one specific origin: with "*" every origin is allowed, and the foreign-origin
       * cases (here and eio.cors.no-policy-*) would judge a policy they do not know */
      if (!strstr(optarg, "://") || strpbrk(optarg, "*\r\n ")) {
        fprintf(stderr, "sioconform: --cors-origin needs one origin such as "
                        "https://app.example (\"*\" is not supported)\n");
        return 2;
      }
      o->cfg.cors_origin = optarg;
      break;
    case O_EIO:
    case O_PARSER:
      if (parse_protocol(o, ch == O_EIO, optarg) != 0) return 2;
      break;
    case O_FUZZ_REPLAY:
      o->fuzz.replay = optarg;
      break;
    case O_KNOWN:
      o->known_file = optarg;
      break;
    case O_NO_KNOWN:
      o->no_known = 1;
      break;
    case O_KNOWN_SERVER:
      o->known_server = optarg;
      break;
    case 'v':
      o->cfg.verbose = 1;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  return CT_CLI_RUN;
}

const char *ct_cli_server_only(const ct_cli *o) {
  if (o->fuzz.n || o->fuzz.replay) return "--fuzz/--fuzz-replay";
  if (o->sioref) return "--sioref";
  if (o->path_opt || strcmp(o->cfg.eio_path, "/engine.io/") != 0) return "--path/--eio-path";
  if (o->ca_file || o->insecure) return "--ca/--insecure";
  if (o->cfg.cors_origin) return "--cors-origin";
  if (o->cfg.max_payload) return "--max-payload";
  return NULL;
}

int ct_cli_parse(ct_cli *o, int argc, char **argv) {
  int rc = ct_cli_parse_options(o, argc, argv);
  if (rc != CT_CLI_RUN) return rc;
  if (argc - optind > 1) {
    usage(stderr);
    return 2;
  }
  o->url = optind < argc ? argv[optind] : NULL;
  if (resolve_protocols(o) != CT_CLI_RUN) return 2;
  return resolve_target(o);
}
