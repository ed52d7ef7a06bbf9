/* Tests of the sans-I/O Socket.IO server layer through a fake transport on a virtual
 * clock: namespaces, auth, connect timeout, events, acks both ways, binary, rooms,
 * disconnects, invalid states and hostile input. Spec tags: SIO-NS, SIO-AUTH, SIO-EV,
 * SIO-ACK, SIO-ROOM, SIO-DC, SIO-LIM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/err.h"
#include "sioref/sio_server.h"
#include "test_sio_fake.h"

/* ---------------------------------------------------------------- a test app */

#define LOG_MAX 64

typedef struct app_log {
  int connects;
  int events;
  char ev_name[LOG_MAX][64];
  char ev_args[LOG_MAX][256];
  size_t ev_natt[LOG_MAX];
  char ev_att0[LOG_MAX][64];
  int64_t ev_ack[LOG_MAX];
  sio_socket *last_socket;
  int disconnects;
  sio_disconnect_reason dc_why[LOG_MAX];
  int acks;
  sio_ack_status ack_status[LOG_MAX];
  char ack_args[LOG_MAX][256];
  size_t ack_natt[LOG_MAX];
  int auth_calls;
  char auth_seen[256];
  /* behaviour switches */
  bool disconnect_in_event;
  bool close_in_event;
  bool close_in_auth;
  bool emit_in_cancel;
  int emit_rc_in_cancel;
} app_log;

static app_log LOG;
static fake_world W;

static void copy_span(char *dst, size_t cap, ref_span sp) {
  size_t n = sp.len < cap - 1 ? sp.len : cap - 1;
  if (n) memcpy(dst, sp.ptr, n);
  dst[n] = 0;
}

static void app_connect(void *user, sio_socket *s, ref_span auth) {
  (void)user;
  (void)auth;
  LOG.connects++;
  LOG.last_socket = s;
}

static void app_event(void *user, sio_socket *s, const sio_event *ev) {
  (void)user;
  int i = LOG.events++;
  cr_assert_lt(i, LOG_MAX);
  copy_span(LOG.ev_name[i], sizeof LOG.ev_name[i], ev->name);
  copy_span(LOG.ev_args[i], sizeof LOG.ev_args[i], ev->args.args);
  LOG.ev_natt[i] = ev->args.n_attachments;
  if (ev->args.n_attachments) copy_span(LOG.ev_att0[i], 64, ev->args.attachments[0]);
  LOG.ev_ack[i] = ev->ack_id;
  LOG.last_socket = s;
  if (LOG.disconnect_in_event) {
    cr_assert_eq(sio_socket_disconnect(s), 0);
    /* still readable inside the hook of its own client */
    cr_assert(!sio_socket_connected(s));
    cr_assert_eq(sio_socket_disconnect(s), REF_ERR_BAD_STATE);
    cr_assert_eq(sio_socket_emit(s, "x", (ref_span){NULL, 0}, NULL, 0, NULL), REF_ERR_BAD_STATE);
  }
  if (LOG.close_in_event) {
    cr_assert_eq(sio_client_close(sio_socket_client(s)), 0);
    cr_assert_eq(sio_client_close(sio_socket_client(s)), REF_ERR_BAD_STATE);
    /* the event's spans are still readable after the teardown */
    char tmp[256];
    copy_span(tmp, sizeof tmp, ev->data);
    cr_assert_gt(strlen(tmp), 0);
  }
}

static void app_disconnect(void *user, sio_socket *s, sio_disconnect_reason why) {
  (void)user;
  (void)s;
  int i = LOG.disconnects++;
  if (i < LOG_MAX) LOG.dc_why[i] = why;
}

static bool app_auth(void *user, sio_client *c, ref_span auth, sio_auth_reject *rej) {
  (void)user;
  LOG.auth_calls++;
  copy_span(LOG.auth_seen, sizeof LOG.auth_seen, auth);
  if (LOG.close_in_auth) {
    sio_client_close(c);
    return true;
  }
  if (strcmp(LOG.auth_seen, "{\"ok\":true}") == 0) return true;
  if (strcmp(LOG.auth_seen, "{\"nodata\":1}") == 0) {
    rej->message = "say \"no\"";
    return false;
  }
  if (strcmp(LOG.auth_seen, "{\"nomsg\":1}") == 0) return false;
  rej->message = "unauthorized";
  rej->data_json = "{\"reason\":\"bad\"}";
  return false;
}

static void app_ack(void *user, sio_socket *s, sio_ack_status st, const sio_args *data) {
  (void)user;
  int i = LOG.acks++;
  cr_assert_lt(i, LOG_MAX);
  LOG.ack_status[i] = st;
  if (data) {
    copy_span(LOG.ack_args[i], sizeof LOG.ack_args[i], data->args);
    LOG.ack_natt[i] = data->n_attachments;
  } else {
    cr_assert_neq(st, SIO_ACK_OK);
  }
  if (LOG.emit_in_cancel && st == SIO_ACK_CANCELLED)
    LOG.emit_rc_in_cancel = sio_socket_emit(s, "late", (ref_span){NULL, 0}, NULL, 0, NULL);
}

static const sio_namespace_config NSPS[] = {
    {"/", NULL, app_connect, app_event, app_disconnect, NULL},
    {"/chat", NULL, app_connect, app_event, app_disconnect, NULL},
    {"/auth", app_auth, app_connect, app_event, app_disconnect, NULL},
};

static sio_server_config base_cfg(void) {
  sio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.namespaces = NSPS;
  cfg.n_namespaces = 3;
  cfg.connect_timeout_ms = 1000;
  cfg.ack_timeout_ms = 500;
  fake_wire(&W, &cfg);
  return cfg;
}

static void setup(void) {
  memset(&LOG, 0, sizeof LOG);
  memset(&W, 0, sizeof W);
  sio_server_config cfg = base_cfg();
  fake_start(&W, &cfg);
}

static void teardown(void) { fake_stop(&W); }

static ref_span S(const char *s) {
  ref_span sp = {(const uint8_t *)s, strlen(s)};
  return sp;
}

TestSuite(sio, .init = setup, .fini = teardown);

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

Test(sio, connection_gone_while_sending_connect_reply) {
  fake_open(&W, 0, 0);
  W.gone_on_send = W.conns[0].c;
  cr_assert_eq(fake_text(&W, 0, "0", 1), 1);
  cr_assert_eq(LOG.connects, 0);
  cr_assert_eq(LOG.disconnects, 1);
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
