/* The client cases (cc_cases.h): each is a C probe that scripts the server side byte for
 * byte with cc_script.h and grades the client under test against spec/engine.io-v4.md,
 * spec/socket.io-v5.md and spec/client-contract.md. Ids are client.<area>.<name>. */
#include "cc_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_cases_eio.h"
#include "cc_cases_sio.h"
#include "cc_script.h"

/* ---- the table */

typedef struct cc_def {
  const char *id, *title, *tags;
  ct_level level;
  unsigned tr;
  ct_probe_fn fn;
  int exclusive; /* timing-bound: runs alone */
} cc_def;

static const cc_def defs[] = {
    {"client.handshake.open-read", "the open packet is read and CONNECT follows", "EIO-HS-2,CC-2",
     CT_MUST, CT_TR_ALL, c_open_read, 0},
    {"client.handshake.extra-fields", "unknown members of the open packet are ignored", "EIO-HS-2",
     CT_MUST, CT_TR_ALL, c_extra_fields, 0},
    {"client.handshake.sid-on-requests", "every later polling request carries the sid",
     "EIO-HS-9,EIO-TR-1", CT_MUST, CT_TR_POLLING, c_sid_on_requests, 0},
    {"client.handshake.timings-honoured",
     "pingInterval/pingTimeout come from the open packet (silence detected after ~600 ms)",
     "EIO-HS-10,EIO-HB-6", CT_SHOULD, CT_TR_ALL, c_timings_honoured, 1},
    {"client.heartbeat.pong", "each ping is answered with a pong within pingTimeout", "EIO-HB-2",
     CT_MUST, CT_TR_ALL, c_pong, 1},
    {"client.heartbeat.no-client-ping", "the client sends no ping of its own", "EIO-HB-4",
     CT_SHOULD, CT_TR_ALL, c_no_client_ping, 0},
    {"client.heartbeat.silent-server",
     "a silent server is detected within pingInterval + pingTimeout + 1000 ms", "EIO-HB-6",
     CT_SHOULD, CT_TR_ALL, c_silent_server, 1},
    {"client.polling.batched-events", "three events in one 0x1e-batched body are all handled",
     "EIO-PL-1,EIO-PL-2", CT_MUST, CT_TR_POLLING, c_batched, 0},
    {"client.polling.one-get", "never two GETs of one session at once", "EIO-TR-6", CT_MUST,
     CT_TR_POLLING, c_one_get, 0},
    {"client.polling.max-payload", "POST bodies of several packets stay within maxPayload",
     "EIO-PL-9", CT_SHOULD, CT_TR_POLLING, c_max_payload, 0},
    {"client.upgrade.probe", "the upgrade: 2probe, 5 after 3probe, then only the WebSocket",
     "EIO-UP-2,EIO-UP-3,EIO-UP-5", CT_MUST, CT_TR_POLLING, c_upgrade, 0},
    {"client.upgrade.failed-probe", "a failed probe leaves the client on polling",
     "EIO-UP-3,EIO-UP-7", CT_MUST, CT_TR_POLLING, c_upgrade_failed, 0},
    {"client.sio.connect-no-auth", "CONNECT without auth carries no payload", "SIO-AUTH-1,CC-1",
     CT_MUST, CT_TR_ALL, c_connect_no_auth, 0},
    {"client.sio.connect-auth", "CONNECT carries the auth object unchanged", "SIO-AUTH-1,CC-1",
     CT_MUST, CT_TR_ALL, c_connect_auth, 0},
    {"client.sio.connect-answer", "the CONNECT answer is reported as connected", "SIO-NS-2,CC-3",
     CT_MUST, CT_TR_ALL, c_connect_answer, 0},
    {"client.sio.connect-error", "CONNECT_ERROR message and data reach the application",
     "SIO-NS-3,SIO-AUTH-2,CC-7", CT_MUST, CT_TR_ALL, c_connect_error, 0},
    {"client.sio.echo-ack", "an event with an ack id is acked with its arguments", "SIO-ACK-1,CC-4",
     CT_MUST, CT_TR_ALL, c_echo_ack, 0},
    {"client.sio.echo-event", "an event is delivered with its arguments in order", "SIO-EV-1,CC-5",
     CT_MUST, CT_TR_ALL, c_echo_event, 0},
    {"client.sio.binary-ack", "a binary attachment is reassembled and acked as BINARY_ACK",
     "SIO-BIN-13,EIO-PK-14,EIO-PL-1,CC-4", CT_MUST, CT_TR_ALL, c_binary_ack, 0},
    {"client.sio.ack-result", "a server ACK is matched to the client's emit", "SIO-ACK-1,CC-6",
     CT_MUST, CT_TR_ALL, c_ack_result, 0},
    {"client.sio.ack-ids", "outstanding ack ids are unique; ACKs reach their callbacks",
     "SIO-ACK-3,SIO-ACK-1,CC-6", CT_MUST, CT_TR_ALL, c_ack_ids, 0},
    {"client.sio.disconnect-request", "the client leaves with DISCONNECT on request",
     "SIO-DC-1,SIO-DC-4,CC-8", CT_MUST, CT_TR_ALL, c_disconnect_request, 0},
    {"client.sio.server-disconnect", "a server DISCONNECT is reported to the application",
     "SIO-DC-3,CC-9", CT_MUST, CT_TR_ALL, c_server_disconnect, 0},
    {"client.sio.event-before-connect", "an event before the CONNECT answer is delivered after it",
     "SIO-NS-11,CC-5", CT_MUST, CT_TR_ALL, c_event_before_connect, 0},
    {"client.sio.binary-three", "three nested attachments come back depth-first in a BINARY_ACK",
     "SIO-BIN-13,SIO-BIN-14,CC-4", CT_MUST, CT_TR_ALL, c_binary_three, 0},
    {"client.sio.utf8", "multi-byte UTF-8 and surrogate pairs come back unchanged",
     "EIO-PK-7,SIO-EV-1,CC-5", CT_MUST, CT_TR_ALL, c_utf8, 0},
    {"client.sio.large", "a 200 000-byte argument is acked whole", "SIO-ACK-1,EIO-PL-1,CC-4",
     CT_MUST, CT_TR_ALL, c_large, 0},
    {"client.sio.server-close", "an Engine.IO close packet is reported as a disconnect",
     "EIO-CL-1,SIO-DC-4,CC-9", CT_MUST, CT_TR_ALL, c_server_close, 0},
};

void cc_cases_register(ct_cases *cs) {
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
    const cc_def *d = &defs[i];
    ct_case *c = ct_cases_add(cs, d->id, d->title, d->tags, d->level, d->tr, 1, NULL);
    c->probe = d->fn;
    c->source = ct_xstrdup("conformance/clientcheck/src/cc_cases.c");
    c->needs = CT_NEED_ENGINE;
    c->exclusive = d->exclusive;
  }
}
