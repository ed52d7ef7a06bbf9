/* Private structures shared by the Socket.IO server layer's modules (sio_server.c,
 * sio_emit.c, sio_room.c). Not installed; nothing outside ref/src/sio_*.c includes it. */
#ifndef SIOREF_SIO_INTERNAL_H
#define SIOREF_SIO_INTERNAL_H

#include "sioref/sio_binary.h"
#include "sioref/sio_cluster.h"
#include "sioref/sio_emit.h"
#include "sioref/sio_room.h"
#include "sioref/sio_server.h"

/* Membership is kept from both sides so that joining, leaving and emitting cost O(1)
 * per member: a room lists (socket, index of this room in the socket's list) and a
 * socket lists (room, index of the socket in the room's list); a swap-remove on one
 * side fixes the one moved entry's back index on the other. */
typedef struct sio_member {
  sio_socket *s;
  size_t slot; /* index of the room in s->rooms */
} sio_member;

typedef struct sio_membership {
  struct sio_room *room;
  size_t idx; /* index of the socket in room->members */
} sio_membership;

/* A room of one namespace: a name and the sockets in it. Rooms live in the namespace's
 * hash table and are freed when their last member leaves. */
typedef struct sio_room {
  struct sio_room *next; /* hash chain */
  uint64_t hash;
  char *name; /* owned copy, not NUL-terminated in meaning (any bytes) */
  size_t name_len;
  sio_member *members; /* owned */
  size_t n_members, cap;
} sio_room;

struct sio_namespace {
  sio_server *srv;
  const sio_namespace_config *cfg; /* borrowed from the server config */
  size_t name_len;
  sio_socket *head; /* connected sockets, linked by ns_prev/ns_next */
  size_t n_sockets;
  sio_room **buckets; /* owned hash table of rooms, n_buckets a power of two (or 0) */
  size_t n_buckets, n_rooms;
};

/* A server-issued ack request waiting for the client's answer. */
typedef struct sio_pending_ack {
  struct sio_pending_ack *next;
  int64_t id;
  uint64_t deadline_ms;
  sio_ack_fn fn;
  void *user;
} sio_pending_ack;

struct sio_socket {
  sio_client *c;
  sio_namespace *ns;
  char *id; /* owned: SIO_SID_LEN characters, or v4's sid / nsp#sid (SIO-FNS-5) */
  size_t id_len;
  bool connected;
  sio_socket *c_prev, *c_next;   /* the client's joined sockets, then its graveyard */
  sio_socket *ns_prev, *ns_next; /* the namespace's connected sockets */
  sio_membership *rooms;         /* owned: the rooms S is in */
  size_t n_rooms, rooms_cap;
  char *auth; /* owned copy of the handshake auth JSON text */
  size_t auth_len;
  sio_pending_ack *acks; /* owned list */
  size_t n_acks;
  int64_t next_ack_id;
};

typedef enum sio_client_state {
  SIO_CS_NEW = 0, /* created, Engine.IO open not reported yet */
  SIO_CS_OPEN,    /* normal operation */
  SIO_CS_CLOSING, /* sio_client_close is sending DISCONNECTs; sends still allowed */
  SIO_CS_CLOSED,  /* torn down: no sends, no handlers; waits for sio_client_free */
} sio_client_state;

struct sio_client {
  sio_server *srv;
  void *user;
  sio_client *prev, *next;     /* the server's client list */
  sio_client *t_prev, *t_next; /* the server's list of clients that have a deadline */
  bool timed;                  /* on that list */
  sio_client_state state;
  uint64_t connect_deadline_ms; /* SIO_NO_DEADLINE once a namespace was joined */
  sio_socket *sockets;          /* joined sockets (connected) */
  size_t n_sockets;
  sio_socket *graveyard; /* disconnected sockets freed when depth returns to 0 */
  int depth;             /* nesting of entry points currently running for this client */
  /* Binary reassembly (SIO-BIN via the codec's sio_reasm): the reassembler holds
   * spans, so the header text and each attachment are copied into owned buffers. */
  sio_reasm reasm;
  ref_span *slots;  /* owned, max_att entries, handed to sio_reasm; NULL until the
                       client's first binary packet (idle clients stay small) */
  uint8_t **copies; /* owned like slots: copies[0] header text, copies[1..] attachments */
  size_t n_copies;
  size_t bin_bytes; /* attachment bytes of the pending packet so far (SIO-LIM-2) */
  bool copies_busy; /* a completed binary packet is being dispatched from the copies */
  uint32_t max_att;
  uint32_t protocol;                 /* SIO_PROTOCOL_V5, or SIO_PROTOCOL_V4 (sio_client_open_v4) */
  char eio_sid[SIO_EIO_SID_MAX + 1]; /* v4: the Engine.IO sid the socket ids derive from */
};

