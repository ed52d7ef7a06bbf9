/* Tests of the sans-I/O Socket.IO server layer (sio_server.c) through a fake transport
 * on a virtual clock: configuration, namespaces, auth, connect timeout, disconnects,
 * invalid states and hostile input. Spec tags: SIO-NS, SIO-AUTH, SIO-DC, SIO-LIM.
 * Sends and acks: test_sio_emit.c; rooms: test_sio_room.c (same binary, same app). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/err.h"
#include "test_sio_app.h"

/* ---------------------------------------------------------------- config */

Test(sio_config, rejects_bad_configs) {
  fake_world w;
  memset(&w, 0, sizeof w);
  sio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cr_assert_null(sio_server_new(NULL));
  cr_assert_null(sio_server_new(&cfg)); /* no callbacks */
  fake_wire(&w, &cfg);
  cr_assert_null(sio_server_new(&cfg)); /* no namespaces */
  sio_namespace_config bad[] = {{"chat", NULL, NULL, NULL, NULL, NULL}};
  cfg.namespaces = bad;
  cfg.n_namespaces = 1;
  cr_assert_null(sio_server_new(&cfg)); /* name without '/' */
  sio_namespace_config dup[] = {{"/a", NULL, NULL, NULL, NULL, NULL},
                                {"/a", NULL, NULL, NULL, NULL, NULL}};
  cfg.namespaces = dup;
  cfg.n_namespaces = 2;
  cr_assert_null(sio_server_new(&cfg)); /* duplicate */
  cfg.n_namespaces = 1;
  sio_server *srv = sio_server_new(&cfg);
  cr_assert_not_null(srv);
  cr_assert_not_null(sio_server_namespace(srv, "/a"));
  cr_assert_null(sio_server_namespace(srv, "/b"));
  cr_assert_eq(sio_server_next_deadline(srv), SIO_NO_DEADLINE);
  sio_server_free(srv);
}

/* ---------------------------------------------------------------- namespaces */

Test(sio, connect_root_replies_sid) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0", 10), 0);
  const fake_msg *m = fake_next(&W, 0);
  cr_assert_not_null(m);
  /* SIO-NS: 0{"sid":"<20 chars>"} */
  cr_assert_eq(m->len, strlen("0{\"sid\":\"\"}") + SIO_SID_LEN, "%s", (const char *)m->data);
  cr_assert(strncmp((const char *)m->data, "0{\"sid\":\"", 9) == 0);
  cr_assert_eq(LOG.connects, 1);
  cr_assert(memcmp(m->data + 9, sio_socket_id(LOG.last_socket), SIO_SID_LEN) == 0);
  cr_assert_eq(sio_client_socket_count(W.conns[0].c), 1);
  cr_assert_eq(sio_namespace_socket_count(sio_server_namespace(W.srv, "/")), 1);
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), SIO_NO_DEADLINE);
  ref_span a = sio_socket_auth(LOG.last_socket);
  cr_assert_eq(a.len, 2);
  cr_assert(memcmp(a.ptr, "{}", 2) == 0);
}

Test(sio, connect_custom_namespace_and_sids_differ) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  const char *sid1 = sio_socket_id(LOG.last_socket);
  char keep[SIO_SID_LEN + 1];
  strcpy(keep, sid1);
  cr_assert_eq(fake_text(&W, 0, "0/chat,", 2), 0);
  fake_expect_prefix(&W, 0, "0/chat,{\"sid\":\"");
  cr_assert_str_neq(keep, sio_socket_id(LOG.last_socket));
  cr_assert_eq(sio_client_socket_count(W.conns[0].c), 2);
}

Test(sio, unknown_namespace_is_refused_and_connection_stays) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0/nope,", 1), 0);
  fake_expect(&W, 0, "4/nope,{\"message\":\"Invalid namespace\"}");
  cr_assert_eq(W.conns[0].closes, 0);
  fake_join(&W, 0, "/", 2);
  fake_expect_none(&W, 0);
}

