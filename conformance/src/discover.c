/* Discovery before the cases (issue 11, item 1): which path speaks Engine.IO
 * (EIO-HS-1, EIO-HS-2: an open packet with a string sid), whether the contract's echo
 * path echoes ([CT-10]), whether CONNECT "/" is answered (SIO-CONN-2) and the contract's
 * base app greets with "auth" in any order relative to that answer (python-socketio
 * sends events emitted in its connect handler first), the announced extensions
 * ([CT-30]), the open transports and the timings. Every probe is bounded: the official
 * Node server leaves a request on an unknown path hanging. The results decide which
 * cases apply; a missing need is SKIP with its reason, never FAIL. */
#include "ct_discover.h"
#include "wire_payload3.h"
#include "wire_polling.h"
#include "ct_sio.h"
#include "ct_tls.h"

#include <stdlib.h>
#include <string.h>

/* ---- a throwaway run for the probes (its transcript is dropped) */

typedef struct probe {
  ct_case c;
  ct_config quiet;
  ct_run r;
} probe;

static void probe_init(probe *p, const ct_config *cfg) {
  memset(p, 0, sizeof *p);
  p->c.id = "discover";
  p->c.level = CT_MUST;
  p->quiet = *cfg;
  p->quiet.verbose = 0;
  p->r.c = &p->c;
  p->r.cfg = &p->quiet;
  p->r.vars = cJSON_CreateObject();
  p->r.t0 = ct_now_ms();
  /* the probes speak the run's protocol: v3 when discovering in v3, msgpack when that is
   * the only parser asked for (its server answers nothing in JSON) */
  p->r.proto = cfg->tgt.eio == 3                ? CT_P_EIO3
               : cfg->protocols == CT_P_MSGPACK ? CT_P_MSGPACK
                                                : CT_P_EIO4;
}

static void probe_free(probe *p) {
  /* close a polling session at once rather than leave it to its ping timeout */
  ct_conns_teardown(&p->r, 1);
  ct_run_free(&p->r);
}

/* ---- one polling handshake on PATH, described for a user */

enum { HS_OPEN = 1, HS_OTHER = 0, HS_SILENT = -1, HS_REFUSED = -2 };

/* GET PATH?EIO=4&transport=polling. Returns HS_OPEN with *OPEN set (caller frees) when the
 * body starts with an open packet holding a string sid; else a description in DESC. */
static int polling_handshake(const ct_config *cfg, const char *path, int timeout_ms, cJSON **open,
                             char *desc, size_t dlen) {
  int eio = cfg->tgt.eio == 3 ? 3 : 4;
  char *target = ct_xasprintf("%s?EIO=%d&transport=polling", path, eio);
  ct_http_req req = {.method = "GET", .target = target};
  ct_http_resp resp;
  int rc = ct_http_do(cfg->host, cfg->port, &req, timeout_ms, &resp);
  free(target);
  *open = NULL;
  if (rc == -2) {
    snprintf(desc, dlen, "refused the connection");
    return HS_REFUSED;
  }
  if (rc != 1) {
    if (rc == 0)
      snprintf(desc, dlen, "gave no answer within %d ms", timeout_ms);
    else
      snprintf(desc, dlen, "closed the connection without an HTTP answer");
    return HS_SILENT;
  }
  const unsigned char *b = resp.body.data;
  size_t bl = resp.body.len;
  /* EIO-HS-2: the first packet of the body is the open packet */
  wire_polling_iter it;
  wire_polling_rec rec;
  wire_polling_begin(&it, b, bl);
  wire_polling_next(&it, &rec);
  size_t first = rec.raw.len;
  if (eio == 3) {
    /* EIO-TPL-1: the open packet is the first "<length>:" segment */
    wire_payload3_iter i3;
    wire_payload3_rec r3;
    wire_payload3_begin(&i3, b, bl);
    first = 0;
    if (wire_payload3_next(&i3, &r3) == WIRE_MORE && !r3.binary) {
      b = r3.pkt.p;
      first = r3.pkt.len;
    }
  }
  if (resp.status == 200 && first > 1 && b[0] == '0') {
    cJSON *o = cJSON_ParseWithLength((const char *)b + 1, first - 1);
    if (cJSON_IsObject(o) && cJSON_IsString(cJSON_GetObjectItem(o, "sid"))) {
      *open = o;
      /* close the session at once (EIO-CL-1) */
      char *t = ct_xasprintf("%s?EIO=%d&transport=polling&sid=%s", path, eio,
                             cJSON_GetObjectItem(o, "sid")->valuestring);
      ct_http_req cr = {
          .method = "POST",
          .target = t,
          .headers = "Content-Type: text/plain;charset=UTF-8\r\n",
          .body = (const unsigned char *)(eio == 3 ? "1:1" : "1"),
          .body_len = eio == 3 ? 3 : 1,
      };
      ct_http_resp r2;
      if (ct_http_do(cfg->host, cfg->port, &cr, timeout_ms, &r2) == 1) ct_http_resp_free(&r2);
      free(t);
      ct_http_resp_free(&resp);
      return HS_OPEN;
    }
    cJSON_Delete(o);
  }
  ct_buf d = {0};
  ct_buf_printf(&d, "answered HTTP %d", resp.status);
  const char *server = ct_http_header(&resp, "Server");
  if (server) ct_buf_printf(&d, " (Server: %s)", server);
  /* a 200 with something else in it: show the start of what came */
  if (bl && resp.status == 200) {
    ct_buf_adds(&d, " with ");
    ct_buf_add_escaped(&d, b, bl, 40);
  }
  snprintf(desc, dlen, "%s", (char *)d.data);
  ct_buf_free(&d);
  ct_http_resp_free(&resp);
  return HS_OTHER;
}

