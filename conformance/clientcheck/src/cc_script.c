/* The client cases' vocabulary (cc_script.h): one scripted server and one client process
 * per case-run, waits bounded by the caller, every packet logged in the transcript. */
#include "cc_script.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cc_global cc_g;

int cc_ms(const cc_ctx *x, long ms) { return ct_ms(x->r, ms); }

static const char *tr_name(unsigned tr) {
  return tr == CS_TR_POLLING ? "polling" : tr == CS_TR_WEBSOCKET ? "websocket" : "-";
}

/* One event into the transcript. */
static void log_event(cc_ctx *x, const cs_event *e) {
  ct_buf b = {0};
  switch ((int)e->kind) {
  case CS_EV_REQUEST:
    ct_buf_printf(&b, "<< request %s (connection %d)", e->data, e->conn);
    break;
  case CS_EV_OPEN:
    ct_buf_printf(&b, "-- session %d opened over %s (sid %s)", e->session, tr_name(e->transport),
                  e->data);
    break;
  case CS_EV_PACKET:
    if (e->binary) {
      ct_buf_printf(&b, "<< [%s] binary %zu bytes: ", tr_name(e->transport), e->len);
      char hex[2 * 32 + 1];
      ct_hex_encode((const unsigned char *)e->data, e->len > 32 ? 32 : e->len, hex);
      ct_buf_adds(&b, hex);
    } else {
      ct_buf_printf(&b, "<< [%s] ", tr_name(e->transport));
      ct_buf_add_escaped(&b, (const unsigned char *)e->data, e->len, 400);
    }
    break;
  case CS_EV_GET_OVERLAP:
    ct_buf_adds(&b, "<< a second GET while one was held [EIO-TR-6]");
    break;
  case CS_EV_WS_CLOSE:
    ct_buf_adds(&b, "<< WebSocket close frame");
    break;
  case CS_EV_CONN_CLOSED:
    ct_buf_printf(&b, "<< connection %d closed by the client", e->conn);
    break;
  case CS_EV_BAD:
    ct_buf_printf(&b, "<< unreadable: %s", e->data);
    break;
  case CS_EV_PROBE:
    ct_buf_printf(&b, "-- a WebSocket with sid %s opened (upgrade)", e->data);
    break;
  case CS_EV_LINE:
    ct_buf_printf(&b, "client stdout: %s", e->data);
    break;
  case CS_EV_EXIT:
    ct_buf_printf(&b, "client process ended (%s)", e->data);
    break;
  default:
    ct_buf_printf(&b, "event %d", (int)e->kind);
  }
  ct_log(x->r, "%s", (char *)b.data);
  ct_buf_free(&b);
}

/* Pump once until DEADLINE, logging the new events. Returns how many arrived. */
static int pump(cc_ctx *x, int64_t deadline) {
  size_t before = x->d.nev;
  int n = cs_drive_pump(&x->d, deadline);
  for (size_t i = before; i < x->d.nev; i++) {
    const cs_event *e = &x->d.ev[i];
    log_event(x, e);
    if (e->kind == CS_EV_OPEN && x->session == 0) {
      x->session = e->session;
      x->t_open = e->at;
      snprintf(x->sid, sizeof x->sid, "%s", e->data);
    }
  }
  return n;
}

