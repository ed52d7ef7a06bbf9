# The Redis adapter (issue 15, spec/redis-adapter.md): sioref joins a cluster of
# official Socket.IO nodes through @socket.io/redis-adapter's protocol.
#   sioref_redis  the adapter, sans-I/O (ra_value, ra_adapter; needs msgpack-c, sioref_sio)
#   sioref        gets --redis URL (redis_link.c on hiredis' async API and its libev
#                 adapter) when Debian's libhiredis-dev is installed
pkg_check_modules(HIREDIS IMPORTED_TARGET hiredis)
if(NOT TARGET sioref_sio OR NOT MSGPACK_FOUND)
  message(STATUS "msgpack-c or the Socket.IO layer missing: the Redis adapter is not built")
  return()
endif()
add_library(sioref_redis STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/ra_value.c
  ${CMAKE_CURRENT_LIST_DIR}/src/ra_adapter.c)
target_link_libraries(sioref_redis PUBLIC sioref_sio PkgConfig::MSGPACK m)

sio_add_test(test_ra_value SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_ra_value.c
             LIBS sioref_redis PkgConfig::CJSON)
sio_add_test(test_ra_adapter
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_ra_adapter.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_fake.c
  LIBS sioref_redis PkgConfig::CJSON)

if(TARGET sioref AND HIREDIS_FOUND)
  target_sources(sioref PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/redis_link.c)
  target_link_libraries(sioref PRIVATE sioref_redis PkgConfig::HIREDIS)
  target_compile_definitions(sioref PRIVATE SIOREF_HAVE_REDIS=1)
elseif(TARGET sioref)
  message(STATUS "hiredis (libhiredis-dev) not found: sioref is built without --redis")
endif()
