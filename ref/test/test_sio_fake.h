/* A fake Engine.IO transport for the Socket.IO layer's tests: captures every message the
 * layer sends per connection, records close requests, and supplies a deterministic
 * random source. Time is whatever the test passes: nothing here reads a clock. */
#ifndef TEST_SIO_FAKE_H
#define TEST_SIO_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/sio_server.h"

#define FAKE_MAX_CONNS 8

typedef struct fake_msg {
  bool bin;
  uint8_t *data; /* owned, NUL-terminated for convenience */
  size_t len;
} fake_msg;

typedef struct fake_conn {
  sio_client *c;
  fake_msg *msgs; /* owned */
  size_t n, cap;
  size_t read; /* next message fake_next returns */
  int closes;  /* how many times the layer asked to close */
  int close_reason;
} fake_conn;

typedef struct fake_world {
  sio_server *srv;
  fake_conn conns[FAKE_MAX_CONNS];
  uint32_t rand_counter;
  bool fail_random;
  int wakes;
  sio_client *gone_on_send; /* send to this client reports it closed (on_closed), fails */
  int sends_total;
} fake_world;

/* Fill CFG's embedder callbacks (send, close, random, wake) for W. */
void fake_wire(fake_world *w, sio_server_config *cfg);
/* Create W's server from CFG (after fake_wire). Asserts success. */
void fake_start(fake_world *w, sio_server_config *cfg);
/* Open connection I at NOW. */
void fake_open(fake_world *w, int i, uint64_t now);
/* Feed a text / binary message to connection I; returns sio_client_on_message's result. */
int fake_text(fake_world *w, int i, const char *text, uint64_t now);
int fake_bin(fake_world *w, int i, const void *bytes, size_t len, uint64_t now);
/* The next unread message of connection I, or NULL. */
const fake_msg *fake_next(fake_world *w, int i);
/* Assert that the next message is text equal to EXPECT. */
void fake_expect(fake_world *w, int i, const char *expect);
/* Assert that the next message is text starting with PREFIX. */
void fake_expect_prefix(fake_world *w, int i, const char *prefix);
/* Assert that the next message is binary with these bytes. */
void fake_expect_bin(fake_world *w, int i, const void *bytes, size_t len);
/* Assert there is no unread message on connection I. */
void fake_expect_none(fake_world *w, int i);
/* Connect connection I to namespace NSP ("/" or "/x") and consume the CONNECT reply. */
void fake_join(fake_world *w, int i, const char *nsp, uint64_t now);
/* Free every client and the server; asserts the server has no client left. */
void fake_stop(fake_world *w);

#endif
