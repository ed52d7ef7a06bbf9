#!/bin/sh
# CORS with a configured origin (issue 16, item 3 "Reach"; EIO-CORS-2, EIO-CORS-3), end
# to end against sioref:
# 1. sioref --cors-origin https://app.example, sioconform told the same origin: the 8
#    *.cors.configured.* runs (echo path and Socket.IO path) pass, and the 3 runs about a
#    server without a policy (EIO-CORS-1) are SKIP with the reason; exit 0;
# 2. sioconform told another origin than the server's: the allowed-origin, preflight and
#    credentials runs fail (the cases can fail), exit 1;
# 3. sioref --cors-origin '*' (every origin granted) judged for one origin: the
#    foreign-origin runs fail, exit 1;
# 4. without --cors-origin the configured cases are not in the plan (--list);
#    --cors-origin '*' is a usage error.
# usage: cors.sh SIOCONFORM SIOREF. Exit 0 all held, 1 not.
set -u
sioconform=$1
sioref=$2
. "$(cd "$(dirname "$0")" && pwd)/testlib.sh"
start_sioref app --cors-origin https://app.example
app=$url
start_sioref any --cors-origin '*'
any=$url
sel="-c eio.cors -c sio.engine.cors -c sec.exposure.cors"
count() { grep -c "^$1 *[a-z.-]*\.cors\.configured\.$2@" "$3"; }

# shellcheck disable=SC2086
"$sioconform" --cors-origin https://app.example $sel "$app" >"$work/1.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ "$(grep -c '^PASS .*\.cors\.configured\.' "$work/1.out")" -ne 8 ] ||
	[ "$(grep -c '^SKIP .*checks a server without a CORS policy' "$work/1.out")" -ne 3 ]; then
	bad "configured origin: exit $rc" "$work/1.out"
else
	ok "configured origin: exit 0, 8 configured runs PASS, 3 no-policy runs SKIP"
fi

# shellcheck disable=SC2086
"$sioconform" --cors-origin https://other.example $sel "$app" >"$work/2.out" 2>&1
rc=$?
if [ $rc -ne 1 ] || [ "$(count FAIL allowed-origin "$work/2.out")" -ne 2 ] ||
	[ "$(count FAIL credentials "$work/2.out")" -ne 2 ] ||
	[ "$(count NON-STRICT preflight "$work/2.out")" -ne 2 ] ||
	[ "$(count PASS foreign-origin "$work/2.out")" -ne 2 ]; then
	bad "another origin than the server's: exit $rc" "$work/2.out"
else
	ok "another origin than the server's: exit 1, allowed-origin and credentials FAIL, preflight NON-STRICT (both paths)"
fi

# shellcheck disable=SC2086
"$sioconform" --cors-origin https://app.example $sel "$any" >"$work/3.out" 2>&1
rc=$?
if [ $rc -ne 1 ] || [ "$(count FAIL foreign-origin "$work/3.out")" -ne 2 ]; then
	bad "a server granting every origin: exit $rc" "$work/3.out"
else
	ok "a server granting every origin: exit 1, foreign-origin FAIL on both paths: $(grep -m1 '^FAIL .*foreign-origin' "$work/3.out")"
fi

"$sioconform" --list >"$work/4.out" 2>&1
n=$(grep -c 'cors\.configured' "$work/4.out")
"$sioconform" --list --cors-origin https://app.example >"$work/4b.out" 2>&1
m=$(grep -c 'cors\.configured' "$work/4b.out")
"$sioconform" --cors-origin '*' "$app" >"$work/4c.out" 2>&1
rc=$?
if [ "$n" -ne 0 ] || [ "$m" -ne 8 ] || [ $rc -ne 2 ]; then
	bad "plan: $n configured cases without --cors-origin, $m with; --cors-origin '*' exit $rc" "$work/4c.out"
else
	ok "plan: no configured case without --cors-origin, 8 with; --cors-origin '*': exit 2"
fi
exit $fail
