/* The sans-I/O driver: timers, wake list and flush loop over Engine.IO routers, shared
 * by the libwebsockets adapter and the fuzz targets so that both run the same loop.
 * Spec tags: EIO-TR-4 (one body per held GET), EIO-TR-12 (a GET that cannot be
 * answered closes its session), EIO-CL-5 (the WebSocket closes after the CLOSE
 * packet), EIO-HB (timers run when due).
 *
 * A connection is in the wake list from a wake (or a POST body becoming ready) until
 * the next flush serves it; it leaves the list when served, released or closed, so a
 * connection that went away is never touched by a later flush. */
#include "sioref/eio_driver.h"

#include <stdlib.h>

typedef struct hook {
  uint64_t (*tick)(void *user, uint64_t now_ms);
  void *user;
} hook;

struct eio_driver {
  eio_driver_io io;
  eio_server *routers[EIO_DRIVER_MAX_ROUTERS];
  size_t n_routers;
  hook hooks[EIO_DRIVER_MAX_HOOKS];
  size_t n_hooks;
  eio_conn *woken; /* the wake list, newest first */
};

eio_driver *eio_driver_new(const eio_driver_io *io) {
  if (!io || !io->http_write || !io->ws_write) return NULL;
  eio_driver *d = calloc(1, sizeof *d);
  if (d) d->io = *io;
  return d;
}

void eio_driver_free(eio_driver *d) { free(d); }

int eio_driver_add_router(eio_driver *d, eio_server *srv) {
  if (!d || !srv || d->n_routers == EIO_DRIVER_MAX_ROUTERS) return REF_ERR_INVALID_ARGUMENT;
  d->routers[d->n_routers++] = srv;
  return 0;
}

int eio_driver_add_hook(eio_driver *d, uint64_t (*tick)(void *user, uint64_t now_ms), void *user) {
  if (!d || !tick || d->n_hooks == EIO_DRIVER_MAX_HOOKS) return REF_ERR_INVALID_ARGUMENT;
  d->hooks[d->n_hooks++] = (hook){tick, user};
  return 0;
}

/* ---- the wake list ---- */

static void unlink_conn(eio_conn *c) {
  if (!c->pprev) return;
  *c->pprev = c->next;
  if (c->next) c->next->pprev = c->pprev;
  c->next = NULL;
  c->pprev = NULL;
}

static void queue(eio_driver *d, eio_conn *c) {
  if (c->pprev) return;
  c->next = d->woken;
  if (d->woken) d->woken->pprev = &c->next;
  d->woken = c;
  c->pprev = &d->woken;
}

bool eio_driver_woken(const eio_conn *c) { return c && c->pprev != NULL; }

void eio_driver_queue(eio_driver *d, eio_conn *c) {
  if (d && c && c->s) queue(d, c);
}

void eio_driver_wake(void *user, eio_session *s) {
  eio_driver *d = user;
  eio_conn *conns[2] = {eio_session_poll_conn(s), eio_session_ws_conn(s)};
  for (int i = 0; i < 2; i++)
    if (d && conns[i]) queue(d, conns[i]);
}

/* ---- timers ---- */

uint64_t eio_driver_tick(eio_driver *d, uint64_t now_ms) {
  uint64_t next = EIO_NO_DEADLINE;
  if (!d) return next;
  for (size_t i = 0; i < d->n_routers; i++) {
    uint64_t t = eio_server_tick(d->routers[i], now_ms);
    if (t < next) next = t;
  }
  for (size_t i = 0; i < d->n_hooks; i++) {
    uint64_t t = d->hooks[i].tick(d->hooks[i].user, now_ms);
    if (t < next) next = t;
  }
  return next;
}

/* ---- connections ---- */

void eio_driver_attach(eio_driver *d, eio_conn *c, eio_conn_kind kind, eio_server *srv,
                       eio_session *s) {
  (void)d;
  if (!c) return;
  unlink_conn(c);
  *c = (eio_conn){.kind = kind, .router = srv, .s = s};
  /* The session's connections, for eio_driver_wake (a POST is woken by post_ready). */
  if (kind == EIO_CONN_GET) eio_session_set_poll_conn(s, c);
  if (kind == EIO_CONN_WS) eio_session_set_ws_conn(s, c);
}

void eio_driver_release(eio_driver *d, eio_conn *c) {
  (void)d;
  if (!c) return;
  unlink_conn(c);
  if (c->s) {
    if (c->kind == EIO_CONN_GET && eio_session_poll_conn(c->s) == c)
      eio_session_set_poll_conn(c->s, NULL);
    if (c->kind == EIO_CONN_WS && eio_session_ws_conn(c->s) == c)
      eio_session_set_ws_conn(c->s, NULL);
    eio_server_release(c->router, c->s); /* may free the session */
  }
  *c = (eio_conn){0};
}

