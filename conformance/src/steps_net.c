/* Network steps on Engine.IO sessions and raw sockets: open/sio_open (the handshake and
 * the CONNECT preamble), send, expect/expect_none/expect_close (packet matching, the
 * SIO-NS-11 deferral of early events), need_payload (EIO-LIM-1: SKIP, never FAIL, when a
 * fixed-size message would exceed the server's maxPayload), and the raw WebSocket and TCP
 * steps ws, frame and raw. */
#include "steps_net.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_match.h"
#include "ct_payload.h"
#include "ct_sio.h"
#include "steps_http.h"

static unsigned stransport(step_ctx *x) {
  const char *t = sget(x, "transport");
  if (t && strcmp(t, "polling") == 0) return CT_TR_POLLING;
  if (t && strcmp(t, "websocket") == 0) return CT_TR_WEBSOCKET;
  return x->r->transport;
}

/* Socket.IO packets compared as JSON (SIO-PK-*: a server may print JSON its own way,
 * e.g. escape non-ASCII as \uXXXX): the header before the JSON ("4" + type + attachment
 * count + namespace + ack id) byte for byte, the JSON semantically. */
static int sio_equal(const ct_buf *exp, const ct_pkt *p) {
  size_t eo, ao;
  if (p->binary || ct_sio_json_offset(exp->data, exp->len, &eo) != 0 ||
      ct_sio_json_offset(p->data.data, p->data.len, &ao) != 0 || eo != ao ||
      memcmp(exp->data, p->data.data, eo) != 0)
    return 0;
  cJSON *e = cJSON_ParseWithLength((const char *)exp->data + eo, exp->len - eo);
  cJSON *a = cJSON_ParseWithLength((const char *)p->data.data + ao, p->data.len - ao);
  int ok = e && a && cJSON_Compare(e, a, 1);
  cJSON_Delete(e);
  cJSON_Delete(a);
  return ok;
}

/* A JSON text in the printer's one canonical form (escapes undone), or NULL. */
static char *sio_canonical(const unsigned char *p, size_t len) {
  size_t off;
  if (ct_sio_json_offset(p, len, &off) != 0) return NULL;
  cJSON *j = cJSON_ParseWithLength((const char *)p + off, len - off);
  char *s = j ? cJSON_PrintUnformatted(j) : NULL;
  cJSON_Delete(j);
  if (!s) return NULL;
  char *out = ct_xasprintf("%.*s%s", (int)off, (const char *)p, s);
  free(s);
  return out;
}

/* Record a payload mismatch with both lengths and the first differing offset; with
 * AS_SIO the two packets are compared in canonical JSON form when both parse. */
static void fail_diff(step_ctx *x, const ct_buf *exp, int exp_binary, const ct_pkt *p, int as_sio) {
  ct_buf e = {0}, a = {0}, why = {0};
  char *ce = as_sio ? sio_canonical(exp->data, exp->len) : NULL;
  char *ca = as_sio && !p->binary ? sio_canonical(p->data.data, p->data.len) : NULL;
  if (ce && ca)
    ct_diff_describe((const unsigned char *)ce, strlen(ce), 0, (const unsigned char *)ca,
                     strlen(ca), 0, &e, &a, &why);
  else
    ct_diff_describe(exp->data, exp->len, exp_binary, p->data.data, p->data.len, p->binary, &e, &a,
                     &why);
  const char *conn = sget(x, "conn");
  sfail(x, (char *)e.data, (char *)a.data, "%s: packet differs%s: %s", conn ? conn : "a",
        ce && ca ? " (as JSON, both in canonical form)" : "", (char *)why.data);
  free(ce);
  free(ca);
  ct_buf_free(&e);
  ct_buf_free(&a);
  ct_buf_free(&why);
}

/* Compare a received packet with the step's expectation. Returns 1 match, 0 not.
 * WANT_DESC receives a human rendering of the expectation. */