int cc_begin(cc_ctx *x, ct_run *r, const cc_setup *su) {
  memset(x, 0, sizeof *x);
  x->r = r;
  cs_opts o;
  memset(&o, 0, sizeof o);
  o.ping_interval = su && su->ping_interval ? su->ping_interval : 25000;
  o.ping_timeout = su && su->ping_timeout ? su->ping_timeout : 20000;
  o.max_payload = su && su->max_payload ? su->max_payload : 1000000;
  o.open_extra = su ? su->open_extra : NULL;
  /* one transport, no upgrade offered [CC-1], unless the case tests the upgrade */
  o.upgrades = su && su->upgrade && !su->no_offer;
  if (cs_drive_listen(&x->d, &o) < 0) {
    ct_fail(r, NULL, NULL, "harness: cannot listen on 127.0.0.1");
    return -1;
  }
  char url[64], envurl[80], envtr[64], *envauth = NULL;
  snprintf(url, sizeof url, "http://127.0.0.1:%d", x->d.port);
  snprintf(envurl, sizeof envurl, "SIOCONFORM_URL=%s", url);
  snprintf(envtr, sizeof envtr, "SIOCONFORM_TRANSPORT=%s",
           su && su->upgrade               ? "polling,websocket"
           : r->transport == CS_TR_POLLING ? "polling"
                                           : "websocket");
  char *env[5], envrec[64];
  int ne = 0;
  env[ne++] = envurl;
  env[ne++] = envtr;
  if (su && su->auth)
    env[ne++] = envauth = ct_xasprintf("SIOCONFORM_AUTH=%s", su->auth);
  else
    env[ne++] = "SIOCONFORM_AUTH=";
  snprintf(envrec, sizeof envrec, "SIOCONFORM_RECONNECT=%s",
           su && su->reconnect ? su->reconnect : "");
  env[ne++] = envrec;
  env[ne] = NULL;
  ct_log(r, "-- scripted server on %s; client: %s ... (%s)%s%s%s%s", url, cc_g.argv[0], envtr,
         su && su->auth ? " SIOCONFORM_AUTH=" : "", su && su->auth ? su->auth : "",
         su && su->reconnect ? " SIOCONFORM_RECONNECT=" : "",
         su && su->reconnect ? su->reconnect : "");
  int rc = cs_drive_spawn(&x->d, cc_g.argv, url, env);
  free(envauth);
  if (rc < 0) {
    ct_fail(r, NULL, NULL, "harness: cannot start the client %s", cc_g.argv[0]);
    cs_drive_stop(&x->d);
    return -1;
  }
  return 0;
}

void cc_end(cc_ctx *x) {
  /* the stderr the client wrote so far, for the reader of a failed run */
  cs_drive_pump(&x->d, ct_now_ms()); /* a last non-blocking look */
  pid_t pid = x->d.pid;
  int exited = x->d.exited;
  if (x->d.err.len) {
    ct_buf b = {0};
    ct_buf_add_escaped(&b, x->d.err.data, x->d.err.len, 2000);
    ct_log(x->r, "client stderr: %s", (char *)b.data);
    ct_buf_free(&b);
  }
  cs_drive_stop(&x->d);
  ct_log(x->r, "-- client pid %d %s", (int)pid, exited ? "had ended" : "stopped by the harness");
}

/* What a wait looks for: kind and prefix (matches), or a line of a namespace. */
typedef struct wait_spec {
  int kind;
  const char *prefix; /* NULL: any */
  int session_only;
  const char *nsp; /* kind CS_EV_LINE with LINE_NS: the namespace (NULL: "/") */
  int line_ns;
} wait_spec;

int cc_line_in_ns(const char *line, const char *nsp) {
  const char *sp = strrchr(line, ' ');
  const char *last = sp ? sp + 1 : NULL;
  if (!nsp || strcmp(nsp, "/") == 0) return !last || last[0] != '/';
  return last && strcmp(last, nsp) == 0;
}

static int matches(const cs_event *e, const wait_spec *w) {
  if ((int)e->kind != w->kind) return 0;
  if (w->line_ns) {
    size_t l = strlen(w->prefix);
    return strncmp(e->data, w->prefix, l) == 0 && (!e->data[l] || e->data[l] == ' ') &&
           cc_line_in_ns(e->data, w->nsp);
  }
  if (!w->prefix) return 1;
  size_t l = strlen(w->prefix);
  /* a line names a word: "connect" is not "connect_error ..." */
  if (w->kind == CS_EV_LINE)
    return strncmp(e->data, w->prefix, l) == 0 && (!e->data[l] || e->data[l] == ' ');
  return e->len >= l && (l == 0 || memcmp(e->data, w->prefix, l) == 0) &&
         !(w->kind == CS_EV_PACKET && e->binary);
}

static const cs_event *find(cc_ctx *x, const wait_spec *w, size_t *from) {
  for (size_t i = *from; i < x->d.nev; i++) {
    const cs_event *e = &x->d.ev[i];
    if (x->d.used[i]) continue;
    if (w->session_only && e->session != x->session) continue;
    if (matches(e, w)) {
      x->d.used[i] = 1;
      return e;
    }
  }
  *from = x->d.nev;
  return NULL;
}

