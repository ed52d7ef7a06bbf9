/* Families of live cases generated from the codec vectors: every entry of
 * vectors/eio/invalid.json and vectors/sio/invalid.json becomes a case that sends the
 * invalid wire form on a live session, expects the server to close that session
 * (EIO-CL-6, EIO-TR-9, EIO-TR-17, SIO-NS-8), and then checks that a fresh client is
 * still served (EIO-CL-7, SIO-LIM-4). The cases are written in the step language, so
 * they run, report and list exactly like scenario cases. */
#include "ct_vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_client.h"
#include "vec.h"

static cJSON *step(const char *op) {
  cJSON *s = cJSON_CreateObject();
  cJSON_AddStringToObject(s, "op", op);
  return s;
}

static char *hex_of(const vec_msg *m) {
  char *h = ct_xmalloc(2 * m->len + 1);
  ct_hex_encode(m->bytes, m->len, h);
  return h;
}

static char *tags_of(const vec_entry *e, const char *extra) {
  ct_buf b = {0};
  const cJSON *t;
  cJSON_ArrayForEach(t, e->reqs) {
    if (!cJSON_IsString(t)) continue;
    if (b.len) ct_buf_adds(&b, ",");
    ct_buf_adds(&b, t->valuestring);
  }
  if (b.len) ct_buf_adds(&b, ",");
  ct_buf_adds(&b, extra);
  return ct_buf_steal(&b);
}

/* Send one vector message on conn "a": "text_hex" keeps a text message's exact bytes
 * (a WebSocket text frame or a polling segment), "hex" is a binary message. */
static cJSON *send_msg(const vec_msg *m, int as_text, const char *prefix) {
  cJSON *s = step("send");
  ct_buf b = {0};
  if (prefix) ct_buf_adds(&b, prefix);
  ct_buf_add(&b, m->bytes, m->len);
  char *h = ct_xmalloc(2 * b.len + 1);
  ct_hex_encode(b.data, b.len, h);
  cJSON_AddStringToObject(s, as_text ? "text_hex" : "hex", h);
  free(h);
  ct_buf_free(&b);
  cJSON_AddStringToObject(s, "status", "any");
  cJSON_AddBoolToObject(s, "may_fail", 1);
  return s;
}

static void add_tail(cJSON *steps, int sio) {
  cJSON *c = step("expect_close");
  cJSON_AddNumberToObject(c, "within", 1000);
  cJSON_AddItemToArray(steps, c);
  /* a fresh client is still served */
  if (sio) {
    cJSON *o = step("sio_open");
    cJSON_AddStringToObject(o, "conn", "fresh");
    cJSON_AddItemToArray(steps, o);
  } else {
    cJSON *o = step("open");
    cJSON_AddStringToObject(o, "conn", "fresh");
    cJSON_AddItemToArray(steps, o);
    /* the echo round trip needs the contract's echo path; without it the fresh
     * handshake is the proof (ct_steps_run leaves these two steps out) */
    cJSON *s = step("send");
    cJSON_AddStringToObject(s, "conn", "fresh");
    cJSON_AddStringToObject(s, "text", "4fresh");
    cJSON_AddStringToObject(s, "needs", "echo");
    cJSON_AddItemToArray(steps, s);
    cJSON *e = step("expect");
    cJSON_AddStringToObject(e, "conn", "fresh");
    cJSON_AddStringToObject(e, "text", "4fresh");
    cJSON_AddStringToObject(e, "needs", "echo");
    cJSON_AddItemToArray(steps, e);
  }
}

/* Does wire form M carry a message packet (a segment starting with '4' or 'b')? A server
 * that wrongly accepts one would hand its data to the application: on the echo path it
 * comes back (the case fails as it should), but on a Socket.IO path the Socket.IO
 * decoder may close the session for another reason and hide the fault. Such entries
 * need the echo path; the others need only an Engine.IO endpoint. */
static int carries_message(const vec_msg *m) {
  for (size_t i = 0; i < m->len; i++)
    if ((i == 0 || m->bytes[i - 1] == 0x1e) && (m->bytes[i] == '4' || m->bytes[i] == 'b')) return 1;
  return 0;
}

/* What one family of vector cases adds to the shared loader (load_family): which
 * entries become cases, their title and transports, and the steps from the open up to
 * the shared tail (add_tail). The case id is <dir>.invalid.<entry id>, its source
 * <dir>/invalid.json. */
