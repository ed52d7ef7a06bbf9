/* Fuzz target for the Socket.IO server layer (sio_server.h) running the test-app
 * contract's application (contract_app.h), driven by a script of Engine.IO-side
 * operations on a virtual clock: clients connecting, text and binary messages,
 * timers, transport closes, application closes.
 * Spec tags exercised: SIO-NS (namespaces, connect timeout), SIO-EV, SIO-ACK,
 * SIO-ROOM, SIO-AUTH, SIO-DC, SIO-LIM, SIO-BIN (binary output ordering), and the
 * contract's CT-* behaviours.
 *
 * Input: operations, each an opcode byte and its arguments (see the op_* enum). Raw
 * text/binary messages come from the input; the "connect", "event" and "ack"
 * operations build well-formed packets from a few bytes so that the fuzzer reaches
 * the application quickly.
 * Invariants checked:
 *   - everything the layer sends is well formed: each client's output stream, fed to
 *     a reassembler of our own codec (generous limits), never errors and never ends
 *     in the middle of a binary packet after a call returns;
 *   - nothing is sent to a client after its close callback or after on_closed, and
 *     close is asked at most once per client;
 *   - the client count matches the clients alive; tick leaves no deadline due;
 *   - bounded output (a linear bound of input, fan-out and time);
 *   - at the end every client and the server are freed (LeakSanitizer checks). */
#include "fuzz_check.h"
#include "fuzz_contract.h"
#include "fuzz_script.h"
#include "fuzz_sio_out.h"

#include "sioref/contract_app.h"
#include "sioref/err.h"
#include "sioref/sio_binary.h"
#include "sioref/sio_codec.h"
#include "sioref/sio_server.h"

#define MAX_CLIENTS 4
#define MAX_OPS     256

enum {
  op_new_client,  /* create and open a client in a free slot */
  op_text,        /* u8 client, u16 len, bytes: a raw text message */
  op_binary,      /* u8 client, u16 len, bytes: a raw binary message */
  op_tick,        /* u16 ms */
  op_closed,      /* u8 client: the Engine.IO connection went away */
  op_free,        /* u8 client: free it (after on_closed, or not) */
  op_app_close,   /* u8 client: sio_client_close */
  op_connect,     /* u8 client, u8 namespace, u8 auth: a CONNECT packet */
  op_event,       /* u8 client, u8 namespace, u8 event, u8 flags, u8 len, arg bytes */
  op_ack,         /* u8 client, u8 namespace, u8 id, u8 len, arg bytes */
  op_attachments, /* u8 client, u8 count: that many small binary messages */
  op_count
};

typedef struct client {
  sio_client *c; /* NULL when the slot is free */
  int close_calls;
  int gone;         /* on_closed was called, or close was asked: no more output */
  fuzz_sio_out out; /* the layer's output, reassembled */
} client;

static struct {
  sio_server *srv;
  client cl[MAX_CLIENTS];
  uint64_t now;
  uint32_t rng;
  size_t out_bytes, in_bytes, live;
} W;

static client *slot_of(sio_client *c) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (W.cl[i].c == c) return &W.cl[i];
  return NULL;
}

/* ---- embedder callbacks ---- */

static int cb_send(void *user, sio_client *c, bool is_binary, const uint8_t *bytes, size_t len) {
  (void)user;
  client *k = slot_of(c);
  FUZZ_CHECK(k != NULL, "send to a client that was freed or never made");
  FUZZ_CHECK(!k->gone, "send after close was asked or the connection went away");
  FUZZ_CHECK(len == 0 || bytes != NULL, "send without bytes");
  W.out_bytes += len;
  /* The reassembler borrows: keep a copy until the packet is complete. */
  const uint8_t *copy = fuzz_sio_out_keep(&k->out, bytes, len);
  sio_packet p;
  int rc = fuzz_sio_out_feed(&k->out, is_binary, copy, len, &p);
  if (rc < 0) fuzz_dump(is_binary ? "binary output" : "text output", bytes, len);
  FUZZ_CHECK(rc >= 0, "the layer sent something our own codec rejects");
  return 0;
}

static void cb_close(void *user, sio_client *c, int reason) {
  (void)user;
  (void)reason;
  client *k = slot_of(c);
  FUZZ_CHECK(k != NULL, "close for a client that was freed or never made");
  FUZZ_CHECK(k->close_calls == 0, "close asked twice");
  k->close_calls++;
  k->gone = 1;
  /* Allowed, and a no-op by the contract. */
  sio_client_on_closed(c, 0);
}

static int cb_random(void *user, uint8_t *out, size_t len) {
  (void)user;
  return fuzz_xorshift_fill(&W.rng, out, len);
}

/* After a call into the layer returns, no client may be left mid binary packet. */
static void check_complete(void) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (W.cl[i].c)
      FUZZ_CHECK(!W.cl[i].out.reasm.pending, "a binary packet's attachments were not all sent");
}

static void feed(client *k, bool binary, const uint8_t *b, size_t len) {
  if (!k->c) return;
  W.in_bytes += len;
  /* An exact-size copy: the layer must not read past LEN. */
  uint8_t *copy = malloc(len ? len : 1);
  FUZZ_CHECK(copy != NULL, "out of memory");
  if (len) memcpy(copy, b, len);
  int rc = sio_client_on_message(k->c, binary, copy, len, W.now);
  free(copy);
  FUZZ_CHECK(rc == 0 || rc == 1 || rc == REF_ERR_BAD_STATE, "on_message result");
  if (rc == 1) FUZZ_CHECK(k->close_calls == 1, "a closing message did not call close");
  check_complete();
}