/* The client process ended and its output is read: nothing more can come (its sockets
 * closed with it), so a wait need not run to its deadline. */
static int client_done(const cc_ctx *x) {
  return x->d.exited && x->d.out_fd < 0 && x->d.err_fd < 0;
}

static const cs_event *wait_want(cc_ctx *x, const wait_spec *w, long timeout) {
  int64_t deadline = ct_now_ms() + timeout;
  size_t from = 0;
  for (;;) {
    const cs_event *e = find(x, w, &from);
    if (e) return e;
    if (ct_now_ms() >= deadline) return NULL;
    if (client_done(x)) {
      /* one last look at what is still on the way (the closes of its sockets) */
      pump(x, ct_now_ms() + 20);
      return find(x, w, &from);
    }
    pump(x, deadline);
  }
}

static const cs_event *wait_for(cc_ctx *x, int kind, const char *prefix, int session_only,
                                long timeout) {
  wait_spec w = {kind, prefix, session_only, NULL, 0};
  return wait_want(x, &w, timeout);
}

const cs_event *cc_wait_line(cc_ctx *x, const char *word, const char *nsp, long timeout) {
  wait_spec w = {CS_EV_LINE, word, 0, nsp, 1};
  return wait_want(x, &w, timeout);
}

const cs_event *cc_wait(cc_ctx *x, int kind, const char *prefix, long timeout) {
  return wait_for(x, kind, prefix, 0, timeout);
}

const cs_event *cc_wait_packet(cc_ctx *x, const char *prefix, long timeout) {
  return wait_for(x, CS_EV_PACKET, prefix, 1, timeout);
}

const cs_event *cc_next_packet(cc_ctx *x, long timeout) {
  return wait_for(x, CS_EV_PACKET, NULL, 1, timeout);
}

int cc_wait_open(cc_ctx *x, long timeout) {
  int64_t deadline = ct_now_ms() + timeout;
  while (!x->session && ct_now_ms() < deadline && !client_done(x)) pump(x, deadline);
  return x->session != 0;
}

int cc_wait_wire_close(cc_ctx *x, long timeout) {
  int64_t deadline = ct_now_ms() + timeout;
  size_t i = 0;
  for (;;) {
    for (; i < x->d.nev; i++) {
      const cs_event *e = &x->d.ev[i];
      if (e->session != x->session) continue;
      /* a polling connection's end is no session's end: HTTP clients may close every
       * connection after its request */
      if ((e->kind == CS_EV_PACKET && !e->binary && e->len == 1 && e->data[0] == '1') ||
          e->kind == CS_EV_WS_CLOSE ||
          (e->kind == CS_EV_CONN_CLOSED && e->transport == CS_TR_WEBSOCKET))
        return 1;
    }
    if (ct_now_ms() >= deadline) return 0;
    if (client_done(x)) {
      pump(x, ct_now_ms() + 20);
      if (i == x->d.nev) return 0;
      continue;
    }
    pump(x, deadline);
  }
}

int cc_is_gone(const cc_ctx *x, const cs_event *e) {
  int own = e->session == x->session;
  if (e->kind == CS_EV_PACKET && own && !e->binary && e->len == 1 && e->data[0] == '1')
    return 1; /* close packet */
  if ((e->kind == CS_EV_WS_CLOSE || e->kind == CS_EV_CONN_CLOSED) && own &&
      (e->kind == CS_EV_WS_CLOSE || e->transport == CS_TR_WEBSOCKET))
    return 1;
  if ((int)e->kind == CS_EV_LINE && strncmp(e->data, "disconnect", 10) == 0 &&
      (!e->data[10] || e->data[10] == ' ') && cc_line_in_ns(e->data, "/"))
    return 1;
  return (int)e->kind == CS_EV_EXIT;
}

int cc_wait_gone(cc_ctx *x, long timeout, int64_t *at) {
  int64_t deadline = ct_now_ms() + timeout;
  size_t i = 0;
  for (;;) {
    for (; i < x->d.nev; i++)
      if (cc_is_gone(x, &x->d.ev[i])) {
        if (at) *at = x->d.ev[i].at;
        return 1;
      }
    if (ct_now_ms() >= deadline) return 0;
    pump(x, deadline);
  }
}

