# Interop tests: the official Node clients (ci/node/node_modules) against sioref. Each
# test is a Node script that starts sioref on port 0, runs its cases and stops sioref
# by PID with SIGTERM (exit status 0 required). The *_valgrind variants run sioref
# under valgrind (0 errors, 0 definite leaks); a -DSIO_SANITIZE=ON build runs the
# plain variants against the ASan/UBSan binary.
find_program(SIO_NODE node)
find_program(SIO_VALGRIND valgrind)
set(_interop_modules ${SIO_SOURCE_DIR}/ci/node/node_modules)
if(NOT SIO_NODE OR NOT EXISTS ${_interop_modules}/engine.io-client)
  message(STATUS "node or ci/node/node_modules missing: interop tests are not registered")
  return()
endif()

function(sio_add_interop name script)
  cmake_parse_arguments(I "" "TIMEOUT" "" ${ARGN})
  if(NOT I_TIMEOUT)
    set(I_TIMEOUT 120)
  endif()
  add_test(NAME ${name}
           COMMAND ${SIO_NODE} ${CMAKE_CURRENT_LIST_DIR}/${script} $<TARGET_FILE:sioref>
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "NODE_PATH=${_interop_modules}"
                       TIMEOUT ${I_TIMEOUT} LABELS interop)
  if(SIO_VALGRIND AND NOT SIO_SANITIZE)
    add_test(NAME ${name}_valgrind
             COMMAND ${SIO_NODE} ${CMAKE_CURRENT_LIST_DIR}/${script} $<TARGET_FILE:sioref>
             WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
    set_tests_properties(${name}_valgrind PROPERTIES
      ENVIRONMENT "NODE_PATH=${_interop_modules};SIOREF_WRAPPER=${SIO_VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
      TIMEOUT 300 LABELS "interop;valgrind")
  endif()
endfunction()

sio_add_interop(interop_eio eio_interop.js)
# HTTP/1.1 on the polling transport: Connection: close, keep-alive, half-closed clients.
sio_add_interop(interop_http http_interop.js)
add_test(NAME interop_cli COMMAND ${SIO_NODE} ${CMAKE_CURRENT_LIST_DIR}/cli_interop.js $<TARGET_FILE:sioref>
         WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
set_tests_properties(interop_cli PROPERTIES ENVIRONMENT "NODE_PATH=${_interop_modules}"
                     TIMEOUT 60 LABELS interop)
if(TARGET sioref_contract AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/sio_interop.js)
  sio_add_interop(interop_sio sio_interop.js)
endif()
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/load_interop.js)
  add_test(NAME interop_load_1000ws
           COMMAND ${SIO_NODE} ${CMAKE_CURRENT_LIST_DIR}/load_interop.js $<TARGET_FILE:sioref>
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(interop_load_1000ws PROPERTIES ENVIRONMENT "NODE_PATH=${_interop_modules}"
                       TIMEOUT 120 LABELS "interop;load")
endif()
# HTTP/1.1 pipelining (RFC 9112 section 9.3.2): answers in order or a clean close, no busy loop.
sio_add_interop(interop_pipeline pipeline_interop.js)
# sioref --allow-eio3 and --parser msgpack against the official v2 and msgpack clients
# (about 10 s; no valgrind variant, to keep CI time).
if(EXISTS ${_interop_modules}/socket.io-v2/node_modules/socket.io-client
   AND EXISTS ${_interop_modules}/socket.io-msgpack-parser)
  add_test(NAME interop_protocols
           COMMAND ${SIO_NODE} ${CMAKE_CURRENT_LIST_DIR}/protocols_interop.js $<TARGET_FILE:sioref>
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(interop_protocols PROPERTIES ENVIRONMENT "NODE_PATH=${_interop_modules}"
                       TIMEOUT 60 LABELS "interop;clients")
endif()
