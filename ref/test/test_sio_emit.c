/* Tests of the Socket.IO layer's send side (sio_emit.c): events, acks both ways,
 * binary packets, ack deadlines, large packets, a connection gone during a broadcast.
 * Spec tags: SIO-EV, SIO-ACK, SIO-BIN, SIO-LIM-3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/err.h"
#include "test_sio_app.h"

/* ---------------------------------------------------------------- events */

Test(sio, events_reach_the_namespace_with_args_text) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  fake_join(&W, 0, "/chat", 1);
  cr_assert_eq(fake_text(&W, 0, "2[\"hello\",1,{\"a\":[2]}]", 2), 0);
  cr_assert_eq(fake_text(&W, 0, "2/chat,[\"bare\"]", 3), 0);
  cr_assert_eq(fake_text(&W, 0, "2/chat,7[ \"sp\" , \"x\" ]", 4), 0);
  cr_assert_eq(LOG.events, 3);
  cr_assert_str_eq(LOG.ev_name[0], "hello");
  cr_assert_str_eq(LOG.ev_args[0], "1,{\"a\":[2]}");
  cr_assert_eq(LOG.ev_ack[0], SIO_NO_ACK_ID);
  cr_assert_str_eq(LOG.ev_name[1], "bare");
  cr_assert_str_eq(LOG.ev_args[1], "");
  cr_assert_str_eq(LOG.ev_args[2], "\"x\"");
  cr_assert_eq(LOG.ev_ack[2], 7);
  fake_expect_none(&W, 0);
}

Test(sio, emit_and_ack_reply_wire_forms) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/chat", 1);
  sio_socket *s = LOG.last_socket;
  cr_assert_eq(sio_socket_emit(s, "n\"q", S("1,\"two\""), NULL, 0, NULL), 0);
  fake_expect(&W, 0, "2/chat,[\"n\\\"q\",1,\"two\"]");
  cr_assert_eq(sio_socket_emit(s, "none", S(""), NULL, 0, NULL), 0);
  fake_expect(&W, 0, "2/chat,[\"none\"]");
  cr_assert_eq(sio_socket_ack(s, 42, S("null"), NULL, 0), 0);
  fake_expect(&W, 0, "3/chat,42[null]");
  cr_assert_eq(sio_socket_ack(s, 43, S(""), NULL, 0), 0);
  fake_expect(&W, 0, "3/chat,43[]");
  cr_assert_eq(sio_socket_ack(s, -1, S(""), NULL, 0), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_socket_emit(s, NULL, S(""), NULL, 0, NULL), REF_ERR_INVALID_ARGUMENT);
  /* invalid JSON from the application is refused by the encoder, nothing is sent */
  cr_assert_lt(sio_socket_emit(s, "x", S("{bad"), NULL, 0, NULL), 0);
  fake_expect_none(&W, 0);
}

/* ---------------------------------------------------------------- server acks */

Test(sio, server_ack_ok_then_late_duplicate_ignored) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_socket *s = LOG.last_socket;
  sio_ack_request req = {app_ack, NULL, 0};
  int wakes = W.wakes;
  cr_assert_eq(sio_socket_emit(s, "q", S("1"), NULL, 0, &req), 0);
  cr_assert_gt(W.wakes, wakes);
  fake_expect(&W, 0, "20[\"q\",1]");
  cr_assert_eq(sio_socket_emit(s, "q", S("2"), NULL, 0, &req), 0);
  fake_expect(&W, 0, "21[\"q\",2]");
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), 1 + 500);
  cr_assert_eq(fake_text(&W, 0, "31[\"b\"]", 10), 0);
  cr_assert_eq(LOG.acks, 1);
  cr_assert_eq(LOG.ack_status[0], SIO_ACK_OK);
  cr_assert_str_eq(LOG.ack_args[0], "\"b\"");
  cr_assert_eq(fake_text(&W, 0, "31[\"again\"]", 11), 0); /* answered already: ignored */
  cr_assert_eq(fake_text(&W, 0, "399[]", 11), 0);         /* never issued: ignored */
  cr_assert_eq(fake_text(&W, 0, "30[]", 12), 0);
  cr_assert_eq(LOG.acks, 2);
  cr_assert_str_eq(LOG.ack_args[1], "");
  cr_assert_eq(W.conns[0].closes, 0);
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), SIO_NO_DEADLINE);
}

