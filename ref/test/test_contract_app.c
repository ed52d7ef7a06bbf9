/* Tests of the contract's Socket.IO application (spec/contract.md) through the
 * sans-I/O layer and a fake transport on a virtual clock: the official-suite part
 * (CT-12..CT-19) with the contract's own wire examples, and every extension
 * (CT-30..CT-42) with three clients. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/contract_app.h"
#include "sioref/err.h"
#include "test_sio_fake.h"

static fake_world W;

static void setup(void) {
  memset(&W, 0, sizeof W);
  sio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  fake_wire(&W, &cfg);
  contract_app_configure(&cfg);
  cr_assert_eq(cfg.connect_timeout_ms, 1000);
  cr_assert_eq(cfg.n_namespaces, 3);
  fake_start(&W, &cfg);
}

static void teardown(void) { fake_stop(&W); }

TestSuite(contract, .init = setup, .fini = teardown);

/* Open connection I and join "/" (consuming the CONNECT reply and the "auth" event). */
static void join_root(int i) {
  fake_open(&W, i, 0);
  fake_join(&W, i, "/", 1);
  fake_expect(&W, i, "2[\"auth\",{}]");
}

/* ---------------------------------------------------------------- official part */

Test(contract, ct12_connect_root_emits_auth) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0{\"token\":\"123\"}", 1), 0);
  fake_expect_prefix(&W, 0, "0{\"sid\":\"");
  fake_expect(&W, 0, "2[\"auth\",{\"token\":\"123\"}]");
  fake_expect_none(&W, 0);
  fake_open(&W, 1, 0);
  cr_assert_eq(fake_text(&W, 1, "0", 1), 0);
  fake_expect_prefix(&W, 1, "0{\"sid\":\"");
  fake_expect(&W, 1, "2[\"auth\",{}]");
}

Test(contract, ct13_message_back_text_and_binary) {
  join_root(0);
  cr_assert_eq(fake_text(&W, 0, "2[\"message\",1,\"2\",{\"3\":[true]}]", 2), 0);
  fake_expect(&W, 0, "2[\"message-back\",1,\"2\",{\"3\":[true]}]");
  cr_assert_eq(fake_text(&W, 0, "2[\"message\"]", 2), 0);
  fake_expect(&W, 0, "2[\"message-back\"]");
  cr_assert_eq(
      fake_text(
          &W, 0,
          "52-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
          3),
      0);
  cr_assert_eq(fake_bin(&W, 0, "\x01\x02", 2, 3), 0);
  cr_assert_eq(fake_bin(&W, 0, "\x03", 1, 3), 0);
  fake_expect(&W, 0,
              "52-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
              "\"num\":1}]");
  fake_expect_bin(&W, 0, "\x01\x02", 2);
  fake_expect_bin(&W, 0, "\x03", 1);
  fake_expect_none(&W, 0);
}

Test(contract, ct14_message_with_ack) {
  join_root(0);
  cr_assert_eq(fake_text(&W, 0, "2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]", 2), 0);
  fake_expect(&W, 0, "3456[1,\"2\",{\"3\":[false]}]");
  cr_assert_eq(
      fake_text(&W, 0, "51-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0}]", 2), 0);
  cr_assert_eq(fake_bin(&W, 0, "bin", 3, 2), 0);
  fake_expect(&W, 0, "61-789[{\"_placeholder\":true,\"num\":0}]");
  fake_expect_bin(&W, 0, "bin", 3);
  fake_expect_none(&W, 0);
}

Test(contract, ct16_custom_namespace) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0/custom", 1), 0);
  fake_expect_prefix(&W, 0, "0/custom,{\"sid\":\"");
  fake_expect(&W, 0, "2/custom,[\"auth\",{}]");
  fake_open(&W, 1, 0);
  cr_assert_eq(fake_text(&W, 1, "0/custom,{\"a\":1}", 1), 0);
  fake_expect_prefix(&W, 1, "0/custom,{\"sid\":\"");
  fake_expect(&W, 1, "2/custom,[\"auth\",{\"a\":1}]");
  /* no other events there */
  cr_assert_eq(fake_text(&W, 1, "2/custom,[\"message\",1]", 2), 0);
  fake_expect_none(&W, 1);
}

