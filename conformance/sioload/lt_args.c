/* The command line (see lt_args.h). */
#include "lt_args.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
  fprintf(f,
          "usage: sioload [options] http://127.0.0.1:PORT[/socket.io/]\n"
          "  -n, --clients N          clients to connect (default 100, max %d)\n"
          "  -t, --transport T        websocket (default) or polling\n"
          "      --ramp-rate R        new connections per second (default 2000)\n"
          "      --ramp-concurrency C handshakes in progress at once (default 200)\n"
          "      --idle S             idle seconds before the memory reading (default 2; 0 "
          "skips)\n"
          "      --inflight LIST      echo phases, acks in flight, e.g. 1,10,100 (default 10; "
          "0 skips)\n"
          "      --echo-time S        seconds per echo phase (default 5)\n"
          "      --payload BYTES      echo string length (default 16)\n"
          "      --broadcast LIST     room sizes for fan-out, e.g. 1000,5000 (default none)\n"
          "      --broadcast-mode M   room (join + to-room-all, default) or namespace "
          "(\"broadcast\")\n"
          "      --rounds R           fan-out rounds per size (default 20)\n"
          "      --churn S            seconds of connect/disconnect churn (default 0)\n"
          "      --churn-concurrency C  churning clients at once (default 50)\n"
          "      --server-pid PID     read the server's RSS and CPU from /proc/PID\n"
          "      --duration S         hard cap on the whole run (default 300, max %d)\n"
          "      --source-ips N       spread connections over 127.0.0.1..N (default 1; churn "
          "uses 32)\n"
          "      --json FILE          write the results as JSON\n"
          "      --label NAME         name stored in the JSON (e.g. official, sioref)\n"
          "  -q, --quiet              no progress on stderr\n",
          MAX_CLIENTS, MAX_DURATION);
}

static int parse_list(const char *s, uint32_t *out, size_t *n, uint32_t max) {
  *n = 0;
  char *end;
  while (*s) {
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || v > max || *n >= MAX_LIST) return -1;
    if (v) out[(*n)++] = (uint32_t)v;
    s = end;
    if (*s == ',')
      s++;
    else if (*s)
      return -1;
  }
  return 0;
}

static double parse_num(const char *s, double max, bool *ok) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || v < 0 || v > max) *ok = false;
  return v;
}

int lt_args_url(const char *url, struct sockaddr_in *sa, char *path, size_t cap) {
  const char *p = url;
  if (strncmp(p, "http://", 7) == 0)
    p += 7;
  else if (strncmp(p, "ws://", 5) == 0)
    p += 5;
  const char *colon = strchr(p, ':');
  if (!colon || colon - p > 63) return -1;
  char host[64];
  memcpy(host, p, (size_t)(colon - p));
  host[colon - p] = 0;
  if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) return -1;
  if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127) return -2;
  char *end;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (end == colon + 1 || port == 0 || port > 65535) return -1;
  sa->sin_port = htons((uint16_t)port);
  if (*end == '/' && end[1]) {
    snprintf(path, cap, "%s", end);
    size_t l = strlen(path);
    if (path[l - 1] != '/' && l + 1 < cap) strcat(path, "/");
  } else {
    snprintf(path, cap, "/socket.io/");
  }
  return 0;
}

