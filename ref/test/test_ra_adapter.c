/* Tests of the Redis adapter (ra_adapter.c) driven by vectors/redis-adapter/messages.json,
 * which was recorded from two official nodes A and B. sioref plays node B through the
 * whole recording (its sockets b1, b2, c1 in the recorded rooms): every message of a step
 * is fed to it, its own included (Redis sends a publisher its own messages, RA-12), B's
 * own actions are made through the Socket.IO layer, and then what its clients received,
 * their rooms, and what it published must be what the official node B received, held and
 * published (byte for byte where the official bytes do not depend on the HTTP handshake).
 * It also plays node A for A's actions: what it publishes must be A's bytes.
 * Ids: the uids are fixed to the recording's placeholders; request ids drawn here are
 * "AAAAAA" (the random source gives zeros) and replace "<req:N>" in the expected bytes.
 * Spec tags: RA-2..RA-25. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "sioref/err.h"
#include "sioref/ra_adapter.h"
#include "sioref/sio_cluster.h"
#include "sioref/sio_room.h"
#include "vec.h"
#include "test_sio_fake.h"

static fake_world W;
static bool OUR_IDS; /* the step's requests are ours: "<req:N>" is "AAAAAA" */
static sio_socket *SOCK[FAKE_MAX_CONNS];
static ra_adapter *RA;
static cJSON *ROOT;
static char *TEXT;
static int SERVER_EVENTS;
static char SERVER_EVENT_NAME[64];
static char NODE_NAME[8];

static void on_conn(void *user, sio_socket *s, ref_span auth) {
  (void)user;
  (void)auth;
  fake_conn *fc = sio_client_user(sio_socket_client(s));
  SOCK[fc - W.conns] = s;
}

/* A socket that left is forgotten here (it is freed after the call that ended it). */
static void on_gone(void *user, sio_socket *s, sio_disconnect_reason why) {
  (void)user;
  (void)why;
  fake_conn *fc = sio_client_user(sio_socket_client(s));
  SOCK[fc - W.conns] = NULL;
}

static const sio_namespace_config NS[] = {
    {"/", NULL, on_conn, NULL, on_gone, NULL},
    {"/chat", NULL, on_conn, NULL, on_gone, NULL},
};

static int zero_random(void *user, uint8_t *out, size_t len) {
  (void)user;
  memset(out, 0, len); /* request ids "AAAAAA" */
  return 0;
}

/* The recording's server-side listener: answers {"from": NODE, "got": [args]}. */
static void on_server_event(void *user, sio_namespace *ns, const sio_event *ev,
                            sio_cluster_reply *reply) {
  (void)user;
  (void)ns;
  SERVER_EVENTS++;
  snprintf(SERVER_EVENT_NAME, sizeof SERVER_EVENT_NAME, "%.*s", (int)ev->name.len,
           (const char *)ev->name.ptr);
  if (!reply) return;
  char buf[512];
  int n = snprintf(buf, sizeof buf, "{\"from\":\"%s\",\"got\":[%.*s]}", NODE_NAME,
                   (int)ev->args.args.len, (const char *)ev->args.args.ptr);
  cr_assert_eq(sio_cluster_reply_send(reply, (ref_span){(const uint8_t *)buf, (size_t)n}, NULL, 0),
               0);
  cr_assert_eq(sio_cluster_reply_send(reply, (ref_span){(const uint8_t *)buf, (size_t)n}, NULL, 0),
               REF_ERR_BAD_STATE); /* RA-22: once */
}

/* The file PATH, read whole (vec_read_file). */
static char *slurp(const char *path) {
  size_t len;
  char *s = vec_read_file(path, &len);
  cr_assert_not_null(s, "%s", path);
  return s;
}

static cJSON *vec(const char *id) {
  cJSON *v;
  cJSON_ArrayForEach(v, cJSON_GetObjectItem(ROOT, "vectors")) {
    if (strcmp(cJSON_GetObjectItem(v, "id")->valuestring, id) == 0) return v;
  }
  cr_assert_fail("no vector %s", id);
  return NULL;
}

static cJSON *msg(cJSON *v, int i) {
  return cJSON_GetArrayItem(cJSON_GetObjectItem(v, "messages"), i);
}

static size_t unhex(const char *h, uint8_t *out, size_t cap) {
  size_t n = strlen(h) / 2;
  cr_assert_leq(n, cap);
  for (size_t i = 0; i < n; i++) {
    unsigned x;
    sscanf(h + 2 * i, "%2x", &x);
    out[i] = (uint8_t)x;
  }
  return n;
}

/* The names the recording gives B's (or A's) sockets, by connection. */
static const char *NAMES[FAKE_MAX_CONNS];
static int n_names;

