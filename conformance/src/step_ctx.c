/* One step being run (step_ctx.h): its fields read with ${var} substitution, numbers and
 * waits evaluated, the payload it names built, its connection found, and its failure
 * recorded as "step N (op): ..." in words a case author understands. Used by every op;
 * calls nothing of the interpreter. */
#include "step_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_match.h"
#include "ct_payload.h"

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

/* Why variable NAME has no value, for a user reading the failure: the open packet's
 * members come from the server, everything else from an earlier step. */
static const char *unset_why(const char *name) {
  static const char *const open_vars[] = {"sid", "pingInterval", "pingTimeout", "maxPayload"};
  const char *dot = strrchr(name, '.'); /* "b.sid": connection b's */
  const char *base = dot ? dot + 1 : name;
  for (size_t i = 0; i < sizeof open_vars / sizeof *open_vars; i++)
    if (strcmp(base, open_vars[i]) == 0) return "no open packet of this case carried it";
  return "no earlier step set it";
}

/* A number or wait field K that did not evaluate: name the variable without a value, or
 * say what the field must look like. */
static void num_field_fail(step_ctx *x, const char *k) {
  const cJSON *v = cJSON_GetObjectItem(x->s, k);
  char *missing = NULL;
  char *t = cJSON_IsString(v) ? ct_subst(v->valuestring, x->r->vars, &missing) : NULL;
  if (missing)
    sfail(x, NULL, NULL, "field \"%s\" uses ${%s}, which has no value: %s", k, missing,
          unset_why(missing));
  else
    sfail(x, NULL, NULL,
          "field \"%s\" must be a number, or numbers and ${variables} joined by +, - and *", k);
  free(t);
  free(missing);
}

/* A string field with ${var} substitution; NULL when absent. Caller frees. On an
 * unknown variable the step fails and *BAD is set. */
char *sstr(step_ctx *x, const char *k, int *bad) {
  const char *v = sget(x, k);
  if (!v) return NULL;
  char *missing = NULL;
  char *out = ct_subst(v, x->r->vars, &missing);
  if (!out) {
    sfail(x, NULL, NULL, "field \"%s\" uses ${%s}, which has no value: %s", k, missing,
          unset_why(missing));
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
  num_field_fail(x, k);
  return -1;
}

int swait(step_ctx *x, const char *k, long def, int span, long *out) {
  const double scale = x->r->cfg ? x->r->cfg->tscale : 1.0;
  if (ct_step_wait(x->s, k, def, x->r->vars, scale, span, out) == 0) return 0;
  num_field_fail(x, k);
  return -1;
}

ct_conn *sconn(step_ctx *x) {
  const char *name = sget(x, "conn");
  ct_conn *c = ct_conn_find(x->r, name ? name : "a");
  if (!c)
    sfail(x, NULL, NULL,
          "no connection named \"%s\": an open, sio_open or ws step must open it first",
          name ? name : "a");
  return c;
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
  if (miss) {
    char want[128], got[128];
    snprintf(want, sizeof want, "a value for %s", miss);
    snprintf(got, sizeof got, "none: %s", unset_why(miss));
    /* the open packet's members are the server's to announce; other variables a step's */
    if (strcmp(unset_why(miss), "no earlier step set it") == 0)
      sfail(x, want, got, "fill %s needs ${%s}, which no earlier step set", key, miss);
    else
      sfail(x, want, got, "fill %s needs ${%s}, which the server did not announce", key, miss);
  } else
    sfail(x, NULL, NULL,
          "fill %s must be a number from 0 to 67108864 (64 MiB), or an expression giving one", key);
  free(t2);
  free(miss);
  return -1;
}

/* The bytes a send/expect step names: text, sio (prefixed "4"), hex (binary), or
 * fill {prefix, char, count | bytes | fit_body, suffix, binary, seed}. Returns 0 and fills
 * OUT/BINARY, 1 when none given, -1 on error (recorded). */
int spayload(step_ctx *x, ct_buf *out, int *binary) {
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
