/* Security-pack statistics and timings (conformance/SECURITY.md): the session-id sample
 * ("sid_sample", EIO-HS-4: distinct, well-formed, and a cheap entropy/distance screen)
 * and the stopwatch/time_ratio pair that judges a pathological input against a
 * same-size baseline. */
#include "ct_steps_sec.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "step_ctx.h"

/* log2(x) for x > 0 without libm: scale into [1, 2), then ln y = 2 atanh((y-1)/(y+1)). */
static double log2_approx(double x) {
  int e = 0;
  while (x >= 2.0) {
    x /= 2.0;
    e++;
  }
  while (x < 1.0) {
    x *= 2.0;
    e--;
  }
  double t = (x - 1.0) / (x + 1.0), t2 = t * t, term = t, sum = 0.0;
  for (int k = 1; k < 40; k += 2) {
    sum += term / k;
    term *= t2;
  }
  return e + 2.0 * sum / 0.69314718055994530942;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ct_sid_stats_compute(const char *const *sids, int n, ct_sid_stats *out) {
  memset(out, 0, sizeof *out);
  if (n < 2) return -1;
  out->n = n;
  out->min_len = (size_t)-1;
  out->min_consecutive_distance = (size_t)-1;
  for (int i = 0; i < n; i++) {
    size_t l = strlen(sids[i]);
    if (l < out->min_len) out->min_len = l;
    if (l > out->max_len) out->max_len = l;
    if (i > 0) {
      /* consecutive ids: a counter or a clock changes few positions */
      size_t lp = strlen(sids[i - 1]), m = l < lp ? l : lp, d = (l > lp ? l - lp : lp - l);
      for (size_t k = 0; k < m; k++) d += sids[i][k] != sids[i - 1][k];
      if (d < out->min_consecutive_distance) out->min_consecutive_distance = d;
    }
  }
  /* per-position character distribution; positions past 128 add nothing a screen needs */
  size_t npos = out->max_len < 128 ? out->max_len : 128;
  for (size_t pos = 0; pos < npos; pos++) {
    int count[256] = {0}, have = 0;
    for (int i = 0; i < n; i++) {
      if (strlen(sids[i]) <= pos) continue;
      count[(unsigned char)sids[i][pos]]++;
      have++;
    }
    for (int c = 0; c < 256; c++) {
      if (!count[c]) continue;
      double p = (double)count[c] / have;
      out->entropy_bits -= p * log2_approx(p);
    }
  }
  /* sorted neighbours give duplicates and the longest prefix any two ids share */
  const char **sorted = ct_xmalloc(sizeof *sorted * (size_t)n);
  memcpy(sorted, sids, sizeof *sorted * (size_t)n);
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_str);
  for (int i = 1; i < n; i++) {
    if (strcmp(sorted[i], sorted[i - 1]) == 0) {
      out->duplicates++;
      continue;
    }
    size_t k = 0;
    while (sorted[i][k] && sorted[i][k] == sorted[i - 1][k]) k++;
    if (k > out->longest_shared_prefix) out->longest_shared_prefix = k;
  }
  free(sorted);
  return 0;
}

/* One polling handshake on the case's path; returns the sid (caller frees) or NULL with
 * WHY filled. The session is closed at once with a close packet (EIO-CL-1) so a sample
 * of hundreds leaves nothing behind; the close answer is not judged here. */
