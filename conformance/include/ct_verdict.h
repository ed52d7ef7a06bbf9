/* Verdicts and the run record (verdict.c): exactly one verdict per case-run, a failed
 * expectation graded by the case's level (MUST -> FAIL, SHOULD -> NON-STRICT, MAY ->
 * INFO), a failed preamble BLOCKED by its root case, and the run's wire transcript. A
 * leaf of the harness: it knows the case model and nothing above (no client, no steps). */
#ifndef CT_VERDICT_H
#define CT_VERDICT_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "ct_case.h"
#include "ct_util.h"

typedef enum ct_verdict {
  CT_V_NONE = 0,
  CT_V_PASS,
  CT_V_FAIL,
  CT_V_NONSTRICT,
  CT_V_INFO,
  CT_V_SKIP,
  CT_V_BLOCKED, /* a preamble (handshake, CONNECT, greeting) failed: the run could not check
                 * its own rule; it names the root case that grades the preamble */
} ct_verdict;

const char *ct_verdict_name(ct_verdict v);

/* A run's connections are the client's (ct.h); the run only holds them. */
typedef struct ct_conn ct_conn;
#define CT_MAX_CONNS 16

struct ct_run {
  const ct_case *c;
  const ct_config *cfg;
  unsigned transport;
  unsigned proto; /* CT_P_*: the protocol this run speaks (0 is read as CT_P_EIO4) */
  char *run_id;   /* owned: id@transport, plus /eio3 or /msgpack (ct_proto_suffix) */
  ct_verdict verdict;
  int nverdicts;
  char *reason;     /* owned */
  char *expected;   /* owned, may be NULL */
  char *actual;     /* owned, may be NULL */
  char *blocked_by; /* owned: the root run id for CT_V_BLOCKED, else NULL */
  char *deviation;  /* owned: id of the known-deviations entry whose cause matches this
                     * non-PASS run (e.g. "N-3"), else NULL */
  ct_buf log;       /* wire transcript */
  int64_t t0;
  double ms;
  ct_conn *conns[CT_MAX_CONNS];
  int nconns;
  cJSON *vars;     /* object: name -> string or number */
  int open_graded; /* 1 while a step runs that checks the handshake/CONNECT/greeting itself:
                    * a failure there is graded, not BLOCKED (steps.c sets it; 0 = preamble) */
};

/* ---- verdicts (exactly one per run; a second one is recorded in the log and ignored) */
void ct_pass(ct_run *r);
/* A failed expectation: the level decides FAIL / NON-STRICT / INFO. EXPECTED and
 * ACTUAL are copied (may be NULL). */
void ct_fail(ct_run *r, const char *expected, const char *actual, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ct_skip(ct_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ct_info(ct_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A preamble failed: record CT_V_BLOCKED naming ROOT, the run id of the case that grades
 * that preamble (e.g. "sio.connect.main-answer@polling"). Never PASS/INFO/NON-STRICT,
 * whatever the case's level. */
void ct_blocked(ct_run *r, const char *root, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ct_log(ct_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Scale a harness wait by --timeout-scale. */
int ct_ms(const ct_run *r, long ms);

/* A preamble failed. When R's case is ROOT_CASE itself, or R->open_graded is set, this is
 * the run's own failure (ct_fail, by level); otherwise R is BLOCKED by ROOT_CASE@TRANSPORT
 * with the reason (and ACTUAL) named. EXPECTED/ACTUAL may be NULL. */
void ct_preamble_fail(ct_run *r, const char *root_case, unsigned transport, const char *expected,
                      const char *actual, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Free what R owns (strings, transcript, variables; its connections are torn down by
 * the client first, ct_conns_teardown). */
void ct_run_free(ct_run *r);

#endif
