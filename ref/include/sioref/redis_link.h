/* The Redis connections of sioref's --redis (issue 15): I/O only, beside the
 * libwebsockets adapter and on its libev loop. It keeps the two connections the official
 * adapter keeps (a subscriber and a publisher) with hiredis' async API and its libev
 * adapter, and carries out what the sans-I/O Redis adapter (ra_adapter.h) decides:
 * (P)SUBSCRIBE its channels on every connect, hand it every message, send its commands,
 * give it NUMSUB answers, run its timers.
 * Redis going away: the node keeps serving its own clients (the Socket.IO layer does not
 * wait for Redis), commands wait in the adapter's bounded queue, and the link reconnects
 * with backoff (50 ms doubling to 500 ms); what waited is sent 500 ms after the reconnect,
 * when the other nodes' subscribers are back too. It says so on stderr, one line per change of
 * state, never one per attempt:
 *   sioref: redis: connected to redis://H:P
 *   sioref: redis: cannot connect to redis://H:P (REASON); serving local clients, retrying
 *   sioref: redis: connection to redis://H:P lost (REASON); serving local clients, reconnecting
 *   sioref: redis: connected [again ]to redis://H:P after N attempts (T ms, D commands dropped)
 * Single-threaded, like the rest of sioref. */
#ifndef SIOREF_REDIS_LINK_H
#define SIOREF_REDIS_LINK_H

#include <stdbool.h>

#include "sioref/ra_adapter.h"

typedef struct redis_link redis_link;

/* True when URL is "redis://HOST[:PORT]" (PORT defaults to 6379; no password, no db). */
bool redis_link_url_ok(const char *url);

/* Start connecting to URL on the libev loop EV_LOOP (a struct ev_loop *, borrowed) for
 * the adapter RA (borrowed; both must outlive the link). Returns NULL on a bad URL or out
 * of memory; a Redis that cannot be reached is not an error (the link keeps trying). */
redis_link *redis_link_new(void *ev_loop, const char *url, ra_adapter *ra);

/* True while both connections are up. */
bool redis_link_up(const redis_link *l);

/* Close both connections and stop every watcher; before the loop is destroyed. NULL is
 * fine. */
void redis_link_free(redis_link *l);

#endif
