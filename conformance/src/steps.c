/* Executor of the scenario step language (vectors/scenarios/README.md): runs a case's
 * steps in order on the run's connections and records exactly one verdict; the
 * first failed step decides it (through the case's level), and a case whose steps
 * all hold passes. Spec tags live in the scenario files, on the cases. */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct.h"
#include "ct_discover.h"
#include "ct_ops.h"
#include "ct_payload.h"
#include "ct_scenario.h"
#include "ct_sio.h"
#include "steps_priv.h"

/* ---- pure helpers ---- */

char *ct_subst(const char *in, const cJSON *vars, char **missing) {
  ct_buf b = {0};
  const char *p = in;
  while (*p) {
    if (p[0] == '$' && p[1] == '{') {
      const char *end = strchr(p, '}');
      if (end) {
        char name[96];
        size_t n = (size_t)(end - p - 2);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, p + 2, n);
        name[n] = 0;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(vars, name);
        if (cJSON_IsString(v)) {
          ct_buf_adds(&b, v->valuestring);
        } else if (cJSON_IsNumber(v)) {
          ct_buf_printf(&b, "%.0f", v->valuedouble);
        } else {
          if (missing) *missing = ct_xstrdup(name);
          ct_buf_free(&b);
          return NULL;
        }
        p = end + 1;
        continue;
      }
    }
    ct_buf_add(&b, p, 1);
    p++;
  }
  return ct_buf_steal(&b);
}

int ct_eval(const char *expr, const cJSON *vars, long *out) {
  char *s = ct_subst(expr, vars, NULL);
  if (!s) return -1;
  long total = 0, term = 0;
  int sign = 1, have = 0;
  const char *p = s;
  for (;;) {
    while (*p == ' ') p++;
    if (!isdigit((unsigned char)*p)) break;
    long v = strtol(p, (char **)&p, 10);
    term = have == 2 ? term * v : v;
    have = 1;
    while (*p == ' ') p++;
    if (*p == '*') {
      have = 2;
      p++;
      continue;
    }
    total += sign * term;
    have = 0;
    if (*p == '+' || *p == '-') {
      sign = *p == '-' ? -1 : 1;
      p++;
      have = 3; /* an operand must follow */
      continue;
    }
    break;
  }
  int ok = *p == 0 && have == 0;
  free(s);
  if (!ok) return -1;
  *out = total;
  return 0;
}

int ct_json_match(const cJSON *e, const cJSON *a, int exact) {
  if (!e) return 1;
  if (!a) return 0;
  if (cJSON_IsString(e) && e->valuestring[0] == '$') {
    const char *t = e->valuestring;
    if (strcmp(t, "$any") == 0) return 1;
    if (strcmp(t, "$string") == 0) return cJSON_IsString(a);
    if (strcmp(t, "$number") == 0) return cJSON_IsNumber(a);
    if (strcmp(t, "$object") == 0) return cJSON_IsObject(a);
    if (strcmp(t, "$array") == 0) return cJSON_IsArray(a);
  }
  if (cJSON_IsObject(e)) {
    if (!cJSON_IsObject(a)) return 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, e) {
      if (!ct_json_match(k, cJSON_GetObjectItemCaseSensitive(a, k->string), exact)) return 0;
    }
    if (exact && cJSON_GetArraySize(a) != cJSON_GetArraySize(e)) return 0;
    return 1;
  }
  if (cJSON_IsArray(e)) {
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != cJSON_GetArraySize(e)) return 0;
    const cJSON *x = e->child, *y = a->child;
    for (; x && y; x = x->next, y = y->next)
      if (!ct_json_match(x, y, exact)) return 0;
    return 1;
  }
  return cJSON_Compare(e, a, 1);
}

int ct_step_wait(const cJSON *step, const char *k, long def, const cJSON *vars, double scale,
                 int span, long *out) {
  const cJSON *v = cJSON_GetObjectItem(step, k);
  long ms = def;
  int server = 0;
  if (cJSON_IsNumber(v)) {
    ms = (long)v->valuedouble;
  } else if (cJSON_IsString(v)) {
    if (ct_eval(v->valuestring, vars, &ms) != 0) return -1;
    server = strstr(v->valuestring, "${pingInterval}") || strstr(v->valuestring, "${pingTimeout}");
  } else if (v) {
    return -1;
  }
  if (scale <= 0) scale = 1.0;
  long scaled = (long)(ms * scale);
  /* A wait taken from the server's own announced timings is the server's clock, not
   * the harness's: shrinking it (scale < 1) would wait less than the server may take
   * (a ping awaited 250 ms against a 300 ms interval). A bound may still be stretched
   * for a slow harness; a measured span (sleep, expect_none) must stay as announced. */
  if (server) scaled = span ? ms : (scaled > ms ? scaled : ms);
  *out = scaled;
  return 0;
}

/* ---- executor ---- */

const char *sget(const step_ctx *x, const char *k) {
  return cJSON_GetStringValue(cJSON_GetObjectItem(x->s, k));
}

/* Fail the run for this step. */
void sfail(step_ctx *x, const char *expected, const char *actual, const char *fmt, ...) {
  ct_buf b = {0};
  ct_buf_printf(&b, "step %d (%s): ", x->index, x->op);
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  if (x->root)
    ct_preamble_fail(x->r, x->root, x->r->transport, expected, actual, "%s", (char *)b.data);
  else
    ct_fail(x->r, expected, actual, "%s", (char *)b.data);
  ct_buf_free(&b);
}

/* A string field with ${var} substitution; NULL when absent. Caller frees. On an
 * unknown variable the step fails and *BAD is set. */
char *sstr(step_ctx *x, const char *k, int *bad) {
  const char *v = sget(x, k);
  if (!v) return NULL;
  char *missing = NULL;
  char *out = ct_subst(v, x->r->vars, &missing);
  if (!out) {
    sfail(x, NULL, NULL, "unknown variable ${%s} in \"%s\"", missing, k);
    free(missing);
    *bad = 1;
  }
  return out;
}

