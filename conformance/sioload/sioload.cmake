# conformance/sioload/: sioload, the load generator (a sibling binary of sioconform), and
# sioload-codec, the codec micro-benchmark run by ci/bench (built only when the ref/
# codec library is available). Included from conformance/CMakeLists.txt, or from the
# standalone project in this folder. The client decodes with conformance/wire/.
include(${CMAKE_CURRENT_LIST_DIR}/../wire/wire.cmake)
add_executable(sioload
  ${CMAKE_CURRENT_LIST_DIR}/main.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_args.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_run.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_phases.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_report.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_client.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_stats.c)
target_compile_options(sioload PRIVATE -O2)
target_link_libraries(sioload PRIVATE wire)

# The machine's loopback round-trip ceiling, measured beside the servers by ci/bench.
add_executable(sioload-tcp-baseline ${CMAKE_CURRENT_LIST_DIR}/tcp_baseline.c)
target_compile_options(sioload-tcp-baseline PRIVATE -O2)

# The codec benchmark links the reference codecs: the sioref_codec target inside the
# main project, or a prebuilt library given as -DSIOREF_CODEC_LIB=... with
# -DSIOREF_INCLUDE_DIR=... in the standalone build.
if(TARGET sioref_codec OR SIOREF_CODEC_LIB)
  if(NOT TARGET PkgConfig::CJSON)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
  endif()
  add_executable(sioload-codec ${CMAKE_CURRENT_LIST_DIR}/codec_bench.c)
  target_compile_options(sioload-codec PRIVATE -O2)
  if(TARGET sioref_codec)
    target_link_libraries(sioload-codec PRIVATE sioref_codec PkgConfig::CJSON)
  else()
    target_include_directories(sioload-codec PRIVATE ${SIOREF_INCLUDE_DIR})
    target_link_libraries(sioload-codec PRIVATE ${SIOREF_CODEC_LIB} PkgConfig::CJSON)
  endif()
endif()

# sioload-lws-probe: the same client work on the libwebsockets client, kept to re-run
# the measurement that chose sioload's own epoll client (README.md in this folder).
if(NOT TARGET PkgConfig::LWS)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(LWS QUIET IMPORTED_TARGET libwebsockets)
  endif()
endif()
if(TARGET PkgConfig::LWS)
  add_executable(sioload-lws-probe ${CMAKE_CURRENT_LIST_DIR}/lws_probe.c)
  target_compile_options(sioload-lws-probe PRIVATE -O2)
  target_link_libraries(sioload-lws-probe PRIVATE PkgConfig::LWS)
endif()

# Unit tests (Criterion), registered only inside the main project: the histogram, and
# the connection layer against a scripted loopback server.
if(COMMAND sio_add_test)
  sio_add_test(test_sioload_stats
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lt_stats.c ${CMAKE_CURRENT_LIST_DIR}/lt_stats.c
    LIBS "")
  sio_add_test(test_sioload_client
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lt_client.c ${CMAKE_CURRENT_LIST_DIR}/lt_client.c
    LIBS wire)
  # The ci/bench report's self-test: goal verdicts follow synthetic data (needs node).
  find_program(SIO_NODE node)
  if(SIO_NODE)
    add_test(NAME test_bench_summarize
             COMMAND ${SIO_NODE} ${SIO_SOURCE_DIR}/ci/bench.d/test-summarize.js)
  endif()
  foreach(t test_sioload_stats test_sioload_client)
    if(TARGET ${t})
      target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
    endif()
  endforeach()
endif()
