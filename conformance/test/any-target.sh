#!/bin/sh
# sioconform against targets that are not (or no longer) an Engine.IO server (issue 11):
# 1. a plain HTTP file server: exit 2 within seconds, one line naming what answered;
# 2. sioref killed during the run: exit 2, "stopped answering", the JSON report holds the
#    runs finished before.
# usage: any-target.sh SIOCONFORM SIOREF
# Exit 0 both held, 1 not, 77 when python3 is missing.
set -u
sioconform=$1
sioref=$2
command -v python3 >/dev/null 2>&1 || exit 77
. "$(cd "$(dirname "$0")" && pwd)/testlib.sh"

# 1. not Engine.IO
(cd "$work" && exec python3 -u -m http.server 0 --bind 127.0.0.1) >"$work/http.out" 2>&1 &
pids="$pids $!"
line=$(wait_line "$work/http.out" "Serving HTTP") || { echo "http.server did not start"; exit 1; }
port=$(echo "$line" | sed 's/.* port \([0-9]*\).*/\1/')
start=$(date +%s)
"$sioconform" "http://127.0.0.1:$port" >"$work/1.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
if [ $rc -ne 2 ] || [ $took -gt 10 ] || ! grep -q "answered HTTP 404 (Server: SimpleHTTP" "$work/1.out" ||
	! grep -q "not an Engine.IO open packet" "$work/1.out" || [ "$(wc -l <"$work/1.out")" -ne 1 ]; then
	echo "FAIL not-engineio: exit $rc after ${took}s:"
	cat "$work/1.out"
	fail=1
else
	echo "ok not-engineio: exit 2 after ${took}s: $(cat "$work/1.out")"
fi

# 2. the server goes away during the run
start_sioref ref
ref=${pids##* }
"$sioconform" --jobs 1 --json "$work/2.json" -c eio.heartbeat -c sio.engine.heartbeat -c eio.invalid \
	"$url" >"$work/2.out" 2>&1 &
sc=$!
sleep 1.5
kill "$ref"
i=0
while kill -0 "$sc" 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait "$sc"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "stopped answering" "$work/2.out" || [ ! -s "$work/2.json" ]; then
	echo "FAIL server-gone: exit $rc"
	tail -5 "$work/2.out"
	fail=1
else
	runs=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$work/2.json")
	echo "ok server-gone: exit 2, $runs runs in the report: $(grep 'stopped answering' "$work/2.out")"
fi
exit $fail
