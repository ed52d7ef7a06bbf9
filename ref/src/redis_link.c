/* sioref's Redis connections on hiredis' async API and its libev adapter (redis_link.h).
 * Why hiredis async rather than a socket of our own with hiredis' reply reader: sioref's
 * loop is a libev loop that we own (lws_adapter.c), and hiredis ships a libev adapter, so
 * the non-blocking connect, the RESP protocol both ways, output buffering and the
 * pub/sub bookkeeping come from one tested library with no thread and no code of ours for
 * them; what is left here is the state of the link, its backoff and its log.
 *
 * States: DOWN (a reconnect timer is armed) -> CONNECTING (two contexts, a connect timer)
 * -> UP (both connected: SUBSCRIBEs sent, commands drained before each wait). Any error
 * on either connection, or a connect that takes longer than 3 s, frees both and goes
 * DOWN with the next backoff delay (50 ms doubling to 500 ms, as node-redis does: a node whose
 * subscriber is back late misses what the others publish meanwhile, so the ceiling stays low).
 * hiredis 0.14 facts this relies on: a context whose connect failed or that was disconnected by an
 * error is freed by hiredis right after our callback; redisAsyncFree calls every pending reply
 * callback with a NULL reply, and the disconnect callback only for a connected context. */
#include "sioref/redis_link.h"

#include <ev.h>
#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_MS  50
#define BACKOFF_MAX_MS  500
#define CONNECT_TIMEOUT 3.0 /* seconds */

typedef enum link_state { LINK_DOWN, LINK_CONNECTING, LINK_UP } link_state;

struct redis_link {
  struct ev_loop *loop;
  ra_adapter *ra;
  char url[256];
  char host[200];
  int port;
  link_state state;
  redisAsyncContext *pub, *sub;
  bool pub_ok, sub_ok; /* connected */
  bool ever_up;        /* the "connected again" wording */
  bool said_down;      /* the down line was printed for this outage */
  unsigned attempts;   /* failed attempts in this outage */
  uint64_t down_since; /* ms */
  uint64_t dropped_at_down;
  ev_timer retry;       /* reconnect (DOWN) or connect timeout (CONNECTING) */
  ev_timer deadline;    /* the adapter's next deadline */
  uint64_t deadline_at; /* when DEADLINE is armed for, UINT64_MAX: stopped */
  ev_prepare prepare;   /* before each wait: drain the adapter's commands, rearm DEADLINE */
  uint64_t hold_until;  /* after an outage: the backlog waits until then (ms) */
};

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool redis_link_url_ok(const char *url) {
  if (!url || strncmp(url, "redis://", 8) != 0) return false;
  const char *h = url + 8, *colon = strrchr(h, ':');
  size_t hl = colon ? (size_t)(colon - h) : strlen(h);
  if (hl == 0 || hl >= 200 || strchr(h, '/') || strchr(h, '@')) return false;
  if (colon) {
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535) return false;
  }
  return strlen(url) < 256;
}

static void link_fail(redis_link *l, const redisAsyncContext *dying, const char *why);

static void set_retry(redis_link *l, double secs) {
  ev_timer_stop(l->loop, &l->retry);
  ev_timer_set(&l->retry, secs, 0);
  ev_timer_start(l->loop, &l->retry);
}

/* ---- subscriber */

static void on_sub_reply(redisAsyncContext *c, void *r, void *privdata) {
  (void)privdata;
  redis_link *l = c->data;
  redisReply *rep = r;
  if (!l || !rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 3) return;
  redisReply **e = rep->element;
  /* ["message", channel, payload] or ["pmessage", pattern, channel, payload] */
  size_t ci;
  if (e[0]->type == REDIS_REPLY_STRING && strcmp(e[0]->str, "message") == 0)
    ci = 1;
  else if (e[0]->type == REDIS_REPLY_STRING && strcmp(e[0]->str, "pmessage") == 0 &&
           rep->elements >= 4)
    ci = 2;
  else
    return; /* subscribe confirmations */
  if (e[ci]->type != REDIS_REPLY_STRING || e[ci + 1]->type != REDIS_REPLY_STRING) return;
  ref_span ch = {(const uint8_t *)e[ci]->str, e[ci]->len};
  ref_span pl = {(const uint8_t *)e[ci + 1]->str, e[ci + 1]->len};
  ra_on_message(l->ra, ch, pl, now_ms());
}

