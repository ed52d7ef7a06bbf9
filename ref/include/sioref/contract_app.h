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

#define CONTRACT_APP_CONNECT_TIMEOUT_MS  1000 /* contract: Socket.IO connectTimeout */
#define CONTRACT_APP_ACK_TIMEOUT_MS      1000 /* contract: server-ack "ack-timeout" */
#define CONTRACT_APP_ROOM_ACK_TIMEOUT_MS 1000 /* contract: CT-56 "room-ack" */

/* Set CFG's namespace table (static, lives forever), connect_timeout_ms and
 * ack_timeout_ms to the contract's values. Leaves every other field (callbacks,
 * codec options, limits) as the caller set it. CFG must not be NULL. */
void contract_app_configure(sio_server_config *cfg);

/* CT-50..CT-56, the "cluster" extension: answer "node-id" with NODE_ID (copied; a few
 * characters that JSON strings cannot hold bare are replaced), serve the cluster events,
 * and answer other nodes' "ct-server-ping" on SRV. Broadcasts and room operations reach
 * the other nodes through SRV's adapter (sio_cluster.h). NULL or "" turns it off. The
 * app is one per process: this setting is too. */
void contract_app_cluster(sio_server *srv, const char *node_id);

#endif
