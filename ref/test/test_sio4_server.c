/* The Socket.IO layer with protocol v4 clients (sio_client_open_v4, spec/socket.io-v4.md):
 * the implicit main-namespace connection, replies without payload, string refusals,
 * socket ids derived from the Engine.IO sid, the CONNECT query as handshake data.
 * Tags: SIO-FNS-1..6, SIO-FPK-3, SIO-FPK-4. Same fixture as test_sio_server.c. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/err.h"
#include "test_sio_app.h"

#define ESID "EngineSidEngineSid01"

static void open_v4(int i, uint64_t now) {
  fake_conn *fc = &W.conns[i];
  fc->c = sio_client_new(W.srv, fc);
  cr_assert_not_null(fc->c);
  cr_assert_eq(sio_client_open_v4(fc->c, ESID, now), 0);
}

/* SIO-FNS-1, SIO-FNS-5, SIO-FNS-7: "/" is joined at open with a bare CONNECT, its socket
 * id is the Engine.IO sid, and the connect timeout is met. */
Test(sio, v4_main_namespace_is_implicit) {
  open_v4(0, 0);
  fake_expect(&W, 0, "0");
  fake_expect_none(&W, 0);
  cr_assert_eq(LOG.connects, 1);
  cr_assert_str_eq(sio_socket_id(LOG.last_socket), ESID);
  cr_assert(sio_socket_in_room(LOG.last_socket, ESID, strlen(ESID)));
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), SIO_NO_DEADLINE);
  cr_assert_eq(fake_text(&W, 0, "2[\"hi\",1]", 1), 0); /* SIO-FNS-8: events as in v5 */
  cr_assert_eq(LOG.events, 1);
}

/* SIO-FNS-1, CT-12: the implicit connect of "/" carries no payload, so its auth is {} (the
 * handshake's query stays with the Engine.IO session, test_eio3_server). */
Test(sio, v4_main_namespace_auth_is_empty) {
  fake_conn *fc = &W.conns[0];
  fc->c = sio_client_new(W.srv, fc);
  cr_assert_eq(sio_client_open_v4(fc->c, ESID, 0), 0);
  fake_expect(&W, 0, "0");
  ref_span a = sio_socket_auth(LOG.last_socket);
  const char *want = "{}";
  cr_assert(a.len == strlen(want) && memcmp(a.ptr, want, a.len) == 0, "%.*s", (int)a.len, a.ptr);
}

/* SIO-FNS-3, SIO-FNS-5: another namespace answers a bare CONNECT; its id is nsp#sid. */
Test(sio, v4_namespace_connect_and_id) {
  open_v4(0, 0);
  fake_expect(&W, 0, "0");
  cr_assert_eq(fake_text(&W, 0, "0/chat,", 1), 0);
  fake_expect(&W, 0, "0/chat,");
  cr_assert_str_eq(sio_socket_id(LOG.last_socket), "/chat#" ESID);
  cr_assert(sio_socket_in_room(LOG.last_socket, "/chat#" ESID, strlen("/chat#" ESID)));
}

/* SIO-FNS-4: an unknown namespace is refused with ERROR and a string reason. */
Test(sio, v4_unknown_namespace_string_error) {
  open_v4(0, 0);
  fake_expect(&W, 0, "0");
  cr_assert_eq(fake_text(&W, 0, "0/nope,", 1), 0);
  fake_expect(&W, 0, "4/nope,\"Invalid namespace\"");
  cr_assert_eq(W.conns[0].closes, 0);
}

/* SIO-FNS-2: the query is the handshake data; a refusal is a string. */
Test(sio, v4_query_is_handshake_data) {
  open_v4(0, 0);
  fake_expect(&W, 0, "0");
  cr_assert_eq(fake_text(&W, 0, "0/auth?a=1&b=x%20y+z,", 1), 0);
  cr_assert_str_eq(LOG.auth_seen, "{\"a\":\"1\",\"b\":\"x y z\"}");
  fake_expect(&W, 0, "4/auth,\"unauthorized\"");
  cr_assert_eq(fake_text(&W, 0, "0/chat?x=1,", 2), 0);
  fake_expect(&W, 0, "0/chat,");
  cr_assert_str_eq(sio_socket_id(LOG.last_socket), "/chat#" ESID);
  ref_span a = sio_socket_auth(LOG.last_socket);
  cr_assert_eq(a.len, strlen("{\"x\":\"1\"}"));
  /* a second CONNECT for /chat, query or not, is an invalid state (SIO-NS-7) */
  cr_assert_eq(fake_text(&W, 0, "0/chat?y=2,", 3), 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_INVALID_STATE);
}

/* SIO-FNS-6: a client CONNECT for "/" is ignored. */
Test(sio, v4_root_connect_ignored) {
  open_v4(0, 0);
  fake_expect(&W, 0, "0");
  cr_assert_eq(fake_text(&W, 0, "0", 1), 0);
  fake_expect_none(&W, 0);
  cr_assert_eq(LOG.connects, 1);
  cr_assert_eq(W.conns[0].closes, 0);
}

/* SIO-FPK-3: a CONNECT with a payload is a codec violation in v4. */
Test(sio, v4_connect_payload_closes) {
  open_v4(0, 0);
  fake_expect(&W, 0, "0");
  cr_assert_eq(fake_text(&W, 0, "0/chat,{}", 1), 1);
  cr_assert_eq(W.conns[0].close_reason, REF_ERR_BAD_PAYLOAD_SHAPE);
}

/* A binary event on a v4 client keeps v4 rules afterwards (the reassembler is set up
 * again for the client's own slots). */
Test(sio, v4_rules_survive_a_binary_packet) {
  open_v4(0, 0);
  fake_expect(&W, 0, "0");
  cr_assert_eq(fake_text(&W, 0, "51-[\"up\",{\"_placeholder\":true,\"num\":0}]", 1), 0);
  cr_assert_eq(fake_bin(&W, 0, "\x01", 1, 1), 0);
  cr_assert_eq(LOG.events, 1);
  cr_assert_eq(fake_text(&W, 0, "0/chat,{}", 2), 1);
  cr_assert_eq(W.conns[0].close_reason, REF_ERR_BAD_PAYLOAD_SHAPE);
}

Test(sio, v4_bad_sid_refused) {
  sio_client *c = sio_client_new(W.srv, &W.conns[0]);
  W.conns[0].c = c;
  cr_assert_eq(sio_client_open_v4(c, "", 0), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_client_open_v4(c, NULL, 0), REF_ERR_INVALID_ARGUMENT);
}
