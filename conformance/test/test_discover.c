/* Needs and discovery results (issue 11, item 1): what the repository's cases declare
 * they need, and what a run does when the target lacks it (SKIP with the reason, never
 * FAIL), without any network: every need checked here is decided before a step runs. */
#include <criterion/criterion.h>
#include <string.h>

#include "ct_client.h"
#include "ct_run.h"
#include "ct_discover.h"
#include "ct_scenario.h"
#include "ct_vectors.h"

static ct_cases all;

static void load_all(void) {
  char err[512];
  memset(&all, 0, sizeof all);
  cr_assert_gt(ct_scenarios_load_dir(&all, SIO_VECTORS_DIR "/scenarios", err, sizeof err), 0, "%s",
               err);
  cr_assert_gt(ct_vectors_load(&all, SIO_VECTORS_DIR, err, sizeof err), 0, "%s", err);
}

static void free_all(void) { ct_cases_free(&all); }

static const ct_case *find(const char *id) {
  for (size_t i = 0; i < all.n; i++)
    if (strcmp(all.v[i].id, id) == 0) return &all.v[i];
  cr_assert_fail("no case %s", id);
  return NULL;
}

static void need_is(const char *id, ct_need want) {
  const ct_case *c = find(id);
  cr_expect_eq(c->needs, want, "%s needs %s, not %s", id, ct_need_name(want),
               ct_need_name(c->needs));
}

/* A few decisions pinned: echo round trips need echo, handshakes and invalid packets need
 * only Engine.IO, CONNECT-level checks need Socket.IO, the greeting and app events need the
 * app. */
Test(discover, case_needs, .init = load_all, .fini = free_all) {
  need_is("eio.handshake.open", CT_NEED_ENGINE);
  need_is("eio.heartbeat.pong-timeout", CT_NEED_ENGINE);
  need_is("eio.upgrade.unknown-sid", CT_NEED_ENGINE);
  need_is("eio.message.text", CT_NEED_ECHO);
  need_is("eio.heartbeat.ping-pong", CT_NEED_ECHO); /* ends with an echo round trip */
  need_is("eio.ws.unmasked-frame", CT_NEED_ECHO);   /* a Socket.IO path would hide it */
  need_is("sio.engine.handshake.open", CT_NEED_ENGINE);
  need_is("sio.engine.heartbeat.ping-pong", CT_NEED_SOCKETIO);
  need_is("sio.connect.unknown-namespace", CT_NEED_SOCKETIO);
  need_is("sio.message.invalid-type", CT_NEED_SOCKETIO);
  need_is("sio.connect.main", CT_NEED_APP); /* expects the greeting */
  need_is("sio.connect.custom", CT_NEED_APP);
  need_is("sio.message.plain", CT_NEED_APP);
  need_is("sec.proto.transport.__proto__", CT_NEED_ENGINE);
  need_is("sec.event.empty-array", CT_NEED_SOCKETIO);
  need_is("sec.time.nested-json", CT_NEED_APP);
  /* generated families */
  need_is("eio.invalid.type-7", CT_NEED_ENGINE);
  need_is("eio.invalid.base64-bad-chars", CT_NEED_ECHO); /* a message if accepted */
  need_is("eio.invalid.trailing-separator", CT_NEED_ECHO);
  cr_expect(find("sio.broadcast.others")->exclusive);
  cr_expect(find("sec.exposure.sid-randomness")->exclusive);
  cr_expect(find("sec.time.escape-runs")->exclusive);
  cr_expect(!find("sio.rooms.to-room")->exclusive);
  /* sio.invalid: a CONNECT-shaped entry connects /custom first (app), the others need
   * Socket.IO only */
  for (size_t i = 0; i < all.n; i++) {
    const ct_case *c = &all.v[i];
    if (strncmp(c->id, "sio.invalid.", 12) != 0) continue;
    cr_expect(c->needs == CT_NEED_SOCKETIO || c->needs == CT_NEED_APP, "%s", c->id);
  }
}

/* A bare Socket.IO server: Engine.IO and CONNECT on /socket.io/, no echo path, no app. */
static ct_config bare(void) {
  ct_config cfg;
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = 9; /* never contacted: every run below ends before its first step */
  cfg.sio_path = "/socket.io/";
  cfg.eio_path = "/engine.io/";
  cfg.tscale = 1;
  cfg.jobs = 1;
  cfg.tgt.discovered = 1;
  cfg.tgt.sio_engine = 1;
  cfg.tgt.sio_main = 1;
  cfg.tgt.transports = CT_TR_ALL;
  return cfg;
}

Test(discover, missing_need_is_skip, .init = load_all, .fini = free_all) {
  ct_config cfg = bare();
  ct_run r;
  ct_run_case(&r, find("eio.message.text"), &cfg, CT_TR_POLLING);
  cr_expect_eq(r.verdict, CT_V_SKIP);
  cr_expect(strstr(r.reason, "echo path /engine.io/") != NULL, "%s", r.reason);
  cr_expect_eq(r.nconns, 0);
  ct_run_free(&r);
  ct_run_case(&r, find("sio.message.plain"), &cfg, CT_TR_WEBSOCKET);
  cr_expect_eq(r.verdict, CT_V_SKIP);
  cr_expect(strstr(r.reason, "base app") != NULL, "%s", r.reason);
  ct_run_free(&r);
  /* a transport the server does not offer */
  cfg.tgt.transports = CT_TR_POLLING;
  ct_run_case(&r, find("eio.handshake.open"), &cfg, CT_TR_WEBSOCKET);
  cr_expect_eq(r.verdict, CT_V_SKIP);
  cr_expect(strstr(r.reason, "websocket transport") != NULL, "%s", r.reason);
  ct_run_free(&r);
  /* no Socket.IO at all */
  cfg = bare();
  cfg.tgt.sio_main = 0;
  ct_run_case(&r, find("sio.message.invalid-type"), &cfg, CT_TR_POLLING);
  cr_expect_eq(r.verdict, CT_V_SKIP);
  ct_run_free(&r);
  /* an extension still SKIPs as before, when the rest is there */
  cfg = bare();
  cfg.tgt.app = 1;
  ct_run_case(&r, find("sio.rooms.to-room"), &cfg, CT_TR_POLLING);
  cr_expect_eq(r.verdict, CT_V_SKIP);
  cr_expect(strstr(r.reason, "extension \"rooms\"") != NULL, "%s", r.reason);
  ct_run_free(&r);
}

