# Engine.IO layer (sans-I/O session and router), the libwebsockets adapter and the
# sioref CLI. Only lws_adapter.c includes libwebsockets.h.
#   sioref_engine  Engine.IO session + router (needs sioref_codec)
#   sioref         the server binary (needs libwebsockets, sioref_contract)
add_library(sioref_engine STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/eio_session.c
  ${CMAKE_CURRENT_LIST_DIR}/src/eio_server.c)
target_link_libraries(sioref_engine PUBLIC sioref_codec)

sio_add_test(test_eio_session
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio_session.c
  LIBS sioref_engine)
sio_add_test(test_eio_server
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_eio_server.c
  LIBS sioref_engine)

if(SIO_BUILD_SERVER AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/src/lws_adapter.c)
  add_executable(sioref
    ${CMAKE_CURRENT_LIST_DIR}/src/sioref_main.c
    ${CMAKE_CURRENT_LIST_DIR}/src/lws_adapter.c)
  target_link_libraries(sioref PRIVATE sioref_engine PkgConfig::LWS ${LIBEV_LIBRARY})
  target_include_directories(sioref PRIVATE ${LIBEV_INCLUDE_DIR})
  if(TARGET sioref_contract)
    target_sources(sioref PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/eio_sio_glue.c)
    target_link_libraries(sioref PRIVATE sioref_contract)
    target_compile_definitions(sioref PRIVATE SIOREF_HAVE_SIO=1)
  endif()
  include(${CMAKE_CURRENT_LIST_DIR}/test/interop/interop.cmake OPTIONAL)
endif()