/* A number field: a JSON number or an expression string. DEF when absent. */
int snum(step_ctx *x, const char *k, long def, long *out) {
  const cJSON *v = cJSON_GetObjectItem(x->s, k);
  if (!v) {
    *out = def;
    return 0;
  }
  if (cJSON_IsNumber(v)) {
    *out = (long)v->valuedouble;
    return 0;
  }
  if (cJSON_IsString(v) && ct_eval(v->valuestring, x->r->vars, out) == 0) return 0;
  sfail(x, NULL, NULL, "field \"%s\" is not a number or expression", k);
  return -1;
}

int swait(step_ctx *x, const char *k, long def, int span, long *out) {
  const double scale = x->r->cfg ? x->r->cfg->tscale : 1.0;
  if (ct_step_wait(x->s, k, def, x->r->vars, scale, span, out) == 0) return 0;
  sfail(x, NULL, NULL, "field \"%s\" is not a number or expression", k);
  return -1;
}

static ct_conn *sconn(step_ctx *x) {
  const char *name = sget(x, "conn");
  ct_conn *c = ct_conn_find(x->r, name ? name : "a");
  if (!c) sfail(x, NULL, NULL, "no connection named %s", name ? name : "a");
  return c;
}

static unsigned stransport(step_ctx *x) {
  const char *t = sget(x, "transport");
  if (t && strcmp(t, "polling") == 0) return CT_TR_POLLING;
  if (t && strcmp(t, "websocket") == 0) return CT_TR_WEBSOCKET;
  return x->r->transport;
}

/* A fill length KEY (a number or an expression) of FILL; -1 with the failure recorded
 * when it is absent, bad, negative or over 64 MiB. */
static long fill_num(step_ctx *x, const cJSON *fill, const char *key) {
  const cJSON *cnt = cJSON_GetObjectItem(fill, key);
  long n = -1;
  if (cJSON_IsNumber(cnt))
    n = (long)cnt->valuedouble;
  else if (cJSON_IsString(cnt) && ct_eval(cnt->valuestring, x->r->vars, &n) != 0)
    n = -1;
  if (n >= 0 && n <= 64L * 1024 * 1024) return n;
  /* most often a value the open packet did not carry: say which */
  char *miss = NULL;
  char *t2 = cJSON_IsString(cnt) ? ct_subst(cnt->valuestring, x->r->vars, &miss) : NULL;
  if (miss)
    sfail(x, "an open packet with every member", "no value for ${...}",
          "fill %s needs ${%s}, which the server did not announce", key, miss);
  else
    sfail(x, NULL, NULL, "bad fill %s", key);
  free(t2);
  free(miss);
  return -1;
}

/* The bytes a send/expect step names: text, sio (prefixed "4"), hex (binary), or
 * fill {prefix, char, count | bytes | fit_body, suffix, binary, seed}. Returns 0 and fills
 * OUT/BINARY, 1 when none given, -1 on error (recorded). */
static int spayload(step_ctx *x, ct_buf *out, int *binary) {
  int bad = 0;
  char *t = sstr(x, "text", &bad);
  char *sio = bad ? NULL : sstr(x, "sio", &bad);
  const char *hex = sget(x, "hex");
  const char *thex = sget(x, "text_hex");
  const cJSON *fill = cJSON_GetObjectItem(x->s, "fill");
  int rc = 1;
  *binary = 0;
  if (bad) {
    rc = -1;
  } else if (t) {
    ct_buf_adds(out, t);
    rc = 0;
  } else if (sio) {
    ct_buf_adds(out, "4");
    ct_buf_adds(out, sio);
    rc = 0;
  } else if (hex || thex) {
    /* "hex": a binary message; "text_hex": a text message given as exact bytes (for
     * invalid UTF-8 and NUL bytes, which JSON strings cannot carry) */
    const char *h = hex ? hex : thex;
    size_t cap = strlen(h) / 2 + 1;
    unsigned char *tmp = ct_xmalloc(cap);
    long n = ct_hex_decode(h, tmp, cap);
    if (n < 0) {
      sfail(x, NULL, NULL, "bad hex");
      rc = -1;
    } else {
      ct_buf_add(out, tmp, (size_t)n);
      *binary = hex != NULL;
      rc = 0;
    }
    free(tmp);
  } else if (cJSON_IsObject(fill)) {
    const char *pre = cJSON_GetStringValue(cJSON_GetObjectItem(fill, "prefix"));
    const char *ch = cJSON_GetStringValue(cJSON_GetObjectItem(fill, "char"));
    const char *suf = cJSON_GetStringValue(cJSON_GetObjectItem(fill, "suffix"));
    /* one length field: "count" repetitions of "char", or "bytes" (text: exactly that
     * many bytes of "char" repeated, padded with 'a'; binary: that many bytes), or
     * "fit_body" (binary: the largest message whose polling form b+base64 fits) */
    const char *key = cJSON_GetObjectItem(fill, "bytes")      ? "bytes"
                      : cJSON_GetObjectItem(fill, "fit_body") ? "fit_body"
                                                              : "count";
    int bin = cJSON_IsTrue(cJSON_GetObjectItem(fill, "binary"));
    long n = fill_num(x, fill, key), seed = 1;
    const cJSON *sd = cJSON_GetObjectItem(fill, "seed");
    if (cJSON_IsNumber(sd)) seed = (long)sd->valuedouble;
    if (n >= 0 && strcmp(key, "fit_body") == 0) n = (long)ct_b64_fit(n);
    if (n < 0) {
      rc = -1;
    } else if (bin) {
      ct_fill_binary(out, (size_t)n, (unsigned)seed);
      *binary = 1;
      rc = 0;
    } else {
      if (pre) ct_buf_adds(out, pre);
      if (strcmp(key, "bytes") == 0) {
        ct_fill_text(out, ch, (size_t)n);
      } else {
        size_t cl = ch && *ch ? strlen(ch) : 1;
        for (long i = 0; i < n; i++) ct_buf_add(out, ch && *ch ? ch : "a", cl);
      }
      if (suf) ct_buf_adds(out, suf);
      rc = 0;
    }
  }
  free(t);
  free(sio);
  return rc;
}

