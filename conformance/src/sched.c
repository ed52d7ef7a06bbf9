/* The plan and the scheduler (ct_sched.h): every selected (case, transport) planned once,
 * in list order, then run on --jobs threads: exclusive runs alone and first, the others
 * heartbeat-bound first, the two transports of an app case never at once; a run that
 * did not pass triggers a bounded liveness check, and a server found gone stops the
 * schedule. */
#include "ct_sched.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_discover.h"
#include "ct_match.h"
#include "ct_report_live.h"
#include "ct_run.h"
#include "ct_report_console.h"

/* Does one of the NP selectors PREFIXES (an id prefix, or "id@transport") name run (C, TR)? */
static int matches(const ct_case *c, unsigned tr, unsigned proto, char *const *prefixes, int np) {
  const char *tn = tr == CT_TR_POLLING ? "polling" : "websocket";
  for (int i = 0; i < np; i++) {
    const char *p = prefixes[i];
    const char *at = strchr(p, '@');
    if (at) {
      size_t l = (size_t)(at - p), tl = strlen(tn);
      /* "@polling" names the transport under every protocol, "@polling/eio3" one run */
      const char *rest = at + 1 + tl;
      if (strlen(c->id) == l && strncmp(c->id, p, l) == 0 && strncmp(at + 1, tn, tl) == 0 &&
          (!*rest || (*rest == '/' && ct_proto_parse(rest + 1) == proto) ||
           (proto == CT_P_EIO4 && strcmp(rest, "/eio4") == 0)))
        return 1;
    } else if (strncmp(c->id, p, strlen(p)) == 0) {
      return 1;
    }
  }
  return 0;
}

size_t ct_plan_build(ct_plan *p, const ct_cases *cs, unsigned transports, char *const *prefixes,
                     int np, char *const *skips, int ns) {
  return ct_plan_build_protos(p, cs, transports, CT_P_EIO4, prefixes, np, skips, ns);
}

size_t ct_plan_build_protos(ct_plan *p, const ct_cases *cs, unsigned transports, unsigned protos,
                            char *const *prefixes, int np, char *const *skips, int ns) {
  memset(p, 0, sizeof *p);
  p->items = ct_xmalloc((cs->n ? 6 * cs->n : 1) * sizeof *p->items);
  p->ncases = cs->n;
  for (size_t i = 0; i < cs->n; i++)
    for (unsigned pr = CT_P_EIO4; pr <= CT_P_MSGPACK; pr <<= 1)
      for (unsigned t = 1; t <= 2; t++) {
        const ct_case *c = &cs->v[i];
        if ((c->protocols & pr) && (protos & pr) && (c->transports & t) && (transports & t) &&
            (np == 0 || matches(c, t, pr, prefixes, np)) &&
            !(ns > 0 && matches(c, t, pr, skips, ns)))
          p->items[p->n++] = (ct_plan_item){c, t, pr, i, CT_RUN_PENDING};
      }
  return p->n;
}

void ct_plan_free(ct_plan *p) {
  free(p->items);
  memset(p, 0, sizeof *p);
}

/* How long a case may wait, roughly, in ms: the sum of its waits with the server's
 * timings. Only the order matters (the heartbeat-bound runs start first). */
static long case_weight(const ct_case *c, const ct_config *cfg) {
  if (!c->steps) return 0;
  cJSON *vars = cJSON_CreateObject();
  long pi = cfg->tgt.ping_interval > 0 ? cfg->tgt.ping_interval : 25000;
  long pt = cfg->tgt.ping_timeout > 0 ? cfg->tgt.ping_timeout : 20000;
  long mp = cfg->tgt.max_payload > 0 ? cfg->tgt.max_payload : 1000000;
  cJSON_AddNumberToObject(vars, "pingInterval", (double)pi);
  cJSON_AddNumberToObject(vars, "pingTimeout", (double)pt);
  cJSON_AddNumberToObject(vars, "maxPayload", (double)mp);
  long w = 0;
  const cJSON *s;
  cJSON_ArrayForEach(s, c->steps) {
    /* sleeps and close deadlines count; an expect's timeout is only a bound, unless it
     * is heartbeat-bound (then it is also the wait) */
    static const char *const keys[] = {"ms", "within", "timeout"};
    for (int k = 0; k < 3; k++) {
      const cJSON *v = cJSON_GetObjectItem(s, keys[k]);
      long x = 0;
      if (cJSON_IsString(v) && strstr(v->valuestring, "ping"))
        ct_eval(v->valuestring, vars, &x);
      else if (cJSON_IsNumber(v) && k < 2)
        x = (long)v->valuedouble;
      w += x > 0 ? x : 0;
    }
  }
  cJSON_Delete(vars);
  return w;
}

