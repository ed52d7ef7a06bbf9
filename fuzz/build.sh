#!/bin/bash -eu
# Build every fuzz target the OSS-Fuzz way: compile the sans-I/O sources of ref/
# directly with $CC $CFLAGS, link each fuzz/<name>_fuzzer.c with $LIB_FUZZING_ENGINE
# into $OUT/<name>_fuzzer, and put beside it <name>_fuzzer_seed_corpus.zip (generated
# from vectors/ by gen_seeds.py), <name>_fuzzer.dict and <name>_fuzzer.options.
#
# Under OSS-Fuzz the environment provides CC, CXX, CFLAGS, CXXFLAGS,
# LIB_FUZZING_ENGINE, OUT and WORK. Run by hand it defaults to a local libFuzzer build
# with ASan+UBSan into build/fuzz-oss/ (see fuzz/README.md). cJSON: set CJSON_SRC to
# a directory holding cJSON.c/cJSON.h to compile it (instrumented) from source, as an
# OSS-Fuzz Dockerfile would after cloning it; otherwise the system libcjson is used.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CC:=clang}"
: "${CXX:=clang++}"
: "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:=$ROOT/build/fuzz-oss}"
: "${WORK:=$OUT/work}"
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

mkdir -p "$OUT" "$WORK/obj"
STD="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"

# cJSON: the oracles parse with it (and the contract app links it).
CJSON_CFLAGS="" CJSON_LIBS=""
if [ -n "${CJSON_SRC:-}" ]; then
  $CC $CFLAGS -std=c89 -c "$CJSON_SRC/cJSON.c" -o "$WORK/obj/cJSON.o"
  mkdir -p "$WORK/include/cjson" && cp "$CJSON_SRC/cJSON.h" "$WORK/include/cjson/"
  CJSON_CFLAGS="-I$WORK/include" CJSON_LIBS="$WORK/obj/cJSON.o"
elif pkg-config --exists libcjson 2>/dev/null; then
  CJSON_CFLAGS=$(pkg-config --cflags libcjson) CJSON_LIBS=$(pkg-config --libs libcjson)
else
  CJSON_LIBS=-lcjson
fi

# msgpack-c (libmsgpack-dev, installed by the Dockerfiles) for the msgpack parser:
# linked statically, as the runner image has no libmsgpackc.so.
MSGPACK_LIBS=-lmsgpackc
for d in $(pkg-config --variable=libdir msgpack 2>/dev/null) /usr/lib/x86_64-linux-gnu /usr/lib; do
  if [ -f "$d/libmsgpackc.a" ]; then MSGPACK_LIBS="$d/libmsgpackc.a"; break; fi
done

# The sans-I/O sources: every ref/src/*.c listed in an add_library(sioref_* ...) block
# of the layer cmake files (not the server executable's sources), except anything that
# includes libwebsockets.h or has a main.
SOURCES=()
for cm in codec engine sio core; do
  [ -f "$ROOT/ref/$cm.cmake" ] || continue
  for f in $(awk '/add_library\(sioref_/ {lib=1} lib {print} lib && /\)/ {lib=0}' \
    "$ROOT/ref/$cm.cmake" | grep -o 'src/[A-Za-z0-9_]*\.c'); do
    src="$ROOT/ref/$f"
    [ -f "$src" ] || continue
    grep -q 'libwebsockets.h' "$src" && continue
    grep -qE '^int main\(' "$src" && continue
    SOURCES+=("$src")
  done
done
rm -f "$WORK/libsioref_fuzz.a" "$WORK"/obj/ref_*.o
for src in "${SOURCES[@]}"; do
  obj="$WORK/obj/ref_$(basename "${src%.c}").o"
  $CC $CFLAGS $STD -I"$ROOT/ref/include" -I"$ROOT/ref/src" $CJSON_CFLAGS -c "$src" -o "$obj"
done
ar rcs "$WORK/libsioref_fuzz.a" "$WORK"/obj/ref_*.o

# Seeds from vectors/: OUT gets the zips, WORK the unpacked directories.
"$PYTHON" "$ROOT/fuzz/gen_seeds.py" --vectors "$ROOT/vectors" --out "$WORK/seeds" \
  --zip-dir "$OUT"

# The helpers the targets share (fuzz/fuzz_<name>.c, each with its header): one
# archive, linked before the sioref one, so a target links only the helpers it calls.
rm -f "$WORK/libfuzz_helpers.a" "$WORK"/obj/helper_*.o
for src in "$ROOT"/fuzz/fuzz_*.c; do
  $CC $CFLAGS $STD -I"$ROOT/ref/include" -I"$ROOT/fuzz" $CJSON_CFLAGS -c "$src" \
    -o "$WORK/obj/helper_$(basename "${src%.c}").o"
done
ar rcs "$WORK/libfuzz_helpers.a" "$WORK"/obj/helper_*.o

for src in "$ROOT"/fuzz/*_fuzzer.c; do
  name=$(basename "${src%.c}")
  $CC $CFLAGS $STD -I"$ROOT/ref/include" -I"$ROOT/fuzz" $CJSON_CFLAGS -c "$src" \
    -o "$WORK/obj/$name.o"
  # The link goes through the C++ driver: engines other than libFuzzer are C++ archives.
  $CXX $CFLAGS $LIB_FUZZING_ENGINE "$WORK/obj/$name.o" "$WORK/libfuzz_helpers.a" \
    "$WORK/libsioref_fuzz.a" \
    $CJSON_LIBS $MSGPACK_LIBS -lm -o "$OUT/$name"
  for ext in dict options; do
    if [ -f "$ROOT/fuzz/$name.$ext" ]; then cp "$ROOT/fuzz/$name.$ext" "$OUT/"; fi
  done
  echo "build.sh: built $OUT/$name"
done
