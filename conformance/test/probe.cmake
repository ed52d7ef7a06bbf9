# official-probe.js: the 57 titles of the official Engine.IO v4 / Socket.IO v5 suites, with
# the suites' own kind of clients (keep-alive agent, no swallowed ws errors), at the suites'
# timings (300/200 ms), against sioref and against the official Node subject. Each run
# must pass every title (the probe exits 1 on any failure).
find_program(SIO_PROBE_NODE node)
set(_probe_dir ${CMAKE_CURRENT_SOURCE_DIR})
if(NOT SIO_PROBE_NODE OR NOT EXISTS ${SIO_SOURCE_DIR}/ci/node/node_modules/ws)
  message(STATUS "node or ci/node/node_modules missing: official-probe tests are not registered")
  return()
endif()
set(_probe_timing --ping-interval 300 --ping-timeout 200)
add_test(NAME probe.sioref
         COMMAND sh ${_probe_dir}/test/run-subject.sh ${SIO_PROBE_NODE} $<TARGET_FILE:sioref>
                 ${_probe_timing} -- ${_probe_dir}/subjects/official-probe.js)
# Both must show every official title passing: 57 passed, 0 failed (a probe that ran fewer
# titles, or any failure, is a failed test whatever its exit status).
set(_probe_expect "(^|\n)57 passed, 0 failed")
set_tests_properties(probe.sioref PROPERTIES LABELS "interop;probe" TIMEOUT 240
                                              PASS_REGULAR_EXPRESSION "${_probe_expect}")
if(EXISTS ${SIO_SOURCE_DIR}/ci/node/node_modules/socket.io)
  add_test(NAME probe.node
           COMMAND sh ${_probe_dir}/test/run-subject.sh ${SIO_PROBE_NODE} ${SIO_PROBE_NODE}
                   ${_probe_dir}/subjects/node/server.js ${_probe_timing}
                   -- ${_probe_dir}/subjects/official-probe.js)
  set_tests_properties(probe.node PROPERTIES LABELS "subjects;probe" TIMEOUT 240
                                              PASS_REGULAR_EXPRESSION "${_probe_expect}")
endif()