Test(contract, ct17_invalid_namespace) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0/random", 1), 0);
  fake_expect(&W, 0, "4/random,{\"message\":\"Invalid namespace\"}");
  cr_assert_eq(W.conns[0].closes, 0);
}

Test(contract, ct18_connect_timeout) {
  fake_open(&W, 0, 10);
  cr_assert_eq(sio_server_next_deadline(W.srv), 1010);
  cr_assert_eq(sio_server_tick(W.srv, 1009), 0);
  cr_assert_eq(W.conns[0].closes, 0);
  cr_assert_eq(sio_server_tick(W.srv, 1010), 1);
  cr_assert_eq(W.conns[0].closes, 1);
}

Test(contract, ct19_leaving_one_namespace_keeps_the_other) {
  join_root(0);
  fake_join(&W, 0, "/custom", 2);
  fake_expect(&W, 0, "2/custom,[\"auth\",{}]");
  cr_assert_eq(fake_text(&W, 0, "1/custom", 3), 0);
  cr_assert_eq(fake_text(&W, 0, "2[\"message\",\"x\"]", 4), 0);
  fake_expect(&W, 0, "2[\"message-back\",\"x\"]");
  cr_assert_eq(W.conns[0].closes, 0);
}

/* ---------------------------------------------------------------- extensions */

Test(contract, ct30_extensions) {
  join_root(0);
  cr_assert_eq(fake_text(&W, 0, "21[\"extensions\"]", 2), 0);
  fake_expect(&W, 0, "31[[\"rooms\",\"broadcast\",\"server-ack\",\"server-disconnect\",\"auth\"]]");
}

Test(contract, ct32_to_ct36_rooms_with_three_clients) {
  for (int i = 0; i < 3; i++) join_root(i);
  /* 0 and 1 join "ct-a"; 2 does not */
  cr_assert_eq(fake_text(&W, 0, "25[\"join\",\"ct-a\"]", 2), 0);
  fake_expect(&W, 0, "35[\"ct-a\"]");
  cr_assert_eq(fake_text(&W, 1, "26[\"join\",\"ct-a\"]", 2), 0);
  fake_expect(&W, 1, "36[\"ct-a\"]");
  cr_assert_eq(fake_text(&W, 1, "27[\"join\",\"ct-a\"]", 2), 0); /* twice: harmless */
  fake_expect(&W, 1, "37[\"ct-a\"]");
  /* to-room from a member: other members only */
  cr_assert_eq(fake_text(&W, 0, "2[\"to-room\",\"ct-a\",1,{\"b\":2}]", 3), 0);
  fake_expect_none(&W, 0);
  fake_expect(&W, 1, "2[\"room-message\",1,{\"b\":2}]");
  fake_expect_none(&W, 1);
  fake_expect_none(&W, 2);
  /* to-room from a non-member: every member */
  cr_assert_eq(fake_text(&W, 2, "2[\"to-room\",\"ct-a\"]", 3), 0);
  fake_expect(&W, 0, "2[\"room-message\"]");
  fake_expect(&W, 1, "2[\"room-message\"]");
  fake_expect_none(&W, 2);
  /* to-room-all from a member: the sender too */
  cr_assert_eq(fake_text(&W, 1, "2[\"to-room-all\",\"ct-a\",\"x\"]", 4), 0);
  fake_expect(&W, 0, "2[\"room-message\",\"x\"]");
  fake_expect(&W, 1, "2[\"room-message\",\"x\"]");
  fake_expect_none(&W, 2);
  /* to-room-all from a non-member: members only */
  cr_assert_eq(fake_text(&W, 2, "2[\"to-room-all\",\"ct-a\",\"y\"]", 4), 0);
  fake_expect(&W, 0, "2[\"room-message\",\"y\"]");
  fake_expect(&W, 1, "2[\"room-message\",\"y\"]");
  fake_expect_none(&W, 2);
  /* binary to a room */
  cr_assert_eq(fake_text(&W, 2, "51-[\"to-room\",\"ct-a\",{\"_placeholder\":true,\"num\":0}]", 5),
               0);
  cr_assert_eq(fake_bin(&W, 2, "B", 1, 5), 0);
  for (int i = 0; i < 2; i++) {
    fake_expect(&W, i, "51-[\"room-message\",{\"_placeholder\":true,\"num\":0}]");
    fake_expect_bin(&W, i, "B", 1);
  }
  fake_expect_none(&W, 2);
  /* leave: 0 leaves (twice: harmless) */
  cr_assert_eq(fake_text(&W, 0, "28[\"leave\",\"ct-a\"]", 6), 0);
  fake_expect(&W, 0, "38[\"ct-a\"]");
  cr_assert_eq(fake_text(&W, 0, "29[\"leave\",\"ct-a\"]", 6), 0);
  fake_expect(&W, 0, "39[\"ct-a\"]");
  cr_assert_eq(fake_text(&W, 2, "2[\"to-room\",\"ct-a\",3]", 7), 0);
  fake_expect_none(&W, 0);
  fake_expect(&W, 1, "2[\"room-message\",3]");
  /* CT-36: a disconnect leaves every room */
  cr_assert_eq(fake_text(&W, 1, "1", 8), 0);
  cr_assert_eq(fake_text(&W, 2, "2[\"to-room-all\",\"ct-a\",4]", 9), 0);
  fake_expect_none(&W, 0);
  fake_expect_none(&W, 1);
  fake_expect_none(&W, 2);
  /* a non-string room is ignored */
  cr_assert_eq(fake_text(&W, 0, "210[\"join\",5]", 10), 0);
  fake_expect_none(&W, 0);
  cr_assert_eq(W.conns[0].closes + W.conns[1].closes + W.conns[2].closes, 0);
}

