/* The scenario step language: loading (scenario.c) and the pure helpers the
 * executor (steps.c) uses, exposed so unit tests can drive them without a server. */
#ifndef CT_SCENARIO_H
#define CT_SCENARIO_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "ct.h"

/* Parse scenario file TEXT (named SOURCE in messages) and append its cases to CS.
 * Returns the number of cases added, or -1 with ERR filled (nothing is half-added
 * for the failing case; earlier cases of the file stay). */
int ct_scenarios_parse(ct_cases *cs, const char *text, const char *source, char *err,
                       size_t errlen);
int ct_step_op_known(const char *op);

/* Replace ${name} in IN by VARS[name] (strings as is, numbers as integers).
 * Returns a new string (caller frees), or NULL when a variable is unknown (then
 * MISSING, if not NULL, receives a copy of the name, caller frees). */
char *ct_subst(const char *in, const cJSON *vars, char **missing);

/* Evaluate an integer expression of decimal numbers joined by + - * (left to right,
 * * before + and -), after substitution. Returns 0 and sets OUT, or -1. */
int ct_eval(const char *expr, const cJSON *vars, long *out);

/* Does ACTUAL match the pattern EXPECTED? Objects match when every expected key
 * matches (extra actual keys allowed unless EXACT); arrays need equal length; the
 * strings "$any", "$string", "$number", "$object", "$array" match by type. */
int ct_json_match(const cJSON *expected, const cJSON *actual, int exact);

#endif
