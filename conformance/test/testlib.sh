# Shared by the end-to-end test scripts of conformance/test (POSIX sh, sourced after the
# script has set $sioref where it starts one):
#   $work        a fresh temporary folder, removed on exit with every PID in $pids;
#   $fail        0 until bad() is called; a script ends with `exit $fail`;
#   ok MSG / bad MSG [FILE]   one result line ("ok ..." / "FAIL ...", then FILE's head);
#   wait_line FILE PATTERN    waits (at most 10 s) for a line of FILE and prints it;
#   start_sioref NAME [FLAGS] starts $sioref on a free loopback port with short timings
#                (pingInterval 300, pingTimeout 200, connect timeout 1000) and FLAGS; its
#                stdout/stderr go to $work/NAME.out/.err, its PID joins $pids, and $url
#                is the URL its "listening on" line names (CT-3).
# Every wait is bounded; only the PIDs the script started are stopped.
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
fail=0
ok() { echo "ok $1"; }
bad() {
	echo "FAIL $1"
	[ -n "${2:-}" ] && head -40 "$2"
	fail=1
}

wait_line() {
	i=0
	while [ $i -lt 100 ]; do
		l=$(grep -m1 "$2" "$1" 2>/dev/null) && [ -n "$l" ] && {
			echo "$l"
			return 0
		}
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

start_sioref() {
	name=$1
	shift
	"$sioref" --host 127.0.0.1 --port 0 --ping-interval 300 --ping-timeout 200 \
		--connect-timeout 1000 "$@" >"$work/$name.out" 2>"$work/$name.err" &
	pids="$pids $!"
	line=$(wait_line "$work/$name.out" "^listening on ") || {
		echo "sioref $name did not start"
		cat "$work/$name.err"
		exit 1
	}
	url=${line#listening on }
}