Test(sio, server_ack_timeout_then_late_answer_ignored) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 100);
  sio_socket *s = LOG.last_socket;
  sio_ack_request req = {app_ack, NULL, 1000};
  cr_assert_eq(sio_socket_emit(s, "q", S(""), NULL, 0, &req), 0);
  fake_expect(&W, 0, "20[\"q\"]");
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), 1100);
  cr_assert_eq(sio_client_tick(W.conns[0].c, 1099), 0);
  cr_assert_eq(LOG.acks, 0);
  cr_assert_eq(sio_client_tick(W.conns[0].c, 1100), 0);
  cr_assert_eq(LOG.acks, 1);
  cr_assert_eq(LOG.ack_status[0], SIO_ACK_TIMEOUT);
  cr_assert_eq(fake_text(&W, 0, "30[1]", 1200), 0);
  cr_assert_eq(LOG.acks, 1);
  cr_assert_eq(W.conns[0].closes, 0);
}

Test(sio, server_ack_cancelled_on_disconnect) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_socket *s = LOG.last_socket;
  sio_ack_request req = {app_ack, NULL, 0};
  LOG.emit_in_cancel = true;
  cr_assert_eq(sio_socket_emit(s, "q", S(""), NULL, 0, &req), 0);
  cr_assert_eq(sio_socket_emit(s, "q", S(""), NULL, 0, &req), 0);
  cr_assert_eq(fake_text(&W, 0, "1", 2), 0);
  cr_assert_eq(LOG.acks, 2);
  cr_assert_eq(LOG.ack_status[0], SIO_ACK_CANCELLED);
  cr_assert_eq(LOG.ack_status[1], SIO_ACK_CANCELLED);
  cr_assert_eq(LOG.emit_rc_in_cancel, REF_ERR_BAD_STATE);
  cr_assert_eq(LOG.disconnects, 1);
}

/* SIO-LIM-3: outstanding server-issued ack requests per socket are bounded */
Test(sio, pending_ack_limit) {
  memset(&LOG, 0, sizeof LOG);
  fake_stop(&W);
  memset(&W, 0, sizeof W);
  sio_server_config cfg = base_cfg();
  cfg.max_pending_acks = 2;
  fake_start(&W, &cfg);
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_ack_request req = {app_ack, NULL, 0};
  cr_assert_eq(sio_socket_emit(LOG.last_socket, "q", S(""), NULL, 0, &req), 0);
  cr_assert_eq(sio_socket_emit(LOG.last_socket, "q", S(""), NULL, 0, &req), 0);
  cr_assert_eq(sio_socket_emit(LOG.last_socket, "q", S(""), NULL, 0, &req),
               REF_ERR_BUFFER_TOO_SMALL);
  cr_assert_eq(sio_socket_emit(LOG.last_socket, "q", S(""), NULL, 0, NULL), 0);
}

/* ---------------------------------------------------------------- binary */

Test(sio, binary_event_one_attachment_in) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  cr_assert_eq(fake_text(&W, 0, "51-[\"up\",{\"_placeholder\":true,\"num\":0}]", 2), 0);
  cr_assert_eq(LOG.events, 0);
  const uint8_t b0[] = {1, 2, 3};
  cr_assert_eq(fake_bin(&W, 0, b0, 3, 3), 0);
  cr_assert_eq(LOG.events, 1);
  cr_assert_str_eq(LOG.ev_name[0], "up");
  cr_assert_str_eq(LOG.ev_args[0], "{\"_placeholder\":true,\"num\":0}");
  cr_assert_eq(LOG.ev_natt[0], 1);
  cr_assert(memcmp(LOG.ev_att0[0], b0, 3) == 0);
}