static void subscribe_all(redis_link *l) {
  for (size_t i = 0; i < ra_subscription_count(l->ra); i++) {
    bool pattern;
    const char *ch = ra_subscription(l->ra, i, &pattern);
    const char *argv[2] = {pattern ? "PSUBSCRIBE" : "SUBSCRIBE", ch};
    size_t lens[2] = {strlen(argv[0]), strlen(ch)};
    redisAsyncCommandArgv(l->sub, on_sub_reply, NULL, 2, argv, lens);
  }
}

/* ---- publisher */

static void on_numsub(redisAsyncContext *c, void *r, void *privdata) {
  redis_link *l = c->data;
  redisReply *rep = r;
  uint64_t tag = (uint64_t)(uintptr_t)privdata;
  long long count = -1;
  /* [channel, count] */
  if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
      rep->element[1]->type == REDIS_REPLY_INTEGER)
    count = rep->element[1]->integer;
  if (l) ra_on_numsub(l->ra, tag, count, now_ms());
}

static void on_publish(redisAsyncContext *c, void *r, void *privdata) {
  (void)c;
  (void)r;
  (void)privdata; /* the count of receivers is of no use: Redis' pub/sub keeps nothing */
}

static void drain(redis_link *l) {
  ra_command cmd;
  if (l->hold_until) {
    if (now_ms() < l->hold_until) return;
    l->hold_until = 0;
  }
  while (l->state == LINK_UP && ra_take_command(l->ra, &cmd)) {
    if (cmd.kind == RA_CMD_PUBLISH) {
      const char *argv[3] = {"PUBLISH", cmd.channel, (const char *)cmd.payload};
      size_t lens[3] = {7, cmd.channel_len, cmd.payload_len};
      redisAsyncCommandArgv(l->pub, on_publish, NULL, 3, argv, lens);
    } else {
      const char *argv[3] = {"PUBSUB", "NUMSUB", cmd.channel};
      size_t lens[3] = {6, 6, cmd.channel_len};
      redisAsyncCommandArgv(l->pub, on_numsub, (void *)(uintptr_t)cmd.tag, 3, argv, lens);
    }
    ra_command_free(&cmd);
  }
}

/* ---- connections */

static void became_up(redis_link *l) {
  l->state = LINK_UP;
  ev_timer_stop(l->loop, &l->retry);
  if (!l->said_down) {
    fprintf(stderr, "sioref: redis: connected to %s\n", l->url);
  } else {
    ra_stats st = ra_adapter_stats(l->ra);
    fprintf(stderr,
            "sioref: redis: connected %sto %s after %u attempts (%llu ms, %llu commands dropped)\n",
            l->ever_up ? "again " : "", l->url, l->attempts + 1,
            (unsigned long long)(now_ms() - l->down_since),
            (unsigned long long)(st.dropped - l->dropped_at_down));
  }
  /* What waited during the outage goes out one backoff period later: the other nodes
   * reconnect on their own schedule, and Redis gives a message only to the subscribers
   * it has at that moment. New commands queue behind it, in order. */
  if (l->ever_up && ra_queued_count(l->ra)) {
    l->hold_until = now_ms() + BACKOFF_MAX_MS;
    set_retry(l, BACKOFF_MAX_MS / 1000.0);
  }
  l->ever_up = true;
  l->said_down = false;
  l->attempts = 0;
  drain(l);
}

static void on_connect(const redisAsyncContext *c, int status) {
  redis_link *l = c->data;
  if (!l || (c != l->pub && c != l->sub)) return;
  if (status != REDIS_OK) {
    link_fail(l, c, c->errstr[0] ? c->errstr : "connect failed");
    return;
  }
  if (c == l->sub) {
    l->sub_ok = true;
    subscribe_all(l);
  } else {
    l->pub_ok = true;
  }
  if (l->pub_ok && l->sub_ok) became_up(l);
}

static void on_disconnect(const redisAsyncContext *c, int status) {
  redis_link *l = c->data;
  if (!l || (c != l->pub && c != l->sub)) return; /* one we freed ourselves */
  link_fail(l, c, status == REDIS_OK ? "closed" : (c->errstr[0] ? c->errstr : "error"));
}

static redisAsyncContext *open_one(redis_link *l) {
  redisAsyncContext *c = redisAsyncConnect(l->host, l->port);
  if (!c) return NULL;
  if (c->err) {
    redisAsyncFree(c);
    return NULL;
  }
  c->data = l;
  redisLibevAttach(l->loop, c);
  redisAsyncSetConnectCallback(c, on_connect);
  redisAsyncSetDisconnectCallback(c, on_disconnect);
  return c;
}

