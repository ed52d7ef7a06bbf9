/* Allocation-failure test of the Socket.IO layer and the contract app: a full contract
 * scenario is replayed with the Nth allocation failing, for every N until a run sees
 * no failure. Every run must finish without a crash, and (checked by ASan/valgrind)
 * without a leak. malloc/calloc/realloc are wrapped at link time (-Wl,--wrap). The
 * fake transport here allocates nothing, so only the layer's allocations are hit. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sioref/contract_app.h"
#include "sioref/sio_server.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static long alloc_count; /* allocations seen since arming */
static long fail_at;     /* 1-based index of the allocation to fail; 0 = never */
static bool failed;      /* the injected failure happened in this run */

static bool should_fail(void) {
  alloc_count++;
  if (fail_at && alloc_count == fail_at) {
    failed = true;
    return true;
  }
  return false;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return should_fail() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

/* ---------------------------------------------------------------- allocation-free fake */

#define CONNS 3

typedef struct conn {
  sio_client *c;
  int msgs;
  int closes;
} conn;

static conn conns[CONNS];
static uint32_t rnd;

static int o_send(void *u, sio_client *c, bool bin, const uint8_t *b, size_t n) {
  (void)u, (void)bin, (void)b, (void)n;
  ((conn *)sio_client_user(c))->msgs++;
  return 0;
}
static void o_close(void *u, sio_client *c, int reason) {
  (void)u, (void)reason;
  ((conn *)sio_client_user(c))->closes++;
}
static int o_random(void *u, uint8_t *out, size_t n) {
  (void)u;
  for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(rnd++ * 31);
  return 0;
}

static void txt(int i, const char *t, uint64_t now) {
  if (conns[i].c)
    (void)sio_client_on_message(conns[i].c, false, (const uint8_t *)t, strlen(t), now);
}
static void bin(int i, const char *b, uint64_t now) {
  if (conns[i].c) (void)sio_client_on_message(conns[i].c, true, (const uint8_t *)b, strlen(b), now);
}

static bool v4_clients; /* the scenario's clients speak protocol v4 (sio_client_open_v4) */

/* One run of the scenario. Returns the number of messages sent in total. */
static int scenario(void) {
  sio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.send = o_send;
  cfg.close = o_close;
  cfg.random = o_random;
  contract_app_configure(&cfg);
  memset(conns, 0, sizeof conns);
  rnd = 0;
  sio_server *srv = sio_server_new(&cfg);
  if (!srv) return 0;
  for (int i = 0; i < CONNS; i++) {
    conns[i].c = sio_client_new(srv, &conns[i]);
    if (conns[i].c)
      (void)(v4_clients ? sio_client_open_v4(conns[i].c, "EngineSidEngineSid00", 0)
                        : sio_client_open(conns[i].c, 0));
  }
  if (v4_clients) { /* SIO-FNS-2: v4 CONNECTs with a query; a string ERROR (SIO-FNS-4) */
    txt(0, "0/custom?a=1&b=%41+c,", 1);
    txt(1, "0/auth?token=sioconform,", 1);
    txt(2, "0/nope?x,", 1);
  }
  for (int i = 0; i < CONNS; i++) txt(i, "0", 1);
  if (!v4_clients) { /* v5 CONNECTs with auth payloads (a v4 client would be closed) */
    txt(0, "0/custom,{\"a\":1}", 2);
    txt(1, "0/auth,{\"token\":\"sioconform\"}", 2);
    txt(2, "0/auth,{\"token\":\"bad\"}", 2);
    txt(2, "0/nope", 2);
  }
  txt(0, "2[\"message\",1,{\"x\":[2]}]", 3);
  {
    static char big[2100];
    if (!big[0]) {
      memcpy(big, "2[\"message\",\"", 13);
      memset(big + 13, 'y', 2000);
      memcpy(big + 2013, "\"]", 3);
    }
    txt(0, big, 3); /* larger than the encoder's stack buffer */
  }
  txt(0, "21[\"message-with-ack\",\"a\"]", 3);
  txt(1, "52-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", 4);
  bin(1, "ab", 4);
  bin(1, "cd", 4);
  for (int i = 0; i < CONNS; i++) txt(i, "29[\"join\",\"ct-r\"]", 5);
  txt(0, "2[\"to-room\",\"ct-r\",1]", 6);
  txt(1, "51-[\"to-room-all\",\"ct-r\",{\"_placeholder\":true,\"num\":0}]", 6);
  bin(1, "z", 6);
  txt(2, "2[\"broadcast\",true]", 7);
  txt(2, "23[\"leave\",\"ct-r\"]", 7);
  txt(0, "2[\"request-ack\",1]", 8);
  txt(0, "30[\"v\"]", 9);
  txt(1, "2[\"request-ack\"]", 10);
  for (int i = 0; i < CONNS; i++)
    if (conns[i].c) (void)sio_client_tick(conns[i].c, 5000);
  txt(2, "21[\"extensions\"]", 5001);
  txt(0, "2[\"disconnect-me\"]", 5002);
  txt(1, "51-[\"message\",{\"_placeholder\":true,\"num\":0}]", 5003); /* left partial */
  txt(2, "2[\"close-me\"]", 5004);
  txt(0, "9", 5005); /* violation */
  int total = 0;
  for (int i = 0; i < CONNS; i++) {
    total += conns[i].msgs;
    if (conns[i].c) sio_client_free(conns[i].c);
  }
  sio_server_free(srv);
  return total;
}

/* Run the scenario clean (more than 20 messages), then once with each allocation failing
 * in turn, until a run goes past the last one. Returns the number of runs with a failure
 * injected; *CLEAN_ALLOCS gets the clean run's allocation count. */
static long sweep(long *clean_allocs) {
  fail_at = 0;
  alloc_count = 0;
  int clean_msgs = scenario();
  *clean_allocs = alloc_count;
  cr_assert_gt(clean_msgs, 20);
  long runs = 0;
  for (fail_at = 1;; fail_at++) {
    alloc_count = 0;
    failed = false;
    (void)scenario();
    runs++;
    if (!failed) break; /* past the last allocation: a clean run */
    cr_assert_lt(fail_at, 100000);
  }
  fail_at = 0; /* disarm: allocations at exit (gcov, Criterion) must succeed */
  return runs;
}

Test(sio_oom, every_allocation_failure_is_survived) {
  long clean_allocs;
  long runs = sweep(&clean_allocs);
  cr_assert_gt(clean_allocs, 50);
  cr_assert_geq(runs, clean_allocs);
  cr_log_info("%ld allocations in a clean run, %ld runs", clean_allocs, runs);
}

/* The same sweep with protocol v4 clients: the implicit "/" connection, socket ids
 * derived from the Engine.IO sid, queries turned into handshake data. */
Test(sio_oom, every_allocation_failure_is_survived_v4) {
  v4_clients = true;
  long clean_allocs;
  long runs = sweep(&clean_allocs);
  v4_clients = false;
  cr_log_info("v4: %ld runs", runs);
}
