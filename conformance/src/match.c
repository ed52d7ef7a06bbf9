/* The step language's values: ${var} substitution, the integer expressions of wait and
 * size fields, the wait rule under --timeout-scale, and the JSON pattern matcher of
 * "expect"/"body_json" (vectors/scenarios/README.md, "Values and variables" and
 * "Packet matching"). Pure: no run, no network. */
#include "ct_match.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ct_util.h"

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