int lt_args_parse(int argc, char **argv, lt_options *o) {
  *o = (lt_options){.clients = 100,
                    .ramp_rate = 2000,
                    .ramp_conc = 200,
                    .idle_s = 2,
                    .echo_s = 5,
                    .payload = 16,
                    .rounds = 20,
                    .churn_conc = 50,
                    .duration_s = 300,
                    .label = "",
                    .source_ips = 1};
  o->inflight[0] = 10;
  o->n_inflight = 1;
  enum {
    O_RAMP = 256,
    O_RCONC,
    O_IDLE,
    O_INFL,
    O_ECHO,
    O_PAY,
    O_BC,
    O_BCM,
    O_ROUNDS,
    O_CHURN,
    O_CCONC,
    O_PID,
    O_DUR,
    O_JSON,
    O_LABEL,
    O_SRC
  };
  static const struct option lo[] = {{"clients", 1, 0, 'n'},
                                     {"transport", 1, 0, 't'},
                                     {"ramp-rate", 1, 0, O_RAMP},
                                     {"ramp-concurrency", 1, 0, O_RCONC},
                                     {"idle", 1, 0, O_IDLE},
                                     {"inflight", 1, 0, O_INFL},
                                     {"echo-time", 1, 0, O_ECHO},
                                     {"payload", 1, 0, O_PAY},
                                     {"broadcast", 1, 0, O_BC},
                                     {"broadcast-mode", 1, 0, O_BCM},
                                     {"rounds", 1, 0, O_ROUNDS},
                                     {"churn", 1, 0, O_CHURN},
                                     {"churn-concurrency", 1, 0, O_CCONC},
                                     {"server-pid", 1, 0, O_PID},
                                     {"duration", 1, 0, O_DUR},
                                     {"json", 1, 0, O_JSON},
                                     {"label", 1, 0, O_LABEL},
                                     {"source-ips", 1, 0, O_SRC},
                                     {"quiet", 0, 0, 'q'},
                                     {"help", 0, 0, 'h'},
                                     {0, 0, 0, 0}};
  int c;
  bool ok = true;
  while ((c = getopt_long(argc, argv, "n:t:qh", lo, NULL)) != -1) {
    switch (c) {
    case 'n':
      o->clients = (uint32_t)parse_num(optarg, MAX_CLIENTS, &ok);
      break;
    case 't':
      if (strcmp(optarg, "websocket") == 0)
        o->transport = LT_WEBSOCKET;
      else if (strcmp(optarg, "polling") == 0)
        o->transport = LT_POLLING;
      else
        ok = false;
      break;
    case O_RAMP:
      o->ramp_rate = (uint32_t)parse_num(optarg, 1000000, &ok);
      break;
    case O_RCONC:
      o->ramp_conc = (uint32_t)parse_num(optarg, MAX_CLIENTS, &ok);
      break;
    case O_IDLE:
      o->idle_s = parse_num(optarg, MAX_PHASE_SECONDS, &ok);
      break;
    case O_INFL:
      ok = ok && parse_list(optarg, o->inflight, &o->n_inflight, MAX_INFLIGHT) == 0;
      break;
    case O_ECHO:
      o->echo_s = parse_num(optarg, MAX_PHASE_SECONDS, &ok);
      break;
    case O_PAY:
      o->payload = (uint32_t)parse_num(optarg, 4096, &ok);
      break;
    case O_BC:
      ok = ok && parse_list(optarg, o->bcast, &o->n_bcast, MAX_CLIENTS) == 0;
      break;
    case O_BCM:
      if (strcmp(optarg, "room") == 0)
        o->bcast_all = false;
      else if (strcmp(optarg, "namespace") == 0)
        o->bcast_all = true;
      else
        ok = false;
      break;
    case O_ROUNDS:
      o->rounds = (uint32_t)parse_num(optarg, MAX_ROUNDS, &ok);
      break;
    case O_CHURN:
      o->churn_s = parse_num(optarg, MAX_PHASE_SECONDS, &ok);
      break;
    case O_CCONC:
      o->churn_conc = (uint32_t)parse_num(optarg, MAX_CHURN_CONC, &ok);
      break;
    case O_PID:
      o->server_pid = (pid_t)parse_num(optarg, 1e9, &ok);
      break;
    case O_DUR:
      o->duration_s = parse_num(optarg, MAX_DURATION, &ok);
      break;
    case O_JSON:
      o->json_path = optarg;
      break;
    case O_LABEL:
      o->label = optarg;
      break;
    case O_SRC:
      o->source_ips = (uint32_t)parse_num(optarg, 250, &ok);
      break;
    case 'q':
      o->quiet = true;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      ok = false;
    }
  }
  if (!ok || optind != argc - 1 || o->clients == 0 || o->ramp_rate == 0 || o->ramp_conc == 0 ||
      o->churn_conc == 0 || o->rounds == 0) {
    usage(stderr);
    return -1;
  }
  o->url = argv[optind];
  return 0;
}