/* Does PATH accept a WebSocket session (101 and an open packet)? */
static int websocket_open(const ct_config *cfg, const char *path, cJSON **open) {
  probe p;
  probe_init(&p, cfg);
  ct_conn *c = ct_open(&p.r, "d", CT_TR_WEBSOCKET, path, NULL);
  if (c && open) *open = cJSON_Duplicate(cJSON_GetObjectItem(p.r.vars, "d.open"), 1);
  probe_free(&p);
  return c != NULL;
}

/* ---- the probes */

/* [CT-10]: every message on the echo path comes back unchanged. */
static int echoes(const ct_config *cfg, unsigned tr) {
  probe p;
  probe_init(&p, cfg);
  int ok = 0;
  ct_conn *c = ct_open(&p.r, "e", tr, cfg->eio_path, NULL);
  static const char msg[] = "4sioconform-discovery";
  if (c && ct_send(c, 0, msg, sizeof msg - 1) == 0) {
    int64_t deadline = ct_now_ms() + ct_ms(&p.r, 2000);
    ct_pkt k;
    while (!ok && ct_now_ms() < deadline &&
           ct_next_data(c, (int)(deadline - ct_now_ms()), &k) == 1) {
      ok = !k.binary && k.data.len == sizeof msg - 1 && memcmp(k.data.data, msg, k.data.len) == 0;
      ct_buf_free(&k.data);
    }
  }
  probe_free(&p);
  return ok;
}

static int has_prefix(const ct_pkt *k, const char *pre) {
  size_t n = strlen(pre);
  return !k->binary && k->data.len >= n && memcmp(k->data.data, pre, n) == 0;
}

/* SIO-CONN-2 and the contract's greeting, in any order; then [CT-30] when the app is
 * there. Fills tgt->sio_main, tgt->app and *EXTENSIONS. */
