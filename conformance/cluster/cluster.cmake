# conformance/cluster/: `sioconform cluster` (issue 15): cases for a cluster of nodes
# sharing broadcasts (e.g. the Redis adapter), directly and through a load balancer.
set(_cl ${CMAKE_CURRENT_LIST_DIR})
add_library(sioconform_cluster STATIC
  ${_cl}/cl_opts.c ${_cl}/cl_ctx.c ${_cl}/cl_peer.c ${_cl}/cl_check.c ${_cl}/cl_kill.c
  ${_cl}/cl_cases.c ${_cl}/cl_cases_adapter.c ${_cl}/cl_cases_lb.c ${_cl}/cl_main.c)
target_include_directories(sioconform_cluster PUBLIC ${_cl})
target_link_libraries(sioconform_cluster PUBLIC sioconform_core)

# Options, the case table (every tag defined in spec/), the stop helpers; no network.
# (cl_opts.c parses with the server runs' cli.c, which the sioconform executable builds in)
sio_add_test(cluster_unit_test SOURCES ${_cl}/test/test_cluster.c ${_cl}/../src/cli.c
             LIBS sioconform_cluster)

# Real clusters (ci/cluster: redis-server, nodes, nginx on free loopback ports, stopped by
# PID): the all-Node cluster passes every case, each balancer fault trips exactly its
# case, a partitioned cluster fails every case between the nodes, a peer that relays
# broadcasts again fails the exactly-once cases, and the mixed cluster waits for sioref --redis (fails with a message until then).
foreach(_mode node no-sticky read-timeout partitioned duplicate mixed)
  add_test(NAME cluster.${_mode}
           COMMAND ${_cl}/test/cluster-test.sh ${_mode} $<TARGET_FILE:sioconform>
                   ${CMAKE_BINARY_DIR}/ref/sioref ${CMAKE_BINARY_DIR})
  set_tests_properties(cluster.${_mode} PROPERTIES LABELS cluster SKIP_RETURN_CODE 77 TIMEOUT 60)
endforeach()
