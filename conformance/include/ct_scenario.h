/* The scenario step language: loading (scenario.c) and the pure helpers the
 * executor (steps.c) uses, exposed so unit tests can drive them without a server. */
#ifndef CT_SCENARIO_H
#define CT_SCENARIO_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "ct.h"

/* Parse scenario file TEXT (named SOURCE in messages) and append its cases to CS.
 * Returns the number of cases added, or -1 with ERR filled (nothing is half-added
 * for the failing case; earlier cases of the file stay). */
int ct_scenarios_parse(ct_cases *cs, const char *text, const char *source, char *err,
                       size_t errlen);
int ct_step_op_known(const char *op);

/* The largest "count" of a "repeat" step: a flood is written once, never unbounded. */
#define CT_REPEAT_MAX 2000

/* Replace ${name} in IN by VARS[name] (strings as is, numbers as integers).
 * Returns a new string (caller frees), or NULL when a variable is unknown (then
 * MISSING, if not NULL, receives a copy of the name, caller frees). */
char *ct_subst(const char *in, const cJSON *vars, char **missing);

/* Evaluate an integer expression of decimal numbers joined by + - * (left to right,
 * * before + and -), after substitution. Returns 0 and sets OUT, or -1. */
int ct_eval(const char *expr, const cJSON *vars, long *out);

/* The wait a step's field K gives (a number or an expression over VARS; DEF when the
 * field is absent), in milliseconds under --timeout-scale SCALE (<= 0 means 1). A
 * harness-side wait is multiplied by SCALE. A wait whose expression names the server's
 * announced timings (${pingInterval}, ${pingTimeout}) is never shrunk below its value:
 * as a bound (SPAN 0: timeout, within) SCALE > 1 still stretches it, as a measured span
 * (SPAN 1: sleep, expect_none) it stays exactly the value. Returns 0 and sets OUT, or -1
 * when the field is neither a number nor a valid expression. */
int ct_step_wait(const cJSON *step, const char *k, long def, const cJSON *vars, double scale,
                 int span, long *out);

/* Does ACTUAL match the pattern EXPECTED? Objects match when every expected key
 * matches (extra actual keys allowed unless EXACT); arrays need equal length; the
 * strings "$any", "$string", "$number", "$object", "$array" match by type. */
int ct_json_match(const cJSON *expected, const cJSON *actual, int exact);

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

#endif
