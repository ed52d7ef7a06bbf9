#!/bin/sh
# Starts one conformance subject on port 0, waits for its ready line, runs sioconform
# against it with the given arguments, then stops the subject by its PID.
# usage: run-subject.sh SIOCONFORM SUBJECT-CMD... -- SIOCONFORM-ARGS...
# Exit: sioconform's exit status; 2 if the subject did not become ready in 20 s.
set -u
sioconform=$1
shift
subj=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	subj="$subj '$1'"
	shift
done
[ $# -gt 0 ] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/ready"
# exec: the background job becomes the subject itself, so $! is its PID and the kill
# below stops it (without exec, dash leaves it running as a child of the subshell).
eval "exec $subj --port 0" >"$work/ready" 2>"$work/stderr" &
pid=$!
url=""
# Read the one ready line ("listening on http://127.0.0.1:PORT"), bounded to 20 s.
exec 3<"$work/ready"
i=0
while [ -z "$url" ] && [ $i -lt 200 ]; do
	if IFS= read -r line <&3; then
		case $line in
		"listening on "*) url=${line#listening on } ;;
		esac
	else
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	fi
	i=$((i + 1))
done
if [ -z "$url" ]; then
	echo "run-subject: subject did not print its ready line" >&2
	cat "$work/stderr" >&2
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	exit 2
fi
# Keep draining the subject's stdout so it never blocks on a full pipe.
cat <&3 >/dev/null &
drain=$!
echo "run-subject: subject pid $pid at $url" >&2
"$sioconform" "$@" "$url"
rc=$?
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
kill "$drain" 2>/dev/null
wait "$drain" 2>/dev/null
exit $rc
