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
# fault; run-id patterns that must FAIL (everything else PASS, or BLOCKED by those)
set(_cl_faults
    "no-pong|client.heartbeat.pong@*"
    "auth-dropped|client.sio.connect-auth@*"
    "connect-error-ignored|client.sio.connect-error@*"
    "leave-ignored|client.sio.disconnect-request@*"
    "ack-id-reused|client.sio.ack-ids@*"
    "no-upgrade|client.upgrade.probe@*")
foreach(_f IN LISTS _cl_faults)
  string(REPLACE "|" ";" _parts "${_f}")
  list(GET _parts 0 _fault)
  list(SUBLIST _parts 1 -1 _want)
  add_test(NAME clients.faulty.${_fault}
           COMMAND ${_cl_t}/client-test.sh fault ${_fault} $<TARGET_FILE:sioconform> ${_want})
  set_tests_properties(clients.faulty.${_fault} PROPERTIES LABELS clients SKIP_RETURN_CODE 77
                                                          TIMEOUT 240)
endforeach()
