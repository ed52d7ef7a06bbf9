/* The step language's values (match.c): ${var} substitution, integer expressions, the
 * wait rule and the JSON pattern matcher. Pure helpers, exposed so unit tests drive them
 * without a server. */
#ifndef CT_MATCH_H
#define CT_MATCH_H

#include <cjson/cJSON.h>

/* Replace ${name} in IN by VARS[name] (strings as is, numbers as integers).
 * Returns a new string (caller frees), or NULL when a variable is unknown (then
 * MISSING, if not NULL, receives a copy of the name, caller frees). */
char *ct_subst(const char *in, const cJSON *vars, char **missing);

/* Evaluate an integer expression of decimal numbers joined by + - * (left to right,
 * * before + and -), after substitution. Returns 0 and sets OUT, or -1. */
int ct_eval(const char *expr, const cJSON *vars, long *out);

/* The wait a step's field K gives (a number or an expression over VARS; DEF when the
 * field is absent), in milliseconds under --timeout-scale SCALE (<= 0 means 1). A
 * harness-side wait is multiplied by SCALE. A wait whose expression names the server's
 * announced timings (${pingInterval}, ${pingTimeout}) is never shrunk below its value:
 * as a bound (SPAN 0: timeout, within) SCALE > 1 still stretches it, as a measured span
 * (SPAN 1: sleep, expect_none) it stays exactly the value. Returns 0 and sets OUT, or -1
 * when the field is neither a number nor a valid expression. */
int ct_step_wait(const cJSON *step, const char *k, long def, const cJSON *vars, double scale,
                 int span, long *out);

/* Does ACTUAL match the pattern EXPECTED? Objects match when every expected key
 * matches (extra actual keys allowed unless EXACT); arrays need equal length; the
 * strings "$any", "$string", "$number", "$object", "$array" match by type. */
int ct_json_match(const cJSON *expected, const cJSON *actual, int exact);

#endif