void cc_idle(cc_ctx *x, long ms) {
  int64_t deadline = ct_now_ms() + ms;
  while (ct_now_ms() < deadline && !client_done(x)) pump(x, deadline);
}

int cc_count_packets(const cc_ctx *x, const char *prefix) {
  int n = 0;
  wait_spec w = {CS_EV_PACKET, prefix, 1, NULL, 0};
  for (size_t i = 0; i < x->d.nev; i++)
    if (!x->d.used[i] && x->d.ev[i].session == x->session && matches(&x->d.ev[i], &w)) n++;
  return n;
}

void cc_send(cc_ctx *x, const char *packet) {
  ct_buf b = {0};
  ct_buf_adds(&b, ">> ");
  ct_buf_add_escaped(&b, (const unsigned char *)packet, strlen(packet), 400);
  ct_log(x->r, "%s", (char *)b.data);
  ct_buf_free(&b);
  cs_core_send(x->d.core, packet, strlen(packet), 0);
  cs_core_flush(x->d.core);
  pump(x, ct_now_ms()); /* write it now */
}

void cc_send_probe(cc_ctx *x, const char *packet) {
  ct_log(x->r, ">> [probe websocket] %s", packet);
  cs_core_send_probe(x->d.core, packet, strlen(packet));
  pump(x, ct_now_ms());
}

void cc_close_probe(cc_ctx *x) {
  ct_log(x->r, "xx the probe WebSocket closed by the server");
  cs_core_close_probe(x->d.core);
  pump(x, ct_now_ms());
}

void cc_send_bin(cc_ctx *x, const void *p, size_t len) {
  ct_log(x->r, ">> binary %zu bytes", len);
  cs_core_send(x->d.core, p, len, 1);
  cs_core_flush(x->d.core);
  pump(x, ct_now_ms());
}

void cc_send_batch(cc_ctx *x, const char *const *p, int n) {
  for (int i = 0; i < n; i++) {
    ct_buf b = {0};
    ct_buf_printf(&b, ">> (batch %d/%d) ", i + 1, n);
    ct_buf_add_escaped(&b, (const unsigned char *)p[i], strlen(p[i]), 400);
    ct_log(x->r, "%s", (char *)b.data);
    ct_buf_free(&b);
    cs_core_send(x->d.core, p[i], strlen(p[i]), 0);
  }
  cs_core_flush(x->d.core);
  pump(x, ct_now_ms());
}

/* ---- Socket.IO */

int cc_sio_parse(const char *t, size_t len, cc_sio *s) {
  memset(s, 0, sizeof *s);
  s->type = -1;
  s->ack = -1;
  snprintf(s->nsp, sizeof s->nsp, "/");
  if (len < 2 || t[0] != '4' || t[1] < '0' || t[1] > '6') return -1;
  s->type = t[1] - '0';
  size_t i = 2;
  if (s->type == 5 || s->type == 6) {
    size_t j = i;
    while (j < len && isdigit((unsigned char)t[j])) j++;
    if (j == i || j >= len || t[j] != '-') return -1;
    s->attachments = atoi(t + i);
    i = j + 1;
  }
  if (i < len && t[i] == '/') {
    size_t j = i;
    while (j < len && t[j] != ',') j++;
    size_t l = j - i < sizeof s->nsp - 1 ? j - i : sizeof s->nsp - 1;
    memcpy(s->nsp, t + i, l);
    s->nsp[l] = 0;
    i = j < len ? j + 1 : j;
  }
  if (i < len && isdigit((unsigned char)t[i])) {
    long long a = 0;
    while (i < len && isdigit((unsigned char)t[i]) && a < 1000000000000000LL)
      a = a * 10 + (t[i++] - '0');
    s->ack = a;
  }
  if (i < len) {
    s->data = cJSON_ParseWithLength(t + i, len - i);
    if (!s->data) return -1;
  }
  return 0;
}

void cc_sio_free(cc_sio *s) {
  cJSON_Delete(s->data);
  s->data = NULL;
}

char *cc_json(const cJSON *v) {
  if (!v) return ct_xstrdup("(none)");
  char *p = cJSON_PrintUnformatted(v);
  return p ? p : ct_xstrdup("(unprintable)");
}

