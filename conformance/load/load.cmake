# conformance/load/: sioload, the load generator (a sibling binary of sioconform), and
# sioload-codec, the codec micro-benchmark run by ci/bench (built only when the ref/
# codec library is available). Included from conformance/CMakeLists.txt, or from the
# standalone project in this folder.
add_executable(sioload
  ${CMAKE_CURRENT_LIST_DIR}/main.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_client.c
  ${CMAKE_CURRENT_LIST_DIR}/lt_stats.c)
target_compile_options(sioload PRIVATE -O2)
