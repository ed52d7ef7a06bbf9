/* The client cases (cc_cases.c): one C probe per case, registered as ordinary cases so
 * that the scheduler, the verdicts and every report writer treat them as server cases. */
#ifndef CC_CASES_H
#define CC_CASES_H

#include "ct_case.h"

/* Add every client case (ids client.<area>.<name>) to CS. */
void cc_cases_register(ct_cases *cs);

#endif
