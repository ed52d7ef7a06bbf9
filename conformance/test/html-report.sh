#!/bin/sh
# Renders sioconform's --html report (a short run against the built-in sioref) in
# headless Chromium and checks that the summary and the verdict filters were built by
# the page's script. Exit 0 ok, 1 missing element, 77 (skip) without chromium.
# usage: html-report.sh SIOCONFORM [SCREENSHOT.png]
set -u
sioconform=$1 shot=${2:-}
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "skip: chromium not installed (apt-get install chromium)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$sioconform" -c eio.handshake -c sio.custom --html "$out/report.html" >"$out/run.log" 2>&1
rc=$?
if [ $rc -gt 1 ] || [ ! -s "$out/report.html" ]; then
	cat "$out/run.log"
	echo "html-report: sioconform exit $rc, no report"
	exit 1
fi
flags="--headless --no-sandbox --disable-gpu --disable-background-networking
 --disable-component-update --disable-sync --no-first-run --user-data-dir=$out/profile"
# shellcheck disable=SC2086
timeout 60 "$chrome" $flags --dump-dom "file://$out/report.html" >"$out/dom.html" 2>"$out/chrome.log"
if [ -n "$shot" ]; then
	# shellcheck disable=SC2086
	timeout 60 "$chrome" $flags --window-size=1200,900 --screenshot="$shot" \
		"file://$out/report.html" >/dev/null 2>&1
fi
bad=0
check() {
	if grep -Eq "$1" "$out/dom.html"; then echo "ok: $2"; else echo "MISSING: $2"; bad=1; fi
}
# Each of these exists only after the page's script ran over the embedded data.
check '<div class="sum" id="sum"><span>[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped</span>' "summary line"
for v in PASS FAIL BLOCKED NON-STRICT INFO SKIP; do
	check "<span class=\"$v\">$v: [0-9]+</span>" "summary count $v"
	check "<label><input type=\"checkbox\"> $v</label>" "filter checkbox $v"
done
check '<tr class="row"><td class="PASS">PASS</td><td>eio.handshake.open</td>' "a result row"
check '<td class="SKIP">SKIP</td><td>sio.custom' "a SKIP row"
[ $bad -eq 0 ] || { head -c 3000 "$out/dom.html"; cat "$out/chrome.log"; }
exit $bad