static char *sample_one_sid(step_ctx *x, char *why, size_t whylen) {
  ct_run *r = x->r;
  const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(r->vars, "path"));
  char *target = ct_xasprintf("%s?EIO=4&transport=polling", path ? path : "/engine.io/");
  ct_http_req req = {.method = "GET", .target = target};
  ct_http_resp resp;
  char *sid = NULL;
  int rc = ct_http_do(r->cfg->host, r->cfg->port, &req, ct_ms(r, 3000), &resp);
  free(target);
  if (rc != 1) {
    snprintf(why, whylen, "handshake GET got no response (%d)", rc);
    return NULL;
  }
  cJSON *open = NULL;
  if (resp.status == 200 && resp.body.len > 1 && resp.body.data[0] == '0')
    open = cJSON_ParseWithLength((const char *)resp.body.data + 1, resp.body.len - 1);
  const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(open, "sid"));
  if (!s) {
    snprintf(why, whylen, "HTTP %d without an open packet holding a string sid", resp.status);
  } else {
    sid = ct_xstrdup(s);
    char *t = ct_xasprintf("%s?EIO=4&transport=polling&sid=%s", path ? path : "/engine.io/", s);
    ct_http_req close_req = {.method = "POST",
                             .target = t,
                             .headers = "Content-Type: text/plain;charset=UTF-8\r\n",
                             .body = (const unsigned char *)"1",
                             .body_len = 1};
    ct_http_resp cr;
    if (ct_http_do(r->cfg->host, r->cfg->port, &close_req, ct_ms(r, 3000), &cr) == 1)
      ct_http_resp_free(&cr);
    free(t);
  }
  cJSON_Delete(open);
  ct_http_resp_free(&resp);
  return sid;
}

/* "sid_sample": COUNT polling handshakes (each closed right away), every sid matching
 * MATCH and all distinct (EIO-HS-4); with "stats": true also the ct_sid_stats screen:
 * the estimated entropy at least "min_entropy_bits" (default 64) and consecutive sids
 * differing in at least a quarter of their positions (at least 4). Bounded by "within"
 * ms in total (default 15000, scaled). Figures are logged and saved as variables
 * sid_entropy_bits, sid_min_distance, sid_shared_prefix. */
void op_sid_sample(step_ctx *x) {
  long count, within, min_bits;
  if (snum(x, "count", 300, &count) || snum(x, "within", 15000, &within) ||
      snum(x, "min_entropy_bits", 64, &min_bits))
    return;
  if (count < 2 || count > 2000) {
    sfail(x, NULL, NULL, "count must be 2..2000");
    return;
  }
  int bad = 0;
  char *re = sstr(x, "match", &bad);
  if (bad) return;
  regex_t rx;
  if (re && regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
    sfail(x, NULL, NULL, "bad regular expression");
    free(re);
    return;
  }
  char **sids = ct_xmalloc(sizeof *sids * (size_t)count);
  int n = 0;
  int64_t t0 = ct_now_ms(), deadline = t0 + ct_ms(x->r, within);
  ct_log(x->r, "-> %ld polling handshakes, each closed at once", count);
  while (n < count) {
    char why[160];
    if (ct_now_ms() > deadline) {
      char a[64];
      snprintf(a, sizeof a, "%d handshakes", n);
      sfail(x, "the sample complete", a, "sid_sample: time bound of %ld ms reached", within);
      goto out;
    }
    char *sid = sample_one_sid(x, why, sizeof why);
    if (!sid) {
      sfail(x, "an open packet", why, "sid_sample: handshake %d failed", n + 1);
      goto out;
    }
    sids[n++] = sid;
    if (re && regexec(&rx, sid, 0, NULL, 0) != 0) {
      sfail(x, re, sid, "sid_sample: sid %d does not match", n);
      goto out;
    }
  }
  ct_sid_stats st;
  ct_sid_stats_compute((const char *const *)sids, n, &st);
  ct_log(x->r,
         "<- %d sids in %lld ms: %d duplicate(s), length %zu..%zu, estimated entropy %.1f bits, "
         "fewest differing positions between consecutive sids %zu, longest shared prefix %zu",
         n, (long long)(ct_now_ms() - t0), st.duplicates, st.min_len, st.max_len, st.entropy_bits,
         st.min_consecutive_distance, st.longest_shared_prefix);
  cJSON_DeleteItemFromObject(x->r->vars, "sid_entropy_bits");
  cJSON_AddNumberToObject(x->r->vars, "sid_entropy_bits", st.entropy_bits);
  cJSON_DeleteItemFromObject(x->r->vars, "sid_min_distance");
  cJSON_AddNumberToObject(x->r->vars, "sid_min_distance", (double)st.min_consecutive_distance);
  cJSON_DeleteItemFromObject(x->r->vars, "sid_shared_prefix");
  cJSON_AddNumberToObject(x->r->vars, "sid_shared_prefix", (double)st.longest_shared_prefix);
  /* EIO-HS-4: unique among live sessions and never reused */
  if (st.duplicates) {
    char a[64];
    snprintf(a, sizeof a, "%d duplicate(s) in %d", st.duplicates, n);
    sfail(x, "all sids distinct", a, "sid_sample: a sid was handed out twice");
    goto out;
  }
  if (cJSON_IsTrue(cJSON_GetObjectItem(x->s, "stats"))) {
    size_t need = st.min_len / 4 > 4 ? st.min_len / 4 : 4;
    char e[96], a[96];
    if (st.entropy_bits < (double)min_bits) {
      snprintf(e, sizeof e, ">= %ld bits", min_bits);
      snprintf(a, sizeof a, "%.1f bits over %d sids", st.entropy_bits, n);
      sfail(x, e, a, "sid_sample: per-position character distribution too narrow");
    } else if (st.min_consecutive_distance < need) {
      snprintf(e, sizeof e, ">= %zu differing positions", need);
      snprintf(a, sizeof a, "%zu", st.min_consecutive_distance);
      sfail(x, e, a, "sid_sample: two consecutive sids are nearly equal (a counter or clock?)");
    }
  }
out:
  for (int i = 0; i < n; i++) free(sids[i]);
  free(sids);
  if (re) regfree(&rx);
  free(re);
}