static int pkt_matches(step_ctx *x, const ct_pkt *p, ct_buf *want) {
  ct_buf exp = {0};
  int binary = 0;
  int rc = spayload(x, &exp, &binary);
  if (rc < 0) {
    ct_buf_free(&exp);
    return 0;
  }
  if (rc == 0) {
    ct_pkt e = {binary, exp};
    ct_pkt_render(want, &e);
    const char *cmp = sget(x, "compare");
    int as_sio = cmp && strcmp(cmp, "sio") == 0;
    int ok = as_sio ? sio_equal(&exp, p)
                    : p->binary == binary && p->data.len == exp.len &&
                          (exp.len == 0 || memcmp(p->data.data, exp.data, exp.len) == 0);
    /* Large payloads: the renderings are cut, so the failure names both lengths and the
     * first differing offset instead. Only for a received packet (op_expect also calls
     * this with an empty, data-less packet to describe what it waited for). */
    if (!ok && p->data.data && x->r->nverdicts == 0 &&
        (as_sio || exp.len > 300 || p->data.len > 300))
      fail_diff(x, &exp, binary, p, as_sio);
    ct_buf_free(&exp);
    return ok;
  }
  ct_buf_free(&exp);
  int bad = 0;
  char *prefix = sstr(x, "prefix", &bad);
  char *re = bad ? NULL : sstr(x, "match", &bad);
  const cJSON *json = cJSON_GetObjectItem(x->s, "json");
  const cJSON *json_exact = cJSON_GetObjectItem(x->s, "json_exact");
  int ok = !bad && !p->binary;
  if (bad) {
    free(prefix);
    return 0;
  }
  if (prefix) ct_buf_printf(want, "text starting with \"%s\"", prefix);
  if (ok && prefix)
    ok = p->data.len >= strlen(prefix) && memcmp(p->data.data, prefix, strlen(prefix)) == 0;
  if (re) {
    ct_buf_printf(want, "%stext matching /%s/", want->len ? " and " : "", re);
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
      sfail(x, NULL, NULL, "bad regular expression");
      ok = 0;
    } else {
      /* an empty packet, or the empty stand-in op_expect passes on a timeout to word
       * what was wanted, has no buffer: regexec must not see NULL */
      const char *text = p->data.data ? (const char *)p->data.data : "";
      if (ok) ok = regexec(&rx, text, 0, NULL, 0) == 0;
      regfree(&rx);
    }
  }
  if (json || json_exact) {
    const cJSON *pat = json ? json : json_exact;
    char *ps = cJSON_PrintUnformatted(pat);
    ct_buf_printf(want, "%sJSON %s %s", want->len ? " then " : "", json ? "matching" : "equal to",
                  ps);
    free(ps);
    if (ok) {
      size_t off = prefix ? strlen(prefix) : 0;
      cJSON *a = cJSON_ParseWithLength((const char *)p->data.data + off, p->data.len - off);
      ok = a && ct_json_match(pat, a, json_exact != NULL);
      cJSON_Delete(a);
    }
  }
  if (!want->len) ct_buf_adds(want, "any packet");
  free(prefix);
  free(re);
  return ok;
}

/* "save": {"var": NAME, "regex": RE}: store RE's first group (or whole match) of a
 * matched text packet as variable NAME, e.g. the ack id the server chose. */