static void socketio(ct_config *cfg, unsigned tr, cJSON **extensions) {
  probe p;
  probe_init(&p, cfg);
  ct_conn *c = ct_open(&p.r, "s", tr, cfg->sio_path, NULL);
  /* SIO-FNS-1: under v3 "/" is connected unasked, with a bare "40" */
  if (c && (c->eio3 || ct_send(c, 0, "40", 2) == 0)) {
    int64_t deadline = ct_now_ms() + ct_ms(&p.r, 2000);
    ct_pkt k;
    while (!(cfg->tgt.sio_main && cfg->tgt.app) && ct_now_ms() < deadline &&
           ct_next_data(c, (int)(deadline - ct_now_ms()), &k) == 1) {
      if (has_prefix(&k, "40{")) {
        cJSON *o = cJSON_ParseWithLength((const char *)k.data.data + 2, k.data.len - 2);
        cfg->tgt.sio_main |= cJSON_IsString(cJSON_GetObjectItem(o, "sid"));
        cJSON_Delete(o);
      } else if (c->eio3 && !k.binary && k.data.len == 2 && has_prefix(&k, "40")) {
        cfg->tgt.sio_main = 1;
      } else if (has_prefix(&k, "42[\"auth\"")) {
        cfg->tgt.app = 1; /* the greeting may come before the CONNECT answer */
      } else if (has_prefix(&k, "44")) {
        break; /* CONNECT refused */
      }
      ct_buf_free(&k.data);
    }
    cfg->tgt.app &= cfg->tgt.sio_main;
  }
  if (cfg->tgt.app) {
    static const char ask[] = "421[\"extensions\"]";
    ct_send(c, 0, ask, sizeof ask - 1);
    int64_t deadline = ct_now_ms() + ct_ms(&p.r, 2000);
    ct_pkt k;
    while (ct_now_ms() < deadline && ct_next_data(c, (int)(deadline - ct_now_ms()), &k) == 1) {
      int done = has_prefix(&k, "431");
      if (done) {
        cJSON *a = cJSON_ParseWithLength((const char *)k.data.data + 3, k.data.len - 3);
        if (cJSON_IsArray(a) && cJSON_IsArray(cJSON_GetArrayItem(a, 0)))
          *extensions = cJSON_DetachItemFromArray(a, 0);
        cJSON_Delete(a);
      }
      ct_buf_free(&k.data);
      if (done) break;
    }
  }
  probe_free(&p);
}

