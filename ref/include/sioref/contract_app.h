/* The test-app contract's Socket.IO part (build/CONTRACT.txt, spec/contract.md) on
 * top of the sans-I/O Socket.IO layer: namespaces "/", "/custom" and "/auth" with
 * the official-suite behaviour and the extensions (rooms, broadcast, server-ack,
 * server-disconnect, auth).
 *
 * Wiring: fill a sio_server_config with the embedder's send/close/random callbacks,
 * call contract_app_configure on it, then sio_server_new. Nothing else is needed:
 * the app keeps no state of its own outside the sio layer (the server-ack request
 * allocates a small record that its ack callback frees). */
#ifndef SIOREF_CONTRACT_APP_H
#define SIOREF_CONTRACT_APP_H

#include "sioref/sio_server.h"

#define CONTRACT_APP_CONNECT_TIMEOUT_MS 1000 /* contract: Socket.IO connectTimeout */
#define CONTRACT_APP_ACK_TIMEOUT_MS     1000 /* contract: server-ack "ack-timeout" */

/* Set CFG's namespace table (static, lives forever), connect_timeout_ms and
 * ack_timeout_ms to the contract's values. Leaves every other field (callbacks,
 * codec options, limits) as the caller set it. CFG must not be NULL. */
void contract_app_configure(sio_server_config *cfg);

#endif