/* Socket.IO packets compared as JSON (SIO-PK-*: a server may print JSON its own way,
 * e.g. escape non-ASCII as \uXXXX): the header before the JSON ("4" + type + attachment
 * count + namespace + ack id) byte for byte, the JSON semantically. */
static int sio_equal(const ct_buf *exp, const ct_pkt *p) {
  size_t eo, ao;
  if (p->binary || ct_sio_json_offset(exp->data, exp->len, &eo) != 0 ||
      ct_sio_json_offset(p->data.data, p->data.len, &ao) != 0 || eo != ao ||
      memcmp(exp->data, p->data.data, eo) != 0)
    return 0;
  cJSON *e = cJSON_ParseWithLength((const char *)exp->data + eo, exp->len - eo);
  cJSON *a = cJSON_ParseWithLength((const char *)p->data.data + ao, p->data.len - ao);
  int ok = e && a && cJSON_Compare(e, a, 1);
  cJSON_Delete(e);
  cJSON_Delete(a);
  return ok;
}

/* A JSON text in the printer's one canonical form (escapes undone), or NULL. */
static char *sio_canonical(const unsigned char *p, size_t len) {
  size_t off;
  if (ct_sio_json_offset(p, len, &off) != 0) return NULL;
  cJSON *j = cJSON_ParseWithLength((const char *)p + off, len - off);
  char *s = j ? cJSON_PrintUnformatted(j) : NULL;
  cJSON_Delete(j);
  if (!s) return NULL;
  char *out = ct_xasprintf("%.*s%s", (int)off, (const char *)p, s);
  free(s);
  return out;
}

/* Record a payload mismatch with both lengths and the first differing offset; with
 * AS_SIO the two packets are compared in canonical JSON form when both parse. */
static void fail_diff(step_ctx *x, const ct_buf *exp, int exp_binary, const ct_pkt *p, int as_sio) {
  ct_buf e = {0}, a = {0}, why = {0};
  char *ce = as_sio ? sio_canonical(exp->data, exp->len) : NULL;
  char *ca = as_sio && !p->binary ? sio_canonical(p->data.data, p->data.len) : NULL;
  if (ce && ca)
    ct_diff_describe((const unsigned char *)ce, strlen(ce), 0, (const unsigned char *)ca,
                     strlen(ca), 0, &e, &a, &why);
  else
    ct_diff_describe(exp->data, exp->len, exp_binary, p->data.data, p->data.len, p->binary, &e, &a,
                     &why);
  const char *conn = sget(x, "conn");
  sfail(x, (char *)e.data, (char *)a.data, "%s: packet differs%s: %s", conn ? conn : "a",
        ce && ca ? " (as JSON, both in canonical form)" : "", (char *)why.data);
  free(ce);
  free(ca);
  ct_buf_free(&e);
  ct_buf_free(&a);
  ct_buf_free(&why);
}

/* Compare a received packet with the step's expectation. Returns 1 match, 0 not.
 * WANT_DESC receives a human rendering of the expectation. */
static int pkt_matches(step_ctx *x, const ct_pkt *p, ct_buf *want) {
  ct_buf exp = {0};
  int binary = 0;
  int rc = spayload(x, &exp, &binary);
  if (rc < 0) {
    ct_buf_free(&exp);
    return 0;
  }
  if (rc == 0) {
    ct_pkt e = {binary, exp};
    ct_pkt_render(want, &e);
    const char *cmp = sget(x, "compare");
    int as_sio = cmp && strcmp(cmp, "sio") == 0;
    int ok = as_sio ? sio_equal(&exp, p)
                    : p->binary == binary && p->data.len == exp.len &&
                          (exp.len == 0 || memcmp(p->data.data, exp.data, exp.len) == 0);
    /* Large payloads: the renderings are cut, so the failure names both lengths and the
     * first differing offset instead. Only for a received packet (op_expect also calls
     * this with an empty, data-less packet to describe what it waited for). */
    if (!ok && p->data.data && x->r->nverdicts == 0 &&
        (as_sio || exp.len > 300 || p->data.len > 300))
      fail_diff(x, &exp, binary, p, as_sio);
    ct_buf_free(&exp);
    return ok;
  }
  ct_buf_free(&exp);
  int bad = 0;
  char *prefix = sstr(x, "prefix", &bad);
  char *re = bad ? NULL : sstr(x, "match", &bad);
  const cJSON *json = cJSON_GetObjectItem(x->s, "json");
  const cJSON *json_exact = cJSON_GetObjectItem(x->s, "json_exact");
  int ok = !bad && !p->binary;
  if (bad) {
    free(prefix);
    return 0;
  }
  if (prefix) ct_buf_printf(want, "text starting with \"%s\"", prefix);
  if (ok && prefix)
    ok = p->data.len >= strlen(prefix) && memcmp(p->data.data, prefix, strlen(prefix)) == 0;
  if (re) {
    ct_buf_printf(want, "%stext matching /%s/", want->len ? " and " : "", re);
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
      sfail(x, NULL, NULL, "bad regular expression");
      ok = 0;
    } else {
      if (ok) ok = regexec(&rx, (const char *)p->data.data, 0, NULL, 0) == 0;
      regfree(&rx);
    }
  }
  if (json || json_exact) {
    const cJSON *pat = json ? json : json_exact;
    char *ps = cJSON_PrintUnformatted(pat);
    ct_buf_printf(want, "%sJSON %s %s", want->len ? " then " : "", json ? "matching" : "equal to",
                  ps);
    free(ps);
    if (ok) {
      size_t off = prefix ? strlen(prefix) : 0;
      cJSON *a = cJSON_ParseWithLength((const char *)p->data.data + off, p->data.len - off);
      ok = a && ct_json_match(pat, a, json_exact != NULL);
      cJSON_Delete(a);
    }
  }
  if (!want->len) ct_buf_adds(want, "any packet");
  free(prefix);
  free(re);
  return ok;
}

/* "save": {"var": NAME, "regex": RE}: store RE's first group (or whole match) of a
 * matched text packet as variable NAME, e.g. the ack id the server chose. */