static long num_or(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItem(o, k);
  return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

/* Probe one path: polling, then WebSocket. Returns the open packet (caller frees) or NULL
 * with DESC saying what answered; ORs the working transports into *TRS. */
static cJSON *probe_path(const ct_config *cfg, const char *path, int wait, unsigned *trs,
                         int *refused, char *desc, size_t dlen) {
  cJSON *open = NULL, *wopen = NULL;
  int rc = polling_handshake(cfg, path, wait, &open, desc, dlen);
  *refused = rc == HS_REFUSED;
  if (rc == HS_REFUSED) return NULL;
  if (open) *trs |= CT_TR_POLLING;
  /* a server that kept the request hanging would keep the upgrade hanging too */
  if (rc != HS_SILENT && websocket_open(cfg, path, open ? NULL : &wopen)) *trs |= CT_TR_WEBSOCKET;
  if (!open && wopen) snprintf(desc, dlen, "speaks Engine.IO over WebSocket only");
  return open ? open : wopen;
}

static int discover_as(ct_config *cfg, int eio, char *why, size_t whylen) {
  ct_target *t = &cfg->tgt;
  memset(t, 0, sizeof *t);
  t->eio = eio;
  t->ping_interval = t->ping_timeout = t->max_payload = -1;
  cJSON_Delete(cfg->extensions);
  cfg->extensions = NULL;
  int wait = (int)(3000 * (cfg->tscale > 0 ? cfg->tscale : 1.0));
  char sdesc[160] = "", edesc[160] = "";
  unsigned strs = 0, etrs = 0;
  int srefused = 0, erefused = 0;
  cJSON *sopen = probe_path(cfg, cfg->sio_path, wait, &strs, &srefused, sdesc, sizeof sdesc);
  if (srefused) {
    snprintf(why, whylen, "cannot connect to %s://%s:%d (%s)", ct_tls_on() ? "https" : "http",
             cfg->host, cfg->port, ct_tls_error()[0] ? ct_tls_error() : "connection refused");
    return -1;
  }
  cJSON *eopen = probe_path(cfg, cfg->eio_path, wait, &etrs, &erefused, edesc, sizeof edesc);
  t->sio_engine = sopen != NULL;
  t->transports = strs | etrs;
  if (!sopen && !eopen) {
    int same = strcmp(sdesc, edesc) == 0;
    snprintf(why, whylen, "%s://%s:%d%s %s, not an Engine.IO open packet; %s %s%s",
             ct_tls_on() ? "https" : "http", cfg->host, cfg->port, cfg->sio_path, sdesc,
             cfg->eio_path, same ? "the same" : edesc, " (--path and --eio-path set the paths)");
    return -1;
  }
  const cJSON *timing = sopen ? sopen : eopen;
  t->ping_interval = num_or(timing, "pingInterval");
  t->ping_timeout = num_or(timing, "pingTimeout");
  t->max_payload = num_or(timing, "maxPayload");
  if (eopen) t->echo = echoes(cfg, (etrs & CT_TR_WEBSOCKET) ? CT_TR_WEBSOCKET : CT_TR_POLLING);
  if (sopen)
    socketio(cfg, (strs & CT_TR_WEBSOCKET) ? CT_TR_WEBSOCKET : CT_TR_POLLING, &cfg->extensions);
  snprintf(t->answered, sizeof t->answered, "%s: %s; %s: %s", cfg->sio_path,
           sopen ? "Engine.IO" : sdesc, cfg->eio_path,
           eopen ? (t->echo ? "Engine.IO, echoes" : "Engine.IO, does not echo") : edesc);
  t->discovered = 1;
  cJSON_Delete(sopen);
  cJSON_Delete(eopen);
  return 0;
}

/* Does the Socket.IO path (else the echo path) take a polling handshake of version EIO?
 * 1 yes; 0 with WHY saying what answered instead (issue 14: "which versions"). */
static int offers_eio(ct_config *cfg, int eio, char *why, size_t len) {
  int keep = cfg->tgt.eio;
  cfg->tgt.eio = eio;
  cJSON *open = NULL;
  int wait = (int)(3000 * (cfg->tscale > 0 ? cfg->tscale : 1.0));
  const char *path = cfg->tgt.sio_engine ? cfg->sio_path : cfg->eio_path;
  int rc = polling_handshake(cfg, path, wait, &open, why, len);
  if (rc == HS_OPEN) snprintf(why, len, "EIO=%d answered with an open packet", eio);
  cJSON_Delete(open);
  cfg->tgt.eio = keep;
  return rc == HS_OPEN;
}

/* Is the msgpack parser spoken on the Socket.IO path (spec/msgpack.md)? A v4 session
 * sends CONNECT "/" as the msgpack map {type: 0, nsp: "/"} in one binary message
 * (SIO-MP-1); a msgpack server answers with a binary CONNECT, a JSON server refuses the
 * binary message or stays silent. */
static int offers_msgpack(ct_config *cfg, char *why, size_t len) {
  if (!cfg->tgt.sio_engine) {
    snprintf(why, len, "no Engine.IO on the Socket.IO path");
    return 0;
  }
  probe p;
  probe_init(&p, cfg);
  p.r.proto = CT_P_EIO4;
  int ok = 0;
  unsigned tr = (cfg->tgt.transports & CT_TR_WEBSOCKET) ? CT_TR_WEBSOCKET : CT_TR_POLLING;
  ct_conn *c = ct_open(&p.r, "m", tr, cfg->sio_path, NULL);
  static const unsigned char connect[] = {0x82, 0xa4, 't', 'y', 'p',  'e', 0x00,
                                          0xa3, 'n',  's', 'p', 0xa1, '/'};
  snprintf(why, len, "a msgpack CONNECT got no msgpack answer");
  if (c && ct_send(c, 1, connect, sizeof connect) == 0) {
    ct_pkt k;
    if (ct_next_data(c, ct_ms(&p.r, 2000), &k) == 1) {
      /* the answer's map holds type 0 ("type" as fixstr, then positive fixint 0) */
      static const unsigned char type0[] = {0xa4, 't', 'y', 'p', 'e', 0x00};
      for (size_t i = 0; k.binary && i + sizeof type0 <= k.data.len && !ok; i++)
        ok = memcmp(k.data.data + i, type0, sizeof type0) == 0;
      if (ok) snprintf(why, len, "a msgpack CONNECT was answered in msgpack");
      ct_buf_free(&k.data);
    }
  }
  probe_free(&p);
  return ok;
}

int ct_discover(ct_config *cfg, char *why, size_t whylen) {
  unsigned want = cfg->protocols ? cfg->protocols : CT_P_EIO4;
  /* discovery speaks v4 unless only v3 is asked for; a v3-only target (socket.io 2.x)
   * under --eio all is discovered again in v3 */
  int rc = discover_as(cfg, (want & (CT_P_EIO4 | CT_P_MSGPACK)) ? 4 : 3, why, whylen);
  if (rc != 0 && (want & CT_P_EIO3) && cfg->tgt.eio == 4) rc = discover_as(cfg, 3, why, whylen);
  if (rc != 0 || want == CT_P_EIO4) return rc; /* the default run probes nothing more */
  ct_target *t = &cfg->tgt;
  if (offers_eio(cfg, 4, t->proto_why[0], sizeof t->proto_why[0])) t->protocols |= CT_P_EIO4;
  if (offers_eio(cfg, 3, t->proto_why[1], sizeof t->proto_why[1])) t->protocols |= CT_P_EIO3;
  if ((t->protocols & CT_P_EIO4) && (want & CT_P_MSGPACK) &&
      offers_msgpack(cfg, t->proto_why[2], sizeof t->proto_why[2]))
    t->protocols |= CT_P_MSGPACK;
  if (!(t->protocols & CT_P_EIO4) && !t->proto_why[2][0])
    snprintf(t->proto_why[2], sizeof t->proto_why[2], "rides on Engine.IO v4, not offered");
  return 0;
}

/* The first protocol of PROTOS (CT_P_*) as an index into ct_target.proto_why, and its
 * name for a reason line. */
static int proto_index(unsigned protos, const char **name) {
  int i = protos & CT_P_EIO3 ? 1 : protos & CT_P_MSGPACK ? 2 : 0;
  static const char *const names[] = {"Engine.IO v4 / Socket.IO v5", "Engine.IO v3 / Socket.IO v4",
                                      "the msgpack parser"};
  *name = names[i];
  return i;
}

int ct_proto_met(const ct_config *cfg, unsigned proto, char *reason, size_t len) {
  const ct_target *t = &cfg->tgt;
  if (!t->discovered || !t->protocols || (t->protocols & proto)) return 1;
  const char *name;
  int i = proto_index(proto, &name);
  snprintf(reason, len, "the server does not offer %s (%s)", name, t->proto_why[i]);
  return 0;
}

int ct_proto_offered(const ct_config *cfg, unsigned protos, char *reason, size_t len) {
  const ct_target *t = &cfg->tgt;
  unsigned has = t->discovered ? protos & t->protocols : 0;
  if (!has) return 0;
  const char *name;
  int i = proto_index(has, &name);
  snprintf(reason, len, "the server offers %s (%s); this checks a server that refuses it", name,
           t->proto_why[i]);
  return 1;
}

int ct_target_offers(const ct_config *cfg, ct_need need) {
  const ct_target *t = &cfg->tgt;
  if (!t->discovered) return 1;
  switch (need) {
  case CT_NEED_ENGINE:
    return t->sio_engine || t->echo;
  case CT_NEED_ECHO:
    return t->echo;
  case CT_NEED_SOCKETIO:
    return t->sio_main;
  case CT_NEED_APP:
    return t->app;
  }
  return 0;
}

static int has_extension(const ct_config *cfg, const char *name) {
  const cJSON *e;
  cJSON_ArrayForEach(e, cfg->extensions) {
    if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0) return 1;
  }
  return 0;
}

