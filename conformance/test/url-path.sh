#!/bin/sh
# The URL's path is the Socket.IO path (issue 16, item 3 "Reach"), end to end against
# sioref serving Socket.IO on /custom/:
# 1. http://HOST:PORT/custom checks /custom/ (normalised) and passes;
# 2. http://HOST:PORT/wrong/ is exit 2 naming /wrong/, although the echo path answers;
# 3. the URL's path and a different --path: exit 2 before any network.
# usage: url-path.sh SIOCONFORM SIOREF. Exit 0 all held, 1 not.
set -u
sioconform=$1
sioref=$2
. "$(cd "$(dirname "$0")" && pwd)/testlib.sh"
start_sioref ref --path /custom/

"$sioconform" -c sio.connect.two-namespaces "$url/custom" >"$work/1.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q "Engine.IO: /custom/ answers" "$work/1.out" ||
	! grep -q "2 passed, 0 failed" "$work/1.out"; then
	echo "FAIL custom-path: exit $rc"
	cat "$work/1.out"
	fail=1
else
	echo "ok custom-path: exit 0, $(grep 'Engine.IO:' "$work/1.out")"
fi

"$sioconform" -c sio.connect.two-namespaces "$url/wrong/" >"$work/2.out" 2>&1
rc=$?
if [ $rc -ne 2 ] || ! grep -q "Socket.IO path /wrong/ you named" "$work/2.out"; then
	echo "FAIL wrong-path: exit $rc"
	cat "$work/2.out"
	fail=1
else
	echo "ok wrong-path: exit 2: $(cat "$work/2.out")"
fi

"$sioconform" --path /other/ -c sio.connect.two-namespaces "$url/custom/" >"$work/3.out" 2>&1
rc=$?
if [ $rc -ne 2 ] || ! grep -q "names the Socket.IO path /custom/ but --path says /other/" "$work/3.out"; then
	echo "FAIL path-conflict: exit $rc"
	cat "$work/3.out"
	fail=1
else
	echo "ok path-conflict: exit 2: $(cat "$work/3.out")"
fi
exit $fail