/* "stopwatch": "action": "start" stores the monotonic clock in VAR; "stop" replaces it
 * by the milliseconds elapsed since the start (a number variable). */
void op_stopwatch(step_ctx *x) {
  const char *var = sget(x, "var");
  const char *action = sget(x, "action");
  if (!var || !action) {
    sfail(x, NULL, NULL, "stopwatch needs var and action");
    return;
  }
  int64_t now = ct_now_ms();
  const cJSON *v = cJSON_GetObjectItem(x->r->vars, var);
  if (strcmp(action, "start") == 0) {
    cJSON_DeleteItemFromObject(x->r->vars, var);
    cJSON_AddNumberToObject(x->r->vars, var, (double)now);
  } else if (strcmp(action, "stop") == 0 && cJSON_IsNumber(v)) {
    double ms = (double)now - v->valuedouble;
    cJSON_DeleteItemFromObject(x->r->vars, var);
    cJSON_AddNumberToObject(x->r->vars, var, ms);
    ct_log(x->r, ".. stopwatch %s: %.0f ms", var, ms);
  } else {
    sfail(x, NULL, NULL,
          strcmp(action, "start") && strcmp(action, "stop")
              ? "stopwatch %s: action must be \"start\" or \"stop\""
              : "stopwatch %s was stopped before a step started it",
          var);
  }
}

/* "time_ratio": fails when VALUE ms exceeds both MAX_RATIO times BASELINE (at least 1 ms)
 * and FLOOR_MS (scaled by --timeout-scale), so noise on a busy machine never decides:
 * only a slowdown that is large in ratio and in absolute time does. */
void op_time_ratio(step_ctx *x) {
  long value, base, ratio, floor_ms;
  if (snum(x, "value", -1, &value) || snum(x, "baseline", -1, &base) ||
      snum(x, "max_ratio", 20, &ratio) || snum(x, "floor_ms", 1000, &floor_ms))
    return;
  if (value < 0 || base < 0) {
    sfail(x, NULL, NULL, "time_ratio needs value and baseline");
    return;
  }
  long b = base < 1 ? 1 : base, floor_scaled = ct_ms(x->r, floor_ms);
  ct_log(x->r, ".. time: %ld ms vs baseline %ld ms (ratio %.1f; bound %ldx and %ld ms)", value,
         base, (double)value / (double)b, ratio, (long)floor_scaled);
  if (value > ratio * b && value > floor_scaled) {
    char e[96], a[96];
    snprintf(e, sizeof e, "<= %ld x %ld ms or <= %ld ms", ratio, b, (long)floor_scaled);
    snprintf(a, sizeof a, "%ld ms (%.1fx)", value, (double)value / (double)b);
    sfail(x, e, a, "pathological input took far longer than the same-size baseline");
  }
}