Test(sio, connect_timeout_closes_when_nothing_joined) {
  fake_open(&W, 0, 5000);
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), 6000);
  cr_assert_eq(sio_server_next_deadline(W.srv), 6000);
  cr_assert_eq(sio_client_tick(W.conns[0].c, 5999), 0);
  cr_assert_eq(W.conns[0].closes, 0);
  /* a refused CONNECT does not stop the timer */
  cr_assert_eq(fake_text(&W, 0, "0/nope,", 5500), 0);
  fake_expect_prefix(&W, 0, "4/nope,");
  cr_assert_eq(sio_server_tick(W.srv, 6000), 1);
  cr_assert_eq(W.conns[0].closes, 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_CONNECT_TIMEOUT);
  cr_assert(sio_client_is_closed(W.conns[0].c));
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), SIO_NO_DEADLINE);
  cr_assert_eq(fake_text(&W, 0, "0", 6001), REF_ERR_BAD_STATE);
  fake_expect_none(&W, 0);
}

Test(sio, connect_in_time_cancels_timeout) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/chat", 999);
  cr_assert_eq(sio_client_tick(W.conns[0].c, 100000), 0);
  cr_assert_eq(W.conns[0].closes, 0);
  /* leaving every namespace does not re-arm it (as socket.io 4.8.4) */
  cr_assert_eq(fake_text(&W, 0, "1/chat,", 100001), 0);
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), SIO_NO_DEADLINE);
  cr_assert_eq(LOG.dc_why[0], SIO_DC_CLIENT_NAMESPACE_DISCONNECT);
}

/* ---------------------------------------------------------------- auth */

Test(sio, auth_accepts_and_passes_payload) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"ok\":true}", 1), 0);
  fake_expect_prefix(&W, 0, "0/auth,{\"sid\":\"");
  cr_assert_str_eq(LOG.auth_seen, "{\"ok\":true}");
  ref_span a = sio_socket_auth(LOG.last_socket);
  cr_assert_eq(a.len, 11);
}

Test(sio, auth_rejects_with_message_and_data) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0/auth,", 1), 0);
  cr_assert_str_eq(LOG.auth_seen, "{}"); /* none sent: the hook sees {} */
  fake_expect(&W, 0, "4/auth,{\"message\":\"unauthorized\",\"data\":{\"reason\":\"bad\"}}");
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"nodata\":1}", 2), 0);
  fake_expect(&W, 0, "4/auth,{\"message\":\"say \\\"no\\\"\"}");
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"nomsg\":1}", 3), 0);
  fake_expect(&W, 0, "4/auth,{\"message\":\"unauthorized\"}");
  cr_assert_eq(LOG.connects, 0);
  cr_assert_eq(W.conns[0].closes, 0);
  /* a later good CONNECT succeeds on the same connection */
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"ok\":true}", 4), 0);
  fake_expect_prefix(&W, 0, "0/auth,{\"sid\":");
  cr_assert_eq(LOG.connects, 1);
}

Test(sio, auth_hook_closing_the_client_is_safe) {
  fake_open(&W, 0, 0);
  LOG.close_in_auth = true;
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"ok\":true}", 1), 1);
  cr_assert_eq(W.conns[0].closes, 1);
  cr_assert_eq(LOG.connects, 0);
  fake_expect_none(&W, 0);
}

Test(sio, random_failure_closes_internal) {
  fake_open(&W, 0, 0);
  W.fail_random = true;
  cr_assert_eq(fake_text(&W, 0, "0", 1), 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_INTERNAL);
  cr_assert_eq(LOG.connects, 0);
}

/* ---------------------------------------------------------------- disconnects */

Test(sio, server_disconnect_keeps_connection_for_other_namespaces) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/chat", 1);
  sio_socket *chat = LOG.last_socket;
  fake_join(&W, 0, "/", 1);
  cr_assert_eq(sio_socket_disconnect(chat), 0);
  fake_expect(&W, 0, "1/chat,");
  cr_assert_eq(LOG.disconnects, 1);
  cr_assert_eq(LOG.dc_why[0], SIO_DC_SERVER_NAMESPACE_DISCONNECT);
  cr_assert_eq(W.conns[0].closes, 0);
  cr_assert_eq(sio_client_socket_count(W.conns[0].c), 1);
  cr_assert_eq(fake_text(&W, 0, "2[\"still\"]", 2), 0);
  cr_assert_eq(LOG.events, 1);
  /* rejoining the namespace is allowed */
  fake_join(&W, 0, "/chat", 3);
}

