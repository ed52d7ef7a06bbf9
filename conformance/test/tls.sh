#!/bin/sh
# sioconform against sioref behind TLS (issue 16, item 3 "Reach"), end to end. The test
# makes throw-away certificates with the openssl CLI, starts sioref with --tls-cert and
# --tls-key, and checks:
# 1. every case runs the same over TLS: a full run against https://127.0.0.1:PORT with
#    --ca the certificate gives exactly the verdicts of a full run against the same
#    sioref binary serving plain HTTP (run by run), and exit 0;
# 2. without --ca the self-signed certificate does not verify: one line, exit 2, no run;
# 3. --insecure accepts it (wss:// spelling), exit 0;
# 4. a certificate for another name (DNS:wrong.example), its CA trusted: "IP address
#    mismatch" for https://127.0.0.1, "hostname mismatch" for https://localhost, exit 2;
# 5. http:// against the TLS port and https:// against a plain port: exit 2, one line;
# 6. --ca FILE that is not a certificate, and --ca with an http:// URL: exit 2;
# 7. every sioref exits 0 on SIGTERM (under ASan: no leak, no error).
# usage: tls.sh SIOCONFORM SIOREF [JOBS]. Exit 0 all held, 1 not, 77 no openssl CLI.
set -u
sioconform=$1
sioref=$2
jobs=${3:-4}
command -v openssl >/dev/null 2>&1 || { echo "no openssl CLI: skipped"; exit 77; }
. "$(cd "$(dirname "$0")" && pwd)/testlib.sh"

# P-256 keys: a TLS handshake per connection, and the floods open 500 of them
mkcert() { # mkcert NAME SAN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj "/CN=sioconform test $1" -addext "subjectAltName=$2" \
		-keyout "$work/$1.key" -out "$work/$1.pem" >"$work/$1.log" 2>&1 ||
		{ cat "$work/$1.log"; exit 1; }
}
mkcert good "IP:127.0.0.1,DNS:localhost"
mkcert wrong "DNS:wrong.example"

start_sioref plain
plain=$url
start_sioref tls --tls-cert "$work/good.pem" --tls-key "$work/good.key"
tls=$url
start_sioref wrong --tls-cert "$work/wrong.pem" --tls-key "$work/wrong.key"
wrong=$url
case "$tls" in https://127.0.0.1:*) ;; *) bad "sioref --tls-cert announces $tls, not https://127.0.0.1:PORT" ;; esac
port=${tls##*:}

verdicts() { # the sorted "run verdict" lines of a --json report
	python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["runs"]: print(r["run"], r["verdict"])' "$1" | sort
}

# 1. the same verdicts, run by run, plain and over TLS
"$sioconform" --jobs "$jobs" --json "$work/plain.json" "$plain" >"$work/plain.log" 2>&1
prc=$?
"$sioconform" --jobs "$jobs" --ca "$work/good.pem" --json "$work/tls.json" "$tls" \
	>"$work/tls.log" 2>&1
trc=$?
verdicts "$work/plain.json" >"$work/plain.v"
verdicts "$work/tls.json" >"$work/tls.v"
n=$(wc -l <"$work/tls.v")
if [ $prc -ne 0 ] || [ $trc -ne 0 ] || [ "$n" -lt 700 ] || ! cmp -s "$work/plain.v" "$work/tls.v" ||
	! grep -q "^sioconform: checking https://127.0.0.1:$port " "$work/tls.log"; then
	bad "full run over TLS: exit $trc (plain $prc), $n runs; differences plain < > tls:"
	diff "$work/plain.v" "$work/tls.v" | head -40
	tail -5 "$work/tls.log"
else
	ok "full run over TLS: exit 0, the $n run verdicts of the plain run; $(grep 'case-runs:' "$work/tls.log" | tr '\n' ' ')"
fi

one_line() { # one_line NAME FILE RC WANT-RC PATTERN: exactly one line matching, that exit
	if [ "$3" -ne "$4" ] || [ "$(wc -l <"$2")" -ne 1 ] || ! grep -q "$5" "$2"; then
		bad "$1: exit $3" "$2"
	else
		ok "$1: exit $3: $(cat "$2")"
	fi
}

# 2. verification is on by default
"$sioconform" "$tls" >"$work/2.out" 2>&1
one_line no-ca "$work/2.out" $? 2 "^sioconform: https://127.0.0.1:$port: certificate verification failed: self-signed certificate (trust its CA with --ca FILE"

# 3. --insecure accepts any certificate
"$sioconform" --insecure -c eio.handshake "wss://127.0.0.1:$port" >"$work/3.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q "16 passed, 0 failed" "$work/3.out"; then
	bad "insecure: exit $rc" "$work/3.out"
else
	ok "insecure: exit 0, $(grep 'passed,' "$work/3.out")"
fi

# 4. a trusted certificate for another name
wport=${wrong##*:}
"$sioconform" --ca "$work/wrong.pem" "$wrong" >"$work/4a.out" 2>&1
one_line wrong-ip "$work/4a.out" $? 2 "certificate verification failed: IP address mismatch (the certificate is not for 127.0.0.1;"
"$sioconform" --ca "$work/wrong.pem" "https://localhost:$wport" >"$work/4b.out" 2>&1
one_line wrong-name "$work/4b.out" $? 2 "certificate verification failed: hostname mismatch (the certificate is not for localhost;"

# 5. the wrong scheme either way
"$sioconform" -c eio.handshake "http://127.0.0.1:$port" >"$work/5a.out" 2>&1
rc=$?
if [ $rc -ne 2 ] || [ "$(grep -c . "$work/5a.out")" -gt 2 ]; then
	bad "http-to-tls: exit $rc" "$work/5a.out"
else
	ok "http-to-tls: exit 2: $(cat "$work/5a.out")"
fi
"$sioconform" --ca "$work/good.pem" "https://${plain#http://}" >"$work/5b.out" 2>&1
one_line https-to-plain "$work/5b.out" $? 2 "TLS handshake failed"

# 6. options that cannot apply
"$sioconform" --ca "$work/good.key" "$tls" >"$work/6a.out" 2>&1
one_line ca-not-a-cert "$work/6a.out" $? 2 "^sioconform: --ca .*: no CA certificate loaded"
"$sioconform" --ca "$work/good.pem" "$plain" >"$work/6b.out" 2>&1
one_line ca-on-http "$work/6b.out" $? 2 "need an https:// or wss:// URL"

# 7. each sioref stops cleanly on SIGTERM (CT-4); under ASan a leak or an error would
#    make that exit status non-zero
for p in $pids; do
	kill "$p"
	wait "$p"
	rc=$?
	[ $rc -eq 0 ] || bad "sioref pid $p exited $rc on SIGTERM" "$work/tls.err"
done
pids=""
[ $fail -eq 0 ] && ok "the three sioref (plain, TLS, TLS wrong name) exited 0 on SIGTERM"
exit $fail
