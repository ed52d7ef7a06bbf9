# The server: the libwebsockets adapter (the only file that includes libwebsockets.h)
# and the sioref CLI, on top of the server core and the contract app.
#   sioref  the server binary (needs libwebsockets, libev, sioref_core, sioref_contract)
if(SIO_BUILD_SERVER AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/src/lws_adapter.c)
  add_executable(sioref
    ${CMAKE_CURRENT_LIST_DIR}/src/sioref_main.c
    ${CMAKE_CURRENT_LIST_DIR}/src/lws_adapter.c
    ${CMAKE_CURRENT_LIST_DIR}/src/lws_http.c)
  target_link_libraries(sioref PRIVATE sioref_engine PkgConfig::LWS ${LIBEV_LIBRARY})
  target_include_directories(sioref PRIVATE ${LIBEV_INCLUDE_DIR})
  if(TARGET sioref_core AND TARGET sioref_contract)
    target_link_libraries(sioref PRIVATE sioref_core sioref_contract)
    target_compile_definitions(sioref PRIVATE SIOREF_HAVE_SIO=1)
  endif()
  if(TARGET sioref_core AND TARGET sioref_msgpack) # --parser msgpack
    target_link_libraries(sioref PRIVATE sioref_msgpack)
    target_compile_definitions(sioref PRIVATE SIOREF_HAVE_MSGPACK=1)
  endif()
  include(${CMAKE_CURRENT_LIST_DIR}/test/interop/interop.cmake OPTIONAL)
endif()

# HTTP content coding of polling bodies (http_coding.c: sans-I/O over zlib), linked by
# sioref and tested on its own (spec/engine.io-v4.md section 13.2).
if(SIO_BUILD_SERVER AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/src/http_coding.c)
  find_package(ZLIB REQUIRED) # Debian zlib1g-dev
  add_library(sioref_http_coding STATIC ${CMAKE_CURRENT_LIST_DIR}/src/http_coding.c)
  target_include_directories(sioref_http_coding PUBLIC ${CMAKE_CURRENT_LIST_DIR}/src)
  target_link_libraries(sioref_http_coding PUBLIC ZLIB::ZLIB)
  target_link_libraries(sioref PRIVATE sioref_http_coding)
  sio_add_test(test_http_coding SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_http_coding.c
               LIBS sioref_http_coding)
endif()
