/* Live fuzzer (issue 5 part 5): mutated vector wire forms sent inside real Engine.IO
 * and Socket.IO sessions over polling and WebSocket, with a liveness check after each
 * batch (EIO-HS-*, SIO-CONN-*, SIO-ACK-*: a fresh client must still be served). */
#include "ct_fuzz_live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ct_sio.h"

#define FZ_BATCH 50

uint64_t ct_fz_next(uint64_t *st) {
  uint64_t z = (*st += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static size_t fz_below(uint64_t *st, size_t n) { return n ? (size_t)(ct_fz_next(st) % n) : 0; }

/* Insert P/N at POS of B (POS <= len), keeping B under CT_FZ_MAX. */
static void fz_insert(ct_buf *b, size_t pos, const unsigned char *p, size_t n) {
  if (b->len + n > CT_FZ_MAX) n = CT_FZ_MAX - b->len;
  if (n == 0) return;
  size_t old = b->len;
  unsigned char *tmp = ct_xmalloc(n);
  memcpy(tmp, p, n);     /* P may point into B */
  ct_buf_add(b, tmp, n); /* grow */
  memmove(b->data + pos + n, b->data + pos, old - pos);
  memcpy(b->data + pos, tmp, n);
  free(tmp);
}

unsigned ct_fz_mutate(uint64_t *st, const unsigned char *in, size_t len, const unsigned char *other,
                      size_t olen, ct_buf *out) {
  static const unsigned char seps[] = {0x1e, ',', '[', ']',  '{', '}', '"',  ':',
                                       '-',  '/', 0,   '\\', '4', 'b', 0xff, 0xc3};
  ct_buf_reset(out);
  if (len > CT_FZ_MAX) len = CT_FZ_MAX;
  if (len) ct_buf_add(out, in, len);
  unsigned applied = 0;
  int nops = 1 + (int)fz_below(st, 3);
  for (int k = 0; k < nops; k++) {
    unsigned op = (unsigned)fz_below(st, 6);
    applied |= 1u << op;
    size_t n = out->len;
    switch (op) {
    case 0: /* byte flip: one bit, or a whole random byte */
      if (n) {
        size_t i = fz_below(st, n);
        if (ct_fz_next(st) & 1)
          out->data[i] ^= (unsigned char)(1u << fz_below(st, 8));
        else
          out->data[i] = (unsigned char)ct_fz_next(st);
      }
      break;
    case 1: /* truncation */
      out->len = fz_below(st, n + 1);
      if (out->data) out->data[out->len] = 0;
      break;
    case 2: /* duplicate a range in place, possibly many times */
      if (n) {
        size_t a = fz_below(st, n), l = 1 + fz_below(st, n - a);
        size_t times = 1 + fz_below(st, 4);
        for (size_t t = 0; t < times; t++) fz_insert(out, a, out->data + a, l);
      }
      break;
    case 3: { /* splice: our prefix, their suffix */
      size_t a = fz_below(st, n + 1), b = fz_below(st, olen + 1);
      out->len = a;
      if (olen - b) {
        size_t m = olen - b;
        if (a + m > CT_FZ_MAX) m = CT_FZ_MAX - a;
        ct_buf_add(out, other + b, m);
      }
      if (out->data) out->data[out->len] = 0;
      break;
    }
    case 4: { /* grow a digit run (ack ids, attachment counts, lengths) */
      size_t i = 0, found = 0;
      for (size_t t = 0; t < n && !found; t++) {
        size_t j = (fz_below(st, n) + t) % n;
        if (out->data[j] >= '0' && out->data[j] <= '9') i = j, found = 1;
      }
      if (!found) i = fz_below(st, n + 1);
      unsigned char digits[64];
      size_t m = 1 + fz_below(st, sizeof digits);
      unsigned char d = (unsigned char)('0' + fz_below(st, 10));
      for (size_t t = 0; t < m; t++) digits[t] = (ct_fz_next(st) & 3) ? '9' : d;
      fz_insert(out, i, digits, m);
      break;
    }
    default: { /* separator insertion */
      unsigned char s = seps[fz_below(st, sizeof seps)];
      fz_insert(out, fz_below(st, n + 1), &s, 1);
      break;
    }
    }
  }
  return applied;
}

/* ---- corpus */

static void seed_add(ct_fz_corpus *c, const unsigned char *p, size_t n, int binary, int sio) {
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 256;
    c->v = ct_xrealloc(c->v, c->cap * sizeof *c->v);
  }
  ct_fz_seed *s = &c->v[c->n++];
  memset(s, 0, sizeof *s);
  s->binary = binary;
  s->sio = sio;
  if (sio && !binary) ct_buf_adds(&s->data, "4"); /* Socket.IO rides in a message */
  ct_buf_add(&s->data, p, n);
}

static void wire_add(ct_fz_corpus *c, const cJSON *w, int sio) {
  const cJSON *t = cJSON_GetObjectItem(w, "text");
  const cJSON *h = cJSON_GetObjectItem(w, "hex");
  if (cJSON_IsString(t)) {
    seed_add(c, (const unsigned char *)t->valuestring, strlen(t->valuestring), 0, sio);
  } else if (cJSON_IsString(h)) {
    size_t hl = strlen(h->valuestring);
    unsigned char *b = ct_xmalloc(hl / 2 + 1);
    long n = ct_hex_decode(h->valuestring, b, hl / 2 + 1);
    /* an Engine.IO hex wire is raw bytes of one packet; for Socket.IO an attachment */
    if (n >= 0) seed_add(c, b, (size_t)n, sio, sio);
    free(b);
  }
}

static int load_file(ct_fz_corpus *c, const char *path, int sio) {
  ct_buf b = {0};
  if (ct_buf_read_file(&b, path) != 0) {
    ct_buf_free(&b);
    return -1;
  }
  cJSON *root = cJSON_ParseWithLength((const char *)b.data, b.len);
  ct_buf_free(&b);
  const cJSON *vs = cJSON_GetObjectItem(root, "vectors");
  const cJSON *v;
  cJSON_ArrayForEach(v, vs) {
    const cJSON *w = cJSON_GetObjectItem(v, "wire");
    if (cJSON_IsArray(w)) {
      const cJSON *e;
      cJSON_ArrayForEach(e, w) wire_add(c, e, sio);
    } else if (cJSON_IsObject(w)) {
      wire_add(c, w, sio);
    }
  }
  cJSON_Delete(root);
  return 0;
}

int ct_fz_corpus_load(ct_fz_corpus *c, const char *dir, char *err, size_t errlen) {
  static const char *files[] = {"eio/packets.json", "eio/payloads.json", "eio/invalid.json",
                                "sio/packets.json", "sio/binary.json",   "sio/invalid.json"};
  int nread = 0;
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char *p = ct_xasprintf("%s/%s", dir, files[i]);
    nread += load_file(c, p, files[i][0] == 's') == 0;
    free(p);
  }
  if (nread == 0 || c->n == 0) {
    snprintf(err, errlen, "no vector wire forms found under %s", dir);
    return -1;
  }
  return 0;
}