static void save_groups(step_ctx *x, const ct_pkt *p) {
  const cJSON *sv = cJSON_GetObjectItem(x->s, "save");
  if (!sv) return;
  const char *var = cJSON_GetStringValue(cJSON_GetObjectItem(sv, "var"));
  const char *re = cJSON_GetStringValue(cJSON_GetObjectItem(sv, "regex"));
  regex_t rx;
  regmatch_t m[2];
  if (!var || !re || p->binary || regcomp(&rx, re, REG_EXTENDED) != 0) {
    sfail(x, NULL, NULL, "bad save clause");
    return;
  }
  if (regexec(&rx, (const char *)p->data.data, 2, m, 0) != 0) {
    sfail(x, re, (const char *)p->data.data, "save: no match");
  } else {
    int g = m[1].rm_so >= 0 ? 1 : 0;
    char *v =
        ct_xstrndup((const char *)p->data.data + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
    cJSON_DeleteItemFromObject(x->r->vars, var);
    cJSON_AddStringToObject(x->r->vars, var, v);
    ct_log(x->r, ".. saved %s = %s", var, v);
    free(v);
  }
  regfree(&rx);
}

static long default_wait(const ct_run *r) { return ct_ms(r, 2000); }

/* The namespace whose CONNECT / CONNECT_ERROR answer the expect step waits for, from
 * the literal start of its expectation (text, sio, prefix, or a match anchored with ^).
 * Returns 1 and fills NSP, or 0 when the step expects something else. */
static int expected_answer_nsp(step_ctx *x, char *nsp, size_t nsplen) {
  char lit[160] = "";
  const char *t = sget(x, "text"), *sio = sget(x, "sio"), *pre = sget(x, "prefix");
  const char *re = sget(x, "match");
  if (t)
    snprintf(lit, sizeof lit, "%s", t);
  else if (sio)
    snprintf(lit, sizeof lit, "4%s", sio);
  else if (pre)
    snprintf(lit, sizeof lit, "%s", pre);
  else if (re && re[0] == '^')
    snprintf(lit, sizeof lit, "%.*s", (int)strcspn(re + 1, ".[]()*+?{}|\\$^"), re + 1);
  return ct_sio_answer_nsp(lit, nsp, nsplen);
}

void op_expect(step_ctx *x) {
  ct_conn *c = sconn(x);
  long timeout;
  if (!c || swait(x, "timeout", 2000, 0, &timeout) != 0) return;
  const char *t = sget(x, "text");
  int want_noop = t && strcmp(t, "6") == 0;
  /* SIO-NS-11: while a CONNECT / CONNECT_ERROR answer is awaited, events of its namespace
   * that come first are set aside and put back at the head of the queue afterwards, as
   * the official client buffers them; "defer": false grades the order (SIO-NS-10) */
  ct_defer d;
  memset(&d, 0, sizeof d);
  int defer = !cJSON_IsFalse(cJSON_GetObjectItem(x->s, "defer")) &&
              expected_answer_nsp(x, d.nsp, sizeof d.nsp);
  int64_t deadline = ct_now_ms() + timeout;
  for (;;) {
    ct_pkt p;
    int64_t left = deadline - ct_now_ms();
    int rc = ct_next(c, left > 0 ? (int)left : 0, &p);
    if (rc != 1) {
      ct_buf want = {0};
      ct_pkt dummy = {0, {0}};
      pkt_matches(x, &dummy, &want);
      if (x->r->nverdicts == 0) {
        if (rc == 0)
          sfail(x, (char *)want.data, "nothing (timeout)", "%s: no packet within %ld ms", c->name,
                timeout);
        else
          sfail(x, (char *)want.data, c->close_why, "%s: closed before the expected packet",
                c->name);
      }
      ct_buf_free(&want);
      ct_defer_restore(&d, c);
      return;
    }
    /* noops only end a long poll (EIO-UP-*): skip them unless the step wants one */
    if (!p.binary && p.data.len == 1 && p.data.data[0] == '6' && !want_noop) {
      ct_buf_free(&p.data);
      continue;
    }
    /* "skip": packets the spec allows before the expected one (exact texts) */
    int skip = 0;
    const cJSON *sk;
    cJSON_ArrayForEach(sk, cJSON_GetObjectItem(x->s, "skip")) {
      if (cJSON_IsString(sk) && !p.binary && p.data.len == strlen(sk->valuestring) &&
          memcmp(p.data.data, sk->valuestring, p.data.len) == 0)
        skip = 1;
    }
    if (skip) {
      ct_log(x->r, ".. skipped an allowed packet");
      ct_buf_free(&p.data);
      continue;
    }
    if (defer && ct_defer_take(&d, x->r, &p)) continue;
    ct_buf want = {0};
    int ok = pkt_matches(x, &p, &want);
    if (ok) save_groups(x, &p);
    if (!ok && x->r->nverdicts == 0) {
      ct_buf got = {0};
      ct_pkt_render(&got, &p);
      sfail(x, (char *)want.data, (char *)got.data, "%s: unexpected packet", c->name);
      ct_buf_free(&got);
    }
    ct_buf_free(&want);
    ct_buf_free(&p.data);
    ct_defer_restore(&d, c);
    return;
  }
}

void op_expect_none(step_ctx *x) {
  ct_conn *c = sconn(x);
  long ms;
  if (!c || swait(x, "ms", 500, 1, &ms) != 0) return;
  int64_t deadline = ct_now_ms() + ms;
  for (;;) {
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) return;
    ct_pkt p;
    int rc = ct_next(c, (int)left, &p);
    if (rc == 0) return;
    if (rc < 0) {
      if (cJSON_IsTrue(cJSON_GetObjectItem(x->s, "allow_close"))) return;
      sfail(x, "no packet and an open connection", c->close_why, "%s closed", c->name);
      return;
    }
    if (!p.binary && p.data.len == 1 && p.data.data[0] == '6') {
      ct_buf_free(&p.data);
      continue;
    }
    /* a close packet is how a polling session ends (EIO-CL-4): allowed with allow_close */
    if (!p.binary && p.data.len == 1 && p.data.data[0] == '1' &&
        cJSON_IsTrue(cJSON_GetObjectItem(x->s, "allow_close"))) {
      ct_buf_free(&p.data);
      return;
    }
    ct_buf got = {0};
    ct_pkt_render(&got, &p);
    sfail(x, "no packet", (char *)got.data, "%s: unexpected packet", c->name);
    ct_buf_free(&got);
    ct_buf_free(&p.data);
    return;
  }
}