/* Does the comma-separated tag list TAGS hold TAG exactly? */
static int has_tag(const char *tags, const char *tag) {
  size_t n = strlen(tag);
  for (const char *p = tags; p && *p;) {
    while (*p == ',' || *p == ' ') p++;
    size_t k = strcspn(p, ", ");
    if (k == n && strncmp(p, tag, n) == 0) return 1;
    p += k;
  }
  return 0;
}

int ct_need_met(const ct_config *cfg, const ct_case *c, unsigned transport, char *reason,
                size_t len) {
  const ct_target *t = &cfg->tgt;
  /* EIO-CORS-1 is about a server without a CORS policy: --cors-origin says it has one
   * (its cases are then *.cors.configured.*, probes_cors.c) */
  if (cfg->cors_origin && has_tag(c->tags, "EIO-CORS-1")) {
    snprintf(reason, len, "checks a server without a CORS policy; --cors-origin says it allows %s",
             cfg->cors_origin);
    return 0;
  }
  if (t->discovered) {
    /* an Engine.IO case written for the Socket.IO path (sio-engine.json) needs that path */
    if (c->sio && c->needs == CT_NEED_ENGINE && !t->sio_engine) {
      snprintf(reason, len, "needs Engine.IO on the Socket.IO path %s, which does not answer",
               cfg->sio_path);
      return 0;
    }
    if (!ct_target_offers(cfg, c->needs)) {
      switch (c->needs) {
      case CT_NEED_ECHO:
        snprintf(reason, len,
                 "needs the contract's Engine.IO echo path %s, which is absent (spec/contract.md "
                 "CT-10)",
                 cfg->eio_path);
        break;
      case CT_NEED_APP:
        snprintf(reason, len,
                 "needs the contract's base app on %s (its \"auth\" greeting), which is absent "
                 "(spec/contract.md)",
                 cfg->sio_path);
        break;
      case CT_NEED_SOCKETIO:
        snprintf(reason, len, "needs a Socket.IO server on %s answering CONNECT \"/\"",
                 cfg->sio_path);
        break;
      default:
        snprintf(reason, len, "needs an Engine.IO endpoint");
      }
      return 0;
    }
    if (t->transports && !(t->transports & transport)) {
      snprintf(reason, len, "the server does not offer the %s transport",
               transport == CT_TR_POLLING ? "polling" : "websocket");
      return 0;
    }
  }
  /* [CT-30]: an extension the server does not announce */
  if (c->requires && !has_extension(cfg, c->requires)) {
    snprintf(reason, len, "server does not announce extension \"%s\"", c->requires);
    return 0;
  }
  return 1;
}

