#!/bin/sh
# Runs sioconform's -c selection against the faulty subject twice: with --fault none
# (every selected run must pass, exit 0) and with --fault FAULT (sioconform must exit 1
# and every EXPECT pattern must match a FAIL run).
# usage: faulty.sh SIOCONFORM FAULT "SELECTION..." EXPECT-PATTERN...
set -u
here=$(cd "$(dirname "$0")" && pwd)
subject="$here/../subjects/faulty/server.js"
sioconform=$1 fault=$2 sel=$3
shift 3
args=""
for c in $sel; do args="$args -c $c"; done
nm=${SIOCONFORM_NODE_MODULES:-$here/../../ci/node/node_modules}
[ -d "$nm/socket.io" ] || { echo "skip: $nm/socket.io missing (ci/test installs it)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2086
"$here/run-subject.sh" "$sioconform" node "$subject" --fault none -- $args --json "$out/none.json" >"$out/none.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	cat "$out/none.log"
	echo "faulty.sh: control run (--fault none) exited $rc, want 0"
	exit 1
fi
echo "control (--fault none): $(grep -c '^PASS' "$out/none.log") PASS, exit 0"
# shellcheck disable=SC2086
"$here/run-subject.sh" "$sioconform" node "$subject" --fault "$fault" -- $args --json "$out/fault.json" >"$out/fault.log" 2>&1
rc=$?
grep '^FAIL' "$out/fault.log"
if [ $rc -ne 1 ]; then
	cat "$out/fault.log"
	echo "faulty.sh: --fault $fault exited $rc, want 1"
	exit 1
fi
/usr/bin/python3 "$here/expect-fail.py" "$out/fault.json" "$@"