Test(sio, disconnect_from_own_event_hook) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  LOG.disconnect_in_event = true;
  cr_assert_eq(fake_text(&W, 0, "2[\"bye\"]", 2), 0);
  fake_expect(&W, 0, "1");
  cr_assert_eq(LOG.disconnects, 1);
  cr_assert_eq(W.conns[0].closes, 0);
}

Test(sio, client_close_sends_disconnects_then_closes) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  fake_join(&W, 0, "/chat", 1);
  LOG.close_in_event = true;
  cr_assert_eq(fake_text(&W, 0, "2[\"close\",{\"x\":1}]", 2), 1);
  /* most recent join first: order is not part of the contract, both must come */
  const fake_msg *a = fake_next(&W, 0), *b = fake_next(&W, 0);
  cr_assert(a && b);
  cr_assert((strcmp((char *)a->data, "1") == 0 && strcmp((char *)b->data, "1/chat,") == 0) ||
            (strcmp((char *)b->data, "1") == 0 && strcmp((char *)a->data, "1/chat,") == 0));
  fake_expect_none(&W, 0);
  cr_assert_eq(W.conns[0].closes, 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_BY_SERVER);
  cr_assert_eq(LOG.disconnects, 2);
}

Test(sio, transport_close_runs_disconnect_hooks_once) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  fake_join(&W, 0, "/chat", 1);
  sio_client_on_closed(W.conns[0].c, 0);
  sio_client_on_closed(W.conns[0].c, 0);
  cr_assert_eq(LOG.disconnects, 2);
  cr_assert_eq(LOG.dc_why[0], SIO_DC_TRANSPORT_CLOSE);
  cr_assert_eq(W.conns[0].closes, 0);
  fake_expect_none(&W, 0);
  cr_assert_eq(sio_namespace_socket_count(sio_server_namespace(W.srv, "/")), 0);
}

/* ---------------------------------------------------------------- invalid states */

Test(sio, event_for_unjoined_namespace_closes) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  cr_assert_eq(fake_text(&W, 0, "2/chat,[\"x\"]", 2), 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_INVALID_STATE);
  cr_assert_eq(LOG.dc_why[0], SIO_DC_PEER_ERROR);
  fake_expect_none(&W, 0); /* no DISCONNECT packets on a violation */
}

Test(sio, double_connect_closes) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  cr_assert_eq(fake_text(&W, 0, "0", 2), 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_INVALID_STATE);
}

Test(sio, connect_error_from_client_closes) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  cr_assert_eq(fake_text(&W, 0, "4{\"message\":\"x\"}", 2), 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_INVALID_STATE);
}

Test(sio, disconnect_for_unjoined_namespace_closes) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "1/chat,", 2), 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_INVALID_STATE);
}

/* ---------------------------------------------------------------- hostile input */

/* Each bad input closes only its own connection; connection 1 keeps working. */
static void expect_violation(const char *const *texts, const size_t *bins, size_t n, int err) {
  fake_open(&W, 0, 0);
  fake_open(&W, 1, 0);
  fake_join(&W, 0, "/", 1);
  fake_join(&W, 1, "/", 1);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (texts[i])
      rc = fake_text(&W, 0, texts[i], 2);
    else
      rc = fake_bin(&W, 0, "xyz", bins ? bins[i] : 3, 2);
  }
  cr_assert_eq(rc, 1);
  cr_assert_eq(W.conns[0].closes, 1);
  if (err) cr_assert_eq(W.conns[0].close_reason, err, "reason %d", W.conns[0].close_reason);
  cr_assert_eq(LOG.disconnects, 1);
  cr_assert_eq(LOG.dc_why[0], SIO_DC_PEER_ERROR);
  fake_expect_none(&W, 0);
  cr_assert_eq(W.conns[1].closes, 0);
  cr_assert_eq(fake_text(&W, 1, "2[\"ok\"]", 3), 0);
  cr_assert_str_eq(LOG.ev_name[LOG.events - 1], "ok");
}

Test(sio, hostile_bad_type) {
  const char *t[] = {"9"};
  expect_violation(t, NULL, 1, REF_ERR_BAD_PACKET_TYPE);
}

Test(sio, hostile_empty) {
  const char *t[] = {""};
  expect_violation(t, NULL, 1, REF_ERR_EMPTY_PACKET);
}

Test(sio, hostile_bad_json) {
  const char *t[] = {"2[\"a\","};
  expect_violation(t, NULL, 1, REF_ERR_INVALID_JSON);
}