int ct_target_alive(const ct_config *cfg, int timeout_ms, char *why, size_t whylen) {
  const ct_target *t = &cfg->tgt;
  const char *path = !t->discovered || t->sio_engine ? cfg->sio_path : cfg->eio_path;
  if (!t->discovered || (t->transports & CT_TR_POLLING)) {
    cJSON *open = NULL;
    int rc = polling_handshake(cfg, path, timeout_ms, &open, why, whylen);
    cJSON_Delete(open);
    return rc == HS_OPEN;
  }
  ct_config c2 = *cfg;
  c2.tscale = timeout_ms / 3000.0;
  int ok = websocket_open(&c2, path, NULL);
  if (!ok) snprintf(why, whylen, "gave no WebSocket session within %d ms", timeout_ms);
  return ok;
}

/* ---- reporting */

static void add_ms(cJSON *o, const char *k, long v) {
  if (v >= 0)
    cJSON_AddNumberToObject(o, k, (double)v);
  else
    cJSON_AddNullToObject(o, k);
}

cJSON *ct_discovery_json(const ct_config *cfg) {
  const ct_target *t = &cfg->tgt;
  if (!t->discovered) return NULL;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "sio_path", cfg->sio_path);
  cJSON_AddBoolToObject(o, "sio_engine", t->sio_engine);
  cJSON_AddStringToObject(o, "echo_path", cfg->eio_path);
  cJSON_AddBoolToObject(o, "echo", t->echo);
  cJSON_AddBoolToObject(o, "connect_main", t->sio_main);
  cJSON_AddBoolToObject(o, "app", t->app);
  cJSON *tr = cJSON_AddArrayToObject(o, "transports");
  if (t->transports & CT_TR_POLLING) cJSON_AddItemToArray(tr, cJSON_CreateString("polling"));
  if (t->transports & CT_TR_WEBSOCKET) cJSON_AddItemToArray(tr, cJSON_CreateString("websocket"));
  add_ms(o, "pingInterval", t->ping_interval);
  add_ms(o, "pingTimeout", t->ping_timeout);
  add_ms(o, "maxPayload", t->max_payload);
  if (cfg->extensions)
    cJSON_AddItemToObject(o, "extensions", cJSON_Duplicate(cfg->extensions, 1));
  else
    cJSON_AddNullToObject(o, "extensions");
  cJSON_AddStringToObject(o, "answered", t->answered);
  if (t->protocols) {
    cJSON *pr = cJSON_AddArrayToObject(o, "protocols");
    for (unsigned b = CT_P_EIO4; b <= CT_P_MSGPACK; b <<= 1)
      if (t->protocols & b) cJSON_AddItemToArray(pr, cJSON_CreateString(ct_proto_name(b)));
  }
  return o;
}

static void transports_text(ct_buf *b, unsigned trs) {
  ct_buf_adds(b, trs == CT_TR_ALL         ? "polling, websocket"
                 : trs == CT_TR_POLLING   ? "polling only"
                 : trs == CT_TR_WEBSOCKET ? "websocket only"
                                          : "none");
}

static void timing_text(ct_buf *b, const char *name, long v, const char *unit) {
  if (v >= 0)
    ct_buf_printf(b, "%s %ld%s", name, v, unit);
  else
    ct_buf_printf(b, "%s absent", name);
}

