/* sioconform's command line (cli.c): every option in one struct, parsed once. */
#ifndef CT_CLI_H
#define CT_CLI_H

#include "ct_client.h"
#include "ct_fuzz_live.h"
#include "ct_url.h"

#define CT_CLI_MAX_PREFIXES 256
#define CT_CLI_RUN          (-1) /* ct_cli_parse: go on and run */

typedef struct ct_cli {
  ct_config cfg;       /* the harness configuration; cfg.sio_path points into sio_path below,
                          so a ct_cli is not copied once parsed */
  int list;            /* --list: print the selection, no network */
  ct_fuzz_opts fuzz;   /* --fuzz, --fuzz-seed, --fuzz-out, --fuzz-replay */
  unsigned transports; /* --transport, CT_TR_* */
  unsigned eio_mask, parser_mask;      /* --eio (1: v4, 2: v3), --parser (1: json, 2: msgpack);
                                          0 = unset; resolved into cfg.protocols */
  char *prefixes[CT_CLI_MAX_PREFIXES]; /* -c selectors (borrowed from argv) */
  int np;                              /* how many */
  char *skips[CT_CLI_MAX_PREFIXES];    /* --skip selectors (borrowed from argv) */
  int ns;                              /* how many */
  const char *junit, *json, *html;     /* report files, or NULL */
  const char *sioref;                  /* --sioref BIN, or NULL */
  const char *known_file;              /* --known-deviations; NULL: the default */
  int no_known;                        /* --no-known-deviations */
  const char *known_server;            /* --deviations-server; NULL: every entry */
  const char *path_opt;                /* --path; NULL: the URL's, else /socket.io/ */
  const char *url;                     /* the positional URL, or NULL (start sioref) */
  const char *ca_file;                 /* --ca FILE (TLS), or NULL */
  int insecure;                        /* --insecure (TLS): accept any certificate */
  ct_url url_parts;                    /* the URL parsed */
  char sio_path[CT_URL_PATH_MAX];      /* the Socket.IO path in use */
} ct_cli;

/* The defaults: every option unset, vectors from $SIOCONFORM_VECTORS or the build's. */
void ct_cli_defaults(ct_cli *o);

/* Parse ARGC/ARGV into O (after ct_cli_defaults). Returns CT_CLI_RUN to go on, or the
 * exit status: 0 after --help or --list-ops (printed), 2 for a usage error (one line
 * on stderr, or the usage text). */
int ct_cli_parse(ct_cli *o, int argc, char **argv);
/* The options alone (no target): CT_CLI_RUN with optind at the first non-option (after a
 * "--"), or the exit status as for ct_cli_parse. `sioconform client` parses with it. */
int ct_cli_parse_options(ct_cli *o, int argc, char **argv);
/* The options of O that only a server run uses (a target to start, reach or probe, the
 * live fuzzer): the first one set, by name, or NULL. */
const char *ct_cli_server_only(const ct_cli *o);

#endif