Test(sio, hostile_binary_without_header) {
  const char *t[] = {NULL};
  expect_violation(t, NULL, 1, REF_ERR_UNEXPECTED_BINARY);
}

Test(sio, hostile_text_while_attachments_pending) {
  const char *t[] = {
      "52-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", NULL,
      "2[\"x\"]"};
  expect_violation(t, NULL, 3, REF_ERR_UNEXPECTED_TEXT);
}

Test(sio, hostile_placeholder_out_of_range) {
  const char *t[] = {"51-[\"a\",{\"_placeholder\":true,\"num\":5}]"};
  expect_violation(t, NULL, 1, REF_ERR_PLACEHOLDER_OUT_OF_RANGE);
}

Test(sio, hostile_bad_placeholder_num) {
  const char *t[] = {"51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]"};
  expect_violation(t, NULL, 1, REF_ERR_BAD_PLACEHOLDER);
}

Test(sio, hostile_too_many_attachments) {
  const char *t[] = {"511-[\"a\"]"};
  expect_violation(t, NULL, 1, REF_ERR_TOO_MANY_ATTACHMENTS);
}

Test(sio, hostile_partial_attachments_then_close_repeated_no_leak) {
  /* A header and some of its attachments, then the transport goes away: repeated on
   * many clients; ASan/valgrind report any leak of the copies. */
  for (int round = 0; round < 200; round++) {
    sio_client *c = sio_client_new(W.srv, &W.conns[0]);
    cr_assert_not_null(c);
    cr_assert_eq(sio_client_open(c, 0), 0);
    const char *j = "0";
    cr_assert_eq(sio_client_on_message(c, false, (const uint8_t *)j, 1, 1), 0);
    const char *h = "53-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
                    "\"num\":1},{\"_placeholder\":true,\"num\":2}]";
    cr_assert_eq(sio_client_on_message(c, false, (const uint8_t *)h, strlen(h), 2), 0);
    for (int k = 0; k < round % 3; k++)
      cr_assert_eq(sio_client_on_message(c, true, (const uint8_t *)"0123456789", 10, 3), 0);
    if (round % 2) sio_client_on_closed(c, 0);
    sio_client_free(c);
  }
  cr_assert_eq(LOG.events, 0);
  cr_assert_eq(LOG.disconnects, 200);
  cr_assert_eq(sio_server_client_count(W.srv), 0);
}

Test(sio, hostile_header_for_unjoined_namespace_after_attachments) {
  /* the namespace check comes when the packet is complete, as in socket.io */
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  cr_assert_eq(fake_text(&W, 0, "51-/chat,[\"a\",{\"_placeholder\":true,\"num\":0}]", 2), 0);
  cr_assert_eq(fake_bin(&W, 0, "q", 1, 3), 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_INVALID_STATE);
}

Test(sio, messages_before_open_or_after_close_are_refused) {
  sio_client *c = sio_client_new(W.srv, &W.conns[0]);
  cr_assert_eq(sio_client_on_message(c, false, (const uint8_t *)"0", 1, 0), REF_ERR_BAD_STATE);
  cr_assert_eq(sio_client_open(c, 0), 0);
  cr_assert_eq(sio_client_open(c, 0), REF_ERR_BAD_STATE);
  cr_assert_eq(sio_client_on_message(c, false, NULL, 1, 0), REF_ERR_INVALID_ARGUMENT);
  sio_client_on_closed(c, 0);
  cr_assert_eq(sio_client_on_message(c, false, (const uint8_t *)"0", 1, 0), REF_ERR_BAD_STATE);
  cr_assert_eq(sio_client_close(c), REF_ERR_BAD_STATE);
  sio_client_free(c);
}