/* "refuses": a case about refusing Engine.IO v3 is SKIP, with discovery's reason, on a
 * target that serves v3 (EIO-TVER-2: there EIO=3 is a v3 handshake), and is not SKIP on
 * a v4-only target (the run then goes on to its steps: port 9 answers nothing). */
Test(discover, refusal_cases_skip_where_the_protocol_is_offered, .init = load_all,
     .fini = free_all) {
  ct_config cfg = bare();
  cfg.tgt.protocols = CT_P_EIO4 | CT_P_EIO3;
  snprintf(cfg.tgt.proto_why[1], sizeof cfg.tgt.proto_why[1], "EIO=3 answered with an open packet");
  ct_run r;
  const char *ids[] = {"eio.handshake.eio-3", "eio.handshake.eio-missing",
                       "eio.errors.protocol-body", "sio.engine.handshake.eio-invalid"};
  for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
    cr_assert_not_null(find(ids[i]), "%s", ids[i]);
    ct_run_case(&r, find(ids[i]), &cfg, CT_TR_POLLING);
    cr_expect_eq(r.verdict, CT_V_SKIP, "%s", ids[i]);
    cr_expect(r.reason && strstr(r.reason, "offers Engine.IO v3 / Socket.IO v4 (EIO=3 answered"),
              "%s: %s", ids[i], r.reason ? r.reason : "(none)");
    ct_run_free(&r);
  }
  cfg.tgt.protocols = CT_P_EIO4;
  ct_run_case(&r, find("eio.handshake.eio-3"), &cfg, CT_TR_POLLING);
  cr_expect_neq(r.verdict, CT_V_SKIP, "%s", r.reason ? r.reason : "");
  ct_run_free(&r);
}

/* Engine-only cases go to the Socket.IO path when the echo path is absent; without
 * discovery (unit tests, fuzzing) every need counts as met and paths stay as written. */
Test(discover, engine_cases_path, .init = load_all, .fini = free_all) {
  ct_config cfg = bare();
  ct_run r;
  memset(&r, 0, sizeof r);
  r.cfg = &cfg;
  r.c = find("eio.handshake.open");
  cr_expect_str_eq(ct_case_path(&r), "/socket.io/");
  r.c = find("eio.message.text");
  cr_expect_str_eq(ct_case_path(&r), "/engine.io/");
  cfg.tgt.echo = 1;
  r.c = find("eio.handshake.open");
  cr_expect_str_eq(ct_case_path(&r), "/engine.io/");
  ct_config none = bare();
  memset(&none.tgt, 0, sizeof none.tgt);
  for (int n = CT_NEED_ENGINE; n <= CT_NEED_APP; n++) cr_expect(ct_target_offers(&none, n));
  cr_expect(!ct_target_offers(&cfg, CT_NEED_APP));
  cr_expect(ct_target_offers(&cfg, CT_NEED_ENGINE));
}

/* A step marked "needs" is left out when the target lacks it, and runs otherwise. */
Test(discover, step_needs) {
  const char *text =
      "{\"format\":1,\"cases\":[{\"id\":\"t.step\",\"tags\":[\"EIO-HS-1\"],\"level\":\"MUST\","
      "\"endpoint\":\"eio\",\"needs\":\"engine\",\"steps\":["
      "{\"op\":\"set\",\"var\":\"x\",\"value\":\"1\"},"
      "{\"op\":\"check\",\"needs\":\"echo\",\"value\":\"${x}\",\"equals\":\"2\"}]}]}";
  ct_cases cs = {0};
  char err[256];
  cr_assert_eq(ct_scenarios_parse(&cs, text, "t.json", err, sizeof err), 1, "%s", err);
  ct_config cfg = bare();
  ct_run r;
  ct_run_case(&r, &cs.v[0], &cfg, CT_TR_POLLING);
  cr_expect_eq(r.verdict, CT_V_PASS, "%s", r.reason);
  cr_expect(strstr((char *)r.log.data, "left out") != NULL);
  ct_run_free(&r);
  cfg.tgt.echo = 1;
  ct_run_case(&r, &cs.v[0], &cfg, CT_TR_POLLING);
  cr_expect_eq(r.verdict, CT_V_FAIL);
  ct_run_free(&r);
  ct_cases_free(&cs);
  /* a bad step need is a load error */
  const char *bad = "{\"format\":1,\"cases\":[{\"id\":\"t.bad\",\"tags\":[\"EIO-HS-1\"],"
                    "\"level\":\"MUST\",\"steps\":[{\"op\":\"set\",\"needs\":\"nope\","
                    "\"var\":\"x\",\"value\":\"1\"}]}]}";
  cr_expect_eq(ct_scenarios_parse(&cs, bad, "t.json", err, sizeof err), -1);
  ct_cases_free(&cs);
}
