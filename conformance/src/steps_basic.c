/* Ops that touch only the run itself: sleep, poll, close, set, check (dispatched
 * through the op table, ops.c). */
#include "steps_basic.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

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
