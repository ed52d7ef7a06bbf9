/* The scenario loader (scenario.c): reads the .json files of vectors/scenarios/ and validates every
 * case and step against the op table (ct_ops.h). */
#ifndef CT_SCENARIO_H
#define CT_SCENARIO_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "ct_client.h"

/* Parse scenario file TEXT (named SOURCE in messages) and append its cases to CS.
 * Returns the number of cases added, or -1 with ERR filled (nothing is half-added
 * for the failing case; earlier cases of the file stay). */
int ct_scenarios_parse(ct_cases *cs, const char *text, const char *source, char *err,
                       size_t errlen);
int ct_step_op_known(const char *op);
/* Load every .json file of DIR, or one FILE, appending to CS; -1 with ERR filled. */
int ct_scenarios_load_dir(ct_cases *cs, const char *dir, char *err, size_t errlen);
int ct_scenarios_load_file(ct_cases *cs, const char *file, char *err, size_t errlen);

/* The largest "count" of a "repeat" step: a flood is written once, never unbounded. */
#define CT_REPEAT_MAX 2000

#endif
