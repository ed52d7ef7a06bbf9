# The server core (sans-I/O): the glue that runs a Socket.IO application on the
# sessions of an Engine.IO router. Linking sioref_core gives the whole stack below
# sockets: codecs, Engine.IO session/router/driver, Socket.IO layer, glue.
#   sioref_core  eio_sio_glue (needs sioref_engine, sioref_sio)
if(NOT TARGET sioref_engine OR NOT TARGET sioref_sio)
  return()
endif()
add_library(sioref_core STATIC ${CMAKE_CURRENT_LIST_DIR}/src/eio_sio_glue.c)
target_link_libraries(sioref_core PUBLIC sioref_engine sioref_sio)

sio_add_test(test_eio_sio_glue
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio_sio_glue.c
  LIBS sioref_core)
