# conformance/wire/: the sans-I/O wire library (WebSocket frames, HTTP/1.1 heads and
# body framing, polling bodies, the Engine.IO open packet) linked by the harness and by
# sioload. It depends on nothing but libc and zlib (wire_deflate: compression), and never on ref/: the harness checks the
# reference server, so the two must not share a decoder (a shared bug would hide).
# Included from conformance/CMakeLists.txt and from sioload's standalone project.
if(NOT TARGET wire)
  add_library(wire STATIC
    ${CMAKE_CURRENT_LIST_DIR}/src/wire_err.c
    ${CMAKE_CURRENT_LIST_DIR}/src/wire_ws.c
    ${CMAKE_CURRENT_LIST_DIR}/src/wire_http.c
    ${CMAKE_CURRENT_LIST_DIR}/src/wire_polling.c
    ${CMAKE_CURRENT_LIST_DIR}/src/wire_open.c
    ${CMAKE_CURRENT_LIST_DIR}/src/wire_payload3.c
    ${CMAKE_CURRENT_LIST_DIR}/src/wire_deflate.c)
  target_include_directories(wire PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  find_package(ZLIB REQUIRED) # Debian zlib1g-dev
  target_link_libraries(wire PUBLIC ZLIB::ZLIB)
  # sioload's hot path (a frame decode per message) is optimised as sioload itself is
  if(NOT SIO_COVERAGE)
    target_compile_options(wire PRIVATE -O2)
  endif()
  if(COMMAND sio_add_test)
    sio_add_test(wire_test
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_wire_ws.c
              ${CMAKE_CURRENT_LIST_DIR}/test/test_wire_http.c
              ${CMAKE_CURRENT_LIST_DIR}/test/test_wire_polling.c
              ${CMAKE_CURRENT_LIST_DIR}/test/test_wire_open.c
              ${CMAKE_CURRENT_LIST_DIR}/test/test_wire_payload3.c
              ${CMAKE_CURRENT_LIST_DIR}/test/test_wire_deflate.c
      LIBS wire)
  endif()
endif()
