# conformance/cluster/: `sioconform cluster` (issue 15): cases for a cluster of nodes
# sharing broadcasts (e.g. the Redis adapter), directly and through a load balancer.
set(_cl ${CMAKE_CURRENT_LIST_DIR})
add_library(sioconform_cluster STATIC
  ${_cl}/cl_opts.c ${_cl}/cl_ctx.c ${_cl}/cl_peer.c ${_cl}/cl_check.c ${_cl}/cl_kill.c
  ${_cl}/cl_cases.c ${_cl}/cl_cases_adapter.c ${_cl}/cl_cases_lb.c ${_cl}/cl_main.c)
target_include_directories(sioconform_cluster PUBLIC ${_cl})
target_link_libraries(sioconform_cluster PUBLIC sioconform_core)

# Options, the case table (every tag defined in spec/), the stop helpers; no network.
sio_add_test(cluster_unit_test SOURCES ${_cl}/test/test_cluster.c LIBS sioconform_cluster)
