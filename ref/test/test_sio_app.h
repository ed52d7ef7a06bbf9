/* The Socket.IO layer's test application and fixture, shared by test_sio_server.c,
 * test_sio_emit.c and test_sio_room.c (one test binary): namespaces "/", "/chat" and
 * "/auth" whose hooks log into LOG, over the fake transport W (test_sio_fake.h). */
#ifndef SIOREF_TEST_SIO_APP_H
#define SIOREF_TEST_SIO_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "sioref/sio_emit.h"
#include "sioref/sio_room.h"
#include "sioref/sio_server.h"
#include "test_sio_fake.h"

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

extern app_log LOG;
extern fake_world W;
extern const sio_namespace_config NSPS[3];

void copy_span(char *dst, size_t cap, ref_span sp);
void app_ack(void *user, sio_socket *s, sio_ack_status st, const sio_args *data);
/* The test server's config: NSPS, connect timeout 1000 ms, ack timeout 500 ms, W wired. */
sio_server_config base_cfg(void);
/* The suite "sio": a fresh LOG and W with base_cfg() (its TestSuite is in test_sio_app.c). */
void setup(void);
void teardown(void);
ref_span S(const char *s);

#endif
