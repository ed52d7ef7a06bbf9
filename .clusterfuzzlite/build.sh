#!/bin/bash -eu
# ClusterFuzzLite entry point: the same build as OSS-Fuzz's, from the checkout.
exec bash -eu "$SRC/sioconform/fuzz/oss-fuzz/build.sh" "$@"
