/* Cluster cases between the nodes (cl_cases_adapter.c): a Socket.IO session on every
 * node, broadcasts to rooms, the namespace and with except, remote joins and leaves,
 * server-side events and broadcasts with acks. Each is a C probe of cl_cases.c's table. */
#ifndef CL_CASES_ADAPTER_H
#define CL_CASES_ADAPTER_H

#include "ct_client.h"

void cl_case_connect(ct_run *r);
void cl_case_room(ct_run *r);
void cl_case_namespace(ct_run *r);
void cl_case_except(ct_run *r);
void cl_case_remote_join(ct_run *r);
void cl_case_ssemit(ct_run *r);
void cl_case_bcast_ack(ct_run *r);

#endif
