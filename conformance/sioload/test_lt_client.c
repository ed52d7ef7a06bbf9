/* Unit tests for sioload's connection layer (lt_client.c) against a scripted server on
 * a loopback socket in the test itself: WebSocket upgrade and framing (masked client
 * frames, split and fragmented server frames), EIO-HB-2 pongs, SIO-CN-1/2 CONNECT,
 * SIO-ACK-2 ack ids, EIO-PL-2 polling bodies, and the refusal of chunked bodies.
 * Nothing sleeps: the scripted side uses blocking reads of bytes already sent, and
 * the client side runs lt_ctx_poll() until a condition holds (bounded turns). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lt_client.h"

static int g_ready, g_dead, g_acks;
static uint32_t g_last_ack;
static char g_last_ack_data[64];

static void on_ready(lt_ctx *c, lt_client *cl, uint64_t now) {
  (void)c, (void)cl, (void)now;
  g_ready++;
}
static void on_dead(lt_ctx *c, lt_client *cl, uint64_t now) {
  (void)c, (void)cl, (void)now;
  g_dead++;
}
static void on_ack(lt_ctx *c, lt_client *cl, uint32_t id, const uint8_t *d, size_t n,
                   uint64_t now) {
  (void)c, (void)cl, (void)now;
  g_acks++;
  g_last_ack = id;
  snprintf(g_last_ack_data, sizeof g_last_ack_data, "%.*s", (int)n, (const char *)d);
}

static int listener(struct sockaddr_in *sa) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t l = sizeof *sa;
  cr_assert(bind(fd, (struct sockaddr *)sa, l) == 0);
  cr_assert(listen(fd, 8) == 0);
  cr_assert(getsockname(fd, (struct sockaddr *)sa, &l) == 0);
  return fd;
}

static void setup(lt_ctx *ctx, lt_transport t, int *lfd) {
  struct sockaddr_in sa;
  *lfd = listener(&sa);
  cr_assert(lt_ctx_init(ctx, t, &sa, "/socket.io/") == 0);
  ctx->hooks = (lt_hooks){.on_ready = on_ready, .on_dead = on_dead, .on_ack = on_ack};
  g_ready = g_dead = g_acks = 0;
}

/* Run the client loop until *FLAG reaches WANT (at most 200 turns of <= 20 ms). */
static void pump_until(lt_ctx *ctx, int *flag, int want) {
  for (int i = 0; i < 200 && *flag < want; i++) lt_ctx_poll(ctx, 20);
  cr_assert_geq(*flag, want, "condition not reached");
}

/* Read until the HTTP head end; returns its length (the head is NUL-terminated). */
static size_t read_head(int fd, char *buf, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    ssize_t r = read(fd, buf + n, 1);
    cr_assert(r == 1);
    n++;
    buf[n] = 0;
    if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0) return n;
  }
  cr_assert_fail("head too long");
  return 0;
}

static void read_exact(int fd, uint8_t *p, size_t n) {
  while (n) {
    ssize_t r = read(fd, p, n);
    cr_assert(r > 0);
    p += r;
    n -= (size_t)r;
  }
}

/* Read one client frame; it must be masked (RFC 6455 5.1). Returns the payload. */
static size_t read_frame(int fd, int *op, char *out, size_t cap) {
  uint8_t h[2], key[4];
  read_exact(fd, h, 2);
  cr_assert(h[1] & 0x80, "client frames must be masked");
  size_t len = h[1] & 0x7f;
  if (len == 126) {
    uint8_t e[2];
    read_exact(fd, e, 2);
    len = (size_t)e[0] << 8 | e[1];
  }
  cr_assert_lt(len, cap);
  read_exact(fd, key, 4);
  read_exact(fd, (uint8_t *)out, len);
  for (size_t i = 0; i < len; i++) out[i] ^= (char)key[i & 3];
  out[len] = 0;
  *op = h[0] & 0x0f;
  return len;
}

static void write_all(int fd, const void *p, size_t n) { cr_assert(write(fd, p, n) == (ssize_t)n); }

/* One unmasked server text frame (FIN set unless MORE), payload < 126 bytes. */
static void send_frame(int fd, int op, bool more, const char *s) {
  uint8_t h[2] = {(uint8_t)((more ? 0 : 0x80) | op), (uint8_t)strlen(s)};
  write_all(fd, h, 2);
  write_all(fd, s, strlen(s));
}

