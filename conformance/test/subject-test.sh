#!/bin/sh
# CTest driver: runs sioconform against one subject and checks every non-PASS verdict
# against conformance/known-deviations.json (the entries listed for SERVER).
# usage: subject-test.sh SERVER SIOCONFORM [--expect FILE] [--skip PREFIX [--sample PREFIX]]
#                        [SIOCONFORM-ARGS...]
# SERVER: node, python (the contract subjects), python-greet (the python subject with
# --greet-in-connect), bare-node, bare-python (subjects/bare/, default timings), node-v2
# (socket.io 2.5.1), node-eio3 (node with allowEIO3), node-msgpack (node with the msgpack
# parser; issue 14).
# --expect FILE: the report's verdict counts must also be FILE's (expect-counts.py).
# --skip RE runs every case except those whose id matches ^(RE) (as -c selections of
# each case's first two id components); --sample PREFIX adds back that one selection.
# Exit 0 all explained; 1 unexplained/stale/harness error; 77 (skip) when the
# subject's dependencies are not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
server=$1 sioconform=$2
shift 2
sel=""
expect=""
if [ "${1:-}" = "--expect" ]; then
	expect=$2
	shift 2
fi
if [ "${1:-}" = "--skip" ]; then
	skip=$2
	shift 2
	for area in $("$sioconform" --list | awk '{print $1}' | grep '\.' | grep -Ev "^($skip)" |
		cut -d. -f1-2 | sort -u); do
		sel="$sel -c $area"
	done
	if [ "${1:-}" = "--sample" ]; then
		sel="$sel -c $2"
		shift 2
	fi
fi
nm=${SIOCONFORM_NODE_MODULES:-$here/../../ci/node/node_modules}
case $server in
node | bare-node | node-eio3 | node-msgpack)
	[ -d "$nm/socket.io" ] || { echo "skip: $nm/socket.io missing (ci/test installs it)"; exit 77; } ;;
node-v2)
	[ -d "$nm/socket.io-v2" ] || { echo "skip: $nm/socket.io-v2 missing (ci/test installs it)"; exit 77; } ;;
python | python-greet | bare-python)
	/usr/bin/python3 -c 'import socketio, engineio, aiohttp' 2>/dev/null ||
		{ echo "skip: /usr/bin/python3 lacks python3-socketio/engineio/aiohttp"; exit 77; } ;;
esac
case $server in
node) set -- node "$here/../subjects/node/server.js" -- "$@" ;;
bare-node) set -- node "$here/../subjects/bare/node.js" -- "$@" ;;
node-v2) set -- node "$here/../subjects/node-v2/server.js" -- "$@" ;;     # issue 14: socket.io 2.5.1
node-eio3) set -- node "$here/../subjects/node-eio3/server.js" -- "$@" ;; # issue 14: allowEIO3
node-msgpack) set -- node "$here/../subjects/node-msgpack/server.js" -- "$@" ;; # issue 14
python) set -- /usr/bin/python3 "$here/../subjects/python/server.py" -- "$@" ;;
python-greet) set -- /usr/bin/python3 "$here/../subjects/python/server.py" --greet-in-connect -- "$@" ;;
bare-python) set -- /usr/bin/python3 "$here/../subjects/bare/python.py" -- "$@" ;;
*) echo "usage: subject-test.sh node|python|python-greet|bare-node|bare-python SIOCONFORM [ARGS...]" >&2; exit 2 ;;
esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
# shellcheck disable=SC2086
"$here/run-subject.sh" "$sioconform" "$@" $sel --json "$out/report.json" \
	--known-deviations "$here/../known-deviations.json" --deviations-server "$server" >"$out/log" 2>&1
rc=$?
# Keep the report when asked (for writing or checking known-deviations entries).
[ -n "${SUBJECT_REPORT_DIR:-}" ] && cp "$out/report.json" "$SUBJECT_REPORT_DIR/$server-$$.json"
echo "sioconform exit $rc after $(($(date +%s) - start)) s"
if [ $rc -gt 1 ] || [ ! -s "$out/report.json" ]; then
	cat "$out/log"
	echo "subject-test: harness/subject error"
	exit 1
fi
# --agree: sioconform's own links (matched in C) must be the checker's, run by run.
/usr/bin/python3 "$here/check-deviations.py" --agree "$here/../known-deviations.json" "$server" "$out/report.json"
rc=$?
if [ -n "$expect" ]; then
	/usr/bin/python3 "$here/expect-counts.py" "$expect" "$out/report.json" "$here/../known-deviations.json" || rc=1
fi
exit $rc