void ct_fz_corpus_free(ct_fz_corpus *c) {
  for (size_t i = 0; i < c->n; i++) ct_buf_free(&c->v[i].data);
  free(c->v);
  memset(c, 0, sizeof *c);
}

/* ---- the live run */

/* One input as sent, kept for the reproducer until its batch passed liveness. */
typedef struct fz_input {
  ct_buf bytes;
  unsigned transport;
  int sio, ws_opcode;
  unsigned ops;
  int session_ok; /* the session was opened before sending */
} fz_input;

static void run_init(ct_run *r, ct_case *dummy, const ct_config *cfg) {
  memset(dummy, 0, sizeof *dummy);
  dummy->id = "fuzz";
  dummy->sio = 1;
  memset(r, 0, sizeof *r);
  r->c = dummy;
  r->cfg = cfg;
  r->vars = cJSON_CreateObject();
  r->t0 = ct_now_ms();
}

static void run_done(ct_run *r) {
  ct_conns_teardown(r, 0);
  ct_buf_free(&r->log);
  free(r->reason);
  free(r->expected);
  free(r->actual);
  free(r->blocked_by); /* a failed preamble here is BLOCKED (ct_preamble_fail) */
  cJSON_Delete(r->vars);
}

/* Send one input inside a fresh session: handshake, CONNECT "/" for Socket.IO, then
 * the mutated bytes as a POST body or one WebSocket message. */
