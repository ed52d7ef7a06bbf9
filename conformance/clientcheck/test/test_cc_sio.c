/* The case layer's Socket.IO reader (cc_sio_parse): what the cases grade a client's
 * packets with. Pure: no server, no client. */
#include <criterion/criterion.h>
#include <string.h>

#include "cc_script.h"

static cc_sio parse_ok(const char *t) {
  cc_sio s;
  cr_assert_eq(cc_sio_parse(t, strlen(t), &s), 0, "%s", t);
  return s;
}

Test(cc_sio, connect_without_and_with_payload) {
  cc_sio s = parse_ok("40");
  cr_assert_eq(s.type, 0);
  cr_assert_str_eq(s.nsp, "/");
  cr_assert_eq(s.ack, -1);
  cr_assert_null(s.data);
  cc_sio_free(&s);
  s = parse_ok("40{\"token\":\"x\"}");
  cr_assert(cJSON_IsObject(s.data));
  cc_sio_free(&s);
}

Test(cc_sio, binary_ack_with_namespace_and_id) {
  cc_sio s = parse_ok("463-/chat,17[{\"_placeholder\":true,\"num\":0}]");
  cr_assert_eq(s.type, 6);
  cr_assert_eq(s.attachments, 3);
  cr_assert_str_eq(s.nsp, "/chat");
  cr_assert_eq(s.ack, 17);
  cr_assert(cJSON_IsArray(s.data));
  cc_sio_free(&s);
}

Test(cc_sio, event_ack_id_then_array) {
  cc_sio s = parse_ok("42123[\"e\",1]");
  cr_assert_eq(s.type, 2);
  cr_assert_eq(s.ack, 123);
  cr_assert_eq(cJSON_GetArraySize(s.data), 2);
  cc_sio_free(&s);
}

Test(cc_sio, refuses_what_is_not_a_socketio_packet) {
  cc_sio s;
  const char *bad[] = {"", "4", "3", "47[]", "45[\"x\"]", "45-", "42[\"x\"", "2probe"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_eq(cc_sio_parse(bad[i], strlen(bad[i]), &s), -1, "%s", bad[i]);
    cc_sio_free(&s);
  }
}

/* [CC-11]: a contract line names its namespace as its last word; "/" lines name none, and
 * a reason (which never starts with '/') is not a namespace. */
Test(cc_sio, contract_line_namespace) {
  cr_assert(cc_line_in_ns("connect", "/"));
  cr_assert(cc_line_in_ns("connect", NULL));
  cr_assert(cc_line_in_ns("disconnect io server disconnect", "/"));
  cr_assert_not(cc_line_in_ns("disconnect io server disconnect /other", "/"));
  cr_assert(cc_line_in_ns("disconnect io server disconnect /other", "/other"));
  cr_assert(cc_line_in_ns("connect_error {\"message\":\"a b\"} /other", "/other"));
  cr_assert_not(cc_line_in_ns("connect /other", "/oth"));
  cr_assert_not(cc_line_in_ns("connect", "/other"));
}
