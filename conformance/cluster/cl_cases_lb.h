/* Cluster cases through the load balancer, and a node going down (cl_cases_lb.c). Each
 * is a C probe of cl_cases.c's table; without --via the balancer cases are SKIP, without
 * --kill/--kill-cmd the failover case is. */
#ifndef CL_CASES_LB_H
#define CL_CASES_LB_H

#include "ct_client.h"

void cl_case_sticky(ct_run *r);
void cl_case_lb_websocket(ct_run *r);
void cl_case_lb_upgrade(ct_run *r);
void cl_case_lb_idle(ct_run *r);
void cl_case_failover(ct_run *r);

#endif