const cs_event *cc_await_connect(cc_ctx *x) {
  ct_run *r = x->r;
  unsigned tr = r->transport;
  if (!cc_wait_open(x, cc_ms(x, 10000))) {
    ct_preamble_fail(r, "client.handshake.open-read", tr, "a handshake request within 10 s", NULL,
                     "the client never opened a session");
    return NULL;
  }
  const cs_event *e = cc_wait_packet(x, "40", cc_ms(x, 5000));
  if (!e)
    ct_preamble_fail(r, "client.handshake.open-read", tr, "40... (CONNECT to /)", NULL,
                     "no Socket.IO CONNECT for / within 5 s of the open packet");
  return e;
}

int cc_connect(cc_ctx *x, char **connect_packet) {
  ct_run *r = x->r;
  unsigned tr = r->transport;
  const cs_event *e = cc_await_connect(x);
  if (!e) return -1;
  if (connect_packet) *connect_packet = ct_xstrndup(e->data, e->len);
  char ans[80];
  snprintf(ans, sizeof ans, "40{\"sid\":\"sio-%s\"}", x->sid);
  cc_send(x, ans);
  if (!cc_wait(x, CS_EV_LINE, "connect", cc_ms(x, 3000))) {
    if (connect_packet) {
      free(*connect_packet);
      *connect_packet = NULL;
    }
    ct_preamble_fail(r, "client.sio.connect-answer", tr, "stdout line \"connect\" [CC-3]", NULL,
                     "the client did not report the connection within 3 s of the CONNECT "
                     "answer");
    return -1;
  }
  return 0;
}

/* ---- expectations shared by the cases */
/* Wait for an EVENT from the client on "/" whose array equals WANT (a JSON text), ack id
 * as ACK says (-1: none, -2: any, else that id); 1 with *GOT_ACK, or 0 with the run
 * failed (WHAT names it). Other packets are left in place. */
int cc_expect_event(cc_ctx *x, const char *want, int ack, long long *got_ack, long timeout,
                    const char *what) {
  return cc_expect_event_ns(x, "/", want, ack, got_ack, timeout, what);
}

int cc_expect_event_ns(cc_ctx *x, const char *nsp, const char *want, int ack, long long *got_ack,
                       long timeout, const char *what) {
  cJSON *w = cJSON_Parse(want);
  int64_t deadline = ct_now_ms() + timeout;
  char *last = NULL;
  int ok = 0;
  for (;;) {
    long left = (long)(deadline - ct_now_ms());
    const cs_event *e = left > 0 ? cc_wait_packet(x, "42", left) : NULL;
    if (!e) break;
    cc_sio s; /* "42" also starts "42/nsp,..." */
    if (cc_sio_parse(e->data, e->len, &s) == 0 && s.type == 2 && strcmp(s.nsp, nsp) == 0) {
      int ack_ok = ack == -2 || (ack == -1 ? s.ack < 0 : s.ack == ack);
      if (s.data && cJSON_Compare(s.data, w, 1) && ack_ok) {
        if (got_ack) *got_ack = s.ack;
        ok = 1;
      }
    }
    free(last);
    last = ct_xstrndup(e->data, e->len);
    cc_sio_free(&s);
    if (ok) break;
  }
  if (!ok)
    ct_fail(x->r, want, last ? last : "(nothing)", "%s: no matching EVENT within %ld ms", what,
            timeout);
  free(last);
  cJSON_Delete(w);
  return ok;
}

/* Wait for an ACK (type 3) with id ID on "/" whose array equals WANT. */
int cc_expect_ack(cc_ctx *x, long long id, const char *want, long timeout, const char *what) {
  cJSON *w = cJSON_Parse(want);
  int64_t deadline = ct_now_ms() + timeout;
  char *last = NULL;
  int ok = 0;
  for (;;) {
    long left = (long)(deadline - ct_now_ms());
    const cs_event *e = left > 0 ? cc_wait_packet(x, "43", left) : NULL;
    if (!e) break;
    cc_sio s;
    if (cc_sio_parse(e->data, e->len, &s) == 0 && s.ack == id && s.data &&
        cJSON_Compare(s.data, w, 1) && strcmp(s.nsp, "/") == 0)
      ok = 1;
    free(last);
    last = ct_xstrndup(e->data, e->len);
    cc_sio_free(&s);
    if (ok) break;
  }
  if (!ok) {
    char exp[512];
    snprintf(exp, sizeof exp, "43%lld%s", id, want);
    ct_fail(x->r, exp, last ? last : "(nothing)", "%s: no matching ACK within %ld ms", what,
            timeout);
  }
  free(last);
  cJSON_Delete(w);
  return ok;
}