Test(sio, attachment_bytes_limit_closes) {
  memset(&LOG, 0, sizeof LOG);
  fake_stop(&W);
  memset(&W, 0, sizeof W);
  sio_server_config cfg = base_cfg();
  cfg.max_binary_bytes = 10;
  fake_start(&W, &cfg);
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  const char *h = "52-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
  cr_assert_eq(fake_text(&W, 0, h, 2), 0);
  cr_assert_eq(fake_bin(&W, 0, "0123456789", 10, 2), 0); /* exactly the limit */
  cr_assert_eq(fake_bin(&W, 0, "x", 1, 2), 1);
  cr_assert_eq(W.conns[0].close_reason, REF_ERR_PAYLOAD_TOO_LARGE);
  cr_assert_eq(LOG.events, 0);
  /* the count starts again for each packet */
  fake_open(&W, 1, 0);
  fake_join(&W, 1, "/", 1);
  for (int k = 0; k < 3; k++) {
    cr_assert_eq(fake_text(&W, 1, h, 3), 0);
    cr_assert_eq(fake_bin(&W, 1, "01234", 5, 3), 0);
    cr_assert_eq(fake_bin(&W, 1, "56789", 5, 3), 0);
  }
  cr_assert_eq(LOG.events, 3);
}

Test(sio, connection_gone_while_sending_connect_reply) {
  fake_open(&W, 0, 0);
  W.gone_on_send = W.conns[0].c;
  cr_assert_eq(fake_text(&W, 0, "0", 1), 1);
  cr_assert_eq(LOG.connects, 0);
  cr_assert_eq(LOG.disconnects, 1);
}

Test(sio_config, server_free_with_live_clients) {
  fake_world w;
  memset(&w, 0, sizeof w);
  sio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.namespaces = NSPS;
  cfg.n_namespaces = 1;
  fake_wire(&w, &cfg);
  sio_server *srv = sio_server_new(&cfg);
  cr_assert_not_null(srv);
  memset(&LOG, 0, sizeof LOG);
  for (int i = 0; i < 3; i++) {
    sio_client *c = sio_client_new(srv, &w.conns[i]);
    cr_assert_eq(sio_client_open(c, 0), 0);
    cr_assert_eq(sio_client_on_message(c, false, (const uint8_t *)"0", 1, 0), 0);
  }
  cr_assert_eq(sio_server_client_count(srv), 3);
  cr_assert_str_eq(sio_namespace_name(sio_server_namespace(srv, "/")), "/");
  sio_server_free(srv); /* frees the clients, runs their disconnect hooks */
  cr_assert_eq(LOG.disconnects, 3);
  for (int i = 0; i < 3; i++) {
    for (size_t k = 0; k < w.conns[i].n; k++) free(w.conns[i].msgs[k].data);
    free(w.conns[i].msgs);
  }
}

/* Rooms against a model: random joins, leaves and disconnect/reconnects over 5 sockets
 * and 40 rooms (enough to grow the hash table several times); every room emit must reach
 * exactly the model's members. */

Test(sio, connection_gone_during_disconnect_sends) {
  /* sio_client_close: the first DISCONNECT's send reports the connection gone */
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  fake_join(&W, 0, "/chat", 1);
  W.gone_on_send = W.conns[0].c;
  cr_assert_eq(sio_client_close(W.conns[0].c), 0);
  cr_assert_eq(LOG.disconnects, 2);
  cr_assert_eq(W.conns[0].closes, 0); /* already gone: no close request */
  fake_expect_none(&W, 0);
  cr_assert_eq(sio_namespace_socket_count(sio_server_namespace(W.srv, "/")), 0);
  cr_assert_eq(sio_namespace_socket_count(sio_server_namespace(W.srv, "/chat")), 0);
  /* sio_socket_disconnect: its DISCONNECT's send reports the connection gone */
  fake_open(&W, 1, 0);
  fake_join(&W, 1, "/", 1);
  sio_socket *s = LOG.last_socket;
  cr_assert_eq(sio_socket_join(s, "r", 1), 0);
  W.gone_on_send = W.conns[1].c;
  cr_assert_eq(sio_socket_disconnect(s), 0);
  cr_assert_eq(LOG.disconnects, 3);
  cr_assert_eq(sio_namespace_socket_count(sio_server_namespace(W.srv, "/")), 0);
  /* a binary emit whose header send reports the connection gone sends no attachment */
  fake_open(&W, 2, 0);
  fake_join(&W, 2, "/", 1);
  s = LOG.last_socket;
  W.gone_on_send = W.conns[2].c;
  ref_span att[2] = {{(const uint8_t *)"a", 1}, {(const uint8_t *)"b", 1}};
  cr_assert_lt(sio_socket_emit(s, "x",
                               S("{\"_placeholder\":true,\"num\":0},"
                                 "{\"_placeholder\":true,\"num\":1}"),
                               att, 2, NULL),
               0);
  fake_expect_none(&W, 2);
}