static void feed_text(client *k, const char *text, size_t len) {
  feed(k, false, (const uint8_t *)text, len);
}

static void run_tick(uint64_t to) {
  W.now = to;
  sio_server_tick(W.srv, W.now);
  check_complete();
  FUZZ_CHECK(sio_server_next_deadline(W.srv) > W.now, "tick left a deadline due");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader rd = {data, size};
  memset(&W, 0, sizeof W);
  W.now = 1000;
  W.rng = 0x2545F491u;

  sio_server_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.send = cb_send;
  cfg.close = cb_close;
  cfg.random = cb_random;
  cfg.max_rooms_per_socket = 4; /* small limits so they are reached */
  cfg.max_pending_acks = 4;
  contract_app_configure(&cfg);
  W.srv = sio_server_new(&cfg);
  FUZZ_CHECK(W.srv != NULL, "server_new");
  uint64_t start = W.now;
  size_t ops = 0;
  char buf[1024];

  while (rd.n && ops < MAX_OPS) {
    ops++;
    uint8_t op = fuzz_u8(&rd) % op_count;
    client *k = &W.cl[fuzz_u8(&rd) % MAX_CLIENTS]; /* every op but tick names a client */
    switch (op) {
    case op_new_client:
      if (k->c) break;
      memset(k, 0, sizeof *k);
      k->c = sio_client_new(W.srv, k);
      FUZZ_CHECK(k->c != NULL, "client_new");
      fuzz_sio_out_init(&k->out);
      W.live++;
      FUZZ_CHECK(sio_client_open(k->c, W.now) == 0, "client_open");
      break;
    case op_text:
    case op_binary: {
      size_t len = fuzz_u16(&rd) & 0x0fff;
      const uint8_t *b = fuzz_take(&rd, &len);
      feed(k, op == op_binary, b, len);
      break;
    }
    case op_tick:
      run_tick(W.now + fuzz_u16(&rd));
      break;
    case op_closed:
      if (!k->c) break;
      sio_client_on_closed(k->c, 0);
      k->gone = 1;
      check_complete();
      break;
    case op_free:
      if (!k->c) break;
      sio_client_free(k->c);
      fuzz_sio_out_forget(&k->out);
      k->c = NULL;
      W.live--;
      break;
    case op_app_close:
      if (!k->c) break;
      FUZZ_CHECK(sio_client_close(k->c) == 0 || k->gone, "close of a live client failed");
      check_complete();
      break;
    case op_connect: {
      uint8_t n = fuzz_u8(&rd), a = fuzz_u8(&rd);
      int o = snprintf(buf, sizeof buf, "0");
      o += fuzz_nsp_prefix(buf + o, sizeof buf - (size_t)o, n);
      static const char *const auths[] = {"", "{}", "{\"token\":\"sioconform\"}", "{\"token\":1}"};
      o += snprintf(buf + o, sizeof buf - (size_t)o, "%s", auths[a % 4]);
      feed_text(k, buf, (size_t)o);
      break;
    }
    case op_event:
    case op_ack: {
      uint8_t n = fuzz_u8(&rd), e = fuzz_u8(&rd), fl = op == op_event ? fuzz_u8(&rd) : 0;
      size_t len = fuzz_u8(&rd) & 0x3f;
      const uint8_t *b = fuzz_take(&rd, &len);
      char arg[512];
      fuzz_json_string(arg, sizeof arg, b, len);
      int o = snprintf(buf, sizeof buf, "%c", op == op_event ? '2' : '3');
      o += fuzz_nsp_prefix(buf + o, sizeof buf - (size_t)o, n);
      if (op == op_ack || (fl & 1)) o += snprintf(buf + o, sizeof buf - (size_t)o, "%u", e);
      if (op == op_event)
        o += snprintf(buf + o, sizeof buf - (size_t)o, "[\"%s\",%s%s]", fuzz_event(e), arg,
                      (fl & 2) ? ",{\"a\":[1,2.5,null,true]}" : "");
      else
        o += snprintf(buf + o, sizeof buf - (size_t)o, "[%s]", arg);
      feed_text(k, buf, (size_t)o);
      break;
    }
    case op_attachments: {
      uint8_t count = fuzz_u8(&rd) % 12;
      for (uint8_t i = 0; i < count; i++) feed(k, true, &i, 1);
      break;
    }
    default:
      break;
    }
    FUZZ_CHECK(sio_server_client_count(W.srv) == W.live, "client count drifted");
  }

  /* Bounded output: every input byte can come back to every client (broadcast), plus
   * per-operation packets and the timers. */
  uint64_t elapsed = W.now - start;
  size_t bound = (MAX_CLIENTS + 1) * (4 * W.in_bytes + 512 * ops) + 64 * (size_t)(elapsed / 100);
  FUZZ_CHECK(W.out_bytes <= bound + 4096, "the layer wrote more than its inputs can explain");

  for (int i = 0; i < MAX_CLIENTS; i++) {
    client *k = &W.cl[i];
    if (!k->c) continue;
    sio_client_on_closed(k->c, 0);
    k->gone = 1;
    sio_client_free(k->c);
    fuzz_sio_out_forget(&k->out);
    k->c = NULL;
  }
  FUZZ_CHECK(sio_server_client_count(W.srv) == 0, "clients left after freeing them all");
  sio_server_free(W.srv);
  return 0;
}
