/* sioload's phases (README: ramp, idle, echo, broadcast, churn), each bounded in time
 * and written as one or more lt_result rows, and the client callbacks that count acks
 * and deliveries for them. */
#ifndef SIOLOAD_LT_PHASES_H
#define SIOLOAD_LT_PHASES_H

#include <stdint.h>

#include "lt_client.h"

/* The callbacks to install in the run's lt_ctx before the first phase. */
lt_hooks lt_phase_hooks(void);

void lt_phase_ramp(void);
/* SRV_BEFORE / SELF_BEFORE: RSS in KiB of the server (-1 unknown) and of sioload
 * before the ramp. */
void lt_phase_idle(long srv_before, long self_before);
void lt_phase_echo(uint32_t inflight);
void lt_phase_broadcast(uint32_t size);
void lt_phase_churn(void);

#endif
