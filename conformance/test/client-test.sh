#!/bin/sh
# CTest driver for `sioconform client` (issue 13).
#   client-test.sh subject NAME SIOCONFORM EXPECTED.json
#     a full client run of subject NAME (client-node, client-python): the verdict counts
#     must be EXPECTED's (expect-counts.py) and every non-PASS explained by cause by
#     conformance/known-deviations.json (check-deviations.py --agree).
#   client-test.sh fault FAULT SIOCONFORM SELECTION RUN-ID-PATTERN...
#     the faulty client (subjects/clients/faulty/client.js) with --fault FAULT, on the
#     cases whose ids start with one of SELECTION's comma-separated prefixes (the fault's
#     family and its neighbours; a full run per fault would cost more than CI has) and
#     --strict (a SHOULD case's NON-STRICT counts as its failure): sioconform exits 1,
#     every run matching a pattern FAILs (or is BLOCKED by such a FAIL), and every other
#     run is PASS, BLOCKED by one of those, or a known deviation of the plain Node client
#     (client-node): a fault turns exactly its cases to FAIL.
# Exit 0 ok, 1 not, 77 (skip) when the client's dependencies are not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=$1 name=$2 sioconform=$3
shift 3
clients="$here/../subjects/clients"
known="$here/../known-deviations.json"
nm=${SIOCONFORM_NODE_MODULES:-$here/../../ci/node/node_modules}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
case $mode:$name in
subject:client-node | fault:*)
	[ -d "$nm/socket.io-client" ] || { echo "skip: $nm/socket.io-client missing"; exit 77; } ;;
subject:client-python)
	/usr/bin/python3 -c 'import socketio, requests, websocket' 2>/dev/null ||
		{ echo "skip: /usr/bin/python3 lacks python3-socketio/requests/websocket"; exit 77; } ;;
*) echo "usage: client-test.sh subject client-node|client-python SIOCONFORM EXPECTED.json" >&2
   echo "       client-test.sh fault FAULT SIOCONFORM SELECTION RUN-ID-PATTERN..." >&2; exit 2 ;;
esac
start=$(date +%s)
if [ "$mode" = subject ]; then
	expect=$1
	case $name in
	client-node) set -- node "$clients/node/client.js" ;;
	client-python) set -- /usr/bin/python3 "$clients/python/client.py" ;;
	esac
	"$sioconform" client --json "$out/report.json" --known-deviations "$known" \
		--deviations-server "$name" -- "$@" >"$out/log" 2>&1
	rc=$?
	echo "sioconform client exit $rc after $(($(date +%s) - start)) s"
	grep -v '^PASS' "$out/log"
	if [ $rc -gt 1 ] || [ ! -s "$out/report.json" ]; then
		echo "client-test: harness/client error"
		exit 1
	fi
	crc=0
	/usr/bin/python3 "$here/check-deviations.py" --agree "$known" "$name" "$out/report.json" || crc=1
	/usr/bin/python3 "$here/expect-counts.py" "$expect" "$out/report.json" "$known" || crc=1
	exit $crc
fi
sel=$1
shift
set -f
csel=
for p in $(echo "$sel" | tr ',' ' '); do csel="$csel -c $p"; done
# shellcheck disable=SC2086 # one -c per prefix
# --jobs 12: most of a fault's runs wait out a timeout, side by side
"$sioconform" client --strict --jobs 12 $csel --json "$out/report.json" --known-deviations "$known" \
	--deviations-server client-node -- \
	node "$clients/faulty/client.js" --fault "$name" >"$out/log" 2>&1
rc=$?
echo "sioconform client --fault $name: exit $rc after $(($(date +%s) - start)) s"
grep -v '^PASS' "$out/log"
if [ $rc -ne 1 ]; then
	echo "client-test: --fault $name exited $rc, want 1"
	exit 1
fi
/usr/bin/python3 - "$out/report.json" "$@" <<'PY'
import fnmatch, json, sys
runs = json.load(open(sys.argv[1]))["runs"]
pats = sys.argv[2:]
# a SHOULD case's failure is NON-STRICT (counted as failing under --strict)
fails = {r["run"] for r in runs if r["verdict"] in ("FAIL", "NON-STRICT")}
bad = 0
for p in pats:
    if not any(fnmatch.fnmatchcase(f, p) for f in fails):
        print("no FAIL run matches %s" % p); bad = 1
for r in runs:
    v, rid = r["verdict"], r["run"]
    ours = any(fnmatch.fnmatchcase(rid, p) for p in pats)
    blocked = v == "BLOCKED" and r.get("blocked_by") in fails
    if r.get("deviation") and not ours:
        continue  # the plain Node client's own known deviation
    if ours and rid not in fails and not blocked:
        print("%s %s: a run of the fault's cases that did not fail" % (v, rid)); bad = 1
    elif rid in fails and not ours:
        print("%s outside the fault's cases: %s" % (v, rid)); bad = 1
    elif v not in ("PASS", "FAIL", "NON-STRICT") and not blocked:
        print("%s %s: neither PASS nor blocked by the fault's cases" % (v, rid)); bad = 1
print("fault: %d FAIL runs, all expected" % len(fails) if not bad else "fault check failed")
sys.exit(bad)
PY
