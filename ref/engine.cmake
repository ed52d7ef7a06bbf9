# Engine.IO layer (sans-I/O): the session state machine, the router and the driver
# (timers, wakes and output for any event loop).
#   sioref_engine  Engine.IO session + router + driver (needs sioref_codec)
add_library(sioref_engine STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/eio_session.c
  ${CMAKE_CURRENT_LIST_DIR}/src/eio_server.c
  ${CMAKE_CURRENT_LIST_DIR}/src/eio_driver.c)
target_link_libraries(sioref_engine PUBLIC sioref_codec)

sio_add_test(test_eio_session
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio_session.c
  LIBS sioref_engine)
sio_add_test(test_eio_server
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio_server.c
  LIBS sioref_engine)
sio_add_test(test_eio_driver
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio_driver.c
  LIBS sioref_engine)
# Engine.IO v3 sessions (spec/engine.io-v3.md), scripted on a virtual clock.
sio_add_test(test_eio3_session
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio3_session.c
  LIBS sioref_engine)
sio_add_test(test_eio3_server
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio3_server.c
  LIBS sioref_engine)