static void save_groups(step_ctx *x, const ct_pkt *p) {
  const cJSON *sv = cJSON_GetObjectItem(x->s, "save");
  if (!sv) return;
  const char *var = cJSON_GetStringValue(cJSON_GetObjectItem(sv, "var"));
  const char *re = cJSON_GetStringValue(cJSON_GetObjectItem(sv, "regex"));
  regex_t rx;
  regmatch_t m[2];
  if (!var || !re || p->binary || regcomp(&rx, re, REG_EXTENDED) != 0) {
    sfail(x, NULL, NULL, "bad save clause");
    return;
  }
  if (regexec(&rx, (const char *)p->data.data, 2, m, 0) != 0) {
    sfail(x, re, (const char *)p->data.data, "save: no match");
  } else {
    int g = m[1].rm_so >= 0 ? 1 : 0;
    char *v =
        ct_xstrndup((const char *)p->data.data + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
    cJSON_DeleteItemFromObject(x->r->vars, var);
    cJSON_AddStringToObject(x->r->vars, var, v);
    ct_log(x->r, ".. saved %s = %s", var, v);
    free(v);
  }
  regfree(&rx);
}

static long default_wait(const ct_run *r) { return ct_ms(r, 2000); }

/* The namespace whose CONNECT / CONNECT_ERROR answer the expect step waits for, from
 * the literal start of its expectation (text, sio, prefix, or a match anchored with ^).
 * Returns 1 and fills NSP, or 0 when the step expects something else. */
static int expected_answer_nsp(step_ctx *x, char *nsp, size_t nsplen) {
  char lit[160] = "";
  const char *t = sget(x, "text"), *sio = sget(x, "sio"), *pre = sget(x, "prefix");
  const char *re = sget(x, "match");
  if (t)
    snprintf(lit, sizeof lit, "%s", t);
  else if (sio)
    snprintf(lit, sizeof lit, "4%s", sio);
  else if (pre)
    snprintf(lit, sizeof lit, "%s", pre);
  else if (re && re[0] == '^')
    snprintf(lit, sizeof lit, "%.*s", (int)strcspn(re + 1, ".[]()*+?{}|\\$^"), re + 1);
  return ct_sio_answer_nsp(lit, nsp, nsplen);
}

void op_expect(step_ctx *x) {
  ct_conn *c = sconn(x);
  long timeout;
  if (!c || swait(x, "timeout", 2000, 0, &timeout) != 0) return;
  const char *t = sget(x, "text");
  int want_noop = t && strcmp(t, "6") == 0;
  /* SIO-NS-11: while a CONNECT / CONNECT_ERROR answer is awaited, events of its namespace
   * that come first are set aside and put back at the head of the queue afterwards, as
   * the official client buffers them; "defer": false grades the order (SIO-NS-10) */
  ct_defer d;
  memset(&d, 0, sizeof d);
  int defer = !cJSON_IsFalse(cJSON_GetObjectItem(x->s, "defer")) &&
              expected_answer_nsp(x, d.nsp, sizeof d.nsp);
  int64_t deadline = ct_now_ms() + timeout;
  for (;;) {
    ct_pkt p;
    int64_t left = deadline - ct_now_ms();
    int rc = ct_next(c, left > 0 ? (int)left : 0, &p);
    if (rc != 1) {
      ct_buf want = {0};
      ct_pkt dummy = {0, {0}};
      pkt_matches(x, &dummy, &want);
      if (x->r->nverdicts == 0) {
        if (rc == 0)
          sfail(x, (char *)want.data, "nothing (timeout)", "%s: no packet within %ld ms", c->name,
                timeout);
        else
          sfail(x, (char *)want.data, c->close_why, "%s: closed before the expected packet",
                c->name);
      }
      ct_buf_free(&want);
      ct_defer_restore(&d, c);
      return;
    }
    /* noops only end a long poll (EIO-UP-*): skip them unless the step wants one */
    if (!p.binary && p.data.len == 1 && p.data.data[0] == '6' && !want_noop) {
      ct_buf_free(&p.data);
      continue;
    }
    /* "skip": packets the spec allows before the expected one (exact texts) */
    int skip = 0;
    const cJSON *sk;
    cJSON_ArrayForEach(sk, cJSON_GetObjectItem(x->s, "skip")) {
      if (cJSON_IsString(sk) && !p.binary && p.data.len == strlen(sk->valuestring) &&
          memcmp(p.data.data, sk->valuestring, p.data.len) == 0)
        skip = 1;
    }
    if (skip) {
      ct_log(x->r, ".. skipped an allowed packet");
      ct_buf_free(&p.data);
      continue;
    }
    if (defer && ct_defer_take(&d, x->r, &p)) continue;
    ct_buf want = {0};
    int ok = pkt_matches(x, &p, &want);
    if (ok) save_groups(x, &p);
    if (!ok && x->r->nverdicts == 0) {
      ct_buf got = {0};
      ct_pkt_render(&got, &p);
      sfail(x, (char *)want.data, (char *)got.data, "%s: unexpected packet", c->name);
      ct_buf_free(&got);
    }
    ct_buf_free(&want);
    ct_buf_free(&p.data);
    ct_defer_restore(&d, c);
    return;
  }
}

void op_expect_none(step_ctx *x) {
  ct_conn *c = sconn(x);
  long ms;
  if (!c || swait(x, "ms", 500, 1, &ms) != 0) return;
  int64_t deadline = ct_now_ms() + ms;
  for (;;) {
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) return;
    ct_pkt p;
    int rc = ct_next(c, (int)left, &p);
    if (rc == 0) return;
    if (rc < 0) {
      if (cJSON_IsTrue(cJSON_GetObjectItem(x->s, "allow_close"))) return;
      sfail(x, "no packet and an open connection", c->close_why, "%s closed", c->name);
      return;
    }
    if (!p.binary && p.data.len == 1 && p.data.data[0] == '6') {
      ct_buf_free(&p.data);
      continue;
    }
    ct_buf got = {0};
    ct_pkt_render(&got, &p);
    sfail(x, "no packet", (char *)got.data, "%s: unexpected packet", c->name);
    ct_buf_free(&got);
    ct_buf_free(&p.data);
    return;
  }
}