/* EIO-CL-*: the session ends. Packets that arrive before the end are allowed (a
 * server may flush a close packet or an error first). On polling a session that is
 * still "open" at the deadline is probed with one GET, which must be refused. */
void op_expect_close(step_ctx *x) {
  ct_conn *c = sconn(x);
  long within;
  if (!c || swait(x, "within", 2000, 0, &within) != 0) return;
  int64_t deadline = ct_now_ms() + within;
  while (!c->closed) {
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) break;
    ct_pkt p;
    int rc = ct_next(c, (int)left, &p);
    if (rc == 1) ct_buf_free(&p.data);
  }
  if (c->closed) {
    ct_log(x->r, "== %s closed: %s", c->name, c->close_why);
    /* ws_code: the close code wanted, or a list of the codes accepted */
    const cJSON *code = cJSON_GetObjectItem(x->s, "ws_code");
    if ((cJSON_IsNumber(code) || cJSON_IsArray(code)) && c->transport == CT_TR_WEBSOCKET) {
      int ok = 0;
      char e[128] = "close code";
      const cJSON *k;
      if (cJSON_IsNumber(code)) {
        ok = c->ws.close_code == code->valueint;
        snprintf(e + strlen(e), sizeof e - strlen(e), " %d", code->valueint);
      } else {
        cJSON_ArrayForEach(k, code) {
          ok |= cJSON_IsNumber(k) && c->ws.close_code == k->valueint;
          snprintf(e + strlen(e), sizeof e - strlen(e), "%s %d", k == code->child ? "" : " or",
                   k->valueint);
        }
      }
      if (!ok) {
        char a[256];
        snprintf(a, sizeof a, "%s", c->close_why);
        sfail(x, e, a, "wrong WebSocket close code");
      }
    }
    return;
  }
  /* A held GET is never cancelled to find out: an aborted GET closes the session by
   * itself (EIO-TR-12) and would fake the closure. With no GET in flight one GET must
   * be refused; with one held, only an unambiguous "unknown sid" (code 1) answer
   * counts, since a conforming server answers a held GET when it closes (EIO-CL-4) and
   * the pump above would have seen that. */
  if (c->transport == CT_TR_POLLING && c->sid[0]) {
    if (ct_poll_gone(c, ct_ms(x->r, 1000), c->get_pending)) {
      ct_log(x->r, "== %s is gone (later request refused)", c->name);
      c->closed = 1;
      return;
    }
  }
  sfail(x, "the session closed", "still open", "%s not closed within %ld ms", c->name, within);
}

