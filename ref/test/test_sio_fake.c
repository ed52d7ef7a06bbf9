/* A fake Engine.IO transport for the Socket.IO layer's tests (see test_sio_fake.h). */
#include "test_sio_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

static int fake_send(void *user, sio_client *c, bool is_binary, const uint8_t *bytes, size_t len) {
  fake_world *w = user;
  fake_conn *fc = sio_client_user(c);
  cr_assert_not_null(fc);
  if (c == w->gone_on_send) {
    w->gone_on_send = NULL;
    sio_client_on_closed(c, 0); /* the embedder found the connection gone */
    return -1;
  }
  if (fc->n == fc->cap) {
    fc->cap = fc->cap ? fc->cap * 2 : 16;
    fc->msgs = realloc(fc->msgs, fc->cap * sizeof *fc->msgs);
    cr_assert_not_null(fc->msgs);
  }
  fake_msg *m = &fc->msgs[fc->n++];
  m->bin = is_binary;
  m->len = len;
  m->data = malloc(len + 1);
  cr_assert_not_null(m->data);
  if (len) memcpy(m->data, bytes, len);
  m->data[len] = 0;
  w->sends_total++;
  return 0;
}

static void fake_close(void *user, sio_client *c, int reason) {
  (void)user;
  fake_conn *fc = sio_client_user(c);
  fc->closes++;
  fc->close_reason = reason;
  /* allowed by the contract: on_closed from inside close is a no-op */
  sio_client_on_closed(c, 0);
}

static int fake_random(void *user, uint8_t *out, size_t len) {
  fake_world *w = user;
  if (w->fail_random) return -1;
  for (size_t i = 0; i < len; i++) out[i] = (uint8_t)(w->rand_counter * 7 + i);
  w->rand_counter++;
  return 0;
}

static void fake_wake(void *user, sio_client *c, uint64_t deadline) {
  (void)c;
  (void)deadline;
  ((fake_world *)user)->wakes++;
}

void fake_wire(fake_world *w, sio_server_config *cfg) {
  cfg->send = fake_send;
  cfg->close = fake_close;
  cfg->random = fake_random;
  cfg->wake = fake_wake;
  cfg->user = w;
}

void fake_start(fake_world *w, sio_server_config *cfg) {
  w->srv = sio_server_new(cfg);
  cr_assert_not_null(w->srv);
}

void fake_open(fake_world *w, int i, uint64_t now) {
  fake_conn *fc = &w->conns[i];
  fc->c = sio_client_new(w->srv, fc);
  cr_assert_not_null(fc->c);
  cr_assert_eq(sio_client_open(fc->c, now), 0);
}

int fake_text(fake_world *w, int i, const char *text, uint64_t now) {
  return sio_client_on_message(w->conns[i].c, false, (const uint8_t *)text, strlen(text), now);
}

int fake_bin(fake_world *w, int i, const void *bytes, size_t len, uint64_t now) {
  return sio_client_on_message(w->conns[i].c, true, bytes, len, now);
}

const fake_msg *fake_next(fake_world *w, int i) {
  fake_conn *fc = &w->conns[i];
  if (fc->read >= fc->n) return NULL;
  return &fc->msgs[fc->read++];
}

void fake_expect(fake_world *w, int i, const char *expect) {
  const fake_msg *m = fake_next(w, i);
  cr_assert_not_null(m, "conn %d: expected '%s', got nothing", i, expect);
  cr_assert(!m->bin, "conn %d: expected text '%s', got binary", i, expect);
  cr_assert_str_eq((const char *)m->data, expect, "conn %d", i);
}

void fake_expect_prefix(fake_world *w, int i, const char *prefix) {
  const fake_msg *m = fake_next(w, i);
  cr_assert_not_null(m, "conn %d: expected '%s...', got nothing", i, prefix);
  cr_assert(!m->bin);
  cr_assert(strncmp((const char *)m->data, prefix, strlen(prefix)) == 0,
            "conn %d: expected prefix '%s', got '%s'", i, prefix, (const char *)m->data);
}

void fake_expect_bin(fake_world *w, int i, const void *bytes, size_t len) {
  const fake_msg *m = fake_next(w, i);
  cr_assert_not_null(m, "conn %d: expected binary, got nothing", i);
  cr_assert(m->bin, "conn %d: expected binary, got text '%s'", i, (const char *)m->data);
  cr_assert_eq(m->len, len);
  cr_assert(memcmp(m->data, bytes, len) == 0);
}

void fake_expect_none(fake_world *w, int i) {
  const fake_msg *m = fake_next(w, i);
  cr_assert_null(m, "conn %d: expected nothing, got %s '%s'", i, m && m->bin ? "binary" : "text",
                 m ? (const char *)m->data : "");
}

void fake_join(fake_world *w, int i, const char *nsp, uint64_t now) {
  char pkt[256], prefix[256];
  if (strcmp(nsp, "/") == 0) {
    snprintf(pkt, sizeof pkt, "0");
    snprintf(prefix, sizeof prefix, "0{\"sid\":\"");
  } else {
    snprintf(pkt, sizeof pkt, "0%s,", nsp);
    snprintf(prefix, sizeof prefix, "0%s,{\"sid\":\"", nsp);
  }
  cr_assert_eq(fake_text(w, i, pkt, now), 0);
  fake_expect_prefix(w, i, prefix);
}

void fake_stop(fake_world *w) {
  for (int i = 0; i < FAKE_MAX_CONNS; i++) {
    fake_conn *fc = &w->conns[i];
    if (fc->c) sio_client_free(fc->c);
    fc->c = NULL;
    for (size_t k = 0; k < fc->n; k++) free(fc->msgs[k].data);
    free(fc->msgs);
    memset(fc, 0, sizeof *fc);
  }
  cr_assert_eq(sio_server_client_count(w->srv), 0);
  sio_server_free(w->srv);
  w->srv = NULL;
}