typedef struct weighted {
  size_t i;
  long w;
} weighted;

static int by_weight(const void *a, const void *b) {
  const weighted *x = a, *y = b;
  if (x->w != y->w) return x->w > y->w ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* --jobs 1: the plan order, as always. Otherwise the exclusive runs first (alone, in
 * plan order), then the rest, longest first. */
static void sched_order(ct_sched *sc) {
  sc->order = ct_xmalloc((sc->plan->n ? sc->plan->n : 1) * sizeof *sc->order);
  if (sc->cfg->jobs <= 1) {
    for (size_t i = 0; i < sc->plan->n; i++) sc->order[i] = i;
    return;
  }
  weighted *w = ct_xmalloc((sc->plan->n ? sc->plan->n : 1) * sizeof *w);
  long *cw = ct_xmalloc((sc->plan->ncases ? sc->plan->ncases : 1) * sizeof *cw);
  for (size_t i = 0; i < sc->plan->ncases; i++) cw[i] = -1;
  for (size_t i = 0; i < sc->plan->n; i++) {
    ct_plan_item *it = &sc->plan->items[i];
    if (cw[it->ci] < 0) cw[it->ci] = case_weight(it->c, sc->cfg);
    /* exclusive runs go first: a huge weight keeps them in front, in plan order */
    w[i] = (weighted){i, it->c->exclusive ? 0x7fffffffL : cw[it->ci]};
  }
  qsort(w, sc->plan->n, sizeof *w, by_weight);
  for (size_t i = 0; i < sc->plan->n; i++) sc->order[i] = w[i].i;
  free(w);
  free(cw);
}

/* Under the lock: the next run that may start now, or -1 (none yet: wait), or -2 (none
 * left). */
static long sched_pick(ct_sched *sc) {
  if (sc->stop || *sc->interrupted) return -2;
  if (sc->exclusive_running) return -1;
  int left = 0;
  for (size_t k = 0; k < sc->plan->n; k++) {
    size_t i = sc->order[k];
    ct_plan_item *it = &sc->plan->items[i];
    if (it->state != CT_RUN_PENDING) continue;
    left = 1;
    if (it->c->exclusive) {
      /* an exclusive run starts on an idle harness, and nothing passes it */
      return sc->running == 0 ? (long)i : -1;
    }
    /* the app's shared names (rooms "ct-r1"...) would meet between the two transports of
     * one case: app cases run one transport at a time */
    if (it->c->needs == CT_NEED_APP && sc->busy[it->ci]) continue;
    return (long)i;
  }
  return left ? -1 : -2;
}

/* A run did not pass: is the server still there? Bounded: two handshakes. */
static int server_gone(ct_sched *sc, char *why, size_t len) {
  const ct_config *cfg = sc->cfg;
  int t = (int)(3000 * cfg->tscale);
  if (ct_target_alive(cfg, t, why, len)) return 0;
  ct_sleep_ms(500);
  return !ct_target_alive(cfg, 2 * t, why, len);
}

static void sched_one(ct_sched *sc, size_t i) {
  ct_plan_item *it = &sc->plan->items[i];
  ct_run *r = &sc->runs[i];
  if (sc->cfg->verbose && sc->cfg->jobs <= 1)
    fprintf(stderr, "--- %s@%s%s\n", it->c->id, it->tr == CT_TR_POLLING ? "polling" : "websocket",
            ct_proto_suffix(it->proto));
  ct_run_case_proto(r, it->c, sc->cfg, it->tr, it->proto);
  char why[300] = "";
  /* connection errors make a run fail: one that did not pass triggers a liveness check */
  int gone = r->verdict != CT_V_PASS && r->verdict != CT_V_SKIP && sc->cfg->tgt.discovered &&
             server_gone(sc, why, sizeof why);
  pthread_mutex_lock(&sc->mu);
  sc->running--;
  if (it->c->exclusive) sc->exclusive_running = 0;
  sc->busy[it->ci] = 0;
  it->state = CT_RUN_DONE;
  /* a run that ends after the server was found gone failed because of that: drop it */
  if (!sc->stop || gone) {
    it->state = CT_RUN_REPORTED;
    if (sc->cfg->verbose && sc->cfg->jobs > 1)
      fprintf(stderr, "--- %s\n%s", r->run_id, r->log.data ? (char *)r->log.data : "");
    ct_deviations_annotate(sc->known, r, 1); /* for the console line's link */
    ct_report_console_line(stdout, r);
    fflush(stdout);
    ct_live_add(sc->live, i, r);
  }
  if (gone && !sc->stop) {
    sc->stop = 1;
    snprintf(sc->gone, sizeof sc->gone, "%s %s, last run %s", sc->target, why, r->run_id);
  }
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
}

static void *sched_worker(void *arg) {
  ct_sched *sc = arg;
  pthread_mutex_lock(&sc->mu);
  for (;;) {
    long i = sched_pick(sc);
    if (i == -2) break;
    if (i == -1) {
      pthread_cond_wait(&sc->cv, &sc->mu);
      continue;
    }
    ct_plan_item *it = &sc->plan->items[i];
    it->state = CT_RUN_RUNNING;
    sc->running++;
    sc->busy[it->ci] = 1;
    if (it->c->exclusive) sc->exclusive_running = 1;
    pthread_mutex_unlock(&sc->mu);
    sched_one(sc, (size_t)i);
    pthread_mutex_lock(&sc->mu);
  }
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
  return NULL;
}

/* Runs share only what this lock guards and the read-only cfg/cases. Known benign race:
 * cJSON (1.7.x) writes its global error position on every parse (reset, then set on a
 * failure) from any run's thread; the harness never reads it (no cJSON_GetErrorPtr).
 * TSan does not see it because the system libcjson is not instrumented. */
void ct_sched_run(ct_sched *sc) {
  sc->runs = ct_xmalloc((sc->plan->n ? sc->plan->n : 1) * sizeof *sc->runs);
  memset(sc->runs, 0, (sc->plan->n ? sc->plan->n : 1) * sizeof *sc->runs);
  sc->busy = ct_xmalloc(sc->plan->ncases ? sc->plan->ncases : 1);
  memset(sc->busy, 0, sc->plan->ncases ? sc->plan->ncases : 1);
  sched_order(sc);
  pthread_mutex_init(&sc->mu, NULL);
  pthread_cond_init(&sc->cv, NULL);
  int nt = sc->cfg->jobs;
  if ((size_t)nt > sc->plan->n) nt = (int)sc->plan->n;
  if (nt <= 1) {
    sched_worker(sc); /* --jobs 1: this thread, one run after another, as always */
  } else {
    pthread_t th[CT_MAX_JOBS];
    int started = 0;
    /* the workers block SIGINT/SIGTERM (inherited mask): the signal lands on this
     * thread, in pthread_join, and cannot cut a run's I/O short with EINTR */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (int k = 0; k < nt; k++)
      if (pthread_create(&th[started], NULL, sched_worker, sc) == 0) started++;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started == 0) sched_worker(sc);
    for (int k = 0; k < started; k++) pthread_join(th[k], NULL);
  }
  pthread_cond_destroy(&sc->cv);
  pthread_mutex_destroy(&sc->mu);
  free(sc->order);
  free(sc->busy);
}
