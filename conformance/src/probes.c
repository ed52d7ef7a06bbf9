/* C probes: cases the step language cannot say (registered in ct_probes_register). */
#include "ct.h"

void ct_probes_register(ct_cases *cs) { (void)cs; }
