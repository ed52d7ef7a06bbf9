/* The plan and the scheduler (sched.c). */
#ifndef CT_SCHED_H
#define CT_SCHED_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "ct_client.h"
#include "ct_deviations.h"

/* --jobs default: enough runs side by side that the heartbeat-bound cases (each waits
 * one or more pingInterval + pingTimeout) overlap, few enough for a 2-core machine */
#define CT_DEFAULT_JOBS 8
#define CT_MAX_JOBS     64

enum { CT_RUN_PENDING = 0, CT_RUN_RUNNING, CT_RUN_DONE, CT_RUN_REPORTED };

/* One planned case-run. */
typedef struct ct_plan_item {
  const ct_case *c;
  unsigned tr;
  unsigned proto; /* CT_P_*: the protocol of this run (issue 14) */
  size_t ci;      /* index of the case, for its busy flag */
  int state;      /* CT_RUN_* */
} ct_plan_item;

/* The selected runs, in list order (a case's polling run before its WebSocket run). */
typedef struct ct_plan {
  ct_plan_item *items;
  size_t n, ncases;
} ct_plan;

/* Plan every (case, transport) of CS that TRANSPORTS (CT_TR_*) and the NP selectors
 * PREFIXES (-c: an id prefix, or "id@transport" for one run; none: all) select and none
 * of the NS selectors SKIPS (--skip, same forms) names. Returns the number of runs
 * planned; free with ct_plan_free. */
size_t ct_plan_build(ct_plan *p, const ct_cases *cs, unsigned transports, char *const *prefixes,
                     int np, char *const *skips, int ns);
/* The same for the protocols PROTOS (CT_P_*, --eio / --parser): every case once per
 * protocol it applies to, in list order (a case's protocols in CT_P_* order, each with its
 * transports). A selector "id@transport/eio3" names one run; "id@transport" names the run
 * on that transport under every protocol. */
size_t ct_plan_build_protos(ct_plan *p, const ct_cases *cs, unsigned transports, unsigned protos,
                            char *const *prefixes, int np, char *const *skips, int ns);
void ct_plan_free(ct_plan *p);

typedef struct ct_sched {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ct_config *cfg;
  ct_plan *plan;
  ct_run *runs;        /* runs[i] belongs to plan->items[i] (owned; ct_sched_run allocates) */
  size_t *order;       /* the order runs start in */
  unsigned char *busy; /* per case: one of its runs is running */
  int running, exclusive_running;
  int stop; /* the server stopped answering: start nothing more */
  char gone[400];
  char target[300];
  const ct_known *known;              /* known deviations, linked on each console line */
  struct ct_live *live;               /* partial reports rewritten as runs finish (issue 16) */
  volatile sig_atomic_t *interrupted; /* set by a signal: start nothing more */
} ct_sched;

/* Run the plan on cfg->jobs threads (--jobs 1: this thread, in plan order), printing each
 * run's console line as it ends. Runs share only what SC's lock guards and the
 * read-only cfg/cases. */
void ct_sched_run(ct_sched *sc);

#endif