Test(sio, binary_event_three_attachments_in_with_ack) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/chat", 1);
  cr_assert_eq(
      fake_text(&W, 0,
                "53-/chat,9[\"up\",{\"_placeholder\":true,\"num\":2},"
                "[{\"_placeholder\":true,\"num\":0}],{\"k\":{\"_placeholder\":true,\"num\":1}}]",
                2),
      0);
  cr_assert_eq(fake_bin(&W, 0, "A", 1, 3), 0);
  cr_assert_eq(fake_bin(&W, 0, "BB", 2, 3), 0);
  cr_assert_eq(LOG.events, 0);
  cr_assert_eq(fake_bin(&W, 0, "", 0, 3), 0); /* an empty attachment is fine */
  cr_assert_eq(LOG.events, 1);
  cr_assert_eq(LOG.ev_natt[0], 3);
  cr_assert_str_eq(LOG.ev_att0[0], "A");
  cr_assert_eq(LOG.ev_ack[0], 9);
}

Test(sio, binary_emit_and_binary_ack_out) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_socket *s = LOG.last_socket;
  ref_span att[3] = {{(const uint8_t *)"\x00\x01", 2}, {(const uint8_t *)"x", 1}, {NULL, 0}};
  cr_assert_eq(sio_socket_emit(s, "bin",
                               S("{\"_placeholder\":true,\"num\":0},"
                                 "{\"_placeholder\":true,\"num\":1},"
                                 "{\"_placeholder\":true,\"num\":2}"),
                               att, 3, NULL),
               0);
  fake_expect(&W, 0,
              "53-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},"
              "{\"_placeholder\":true,\"num\":2}]");
  fake_expect_bin(&W, 0, "\x00\x01", 2);
  fake_expect_bin(&W, 0, "x", 1);
  fake_expect_bin(&W, 0, "", 0);
  cr_assert_eq(sio_socket_ack(s, 5, S("{\"_placeholder\":true,\"num\":0}"), att, 1), 0);
  fake_expect(&W, 0, "61-5[{\"_placeholder\":true,\"num\":0}]");
  fake_expect_bin(&W, 0, "\x00\x01", 2);
  /* placeholders that do not match the attachments are refused, nothing sent */
  cr_assert_lt(sio_socket_emit(s, "bin", S("1"), att, 1, NULL), 0);
  fake_expect_none(&W, 0);
}

Test(sio, binary_ack_from_client_to_server_request) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_ack_request req = {app_ack, NULL, 0};
  cr_assert_eq(sio_socket_emit(LOG.last_socket, "q", S(""), NULL, 0, &req), 0);
  fake_expect(&W, 0, "20[\"q\"]");
  cr_assert_eq(
      fake_text(&W, 0, "62-0[{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]",
                2),
      0);
  cr_assert_eq(fake_bin(&W, 0, "a", 1, 2), 0);
  cr_assert_eq(LOG.acks, 0);
  cr_assert_eq(fake_bin(&W, 0, "b", 1, 2), 0);
  cr_assert_eq(LOG.acks, 1);
  cr_assert_eq(LOG.ack_status[0], SIO_ACK_OK);
  cr_assert_eq(LOG.ack_natt[0], 2);
}

Test(sio, ack_deadline_uses_the_servers_latest_time) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_socket *quiet = LOG.last_socket;
  fake_open(&W, 1, 0);
  fake_join(&W, 1, "/", 5000); /* the server has now seen t=5000 */
  sio_ack_request req = {app_ack, NULL, 0};
  int wakes = W.wakes;
  cr_assert_eq(sio_socket_emit(quiet, "q", S(""), NULL, 0, &req), 0);
  cr_assert_eq(W.wakes, wakes + 1);
  cr_assert_eq(sio_socket_now_ms(quiet), 5000);
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), 5500);
  cr_assert_eq(sio_server_next_deadline(W.srv), 5500);
  cr_assert_eq(sio_server_tick(W.srv, 5499), 0);
  cr_assert_eq(sio_server_tick(W.srv, 5500), 1);
  cr_assert_eq(LOG.ack_status[0], SIO_ACK_TIMEOUT);
}