struct sio_server {
  sio_server_config cfg;
  uint64_t now_ms;     /* latest time any entry point was given (never goes back): the base
                          of ack deadlines even for emits made from another client's hook */
  sio_namespace *nsps; /* owned array of cfg.n_namespaces */
  sio_client *clients;
  size_t n_clients;
  sio_client *timed; /* clients whose next deadline is not SIO_NO_DEADLINE: the server's
                        deadline and tick visit only these, so idle clients cost nothing */
  uint32_t max_att;  /* attachments per packet (codec option or its default) */
  ref_span *scratch; /* owned, max_att slots: the reassembler's marks while it reads a
                        header; a client gets slots of its own only for a binary packet */
  const struct sio_adapter *adapter; /* borrowed, NULL: none (sio_cluster.h) */
  sio_server_event_fn server_event;  /* server-side events of other nodes (sio_cluster.h) */
  void *server_event_user;
};

/* ---- sio_server.c ---- */
/* Put C on, or take it off, the server's list of clients with a deadline. */
void sio_client_retime_(sio_client *c);
/* Advance the server's clock to NOW_MS (it never goes back). */
void sio_server_clock_(sio_server *srv, uint64_t now_ms);
/* Enter / leave an entry point of C: memory of sockets disconnected while depth > 0 is
 * released when the outermost entry point leaves. */
void sio_client_enter_(sio_client *c);
void sio_client_leave_(sio_client *c);
/* Take S out of its namespace, rooms and client; cancel its acks; run on_disconnect;
 * then free it (or park it in the graveyard). SEND_DC: send a DISCONNECT first. */
void sio_socket_detach_(sio_socket *s, sio_disconnect_reason why, bool send_dc);
/* Tear the client down (no sends) and ask the embedder to close with REASON. */
void sio_client_fail_(sio_client *c, int reason, sio_disconnect_reason why);

/* ---- sio_emit.c ---- */
/* True when messages may still be sent to C. */
bool sio_client_can_send_(const sio_client *c);
/* Encode P (binary types with N_ATT attachments) and send it to C. Returns 0, a send
 * callback error, REF_ERR_BAD_STATE, REF_ERR_OUT_OF_MEMORY or an encoder error. */
int sio_send_packet_(sio_client *c, const sio_packet *p, const ref_span *att, size_t n_att);
/* Append the JSON string literal for the plain UTF-8 text S (with quotes) to OUT at *POS
 * (OUT may be NULL to measure). Returns the number of bytes it needs. */
size_t sio_json_quote_(const char *s, size_t len, char *out);

/* ---- sio_cluster.c ---- */
/* Tell the adapter of a sio_namespace_emit: DATA is the packet's JSON array; ROOM NULL
 * for the whole namespace; EXCEPT the sender's socket or NULL. */
void sio_cluster_emitted_(sio_namespace *ns, const char *room, size_t room_len,
                          const sio_socket *except, ref_span data, const ref_span *att,
                          size_t n_att);

/* ---- sio_room.c ---- */
sio_room *sio_room_find_(sio_namespace *ns, const char *name, size_t len);
/* Remove S from every room (freeing rooms left empty); S's array stays for free. */
void sio_room_leave_all_(sio_socket *s);
/* Free NS's (empty) room table. */
void sio_room_table_free_(sio_namespace *ns);

#endif