void eio_driver_post_ready(eio_driver *d, eio_conn *c, const uint8_t *body, size_t len) {
  if (!d || !c || c->kind != EIO_CONN_POST || !c->s) return;
  c->body = body ? body : (const uint8_t *)"";
  c->body_len = len;
  c->body_ready = true;
  queue(d, c);
}

int eio_driver_ws_message(eio_driver *d, eio_conn *c, const uint8_t *data, size_t len, bool binary,
                          uint64_t now_ms) {
  (void)d;
  if (!c || c->kind != EIO_CONN_WS || !c->s) return REF_ERR_BAD_STATE;
  return eio_server_ws_message(c->router, c->s, data, len, binary, now_ms);
}

/* A held GET: answered when the session has its body (EIO-TR-4), else left held. */
static int service_get(eio_driver *d, eio_conn *c, uint64_t now_ms) {
  eio_http_response r;
  int rc = eio_server_poll_response(c->router, c->s, &r);
  if (rc == 0) return EIO_DRIVER_KEEP; /* still held: the next wake asks again */
  int w = -1;
  if (rc > 0)
    w = d->io.http_write(d->io.io_user, c, &r);
  else
    eio_server_poll_aborted(c->router, c->s, now_ms); /* EIO-TR-12: cannot answer */
  eio_driver_release(d, c);
  return rc < 0 || w < 0 ? -1 : EIO_DRIVER_HTTP_END;
}

/* A POST whose body is complete: routed now, answered, released. */
static int service_post(eio_driver *d, eio_conn *c, uint64_t now_ms) {
  if (!c->body_ready) return EIO_DRIVER_KEEP;
  eio_http_response r;
  int rc = eio_server_post_body(c->router, c->s, c->body, c->body_len, now_ms, &r);
  int w = rc < 0 ? -1 : d->io.http_write(d->io.io_user, c, &r);
  eio_driver_release(d, c);
  return w < 0 ? -1 : EIO_DRIVER_HTTP_END;
}

/* A WebSocket: every queued message in order until the I/O layer holds back; then,
 * when the session wants it (EIO-CL-5, EIO-UP-8), the close. */
static int service_ws(eio_driver *d, eio_conn *c) {
  while (!(d->io.ws_busy && d->io.ws_busy(d->io.io_user, c))) {
    const uint8_t *data;
    size_t len;
    bool binary;
    int rc = eio_session_ws_pull(c->s, &data, &len, &binary);
    if (rc < 0) return -1;
    if (rc == 0) return eio_session_ws_want_close(c->s) ? EIO_DRIVER_WS_CLOSE : EIO_DRIVER_KEEP;
    if (d->io.ws_write(d->io.io_user, c, data, len, binary) < 0) return -1;
  }
  return EIO_DRIVER_KEEP; /* held back: the I/O layer serves C again when writable */
}

int eio_driver_service(eio_driver *d, eio_conn *c, uint64_t now_ms) {
  if (!d || !c) return EIO_DRIVER_KEEP;
  unlink_conn(c);
  if (!c->s) return EIO_DRIVER_KEEP;
  switch (c->kind) {
  case EIO_CONN_GET:
    return service_get(d, c, now_ms);
  case EIO_CONN_POST:
    return service_post(d, c, now_ms);
  case EIO_CONN_WS:
    return service_ws(d, c);
  case EIO_CONN_NONE:
    break;
  }
  return EIO_DRIVER_KEEP;
}

void eio_driver_flush(eio_driver *d, uint64_t now_ms,
                      void (*done)(void *user, eio_conn *c, int result), void *done_user) {
  if (!d) return;
  /* DONE may release or close other connections: each round takes the list head anew. */
  while (d->woken) {
    eio_conn *c = d->woken;
    int rc = eio_driver_service(d, c, now_ms);
    if (rc != EIO_DRIVER_KEEP && done) done(done_user, c, rc);
  }
}

void eio_driver_closed(eio_driver *d, eio_conn *c, uint64_t now_ms) {
  if (!c) return;
  if (c->s) {
    switch (c->kind) {
    case EIO_CONN_GET:
      eio_session_set_poll_conn(c->s, NULL);
      eio_server_poll_aborted(c->router, c->s, now_ms); /* EIO-TR-12 */
      break;
    case EIO_CONN_POST:
      if (c->body_ready) {
        /* The whole body came before the client left: its packets count. */
        eio_http_response r;
        eio_server_post_body(c->router, c->s, c->body, c->body_len, now_ms, &r);
      } else {
        eio_server_post_aborted(c->router, c->s, now_ms);
      }
      break;
    case EIO_CONN_WS:
      eio_session_set_ws_conn(c->s, NULL);
      eio_server_ws_closed(c->router, c->s, now_ms);
      break;
    case EIO_CONN_NONE:
      break;
    }
  }
  eio_driver_release(d, c);
}
