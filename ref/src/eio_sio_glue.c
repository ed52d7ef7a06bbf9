/* Glue from Engine.IO sessions to the Socket.IO layer (sans-I/O): every session of the
 * router gets one sio_client; its MESSAGE packets go to the client and the client's
 * output goes back as MESSAGE packets (spec/socket.io-v5.md rides on EIO-TR; closes
 * follow EIO-CL). The application is a parameter (sioref runs contract_app.c). */
#include "sioref/eio_sio_glue.h"

#include <stdio.h>
#include <stdlib.h>

/* A client whose session closed, freed on the next tick (never inside a callback). */
typedef struct dead_client {
  struct dead_client *next;
  sio_client *c;
} dead_client;

struct eio_sio_glue {
  sio_server *srv;
  dead_client *dead;
  bool verbose;
  sio_random_fn random; /* the application's, with its user */
  void *random_user;
  /* The time of the latest call in: the Socket.IO layer's send and close callbacks
   * carry none, and they only run inside a call that gave one. */
  uint64_t now_ms;
  const eio_sio_parser *parser; /* NULL: the text parser */
};

/* An emit target: a session to send to, or a client to feed. */
typedef struct emit_ctx {
  eio_sio_glue *g;
  eio_session *s;
  sio_client *c;
} emit_ctx;

static int to_session(void *ctx, bool binary, const uint8_t *d, size_t n) {
  emit_ctx *x = ctx;
  return eio_session_send(x->s, d, n, binary, x->g->now_ms);
}

static int to_client(void *ctx, bool binary, const uint8_t *d, size_t n) {
  emit_ctx *x = ctx;
  int rc = sio_client_on_message(x->c, binary, d, n, x->g->now_ms);
  return rc < 0 ? rc : 0;
}

static int g_send(void *user, sio_client *c, bool is_binary, const uint8_t *bytes, size_t len) {
  eio_sio_glue *g = user;
  eio_session *s = sio_client_user(c);
  if (!s) return REF_ERR_BAD_STATE;
  if (g->parser) {
    emit_ctx x = {g, s, c};
    return g->parser->encode(g->parser->state, is_binary, bytes, len, to_session, &x);
  }
  return eio_session_send(s, bytes, len, is_binary, g->now_ms);
}

static void g_close(void *user, sio_client *c, int reason) {
  eio_sio_glue *g = user;
  eio_session *s = sio_client_user(c);
  if (g->verbose && s)
    fprintf(stderr, "sioref: socket.io closes %s (reason %d)\n", eio_session_sid(s), reason);
  /* EIO-CL-4, EIO-CL-5: what the layer queued goes first, then the CLOSE packet. */
  if (s) eio_session_close(s, g->now_ms);
}

static int g_random(void *user, uint8_t *out, size_t len) {
  eio_sio_glue *g = user;
  return g->random(g->random_user, out, len);
}

static void on_open(void *user, eio_session *s, uint64_t now_ms) {
  eio_sio_glue *g = user;
  g->now_ms = now_ms;
  sio_client *c = sio_client_new(g->srv, s);
  /* EIO-TVER-4, SIO-FNS-1: an Engine.IO v3 session carries Socket.IO protocol v4, whose
   * socket ids derive from the Engine.IO sid (SIO-FNS-5) */
  bool v4 = eio_session_protocol(s) == EIO_PROTOCOL_V3;
  eio_session_set_user_data(s, c);
  if (!c ||
      (v4 ? sio_client_open_v4(c, eio_session_sid(s), now_ms) : sio_client_open(c, now_ms)) < 0) {
    eio_session_set_user_data(s, NULL);
    sio_client_free(c);
    eio_session_abort(s, EIO_CLOSE_SERVER, now_ms);
    return;
  }
  if (g->verbose) fprintf(stderr, "sioref: socket.io open %s\n", eio_session_sid(s));
}

static void on_message(void *user, eio_session *s, const uint8_t *d, size_t n, bool bin,
                       uint64_t now_ms) {
  eio_sio_glue *g = user;
  g->now_ms = now_ms;
  sio_client *c = eio_session_user_data(s);
  if (!c) return;
  if (!g->parser) {
    sio_client_on_message(c, bin, d, n, now_ms);
    return;
  }
  emit_ctx x = {g, s, c};
  int rc = g->parser->decode(g->parser->state, d, n, bin, to_client, &x);
  if (rc < 0 && !sio_client_is_closed(c)) {
    /* SIO-NS-8, SIO-DC-4: a packet the parser refuses closes this connection only, with
     * no DISCONNECT packets, as a text codec violation does inside the layer */
    if (g->verbose)
      fprintf(stderr, "sioref: socket.io parser refuses a message on %s (%s)\n", eio_session_sid(s),
              ref_err_name(rc));
    sio_client_on_closed(c, rc);
    eio_session_close(s, now_ms);
  }
}

static void on_close(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  eio_sio_glue *g = user;
  g->now_ms = now_ms;
  sio_client *c = eio_session_user_data(s);
  if (g->verbose)
    fprintf(stderr, "sioref: socket.io close %s (%s)\n", eio_session_sid(s),
            eio_close_reason_text(reason));
  if (!c) return;
  eio_session_set_user_data(s, NULL);
  sio_client_on_closed(c, (int)reason);
  dead_client *d = malloc(sizeof *d);
  if (!d) return; /* the client is freed with the server at exit */
  d->c = c;
  d->next = g->dead;
  g->dead = d;
}

static void free_dead(eio_sio_glue *g) {
  while (g->dead) {
    dead_client *d = g->dead;
    g->dead = d->next;
    sio_client_free(d->c);
    free(d);
  }
}

eio_sio_glue *eio_sio_glue_new(const sio_server_config *app, bool verbose) {
  if (!app || !app->random) return NULL;
  eio_sio_glue *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->verbose = verbose;
  g->random = app->random;
  g->random_user = app->user;
  sio_server_config cfg = *app;
  cfg.send = g_send;
  cfg.close = g_close;
  cfg.random = g_random;
  cfg.wake = NULL; /* deadlines are collected by eio_sio_glue_tick */
  cfg.user = g;
  g->srv = sio_server_new(&cfg);
  if (!g->srv) {
    free(g);
    return NULL;
  }
  return g;
}

void eio_sio_glue_eio_callbacks(eio_sio_glue *g, eio_server_config *cfg) {
  cfg->on_open = on_open;
  cfg->on_message = on_message;
  cfg->on_close = on_close;
  cfg->app_user = g;
}

uint64_t eio_sio_glue_tick(void *user, uint64_t now_ms) {
  eio_sio_glue *g = user;
  g->now_ms = now_ms;
  free_dead(g);
  sio_server_tick(g->srv, now_ms);
  free_dead(g);
  return sio_server_next_deadline(g->srv);
}

sio_server *eio_sio_glue_server(const eio_sio_glue *g) { return g ? g->srv : NULL; }

void eio_sio_glue_set_parser(eio_sio_glue *g, const eio_sio_parser *p) {
  if (g) g->parser = p;
}

void eio_sio_glue_free(eio_sio_glue *g) {
  if (!g) return;
  free_dead(g);
  sio_server_free(g->srv);
  free(g);
}
