/* Socket.IO server layer, the cluster side (implemented by sio_cluster.c): broadcasts and
 * room operations over a *selection* of sockets (rooms and except rooms, as a Socket.IO
 * adapter sees them), and the hook by which an adapter (sioref's Redis adapter,
 * ra_adapter.h) hears of every broadcast and room operation the application makes, to
 * pass them on to the other nodes of a cluster. Without an adapter every function here is
 * local. The wiring contract and every type are in sio_server.h.
 * Spec tags: SIO-ROOM-3, SIO-ROOM-4 (broadcasts); RA-9 (local flag), RA-10 (selection:
 * rooms, except, each socket once), RA-11 (except by socket-id rooms), RA-16 (remote
 * join, leave, disconnect over a selection). */
#ifndef SIOREF_SIO_CLUSTER_H
#define SIOREF_SIO_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "sioref/sio_emit.h"
#include "sioref/sio_server.h"

/* RA-10: which sockets of a namespace: those in at least one of ROOMS (every socket when
 * N_ROOMS is 0) and in none of EXCEPT. Room names are any bytes (borrowed). */
typedef struct sio_selection {
  const ref_span *rooms;
  size_t n_rooms;
  const ref_span *except;
  size_t n_except;
  bool local; /* RA-9: act on this node only, tell no adapter */
} sio_selection;

/* A cluster request that waits for answers (a server-side event with acks, a broadcast
 * with acks): created by this module, fed by the adapter, ended once with its callback. */
typedef struct sio_cluster_op sio_cluster_op;

/* The end of a cluster request. ERROR is NULL, or the official server's message when
 * answers are missing at the timeout; RESPONSES is the JSON array text of the answers
 * received (each the first argument of one answer), borrowed for the call. */
typedef void (*sio_cluster_done_fn)(void *user, const char *error, ref_span responses);

/* How the adapter answers a server-side event of another node (RA-22): at most once,
 * from inside the handler. */
typedef struct sio_cluster_reply {
  void (*fn)(void *user, ref_span args, const ref_span *att, size_t n_att);
  void *user;
  bool used;
} sio_cluster_reply;

/* An adapter under the Socket.IO layer: told, after the local part is done, of every
 * broadcast and room operation made through this header or sio_namespace_emit, unless
 * the selection is local. Hooks must not call back into the layer (they queue work for
 * the network); every argument is borrowed for the call. Any hook may be NULL.
 *   broadcast:   DATA is the event's JSON array ["name", args...] with binary
 *                placeholders {"_placeholder":true,"num":i} for ATT[i].
 *   join, leave: ROOMS are the rooms the selected sockets join / leave.
 *   disconnect:  CLOSE: close the whole connection (not just the namespace). */
typedef struct sio_adapter {
  void (*broadcast)(void *user, sio_namespace *ns, const sio_selection *sel, ref_span data,
                    const ref_span *att, size_t n_att);
  void (*join)(void *user, sio_namespace *ns, const sio_selection *sel, const ref_span *rooms,
               size_t n_rooms);
  void (*leave)(void *user, sio_namespace *ns, const sio_selection *sel, const ref_span *rooms,
                size_t n_rooms);
  void (*disconnect)(void *user, sio_namespace *ns, const sio_selection *sel, bool close);
  /* server_emit: a server-side event (DATA as for broadcast) to the other nodes; OP NULL
   *   when no answer is wanted, else report with sio_cluster_op_* (RA-21, RA-22).
   * broadcast_ack: a broadcast whose clients must ack within TIMEOUT_MS, already sent to
   *   the local sockets; report the other nodes' counts and acks on OP (RA-23..RA-25).
   * An adapter given an OP must call sio_cluster_op_release(OP) once, at the latest when
   * it forgets it; without these hooks the request is answered by this node alone. */
  void (*server_emit)(void *user, sio_namespace *ns, ref_span data, const ref_span *att,
                      size_t n_att, sio_cluster_op *op);
  void (*broadcast_ack)(void *user, sio_namespace *ns, const sio_selection *sel, ref_span data,
                        const ref_span *att, size_t n_att, uint64_t timeout_ms, sio_cluster_op *op);
  void *user;
} sio_adapter;

/* What the adapter reports on an OP it was given:
 *   servers: RA-14, the number of nodes counted (this one included); a server-side event
 *            then waits for SERVERS - 1 answers, a broadcast with acks for SERVERS counts;
 *   clients: RA-24, one other node's count of clients sent to;
 *   response: one answer (RA-22) or client ack (RA-25): one JSON value (borrowed);
 *   expire:  the timeout passed: end now with what was received;
 *   release: the adapter will not touch OP again. */
void sio_cluster_op_servers(sio_cluster_op *op, long count);
void sio_cluster_op_clients(sio_cluster_op *op, size_t n);
void sio_cluster_op_response(sio_cluster_op *op, ref_span json_value);
void sio_cluster_op_expire(sio_cluster_op *op);
void sio_cluster_op_release(sio_cluster_op *op);
/* True once OP's callback ran: the adapter may forget it (and release it). */
bool sio_cluster_op_is_done(const sio_cluster_op *op);
/* The latest now_ms any entry point of SRV was given (the base of the adapter's request
 * deadlines for requests made from the application's hooks). */