/* The three values of the open packet, as the header and the reports print them. */
static void timings_text(ct_buf *b, const ct_target *t) {
  timing_text(b, "pingInterval", t->ping_interval, " ms");
  ct_buf_adds(b, ", ");
  timing_text(b, "pingTimeout", t->ping_timeout, " ms");
  ct_buf_adds(b, ", ");
  timing_text(b, "maxPayload", t->max_payload, " bytes");
}

char *ct_discovery_line(const ct_config *cfg) {
  const ct_target *t = &cfg->tgt;
  if (!t->discovered) return NULL;
  ct_buf b = {0};
  ct_buf_printf(&b, "Engine.IO on %s: %s; echo path %s: %s; CONNECT \"/\": %s; contract app: %s; ",
                cfg->sio_path, t->sio_engine ? "yes" : "no", cfg->eio_path,
                t->echo ? "present" : "absent", t->sio_main ? "answered" : "not answered",
                t->app ? "present" : "absent");
  ct_buf_adds(&b, "transports: ");
  transports_text(&b, t->transports);
  ct_buf_adds(&b, "; ");
  timings_text(&b, t);
  char *e = cfg->extensions ? cJSON_PrintUnformatted(cfg->extensions) : NULL;
  ct_buf_printf(&b, "; extensions: %s", e ? e : "none announced");
  free(e);
  return ct_buf_steal(&b);
}

void ct_discovery_print(FILE *f, const ct_config *cfg, const ct_case *const *cases,
                        const unsigned *transports, size_t n) {
  const ct_target *t = &cfg->tgt;
  size_t need[4] = {0, 0, 0, 0}, untr = 0;
  for (size_t i = 0; i < n; i++) {
    if (!ct_target_offers(cfg, cases[i]->needs))
      need[cases[i]->needs]++;
    else if (t->transports && !(t->transports & transports[i]))
      untr++;
  }
  ct_buf b = {0};
  ct_buf_printf(&b, "  Engine.IO: %s %s", cfg->sio_path,
                t->sio_engine ? "answers (" : "does not answer");
  if (t->sio_engine) {
    transports_text(&b, t->transports);
    ct_buf_adds(&b, "); ");
  } else {
    ct_buf_adds(&b, "; ");
  }
  timings_text(&b, t);
  fprintf(f, "%s\n", (char *)b.data);
  ct_buf_free(&b);
  /* t->answered is "<sio path>: ...; <echo path>: what answered" */
  const char *ed = strstr(t->answered, "; ");
  ed = ed ? ed + 2 + strlen(cfg->eio_path) + 2 : t->answered;
  if (ed > t->answered + strlen(t->answered)) ed = t->answered;
  if (t->echo)
    fprintf(f, "  echo path %s: present\n", cfg->eio_path);
  else
    fprintf(f, "  echo path %s: absent (%s) — %zu case-runs need it (spec/contract.md)\n",
            cfg->eio_path, ed, need[CT_NEED_ECHO]);
  if (t->sio_main)
    fprintf(f, "  Socket.IO: CONNECT \"/\" answered\n");
  else
    fprintf(f, "  Socket.IO: CONNECT \"/\" not answered — %zu case-runs need it\n",
            need[CT_NEED_SOCKETIO]);
  if (t->app)
    fprintf(f, "  contract app: present\n");
  else
    fprintf(f, "  contract app: absent — %zu case-runs need it (spec/contract.md)\n",
            need[CT_NEED_APP]);
  char *e = cfg->extensions ? cJSON_PrintUnformatted(cfg->extensions) : NULL;
  fprintf(f, "  extensions: %s\n", e ? e : "none announced");
  free(e);
  if (untr) fprintf(f, "  %zu case-runs need a transport the server does not offer\n", untr);
  if (t->protocols) {
    static const char *const names[] = {"Engine.IO v4 / Socket.IO v5",
                                        "Engine.IO v3 / Socket.IO v4", "msgpack parser"};
    for (int i = 0; i < 3; i++)
      fprintf(f, "  %s: %s (%s)\n", names[i], (t->protocols >> i) & 1u ? "offered" : "not offered",
              t->proto_why[i][0] ? t->proto_why[i] : "not probed");
  }
}
