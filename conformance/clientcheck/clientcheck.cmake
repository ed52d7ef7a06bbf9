# conformance/clientcheck/: `sioconform client` (issue 13). The scripted server core
# (cs_core, sans-I/O, on the wire library), its socket loop (cs_drive), the case
# vocabulary (cc_script), the client cases (cc_cases) and the subcommand (cc_main).
set(_cc ${CMAKE_CURRENT_LIST_DIR})
add_library(clientcheck STATIC
  ${_cc}/src/cs_core.c ${_cc}/src/cs_drive.c ${_cc}/src/cc_script.c ${_cc}/src/cc_cases.c
  ${_cc}/src/cc_cases_eio.c ${_cc}/src/cc_cases_sio.c ${_cc}/src/cc_cases_robust.c
  ${_cc}/src/cc_main.c)
target_include_directories(clientcheck PUBLIC ${_cc}/include)
target_link_libraries(clientcheck PUBLIC sioconform_core wire)

# The core without sockets or clock (bytes in, bytes and events out), and the Socket.IO
# reader the cases grade with.
sio_add_test(clientcheck_core_test SOURCES ${_cc}/test/test_cs_core.c ${_cc}/test/test_cc_sio.c
  LIBS clientcheck)