Test(contract, ct32_escaped_room_names_match) {
  join_root(0);
  join_root(1);
  cr_assert_eq(fake_text(&W, 0, "21[\"join\",\"ct-\\u0061\"]", 2), 0);
  fake_expect(&W, 0, "31[\"ct-\\u0061\"]"); /* the ack repeats the client's text */
  cr_assert_eq(fake_text(&W, 1, "2[\"to-room\",\"ct-a\",true]", 3), 0);
  fake_expect(&W, 0, "2[\"room-message\",true]");
}

Test(contract, ct37_broadcast_isolation) {
  for (int i = 0; i < 3; i++) join_root(i);
  fake_open(&W, 3, 0);
  fake_join(&W, 3, "/custom", 1);
  fake_expect(&W, 3, "2/custom,[\"auth\",{}]");
  cr_assert_eq(fake_text(&W, 1, "2[\"broadcast\",\"hi\",2]", 2), 0);
  fake_expect(&W, 0, "2[\"broadcast-message\",\"hi\",2]");
  fake_expect_none(&W, 1);
  fake_expect(&W, 2, "2[\"broadcast-message\",\"hi\",2]");
  fake_expect_none(&W, 3);
}

Test(contract, ct38_request_ack_result) {
  join_root(0);
  cr_assert_eq(fake_text(&W, 0, "2[\"request-ack\",1,\"a\"]", 100), 0);
  fake_expect(&W, 0, "20[\"ack-request\",1,\"a\"]");
  cr_assert_eq(sio_client_next_deadline(W.conns[0].c), 1100);
  cr_assert_eq(fake_text(&W, 0, "30[\"v\",{\"w\":1}]", 500), 0);
  fake_expect(&W, 0, "2[\"ack-result\",\"v\",{\"w\":1}]");
  /* binary ack answer */
  cr_assert_eq(fake_text(&W, 0, "2[\"request-ack\"]", 600), 0);
  fake_expect(&W, 0, "21[\"ack-request\"]");
  cr_assert_eq(fake_text(&W, 0, "61-1[{\"_placeholder\":true,\"num\":0}]", 700), 0);
  cr_assert_eq(fake_bin(&W, 0, "r", 1, 700), 0);
  fake_expect(&W, 0, "51-[\"ack-result\",{\"_placeholder\":true,\"num\":0}]");
  fake_expect_bin(&W, 0, "r", 1);
  /* nothing more later */
  cr_assert_eq(sio_client_tick(W.conns[0].c, 5000), 0);
  fake_expect_none(&W, 0);
}