/* EIO-CL-*: the session ends. Packets that arrive before the end are allowed (a
 * server may flush a close packet or an error first). On polling a session that is
 * still "open" at the deadline is probed with one GET, which must be refused. */
void op_expect_close(step_ctx *x) {
  ct_conn *c = sconn(x);
  long within;
  if (!c || swait(x, "within", 2000, 0, &within) != 0) return;
  int64_t deadline = ct_now_ms() + within;
  while (!c->closed) {
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) break;
    ct_pkt p;
    int rc = ct_next(c, (int)left, &p);
    if (rc == 1) ct_buf_free(&p.data);
  }
  if (c->closed) {
    ct_log(x->r, "== %s closed: %s", c->name, c->close_why);
    const cJSON *code = cJSON_GetObjectItem(x->s, "ws_code");
    if (cJSON_IsNumber(code) && c->transport == CT_TR_WEBSOCKET &&
        c->ws.close_code != code->valueint) {
      char e[32], a[256];
      snprintf(e, sizeof e, "close code %d", code->valueint);
      snprintf(a, sizeof a, "%s", c->close_why);
      sfail(x, e, a, "wrong WebSocket close code");
    }
    return;
  }
  /* A held GET is never cancelled to find out: an aborted GET closes the session by
   * itself (EIO-TR-12) and would fake the closure. With no GET in flight one GET must
   * be refused; with one held, only an unambiguous "unknown sid" (code 1) answer
   * counts, since a conforming server answers a held GET when it closes (EIO-CL-4) and
   * the pump above would have seen that. */
  if (c->transport == CT_TR_POLLING && c->sid[0]) {
    if (ct_poll_gone(c, ct_ms(x->r, 1000), c->get_pending)) {
      ct_log(x->r, "== %s is gone (later request refused)", c->name);
      c->closed = 1;
      return;
    }
  }
  sfail(x, "the session closed", "still open", "%s not closed within %ld ms", c->name, within);
}

static void open_step(step_ctx *x, int sio) {
  const char *name = sget(x, "conn");
  int bad = 0;
  char *query = sstr(x, "query", &bad);
  char *path = bad ? NULL : sstr(x, "path", &bad);
  if (bad) {
    free(query);
    return;
  }
  unsigned tr = stransport(x);
  ct_conn *c;
  if (sio) {
    c = ct_sio_open(x->r, name ? name : "a", tr);
  } else {
    c = ct_open(x->r, name ? name : "a", tr, path, query);
  }
  free(query);
  free(path);
  if (!c) return;
  const cJSON *ap = cJSON_GetObjectItem(x->s, "autopong");
  if (cJSON_IsBool(ap)) c->autopong = cJSON_IsTrue(ap);
  const char *poll = sget(x, "poll");
  if (poll && strcmp(poll, "manual") == 0) c->bg = 0;
  /* EIO-HS-2: the open packet's members, compared as a JSON pattern */
  const cJSON *oj = cJSON_GetObjectItem(x->s, "open_json");
  if (oj) {
    char k[64];
    snprintf(k, sizeof k, "%s.open", c->name);
    const cJSON *got = cJSON_GetObjectItem(x->r->vars, k);
    if (!ct_json_match(oj, got, cJSON_IsTrue(cJSON_GetObjectItem(x->s, "open_exact")))) {
      char *w = cJSON_PrintUnformatted(oj);
      char *g = got ? cJSON_PrintUnformatted(got) : NULL;
      sfail(x, w, g ? g : "(none)", "open packet does not match");
      free(w);
      free(g);
    }
  }
}

void op_open(step_ctx *x) { open_step(x, 0); }
void op_sio_open(step_ctx *x) { open_step(x, 1); }

void op_sleep(step_ctx *x) {
  long ms;
  if (swait(x, "ms", 0, 1, &ms) != 0) return;
  ct_log(x->r, ".. sleep %ld ms", ms);
  /* pumping keeps other sessions' heartbeats alive; "pump": false is a plain sleep
   * (nothing is read, nothing is answered) */
  if (cJSON_IsFalse(cJSON_GetObjectItem(x->s, "pump")))
    ct_sleep_ms((int)ms);
  else
    ct_pump(x->r, (int)ms);
}

void op_poll(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (c) ct_poll_start(c);
}

void op_close(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (!c) return;
  ct_log(x->r, "-> %s client closes the connection", c->name);
  ct_conn_close(c);
}

/* Compare two substituted strings: equals / differs / match (regex). */
void op_check(step_ctx *x) {
  int bad = 0;
  char *v = sstr(x, "value", &bad);
  char *eq = bad ? NULL : sstr(x, "equals", &bad);
  char *ne = bad ? NULL : sstr(x, "differs", &bad);
  char *re = bad ? NULL : sstr(x, "match", &bad);
  if (!bad && !v)
    sfail(x, NULL, NULL, "check needs value");
  else if (!bad && eq && strcmp(v, eq) != 0)
    sfail(x, eq, v, "values differ");
  else if (!bad && ne && strcmp(v, ne) == 0)
    sfail(x, "a different value", v, "values are equal");
  else if (!bad && re) {
    regex_t rx;
    int ok = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0;
    if (ok) {
      ok = regexec(&rx, v, 0, NULL, 0) == 0;
      regfree(&rx);
    }
    if (!ok) sfail(x, re, v, "value does not match");
  }
  free(v);
  free(eq);
  free(ne);
  free(re);
}