static void open_step(step_ctx *x, int sio) {
  const char *name = sget(x, "conn");
  int bad = 0;
  char *query = sstr(x, "query", &bad);
  char *path = bad ? NULL : sstr(x, "path", &bad);
  if (bad) {
    free(query);
    return;
  }
  unsigned tr = stransport(x);
  ct_conn *c;
  /* compression (EIO-CMP-*): a permessage-deflate offer, an Accept-Encoding for GETs */
  char *ext = bad ? NULL : sstr(x, "ws_extensions", &bad);
  char *acc = bad ? NULL : sstr(x, "accept_encoding", &bad);
  ct_open_opts oo = {ext, acc};
  if (bad) {
    c = NULL;
  } else if (sio) {
    c = ct_sio_open(x->r, name ? name : "a", tr);
  } else {
    c = ct_open_opt(x->r, name ? name : "a", tr, NULL, 0, path, query, &oo);
  }
  free(query);
  free(path);
  free(ext);
  free(acc);
  if (!c) return;
  const cJSON *ap = cJSON_GetObjectItem(x->s, "autopong");
  if (cJSON_IsBool(ap)) c->autopong = cJSON_IsTrue(ap);
  const char *poll = sget(x, "poll");
  if (poll && strcmp(poll, "manual") == 0) c->bg = 0;
  /* EIO-HS-2: the open packet's members, compared as a JSON pattern */
  const cJSON *oj = cJSON_GetObjectItem(x->s, "open_json");
  if (oj) {
    char k[64];
    snprintf(k, sizeof k, "%s.open", c->name);
    const cJSON *got = cJSON_GetObjectItem(x->r->vars, k);
    if (!ct_json_match(oj, got, cJSON_IsTrue(cJSON_GetObjectItem(x->s, "open_exact")))) {
      char *w = cJSON_PrintUnformatted(oj);
      char *g = got ? cJSON_PrintUnformatted(got) : NULL;
      sfail(x, w, g ? g : "(none)", "open packet does not match");
      free(w);
      free(g);
    }
  }
}

void op_open(step_ctx *x) { open_step(x, 0); }
void op_sio_open(step_ctx *x) { open_step(x, 1); }

