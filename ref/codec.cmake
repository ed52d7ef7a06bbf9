# Codec layer: stateless, allocation-free encoders and decoders (err table, Engine.IO
# packet/payload codec, Socket.IO packet codec, strict JSON scanner, binary packets).
add_library(sioref_codec STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/err.c
  ${CMAKE_CURRENT_LIST_DIR}/src/utf8.c
  ${CMAKE_CURRENT_LIST_DIR}/src/json_scan.c
  ${CMAKE_CURRENT_LIST_DIR}/src/eio_codec.c
  ${CMAKE_CURRENT_LIST_DIR}/src/eio3_codec.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sio_codec.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sio_binary.c)
target_include_directories(sioref_codec PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)

# Unit tests (hand-written edge cases) and vector suites (every file in vectors/).
sio_add_test(test_codec_eio SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_codec_eio.c
             LIBS sioref_codec)
sio_add_test(test_codec_json SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_codec_json.c
             LIBS sioref_codec)
sio_add_test(test_codec_sio SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_codec_sio.c
             LIBS sioref_codec)
sio_add_test(test_vectors_eio SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_vectors_eio.c
             ${CMAKE_CURRENT_LIST_DIR}/test/vec_runner.c
             LIBS sioref_codec vec)
sio_add_test(test_vectors_sio SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_vectors_sio.c
             ${CMAKE_CURRENT_LIST_DIR}/test/vec_runner.c
             LIBS sioref_codec vec)
# The v5 suite's source built for protocol v4 (vectors/sio4, spec/socket.io-v4.md).
sio_add_test(test_vectors_sio4 SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_vectors_sio.c
             ${CMAKE_CURRENT_LIST_DIR}/test/vec_runner.c
             LIBS sioref_codec vec)
if(TARGET test_vectors_sio4)
  target_compile_definitions(test_vectors_sio4 PRIVATE SIO_VECTOR_PROTOCOL=4)
endif()
sio_add_test(test_vectors_eio3 SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_vectors_eio3.c
             ${CMAKE_CURRENT_LIST_DIR}/test/vec_runner.c
             LIBS sioref_codec vec)
# Socket.IO msgpack packets on msgpack-c (spec/msgpack.md); built when libmsgpack-dev
# (pkg-config "msgpack") is installed, as ci/install-deps does.
pkg_check_modules(MSGPACK IMPORTED_TARGET msgpack)
if(MSGPACK_FOUND)
  add_library(sioref_msgpack STATIC ${CMAKE_CURRENT_LIST_DIR}/src/sio_msgpack.c
              ${CMAKE_CURRENT_LIST_DIR}/src/sio_mp_bridge.c)
  target_include_directories(sioref_msgpack PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_link_libraries(sioref_msgpack PUBLIC sioref_codec PkgConfig::MSGPACK m)
  sio_add_test(test_vectors_msgpack SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_vectors_msgpack.c
               ${CMAKE_CURRENT_LIST_DIR}/test/vec_runner.c
               LIBS sioref_msgpack vec)
  sio_add_test(test_sio_mp_bridge SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_sio_mp_bridge.c
               ${CMAKE_CURRENT_LIST_DIR}/test/vec_runner.c
               LIBS sioref_msgpack vec m)
else()
  message(STATUS "msgpack-c (libmsgpack-dev) not found: sioref_msgpack not built")
endif()
sio_add_test(test_errors SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_errors.c LIBS sioref_codec vec)
# Fast-path checks against slow references written in the tests (issue 7).
sio_add_test(test_base64 SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_base64.c LIBS sioref_codec)
sio_add_test(test_codec_fastpaths SOURCES ${CMAKE_CURRENT_LIST_DIR}/test/test_codec_fastpaths.c
             LIBS sioref_codec)