void op_send(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (!c) return;
  ct_buf b = {0};
  int binary = 0;
  int rc = spayload(x, &b, &binary);
  if (rc == 1) sfail(x, NULL, NULL, "send needs text, sio, hex or fill");
  if (rc != 0) {
    ct_buf_free(&b);
    return;
  }
  const cJSON *st = cJSON_GetObjectItem(x->s, "status");
  if (c->transport == CT_TR_POLLING && st) {
    /* the case cares about the POST's answer (e.g. 400 for a bad packet) */
    ct_buf body = {0};
    int status = 0;
    if (binary) {
      char *b64 = ct_xmalloc(b.len / 3 * 4 + 8);
      ct_b64_encode(b.data, b.len, b64);
      ct_buf_adds(&body, "b");
      ct_buf_adds(&body, b64);
      free(b64);
    } else {
      ct_buf_add(&body, b.data, b.len);
    }
    ct_post(c, body.data, body.len, NULL, &status, NULL);
    ct_buf_free(&body);
    int ok = 0;
    if (cJSON_IsNumber(st))
      ok = status == st->valueint;
    else if (cJSON_IsArray(st)) {
      const cJSON *e;
      cJSON_ArrayForEach(e, st) ok |= cJSON_IsNumber(e) && e->valueint == status;
    } else if (cJSON_IsString(st) && strcmp(st->valuestring, "any") == 0) {
      ok = 1;
    }
    if (!ok) {
      char *ws = cJSON_PrintUnformatted(st);
      char a[32];
      snprintf(a, sizeof a, "HTTP %d", status);
      sfail(x, ws, a, "POST answered with an unexpected status");
      free(ws);
    }
  } else if (ct_send(c, binary, b.data, b.len) != 0) {
    if (!cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_fail")))
      sfail(x, "the packet is accepted", "send failed", "%s: send failed", c->name);
  }
  ct_buf_free(&b);
}

static int status_ok(const cJSON *want, int got) {
  if (!want) return 1;
  if (cJSON_IsString(want) && strcmp(want->valuestring, "any") == 0) return 1;
  if (cJSON_IsNumber(want)) return want->valueint == got;
  if (cJSON_IsArray(want)) {
    const cJSON *e;
    cJSON_ArrayForEach(e, want) if (cJSON_IsNumber(e) && e->valueint == got) return 1;
  }
  return 0;
}

/* Check a response against status/body/body_match/body_json/headers fields. */
void check_response(step_ctx *x, int status, const ct_buf *body, const ct_http_resp *resp) {
  const cJSON *st = cJSON_GetObjectItem(x->s, "status");
  if (!status_ok(st, status)) {
    char *w = cJSON_PrintUnformatted(st);
    char a[32];
    snprintf(a, sizeof a, "HTTP %d", status);
    sfail(x, w, a, "unexpected HTTP status");
    free(w);
    return;
  }
  int bad = 0;
  char *is = sstr(x, "body", &bad);
  if (bad) return;
  const char *text = body->data ? (const char *)body->data : "";
  if (is && strcmp(is, text) != 0) {
    sfail(x, is, text, "unexpected body");
    free(is);
    return;
  }
  free(is);
  const char *re = sget(x, "body_match");
  if (re) {
    regex_t rx;
    int ok = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0;
    if (ok) {
      ok = regexec(&rx, text, 0, NULL, 0) == 0;
      regfree(&rx);
    }
    if (!ok) {
      sfail(x, re, text, "body does not match");
      return;
    }
  }
  const cJSON *bj = cJSON_GetObjectItem(x->s, "body_json");
  if (bj) {
    const char *bp = sget(x, "body_prefix");
    size_t off = bp ? strlen(bp) : 0;
    cJSON *a = body->len >= off ? cJSON_ParseWithLength(text + off, body->len - off) : NULL;
    int ok = a && ct_json_match(bj, a, 0);
    cJSON_Delete(a);
    if (!ok) {
      char *w = cJSON_PrintUnformatted(bj);
      sfail(x, w, text, "body JSON does not match");
      free(w);
      return;
    }
  }
  const cJSON *hs = cJSON_GetObjectItem(x->s, "headers_expect");
  if (hs && resp) {
    const cJSON *h;
    cJSON_ArrayForEach(h, hs) {
      const char *got = ct_http_header(resp, h->string);
      if (cJSON_IsNull(h)) {
        if (got) {
          sfail(x, "header absent", got, "header %s is present", h->string);
          return;
        }
      } else if (cJSON_IsString(h)) {
        char *want = ct_subst(h->valuestring, x->r->vars, NULL);
        int ok = got && want && (strcmp(want, "$present") == 0 || strcmp(want, got) == 0);
        if (!ok) {
          sfail(x, want ? want : "?", got ? got : "(absent)", "header %s", h->string);
          free(want);
          return;
        }
        free(want);
      }
    }
  }
}

char *build_headers(step_ctx *x) {
  const cJSON *hs = cJSON_GetObjectItem(x->s, "headers");
  if (!hs) return NULL;
  ct_buf b = {0};
  const cJSON *h;
  cJSON_ArrayForEach(h, hs) {
    if (!cJSON_IsString(h)) continue;
    char *v = ct_subst(h->valuestring, x->r->vars, NULL);
    ct_buf_printf(&b, "%s: %s\r\n", h->string, v ? v : "");
    free(v);
  }
  return ct_buf_steal(&b);
}

void op_http(step_ctx *x) {
  int bad = 0;
  char *method = sstr(x, "method", &bad);
  char *target = bad ? NULL : sstr(x, "target", &bad);
  if (bad || !target) {
    if (!bad) sfail(x, NULL, NULL, "http needs a target");
    free(method);
    free(target);
    return;
  }
  ct_buf body = {0};
  int binary = 0, has_body = 0;
  const char *bt = sget(x, "body_text");
  if (bt) {
    char *s = ct_subst(bt, x->r->vars, NULL);
    ct_buf_adds(&body, s ? s : "");
    free(s);
    has_body = 1;
  } else if (cJSON_GetObjectItem(x->s, "fill")) {
    has_body = spayload(x, &body, &binary) == 0;
    if (x->r->nverdicts) goto out;
  }
  char *hdrs = build_headers(x);
  ct_http_req req = {.method = method ? method : "GET",
                     .target = target,
                     .headers = hdrs,
                     .body = has_body ? (body.data ? body.data : (const unsigned char *)"") : NULL,
                     .body_len = body.len};
  ct_log(x->r, "-> http %s %s%s", req.method, target, hdrs ? " (+headers)" : "");
  ct_http_resp resp;
  long timeout;
  if (swait(x, "timeout", 3000, 0, &timeout) != 0) goto out2;
  int rc = ct_http_do(x->r->cfg->host, x->r->cfg->port, &req, (int)timeout, &resp);
  if (rc != 1) {
    if (cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_drop"))) {
      ct_log(x->r, "<- http: no response (allowed)");
    } else {
      sfail(x, "an HTTP response", rc == 0 ? "timeout" : "connection closed", "no response");
    }
    goto out2;
  }
  ct_log(x->r, "<- http %d %.*s", resp.status, (int)(resp.body.len > 120 ? 120 : resp.body.len),
         resp.body.data ? (char *)resp.body.data : "");
  check_response(x, resp.status, &resp.body, &resp);
  ct_http_resp_free(&resp);
out2:
  free(hdrs);
out:
  ct_buf_free(&body);
  free(method);
  free(target);
}

/* Raw WebSocket connection. expect: "open" (101 needed), "refused" (anything but a
 * working session: a non-101 answer, or 101 then a close without an open packet). */
void op_ws(step_ctx *x) {
  const char *name = sget(x, "conn");
  int bad = 0;
  char *target = sstr(x, "target", &bad);
  if (bad) return;
  if (!target) {
    sfail(x, NULL, NULL, "ws needs a target");
    return;
  }
  const char *expect = sget(x, "expect");
  if (!expect) expect = "open";
  ct_conn *c = ct_conn_new(x->r, name ? name : "w", CT_TR_WEBSOCKET);
  char *hdrs = build_headers(x);
  ct_http_resp resp;
  ct_log(x->r, "-> %s WS GET %s", c->name, target);
  int rc = ct_ws_connect(&c->ws, x->r->cfg->host, x->r->cfg->port, target, hdrs,
                         (int)default_wait(x->r), &resp);
  free(hdrs);
  ct_log(x->r, "<- %s WS handshake %d (HTTP %d)", c->name, rc, resp.status);
  if (strcmp(expect, "open") == 0) {
    if (rc != 0) {
      char a[64];
      snprintf(a, sizeof a, "result %d, HTTP %d", rc, resp.status);
      sfail(x, "HTTP 101", a, "WebSocket handshake failed");
    }
    const char *sid = cJSON_GetStringValue(cJSON_GetObjectItem(x->r->vars, "sid"));
    /* a conn that joins an existing session (upgrade) shares its sid */
    if (sid && strstr(target, "sid=")) snprintf(c->sid, sizeof c->sid, "%s", sid);
  } else if (rc == 0) {
    /* 101 then: the server must close without opening a session */
    ct_pkt p;
    long within;
    if (swait(x, "within", 2000, 0, &within) == 0) {
      int nr = ct_next(c, (int)within, &p);
      if (nr == 1) {
        ct_buf got = {0};
        ct_pkt_render(&got, &p);
        if (!(p.data.len >= 1 && p.data.data[0] == '1' && !p.binary))
          sfail(x, "a refused connection", (char *)got.data, "server answered on a bad request");
        ct_buf_free(&got);
        ct_buf_free(&p.data);
      } else if (nr == 0) {
        sfail(x, "a refused connection", "open connection", "server kept the connection open");
      }
    }
    c->closed = 1;
  } else {
    c->closed = 1;
  }
  ct_http_resp_free(&resp);
  free(target);
}

void op_frame(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (!c) return;
  if (c->transport != CT_TR_WEBSOCKET) {
    sfail(x, NULL, NULL, "frame needs a WebSocket connection");
    return;
  }
  long opcode, fin, rsv, mask;
  if (snum(x, "opcode", 1, &opcode) || snum(x, "fin", 1, &fin) || snum(x, "rsv", 0, &rsv) ||
      snum(x, "mask", 1, &mask))
    return;
  ct_buf b = {0};
  int binary = 0;
  if (spayload(x, &b, &binary) < 0) {
    ct_buf_free(&b);
    return;
  }
  unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  ct_buf f = {0};
  ct_ws_encode(&f, (int)fin, (int)rsv, (int)opcode, b.data, b.len, mask ? key : NULL);
  ct_log(x->r, "-> %s frame op=%ld fin=%ld rsv=%ld mask=%ld len=%zu", c->name, opcode, fin, rsv,
         mask, b.len);
  if (ct_ws_send_raw(&c->ws, f.data, f.len) != 0 &&
      !cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_fail")))
    sfail(x, NULL, NULL, "frame send failed");
  ct_buf_free(&f);
  ct_buf_free(&b);
}

void op_post(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (!c) return;
  ct_buf b = {0};
  const char *bt = sget(x, "body_text");
  const char *bh = sget(x, "body_hex");
  if (bt) {
    char *s = ct_subst(bt, x->r->vars, NULL);
    ct_buf_adds(&b, s ? s : "");
    free(s);
  } else if (bh) {
    size_t cap = strlen(bh) / 2 + 1;
    unsigned char *tmp = ct_xmalloc(cap);
    long n = ct_hex_decode(bh, tmp, cap);
    if (n > 0) ct_buf_add(&b, tmp, (size_t)n);
    free(tmp);
  } else {
    int binary;
    if (spayload(x, &b, &binary) != 0) {
      if (!x->r->nverdicts) sfail(x, NULL, NULL, "post needs body_text, body_hex or fill");
      ct_buf_free(&b);
      return;
    }
  }
  char *hdrs = build_headers(x);
  int status = 0;
  ct_buf resp = {0};
  int rc = ct_post(c, b.data ? b.data : (const unsigned char *)"", b.len, hdrs, &status, &resp);
  free(hdrs);
  if (rc != 0) {
    if (!cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_drop")))
      sfail(x, "an HTTP response", "no response", "POST got no response");
  } else {
    if (!cJSON_GetObjectItem(x->s, "status") && status != 200) {
      char a[32];
      snprintf(a, sizeof a, "HTTP %d", status);
      sfail(x, "HTTP 200", a, "POST refused");
    } else {
      check_response(x, status, &resp, NULL);
    }
  }
  ct_buf_free(&resp);
  ct_buf_free(&b);
}

void op_set(step_ctx *x) {
  const char *var = sget(x, "var");
  int bad = 0;
  char *v = sstr(x, "value", &bad);
  if (bad) return;
  if (!var || !v) {
    sfail(x, NULL, NULL, "set needs var and value");
  } else {
    cJSON_DeleteItemFromObject(x->r->vars, var);
    cJSON_AddStringToObject(x->r->vars, var, v);
  }
  free(v);
}

/* "raw": bytes on a fresh TCP connection, for hostile input the HTTP and WebSocket
 * clients refuse to produce (garbage after an upgrade request, a frame header
 * announcing 2^63-1 bytes). "text" (variables substituted) then "hex" are sent in one
 * go; the answer is read for "read_ms". With "expect": "close" the server must end
 * the connection within that time (issue 6, security pack). */
void op_raw(step_ctx *x) {
  int bad = 0;
  char *text = sstr(x, "text", &bad);
  const char *hex = sget(x, "hex");
  const char *want = sget(x, "expect");
  long read_ms;
  if (bad || swait(x, "read_ms", 500, 0, &read_ms) != 0) {
    free(text);
    return;
  }
  ct_buf out = {0};
  if (text) ct_buf_adds(&out, text);
  free(text);
  if (hex) {
    size_t cap = strlen(hex) / 2 + 1;
    unsigned char *b = ct_xmalloc(cap);
    long n = ct_hex_decode(hex, b, cap);
    if (n < 0) {
      free(b);
      ct_buf_free(&out);
      sfail(x, NULL, NULL, "raw: bad hex");
      return;
    }
    ct_buf_add(&out, b, (size_t)n);
    free(b);
  }
  int fd = ct_tcp_connect(x->r->cfg->host, x->r->cfg->port, ct_ms(x->r, 2000));
  if (fd < 0) {
    ct_buf_free(&out);
    sfail(x, "a TCP connection", "refused", "raw: cannot connect");
    return;
  }
  ct_log(x->r, "-> raw %zu bytes", out.len);
  int sent = ct_send_all(fd, out.data, out.len, ct_ms(x->r, 2000));
  ct_buf_free(&out);
  ct_buf in = {0};
  int closed = sent != 0;
  int64_t end = ct_now_ms() + read_ms;
  while (!closed && ct_now_ms() < end) {
    long n = ct_recv_some(fd, &in);
    if (n == 0 || n == -2)
      closed = 1;
    else if (n == -1)
      ct_sleep_ms(5);
  }
  close(fd);
  ct_log(x->r, "<- raw %zu bytes, connection %s", in.len, closed ? "closed" : "still open");
  ct_buf_free(&in);
  if (want && strcmp(want, "close") == 0 && !closed)
    sfail(x, "the server closes the connection", "still open", "raw: connection kept open");
}

/* ---- security-pack oracles: session-id sample, stopwatch, time ratio ---- */

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
    sfail(x, NULL, NULL, "stopwatch: bad action or %s never started", var);
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

static void run_steps(ct_run *r, const cJSON *steps, int *i, int *acted);

/* "repeat": its steps COUNT times (the loader bounds it), numbered and graded exactly as
 * if they were written out; the repeat itself has no step number. Stops at a verdict. */
static void op_repeat(ct_run *r, const cJSON *s, int *i, int *acted) {
  int count = cJSON_GetObjectItem(s, "count")->valueint;
  for (int k = 0; k < count && !r->nverdicts; k++)
    run_steps(r, cJSON_GetObjectItem(s, "steps"), i, acted);
}

void ct_steps_run(ct_run *r) {
  cJSON_AddStringToObject(r->vars, "path", ct_case_path(r));
  cJSON_AddStringToObject(r->vars, "eio_path", r->cfg->eio_path);
  cJSON_AddStringToObject(r->vars, "sio_path", r->cfg->sio_path);
  cJSON_AddStringToObject(r->vars, "transport",
                          r->transport == CT_TR_POLLING ? "polling" : "websocket");
  int i = 0, acted = 0;
  run_steps(r, r->c->steps, &i, &acted);
  if (!r->nverdicts) ct_pass(r);
}

/* Run STEPS in order until one records a verdict; *I numbers the steps, *ACTED says the
 * case has acted on the server (both carry across a repeat's body). */
static void run_steps(ct_run *r, const cJSON *steps, int *i, int *acted) {
  const cJSON *s;
  cJSON_ArrayForEach(s, steps) {
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(s, "op")), "repeat") == 0) {
      op_repeat(r, s, i, acted);
      if (r->nverdicts) return;
      continue;
    }
    step_ctx x = {r, ++*i, cJSON_GetStringValue(cJSON_GetObjectItem(s, "op")), s, NULL};
    const char *only = cJSON_GetStringValue(cJSON_GetObjectItem(s, "only"));
    if (only && strcmp(only, r->transport == CT_TR_POLLING ? "polling" : "websocket") != 0)
      continue;
    /* "needs": a step the target cannot serve (e.g. an echo round trip proving liveness
     * when the echo path is absent) is left out, and the transcript says so */
    ct_need sneed;
    if (ct_need_parse(cJSON_GetStringValue(cJSON_GetObjectItem(s, "needs")), &sneed) == 0 &&
        !ct_target_offers(r->cfg, sneed)) {
      ct_log(r, ".. step %d (%s) left out: the target has no %s", *i, x.op, ct_need_name(sneed));
      continue;
    }
    const char *op = x.op;
    /* One fault, one failure: a preamble step that fails makes the run BLOCKED by the
     * root case grading it. open/sio_open are preambles until the case first acts on
     * the server (a later handshake is a check: "the server still serves"), unless
     * "preamble" says otherwise; any step naming a "root" is a preamble. */
    const cJSON *pf = cJSON_GetObjectItem(s, "preamble");
    int is_open = strcmp(op, "open") == 0 || strcmp(op, "sio_open") == 0;
    x.root = cJSON_GetStringValue(cJSON_GetObjectItem(s, "root"));
    int preamble = x.root || (is_open && (cJSON_IsBool(pf) ? cJSON_IsTrue(pf) : !*acted));
    r->open_graded = !preamble;
    const ct_op *def = ct_op_find(op);
    if (!preamble && (!def || def->acts)) *acted = 1;
    if (def && def->run)
      def->run(&x);
    else /* the loader refuses these; a case built in code could still carry one */
      sfail(&x, NULL, NULL, "the step language has no op \"%s\"", op ? op : "(none)");
    r->open_graded = 0;
    if (r->nverdicts) return;
  }
}
