/* Tests of the Socket.IO layer's rooms (sio_room.c): members receive, non-members do
 * not, limits, binary room names, the own-id room, and a model check under churn.
 * Spec tags: SIO-ROOM, SIO-LIM-3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/err.h"
#include "test_sio_app.h"

/* ---------------------------------------------------------------- rooms */

Test(sio, rooms_members_receive_non_members_do_not) {
  sio_socket *s[3];
  for (int i = 0; i < 3; i++) {
    fake_open(&W, i, 0);
    fake_join(&W, i, "/", 1);
    s[i] = LOG.last_socket;
  }
  fake_open(&W, 3, 0);
  fake_join(&W, 3, "/chat", 1); /* other namespace: never receives */
  sio_namespace *root = sio_server_namespace(W.srv, "/");
  cr_assert_eq(sio_socket_join(s[0], "r", 1), 0);
  cr_assert_eq(sio_socket_join(s[1], "r", 1), 0);
  cr_assert_eq(sio_socket_join(s[1], "r", 1), 0); /* twice: harmless */
  cr_assert(sio_socket_in_room(s[1], "r", 1));
  cr_assert(!sio_socket_in_room(s[2], "r", 1));
  /* to the room without the sender */
  cr_assert_eq(sio_namespace_emit(root, "r", 1, s[0], "m", S("1"), NULL, 0), 1);
  fake_expect_none(&W, 0);
  fake_expect(&W, 1, "2[\"m\",1]");
  fake_expect_none(&W, 1);
  fake_expect_none(&W, 2);
  /* to the room with the sender */
  cr_assert_eq(sio_namespace_emit(root, "r", 1, NULL, "m", S("2"), NULL, 0), 2);
  fake_expect(&W, 0, "2[\"m\",2]");
  fake_expect(&W, 1, "2[\"m\",2]");
  fake_expect_none(&W, 2);
  /* broadcast to all but the sender */
  cr_assert_eq(sio_namespace_emit(root, NULL, 0, s[2], "b", S(""), NULL, 0), 2);
  fake_expect(&W, 0, "2[\"b\"]");
  fake_expect(&W, 1, "2[\"b\"]");
  fake_expect_none(&W, 2);
  fake_expect_none(&W, 3);
  /* binary to a room */
  ref_span att[1] = {{(const uint8_t *)"Z", 1}};
  cr_assert_eq(
      sio_namespace_emit(root, "r", 1, NULL, "bin", S("{\"_placeholder\":true,\"num\":0}"), att, 1),
      2);
  for (int i = 0; i < 2; i++) {
    fake_expect(&W, i, "51-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
    fake_expect_bin(&W, i, "Z", 1);
  }
  /* leave, and leave-all on disconnect */
  cr_assert_eq(sio_socket_leave(s[0], "r", 1), 0);
  cr_assert_eq(sio_socket_leave(s[0], "r", 1), 0);
  cr_assert_eq(sio_namespace_emit(root, "r", 1, NULL, "m", S(""), NULL, 0), 1);
  fake_expect_none(&W, 0);
  fake_expect(&W, 1, "2[\"m\"]");
  cr_assert_eq(fake_text(&W, 1, "1", 5), 0);
  cr_assert_eq(sio_namespace_emit(root, "r", 1, NULL, "m", S(""), NULL, 0), 0);
  cr_assert_eq(sio_namespace_emit(root, "nobody", 6, NULL, "m", S(""), NULL, 0), 0);
  fake_expect_none(&W, 1);
  fake_expect_none(&W, 3);
}

Test(sio, room_limit_and_binary_room_names) {
  memset(&LOG, 0, sizeof LOG);
  fake_stop(&W);
  memset(&W, 0, sizeof W);
  sio_server_config cfg = base_cfg();
  cfg.max_rooms_per_socket = 3; /* the own-id room takes one */
  fake_start(&W, &cfg);
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_socket *s = LOG.last_socket;
  cr_assert_eq(sio_socket_join(s, "a\0b", 3), 0);
  cr_assert_eq(sio_socket_join(s, "", 0), 0);
  cr_assert_eq(sio_socket_join(s, "c", 1), REF_ERR_BUFFER_TOO_SMALL);
  cr_assert(sio_socket_in_room(s, "a\0b", 3));
  cr_assert(!sio_socket_in_room(s, "a", 1));
  cr_assert_eq(sio_socket_join(NULL, "c", 1), REF_ERR_INVALID_ARGUMENT);
}

Test(sio, own_id_room) {
  fake_open(&W, 0, 0);
  fake_join(&W, 0, "/", 1);
  sio_socket *a = LOG.last_socket;
  fake_open(&W, 1, 0);
  fake_join(&W, 1, "/", 1);
  /* SIO-ROOM-1: a socket is in the room named by its id */
  cr_assert(sio_socket_in_room(a, sio_socket_id(a), SIO_SID_LEN));
  cr_assert_eq(sio_namespace_emit(sio_server_namespace(W.srv, "/"), sio_socket_id(a), SIO_SID_LEN,
                                  NULL, "direct", S(""), NULL, 0),
               1);
  fake_expect(&W, 0, "2[\"direct\"]");
  fake_expect_none(&W, 1);
}

Test(sio, rooms_match_a_model_under_random_churn) {
  enum { NS = 5, NR = 40 };
  bool model[NS][NR];
  memset(model, 0, sizeof model);
  sio_socket *s[NS];
  for (int i = 0; i < NS; i++) {
    fake_open(&W, i, 0);
    fake_join(&W, i, "/", 1);
    s[i] = LOG.last_socket;
  }
  sio_namespace *root = sio_server_namespace(W.srv, "/");
  uint32_t x = 99;
  for (int step = 0; step < 3000; step++) {
    x = x * 1103515245u + 12345u;
    int i = (int)((x >> 8) % NS), r = (int)((x >> 16) % NR), op = (int)((x >> 24) % 10);
    char name[16];
    int nl = snprintf(name, sizeof name, "room-%d", r);
    if (op < 5) {
      cr_assert_eq(sio_socket_join(s[i], name, (size_t)nl), 0);
      model[i][r] = true;
    } else if (op < 8) {
      cr_assert_eq(sio_socket_leave(s[i], name, (size_t)nl), 0);
      model[i][r] = false;
    } else if (op < 9) {
      /* leave the namespace and come back: every room is gone */
      cr_assert_eq(fake_text(&W, i, "1", 2), 0);
      fake_join(&W, i, "/", 3);
      s[i] = LOG.last_socket;
      for (int k = 0; k < NR; k++) model[i][k] = false;
    } else {
      int expect = 0;
      for (int k = 0; k < NS; k++) expect += model[k][r];
      cr_assert_eq(sio_namespace_emit(root, name, (size_t)nl, NULL, "m", S(""), NULL, 0), expect,
                   "step %d room %d", step, r);
      for (int k = 0; k < NS; k++) {
        if (model[k][r]) fake_expect(&W, k, "2[\"m\"]");
        fake_expect_none(&W, k);
      }
    }
    for (int k = 0; k < NR; k++) {
      nl = snprintf(name, sizeof name, "room-%d", k);
      cr_assert_eq(sio_socket_in_room(s[i], name, (size_t)nl), model[i][k]);
    }
  }
}
