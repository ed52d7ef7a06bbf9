/* Case registry, verdict recording and the per-run lifecycle. Enforces the harness
 * rule that every case-run ends with exactly one verdict (none = FAIL "no verdict"),
 * and maps a failed expectation to the case's level: MUST -> FAIL, SHOULD ->
 * NON-STRICT, MAY -> INFO. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "ct_discover.h"

ct_case *ct_cases_add(ct_cases *cs, const char *id, const char *title, const char *tags,
                      ct_level level, unsigned transports, int sio, const char *requires) {
  if (cs->n == cs->cap) {
    cs->cap = cs->cap ? cs->cap * 2 : 64;
    cs->v = ct_xrealloc(cs->v, cs->cap * sizeof *cs->v);
  }
  ct_case *c = &cs->v[cs->n++];
  memset(c, 0, sizeof *c);
  c->id = ct_xstrdup(id);
  c->title = ct_xstrdup(title ? title : "");
  c->tags = ct_xstrdup(tags ? tags : "");
  c->level = level;
  c->transports = transports;
  c->sio = sio;
  c->requires = requires ? ct_xstrdup(requires) : NULL;
  return c;
}

int ct_case_is_sec(const ct_case *c) { return c && c->id && strncmp(c->id, "sec.", 4) == 0; }

int ct_severity_valid(const char *s) {
  static const char *const ok[] = {"low", "medium", "high", "critical"};
  for (size_t i = 0; s && i < sizeof ok / sizeof *ok; i++)
    if (strcmp(s, ok[i]) == 0) return 1;
  return 0;
}

void ct_cases_free(ct_cases *cs) {
  for (size_t i = 0; i < cs->n; i++) {
    ct_case *c = &cs->v[i];
    free(c->id);
    free(c->title);
    free(c->tags);
    free(c->requires);
    free(c->source);
    free(c->severity);
    cJSON_Delete(c->steps);
  }
  free(cs->v);
  memset(cs, 0, sizeof *cs);
}

const char *ct_level_name(ct_level l) {
  return l == CT_MUST ? "MUST" : l == CT_SHOULD ? "SHOULD" : "MAY";
}

int ct_level_parse(const char *s, ct_level *out) {
  if (!s) return -1;
  if (strcmp(s, "MUST") == 0)
    *out = CT_MUST;
  else if (strcmp(s, "SHOULD") == 0)
    *out = CT_SHOULD;
  else if (strcmp(s, "MAY") == 0)
    *out = CT_MAY;
  else
    return -1;
  return 0;
}

const char *ct_verdict_name(ct_verdict v) {
  switch (v) {
  case CT_V_PASS:
    return "PASS";
  case CT_V_FAIL:
    return "FAIL";
  case CT_V_NONSTRICT:
    return "NON-STRICT";
  case CT_V_INFO:
    return "INFO";
  case CT_V_SKIP:
    return "SKIP";
  case CT_V_BLOCKED:
    return "BLOCKED";
  default:
    return "NONE";
  }
}

void ct_log(ct_run *r, const char *fmt, ...) {
  ct_buf line = {0};
  ct_buf_printf(&line, "%6.0f ", (double)(ct_now_ms() - r->t0));
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&line, fmt, ap);
  va_end(ap);
  ct_buf_adds(&line, "\n");
  char *clean = ct_utf8_sanitize(line.data, line.len);
  /* a transcript is for reading: cap it so a flood cannot eat memory */
  if (r->log.len < 256 * 1024) ct_buf_adds(&r->log, clean);
  /* -v: live only when runs go one at a time; with --jobs the finished transcript is
   * printed whole (main.c), so runs never interleave */
  if (r->cfg && r->cfg->verbose && r->cfg->jobs <= 1) fprintf(stderr, "    %s", clean);
  free(clean);
  ct_buf_free(&line);
}

int ct_ms(const ct_run *r, long ms) {
  double s = r->cfg && r->cfg->tscale > 0 ? r->cfg->tscale : 1.0;
  return (int)(ms * s);
}

