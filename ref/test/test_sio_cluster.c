/* Tests of the Socket.IO layer's cluster side (sio_cluster.c) on one node, with no
 * adapter: selections by rooms and except rooms (each socket once), room operations over
 * a selection, broadcasts with acks and server-side events answered by this node alone.
 * Spec tags: RA-9, RA-10, RA-11, RA-16 (local part), RA-14 (a lone node). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/err.h"
#include "sioref/sio_cluster.h"
#include "test_sio_app.h"

static sio_socket *three(sio_socket *s[3]) {
  for (int i = 0; i < 3; i++) {
    fake_open(&W, i, 0);
    fake_join(&W, i, "/", 1);
    s[i] = LOG.last_socket;
  }
  cr_assert_eq(sio_socket_join(s[0], "r1", 2), 0);
  cr_assert_eq(sio_socket_join(s[0], "r2", 2), 0);
  cr_assert_eq(sio_socket_join(s[1], "r1", 2), 0);
  cr_assert_eq(sio_socket_join(s[2], "r2", 2), 0);
  cr_assert_eq(sio_socket_join(s[2], "x", 1), 0);
  return s[0];
}

Test(sio, selection_rooms_and_except_each_socket_once) {
  sio_socket *s[3];
  three(s);
  sio_namespace *root = sio_server_namespace(W.srv, "/");
  ref_span r12[2] = {S("r1"), S("r2")}, x = S("x");
  sio_selection sel = {r12, 2, &x, 1, false};
  /* RA-10: s0 is in both rooms and gets it once; RA-11: s2 is in x */
  cr_assert_eq(sio_namespace_broadcast(root, &sel, "m", S("1"), NULL, 0, NULL), 2);
  fake_expect(&W, 0, "2[\"m\",1]");
  fake_expect_none(&W, 0);
  fake_expect(&W, 1, "2[\"m\",1]");
  fake_expect_none(&W, 2);
  /* except a socket's own id (socket.broadcast): every other socket */
  ref_span me = {(const uint8_t *)sio_socket_id(s[1]), SIO_SID_LEN};
  sio_selection others = {NULL, 0, &me, 1, false};
  cr_assert_eq(sio_namespace_broadcast(root, &others, "n", S(""), NULL, 0, NULL), 2);
  fake_expect(&W, 0, "2[\"n\"]");
  fake_expect_none(&W, 1);
  fake_expect(&W, 2, "2[\"n\"]");
  /* a room nobody is in */
  ref_span none = S("none");
  sio_selection empty = {&none, 1, NULL, 0, false};
  cr_assert_eq(sio_namespace_broadcast(root, &empty, "n", S(""), NULL, 0, NULL), 0);
  cr_assert(!sio_namespace_has_room(root, none));
  cr_assert(sio_namespace_has_room(root, x));
}

Test(sio, room_operations_over_a_selection) {
  sio_socket *s[3];
  three(s);
  sio_namespace *root = sio_server_namespace(W.srv, "/");
  ref_span r2 = S("r2"), j = S("j");
  sio_selection in_r2 = {&r2, 1, NULL, 0, false};
  cr_assert_eq(sio_namespace_sockets_join(root, &in_r2, &j, 1), 2);
  cr_assert(sio_socket_in_room(s[0], "j", 1) && sio_socket_in_room(s[2], "j", 1));
  cr_assert(!sio_socket_in_room(s[1], "j", 1));
  cr_assert_eq(sio_namespace_sockets_leave(root, &in_r2, &j, 1), 2);
  cr_assert(!sio_socket_in_room(s[0], "j", 1));
  /* disconnect the namespace only, then a whole connection */
  ref_span x = S("x");
  sio_selection in_x = {&x, 1, NULL, 0, false};
  cr_assert_eq(sio_namespace_disconnect_sockets(root, &in_x, false), 1);
  fake_expect(&W, 2, "1");
  cr_assert_eq(W.conns[2].closes, 0);
  ref_span r1 = S("r1");
  sio_selection in_r1 = {&r1, 1, NULL, 0, false};
  cr_assert_eq(sio_namespace_disconnect_sockets(root, &in_r1, true), 2);
  cr_assert_eq(W.conns[0].closes, 1);
  cr_assert_eq(W.conns[1].closes, 1);
}

static int DONE;
static char DONE_ERR[128], DONE_RESP[256];
static void on_done(void *user, const char *error, ref_span responses) {
  (void)user;
  DONE++;
  snprintf(DONE_ERR, sizeof DONE_ERR, "%s", error ? error : "");
  snprintf(DONE_RESP, sizeof DONE_RESP, "%.*s", (int)responses.len, (const char *)responses.ptr);
}

Test(sio, broadcast_with_ack_on_a_lone_node) {
  sio_socket *s[3];
  three(s);
  sio_namespace *root = sio_server_namespace(W.srv, "/");
  ref_span r1 = S("r1");
  sio_selection in_r1 = {&r1, 1, NULL, 0, false};
  DONE = 0;
  cr_assert_eq(
      sio_namespace_broadcast_with_ack(root, &in_r1, "q", S("7"), NULL, 0, 500, on_done, NULL), 2);
  fake_expect(&W, 0, "20[\"q\",7]");
  fake_expect(&W, 1, "20[\"q\",7]");
  cr_assert_eq(fake_text(&W, 0, "30[{\"a\":1},\"ignored\"]", 10), 0);
  cr_assert_eq(DONE, 0);
  cr_assert_eq(fake_text(&W, 1, "30[]", 20), 0);
  cr_assert_eq(DONE, 1);
  cr_assert_str_eq(DONE_ERR, "");
  cr_assert_str_eq(DONE_RESP, "[{\"a\":1},null]");
  /* one client does not answer: at its deadline, the official error with what came */
  DONE = 0;
  cr_assert_eq(
      sio_namespace_broadcast_with_ack(root, &in_r1, "q", S(""), NULL, 0, 500, on_done, NULL), 2);
  cr_assert_eq(fake_text(&W, 1, "31[2]", 30), 0);
  sio_server_tick(W.srv, 600);
  cr_assert_eq(DONE, 1);
  cr_assert_str_eq(DONE_ERR, "operation has timed out");
  cr_assert_str_eq(DONE_RESP, "[2]");
  /* nobody selected: done at once with nothing */
  DONE = 0;
  ref_span none = S("none");
  sio_selection empty = {&none, 1, NULL, 0, false};
  cr_assert_eq(
      sio_namespace_broadcast_with_ack(root, &empty, "q", S(""), NULL, 0, 500, on_done, NULL), 0);
  cr_assert_eq(DONE, 1);
  cr_assert_str_eq(DONE_RESP, "[]");
}

Test(sio, server_side_event_on_a_lone_node_is_answered_by_nobody) {
  sio_namespace *root = sio_server_namespace(W.srv, "/");
  DONE = 0;
  cr_assert_eq(sio_namespace_server_emit(root, "ping", S("1"), NULL, 0, on_done, NULL), 0);
  cr_assert_eq(DONE, 1);
  cr_assert_str_eq(DONE_ERR, "");
  cr_assert_str_eq(DONE_RESP, "[]");
  cr_assert_eq(sio_namespace_server_emit(root, "ping", S("1"), NULL, 0, NULL, NULL), 0);
}
