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
  ${CMAKE_CURRENT_LIST_DIR}/src/ra_adapter.c
  ${CMAKE_CURRENT_LIST_DIR}/src/ra_receive.c)
target_link_libraries(sioref_redis PUBLIC sioref_sio PkgConfig::MSGPACK m)

sio_add_test(test_ra_value SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_ra_value.c
             LIBS sioref_redis PkgConfig::CJSON vec)
sio_add_test(test_ra_adapter
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_ra_adapter.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_fake.c
  LIBS sioref_redis PkgConfig::CJSON vec)

if(TARGET sioref AND HIREDIS_FOUND)
  target_sources(sioref PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/redis_link.c)
  target_link_libraries(sioref PRIVATE sioref_redis PkgConfig::HIREDIS)
  target_compile_definitions(sioref PRIVATE SIOREF_HAVE_REDIS=1)
elseif(TARGET sioref)
  message(STATUS "hiredis (libhiredis-dev) not found: sioref is built without --redis")
endif()

# sioref --redis against two official nodes on a private redis-server, both directions,
# and a Redis restart during traffic (ci/cluster.d/interop.js; ~6 s). Label cluster: it
# runs third-party servers, so the ASan ctest leaves it out.
find_program(SIO_NODE_BIN node)
find_program(SIO_REDIS_SERVER_BIN redis-server)
if(TARGET sioref AND HIREDIS_FOUND AND SIO_NODE_BIN AND SIO_REDIS_SERVER_BIN)
  add_test(NAME redis_interop
           COMMAND ${SIO_NODE_BIN} ${SIO_SOURCE_DIR}/ci/cluster.d/interop.js
                   --sioref $<TARGET_FILE:sioref>
           WORKING_DIRECTORY ${SIO_SOURCE_DIR})
  set_tests_properties(redis_interop PROPERTIES LABELS cluster TIMEOUT 60)
endif()
