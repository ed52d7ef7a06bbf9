# Socket.IO server layer (sans-I/O) and the contract app on top of it.
#   sioref_sio      namespaces, auth, events, acks, rooms, disconnects (needs sioref_codec)
#   sioref_contract the test-app contract's Socket.IO application (needs cJSON)
add_library(sioref_sio STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/sio_server.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sio_emit.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sio_room.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sio_cluster.c)
target_link_libraries(sioref_sio PUBLIC sioref_codec)

add_library(sioref_contract STATIC ${CMAKE_CURRENT_LIST_DIR}/src/contract_app.c)
target_link_libraries(sioref_contract PUBLIC sioref_sio PkgConfig::CJSON)

sio_add_test(test_sio_server
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_server.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_emit.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_room.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio4_server.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_app.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_cluster.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_fake.c
  LIBS sioref_sio PkgConfig::CJSON)
sio_add_test(test_contract_app
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_contract_app.c
          ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_fake.c
  LIBS sioref_contract)
# Allocation-failure sweep: the layer's malloc/calloc/realloc are wrapped at link time.
sio_add_test(test_sio_oom
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_oom.c
  LIBS sioref_contract)
if(TARGET test_sio_oom)
  target_link_options(test_sio_oom PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc
                      -Wl,--wrap=realloc)
endif()
