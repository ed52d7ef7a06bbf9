/* The client cases of the Socket.IO layer (cc_cases_sio.c): one C
 * probe each, registered by the table in cc_cases.c. */
#ifndef CC_CASES_SIO_H
#define CC_CASES_SIO_H

#include "ct_verdict.h"

void c_connect_no_auth(ct_run *r);
void c_connect_auth(ct_run *r);
void c_connect_answer(ct_run *r);
void c_connect_error(ct_run *r);
void c_echo_ack(ct_run *r);
void c_echo_event(ct_run *r);
void c_binary_ack(ct_run *r);
void c_ack_result(ct_run *r);
void c_ack_ids(ct_run *r);
void c_disconnect_request(ct_run *r);
void c_server_disconnect(ct_run *r);
void c_event_before_connect(ct_run *r);
void c_binary_three(ct_run *r);
void c_utf8(ct_run *r);
void c_large(ct_run *r);
void c_server_close(ct_run *r);
void c_ns_join(ct_run *r);
void c_ns_auth(ct_run *r);
void c_ns_disconnect(ct_run *r);
void c_ns_disconnect_all(ct_run *r);
void c_ns_refused(ct_run *r);
void c_ns_event_before_connect(ct_run *r);
void c_binary_emit(ct_run *r);
void c_binary_echo_three(ct_run *r);
void c_large_binary(ct_run *r);
void c_ack_duplicate(ct_run *r);
void c_ack_unknown(ct_run *r);
void c_no_handler(ct_run *r);
void c_event_order(ct_run *r);
void c_utf8_ack(ct_run *r);
void c_connect_error_no_data(ct_run *r);

#endif