void op_send(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (!c) return;
  ct_buf b = {0};
  int binary = 0;
  int rc = spayload(x, &b, &binary);
  if (rc == 1) sfail(x, NULL, NULL, "send needs text, sio, hex or fill");
  if (rc != 0) {
    ct_buf_free(&b);
    return;
  }
  const cJSON *st = cJSON_GetObjectItem(x->s, "status");
  if (c->transport == CT_TR_POLLING && st) {
    /* the case cares about the POST's answer (e.g. 400 for a bad packet) */
    ct_buf body = {0};
    int status = 0;
    ct_polling_body(c, binary, b.data, b.len, &body);
    ct_post(c, body.data, body.len, NULL, &status, NULL);
    ct_buf_free(&body);
    int ok = 0;
    if (cJSON_IsNumber(st))
      ok = status == st->valueint;
    else if (cJSON_IsArray(st)) {
      const cJSON *e;
      cJSON_ArrayForEach(e, st) ok |= cJSON_IsNumber(e) && e->valueint == status;
    } else if (cJSON_IsString(st) && strcmp(st->valuestring, "any") == 0) {
      ok = 1;
    }
    if (!ok) {
      char *ws = cJSON_PrintUnformatted(st);
      char a[32];
      snprintf(a, sizeof a, "HTTP %d", status);
      sfail(x, ws, a, "POST answered with an unexpected status");
      free(ws);
    }
  } else if (ct_send(c, binary, b.data, b.len) != 0) {
    if (!cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_fail")))
      sfail(x, "the packet is accepted", "send failed", "%s: send failed", c->name);
  }
  ct_buf_free(&b);
}

/* Raw WebSocket connection. expect: "open" (101 needed), "refused" (anything but a
 * working session: a non-101 answer, or 101 then a close without an open packet). */
void op_ws(step_ctx *x) {
  const char *name = sget(x, "conn");
  int bad = 0;
  char *target = sstr(x, "target", &bad);
  if (bad) return;
  if (!target) {
    sfail(x, NULL, NULL, "ws needs a target");
    return;
  }
  const char *expect = sget(x, "expect");
  if (!expect) expect = "open";
  ct_conn *c = ct_conn_new(x->r, name ? name : "w", CT_TR_WEBSOCKET);
  char *hdrs = build_headers(x);
  ct_http_resp resp;
  ct_log(x->r, "-> %s WS GET %s", c->name, target);
  int rc = ct_ws_connect(&c->ws, x->r->cfg->host, x->r->cfg->port, target, hdrs,
                         (int)default_wait(x->r), &resp);
  free(hdrs);
  ct_log(x->r, "<- %s WS handshake %d (HTTP %d)", c->name, rc, resp.status);
  if (strcmp(expect, "open") == 0) {
    if (rc != 0) {
      char a[64];
      snprintf(a, sizeof a, "result %d, HTTP %d", rc, resp.status);
      sfail(x, "HTTP 101", a, "WebSocket handshake failed");
    }
    const char *sid = cJSON_GetStringValue(cJSON_GetObjectItem(x->r->vars, "sid"));
    /* a conn that joins an existing session (upgrade) shares its sid */
    if (sid && strstr(target, "sid=")) snprintf(c->sid, sizeof c->sid, "%s", sid);
  } else if (rc == 0) {
    /* 101 then: the server must close without opening a session */
    ct_pkt p;
    long within;
    if (swait(x, "within", 2000, 0, &within) == 0) {
      int nr = ct_next(c, (int)within, &p);
      if (nr == 1) {
        ct_buf got = {0};
        ct_pkt_render(&got, &p);
        if (!(p.data.len >= 1 && p.data.data[0] == '1' && !p.binary))
          sfail(x, "a refused connection", (char *)got.data, "server answered on a bad request");
        ct_buf_free(&got);
        ct_buf_free(&p.data);
      } else if (nr == 0) {
        sfail(x, "a refused connection", "open connection", "server kept the connection open");
      }
    }
    c->closed = 1;
  } else {
    c->closed = 1;
  }
  ct_http_resp_free(&resp);
  free(target);
}

void op_frame(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (!c) return;
  if (c->transport != CT_TR_WEBSOCKET) {
    sfail(x, NULL, NULL, "frame needs a WebSocket connection");
    return;
  }
  long opcode, fin, rsv, mask;
  if (snum(x, "opcode", 1, &opcode) || snum(x, "fin", 1, &fin) || snum(x, "rsv", 0, &rsv) ||
      snum(x, "mask", 1, &mask))
    return;
  ct_buf b = {0};
  int binary = 0;
  if (spayload(x, &b, &binary) < 0) {
    ct_buf_free(&b);
    return;
  }
  unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  ct_buf f = {0};
  ct_ws_encode(&f, (int)fin, (int)rsv, (int)opcode, b.data, b.len, mask ? key : NULL);
  ct_log(x->r, "-> %s frame op=%ld fin=%ld rsv=%ld mask=%ld len=%zu", c->name, opcode, fin, rsv,
         mask, b.len);
  if (ct_ws_send_raw(&c->ws, f.data, f.len) != 0 &&
      !cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_fail")))
    sfail(x, NULL, NULL, "frame send failed");
  ct_buf_free(&f);
  ct_buf_free(&b);
}

/* "raw": bytes on a fresh TCP connection, for hostile input the HTTP and WebSocket
 * clients refuse to produce (garbage after an upgrade request, a frame header
 * announcing 2^63-1 bytes). "text" (variables substituted) then "hex" are sent in one
 * go; the answer is read for "read_ms". With "expect": "close" the server must end
 * the connection within that time (issue 6, security pack). */
void op_raw(step_ctx *x) {
  int bad = 0;
  char *text = sstr(x, "text", &bad);
  const char *hex = sget(x, "hex");
  const char *want = sget(x, "expect");
  long read_ms;
  if (bad || swait(x, "read_ms", 500, 0, &read_ms) != 0) {
    free(text);
    return;
  }
  ct_buf out = {0};
  if (text) ct_buf_adds(&out, text);
  free(text);
  if (hex) {
    size_t cap = strlen(hex) / 2 + 1;
    unsigned char *b = ct_xmalloc(cap);
    long n = ct_hex_decode(hex, b, cap);
    if (n < 0) {
      free(b);
      ct_buf_free(&out);
      sfail(x, NULL, NULL, "raw: bad hex");
      return;
    }
    ct_buf_add(&out, b, (size_t)n);
    free(b);
  }
  int fd = ct_tcp_connect(x->r->cfg->host, x->r->cfg->port, ct_ms(x->r, 2000));
  if (fd < 0) {
    ct_buf_free(&out);
    sfail(x, "a TCP connection", "refused", "raw: cannot connect");
    return;
  }
  ct_log(x->r, "-> raw %zu bytes", out.len);
  int sent = ct_send_all(fd, out.data, out.len, ct_ms(x->r, 2000));
  ct_buf_free(&out);
  ct_buf in = {0};
  int closed = sent != 0;
  int64_t end = ct_now_ms() + read_ms;
  while (!closed && ct_now_ms() < end) {
    long n = ct_recv_some(fd, &in);
    if (n == 0 || n == -2)
      closed = 1;
    else if (n == -1)
      ct_sleep_ms(5);
  }
  ct_tcp_close(fd);
  ct_log(x->r, "<- raw %zu bytes, connection %s", in.len, closed ? "closed" : "still open");
  ct_buf_free(&in);
  if (want && strcmp(want, "close") == 0 && !closed)
    sfail(x, "the server closes the connection", "still open", "raw: connection kept open");
}

/* "skip_unless": SKIP the case, with REASON, unless VALUE equals / differs from / matches
 * the given string: an optional feature the server does not offer (compression,
 * EIO-CMP-1, EIO-CMP-8) is not a failure. */
void op_skip_unless(step_ctx *x) {
  int bad = 0;
  char *v = sstr(x, "value", &bad);
  char *eq = bad ? NULL : sstr(x, "equals", &bad);
  char *ne = bad ? NULL : sstr(x, "differs", &bad);
  char *re = bad ? NULL : sstr(x, "match", &bad);
  char *why = bad ? NULL : sstr(x, "reason", &bad);
  if (!bad) {
    int holds = 1;
    if (eq) holds = strcmp(v, eq) == 0;
    if (holds && ne) holds = strcmp(v, ne) != 0;
    if (holds && re) {
      regex_t rx;
      if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
        sfail(x, NULL, NULL, "bad regular expression");
        holds = 1;
      } else {
        holds = regexec(&rx, v, 0, NULL, 0) == 0;
        regfree(&rx);
      }
    }
    if (!holds) ct_skip(x->r, "%s (value \"%s\")", why ? why : "a condition does not hold", v);
  }
  free(v);
  free(eq);
  free(ne);
  free(re);
  free(why);
}

/* "need_payload": "body" = the longest POST body or WebSocket message the case sends
 * (an expression: the fill's wire size, base64 included on polling). SKIP with the
 * reason when it exceeds ${maxPayload} (the open packet's, or the fallback of
 * --max-payload / the official default that client.c logs). */
void op_need_payload(step_ctx *x) {
  long body, limit;
  if (snum(x, "body", -1, &body) || body < 0) {
    if (!x->r->nverdicts) sfail(x, NULL, NULL, "need_payload needs body");
    return;
  }
  const cJSON *mp = cJSON_GetObjectItem(x->r->vars, "maxPayload");
  if (!cJSON_IsNumber(mp)) {
    sfail(x, NULL, NULL,
          "need_payload must come after an open step: it compares with the server's maxPayload");
    return;
  }
  limit = (long)mp->valuedouble;
  ct_log(x->r, ".. largest message of this case: %ld bytes on the wire; maxPayload %ld", body,
         limit);
  if (body > limit)
    ct_skip(x->r, "needs a maxPayload of at least %ld bytes; the server's is %ld", body, limit);
}
