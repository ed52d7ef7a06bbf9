#!/bin/sh
# Security-pack cases for advisories that the pinned Node subject (ci/node) still has and
# the current releases (ci/node-current) fix: the selection must FAIL on the pinned
# modules (each EXPECT pattern matches a FAIL run; a crash of the subject ends the run
# with exit 2, which is accepted) and pass on the current ones (exit 0), so each case is
# shown able to fail and the finding stays visible (conformance/SECURITY.md).
# usage: advisories.sh SIOCONFORM "SELECTION..." EXPECT-PATTERN...
set -u
here=$(cd "$(dirname "$0")" && pwd)
subject="$here/../subjects/node/server.js"
sioconform=$1 sel=$2
shift 2
args=""
for c in $sel; do args="$args -c $c"; done
pinned=$here/../../ci/node/node_modules
current=$here/../../ci/node-current/node_modules
for nm in "$pinned" "$current"; do
	[ -d "$nm/socket.io" ] || { echo "skip: $nm/socket.io missing (ci/install-deps installs it)"; exit 77; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2086
SIOCONFORM_NODE_MODULES=$current "$here/run-subject.sh" "$sioconform" node "$subject" -- \
	$args --json "$out/current.json" >"$out/current.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	cat "$out/current.log"
	echo "advisories.sh: current releases (ci/node-current) exited $rc, want 0"
	exit 1
fi
echo "current releases: $(grep -c '^PASS' "$out/current.log") PASS, exit 0"
# shellcheck disable=SC2086
SIOCONFORM_NODE_MODULES=$pinned "$here/run-subject.sh" "$sioconform" node "$subject" -- \
	$args --json "$out/pinned.json" >"$out/pinned.log" 2>&1
rc=$?
grep '^FAIL' "$out/pinned.log"
if [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
	cat "$out/pinned.log"
	echo "advisories.sh: pinned modules (ci/node) exited $rc, want 1 (or 2: the subject died)"
	exit 1
fi
/usr/bin/python3 "$here/expect-fail.py" "$out/pinned.json" "$@"