typedef struct vec_family {
  const char *dir;    /* vectors/<dir>/invalid.json */
  const char *tags;   /* the spec tags every case enforces, after the entry's own */
  unsigned protocols; /* the protocols the family is planned under; 0: the default */
  int sio;            /* a Socket.IO family (ct_cases_add's flag, add_tail's fresh client) */
  /* 0 leaves entry E out; otherwise writes the title and the transports (*TR, CT_TR_ALL
   * on entry) */
  int (*plan)(const vec_entry *e, char *title, size_t tlen, unsigned *tr);
  /* appends the steps before the tail and sets c->needs */
  void (*steps)(const vec_entry *e, ct_case *c, cJSON *steps);
} vec_family;

/* The steps that connect the contract app's /custom namespace (contract CT-16), so that
 * the connect timeout (SIO-NS-5) cannot be what closes the session; a preamble: if it
 * fails, the run is BLOCKED by the case grading it. ROOT names the grading case; the
 * CONNECT reply is matched whole (TEXT) or by its prefix. */
static void connect_custom(cJSON *steps, const char *root, const char *reply_key) {
  cJSON *s = step("send");
  cJSON_AddStringToObject(s, "sio", "0/custom,");
  cJSON_AddStringToObject(s, "root", root);
  cJSON_AddItemToArray(steps, s);
  cJSON *e1 = step("expect");
  cJSON_AddStringToObject(e1, reply_key, "40/custom,");
  cJSON_AddStringToObject(e1, "root", root);
  cJSON_AddItemToArray(steps, e1);
  cJSON *e2 = step("expect");
  cJSON_AddStringToObject(e2, "prefix", "42/custom,");
  cJSON_AddStringToObject(e2, "root", root);
  cJSON_AddItemToArray(steps, e2);
}

/* A polling POST of the body in hex H (with Content-Type TYPE unless NULL) that the
 * server may refuse or drop the session on. */
static cJSON *post_any(const char *h, const char *type) {
  cJSON *p = step("post");
  cJSON_AddStringToObject(p, "body_hex", h);
  if (type) cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "headers"), "Content-Type", type);
  cJSON_AddStringToObject(p, "status", "any");
  cJSON_AddBoolToObject(p, "may_drop", 1);
  cJSON_AddStringToObject(p, "only", "polling");
  return p;
}

/* Does the entry's first message look like a CONNECT (a text packet starting '0')? */
static int connect_shaped(const vec_entry *e) {
  return !e->wire[0].hex && e->wire[0].len > 0 && e->wire[0].bytes[0] == '0';
}

/* Each wire form of E as one Engine.IO message packet ("4" + the text, or the binary). */
static void send_all_messages(const vec_entry *e, cJSON *steps) {
  for (size_t k = 0; k < e->nwire; k++)
    cJSON_AddItemToArray(steps,
                         send_msg(&e->wire[k], !e->wire[k].hex, e->wire[k].hex ? NULL : "4"));
}

/* Engine.IO v4: every invalid entry of vectors/eio/invalid.json becomes eio.invalid.<id>. */
static int eio_plan(const vec_entry *e, char *title, size_t tlen, unsigned *tr) {
  /* vectors with their own limits (maxPayload, maxPackets) test a codec setting,
   * not the live server's: they are the codec suites' business */
  if (e->opts || !e->error || e->nwire != 1) return 0;
  if (e->transport && strcmp(e->transport, "polling") == 0) *tr = CT_TR_POLLING;
  if (e->transport && strcmp(e->transport, "websocket") == 0) *tr = CT_TR_WEBSOCKET;
  snprintf(title, tlen, "invalid %s (%s) closes the session: %s", e->error,
           e->wire[0].hex ? "bytes" : "text", e->note);
  return 1;
}

static void eio_steps(const vec_entry *e, ct_case *c, cJSON *steps) {
  c->needs = carries_message(&e->wire[0]) ? CT_NEED_ECHO : CT_NEED_ENGINE;
  cJSON_AddItemToArray(steps, step("open"));
  /* over polling the message is the whole POST body; over WebSocket it is one text
   * message (the loader marks non-UTF-8 text as hex, still a text message) */
  char *h = hex_of(&e->wire[0]);
  cJSON_AddItemToArray(steps, post_any(h, NULL));
  cJSON *s = send_msg(&e->wire[0], 1, NULL);
  cJSON_AddStringToObject(s, "only", "websocket");
  cJSON_AddItemToArray(steps, s);
  free(h);
}

/* Socket.IO v5: every invalid entry of vectors/sio/invalid.json becomes sio.invalid.<id>. */
static int sio_plan(const vec_entry *e, char *title, size_t tlen, unsigned *tr) {
  (void)tr;
  if (e->opts || !e->error || e->nwire == 0) return 0;
  /* an incomplete attachment sequence is not observable: the server waits */
  if (strcmp(e->error, "attachments-pending") == 0) return 0;
  snprintf(title, tlen, "invalid %s closes the connection: %s", e->error, e->note);
  return 1;
}