Test(contract, ct38_request_ack_timeout) {
  join_root(0);
  cr_assert_eq(fake_text(&W, 0, "2[\"request-ack\",\"z\"]", 100), 0);
  fake_expect(&W, 0, "20[\"ack-request\",\"z\"]");
  cr_assert_eq(sio_client_tick(W.conns[0].c, 1099), 0);
  fake_expect_none(&W, 0);
  cr_assert_eq(sio_client_tick(W.conns[0].c, 1100), 0);
  fake_expect(&W, 0, "2[\"ack-timeout\"]");
  cr_assert_eq(fake_text(&W, 0, "30[\"late\"]", 1200), 0);
  fake_expect_none(&W, 0);
  cr_assert_eq(W.conns[0].closes, 0);
}

Test(contract, ct39_disconnect_me) {
  join_root(0);
  fake_join(&W, 0, "/custom", 2);
  fake_expect(&W, 0, "2/custom,[\"auth\",{}]");
  cr_assert_eq(fake_text(&W, 0, "2[\"disconnect-me\"]", 3), 0);
  fake_expect(&W, 0, "1");
  fake_expect_none(&W, 0);
  cr_assert_eq(W.conns[0].closes, 0);
  cr_assert_eq(sio_client_socket_count(W.conns[0].c), 1);
  /* "/" is no longer joined: an event there is an invalid state (as socket.io) */
  cr_assert_eq(fake_text(&W, 0, "2[\"message\"]", 4), 1);
}

Test(contract, ct40_close_me) {
  join_root(0);
  join_root(1);
  cr_assert_eq(fake_text(&W, 0, "2[\"close-me\"]", 3), 1);
  fake_expect(&W, 0, "1");
  fake_expect_none(&W, 0);
  cr_assert_eq(W.conns[0].closes, 1);
  cr_assert_eq(W.conns[0].close_reason, SIO_CLOSE_BY_SERVER);
  cr_assert_eq(W.conns[1].closes, 0);
  cr_assert_eq(fake_text(&W, 1, "2[\"broadcast\"]", 4), 0);
  fake_expect_none(&W, 1); /* nobody else on "/" */
}

Test(contract, ct41_ct42_auth_namespace) {
  fake_open(&W, 0, 0);
  cr_assert_eq(fake_text(&W, 0, "0/auth,", 1), 0);
  fake_expect(&W, 0, "4/auth,{\"message\":\"unauthorized\",\"data\":{\"reason\":\"bad-token\"}}");
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"token\":\"nope\"}", 2), 0);
  fake_expect_prefix(&W, 0, "4/auth,{\"message\":\"unauthorized\"");
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"token\":1}", 2), 0);
  fake_expect_prefix(&W, 0, "4/auth,{\"message\":\"unauthorized\"");
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"token\":\"sioconform\\u0000\"}", 2), 0);
  fake_expect_prefix(&W, 0, "4/auth,{\"message\":\"unauthorized\"");
  cr_assert_eq(W.conns[0].closes, 0);
  cr_assert_eq(fake_text(&W, 0, "0/auth,{\"token\":\"sioconform\",\"x\":[1]}", 3), 0);
  fake_expect_prefix(&W, 0, "0/auth,{\"sid\":\"");
  fake_expect(&W, 0, "2/auth,[\"auth\",{\"token\":\"sioconform\",\"x\":[1]}]");
  fake_expect_none(&W, 0);
}

