/* Security-pack statistics and timings (steps_sec.c): the session-id screen and the ops
 * sid_sample, stopwatch and time_ratio. */
#ifndef CT_STEPS_SEC_H
#define CT_STEPS_SEC_H

#include <stddef.h>

/* Sanity statistics over a sample of session ids (security pack, EIO-HS-4), computed by
 * the "sid_sample" step. A cheap screen, not a randomness test: it catches counters,
 * timestamps and short random parts, never proves unpredictability. */
typedef struct ct_sid_stats {
  int n;          /* sids in the sample */
  int duplicates; /* pairs of equal sids (after sorting: equal neighbours) */
  size_t min_len, max_len;
  size_t longest_shared_prefix;    /* longest common prefix of any two distinct sids */
  size_t min_consecutive_distance; /* fewest differing positions between sid i and i+1 */
  double entropy_bits;             /* sum over positions of the empirical per-position entropy */
} ct_sid_stats;

/* Compute OUT over the N strings SIDS (not modified; borrowed). N >= 2. The entropy is
 * an estimate from the per-position character distribution: an upper bound for
 * independent positions, and biased low by about (k-1)/(2 N ln 2) bits per position
 * with k distinct characters. Returns 0, or -1 when N < 2. */
int ct_sid_stats_compute(const char *const *sids, int n, ct_sid_stats *out);

/* Ops (dispatched through the op table, ops.c; struct step_ctx is private to the step
 * interpreter, steps.h). */
struct step_ctx;
void op_sid_sample(struct step_ctx *x);
void op_stopwatch(struct step_ctx *x);
void op_time_ratio(struct step_ctx *x);

#endif