/* ---- composite steps the cases share */

int cc_echo_ack(cc_ctx *x, long long id, const char *args, const char *what) {
  char *p = ct_xasprintf("42%lld[\"echo-ack\",%s]", id, args);
  char *want = ct_xasprintf("[%s]", args);
  cc_send(x, p);
  int ok = cc_expect_ack(x, id, want, cc_ms(x, 3000), what);
  free(p);
  free(want);
  return ok;
}

int cc_start(cc_ctx *x, ct_run *r, const cc_setup *su) {
  if (cc_begin(x, r, su) < 0) return -1;
  if (cc_connect(x, NULL) == 0) return 0;
  cc_end(x);
  return -1;
}

void cc_grade_survive(cc_ctx *x) {
  ct_run *r = x->r;
  size_t from = x->d.nev;
  cc_send(x, "4290[\"echo-ack\",\"alive\"]");
  int64_t deadline = ct_now_ms() + cc_ms(x, 3000), gone_until = 0;
  const cs_event *gone = NULL;
  for (;;) {
    for (; from < x->d.nev; from++) {
      const cs_event *e = &x->d.ev[from];
      if ((int)e->kind == CS_EV_EXIT && strcmp(e->data, "status 0") != 0) {
        ct_fail(r, "the client goes on, or closes the session", e->data,
                "the client process crashed (%s)", e->data);
        return;
      }
      if (e->kind == CS_EV_PACKET && !e->binary && e->session == x->session && e->len >= 5 &&
          memcmp(e->data, "4390[", 5) == 0 && !gone) {
        ct_log(r, "-- the client ignored it and went on (the probe echo-ack was answered)");
        ct_pass(r);
        return;
      }
      if (!gone && cc_is_gone(x, e)) {
        gone = e;
        /* a crash also closes the connections: watch a little longer for the exit */
        gone_until = ct_now_ms() + 500;
      }
    }
    int64_t now = ct_now_ms();
    if (gone && (now >= gone_until || client_done(x))) {
      ct_log(r, "-- the client left the session (and did not crash)");
      ct_pass(r);
      return;
    }
    if (now >= deadline && !gone) {
      ct_fail(r, "the client goes on (4390[\"alive\"]) or closes the session", NULL,
              "the client neither went on nor closed the session within 3 s: it hangs");
      return;
    }
    if (client_done(x) && !gone) {
      pump(x, now + 20);
      if (from == x->d.nev) {
        ct_fail(r, "the client goes on or closes", NULL, "the client ended without a word");
        return;
      }
      continue;
    }
    pump(x, gone ? gone_until : deadline);
  }
}