Test(contract, unknown_events_ignored) {
  join_root(0);
  cr_assert_eq(fake_text(&W, 0, "2[\"nothing-here\",1]", 2), 0);
  cr_assert_eq(fake_text(&W, 0, "2[\"message-with-ack\",1]", 2), 0); /* no ack id */
  fake_expect_none(&W, 0);
  cr_assert_eq(W.conns[0].closes, 0);
}

/* ---------------------------------------------------------------- random soak */

/* A deterministic mix of good, bad and partial input over eight connections with
 * rooms, broadcasts, server acks, disconnects and closes: nothing may crash (ASan,
 * valgrind), the namespace and client counts must agree, and freeing everything at
 * the end must leave no memory behind. */
static uint32_t rng_state = 12345;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

Test(contract, soak_random_mix) {
  static const char *const msgs[] = {
      "0",
      "0/custom,",
      "0/auth,{\"token\":\"sioconform\"}",
      "0/auth,{\"token\":\"x\"}",
      "0/nope,",
      "1",
      "1/custom,",
      "2[\"message\",1,{\"a\":[true,null]}]",
      "27[\"message-with-ack\",\"x\"]",
      "23[\"join\",\"ct-1\"]",
      "23[\"join\",\"ct-2\"]",
      "24[\"leave\",\"ct-1\"]",
      "2[\"to-room\",\"ct-1\",5]",
      "2[\"to-room-all\",\"ct-2\",\"y\"]",
      "2[\"broadcast\",{}]",
      "2[\"request-ack\",1]",
      "30[\"answer\"]",
      "31[]",
      "2[\"disconnect-me\"]",
      "2[\"close-me\"]",
      "51-[\"message\",{\"_placeholder\":true,\"num\":0}]",
      "52-9[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
      "\"num\":1}]",
      "51-[\"to-room-all\",\"ct-2\",{\"_placeholder\":true,\"num\":0}]",
      "61-0[{\"_placeholder\":true,\"num\":0}]",
      "51-[\"x\",{\"_placeholder\":true,\"num\":3}]",
      "9",
      "",
      "2[",
      "2/custom,[\"message\"]",
      "4{}",
      NULL, /* binary attachment */
      NULL,
      NULL,
  };
  const size_t n_msgs = sizeof msgs / sizeof msgs[0];
  uint64_t now = 0;
  for (int i = 0; i < FAKE_MAX_CONNS; i++) fake_open(&W, i, now);
  for (int step = 0; step < 10000; step++) {
    now += rng() % 50;
    int i = (int)(rng() % FAKE_MAX_CONNS);
    fake_conn *fc = &W.conns[i];
    uint32_t r = rng() % 100;
    if (r < 3) {
      sio_client_on_closed(fc->c, 0);
    } else if (r < 5) {
      /* the next send to this client finds its connection gone (on_closed inside send) */
      W.gone_on_send = fc->c;
    } else if (r < 7) {
      (void)sio_server_tick(W.srv, now);
    } else {
      const char *m = msgs[rng() % n_msgs];
      if (m)
        (void)fake_text(&W, i, m, now);
      else
        (void)fake_bin(&W, i, "\x01\x02\x03", 1 + rng() % 3, now);
    }
    for (int k = 0; k < FAKE_MAX_CONNS; k++) {
      fake_conn *fk = &W.conns[k];
      if (!sio_client_is_closed(fk->c)) continue;
      if (W.gone_on_send == fk->c) W.gone_on_send = NULL;
      sio_client_free(fk->c);
      fk->c = NULL;
      fake_open(&W, k, now);
    }
    /* invariant: every connected socket is counted once on each side */
    size_t by_ns = 0, by_client = 0;
    static const char *const names[] = {"/", "/custom", "/auth"};
    for (int k = 0; k < 3; k++)
      by_ns += sio_namespace_socket_count(sio_server_namespace(W.srv, names[k]));
    for (int k = 0; k < FAKE_MAX_CONNS; k++) by_client += sio_client_socket_count(W.conns[k].c);
    cr_assert_eq(by_ns, by_client, "step %d", step);
    /* the server's deadline (kept from a list of timed clients) equals the minimum */
    uint64_t min = SIO_NO_DEADLINE;
    for (int k = 0; k < FAKE_MAX_CONNS; k++) {
      uint64_t d = sio_client_next_deadline(W.conns[k].c);
      if (d < min) min = d;
    }
    cr_assert_eq(sio_server_next_deadline(W.srv), min, "step %d", step);
    cr_assert_eq(sio_server_client_count(W.srv), FAKE_MAX_CONNS);
  }
  cr_assert_gt(W.sends_total, 1500);
}

