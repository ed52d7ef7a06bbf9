/* Socket.IO preamble helpers (sio.c): recognising the packets of one namespace and
 * setting aside the events that arrive before a CONNECT answer (SIO-NS-10, SIO-NS-11),
 * so that a preamble accepts every order the official client accepts. */
#ifndef CT_SIO_H
#define CT_SIO_H

#include "ct_client.h"

/* Is P (an Engine.IO packet) a Socket.IO EVENT or BINARY_EVENT of namespace NSP ("/" or
 * "/custom")? Returns 1 and sets *ATTACHMENTS (0 for EVENT) when it is, else 0. */
int ct_sio_is_event_of(const ct_pkt *p, const char *nsp, long *attachments);

/* The namespace of a CONNECT (40) or CONNECT_ERROR (44) answer named by the literal start
 * LIT of an expected Engine.IO text ("40", "40/custom,", "44/auth,..."): writes it to NSP
 * and returns 1, or returns 0 when LIT does not start such an answer. */
int ct_sio_answer_nsp(const char *lit, char *nsp, size_t nsplen);

/* Events of one namespace set aside while waiting for its CONNECT answer; a BINARY_EVENT
 * is set aside with its attachments. Zero-initialise, then set NSP. */
typedef struct ct_defer {
  char nsp[128];
  ct_pkt *v; /* owned */
  size_t n, cap;
  long bin_left; /* attachments of the last set-aside BINARY_EVENT still to come */
} ct_defer;

/* Set P aside when it is an event of D's namespace (or an attachment of one set aside):
 * returns 1 and takes P's data, else 0 (P untouched). Logs on R. */
int ct_defer_take(ct_defer *d, ct_run *r, ct_pkt *p);
/* Put every set-aside packet back at the head of C's queue, in arrival order, so the
 * steps read them after the answer; D is emptied. C may be NULL (packets freed). */
void ct_defer_restore(ct_defer *d, ct_conn *c);

/* Wait up to TIMEOUT_MS for the CONNECT answer of NSP on C: noops are dropped, events of
 * NSP that arrive first are set aside and put back at the head of the queue afterwards.
 * Returns 1 with OUT the first other packet (the presumed answer; caller frees), 0 on
 * timeout, -1 when C closed. */
int ct_sio_await_answer(ct_conn *c, const char *nsp, int timeout_ms, ct_pkt *out);

/* Open a session and connect namespace "/": send "40", expect "40{sid}" and the
 * contract's "auth" event. Returns the conn or NULL (failure recorded). */
ct_conn *ct_sio_open(ct_run *r, const char *name, unsigned transport);
/* ct_sio_open on HOST:PORT (ct_open_at: a node of a cluster); HOST NULL: the run's. */
ct_conn *ct_sio_open_at(ct_run *r, const char *name, unsigned transport, const char *host,
                        int port);
/* Next packet that is not a noop, within TIMEOUT_MS. */
int ct_next_data(ct_conn *c, int timeout_ms, ct_pkt *out);

#endif
