#!/bin/bash -eu
# The OSS-Fuzz / ClusterFuzzLite build of sioconform's fuzz targets.
#
# The builder image runs `bash -eux $SRC/build.sh` from the Dockerfile's WORKDIR
# ($SRC/sioconform) with CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, OUT, WORK and
# SRC set for the job (sanitizer, engine, coverage). Everything is done by
# fuzz/build.sh, which already reads those variables; this script only
#   - finds the checkout and, when it runs as a copy outside it (OSS-Fuzz keeps one
#     in projects/sioconform/), hands over to the checkout's own copy, so the build
#     always follows the commit being fuzzed rather than a file in another repo;
#   - points fuzz/build.sh at the cJSON sources the Dockerfile cloned ($SRC/cjson):
#     fuzzers run in a runner image without libcjson.so, so cJSON is compiled in,
#     instrumented like our code (Debian's libcjson-dev ships no static archive);
#   - adds the committed reproducers (fuzz/corpus/<name>/) to each seed zip, so
#     every regression input is in the corpus the fuzzers start from;
#   - checks what a fuzzing service needs is in $OUT for every fuzz/*_fuzzer.c:
#     the binary, <name>_seed_corpus.zip, <name>.dict and <name>.options.
# ci/fuzz-smoke runs it the same way (see fuzz/README.md, "Continuous fuzzing").

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
: "${SRC:=/src}"
ROOT=""
for cand in "$(dirname "$SELF")/../.." "$PWD" "$SRC/sioconform"; do
  if [ -f "$cand/fuzz/build.sh" ] && [ -f "$cand/fuzz/oss-fuzz/build.sh" ]; then
    ROOT=$(cd "$cand" && pwd)
    break
  fi
done
if [ -z "$ROOT" ]; then
  echo "oss-fuzz/build.sh: no sioconform checkout (looked beside this script, in $PWD and $SRC/sioconform)" >&2
  exit 1
fi
INREPO="$ROOT/fuzz/oss-fuzz/build.sh"
if [ "$(readlink -f "$SELF")" != "$(readlink -f "$INREPO")" ]; then
  echo "oss-fuzz/build.sh: running the checkout's copy $INREPO"
  exec bash -eu "$INREPO" "$@"
fi

: "${OUT:?OUT must name the output directory}"
: "${WORK:=$OUT/work}"
export SRC OUT WORK
if [ -z "${CJSON_SRC:-}" ] && [ -f "$SRC/cjson/cJSON.c" ]; then
  export CJSON_SRC="$SRC/cjson"
fi
echo "oss-fuzz/build.sh: checkout $ROOT, cJSON ${CJSON_SRC:-from the system (not for a fuzzing service)}"

"$ROOT/fuzz/build.sh"

PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
status=0
for src in "$ROOT"/fuzz/*_fuzzer.c; do
  name=$(basename "${src%.c}")
  short=${name%_fuzzer}
  if [ -d "$ROOT/fuzz/corpus/$short" ]; then
    # Appended under their committed names (the SHA-1 of their bytes, as gen_seeds.py
    # names seeds, with its fixed timestamp), so the zip stays reproducible and a
    # reproducer equal to a seed is stored once.
    "$PYTHON" - "$OUT/${name}_seed_corpus.zip" "$ROOT/fuzz/corpus/$short" <<'PY'
import os, sys, zipfile
archive, folder = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as z:
    have = set(z.namelist())
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.isfile(path) and entry not in have:
            info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
  fi
  for want in "$name" "${name}_seed_corpus.zip" "$name.dict" "$name.options"; do
    if [ ! -s "$OUT/$want" ]; then
      echo "oss-fuzz/build.sh: $OUT/$want is missing or empty" >&2
      status=1
    fi
  done
  [ -x "$OUT/$name" ] || { echo "oss-fuzz/build.sh: $OUT/$name is not executable" >&2; status=1; }
done
exit $status