Test(contract, ct41_token_edge_cases) {
  fake_open(&W, 0, 0);
  /* a NUL elsewhere does not spoil a good token; the last repeated key wins */
  static const char *const good[] = {
      "0/auth,{\"x\":\"a\\u0000b\",\"token\":\"sioconform\"}",
      "0/auth,{\"token\":\"x\",\"token\":\"sioconform\"}",
      "0/auth,{\"\\u0074oken\":\"sio\\u0063onform\"}",
  };
  static const char *const bad[] = {
      "0/auth,{\"token\":\"sioconform\\u0000\"}",
      "0/auth,{\"token\\u0000x\":\"sioconform\"}",
      "0/auth,{\"token\":\"sioconform\",\"token\":\"x\"}",
      "0/auth,{\"token\":\"sioconform\\\\u0000\"}",
      "0/auth,{\"Token\":\"sioconform\"}",
      "0/auth,{\"token\":[\"sioconform\"]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_eq(fake_text(&W, 0, bad[i], 1), 0);
    fake_expect_prefix(&W, 0, "4/auth,{\"message\":\"unauthorized\"");
  }
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    cr_assert_eq(fake_text(&W, 0, good[i], 2), 0, "%s", good[i]);
    fake_expect_prefix(&W, 0, "0/auth,{\"sid\":\"");
    fake_expect_prefix(&W, 0, "2/auth,[\"auth\",");
    cr_assert_eq(fake_text(&W, 0, "1/auth,", 3), 0);
  }
  cr_assert_eq(W.conns[0].closes, 0);
}

Test(contract, ct32_room_names_with_nul_and_surrogates) {
  join_root(0);
  join_root(1);
  /* "ct-a\u0000b" is not "ct-a" */
  cr_assert_eq(fake_text(&W, 0, "21[\"join\",\"ct-a\\u0000b\"]", 2), 0);
  fake_expect(&W, 0, "31[\"ct-a\\u0000b\"]");
  cr_assert_eq(fake_text(&W, 1, "2[\"to-room\",\"ct-a\"]", 3), 0);
  fake_expect_none(&W, 0);
  cr_assert_eq(fake_text(&W, 1, "2[\"to-room\",\"ct-a\\u0000b\"]", 3), 0);
  fake_expect(&W, 0, "2[\"room-message\"]");
  /* a surrogate pair written escaped or raw names the same room; \n and \/ escapes */
  cr_assert_eq(fake_text(&W, 0, "22[\"join\",\"ct-\\ud83d\\ude00\\n\\/\"]", 4), 0);
  fake_expect(&W, 0, "32[\"ct-\\ud83d\\ude00\\n\\/\"]");
  cr_assert_eq(fake_text(&W, 1, "2[\"to-room\",\"ct-\xf0\x9f\x98\x80\\u000a/\",1]", 5), 0);
  fake_expect(&W, 0, "2[\"room-message\",1]");
  /* a lone surrogate is a name of its own, matched the same way every time */
  cr_assert_eq(fake_text(&W, 0, "23[\"join\",\"ct-\\ud800\"]", 6), 0);
  fake_expect(&W, 0, "33[\"ct-\\ud800\"]");
  cr_assert_eq(fake_text(&W, 1, "2[\"to-room\",\"ct-\\uD800\",2]", 7), 0);
  fake_expect(&W, 0, "2[\"room-message\",2]");
  fake_expect_none(&W, 1);
}