static void start_connect(redis_link *l) {
  l->state = LINK_CONNECTING;
  l->pub_ok = l->sub_ok = false;
  l->pub = open_one(l);
  l->sub = l->pub ? open_one(l) : NULL;
  if (!l->pub || !l->sub) {
    link_fail(l, NULL, "cannot create a connection");
    return;
  }
  set_retry(l, CONNECT_TIMEOUT);
}

/* Free both connections but DYING (hiredis frees that one after our callback), go DOWN
 * and arm the next attempt. One log line per outage. */
static void link_fail(redis_link *l, const redisAsyncContext *dying, const char *why) {
  redisAsyncContext *p = l->pub, *s = l->sub;
  l->hold_until = 0;
  l->pub = l->sub = NULL; /* first: their callbacks during the frees see them as gone */
  if (p && p != dying) redisAsyncFree(p);
  if (s && s != dying) redisAsyncFree(s);
  link_state was = l->state;
  l->state = LINK_DOWN;
  if (!l->said_down) {
    l->said_down = true;
    l->down_since = now_ms();
    l->dropped_at_down = ra_adapter_stats(l->ra).dropped;
    if (was == LINK_UP || l->ever_up)
      fprintf(stderr,
              "sioref: redis: connection to %s lost (%s); serving local clients, reconnecting\n",
              l->url, why);
    else
      fprintf(stderr, "sioref: redis: cannot connect to %s (%s); serving local clients, retrying\n",
              l->url, why);
  } else {
    l->attempts++;
  }
  uint64_t delay = BACKOFF_MIN_MS;
  for (unsigned i = 0; i < l->attempts && delay < BACKOFF_MAX_MS; i++) delay *= 2;
  if (delay > BACKOFF_MAX_MS) delay = BACKOFF_MAX_MS;
  set_retry(l, (double)delay / 1000.0);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  redis_link *l = w->data;
  if (l->state == LINK_DOWN)
    start_connect(l);
  else if (l->state == LINK_CONNECTING)
    link_fail(l, NULL, "connect timed out");
  /* LINK_UP: the end of the backlog's hold; the prepare watcher drains it */
}

static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  redis_link *l = w->data;
  l->deadline_at = UINT64_MAX;
  ra_tick(l->ra, now_ms()); /* before the loop's prepare: its output is flushed this turn */
}

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents) {
  (void)revents;
  redis_link *l = w->data;
  drain(l);
  uint64_t next = ra_next_deadline(l->ra);
  if (next == l->deadline_at) return;
  ev_timer_stop(loop, &l->deadline);
  l->deadline_at = next;
  if (next == UINT64_MAX) return;
  uint64_t now = now_ms();
  uint64_t wait = next > now ? next - now : 0;
  ev_now_update(loop);
  ev_timer_set(&l->deadline, (double)(wait ? wait : 1) / 1000.0, 0);
  ev_timer_start(loop, &l->deadline);
}

redis_link *redis_link_new(void *ev_loop, const char *url, ra_adapter *ra) {
  if (!ev_loop || !ra || !redis_link_url_ok(url)) return NULL;
  redis_link *l = calloc(1, sizeof *l);
  if (!l) return NULL;
  l->loop = ev_loop;
  l->ra = ra;
  snprintf(l->url, sizeof l->url, "%s", url);
  const char *h = url + 8, *colon = strrchr(h, ':');
  size_t hl = colon ? (size_t)(colon - h) : strlen(h);
  memcpy(l->host, h, hl);
  l->host[hl] = '\0';
  l->port = colon ? atoi(colon + 1) : 6379;
  ev_timer_init(&l->retry, on_retry, 0, 0);
  l->retry.data = l;
  ev_timer_init(&l->deadline, on_deadline, 0, 0);
  l->deadline.data = l;
  l->deadline_at = UINT64_MAX;
  ev_prepare_init(&l->prepare, on_prepare);
  l->prepare.data = l;
  ev_prepare_start(l->loop, &l->prepare);
  start_connect(l);
  return l;
}

bool redis_link_up(const redis_link *l) { return l && l->state == LINK_UP; }

void redis_link_free(redis_link *l) {
  if (!l) return;
  ev_timer_stop(l->loop, &l->retry);
  ev_timer_stop(l->loop, &l->deadline);
  ev_prepare_stop(l->loop, &l->prepare);
  redisAsyncContext *p = l->pub, *s = l->sub;
  l->pub = l->sub = NULL;
  if (p) redisAsyncFree(p);
  if (s) redisAsyncFree(s);
  free(l);
}
