# Subject tests (label "subjects"): sioconform against the official Node subject and the
# Python subject, every non-PASS checked against known-deviations.json; the faulty
# subject with each fault (selected cases must FAIL, and pass with --fault none); the
# HTML report rendered in headless Chromium. Scripts skip (77) when a dependency is absent.
set(_sc_t ${CMAKE_CURRENT_SOURCE_DIR}/test)
set(_sc_bin $<TARGET_FILE:sioconform>)

add_test(NAME subjects.node COMMAND ${_sc_t}/subject-test.sh node ${_sc_bin})
# Python fails ~450 of the 662 runs, most after a wait for a close that never comes; a
# full run takes ~8 min. So: the two transports run as two tests (ctest -j2 runs them
# side by side), the 302 sio.invalid.* runs (~75% of the time, all one deviation, P-13)
# are cut to the sio.invalid.ack- sample and the security pack is left out. No
# --timeout-scale below 1: it also shrinks the waits derived from the server's own
# timings (a ping is awaited for pingInterval + pingTimeout = 500 ms; halved, 250 ms is
# shorter than the 300 ms interval), so heartbeat cases failed on every run. Format 1 of
# known-deviations.json hid that under an id pattern (P-12, eio.heartbeat.*); matched by
# cause it showed as "no packet within 250 ms".
foreach(_tr polling websocket)
  add_test(NAME subjects.python.${_tr}
           COMMAND ${_sc_t}/subject-test.sh python ${_sc_bin} --skip "sio\\.invalid|sec\\."
                   --sample sio.invalid.ack- --transport ${_tr})
endforeach()
set_tests_properties(subjects.node subjects.python.polling subjects.python.websocket
                     PROPERTIES LABELS subjects SKIP_RETURN_CODE 77 TIMEOUT 420)

# fault; -c selection; run-id patterns that must FAIL with the fault
set(_sc_faults
    "wrong-ping-interval|eio.heartbeat sio.engine.heartbeat|eio.heartbeat.ping-pong@*|sio.engine.heartbeat.ping-pong@*"
    "no-noop-during-upgrade|eio.upgrade.success sio.engine.upgrade.success|eio.upgrade.success@polling|sio.engine.upgrade.success@polling"
    "ack-id-dropped|sio.message.ack sio.message.binary-ack|sio.message.ack@*|sio.message.binary-ack@*"
    "room-leak|sio.rooms sio.broadcast|sio.rooms.to-room@*"
    "no-connect-error|sio.connect.unknown|sio.connect.unknown-namespace@polling|sio.connect.unknown-namespace@websocket"
    "oversized-body-accepted|eio.limits sio.limits|eio.limits.max-payload-exceeded@*"
    "truncate-large-body|eio.large sio.large|eio.large.text-64k@*|eio.large.binary-500k@*|sio.large.attachments-max@*"
    "ignore-connection-close|eio.http11.connection-close eio.http11.close-flood|eio.http11.connection-close-closes@polling|eio.http11.close-flood@polling|eio.http11.close-flood-held@polling"
    "close-unannounced|eio.http11.keep-alive sio.http11.keep-alive|eio.http11.keep-alive-announced@polling|sio.http11.keep-alive-announced@polling")
foreach(_f IN LISTS _sc_faults)
  string(REPLACE "|" ";" _parts "${_f}")
  list(GET _parts 0 _fault)
  list(GET _parts 1 _sel)
  list(SUBLIST _parts 2 -1 _want)
  add_test(NAME subjects.faulty.${_fault}
           COMMAND ${_sc_t}/faulty.sh ${_sc_bin} ${_fault} "${_sel}" ${_want})
  set_tests_properties(subjects.faulty.${_fault}
                       PROPERTIES LABELS subjects SKIP_RETURN_CODE 77 TIMEOUT 120)
endforeach()

add_test(NAME subjects.html-report COMMAND ${_sc_t}/html-report.sh ${_sc_bin})
set_tests_properties(subjects.html-report PROPERTIES LABELS subjects SKIP_RETURN_CODE 77
                                                     TIMEOUT 120)

# The checker itself: unexplained, stale, flaky and security-pack runs on synthetic data.
add_test(NAME subjects.check-deviations-selftest
         COMMAND /usr/bin/python3 ${_sc_t}/check-deviations-selftest.py)
set_tests_properties(subjects.check-deviations-selftest PROPERTIES LABELS subjects TIMEOUT 30)