/* Replace every occurrence of FROM by TO in S (a malloc'd string, reallocated). */
static char *replace(char *s, const char *from, const char *to) {
  size_t fl = strlen(from), tl = strlen(to);
  for (char *p = strstr(s, from); p; p = strstr(p + tl, from)) {
    size_t off = (size_t)(p - s), len = strlen(s);
    char *t = malloc(len - fl + tl + 1);
    memcpy(t, s, off);
    memcpy(t + off, to, tl);
    memcpy(t + off + tl, s + off + fl, len - off - fl + 1);
    free(s);
    s = t;
    p = s + off;
  }
  return s;
}

/* Our socket ids as the recording's placeholders (<sid:b1>), in a JSON text. */
static char *sids_to_names(const char *text) {
  char *s = strdup(text);
  char ph[32];
  for (int i = 0; i < n_names; i++) {
    if (!SOCK[i] || !NAMES[i]) continue;
    snprintf(ph, sizeof ph, "<sid:%s>", NAMES[i]);
    s = replace(s, sio_socket_id(SOCK[i]), ph);
  }
  return s;
}

static char *names_to_sids(const char *text) {
  char *s = strdup(text);
  char ph[32];
  for (int i = 0; i < n_names; i++) {
    if (!SOCK[i] || !NAMES[i]) continue;
    snprintf(ph, sizeof ph, "<sid:%s>", NAMES[i]);
    s = replace(s, ph, sio_socket_id(SOCK[i]));
  }
  return s;
}

/* ---- fixture */

static void start(const char *node, const char *const uids[2]) {
  memset(&W, 0, sizeof W);
  OUR_IDS = false;
  n_names = 0;
  memset(SOCK, 0, sizeof SOCK);
  SERVER_EVENTS = 0;
  snprintf(NODE_NAME, sizeof NODE_NAME, "%s", node);
  sio_server_config cfg = {0};
  cfg.namespaces = NS;
  cfg.n_namespaces = 2;
  cfg.ack_timeout_ms = 1000;
  fake_wire(&W, &cfg);
  fake_start(&W, &cfg);
  ra_config rc = {.srv = W.srv, .random = zero_random, .fixed_uids = uids};
  RA = ra_adapter_new(&rc);
  cr_assert_not_null(RA);
  sio_server_on_server_event(W.srv, on_server_event, NULL);
  TEXT = slurp(SIO_VECTORS_DIR "/redis-adapter/messages.json");
  ROOT = cJSON_Parse(TEXT);
  cr_assert_not_null(ROOT);
}

static void stop(void) {
  ra_adapter_free(RA); /* before the server; no client answers an ack any more */
  fake_stop(&W);
  cJSON_Delete(ROOT);
  free(TEXT);
}

/* Connection I, named NAME, in namespace NSP, in ROOMS (NULL-terminated). */
static void client(int i, const char *name, const char *nsp, const char *const *rooms) {
  fake_open(&W, i, 0);
  fake_join(&W, i, nsp, 1);
  cr_assert_not_null(SOCK[i]);
  for (; rooms && *rooms; rooms++)
    cr_assert_eq(sio_socket_join(SOCK[i], *rooms, strlen(*rooms)), 0);
  NAMES[i] = name;
  if (i + 1 > n_names) n_names = i + 1;
}

/* ---- what the clients received, as the recording writes it */

static int64_t LAST_ACK_ID[FAKE_MAX_CONNS];

/* Parse a Socket.IO text packet of connection I; binary attachments follow as messages. */
static cJSON *delivered(int i) {
  cJSON *out = cJSON_CreateArray();
  const fake_msg *m;
  while ((m = fake_next(&W, i)) != NULL) {
    cr_assert(!m->bin, "conn %d: a stray binary message", i);
    const char *p = (const char *)m->data;
    char type = *p++;
    long att = 0;
    if (type == '5') {
      att = strtol(p, (char **)&p, 10);
      cr_assert_eq(*p++, '-');
    }
    if (*p == '/') {
      p = strchr(p, ',');
      cr_assert_not_null(p);
      p++;
    }
    LAST_ACK_ID[i] = -1;
    if (*p >= '0' && *p <= '9') LAST_ACK_ID[i] = strtoll(p, (char **)&p, 10);
    cJSON *e = cJSON_CreateObject();
    if (type == '1') {
      cJSON_AddStringToObject(e, "disconnect", "io server disconnect");
    } else {
      cr_assert(type == '2' || type == '5', "conn %d: packet %s", i, (const char *)m->data);
      cJSON *arr = cJSON_Parse(p);
      cr_assert_not_null(arr);
      cJSON *name = cJSON_DetachItemFromArray(arr, 0);
      cJSON_AddItemToObject(e, "event", name);
      /* placeholders back to {"$bin": hex} with the attachments that follow */
      for (cJSON *a = arr->child; a; a = a->next) {
        if (!cJSON_IsObject(a) || !cJSON_GetObjectItem(a, "_placeholder")) continue;
        const fake_msg *b = fake_next(&W, i);
        cr_assert(b && b->bin);
        char hex[256] = {0};
        for (size_t k = 0; k < b->len && k < 100; k++) sprintf(hex + 2 * k, "%02x", b->data[k]);
        cJSON_DeleteItemFromObject(a, "_placeholder");
        cJSON_DeleteItemFromObject(a, "num");
        cJSON_AddStringToObject(a, "$bin", hex);
        att--;
      }
      cr_assert_eq(att, 0);
      cJSON_AddItemToObject(e, "args", arr);
    }
    cJSON_AddItemToArray(out, e);
  }
  return out;
}