static void sio_steps(const vec_entry *e, ct_case *c, cJSON *steps) {
  /* a CONNECT-shaped packet goes to a session with no namespace yet, so the only
   * reason to close is the decode error; anything else follows a CONNECT to / */
  int connect_first = !connect_shaped(e);
  /* a CONNECT-shaped entry first connects the contract app's /custom namespace */
  c->needs = connect_first ? CT_NEED_SOCKETIO : CT_NEED_APP;
  cJSON_AddItemToArray(steps, step(connect_first ? "sio_open" : "open"));
  if (!connect_first) connect_custom(steps, "sio.connect.custom", "prefix");
  send_all_messages(e, steps);
}

/* Engine.IO v3 (issue 14): every invalid entry of vectors/eio3/invalid.json becomes
 * eio3.invalid.<id>, run under --eio 3 only. An entry with "content" is a whole polling
 * body (application/octet-stream for a binary payload, EIO-TTR-5): polling only. One
 * without is one packet (vectors/README.md): a text packet goes as a WebSocket text
 * message, or over polling in one correctly counted segment; a binary one as one raw
 * binary frame (its bytes exactly, type byte included): WebSocket only. The session must
 * close (EIO-TR-9, EIO-TR-17 through EIO-TTR-8) and a fresh client must still be
 * served. */
static int eio3_plan(const vec_entry *e, char *title, size_t tlen, unsigned *tr) {
  if (e->opts || !e->error || e->nwire != 1) return 0;
  /* (an empty text packet has no polling form: a "0:" segment holds no packet) */
  *tr = e->content || e->wire[0].hex || e->wire[0].len == 0 ? CT_TR_WEBSOCKET : CT_TR_ALL;
  if (e->content) *tr = CT_TR_POLLING;
  snprintf(title, tlen, "invalid v3 %s (%s) closes the session: %s", e->error,
           e->wire[0].hex ? "bytes" : "text", e->note);
  return 1;
}

static void eio3_steps(const vec_entry *e, ct_case *c, cJSON *steps) {
  c->needs = CT_NEED_ECHO; /* a wrongly accepted message would come back */
  cJSON_AddItemToArray(steps, step("open"));
  char *h = hex_of(&e->wire[0]);
  if (e->content) {
    int bin_body = strcmp(e->content, "binary") == 0;
    cJSON_AddItemToArray(steps, post_any(h, bin_body ? "application/octet-stream" : NULL));
  } else if (e->wire[0].hex) {
    cJSON *s = step("frame");
    cJSON_AddNumberToObject(s, "opcode", 2);
    cJSON_AddStringToObject(s, "hex", h);
    cJSON_AddItemToArray(steps, s);
  } else {
    /* one text packet: a WebSocket text message, or one segment of a POST */
    cJSON_AddItemToArray(steps, send_msg(&e->wire[0], 1, NULL));
  }
  free(h);
}

/* Socket.IO v4 (issue 14): every invalid entry of vectors/sio4/invalid.json becomes
 * sio4.invalid.<id>, run under --eio 3 only. "/" is connected at once (SIO-FNS-1), so
 * a CONNECT-shaped entry goes to a fresh session; the others follow a CONNECT to the
 * contract's /custom, so that nothing but the decode error can close the session. */
static void sio4_steps(const vec_entry *e, ct_case *c, cJSON *steps) {
  int connect_first = !connect_shaped(e);
  c->needs = connect_first ? CT_NEED_APP : CT_NEED_SOCKETIO;
  if (connect_first) {
    cJSON_AddItemToArray(steps, step("sio_open")); /* "40" and the greeting taken */
    connect_custom(steps, "sio4.connect.custom", "text");
  } else {
    /* "/" is connected unasked (SIO-FNS-1): its "40" is taken, the greeting may stay */
    cJSON_AddItemToArray(steps, step("open"));
    cJSON *e0 = step("expect");
    cJSON_AddStringToObject(e0, "text", "40");
    cJSON_AddStringToObject(e0, "root", "sio4.connect.main-implicit");
    cJSON_AddItemToArray(steps, e0);
  }
  send_all_messages(e, steps);
}

static int sio4_plan(const vec_entry *e, char *title, size_t tlen, unsigned *tr) {
  (void)tr;
  if (e->opts || !e->error || e->nwire == 0) return 0;
  if (strcmp(e->error, "attachments-pending") == 0) return 0;
  snprintf(title, tlen, "invalid v4 %s closes the connection: %s", e->error, e->note);
  return 1;
}

