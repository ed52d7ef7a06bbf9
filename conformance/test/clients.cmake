# Client runs of `sioconform client` (issue 13, label "clients"): the official Node
# client and the python-socketio client with their expected verdict counts, and the
# faulty client with each fault turning exactly its cases to FAIL.
set(_cl_t ${CMAKE_CURRENT_SOURCE_DIR}/test)
foreach(_c client-node client-python)
  string(REPLACE "client-" "" _short ${_c})
  add_test(NAME clients.${_short}
           COMMAND ${_cl_t}/client-test.sh subject ${_c} $<TARGET_FILE:sioconform>
                   ${_cl_t}/expected/${_c}.json)
  set_tests_properties(clients.${_short} PROPERTIES LABELS clients SKIP_RETURN_CODE 77
                                                    TIMEOUT 240)
endforeach()
# fault; the case prefixes run (its family and neighbours); run-id patterns that must FAIL
# (every other run PASS, or BLOCKED by those)
set(_cl_faults
    "no-pong|client.heartbeat,client.handshake.timings|client.heartbeat.pong@*|client.heartbeat.timer-reset@*"
    "auth-dropped|client.sio.connect|client.sio.connect-auth@*"
    "connect-error-ignored|client.sio.connect,client.sio.namespace-refused,client.handshake|client.sio.connect-error@*|client.sio.connect-error-no-data@*|client.sio.namespace-refused@*|client.handshake.refused@*"
    "leave-ignored|client.sio.disconnect|client.sio.disconnect-request@*"
    "ack-id-reused|client.sio.ack,client.sio.binary-emit|client.sio.ack-ids@*"
    "no-upgrade|client.upgrade,client.robust.vanish-during-upgrade|client.upgrade.probe@*"
    "join-new-session|client.sio.namespace|client.sio.namespace-*"
    "binary-as-array|client.sio.binary,client.sio.large-binary,client.polling.batched-binary|client.sio.binary-*|client.sio.large-binary@*|client.polling.batched-binary@*"
    "mangle-utf8|client.sio.utf8,client.sio.echo|client.sio.utf8@*|client.sio.utf8-ack@*|client.sio.echo-event@*"
    "disconnect-unreported|client.robust.vanish,client.robust.close-mid-binary,client.sio.server-,client.sio.namespace-disconnect,client.sio.disconnect|client.robust.vanish@*|client.robust.vanish-during-upgrade@*|client.robust.close-mid-binary@*|client.sio.server-disconnect@*|client.sio.server-close@*|client.sio.namespace-disconnect@*|client.sio.namespace-disconnect-all@*"
    "no-reconnect|client.reconnect,client.polling.session-unknown|client.reconnect.*|client.polling.session-unknown@*"
    "crash-on-unknown|client.sio.no-handler,client.sio.ack,client.sio.echo,client.robust.malformed|client.sio.no-handler@*|client.sio.ack-unknown@*|client.sio.ack-duplicate@*|client.robust.malformed-event-name-number@*"
    "upgrade-anyway|client.upgrade|client.upgrade.not-offered@*"
    "crash-on-big|client.robust.oversize,client.sio.large|client.robust.oversize@*"
    "crash-on-parse-error|client.robust|client.robust.malformed-empty-sio@*|client.robust.malformed-bad-sio-type@*|client.robust.malformed-bad-json@*|client.robust.malformed-event-not-array@*|client.robust.malformed-zero-attachments@*|client.robust.malformed-huge-attachment-count@*|client.robust.malformed-placeholder-out-of-range@*|client.robust.malformed-text-mid-binary@*|client.robust.malformed-stray-binary@*|client.robust.malformed-bad-base64@*"
    "no-backoff|client.reconnect,client.polling.session-unknown|client.reconnect.backoff@*")
foreach(_f IN LISTS _cl_faults)
  string(REPLACE "|" ";" _parts "${_f}")
  list(GET _parts 0 _fault)
  list(GET _parts 1 _sel)
  list(SUBLIST _parts 2 -1 _want)
  add_test(NAME clients.faulty.${_fault}
           COMMAND ${_cl_t}/client-test.sh fault ${_fault} $<TARGET_FILE:sioconform> ${_sel}
                   ${_want})
  set_tests_properties(clients.faulty.${_fault} PROPERTIES LABELS clients SKIP_RETURN_CODE 77
                                                          TIMEOUT 240)
endforeach()
