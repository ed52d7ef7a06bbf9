/* Live fuzzing of a server under test: a deterministic mutator over vector wire
 * forms, and a driver that sends mutated inputs inside real sessions and checks
 * after every batch that a fresh client is still served. */
#ifndef CT_FUZZ_LIVE_H
#define CT_FUZZ_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct_client.h"

/* The next value of a splitmix64 generator held in *ST (never fails). */
uint64_t ct_fz_next(uint64_t *st);

/* Mutate IN/LEN into OUT (reset first) with one to three operations chosen from *ST:
 * byte flip, truncation, duplication of a range, splicing with OTHER/OLEN, growth of
 * a digit run, separator insertion. Pure function of (*ST, IN, OTHER): the same
 * inputs give the same bytes. IN and OTHER are borrowed and only read inside their
 * bounds (either may be empty; pointers may be NULL when the length is 0). The result
 * is at most CT_FZ_MAX bytes. Returns a bit set of the operations applied. */
#define CT_FZ_MAX 65536
unsigned ct_fz_mutate(uint64_t *st, const unsigned char *in, size_t len, const unsigned char *other,
                      size_t olen, ct_buf *out);

/* One seed input: an Engine.IO-level payload, text or binary, for the Engine.IO
 * echo path (sio 0) or the Socket.IO path (sio 1, already framed as message "4..."). */
typedef struct ct_fz_seed {
  ct_buf data; /* owned */
  int binary;
  int sio;
} ct_fz_seed;

typedef struct ct_fz_corpus {
  ct_fz_seed *v;
  size_t n, cap;
} ct_fz_corpus;

/* Load the wire forms of VECTORS_DIR/eio/ *.json and VECTORS_DIR/sio/ *.json into C
 * (caller frees with ct_fz_corpus_free). Returns 0, or -1 with ERR filled when no
 * file could be read or no seed was found. */
int ct_fz_corpus_load(ct_fz_corpus *c, const char *vectors_dir, char *err, size_t errlen);
void ct_fz_corpus_free(ct_fz_corpus *c);

typedef struct ct_fuzz_opts {
  long n;             /* inputs to send */
  uint64_t seed;      /* generator seed */
  const char *out;    /* reproducer directory (default reports/fuzz-live) */
  pid_t child;        /* the server we started (checked for a crash), or -1 */
  const char *replay; /* a reproducer directory to send again (--fuzz-replay), or NULL */
} ct_fuzz_opts;

/* Run the live fuzzer against CFG's loopback server. Every pointer is borrowed.
 * Returns the exit status: 0 liveness held (summary printed to stdout), 1 liveness
 * lost (reproducer written to O->out), 2 usage or setup error (non-loopback target,
 * no vectors, server not answering before the first input). */
int ct_fuzz_run(const ct_config *cfg, const ct_fuzz_opts *o);

/* Send the inputs of the reproducer O->replay (its batch.json and input files, as
 * ct_fuzz_run writes them) to CFG's loopback server again, in order and in the same
 * way, then check liveness on both transports. Every pointer is borrowed. Returns 0
 * liveness held, 1 liveness lost, 2 usage or setup error (unreadable or malformed
 * reproducer, non-loopback target, server not answering before the first input). */
int ct_fuzz_replay(const ct_config *cfg, const ct_fuzz_opts *o);

#endif