static lt_client cl;

Test(lt_client, websocket_handshake_ping_and_acks, .timeout = 20) {
  lt_ctx ctx;
  int lfd;
  setup(&ctx, LT_WEBSOCKET, &lfd);
  lt_client_init(&cl, 0);
  cr_assert(lt_client_start(&ctx, &cl, lt_now_us()) == 0);
  int s = accept(lfd, NULL, NULL);
  cr_assert(s >= 0);
  lt_ctx_poll(&ctx, 20); /* connect completes, the upgrade request is flushed */
  char buf[2048];
  read_head(s, buf, sizeof buf);
  cr_expect(strstr(buf, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n") == buf);
  cr_expect(strstr(buf, "\r\nUpgrade: websocket\r\n") != NULL);
  cr_expect(strstr(buf, "\r\nSec-WebSocket-Version: 13\r\n") != NULL);
  /* The 101 and the open packet in one write: the client must split them itself. */
  const char *resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n";
  write_all(s, resp, strlen(resp));
  send_frame(s, 1, false, "0{\"sid\":\"abc\",\"pingInterval\":25000}");
  int op;
  for (int i = 0; i < 5; i++) lt_ctx_poll(&ctx, 10);
  read_frame(s, &op, buf, sizeof buf);
  cr_expect_eq(op, 1);
  cr_expect_str_eq(buf, "40"); /* SIO-CN-1: CONNECT to "/" */
  send_frame(s, 1, false, "40{\"sid\":\"sio1\"}");
  pump_until(&ctx, &g_ready, 1);
  cr_expect_eq(cl.state, LT_CL_READY);
  /* EIO-HB-2: a ping is answered with a pong carrying the same data. */
  send_frame(s, 1, false, "2probe");
  for (int i = 0; i < 5; i++) lt_ctx_poll(&ctx, 10);
  read_frame(s, &op, buf, sizeof buf);
  cr_expect_str_eq(buf, "3probe");
  /* An emit goes out as one masked text frame with the Engine.IO MESSAGE digit. */
  const char *ev = "27[\"message-with-ack\",\"x\"]";
  cr_assert(lt_client_emit(&ctx, &cl, ev, strlen(ev)) == 0);
  read_frame(s, &op, buf, sizeof buf);
  cr_expect_str_eq(buf, "427[\"message-with-ack\",\"x\"]");
  /* An ack frame split over two writes still arrives whole. */
  write_all(s, "\x81", 1);
  for (int i = 0; i < 3; i++) lt_ctx_poll(&ctx, 5);
  cr_expect_eq(g_acks, 0);
  write_all(s,
            "\x08"
            "437[\"x\"]",
            9);
  pump_until(&ctx, &g_acks, 1);
  cr_expect_eq(g_last_ack, 7);
  cr_expect_str_eq(g_last_ack_data, "[\"x\"]");
  /* A fragmented message (text + continuation) is reassembled. */
  send_frame(s, 1, true, "4312");
  send_frame(s, 0, false, "3[1]");
  pump_until(&ctx, &g_acks, 2);
  cr_expect_eq(g_last_ack, 123);
  /* A polite close sends a close frame; the server's EOF ends it (client IDLE). */
  lt_client_close(&ctx, &cl, lt_now_us());
  read_frame(s, &op, buf, sizeof buf);
  cr_expect_eq(op, 8);
  close(s);
  pump_until(&ctx, &g_dead, 1);
  cr_expect_eq(cl.state, LT_CL_IDLE);
  lt_client_reset(&ctx, &cl);
  close(lfd);
  lt_ctx_free(&ctx);
}

Test(lt_client, upgrade_refused_kills_the_client, .timeout = 20) {
  lt_ctx ctx;
  int lfd;
  setup(&ctx, LT_WEBSOCKET, &lfd);
  lt_client_init(&cl, 0);
  cr_assert(lt_client_start(&ctx, &cl, lt_now_us()) == 0);
  int s = accept(lfd, NULL, NULL);
  lt_ctx_poll(&ctx, 20);
  char buf[2048];
  read_head(s, buf, sizeof buf);
  const char *resp = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  write_all(s, resp, strlen(resp));
  pump_until(&ctx, &g_dead, 1);
  cr_expect_eq(cl.state, LT_CL_DEAD);
  cr_expect_str_eq(cl.error, "upgrade refused");
  close(s);
  close(lfd);
  lt_ctx_free(&ctx);
}

static void respond(int fd, const char *body, size_t n) {
  char head[128];
  int h = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
  write_all(fd, head, (size_t)h);
  write_all(fd, body, n);
}

Test(lt_client, polling_handshake_and_ack, .timeout = 20) {
  lt_ctx ctx;
  int lfd;
  setup(&ctx, LT_POLLING, &lfd);
  lt_client_init(&cl, 0);
  cr_assert(lt_client_start(&ctx, &cl, lt_now_us()) == 0);
  int get = accept(lfd, NULL, NULL);
  lt_ctx_poll(&ctx, 20);
  char buf[2048];
  read_head(get, buf, sizeof buf);
  cr_expect(strstr(buf, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n") == buf);
  const char *open = "0{\"sid\":\"S1\",\"upgrades\":[]}";
  respond(get, open, strlen(open));
  for (int i = 0; i < 5; i++) lt_ctx_poll(&ctx, 10);
  /* The client now POSTs "40" on a second connection and holds a GET with the sid. */
  int post = accept(lfd, NULL, NULL);
  cr_assert(post >= 0);
  for (int i = 0; i < 5; i++) lt_ctx_poll(&ctx, 10);
  size_t h = read_head(post, buf, sizeof buf);
  cr_expect(strstr(buf, "POST /socket.io/?EIO=4&transport=polling&sid=S1 HTTP/1.1\r\n") == buf);
  cr_expect(strstr(buf, "Content-Length: 2\r\n") != NULL);
  (void)h;
  char body[8] = {0};
  read_exact(post, (uint8_t *)body, 2);
  cr_expect_str_eq(body, "40");
  respond(post, "ok", 2);
  read_head(get, buf, sizeof buf);
  cr_expect(strstr(buf, "GET /socket.io/?EIO=4&transport=polling&sid=S1 HTTP/1.1\r\n") == buf);
  /* EIO-PL-2: two packets in one body, split on 0x1e; the answer body is cut in two
   * TCP writes to exercise the partial-read path. */
  const char *pl = "40{\"sid\":\"x\"}\x1e"
                   "42[\"auth\",{}]";
  char head[96];
  int hl =
      snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", strlen(pl));
  write_all(get, head, (size_t)hl);
  write_all(get, pl, 5);
  for (int i = 0; i < 3; i++) lt_ctx_poll(&ctx, 5);
  cr_expect_eq(g_ready, 0);
  write_all(get, pl + 5, strlen(pl) - 5);
  pump_until(&ctx, &g_ready, 1);
  /* An emit becomes a POST body; the ack comes back in the next GET answer. */
  const char *ev = "29[\"message-with-ack\"]";
  cr_assert(lt_client_emit(&ctx, &cl, ev, strlen(ev)) == 0);
  for (int i = 0; i < 5; i++) lt_ctx_poll(&ctx, 10);
  read_head(get, buf, sizeof buf); /* the renewed long-poll */
  read_head(post, buf, sizeof buf);
  cr_expect(strstr(buf, "Content-Length: 23\r\n") != NULL);
  char emit[32] = {0};
  read_exact(post, (uint8_t *)emit, 23);
  cr_expect_str_eq(emit, "429[\"message-with-ack\"]");
  respond(post, "ok", 2);
  respond(get, "439[]", 5);
  pump_until(&ctx, &g_acks, 1);
  cr_expect_eq(g_last_ack, 9);
  /* A chunked body is refused with a clear error rather than misread. */
  read_head(get, buf, sizeof buf);
  const char *chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n40\r\n0\r\n\r\n";
  write_all(get, chunked, strlen(chunked));
  pump_until(&ctx, &g_dead, 1);
  cr_expect_str_eq(cl.error, "chunked HTTP body (unsupported)");
  close(get);
  close(post);
  close(lfd);
  lt_client_reset(&ctx, &cl);
  lt_ctx_free(&ctx);
}
