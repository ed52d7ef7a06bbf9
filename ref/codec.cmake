# Codec layer: stateless, allocation-free encoders and decoders.
add_library(sioref_codec STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/err.c)
target_include_directories(sioref_codec PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