static void send_one(const ct_config *cfg, fz_input *in) {
  ct_case dummy;
  ct_run r;
  run_init(&r, &dummy, cfg);
  ct_conn *c = in->sio ? ct_sio_open(&r, "f", in->transport)
                       : ct_open(&r, "f", in->transport, cfg->eio_path, NULL);
  in->session_ok = c != NULL;
  if (c) {
    if (in->transport == CT_TR_POLLING) {
      int status;
      ct_post(c, in->bytes.data, in->bytes.len, NULL, &status, NULL);
    } else {
      ct_ws_send(&c->ws, in->ws_opcode, in->bytes.data, in->bytes.len);
    }
    ct_pump(&r, 1); /* let the server see it before we hang up */
  }
  run_done(&r);
}

/* EIO-HS-*, SIO-CONN-2, SIO-ACK-*: a fresh client on TRANSPORT is served. */
static int live_one(const ct_config *cfg, unsigned transport, char *why, size_t wl) {
  ct_case dummy;
  ct_run r;
  run_init(&r, &dummy, cfg);
  int ok = 0;
  ct_conn *c = ct_sio_open(&r, "live", transport);
  if (!c) {
    snprintf(why, wl, "%s: %s", transport == CT_TR_POLLING ? "polling" : "websocket",
             r.reason ? r.reason : "session or CONNECT failed");
  } else {
    const char ask[] = "4217[\"message-with-ack\",\"fz\",1]";
    const char want[] = "4317[\"fz\",1]";
    if (ct_send(c, 0, ask, sizeof ask - 1) == 0) {
      ct_pkt p;
      int64_t deadline = ct_now_ms() + ct_ms(&r, 2000);
      while (!ok && ct_now_ms() < deadline &&
             ct_next_data(c, (int)(deadline - ct_now_ms()), &p) == 1) {
        ok = !p.binary && p.data.len == sizeof want - 1 &&
             memcmp(p.data.data, want, p.data.len) == 0;
        ct_buf_free(&p.data);
      }
    }
    if (!ok)
      snprintf(why, wl, "%s: no ack 4317[\"fz\",1] for message-with-ack",
               transport == CT_TR_POLLING ? "polling" : "websocket");
  }
  run_done(&r);
  return ok;
}

static int is_loopback(const char *h) {
  return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0 ||
         strncmp(h, "127.", 4) == 0;
}

static int mkdirs(const char *path) {
  char *p = ct_xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

/* Write the batch's inputs as raw files plus batch.json (order, transport, path). */
static int write_repro(const ct_fuzz_opts *o, const ct_config *cfg, const fz_input *v, size_t n,
                       long first, const char *why) {
  if (mkdirs(o->out) != 0) return -1;
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "about",
                          "inputs of the batch after which a fresh client was no longer served; "
                          "replay in order, one fresh session each (handshake, CONNECT \"/\" when "
                          "path is the Socket.IO path), then the file's bytes");
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);
  cJSON_AddStringToObject(root, "seed", seed);
  cJSON_AddNumberToObject(root, "first_input", (double)first);
  cJSON_AddStringToObject(root, "liveness_failure", why);
  cJSON *arr = cJSON_AddArrayToObject(root, "inputs");
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    char name[64];
    snprintf(name, sizeof name, "input-%06ld.bin", first + (long)i);
    char *p = ct_xasprintf("%s/%s", o->out, name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(v[i].bytes.data ? (const void *)v[i].bytes.data : "", 1, v[i].bytes.len, f) !=
                  v[i].bytes.len)
      rc = -1;
    if (f && fclose(f) != 0) rc = -1;
    free(p);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "order", (double)(first + (long)i));
    cJSON_AddStringToObject(e, "file", name);
    cJSON_AddStringToObject(e, "transport",
                            v[i].transport == CT_TR_POLLING ? "polling" : "websocket");
    cJSON_AddStringToObject(e, "path", v[i].sio ? cfg->sio_path : cfg->eio_path);
    cJSON_AddStringToObject(e, "send",
                            v[i].transport == CT_TR_POLLING    ? "POST body"
                            : v[i].ws_opcode == WIRE_WS_BINARY ? "binary message"
                                                               : "text message");
    cJSON_AddBoolToObject(e, "session_opened", v[i].session_ok);
    cJSON_AddItemToArray(arr, e);
  }
  char *js = cJSON_Print(root);
  char *p = ct_xasprintf("%s/batch.json", o->out);
  FILE *f = fopen(p, "w");
  if (!f || fputs(js, f) < 0) rc = -1;
  if (f && fclose(f) != 0) rc = -1;
  free(p);
  free(js);
  cJSON_Delete(root);
  return rc;
}

