/* The cluster cases (cl_cases.c): their table (ids cluster.<area>.<name>, titles, spec
 * tags, levels, transports) registered as C probes, in the order they run. The
 * failover case, which stops a node, is last. */
#ifndef CL_CASES_H
#define CL_CASES_H

#include "ct_client.h"

/* The root case of the cluster runs' preambles: a Socket.IO session on every node. */
#define CL_ROOT_CONNECT "cluster.node.connect"
/* The root of the polling cases through the load balancer: sticky sessions. */
#define CL_ROOT_STICKY "cluster.lb.sticky-polling"

/* Add every cluster case to CS. */
void cl_cases_register(ct_cases *cs);

/* The comma-separated spec tags of every case, one string per case, NULL-terminated
 * (the unit test checks each is defined in spec/). */
const char *const *cl_cases_tags(void);

#endif