static int verdict_once(ct_run *r, ct_verdict v, const char *reason) {
  r->nverdicts++;
  if (r->nverdicts > 1) {
    ct_log(r, "!! second verdict %s ignored (%s)", ct_verdict_name(v), reason ? reason : "");
    return 0;
  }
  r->verdict = v;
  free(r->reason);
  r->reason =
      ct_utf8_sanitize((const unsigned char *)(reason ? reason : ""), reason ? strlen(reason) : 0);
  return 1;
}

void ct_pass(ct_run *r) { verdict_once(r, CT_V_PASS, ""); }

void ct_fail(ct_run *r, const char *expected, const char *actual, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  ct_verdict v = r->c->level == CT_MUST     ? CT_V_FAIL
                 : r->c->level == CT_SHOULD ? CT_V_NONSTRICT
                                            : CT_V_INFO;
  ct_log(r, "-- %s: %s", ct_verdict_name(v), (char *)b.data);
  if (verdict_once(r, v, (char *)b.data)) {
    free(r->expected);
    free(r->actual);
    r->expected =
        expected ? ct_utf8_sanitize((const unsigned char *)expected, strlen(expected)) : NULL;
    r->actual = actual ? ct_utf8_sanitize((const unsigned char *)actual, strlen(actual)) : NULL;
  }
  ct_buf_free(&b);
}

void ct_skip(ct_run *r, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  verdict_once(r, CT_V_SKIP, (char *)b.data);
  ct_buf_free(&b);
}

void ct_info(ct_run *r, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  verdict_once(r, CT_V_INFO, (char *)b.data);
  ct_buf_free(&b);
}

void ct_blocked(ct_run *r, const char *root, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  ct_log(r, "-- BLOCKED by %s: %s", root, (char *)b.data);
  if (verdict_once(r, CT_V_BLOCKED, (char *)b.data)) {
    free(r->blocked_by);
    r->blocked_by = ct_xstrdup(root);
  }
  ct_buf_free(&b);
}

static const char *const need_names[] = {"engine", "echo", "socketio", "app"};

const char *ct_need_name(ct_need n) {
  return (unsigned)n < sizeof need_names / sizeof *need_names ? need_names[n] : "?";
}

int ct_need_parse(const char *s, ct_need *out) {
  for (unsigned i = 0; s && i < sizeof need_names / sizeof *need_names; i++)
    if (strcmp(s, need_names[i]) == 0) {
      *out = (ct_need)i;
      return 0;
    }
  return -1;
}

void ct_run_case(ct_run *r, const ct_case *c, const ct_config *cfg, unsigned transport) {
  memset(r, 0, sizeof *r);
  r->c = c;
  r->cfg = cfg;
  r->transport = transport;
  r->run_id = ct_xasprintf("%s@%s", c->id, transport == CT_TR_POLLING ? "polling" : "websocket");
  r->vars = cJSON_CreateObject();
  r->t0 = ct_now_ms();
  char why[300];
  /* a missing need (discovery, an extension) is SKIP with its reason, never FAIL */
  if (!ct_need_met(cfg, c, transport, why, sizeof why)) {
    ct_skip(r, "%s", why);
  } else if (c->probe) {
    c->probe(r);
  } else if (c->steps) {
    ct_steps_run(r);
  }
  if (r->nverdicts == 0) {
    r->verdict = CT_V_FAIL;
    r->reason = ct_xstrdup("no verdict (harness defect: the case returned without one)");
  }
  for (int i = 0; i < r->nconns; i++) {
    ct_conn *k = r->conns[i];
    /* leave no half-open polling session behind to disturb the next case (it would
     * linger until its ping timeout and receive broadcasts) */
    if (k->transport == CT_TR_POLLING && k->sid[0] && !k->closed) {
      int st;
      ct_post(k, "1", 1, NULL, &st, NULL);
    }
    ct_conn_close(r->conns[i]);
    free(r->conns[i]);
    r->conns[i] = NULL;
  }
  r->nconns = 0;
  r->ms = (double)(ct_now_ms() - r->t0);
}

void ct_run_free(ct_run *r) {
  free(r->run_id);
  free(r->reason);
  free(r->expected);
  free(r->actual);
  free(r->blocked_by);
  free(r->deviation);
  ct_buf_free(&r->log);
  cJSON_Delete(r->vars);
  memset(r, 0, sizeof *r);
}
