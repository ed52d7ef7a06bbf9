/* Cases written in C (probes.c), for checks the step language cannot express. */
#ifndef CT_PROBES_H
#define CT_PROBES_H

#include "ct_case.h"

/* Append the C probes to CS. */
void ct_probes_register(ct_cases *cs);

#endif
