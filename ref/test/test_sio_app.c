/* The Socket.IO layer's test application and fixture (see test_sio_app.h). */
#include "test_sio_app.h"

#include <criterion/criterion.h>
#include <string.h>

#include "sioref/err.h"

/* ---------------------------------------------------------------- a test app */

app_log LOG;
fake_world W;

void copy_span(char *dst, size_t cap, ref_span sp) {
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

void app_ack(void *user, sio_socket *s, sio_ack_status st, const sio_args *data) {
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

const sio_namespace_config NSPS[] = {
    {"/", NULL, app_connect, app_event, app_disconnect, NULL},
    {"/chat", NULL, app_connect, app_event, app_disconnect, NULL},
    {"/auth", app_auth, app_connect, app_event, app_disconnect, NULL},
};

sio_server_config base_cfg(void) {
  sio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.namespaces = NSPS;
  cfg.n_namespaces = 3;
  cfg.connect_timeout_ms = 1000;
  cfg.ack_timeout_ms = 500;
  fake_wire(&W, &cfg);
  return cfg;
}

void setup(void) {
  memset(&LOG, 0, sizeof LOG);
  memset(&W, 0, sizeof W);
  sio_server_config cfg = base_cfg();
  fake_start(&W, &cfg);
}

void teardown(void) { fake_stop(&W); }

ref_span S(const char *s) {
  ref_span sp = {(const uint8_t *)s, strlen(s)};
  return sp;
}

TestSuite(sio, .init = setup, .fini = teardown);
