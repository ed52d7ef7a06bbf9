/* The client cases (cc_cases.h): each is a C probe that scripts the server side byte for
 * byte with cc_script.h and grades the client under test against spec/engine.io-v4.md,
 * spec/socket.io-v5.md and spec/client-contract.md. Ids are client.<area>.<name>. */
#include "cc_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_cases_eio.h"
#include "cc_cases_robust.h"
#include "cc_cases_sio.h"
#include "cc_script.h"

/* ---- the table */

typedef struct cc_def {
  const char *id, *title, *tags;
  ct_level level;
  unsigned tr;
  ct_probe_fn fn;
} cc_def;

static const cc_def defs[] = {
    {"client.handshake.open-read", "the open packet is read and CONNECT follows", "EIO-HS-2,CC-2",
     CT_MUST, CT_TR_ALL, c_open_read},
    {"client.handshake.extra-fields", "unknown members of the open packet are ignored", "EIO-HS-2",
     CT_MUST, CT_TR_ALL, c_extra_fields},
    {"client.handshake.sid-on-requests", "every later polling request carries the sid",
     "EIO-HS-9,EIO-TR-1", CT_MUST, CT_TR_POLLING, c_sid_on_requests},
    {"client.handshake.timings-honoured",
     "pingInterval/pingTimeout come from the open packet (silence detected after ~600 ms)",
     "EIO-HS-10,EIO-HB-6", CT_SHOULD, CT_TR_ALL, c_timings_honoured},
    {"client.heartbeat.pong", "each ping is answered with a pong within pingTimeout", "EIO-HB-2",
     CT_MUST, CT_TR_ALL, c_pong},
    {"client.heartbeat.no-client-ping", "the client sends no ping of its own", "EIO-HB-4",
     CT_SHOULD, CT_TR_ALL, c_no_client_ping},
    {"client.heartbeat.silent-server",
     "a silent server is detected within pingInterval + pingTimeout + 1000 ms", "EIO-HB-6",
     CT_SHOULD, CT_TR_ALL, c_silent_server},
    {"client.polling.batched-events", "three events in one 0x1e-batched body are all handled",
     "EIO-PL-1,EIO-PL-2", CT_MUST, CT_TR_POLLING, c_batched},
    {"client.polling.one-get", "never two GETs of one session at once", "EIO-TR-6", CT_MUST,
     CT_TR_POLLING, c_one_get},
    {"client.polling.max-payload", "POST bodies of several packets stay within maxPayload",
     "EIO-PL-9", CT_SHOULD, CT_TR_POLLING, c_max_payload},
    {"client.upgrade.probe", "the upgrade: 2probe, 5 after 3probe, then only the WebSocket",
     "EIO-UP-2,EIO-UP-3,EIO-UP-5", CT_MUST, CT_TR_POLLING, c_upgrade},
    {"client.upgrade.failed-probe", "a failed probe leaves the client on polling",
     "EIO-UP-3,EIO-UP-7", CT_MUST, CT_TR_POLLING, c_upgrade_failed},
    {"client.sio.connect-no-auth", "CONNECT without auth carries no payload", "SIO-AUTH-1,CC-1",
     CT_MUST, CT_TR_ALL, c_connect_no_auth},
    {"client.sio.connect-auth", "CONNECT carries the auth object unchanged", "SIO-AUTH-1,CC-1",
     CT_MUST, CT_TR_ALL, c_connect_auth},
    {"client.sio.connect-answer", "the CONNECT answer is reported as connected", "SIO-NS-2,CC-3",
     CT_MUST, CT_TR_ALL, c_connect_answer},
    {"client.sio.connect-error", "CONNECT_ERROR message and data reach the application",
     "SIO-NS-3,SIO-AUTH-2,CC-7", CT_MUST, CT_TR_ALL, c_connect_error},
    {"client.sio.echo-ack", "an event with an ack id is acked with its arguments", "SIO-ACK-1,CC-4",
     CT_MUST, CT_TR_ALL, c_echo_ack},
    {"client.sio.echo-event", "an event is delivered with its arguments in order", "SIO-EV-1,CC-5",
     CT_MUST, CT_TR_ALL, c_echo_event},
    {"client.sio.binary-ack", "a binary attachment is reassembled and acked as BINARY_ACK",
     "SIO-BIN-13,EIO-PK-14,EIO-PL-1,CC-4", CT_MUST, CT_TR_ALL, c_binary_ack},
    {"client.sio.ack-result", "a server ACK is matched to the client's emit", "SIO-ACK-1,CC-6",
     CT_MUST, CT_TR_ALL, c_ack_result},
    {"client.sio.ack-ids", "outstanding ack ids are unique; ACKs reach their callbacks",
     "SIO-ACK-3,SIO-ACK-1,CC-6", CT_MUST, CT_TR_ALL, c_ack_ids},
    {"client.sio.disconnect-request", "the client leaves with DISCONNECT on request",
     "SIO-DC-1,SIO-DC-4,CC-8", CT_MUST, CT_TR_ALL, c_disconnect_request},
    {"client.sio.server-disconnect", "a server DISCONNECT is reported to the application",
     "SIO-DC-3,CC-9", CT_MUST, CT_TR_ALL, c_server_disconnect},
    {"client.sio.event-before-connect", "an event before the CONNECT answer is delivered after it",
     "SIO-NS-11,CC-5", CT_MUST, CT_TR_ALL, c_event_before_connect},
    {"client.sio.binary-three", "three nested attachments come back depth-first in a BINARY_ACK",
     "SIO-BIN-13,SIO-BIN-14,CC-4", CT_MUST, CT_TR_ALL, c_binary_three},
    {"client.sio.utf8", "multi-byte UTF-8 and surrogate pairs come back unchanged",
     "EIO-PK-7,SIO-EV-1,CC-5", CT_MUST, CT_TR_ALL, c_utf8},
    {"client.sio.large", "a 200 000-byte argument is acked whole", "SIO-ACK-1,EIO-PL-1,CC-4",
     CT_MUST, CT_TR_ALL, c_large},
    {"client.sio.server-close", "an Engine.IO close packet is reported as a disconnect",
     "EIO-CL-1,SIO-DC-4,CC-9", CT_MUST, CT_TR_ALL, c_server_close},
    {"client.handshake.query", "the handshake is a GET with EIO=4 and the transport, no sid",
     "EIO-HS-1", CT_MUST, CT_TR_ALL, c_handshake_query},
    {"client.handshake.refused", "a handshake refused with 400 is reported as connect_error",
     "EIO-ERR-1,CC-7,CC-13", CT_MUST, CT_TR_ALL, c_handshake_refused},
    {"client.heartbeat.timer-reset",
     "pings that keep coming keep the session (1.6 s > 2 x (PI+PT))", "EIO-HB-6,EIO-HB-2",
     CT_SHOULD, CT_TR_ALL, c_timer_reset},
    {"client.polling.batched-binary",
     "a body with a BINARY_EVENT, its b-base64 attachments and an event is all handled",
     "EIO-PL-1,EIO-PK-10,SIO-BIN-3", CT_MUST, CT_TR_POLLING, c_batched_binary},
    {"client.polling.session-unknown",
     "400 Session ID unknown ends the session; reconnection opens a new one", "EIO-TR-2,CC-14",
     CT_MUST, CT_TR_POLLING, c_reconnect_new_session},
    {"client.upgrade.buffered", "an emit made during the upgrade goes once, over the WebSocket",
     "EIO-UP-5,EIO-UP-2", CT_MUST, CT_TR_POLLING, c_upgrade_buffered},
    {"client.upgrade.not-offered", "\"upgrades\":[] keeps the client on polling", "EIO-UP-1",
     CT_MUST, CT_TR_POLLING, c_upgrade_not_offered},
    {"client.sio.namespace-join", "a second namespace joins the same session; events there",
     "SIO-NS-6,SIO-NS-1,CC-11", CT_MUST, CT_TR_ALL, c_ns_join},
    {"client.sio.namespace-auth", "a joined namespace's CONNECT carries its auth",
     "SIO-AUTH-1,CC-11", CT_MUST, CT_TR_ALL, c_ns_auth},
    {"client.sio.namespace-disconnect", "a server DISCONNECT of /other leaves / connected",
     "SIO-DC-3,CC-9,CC-11", CT_MUST, CT_TR_ALL, c_ns_disconnect},
    {"client.sio.namespace-disconnect-all",
     "a server DISCONNECT of every namespace is reported for each", "SIO-DC-3,CC-9,CC-11", CT_MUST,
     CT_TR_ALL, c_ns_disconnect_all},
    {"client.sio.namespace-refused", "CONNECT_ERROR for /other is reported there; / goes on",
     "SIO-NS-3,SIO-AUTH-2,CC-7,CC-11", CT_MUST, CT_TR_ALL, c_ns_refused},
    {"client.sio.namespace-event-before-connect",
     "an event for /other before its CONNECT answer is delivered after it", "SIO-NS-11,CC-11",
     CT_MUST, CT_TR_ALL, c_ns_event_before_connect},
    {"client.sio.binary-emit",
     "a binary emit goes as BINARY_EVENT; a BINARY_ACK reaches its callback",
     "SIO-BIN-14,SIO-BIN-13,SIO-EV-2,CC-6", CT_MUST, CT_TR_ALL, c_binary_emit},
    {"client.sio.binary-echo-three", "three nested attachments come back in a BINARY_EVENT",
     "SIO-BIN-14,SIO-EV-2,CC-5", CT_MUST, CT_TR_ALL, c_binary_echo_three},
    {"client.sio.large-binary", "a 1 MiB attachment is acked whole", "SIO-BIN-13,EIO-PL-1,CC-4",
     CT_MUST, CT_TR_ALL, c_large_binary},
    {"client.sio.ack-duplicate", "a second ACK for an answered id is ignored", "SIO-ACK-4", CT_MUST,
     CT_TR_ALL, c_ack_duplicate},
    {"client.sio.ack-unknown", "an ACK for no request is ignored", "SIO-ACK-4,CC-13", CT_MUST,
     CT_TR_ALL, c_ack_unknown},
    {"client.sio.no-handler", "an event without a handler is dropped; the session goes on",
     "SIO-EV-3", CT_MUST, CT_TR_ALL, c_no_handler},
    {"client.sio.event-order", "twenty events back to back come back in order",
     "SIO-EV-1,EIO-PL-1,CC-5", CT_MUST, CT_TR_ALL, c_event_order},
    {"client.sio.utf8-ack", "surrogate pairs and 4-byte UTF-8 in an ack come back unchanged",
     "EIO-PK-7,SIO-ACK-1,CC-4", CT_MUST, CT_TR_ALL, c_utf8_ack},
    {"client.sio.connect-error-no-data", "CONNECT_ERROR without data is reported with its message",
     "SIO-NS-3,CC-7", CT_MUST, CT_TR_ALL, c_connect_error_no_data},
#define MALFORMED(name, title, tags)                                                               \
  { "client.robust.malformed-" name, title, tags ",CC-13", CT_MUST, CT_TR_ALL, c_malformed }
    MALFORMED("bad-eio-type", "an Engine.IO packet of type 9", "EIO-PK-6"),
    MALFORMED("empty-sio", "an empty Socket.IO packet (\"4\")", "SIO-PK-3"),
    MALFORMED("bad-sio-type", "a Socket.IO packet of type 7", "SIO-PK-4"),
    MALFORMED("bad-json", "an EVENT with truncated JSON", "SIO-PK-10"),
    MALFORMED("event-not-array", "an EVENT whose payload is an object", "SIO-PK-12"),
    MALFORMED("event-name-number", "an EVENT whose name is a number", "SIO-PK-13"),
    MALFORMED("zero-attachments", "a BINARY_EVENT declaring 0 attachments", "SIO-BIN-1,SIO-BIN-15"),
    MALFORMED("huge-attachment-count", "a BINARY_EVENT declaring 4599999999999 attachments",
              "SIO-BIN-1,SIO-BIN-2"),
    MALFORMED("placeholder-out-of-range", "a placeholder num beyond the attachments", "SIO-BIN-9"),
    MALFORMED("text-mid-binary", "a text packet between a header and its last attachment",
              "SIO-BIN-4"),
    MALFORMED("stray-binary", "an attachment no header announced", "SIO-BIN-5"),
    MALFORMED("bad-base64", "a b-packet whose base64 does not decode", "EIO-PK-11"),
    MALFORMED("unknown-namespace", "an EVENT for a namespace never joined", "SIO-NS-1"),
#undef MALFORMED
    {"client.robust.oversize", "a 3 MB packet (maxPayload 1 000 000): coped with or closed",
     "EIO-PL-9,CC-13", CT_MUST, CT_TR_ALL, c_oversize},
    {"client.robust.close-mid-binary",
     "the server vanishes between two attachments: disconnect reported", "SIO-BIN-6,CC-9,CC-13",
     CT_MUST, CT_TR_ALL, c_close_mid_binary},
    {"client.robust.vanish", "the server vanishes: disconnect reported", "EIO-TR-12,CC-9,CC-13",
     CT_MUST, CT_TR_ALL, c_vanish},
    {"client.robust.vanish-during-upgrade",
     "the server vanishes during the probe: disconnect reported", "EIO-UP-2,CC-9,CC-13", CT_MUST,
     CT_TR_POLLING, c_vanish_upgrade},
    {"client.reconnect.new-session", "a lost session is followed by a new handshake and CONNECT",
     "CC-14,EIO-HS-1", CT_MUST, CT_TR_ALL, c_reconnect_new_session},
    {"client.reconnect.backoff", "reconnection delays grow and stay within the maximum", "CC-15",
     CT_SHOULD, CT_TR_ALL, c_reconnect_backoff},
};

void cc_cases_register(ct_cases *cs) {
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
    const cc_def *d = &defs[i];
    ct_case *c = ct_cases_add(cs, d->id, d->title, d->tags, d->level, d->tr, 1, NULL);
    c->probe = d->fn;
    c->source = ct_xstrdup("conformance/clientcheck/src/cc_cases.c");
    c->needs = CT_NEED_ENGINE;
    /* no client case runs alone: each has its own server, and the timing cases announce
     * short timers with bounds that a loaded machine only delays, by far less than
     * their slack (pong: pingTimeout 1500 ms; silence: 1000 ms over PI + PT) */
    c->exclusive = 0;
  }
}
