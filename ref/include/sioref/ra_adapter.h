/* The Redis adapter, sans-I/O: sioref's side of the classic @socket.io/redis-adapter 8.3.0
 * protocol (spec/redis-adapter.md), so that a sioref node joins a cluster of official
 * Node nodes sharing one Redis. It sits under the Socket.IO layer as its adapter
 * (sio_cluster.h): what the application broadcasts or does to rooms is published, what
 * the other nodes publish is carried out on this node's sockets, and requests that want
 * answers (server-side events with acks, broadcasts with acks) are tracked here with
 * their timeouts on the caller's now_ms clock.
 * Spec tags: RA-1..RA-25 (each where it is enforced in ra_adapter.c).
 *
 * It never touches a socket: the embedder (sioref's redis_link.c, on hiredis) keeps two
 * Redis connections as the official adapter does, a subscriber and a publisher, and:
 *   - on every (re)connect of the subscriber, (P)SUBSCRIBEs ra_subscription(0..n-1);
 *   - feeds every message or pmessage the subscriber receives to ra_on_message();
 *   - while the publisher is up, sends what ra_take_command() gives (PUBLISH, or PUBSUB
 *     NUMSUB whose count goes back through ra_on_numsub()); while it is away commands
 *     wait here, up to max_queued_bytes (older ones are kept, newer ones dropped);
 *   - calls ra_tick() when ra_next_deadline() is reached.
 * Every entry point takes now_ms; nothing here reads a clock or a random source (uids
 * and request ids come from the config's random callback).
 *
 * Choices (see spec/redis-adapter.md for what 8.3.0 does):
 *  - RA-16: socketsJoin, socketsLeave and disconnectSockets act on this node's sockets at
 *    once, then are published; the request coming back from Redis is ignored by uid. The
 *    official adapter waits for its own request to come back instead: the visible result
 *    is the same, and a node cut off from Redis still acts on its own sockets.
 *  - RA-14: this node sends PUBSUB NUMSUB only for requests that wait for answers
 *    (server-side events with acks, broadcasts with acks); it never sends requests of
 *    types 0, 1 and 5 (fetchSockets, allRooms), but answers them.
 *  - RA-18: the Socket.IO layer keeps no HTTP details of a handshake: a fetched sioref
 *    socket has empty headers, address and url, issued 0, and its auth. */
#ifndef SIOREF_RA_ADAPTER_H
#define SIOREF_RA_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/sio_cluster.h"
#include "sioref/sio_server.h"
#include "sioref/span.h"

#define RA_DEFAULT_KEY                 "socket.io"
#define RA_DEFAULT_REQUESTS_TIMEOUT_MS 5000 /* the official requestsTimeout */
#define RA_DEFAULT_MAX_QUEUED_BYTES    (8u * 1024u * 1024u)
#define RA_UID_LEN                     6 /* RA-1 */

typedef struct ra_adapter ra_adapter;

typedef struct ra_config {
  sio_server *srv;              /* borrowed: its namespaces join the cluster */
  const char *key;              /* channel prefix; NULL: RA_DEFAULT_KEY (copied) */
  uint64_t requests_timeout_ms; /* 0: RA_DEFAULT_REQUESTS_TIMEOUT_MS */
  size_t max_queued_bytes;      /* commands kept while Redis is away; 0: the default */
  sio_random_fn random;         /* required: uids and request ids */
  void *random_user;
  /* Tests: the uid of each namespace, in the server's namespace order (NULL: drawn). */
  const char *const *fixed_uids;
} ra_config;

/* Create the adapter and install it on CFG->srv (sio_server_set_adapter). Returns NULL
 * on a bad config or out of memory. */
ra_adapter *ra_adapter_new(const ra_config *cfg);

/* Uninstall and free. Free it before the Socket.IO server, and once its clients can no
 * longer answer acks (their connections closed): a pending ack of a broadcast from
 * another node publishes through it. NULL is fine. */
void ra_adapter_free(ra_adapter *a);

/* RA-4: what the subscriber connection listens to: I in 0..count-1; *PATTERN true for a
 * PSUBSCRIBE pattern. NUL-terminated, owned by A. */
size_t ra_subscription_count(const ra_adapter *a);
const char *ra_subscription(const ra_adapter *a, size_t i, bool *pattern);

typedef enum ra_cmd_kind {
  RA_CMD_PUBLISH = 1, /* PUBLISH channel payload */
  RA_CMD_NUMSUB = 2,  /* PUBSUB NUMSUB channel; the count goes to ra_on_numsub(tag) */
} ra_cmd_kind;

typedef struct ra_command {
  ra_cmd_kind kind;
  char *channel; /* owned by the caller after ra_take_command: free with ra_command_free */
  size_t channel_len;
  uint8_t *payload; /* PUBLISH only */
  size_t payload_len;
  uint64_t tag; /* NUMSUB only */
} ra_command;

/* The oldest command waiting for the publisher, moved into OUT. Returns false when none. */
bool ra_take_command(ra_adapter *a, ra_command *out);
void ra_command_free(ra_command *c);
size_t ra_queued_count(const ra_adapter *a);

/* A message the subscriber received on CHANNEL (borrowed). */
void ra_on_message(ra_adapter *a, ref_span channel, ref_span payload, uint64_t now_ms);
/* The answer to NUMSUB command TAG: COUNT subscribers, or -1 when the command failed. */
void ra_on_numsub(ra_adapter *a, uint64_t tag, long long count, uint64_t now_ms);

/* Pending requests: when ra_tick must run next (UINT64_MAX: never), and the tick. */
uint64_t ra_next_deadline(const ra_adapter *a);
void ra_tick(ra_adapter *a, uint64_t now_ms);

/* Counters, for logs and tests. */
typedef struct ra_stats {
  uint64_t published;   /* commands taken */
  uint64_t dropped;     /* commands dropped: the queue was full */
  uint64_t received;    /* messages handed in */
  uint64_t ignored_own; /* RA-12 */
  uint64_t ignored_bad; /* could not be decoded, or not for a namespace here */
  uint64_t delivered;   /* packets sent to local sockets for other nodes */
} ra_stats;
ra_stats ra_adapter_stats(const ra_adapter *a);

/* The uid of namespace NSP_NAME's adapter (RA-1), or NULL. */
const char *ra_adapter_uid(const ra_adapter *a, const char *nsp_name);

#endif