Test(sio, connection_gone_during_broadcast_send) {
  sio_socket *s[4];
  for (int i = 0; i < 4; i++) {
    fake_open(&W, i, 0);
    fake_join(&W, i, "/", 1);
    s[i] = LOG.last_socket;
    cr_assert_eq(sio_socket_join(s[i], "r", 1), 0);
  }
  sio_namespace *root = sio_server_namespace(W.srv, "/");
  W.gone_on_send = W.conns[2].c;
  cr_assert_eq(sio_namespace_emit(root, "r", 1, NULL, "m", S(""), NULL, 0), 3);
  cr_assert_eq(LOG.disconnects, 1);
  cr_assert_eq(LOG.dc_why[0], SIO_DC_TRANSPORT_CLOSE);
  for (int i = 0; i < 4; i++)
    if (i != 2) fake_expect(&W, i, "2[\"m\"]");
  fake_expect_none(&W, 2);
  W.gone_on_send = W.conns[1].c;
  cr_assert_eq(sio_namespace_emit(root, NULL, 0, NULL, "b", S(""), NULL, 0), 2);
  fake_expect(&W, 0, "2[\"b\"]");
  fake_expect(&W, 3, "2[\"b\"]");
  fake_expect_none(&W, 1);
  /* a unicast emit with ack whose send reports the connection gone */
  W.gone_on_send = W.conns[3].c;
  sio_ack_request req = {app_ack, NULL, 0};
  cr_assert_lt(sio_socket_emit(s[3], "q", S(""), NULL, 0, &req), 0); /* the send's error */
  cr_assert_eq(LOG.acks, 0);
  cr_assert_eq(sio_namespace_socket_count(root), 1);
}

Test(sio, large_packets_and_escaped_names) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/chat", 1);
  sio_socket *s = LOG.last_socket;
  /* a packet larger than the encoder's stack buffer, text and binary */
  size_t big = 5000;
  char *arg = malloc(big + 3);
  cr_assert_not_null(arg);
  arg[0] = '"';
  memset(arg + 1, 'x', big);
  arg[big + 1] = '"';
  arg[big + 2] = 0;
  cr_assert_eq(sio_socket_emit(s, "big", S(arg), NULL, 0, NULL), 0);
  const fake_msg *m = fake_next(&W, 0);
  cr_assert_not_null(m);
  cr_assert_eq(m->len, strlen("2/chat,[\"big\",]") + big + 2);
  cr_assert(strncmp((const char *)m->data, "2/chat,[\"big\",\"xxx", 18) == 0);
  char *args = malloc(big + 64);
  cr_assert_not_null(args);
  snprintf(args, big + 64, "%s,{\"_placeholder\":true,\"num\":0}", arg);
  ref_span att[1] = {{(const uint8_t *)"b", 1}};
  cr_assert_eq(sio_socket_emit(s, "big", S(args), att, 1, NULL), 0);
  m = fake_next(&W, 0);
  cr_assert_not_null(m);
  cr_assert(strncmp((const char *)m->data, "51-/chat,[\"big\",\"xxx", 20) == 0);
  cr_assert(strstr((const char *)m->data, "\",{\"_placeholder\":true,\"num\":0}]") != NULL);
  fake_expect_bin(&W, 0, "b", 1);
  /* the same large packet in: the event handler sees the whole argument */
  char *in = malloc(big + 64);
  cr_assert_not_null(in);
  snprintf(in, big + 64, "2/chat,[\"in\",%s]", arg);
  cr_assert_eq(fake_text(&W, 0, in, 2), 0);
  cr_assert_eq(LOG.events, 1);
  free(arg);
  free(args);
  free(in);
  /* event names are JSON-escaped by the layer */
  cr_assert_eq(sio_socket_emit(s, "a\\b\n\r\t\x01\"", S(""), NULL, 0, NULL), 0);
  fake_expect(&W, 0, "2/chat,[\"a\\\\b\\n\\r\\t\\u0001\\\"\"]");
}
