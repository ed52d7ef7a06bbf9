/* The client cases of the Engine.IO layer: handshake, heartbeat, polling, upgrade (cc_cases_eio.c):
 * one C probe each, registered by the table in cc_cases.c. */
#ifndef CC_CASES_EIO_H
#define CC_CASES_EIO_H

#include "ct_verdict.h"

void c_open_read(ct_run *r);
void c_extra_fields(ct_run *r);
void c_sid_on_requests(ct_run *r);
void c_timings_honoured(ct_run *r);
void c_pong(ct_run *r);
void c_no_client_ping(ct_run *r);
void c_silent_server(ct_run *r);
void c_batched(ct_run *r);
void c_one_get(ct_run *r);
void c_max_payload(ct_run *r);
void c_upgrade(ct_run *r);
void c_upgrade_failed(ct_run *r);
void c_timer_reset(ct_run *r);
void c_handshake_query(ct_run *r);
void c_handshake_refused(ct_run *r);
void c_batched_binary(ct_run *r);
void c_upgrade_buffered(ct_run *r);
void c_upgrade_not_offered(ct_run *r);

#endif
