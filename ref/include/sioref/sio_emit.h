/* Socket.IO server layer, send side (implemented by sio_emit.c): events and acks to one
 * socket, and namespace/room broadcasts. The wiring contract and every type are in
 * sio_server.h. Spec tags: SIO-EV-5, SIO-ACK-1, SIO-ACK-3, SIO-ROOM-3, SIO-ROOM-4,
 * SIO-ROOM-6, SIO-LIM-3, SIO-BIN-14. */
#ifndef SIOREF_SIO_EMIT_H
#define SIOREF_SIO_EMIT_H

#include "sioref/sio_server.h"

/* An ack request attached to an emit. */
typedef struct sio_ack_request {
  sio_ack_fn fn;       /* required */
  void *user;          /* passed to fn */
  uint64_t timeout_ms; /* 0 = config ack_timeout_ms */
} sio_ack_request;

/* SIO-EV-5: emit EVENT (or BINARY_EVENT when N_ATT > 0) to S, on S's namespace.
 * EVENT is a plain NUL-terminated UTF-8 name (the layer JSON-escapes it; reserved
 * names are refused by the encoder, SIO-EV-4). ARGS is JSON values, comma-separated,
 * no brackets (len 0 for none), written to the wire as given (the encoder checks it is
 * JSON); with attachments it must hold placeholders {"_placeholder":true,"num":i} for
 * i = 0..N_ATT-1 (SIO-BIN-14, checked). ACK may be NULL; otherwise (SIO-ACK-3) a server
 * ack id is issued, counting from 0 per socket, and ACK->fn runs exactly once (OK,
 * TIMEOUT or CANCELLED), the deadline being the server's latest now_ms plus the
 * timeout. All inputs borrowed for the call.
 * Returns 0, REF_ERR_INVALID_ARGUMENT (also: ARGS refused by the encoder), a codec
 * placeholder error (REF_ERR_BAD_PLACEHOLDER .. _ATTACHMENT_UNUSED: the placeholders do
 * not match N_ATT; here the application's fault), REF_ERR_BAD_STATE (S disconnected),
 * REF_ERR_BUFFER_TOO_SMALL (max_pending_acks reached, SIO-LIM-3), REF_ERR_OUT_OF_MEMORY, or the
 * send callback's negative result; on any error nothing was registered and ACK->fn will not run. */
int sio_socket_emit(sio_socket *s, const char *event, ref_span args, const ref_span *att,
                    size_t n_att, const sio_ack_request *ack);

/* SIO-ACK: answer the client's ack request ACK_ID (from sio_event.ack_id) with ARGS
 * (same form as sio_socket_emit; BINARY_ACK when N_ATT > 0). Call at most once per
 * id. Returns as sio_socket_emit. */
int sio_socket_ack(sio_socket *s, int64_t ack_id, ref_span args, const ref_span *att, size_t n_att);

/* SIO-ROOM: emit to every connected socket of NS (ROOM NULL) or to the members of
 * ROOM, skipping EXCEPT (may be NULL). Event/args/attachments as sio_socket_emit
 * (no ack requests on broadcasts). The packet is encoded once. Returns the number
 * of sockets sent to (>= 0), or REF_ERR_INVALID_ARGUMENT / REF_ERR_OUT_OF_MEMORY. */
int sio_namespace_emit(sio_namespace *ns, const char *room, size_t room_len,
                       const sio_socket *except, const char *event, ref_span args,
                       const ref_span *att, size_t n_att);

#endif
