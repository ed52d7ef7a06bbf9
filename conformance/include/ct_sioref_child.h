/* The built-in target (sioref_child.c): find the sioref binary, start it on a free
 * loopback port with the contract timings, stop it. */
#ifndef CT_SIOREF_CHILD_H
#define CT_SIOREF_CHILD_H

#include <sys/types.h>

#include "ct_client.h"

/* The binary: OPT (--sioref), else $SIOCONFORM_SIOREF, else ref/sioref beside our own
 * build directory, else the build tree's. NULL when none is executable. */
const char *ct_sioref_find(const char *opt);

/* Start BIN on 127.0.0.1 with a free port and read its "listening on" line into CFG's
 * host and port. Returns the child's pid, or -1 (nothing left running). */
pid_t ct_sioref_start(const char *bin, ct_config *cfg);

/* SIGTERM the child and reap it; nothing for PID <= 0. */
void ct_sioref_stop(pid_t pid);

#endif