static void expect_delivered(cJSON *v) {
  cJSON *want = cJSON_GetObjectItem(v, "delivered");
  for (int i = 0; i < n_names; i++) {
    cJSON *got = delivered(i);
    cJSON *w = cJSON_GetObjectItem(want, NAMES[i]);
    char *g = cJSON_PrintUnformatted(got), *ws = cJSON_PrintUnformatted(w);
    cr_assert(cJSON_Compare(got, w, 1), "%s: %s received %s, the official node's client %s",
              cJSON_GetObjectItem(v, "id")->valuestring, NAMES[i], g, ws);
    free(g);
    free(ws);
    cJSON_Delete(got);
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void expect_rooms(cJSON *v) {
  cJSON *want = cJSON_GetObjectItem(v, "rooms");
  for (int i = 0; i < n_names; i++) {
    cJSON *w = cJSON_GetObjectItem(want, NAMES[i]);
    const char *id = cJSON_GetObjectItem(v, "id")->valuestring;
    if (!w) {
      cr_assert_null(SOCK[i], "%s: %s should be gone", id, NAMES[i]);
      continue;
    }
    cr_assert(SOCK[i] && sio_socket_connected(SOCK[i]), "%s: %s gone", id, NAMES[i]);
    char *got[16];
    size_t n = 0;
    for (size_t k = 0; k < sio_socket_room_count(SOCK[i]); k++) {
      ref_span r = sio_socket_room(SOCK[i], k);
      if (r.len == SIO_SID_LEN && memcmp(r.ptr, sio_socket_id(SOCK[i]), SIO_SID_LEN) == 0) continue;
      got[n++] = strndup((const char *)r.ptr, r.len);
    }
    qsort(got, n, sizeof *got, cmp_str);
    cr_assert_eq((int)n, cJSON_GetArraySize(w), "%s: %s rooms", id, NAMES[i]);
    for (size_t k = 0; k < n; k++) {
      cr_assert_str_eq(got[k], cJSON_GetArrayItem(w, (int)k)->valuestring, "%s: %s", id, NAMES[i]);
      free(got[k]);
    }
  }
}

/* ---- what we published */

typedef struct pub {
  ra_command c[8];
  int n;
} pub;

static void take(pub *p) {
  memset(p, 0, sizeof *p);
  while (p->n < 8 && ra_take_command(RA, &p->c[p->n])) p->n++;
  cr_assert(!ra_take_command(RA, &(ra_command){0}), "more commands than expected");
}

static void pub_free(pub *p) {
  for (int i = 0; i < p->n; i++) ra_command_free(&p->c[i]);
  p->n = 0;
}

/* The recording's bytes of message M with our request id for "<req:N>". */
static size_t want_bytes(cJSON *m, uint8_t *out, size_t cap) {
  char *hex = strdup(cJSON_GetObjectItem(m, "hex")->valuestring);
  /* "<req:N>" as a msgpack fixstr (a7 + 7 bytes) or inside JSON text (7 bytes) */
  for (int n = 1; OUR_IDS && n <= 9; n++) {
    char ph[40], phx[40], ours[40];
    snprintf(ph, sizeof ph, "<req:%d>", n);
    for (int k = 0; k < 7; k++) sprintf(phx + 2 * k, "%02x", (unsigned char)ph[k]);
    char fix[48];
    snprintf(fix, sizeof fix, "a7%s", phx);
    hex = replace(hex, fix, "a6414141414141");
    snprintf(ours, sizeof ours, "414141414141");
    hex = replace(hex, phx, ours);
  }
  size_t len = unhex(hex, out, cap);
  free(hex);
  return len;
}

/* Command C must be PUBLISH of message M's bytes on its channel. */
static void expect_publish(const ra_command *c, cJSON *m, const char *id) {
  cr_assert_eq(c->kind, RA_CMD_PUBLISH, "%s", id);
  cr_assert_str_eq(c->channel, cJSON_GetObjectItem(m, "channel")->valuestring, "%s", id);
  uint8_t want[4096];
  size_t wn = want_bytes(m, want, sizeof want);
  char *ours = NULL;
  if (strcmp(cJSON_GetObjectItem(m, "encoding")->valuestring, "json") == 0) {
    char *t = strndup((const char *)c->payload, c->payload_len);
    ours = sids_to_names(t);
    free(t);
    cr_assert_eq(strlen(ours), wn, "%s: published %s, the official node %.*s", id, ours, (int)wn,
                 (const char *)want);
    cr_assert(memcmp(ours, want, wn) == 0, "%s: published %s, the official node %.*s", id, ours,
              (int)wn, (const char *)want);
  } else {
    cr_assert(c->payload_len == wn && memcmp(c->payload, want, wn) == 0, "%s: msgpack bytes differ",
              id);
  }
  free(ours);
}

/* Feed message M of the recording to our node (our own ones come back too). */
static void feed(cJSON *m) {
  uint8_t bytes[4096];
  char *hex = strdup(cJSON_GetObjectItem(m, "hex")->valuestring);
  size_t n = unhex(hex, bytes, sizeof bytes - 1);
  free(hex);
  ref_span payload = {bytes, n};
  char *sub = NULL;
  if (strcmp(cJSON_GetObjectItem(m, "encoding")->valuestring, "json") == 0) {
    bytes[n] = 0;
    sub = names_to_sids((const char *)bytes);
    payload = (ref_span){(const uint8_t *)sub, strlen(sub)};
  }
  const char *ch = cJSON_GetObjectItem(m, "channel")->valuestring;
  ra_on_message(RA, (ref_span){(const uint8_t *)ch, strlen(ch)}, payload, 100);
  free(sub);
}

static void feed_all(cJSON *v) {
  cJSON *m;
  cJSON_ArrayForEach(m, cJSON_GetObjectItem(v, "messages")) feed(m);
}

/* ================================================================ sioref as node B */

static const char *const B_UIDS[] = {"<uid:B>", "<uid:B/chat>"};
static const char *const R1[] = {"r1", NULL};
static const char *const R2[] = {"r2", NULL};

static sio_namespace *NSP(const char *n) { return sio_server_namespace(W.srv, n); }

static ref_span SP(const char *s) { return (ref_span){(const uint8_t *)s, strlen(s)}; }

/* A step of others (A's actions, raw messages): feed it all, check deliveries, rooms and,
 * when B answers, that the answers are the official node B's (the message indexes). */
static void others(const char *id, const int *b_msgs, int n_b) {
  cJSON *v = vec(id);
  feed_all(v);
  expect_delivered(v);
  expect_rooms(v);
  pub p;
  take(&p);
  cr_assert_eq(p.n, n_b, "%s: published %d messages, the official node B %d", id, p.n, n_b);
  for (int i = 0; i < n_b; i++) expect_publish(&p.c[i], msg(v, b_msgs[i]), id);
  pub_free(&p);
}

/* A step of B: our action has been made; check its publication, then feed the step
 * (our message comes back and must be ignored) and check deliveries and rooms. */
static void ours(const char *id) {
  cJSON *v = vec(id);
  pub p;
  take(&p);
  cr_assert_eq(p.n, 1, "%s", id);
  expect_publish(&p.c[0], msg(v, 0), id);
  pub_free(&p);
  uint64_t own = ra_adapter_stats(RA).ignored_own;
  feed_all(v);
  cr_assert_eq(ra_adapter_stats(RA).ignored_own, own + 1, "%s: own message not ignored", id);
  expect_delivered(v);
  expect_rooms(v);
}

Test(ra_adapter, sioref_as_node_b_through_the_whole_recording) {
  start("B", B_UIDS);
  client(0, "b1", "/", R1);
  client(1, "b2", "/", R2);
  client(2, "c1", "/chat", R1);
  others("emit-all", NULL, 0);
  others("emit-one-room", NULL, 0);
  others("emit-two-rooms", NULL, 0);
  others("emit-room-except", NULL, 0);
  {
    ref_span r1 = SP("r1");
    sio_selection sel = {NULL, 0, &r1, 1, false};
    cr_assert_eq(sio_namespace_broadcast(NSP("/"), &sel, "not-r1", SP(""), NULL, 0, NULL), 1);
    ours("emit-except-only");
  }
  others("emit-volatile", NULL, 0);
  others("emit-compress-false", NULL, 0);
  others("emit-local", NULL, 0);
  others("local-sockets-join", NULL, 0);
  others("emit-binary", NULL, 0);
  cr_assert_eq(sio_namespace_emit(NSP("/chat"), "r1", 2, NULL, "chat-r1", SP(""), NULL, 0), 1);
  ours("emit-other-nsp");
  others("sockets-join", NULL, 0);
  cr_assert_eq(sio_namespace_emit(NSP("/"), "r3", 2, NULL, "to-r3", SP(""), NULL, 0), 1);
  ours("emit-joined-room");
  {
    ref_span r1 = SP("r1"), r3 = SP("r3");
    sio_selection sel = {&r1, 1, NULL, 0, false};
    cr_assert_eq(sio_namespace_sockets_leave(NSP("/"), &sel, &r3, 1), 1);
    ours("sockets-leave");
  }
  {
    /* RA-18: B's answer has b1 with its rooms; the handshake is the HTTP request's, which
     * the Socket.IO layer does not keep: compared without it */
    cJSON *v = vec("fetch-sockets");
    feed(msg(v, 0));
    pub p;
    take(&p);
    cr_assert_eq(p.n, 1);
    cr_assert_str_eq(p.c[0].channel, "socket.io-response#/#");
    char *t = strndup((const char *)p.c[0].payload, p.c[0].payload_len);
    char *named = sids_to_names(t);
    cJSON *got = cJSON_Parse(named), *want = cJSON_GetObjectItem(msg(v, 1), "decoded");
    cr_assert_not_null(got, "%s", named);
    cr_assert_str_eq(cJSON_GetObjectItem(got, "requestId")->valuestring, "<req:1>");
    cJSON *gs = cJSON_GetObjectItem(got, "sockets"), *ws = cJSON_GetObjectItem(want, "sockets");
    cr_assert_eq(cJSON_GetArraySize(gs), cJSON_GetArraySize(ws));
    cJSON *g0 = cJSON_GetArrayItem(gs, 0), *w0 = cJSON_GetArrayItem(ws, 0);
    cr_assert(cJSON_Compare(cJSON_GetObjectItem(g0, "id"), cJSON_GetObjectItem(w0, "id"), 1));
    cr_assert(cJSON_Compare(cJSON_GetObjectItem(g0, "rooms"), cJSON_GetObjectItem(w0, "rooms"), 1),
              "%s", named);
    cr_assert(cJSON_IsObject(cJSON_GetObjectItem(cJSON_GetObjectItem(g0, "handshake"), "headers")));
    cJSON_Delete(got);
    free(named);
    free(t);
    pub_free(&p);
    feed(msg(v, 1)); /* an answer to A: not ours, ignored */
    cr_assert(!ra_take_command(RA, &(ra_command){0}));
    expect_delivered(v);
  }
  {
    /* RA-15: every room of B, socket-id rooms included (a set: Node lists its Map's order) */
    cJSON *v = vec("all-rooms");
    feed(msg(v, 0));
    pub p;
    take(&p);
    cr_assert_eq(p.n, 1);
    char *t = strndup((const char *)p.c[0].payload, p.c[0].payload_len);
    char *named = sids_to_names(t);
    cJSON *parsed = cJSON_Parse(named);
    cJSON *got = cJSON_GetObjectItem(parsed, "rooms");
    cJSON *want = cJSON_GetObjectItem(cJSON_GetObjectItem(msg(v, 1), "decoded"), "rooms");
    cr_assert_eq(cJSON_GetArraySize(got), cJSON_GetArraySize(want), "%s", named);
    cJSON *w;
    cJSON_ArrayForEach(w, want) {
      bool found = false;
      cJSON *g;
      cJSON_ArrayForEach(g, got) found = found || strcmp(g->valuestring, w->valuestring) == 0;
      cr_assert(found, "%s missing from %s", w->valuestring, named);
    }
    cJSON_Delete(parsed);
    free(named);
    free(t);
    pub_free(&p);
  }
  others("server-side-emit", NULL, 0);
  cr_assert_eq(SERVER_EVENTS, 1);
  cr_assert_str_eq(SERVER_EVENT_NAME, "ping-all");
  {
    static const int ans[] = {1};
    others("server-side-emit-ack", ans, 1);
    cr_assert_eq(SERVER_EVENTS, 2);
  }
  {
    /* RA-23..25: b2 gets want-ack with an ack id; the count goes out at once (type 8),
     * b2's ack as type 9 */
    cJSON *v = vec("broadcast-with-ack");
    feed(msg(v, 0));
    pub p;
    take(&p);
    cr_assert_eq(p.n, 1);
    expect_publish(&p.c[0], msg(v, 1), "broadcast-with-ack");
    pub_free(&p);
    expect_delivered(v);
    cr_assert_geq(LAST_ACK_ID[1], 0);
    char ack[64];
    snprintf(ack, sizeof ack, "3%lld[{\"from\":\"b2\"}]", (long long)LAST_ACK_ID[1]);
    cr_assert_eq(fake_text(&W, 1, ack, 200), 0);
    take(&p);
    cr_assert_eq(p.n, 1);
    expect_publish(&p.c[0], msg(v, 2), "broadcast-with-ack");
    pub_free(&p);
    feed(msg(v, 1));
    feed(msg(v, 2)); /* answers to A: ignored */
    cr_assert(!ra_take_command(RA, &(ra_command){0}));
  }
  {
    static const int ans[] = {2};
    others("raw-sockets-request", ans, 1);
  }
  {
    static const int ans[] = {1};
    others("raw-legacy-join", ans, 1);
  }
  others("raw-own-uid-ignored", NULL, 0);
  others("raw-unknown-room-channel", NULL, 0);
  others("disconnect-sockets", NULL, 0);
  cr_assert_eq(W.conns[1].closes, 1, "b2's connection closed (close: true)");
  stop();
}

/* ================================================================ sioref as node A */

static const char *const A_UIDS[] = {"<uid:A>", "<uid:A/chat>"};
static const char *const R1R2[] = {"r1", "r2", NULL};

static void a_publishes(const char *id) {
  cJSON *v = vec(id);
  expect_delivered(v);
  pub p;
  take(&p);
  int want = cJSON_GetArraySize(cJSON_GetObjectItem(v, "messages"));
  cr_assert_eq(p.n, want, "%s: %d messages, the official node A %d", id, p.n, want);
  for (int i = 0; i < p.n; i++) expect_publish(&p.c[i], msg(v, i), id);
  pub_free(&p);
  /* our own messages come back and are ignored: nobody receives twice */
  feed_all(v);
  cr_assert(!ra_take_command(RA, &(ra_command){0}));
}

static int DONE;
static char DONE_ERR[128], DONE_RESP[512];
static void on_done(void *user, const char *error, ref_span responses) {
  (void)user;
  DONE++;
  snprintf(DONE_ERR, sizeof DONE_ERR, "%s", error ? error : "");
  snprintf(DONE_RESP, sizeof DONE_RESP, "%.*s", (int)responses.len, (const char *)responses.ptr);
}

Test(ra_adapter, sioref_as_node_a_publishes_the_official_bytes) {
  start("A", A_UIDS);
  OUR_IDS = true;
  client(0, "a1", "/", R1R2);
  client(1, "a2", "/", R1);
  sio_namespace *root = NSP("/");
  cr_assert_eq(sio_namespace_emit(root, NULL, 0, NULL, "hello", SP("1"), NULL, 0), 2);
  a_publishes("emit-all");
  cr_assert_eq(sio_namespace_emit(root, "r1", 2, NULL, "to-r1", SP("\"x\""), NULL, 0), 2);
  a_publishes("emit-one-room");
  ref_span r1 = SP("r1"), r2 = SP("r2"), r12[2] = {SP("r1"), SP("r2")};
  sio_selection two = {r12, 2, NULL, 0, false};
  cr_assert_eq(sio_namespace_broadcast(root, &two, "to-r1-r2", SP(""), NULL, 0, NULL), 2);
  a_publishes("emit-two-rooms");
  sio_selection ex = {&r1, 1, &r2, 1, false};
  cr_assert_eq(sio_namespace_broadcast(root, &ex, "r1-not-r2", SP(""), NULL, 0, NULL), 1);
  a_publishes("emit-room-except");
  sio_selection local = {NULL, 0, NULL, 0, true};
  cr_assert_eq(sio_namespace_broadcast(root, &local, "local-only", SP(""), NULL, 0, NULL), 2);
  a_publishes("emit-local"); /* RA-9: nothing */
  ref_span rl = SP("r-local");
  sio_selection local_r1 = {&r1, 1, NULL, 0, true};
  cr_assert_eq(sio_namespace_sockets_join(root, &local_r1, &rl, 1), 2);
  a_publishes("local-sockets-join");
  ref_span bin = {(const uint8_t *)"\x01\x02\x03", 3};
  cr_assert_eq(sio_namespace_emit(root, NULL, 0, NULL, "bin",
                                  SP("{\"_placeholder\":true,\"num\":0}"), &bin, 1),
               2);
  a_publishes("emit-binary");
  ref_span r3 = SP("r3");
  sio_selection in_r2 = {&r2, 1, NULL, 0, false};
  cr_assert_eq(sio_namespace_sockets_join(root, &in_r2, &r3, 1), 1);
  a_publishes("sockets-join");
  cr_assert(sio_socket_in_room(SOCK[0], "r3", 2), "RA-16: done here at once");
  cr_assert_eq(sio_namespace_server_emit(root, "ping-all", SP("1, \"two\""), NULL, 0, NULL, NULL),
               0);
  a_publishes("server-side-emit");
  {
    /* RA-14: NUMSUB first; 2 nodes: publish, wait for 1 answer */
    cr_assert_eq(sio_namespace_server_emit(root, "ask", SP("\"q\""), NULL, 0, on_done, NULL), 0);
    pub p;
    take(&p);
    cr_assert_eq(p.n, 1);
    cr_assert_eq(p.c[0].kind, RA_CMD_NUMSUB);
    cr_assert_str_eq(p.c[0].channel, "socket.io-request#/#");
    uint64_t tag = p.c[0].tag;
    pub_free(&p);
    ra_on_numsub(RA, tag, 2, 100);
    cJSON *v = vec("server-side-emit-ack");
    take(&p);
    cr_assert_eq(p.n, 1);
    expect_publish(&p.c[0], msg(v, 0), "server-side-emit-ack");
    pub_free(&p);
    cr_assert_eq(DONE, 0);
    feed(msg(v, 0)); /* our own request: ignored */
    cr_assert_eq(SERVER_EVENTS, 0);
    char *ans = strdup(cJSON_GetObjectItem(msg(v, 1), "hex")->valuestring);
    uint8_t b[512];
    size_t n = want_bytes(msg(v, 1), b, sizeof b);
    free(ans);
    ra_on_message(RA, SP("socket.io-response#/#"), (ref_span){b, n}, 120);
    cr_assert_eq(DONE, 1);
    cr_assert_str_eq(DONE_ERR, "");
    cr_assert_str_eq(DONE_RESP, "[{\"from\":\"B\",\"got\":[\"q\"]}]");
    cr_assert_eq(ra_next_deadline(RA), UINT64_MAX);
  }
  {
    /* RA-23: the request, then NUMSUB; done when both nodes counted and both clients acked */
    DONE = 0;
    cr_assert_eq(sio_namespace_broadcast_with_ack(root, &in_r2, "want-ack", SP("7"), NULL, 0, 3000,
                                                  on_done, NULL),
                 1);
    cJSON *v = vec("broadcast-with-ack");
    pub p;
    take(&p);
    cr_assert_eq(p.n, 2);
    expect_publish(&p.c[0], msg(v, 0), "broadcast-with-ack");
    cr_assert_eq(p.c[1].kind, RA_CMD_NUMSUB);
    uint64_t tag = p.c[1].tag;
    pub_free(&p);
    expect_delivered(vec("broadcast-with-ack")); /* a1 got want-ack */
    ra_on_numsub(RA, tag, 2, 150);
    feed(msg(v, 0)); /* own: ignored */
    uint8_t b[512];
    size_t n = want_bytes(msg(v, 1), b, sizeof b);
    ra_on_message(RA, SP("socket.io-response#/#"), (ref_span){b, n}, 160);
    n = want_bytes(msg(v, 2), b, sizeof b);
    ra_on_message(RA, SP("socket.io-response#/#"), (ref_span){b, n}, 170);
    cr_assert_eq(DONE, 0, "a1 has not answered yet");
    char ack[64];
    snprintf(ack, sizeof ack, "3%lld[{\"from\":\"a1\"}]", (long long)LAST_ACK_ID[0]);
    cr_assert_eq(fake_text(&W, 0, ack, 180), 0);
    cr_assert_eq(DONE, 1);
    cr_assert_str_eq(DONE_ERR, "");
    cr_assert_str_eq(DONE_RESP, "[{\"from\":\"b2\"},{\"from\":\"a1\"}]");
    ra_tick(RA, 100000);
    cr_assert_eq(DONE, 1);
  }
  sio_selection in_r2c = {&r2, 1, NULL, 0, false};
  cr_assert_eq(sio_namespace_disconnect_sockets(root, &in_r2c, true), 1);
  a_publishes("disconnect-sockets");
  cr_assert_eq(W.conns[0].closes, 1);
  stop();
}

/* ---- timeouts and a lone node */

Test(ra_adapter, requests_time_out_on_the_callers_clock) {
  start("A", A_UIDS);
  client(0, "a1", "/", R1);
  sio_namespace *root = NSP("/");
  DONE = 0;
  cr_assert_eq(sio_namespace_server_emit(root, "ask", SP("1"), NULL, 0, on_done, NULL), 0);
  pub p;
  take(&p);
  uint64_t tag = p.c[0].tag;
  pub_free(&p);
  ra_on_numsub(RA, tag, 3, 10); /* two other nodes */
  take(&p);
  cr_assert_eq(p.n, 1);
  pub_free(&p);
  cr_assert_eq(ra_next_deadline(RA), 1 + RA_DEFAULT_REQUESTS_TIMEOUT_MS);
  ra_tick(RA, RA_DEFAULT_REQUESTS_TIMEOUT_MS);
  cr_assert_eq(DONE, 0);
  ra_tick(RA, 1 + RA_DEFAULT_REQUESTS_TIMEOUT_MS);
  cr_assert_eq(DONE, 1);
  cr_assert_str_eq(DONE_ERR, "timeout reached: only 0 responses received out of 2");
  cr_assert_str_eq(DONE_RESP, "[]");
  /* alone (NUMSUB 1): answered at once with nothing, nothing published */
  DONE = 0;
  cr_assert_eq(sio_namespace_server_emit(root, "ask", SP("1"), NULL, 0, on_done, NULL), 0);
  take(&p);
  tag = p.c[0].tag;
  pub_free(&p);
  ra_on_numsub(RA, tag, 1, 5010);
  cr_assert_eq(DONE, 1);
  cr_assert_str_eq(DONE_RESP, "[]");
  take(&p);
  cr_assert_eq(p.n, 0);
  /* a broadcast with acks whose client never answers: "operation has timed out" */
  DONE = 0;
  ref_span r1 = SP("r1");
  sio_selection sel = {&r1, 1, NULL, 0, false};
  cr_assert_eq(
      sio_namespace_broadcast_with_ack(root, &sel, "q", SP(""), NULL, 0, 500, on_done, NULL), 1);
  take(&p);
  tag = p.c[1].tag;
  pub_free(&p);
  ra_on_numsub(RA, tag, 1, 5020);
  cr_assert_eq(DONE, 0);
  cr_assert_eq(ra_next_deadline(RA), 5010 + 500); /* time only moves forward */
  ra_tick(RA, 5600);
  cr_assert_eq(DONE, 1);
  cr_assert_str_eq(DONE_ERR, "operation has timed out");
  stop();
}

Test(ra_adapter, bad_messages_are_ignored) {
  start("B", B_UIDS);
  client(0, "b1", "/", R1);
  const char *junk[][2] = {
      {"socket.io#/#", "\x93"},                               /* truncated */
      {"socket.io#/#", "\x01"},                               /* not an array */
      {"socket.io-request#/#", "{\"type\":"},                 /* bad JSON */
      {"socket.io-request#/#", "{\"uid\":\"x\",\"type\":9}"}, /* a response type */
      {"socket.io-request#/#", "{\"uid\":\"x\",\"type\":5}"}, /* no requestId */
      {"socket.io-response#/#", "{\"requestId\":\"nope\"}"},
      {"other#/#", "x"},
  };
  for (size_t i = 0; i < sizeof junk / sizeof *junk; i++)
    ra_on_message(RA, SP(junk[i][0]), SP(junk[i][1]), 10);
  pub p;
  take(&p);
  cr_assert_eq(p.n, 0);
  cr_assert_null(fake_next(&W, 0));
  stop();
}

/* Mutated recorded messages and random bytes on every kind of channel: nothing crashes,
 * leaks or reads out of bounds (run it under ASan and valgrind), and the node still works
 * afterwards. Deterministic (xorshift). */
static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

Test(ra_adapter, mutated_and_random_messages_do_no_harm) {
  start("B", B_UIDS);
  client(0, "b1", "/", R1);
  client(1, "b2", "/", R2);
  static const char *const channels[] = {
      "socket.io#/#",          "socket.io#/#r1#",          "socket.io-request#/#",
      "socket.io-response#/#", "socket.io-request#/chat#", "socket.io-response#/#<uid:B>#"};
  /* every recorded payload, as bytes */
  uint8_t recorded[64][1024];
  size_t rec_len[64], n_rec = 0;
  cJSON *v;
  cJSON_ArrayForEach(v, cJSON_GetObjectItem(ROOT, "vectors")) {
    cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(v, "messages")) {
      const char *hex = cJSON_GetObjectItem(m, "hex")->valuestring;
      if (n_rec < 64 && strlen(hex) / 2 <= sizeof recorded[0])
        rec_len[n_rec] = unhex(hex, recorded[n_rec], sizeof recorded[0]), n_rec++;
    }
  }
  cr_assert_gt(n_rec, 20);
  uint8_t buf[1100];
  for (int it = 0; it < 20000; it++) {
    size_t n;
    if (it % 4 == 0) { /* random bytes, sometimes starting like JSON */
      n = next_rand() % 64;
      for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)next_rand();
      if (n && it % 8 == 0) buf[0] = '{';
    } else { /* a recorded payload with a few bytes changed, cut or grown */
      size_t k = next_rand() % n_rec;
      n = rec_len[k];
      memcpy(buf, recorded[k], n);
      for (int f = 0; f < 1 + (int)(next_rand() % 4); f++)
        if (n) buf[next_rand() % n] = (uint8_t)next_rand();
      if (next_rand() % 4 == 0 && n) n = next_rand() % n;
    }
    const char *ch = channels[next_rand() % (sizeof channels / sizeof *channels)];
    ra_on_message(RA, SP(ch), (ref_span){buf, n}, 1000 + (uint64_t)it);
    ra_command c;
    while (ra_take_command(RA, &c)) ra_command_free(&c);
    for (int i = 0; i < 2; i++)
      while (fake_next(&W, i)) {
      }
    if (!SOCK[0] || !SOCK[1]) break; /* a mutated disconnect request hit them */
  }
  /* headers that announce far more than they hold */
  static const uint8_t huge[][6] = {{0xdd, 0xff, 0xff, 0xff, 0xff, 0x00},
                                    {0xdf, 0xff, 0xff, 0xff, 0xff, 0x00},
                                    {0xdb, 0xff, 0xff, 0xff, 0xff, 0x00},
                                    {0xc6, 0xff, 0xff, 0xff, 0xff, 0x00}};
  for (size_t i = 0; i < 4; i++)
    for (size_t k = 0; k < 4; k++)
      ra_on_message(RA, SP(channels[k]), (ref_span){huge[i], 6}, 30000);
  ra_tick(RA, 100000);
  stop();
}