/* The msgpack parser (issue 14): every invalid entry of vectors/msgpack/invalid.json
 * becomes msgpack.invalid.<id>, run under --parser msgpack only, after CONNECT "/" (in
 * msgpack). A "hex" entry is one binary Engine.IO message as it stands; a "text" entry is
 * an Engine.IO text message ("4" + the text), sent raw so that the harness's own msgpack
 * encoding does not touch it (SIO-MP-1). The server must close the session (SIO-NS-8) and
 * a fresh client must still be served. */
static int msgpack_plan(const vec_entry *e, char *title, size_t tlen, unsigned *tr) {
  (void)tr;
  if (e->opts || !e->error || e->nwire != 1) return 0;
  snprintf(title, tlen, "invalid msgpack packet (%s) closes the connection: %s", e->error, e->note);
  return 1;
}

static void msgpack_steps(const vec_entry *e, ct_case *c, cJSON *steps) {
  c->needs = CT_NEED_SOCKETIO;
  cJSON_AddItemToArray(steps, step("sio_open"));
  if (e->wire[0].hex) {
    cJSON_AddItemToArray(steps, send_msg(&e->wire[0], 0, NULL));
    return;
  }
  ct_buf b = {0};
  ct_buf_adds(&b, "4");
  ct_buf_add(&b, e->wire[0].bytes, e->wire[0].len);
  char *h = ct_xmalloc(2 * b.len + 1);
  ct_hex_encode(b.data, b.len, h);
  cJSON_AddItemToArray(steps, post_any(h, NULL));
  cJSON *fr = step("frame");
  cJSON_AddNumberToObject(fr, "opcode", 1);
  cJSON_AddStringToObject(fr, "text_hex", h);
  cJSON_AddStringToObject(fr, "only", "websocket");
  cJSON_AddItemToArray(steps, fr);
  free(h);
  ct_buf_free(&b);
}

/* The families, in the order their cases are listed; the v3 ones (issue 14) are planned
 * under --eio 3 (and msgpack under --parser msgpack) only. */
static const vec_family families[] = {
    {"eio", "EIO-CL-6,EIO-TR-9,EIO-TR-17", 0, 0, eio_plan, eio_steps},
    {"sio", "SIO-NS-8", 0, 1, sio_plan, sio_steps},
    {"eio3", "EIO-TR-9,EIO-TR-17,EIO-TTR-8", CT_P_EIO3, 0, eio3_plan, eio3_steps},
    {"sio4", "SIO-FNS-8,SIO-NS-8", CT_P_EIO3, 1, sio4_plan, sio4_steps},
    {"msgpack", "SIO-NS-8", CT_P_MSGPACK, 1, msgpack_plan, msgpack_steps},
};

/* The cases of family F from PATH: the count, or -1 (ERR) when PATH cannot be read. */
static int load_family(ct_cases *cs, const vec_family *f, const char *path, char *err,
                       size_t errlen) {
  vec_file vf;
  if (vec_file_load(path, &vf, err, errlen) != 0) return -1;
  int n = 0;
  for (int i = 0; i < vf.count; i++) {
    const vec_entry *e = &vf.entries[i];
    char id[200], title[400];
    unsigned tr = CT_TR_ALL;
    if (!f->plan(e, title, sizeof title, &tr)) continue;
    snprintf(id, sizeof id, "%s.invalid.%s", f->dir, e->id);
    char *tags = tags_of(e, f->tags);
    ct_case *c = ct_cases_add(cs, id, title, tags, CT_MUST, tr, f->sio, NULL);
    free(tags);
    if (f->protocols) c->protocols = f->protocols;
    cJSON *steps = cJSON_CreateArray();
    f->steps(e, c, steps);
    add_tail(steps, f->sio);
    c->steps = steps;
    c->source = ct_xasprintf("%s/invalid.json", f->dir);
    n++;
  }
  vec_file_free(&vf);
  return n;
}

int ct_vectors_load(ct_cases *cs, const char *vectors_dir, char *err, size_t errlen) {
  int total = 0;
  for (size_t k = 0; k < sizeof families / sizeof *families; k++) {
    char *p = ct_xasprintf("%s/%s/invalid.json", vectors_dir, families[k].dir);
    FILE *probe = fopen(p, "r");
    int rc = 0;
    if (probe) {
      fclose(probe);
      rc = load_family(cs, &families[k], p, err, errlen);
    }
    free(p);
    if (rc < 0) return -1;
    total += rc;
  }
  return total;
}
