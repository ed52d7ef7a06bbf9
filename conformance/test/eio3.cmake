# Issue 14: Engine.IO v3 / Socket.IO v4 subjects (label "subjects"), each run with --eio
# and compared with its expected counts in conformance/subjects/expected/ (conformance
# and security apart), every non-PASS explained by known-deviations.json. Short subject
# timings (the contract's pingInterval 300 / pingTimeout 200) and --jobs 4 keep each
# under a minute. Included from subjects.cmake.
set(_e3_t ${CMAKE_CURRENT_SOURCE_DIR}/test)
set(_e3_x ${CMAKE_CURRENT_SOURCE_DIR}/subjects/expected)
set(_e3_bin $<TARGET_FILE:sioconform>)
# socket.io 2.5.1: true EIO3 / protocol v4, every case that applies to v3
add_test(NAME subjects.eio3.node-v2
         COMMAND ${_e3_t}/subject-test.sh node-v2 ${_e3_bin} --expect ${_e3_x}/node-v2-eio3.json
                 --eio 3 --jobs 4)
# socket.io 4.8.4 with allowEIO3: every v3 case, then both versions side by side on a
# selection (one report, run ids @transport and @transport/eio3)
add_test(NAME subjects.eio3.node-allow-eio3
         COMMAND ${_e3_t}/subject-test.sh node-eio3 ${_e3_bin} --expect
                 ${_e3_x}/node-eio3-eio3.json --eio 3 --jobs 4)
add_test(NAME subjects.eio3.node-allow-eio3-both
         COMMAND ${_e3_t}/subject-test.sh node-eio3 ${_e3_bin} --expect
                 ${_e3_x}/node-eio3-both.json --eio all --jobs 4 -c eio.message -c eio.upgrade
                 -c sio.message -c sio.rooms -c sio.broadcast -c sio.server-ack)
set_tests_properties(subjects.eio3.node-v2 subjects.eio3.node-allow-eio3
                     subjects.eio3.node-allow-eio3-both
                     PROPERTIES LABELS subjects SKIP_RETURN_CODE 77 TIMEOUT 120)
# socket.io 4.8.4 with socket.io-msgpack-parser: every case that applies to the msgpack
# parser (msgpack.json, the carried-over Socket.IO cases, msgpack.invalid.*)
add_test(NAME subjects.msgpack.node-msgpack
         COMMAND ${_e3_t}/subject-test.sh node-msgpack ${_e3_bin} --expect
                 ${_e3_x}/node-msgpack.json --parser msgpack --jobs 4)
set_tests_properties(subjects.msgpack.node-msgpack
                     PROPERTIES LABELS subjects SKIP_RETURN_CODE 77 TIMEOUT 120)
# sioref in each mode: plain, --allow-eio3 under --eio all (v4 and v3 runs), --parser
# msgpack: 0 FAIL; skipped (77) when the sioref binary lacks the flag. No third-party code, so no "subjects" label.
foreach(_m default all msgpack)
  add_test(NAME conformance_sioref_${_m}
           COMMAND ${_e3_t}/sioref-modes.sh ${_e3_bin} $<TARGET_FILE:sioref> ${_m})
  set_tests_properties(conformance_sioref_${_m} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
endforeach()
