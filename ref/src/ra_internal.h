/* Private structures and helpers shared by the Redis adapter's two sources: ra_adapter.c
 * (life cycle, the command queue, what this node publishes, its requests and their
 * deadlines) and ra_receive.c (what other nodes publish). Nothing else includes it. */
#ifndef SIOREF_RA_INTERNAL_H
#define SIOREF_RA_INTERNAL_H

#include <msgpack.h>

#include "sioref/ra_adapter.h"
#include "sioref/ra_value.h"

typedef struct ra_nsp {
  sio_namespace *ns;
  const char *name;
  size_t name_len;
  char *uid;                   /* RA-1 */
  char *bcast;                 /* "<key>#<nsp>#": broadcast channels start so (RA-2) */
  char *req, *resp, *resp_own; /* RA-3 */
  size_t bcast_len, req_len, resp_len, resp_own_len;
} ra_nsp;

typedef struct ra_cmd_node {
  struct ra_cmd_node *next;
  ra_command c;
} ra_cmd_node;

/* A request of this node waiting for answers. */
typedef struct ra_req {
  struct ra_req *next;
  char id[RA_UID_LEN + 1];
  ra_nsp *nsp;
  int type; /* 6 SERVER_SIDE_EMIT, 7 BROADCAST */
  uint64_t tag;
  uint64_t deadline_ms;
  sio_cluster_op *op;
  uint8_t *held; /* type 6: the request, published once NUMSUB says someone listens */
  size_t held_len;
} ra_req;

struct ra_adapter {
  sio_server *srv;
  sio_adapter hooks;
  char *key;
  uint64_t timeout_ms;
  size_t max_queued;
  sio_random_fn random;
  void *random_user;
  ra_nsp *nsps;
  size_t n_nsps;
  char **subs;
  bool *sub_pattern;
  size_t n_subs;
  ra_cmd_node *head, *tail;
  size_t queued_bytes, queued_count;
  ra_req *reqs;
  uint64_t next_tag;
  uint64_t now_ms;
  ra_stats stats;
};

/* ---- ra_adapter.c ---- */
/* The later of A's clock and its Socket.IO server's (requests made from hooks). */
uint64_t ra_now_of_(ra_adapter *a);
bool ra_span_is_(ref_span s, const char *p, size_t n);
bool ra_str_is_(const msgpack_object *o, const char *p, size_t n);
/* The member KEY of msgpack map MAP, or NULL. */
const msgpack_object *ra_mget_(const msgpack_object *map, const char *key);
bool ra_as_int_(const msgpack_object *o, int64_t *out);
ref_span ra_str_span_(const msgpack_object *o);
/* Queue a command (PAYLOAD owned; dropped, and counted, past max_queued_bytes). */
void ra_queue_(ra_adapter *a, ra_cmd_kind kind, const char *ch, size_t ch_len, uint8_t *payload,
               size_t len, uint64_t tag);
/* Queue PUBLISH CH with B's (or SB's) bytes, taking them over. */
void ra_publish_(ra_adapter *a, const char *ch, size_t ch_len, ra_buf *b);
void ra_publish_sbuf_(ra_adapter *a, const char *ch, size_t ch_len, msgpack_sbuffer *sb);
int ra_pack_str_(msgpack_packer *pk, const void *p, size_t n);
int ra_pack_cstr_(msgpack_packer *pk, const char *s);
/* Append JSON as JSON.stringify(JSON.parse(JSON)) would print it. */
int ra_json_canonical_(ra_buf *out, ref_span json);
/* Forget request R (its op released). */
void ra_req_drop_(ra_adapter *a, ra_req *r);

#endif