static int child_dead(pid_t child, char *why, size_t wl) {
  int st;
  if (child <= 0 || waitpid(child, &st, WNOHANG) != child) return 0;
  if (WIFSIGNALED(st))
    snprintf(why, wl, "server process died from signal %d", WTERMSIG(st));
  else
    snprintf(why, wl, "server process exited with status %d", WEXITSTATUS(st));
  return 1;
}

int ct_fuzz_run(const ct_config *cfg, const ct_fuzz_opts *o) {
  if (!is_loopback(cfg->host)) {
    fprintf(stderr, "sioconform: --fuzz only targets loopback servers, not %s\n", cfg->host);
    return 2;
  }
  ct_fz_corpus corpus = {0};
  char err[512];
  if (ct_fz_corpus_load(&corpus, cfg->vectors_dir, err, sizeof err) != 0) {
    fprintf(stderr, "sioconform: %s\n", err);
    ct_fz_corpus_free(&corpus);
    return 2;
  }
  char why[300] = "";
  if (!live_one(cfg, CT_TR_WEBSOCKET, why, sizeof why)) {
    fprintf(stderr, "sioconform: the server is not served before fuzzing (%s)\n", why);
    ct_fz_corpus_free(&corpus);
    return 2;
  }
  int64_t t0 = ct_now_ms();
  /* total cap: 30 s plus 25 ms per input, scaled */
  int64_t cap = (int64_t)((30000.0 + 25.0 * (double)o->n) * cfg->tscale);
  uint64_t st = o->seed;
  fz_input batch[FZ_BATCH];
  memset(batch, 0, sizeof batch);
  long sent = 0, batches = 0, checks = 0, opened = 0;
  int lost = 0, capped = 0;
  while (sent < o->n && !lost) {
    if (ct_now_ms() - t0 > cap) {
      capped = 1;
      break;
    }
    size_t nb = 0;
    long first = sent;
    while (nb < FZ_BATCH && sent < o->n) {
      const ct_fz_seed *a = &corpus.v[fz_below(&st, corpus.n)];
      const ct_fz_seed *b = &corpus.v[fz_below(&st, corpus.n)];
      fz_input *in = &batch[nb];
      in->transport = (ct_fz_next(&st) & 1) ? CT_TR_WEBSOCKET : CT_TR_POLLING;
      in->sio = a->sio;
      ct_buf wire = {0};
      if (a->binary && in->transport == CT_TR_POLLING) {
        /* EIO-PL-7: binary rides in a polling body as "b" + base64 */
        char *b64 = ct_xmalloc(a->data.len / 3 * 4 + 8);
        ct_b64_encode(a->data.data, a->data.len, b64);
        ct_buf_adds(&wire, "b");
        ct_buf_adds(&wire, b64);
        free(b64);
      } else {
        ct_buf_add(&wire, a->data.data, a->data.len);
      }
      in->ws_opcode = a->binary ? WIRE_WS_BINARY : WIRE_WS_TEXT;
      if ((ct_fz_next(&st) & 7) == 0) /* now and then the other frame type */
        in->ws_opcode = in->ws_opcode == WIRE_WS_TEXT ? WIRE_WS_BINARY : WIRE_WS_TEXT;
      in->ops = ct_fz_mutate(&st, wire.data, wire.len, b->data.data, b->data.len, &in->bytes);
      ct_buf_free(&wire);
      send_one(cfg, in);
      opened += in->session_ok;
      nb++;
      sent++;
    }
    batches++;
    /* liveness after the batch, on both transports */
    int ok = !child_dead(o->child, why, sizeof why);
    if (ok) ok = live_one(cfg, CT_TR_WEBSOCKET, why, sizeof why);
    if (ok) ok = live_one(cfg, CT_TR_POLLING, why, sizeof why);
    if (ok) {
      checks++;
    } else {
      lost = 1;
      fprintf(stderr, "sioconform: liveness lost after inputs %ld..%ld: %s\n", first, sent - 1,
              why);
      if (write_repro(o, cfg, batch, nb, first, why) == 0)
        fprintf(stderr, "sioconform: reproducer written to %s/batch.json\n", o->out);
      else
        fprintf(stderr, "sioconform: cannot write the reproducer to %s\n", o->out);
    }
    for (size_t i = 0; i < nb; i++) ct_buf_free(&batch[i].bytes);
  }
  double secs = (double)(ct_now_ms() - t0) / 1000.0;
  printf("fuzz: %ld inputs sent (%ld inside an open session), %ld batches, %ld liveness checks "
         "passed, %.1f s, seed %llu%s%s\n",
         sent, opened, batches, checks, secs, (unsigned long long)o->seed,
         capped ? " (total time cap reached)" : "", lost ? ": LIVENESS LOST" : ": liveness held");
  ct_fz_corpus_free(&corpus);
  return lost ? 1 : 0;
}

