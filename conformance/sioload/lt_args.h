/* sioload's command line: the options (README) and the loopback-only target URL. */
#ifndef SIOLOAD_LT_ARGS_H
#define SIOLOAD_LT_ARGS_H

#include <netinet/in.h>
#include <stddef.h>

#include "lt_run.h"

/* Parse ARGV into O (defaults first). 0, or -1 after printing the usage on stderr.
 * -h prints the usage on stdout and exits 0. */
int lt_args_parse(int argc, char **argv, lt_options *o);

/* Read URL (http:// or ws://, host:port, optional path) into SA and PATH (normalised to
 * end in '/', default "/socket.io/"). 0, -1 malformed, -2 not a loopback address: this
 * tool must never load another machine. */
int lt_args_url(const char *url, struct sockaddr_in *sa, char *path, size_t cap);

#endif