uint64_t sio_server_now_ms(const sio_server *srv);
/* Advance SRV's clock to NOW_MS (it never goes back): an adapter calls it with the time
 * of a message from another node, so that the acks it asks for get the right deadline. */
void sio_server_clock(sio_server *srv, uint64_t now_ms);
/* The configured namespace I (0-based, in the config's order), NULL past the last. */
sio_namespace *sio_server_namespace_at(sio_server *srv, size_t i);

/* Server-side events from other nodes (RA-21): FN gets the event (ack_id is 0 when an
 * answer is wanted: answer with sio_cluster_reply_send, else SIO_NO_ACK_ID). */
typedef void (*sio_server_event_fn)(void *user, sio_namespace *ns, const sio_event *ev,
                                    sio_cluster_reply *reply);
void sio_server_on_server_event(sio_server *srv, sio_server_event_fn fn, void *user);
/* Answer a server-side event with ARGS (JSON values; the first is sent, RA-22). Returns 0,
 * or REF_ERR_BAD_STATE when it was answered already or wants no answer. */
int sio_cluster_reply_send(sio_cluster_reply *reply, ref_span args, const ref_span *att,
                           size_t n_att);
/* Called by the adapter: hand EV to the server-side handler (REPLY NULL: no answer). */
void sio_namespace_server_event(sio_namespace *ns, const sio_event *ev, sio_cluster_reply *reply);

/* RA-21, RA-22: emit a server-side event to the other nodes' handlers (never this
 * node's). FN NULL: no answer wanted; else FN runs once with the answers (at once, with
 * none, when there is no adapter). Returns 0, REF_ERR_INVALID_ARGUMENT or
 * REF_ERR_OUT_OF_MEMORY (FN not called). */
int sio_namespace_server_emit(sio_namespace *ns, const char *event, ref_span args,
                              const ref_span *att, size_t n_att, sio_cluster_done_fn fn,
                              void *user);

/* RA-23..RA-25: broadcast EVENT to the selected sockets of every node, each client asked
 * for an ack; FN runs once: with every client's first ack argument when all clients of
 * all nodes answered, or at TIMEOUT_MS with "operation has timed out" and the answers so
 * far. Returns the number of local sockets sent to, or an error as sio_namespace_broadcast
 * (FN not called). */
int sio_namespace_broadcast_with_ack(sio_namespace *ns, const sio_selection *sel, const char *event,
                                     ref_span args, const ref_span *att, size_t n_att,
                                     uint64_t timeout_ms, sio_cluster_done_fn fn, void *user);

/* Install ADAPTER (borrowed; must outlive the server or be replaced by NULL) on SRV. */
void sio_server_set_adapter(sio_server *srv, const sio_adapter *adapter);

/* Visit the sockets SEL selects in NS, each once (FN may not disconnect sockets or change
 * rooms: collect first). Returns how many were visited. */
size_t sio_namespace_select(sio_namespace *ns, const sio_selection *sel,
                            void (*fn)(void *user, sio_socket *s), void *user);

/* SIO-ROOM-3/4, RA-10: emit EVENT with ARGS (and attachments, as sio_socket_emit) to the
 * sockets SEL selects, then (SEL not local) tell the adapter. ACK NULL: a plain broadcast;
 * otherwise every selected socket gets its own ack request and ACK->fn runs once per
 * socket sent to (RA-23 on the receiving node). Returns the number of local sockets sent
 * to, or REF_ERR_INVALID_ARGUMENT / REF_ERR_OUT_OF_MEMORY / an encoder error. */
int sio_namespace_broadcast(sio_namespace *ns, const sio_selection *sel, const char *event,
                            ref_span args, const ref_span *att, size_t n_att,
                            const sio_ack_request *ack);

/* RA-16: make the selected sockets join / leave every room of ROOMS, or disconnect them
 * (CLOSE: the whole connection, sio_client_close; else the namespace only); then, SEL not
 * local, tell the adapter. Returns the number of local sockets acted on, or
 * REF_ERR_INVALID_ARGUMENT / REF_ERR_OUT_OF_MEMORY. */
int sio_namespace_sockets_join(sio_namespace *ns, const sio_selection *sel, const ref_span *rooms,
                               size_t n_rooms);
int sio_namespace_sockets_leave(sio_namespace *ns, const sio_selection *sel, const ref_span *rooms,
                                size_t n_rooms);
int sio_namespace_disconnect_sockets(sio_namespace *ns, const sio_selection *sel, bool close);

/* The name of a room of S: index I (0 <= I < sio_socket_room_count). Its own-id room is
 * one of them. Borrowed until S changes rooms. */
size_t sio_socket_room_count(const sio_socket *s);
ref_span sio_socket_room(const sio_socket *s, size_t i);
/* Every room of NS that has members: calls FN per room (borrowed name). */
void sio_namespace_each_room(sio_namespace *ns, void (*fn)(void *user, ref_span room), void *user);
/* True when NS has a room named ROOM with at least one member (RA-10). */
bool sio_namespace_has_room(sio_namespace *ns, ref_span room);

#endif