/* ---- replaying a reproducer */

static const char *str_field(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Fill IN from one "inputs" entry of batch.json (the bytes from its file in DIR).
 * Returns 0, or -1 with WHY filled. */
static int load_input(const ct_config *cfg, const char *dir, const cJSON *e, fz_input *in,
                      char *why, size_t wl) {
  const char *file = str_field(e, "file"), *tr = str_field(e, "transport"),
             *path = str_field(e, "path"), *send = str_field(e, "send");
  if (!file || !tr || !path || !send || strchr(file, '/')) {
    snprintf(why, wl, "an input entry lacks file, transport, path or send");
    return -1;
  }
  memset(in, 0, sizeof *in);
  in->transport = strcmp(tr, "polling") == 0 ? CT_TR_POLLING : CT_TR_WEBSOCKET;
  in->sio = strcmp(path, cfg->sio_path) == 0;
  in->ws_opcode = strcmp(send, "binary message") == 0 ? WIRE_WS_BINARY : WIRE_WS_TEXT;
  char *p = ct_xasprintf("%s/%s", dir, file);
  int rc = ct_buf_read_file(&in->bytes, p);
  if (rc != 0) snprintf(why, wl, "cannot read %s", p);
  free(p);
  return rc;
}

int ct_fuzz_replay(const ct_config *cfg, const ct_fuzz_opts *o) {
  if (!is_loopback(cfg->host)) {
    fprintf(stderr, "sioconform: --fuzz-replay only targets loopback servers, not %s\n", cfg->host);
    return 2;
  }
  char *bpath = ct_xasprintf("%s/batch.json", o->replay);
  ct_buf text = {0};
  cJSON *root = NULL;
  if (ct_buf_read_file(&text, bpath) == 0) {
    ct_buf_add(&text, "", 1); /* NUL-terminated for cJSON */
    root = cJSON_Parse((const char *)text.data);
  }
  ct_buf_free(&text);
  const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
  if (!cJSON_IsArray(inputs) || cJSON_GetArraySize(inputs) == 0) {
    fprintf(stderr, "sioconform: %s is not a reproducer (no \"inputs\" array)\n", bpath);
    cJSON_Delete(root);
    free(bpath);
    return 2;
  }
  char why[300] = "";
  int rc = 2;
  if (!live_one(cfg, CT_TR_WEBSOCKET, why, sizeof why)) {
    fprintf(stderr, "sioconform: the server is not served before the replay (%s)\n", why);
    goto out;
  }
  long sent = 0, opened = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, inputs) {
    fz_input in;
    if (load_input(cfg, o->replay, e, &in, why, sizeof why) != 0) {
      fprintf(stderr, "sioconform: %s: %s\n", bpath, why);
      ct_buf_free(&in.bytes);
      goto out;
    }
    send_one(cfg, &in); /* exactly as the fuzzer sent it: one fresh session each */
    opened += in.session_ok;
    sent++;
    ct_buf_free(&in.bytes);
  }
  int ok = !child_dead(o->child, why, sizeof why);
  if (ok) ok = live_one(cfg, CT_TR_WEBSOCKET, why, sizeof why);
  if (ok) ok = live_one(cfg, CT_TR_POLLING, why, sizeof why);
  printf("fuzz replay: %ld inputs from %s sent (%ld inside an open session): %s%s\n", sent, bpath,
         opened, ok ? "liveness held" : "LIVENESS LOST: ", ok ? "" : why);
  rc = ok ? 0 : 1;
out:
  cJSON_Delete(root);
  free(bpath);
  return rc;
}
