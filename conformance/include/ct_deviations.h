/* Known deviations matched by cause: load conformance/known-deviations.json (format 2)
 * and link every finished non-PASS run whose *cause* matches an entry to that entry
 * (r->deviation). The cause grammar is written once, in conformance/known-deviations.md
 * ("Cause grammar"); conformance/test/check-deviations.py implements the same rule and
 * both are tested on conformance/test/deviations-fixture/. */
#ifndef CT_DEVIATIONS_H
#define CT_DEVIATIONS_H

#include <regex.h>
#include <stddef.h>

#include "ct_client.h"

/* One cause: every field that is present must hold (a conjunction). */
typedef struct ct_cause {
  char **tags; /* any of: the case checks at least one of these spec tags */
  size_t ntags;
  unsigned verdicts; /* bit (1u << ct_verdict) per allowed verdict; 0 = any but PASS */
  char **steps;      /* any of: the failing step's kind ("" = no "step N (kind): " prefix) */
  size_t nsteps;
  regex_t re[3]; /* reason, expected, actual (CT_CAUSE_REASON...) */
  int has_re[3];
  char **cases; /* any of: fnmatch patterns over the run id; none = every run */
  size_t ncases;
  int upstream; /* 1: only invalid-vector cases whose vector has an "upstream" mark */
} ct_cause;

enum { CT_CAUSE_REASON = 0, CT_CAUSE_EXPECTED = 1, CT_CAUSE_ACTUAL = 2 };

typedef struct ct_deviation {
  char *ref;   /* "N-3", the section of known-deviations.md */
  char *title; /* one line */
  int flaky;
  ct_cause *causes; /* any of */
  size_t ncauses;
} ct_deviation;

typedef struct ct_known {
  ct_deviation *v;
  size_t n;
  char **upstream_ids; /* case ids ("eio.invalid.x") whose vector carries an upstream mark */
  size_t nupstream;
} ct_known;

/* Load FILE into K (zeroed first), keeping the entries that list SERVER (NULL: every
 * entry, whatever its servers: sioconform does not know which server it checks).
 * VECTORS_DIR (may be NULL) is read for the upstream marks of vectors/{eio,sio}/
 * invalid.json; without it "upstream-vectors" causes match nothing. Returns 0, or -1
 * with a message in ERR (ERRLEN bytes) naming the entry when the file is unreadable,
 * not format 2, or an entry or cause breaks the grammar (a cause without tags or without
 * any of reason/expected/actual, a pattern outside the portable subset, an unknown key).
 * On -1, K is left empty. Free with ct_deviations_free. */
int ct_deviations_load(ct_known *k, const char *file, const char *vectors_dir, const char *server,
                       char *err, size_t errlen);
void ct_deviations_free(ct_known *k);

/* Is PATTERN inside the portable regular-expression subset of the grammar (POSIX ERE
 * that Python's re reads the same way)? 1 yes; 0 no, with the reason in ERR. */
int ct_deviations_re_portable(const char *pattern, char *err, size_t errlen);

/* The entry of K whose cause explains R (a finished run), the first in file order; NULL
 * for PASS, unfinished runs and runs no cause explains. */
const ct_deviation *ct_deviations_match(const ct_known *k, const ct_run *r);

/* Set R[i].deviation (owned copy of the entry's ref) for every run that an entry
 * explains, and clear it for the others. K is remembered for ct_deviations_title (the
 * report writers print the title); K must outlive the reports. Returns how many runs were
 * linked. */
size_t ct_deviations_annotate(const ct_known *k, ct_run *r, size_t n);

/* Title of the entry REF in the set last passed to ct_deviations_annotate, or NULL. */
const char *ct_deviations_title(const char *ref);

/* The failing step's kind in REASON ("step 3 (expect_close): ..." -> "expect_close"),
 * copied into OUT (LEN bytes); "" when the reason has no such prefix. */
void ct_deviations_step_kind(const char *reason, char *out, size_t len);

#endif