int cc_join(cc_ctx *x, const char *nsp, const char *auth, int refuse, char **connect_packet) {
  ct_run *r = x->r;
  char *p = auth ? ct_xasprintf("42[\"join\",\"%s\",%s]", nsp, auth)
                 : ct_xasprintf("42[\"join\",\"%s\"]", nsp);
  cc_send(x, p);
  free(p);
  char want[160];
  snprintf(want, sizeof want, "40%s", nsp);
  int64_t deadline = ct_now_ms() + cc_ms(x, 3000);
  const cs_event *e = NULL;
  while (!e && ct_now_ms() < deadline) {
    int other = 0; /* a second session: judged below */
    for (size_t i = 0; i < x->d.nev; i++)
      other |= x->d.ev[i].kind == CS_EV_OPEN && x->d.ev[i].session > x->session;
    if (other) break;
    if (cc_wait(x, CS_EV_LINE, "unsupported", 0)) {
      ct_skip(r, "the client cannot join a namespace on its connection (\"unsupported join\", "
                 "CC-11)");
      return 0;
    }
    e = cc_wait_packet(x, want, 100);
  }
  if (!e) {
    /* a CONNECT on another Engine.IO session is not the join asked for [SIO-NS-6] */
    for (size_t i = 0; i < x->d.nev; i++) {
      const cs_event *o = &x->d.ev[i];
      if (o->kind == CS_EV_OPEN && o->session > x->session) {
        ct_fail(r, "40/other on the same Engine.IO session", "a new Engine.IO session",
                "the client opened a second session for namespace %s", nsp);
        return 0;
      }
    }
    ct_fail(r, want, NULL, "no CONNECT for %s on the session within 3 s of \"join\"", nsp);
    return 0;
  }
  if (connect_packet) *connect_packet = ct_xstrndup(e->data, e->len);
  if (refuse) return 1;
  char ans[200];
  snprintf(ans, sizeof ans, "40%s,{\"sid\":\"sio2-%s\"}", nsp, x->sid);
  cc_send(x, ans);
  if (!cc_wait_line(x, "connect", nsp, cc_ms(x, 3000))) {
    ct_fail(r, "connect /other", NULL, "the client did not report %s connected [CC-11]", nsp);
    if (connect_packet) {
      free(*connect_packet);
      *connect_packet = NULL;
    }
    return 0;
  }
  return 1;
}

void cc_send_binary(cc_ctx *x, const char *header, const unsigned char *const *bins,
                    const size_t *lens, int n) {
  if (x->r->transport == CS_TR_POLLING) {
    ct_buf b = {0};
    ct_buf_printf(&b, ">> (one body) ");
    ct_buf_add_escaped(&b, (const unsigned char *)header, strlen(header), 300);
    ct_buf_printf(&b, " + %d b-base64 attachment(s)", n);
    ct_log(x->r, "%s", (char *)b.data);
    ct_buf_free(&b);
    cs_core_send(x->d.core, header, strlen(header), 0);
    for (int i = 0; i < n; i++) cs_core_send(x->d.core, bins[i], lens[i], 1);
    cs_core_flush(x->d.core);
    pump(x, ct_now_ms());
  } else {
    cc_send(x, header);
    for (int i = 0; i < n; i++) cc_send_bin(x, bins[i], lens[i]);
  }
}

int cc_expect_binary(cc_ctx *x, int type, const char *nsp, long long ack, const char *want,
                     const unsigned char *const *bins, const size_t *lens, int n,
                     long long *got_ack, long timeout, const char *what) {
  ct_run *r = x->r;
  char prefix[8];
  snprintf(prefix, sizeof prefix, "4%d", type);
  int64_t deadline = ct_now_ms() + timeout;
  cJSON *w = cJSON_Parse(want);
  char *last = NULL;
  int ok = 0;
  for (;;) {
    long left = (long)(deadline - ct_now_ms());
    const cs_event *e = left > 0 ? cc_wait_packet(x, prefix, left) : NULL;
    if (!e) break;
    cc_sio s;
    if (cc_sio_parse(e->data, e->len, &s) == 0 && strcmp(s.nsp, nsp) == 0 && s.attachments == n &&
        (ack == -2 || s.ack == ack) && s.data && cJSON_Compare(s.data, w, 1)) {
      ok = 1;
      if (got_ack) *got_ack = s.ack;
    }
    free(last);
    last = ct_xstrndup(e->data, e->len);
    cc_sio_free(&s);
    if (ok) break;
  }
  cJSON_Delete(w);
  if (!ok) {
    ct_fail(r, want, last ? last : "(nothing)", "%s: no matching %s within %ld ms", what,
            type == 5 ? "BINARY_EVENT" : "BINARY_ACK", timeout);
    free(last);
    return 0;
  }
  free(last);
  for (int i = 0; i < n; i++) {
    const cs_event *a = cc_wait(x, CS_EV_PACKET, NULL, cc_ms(x, 2000));
    if (!a || !a->binary || a->len != lens[i] || memcmp(a->data, bins[i], lens[i]) != 0) {
      char got[64];
      snprintf(got, sizeof got, "%s", !a ? "(nothing)" : a->binary ? "other bytes" : "text");
      ct_fail(r, "the attachments in order", a && !a->binary ? a->data : got,
              "%s: attachment %d is not the one sent", what, i);
      return 0;
    }
  }
  return 1;
}
