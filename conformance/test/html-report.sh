#!/bin/sh
# The HTML report and the matrix page in headless Chromium (issue 16). Two reports are
# made: the built-in sioref on a selection (0 FAIL), and the official Node subject on a
# selection with failures, known deviations and the security pack (when ci/node's
# packages are installed; else sioref alone). Each page is loaded in the states a person
# uses -- everything, failures only, a search, the security section, a spec tag followed
# to its sentence, a known deviation to its entry, the matrix with only differing rows --
# and the DOM the page's script
# built is checked; a screenshot of each state is written to SHOTS (default: a
# temporary directory, removed). Exit 0 ok, 1 missing element, 77 (skip) without chromium.
# usage: html-report.sh SIOCONFORM [SHOTS-DIR]
set -u
sioconform=$1 shots=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "skip: chromium not installed (ci/install-deps, apt-get install chromium)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ -n "$shots" ] && mkdir -p "$shots"

# one selection for both servers, so that the matrix compares like with like
sel="-c eio.handshake -c eio.heartbeat -c eio.ws -c eio.upgrade -c eio.message -c eio.payload
 -c eio.close -c eio.polling -c eio.invalid.base64 -c sio.custom -c sio.disconnect"
# The security pack without sec.ghsa-2gc4-cqfq-p2gv: that advisory kills the pinned
# engine.io 6.6.4 and would end the Node run; subjects.advisories.* checks it alone.
for c in $("$sioconform" --list -c sec | awk '/^sec\./ {print $1}'); do
	case $c in sec.ghsa-2gc4-cqfq-p2gv.*) ;; *) sel="$sel -c $c" ;; esac
done
# 1. sioref: every run PASS but one NON-STRICT and one INFO, the security pack apart
# shellcheck disable=SC2086
"$sioconform" $sel --html "$out/sioref.html" --json "$out/sioref.json" >"$out/sioref.log" 2>&1
rc=$?
if [ $rc -gt 1 ] || [ ! -s "$out/sioref.html" ]; then
	cat "$out/sioref.log"
	echo "html-report: sioconform exit $rc, no report"
	exit 1
fi
# 2. the Node subject: failures with known deviations and security-pack findings
failing=sioref
nm=${SIOCONFORM_NODE_MODULES:-$here/../../ci/node/node_modules}
if [ -d "$nm/socket.io" ] && command -v node >/dev/null; then
	# shellcheck disable=SC2086
	"$here/run-subject.sh" "$sioconform" node "$here/../subjects/node/server.js" -- $sel \
		--deviations-server node --html "$out/node.html" --json "$out/node.json" >"$out/node.log" 2>&1
	rc=$?
	if [ $rc -gt 1 ] || [ ! -s "$out/node.json" ]; then
		tail -20 "$out/node.log"
		echo "html-report: the Node subject run failed (exit $rc)"
		exit 1
	fi
	failing=node
else
	echo "note: $nm/socket.io missing: the failing-run states use sioref"
fi
"$sioconform" matrix sioref="$out/sioref.json" "$failing=$out/$failing.json" --html "$out/matrix.html" \
	>"$out/matrix.log" 2>&1 || { cat "$out/matrix.log"; echo "html-report: matrix failed"; exit 1; }

flags="--headless --no-sandbox --disable-gpu --disable-background-networking
 --disable-component-update --disable-sync --no-first-run --hide-scrollbars --user-data-dir=$out/profile"
# dom NAME URL: the DOM after the page's script ran; shot NAME URL: a 1280x1000 screenshot
dom() {
	# shellcheck disable=SC2086
	timeout 60 "$chrome" $flags --dump-dom "$2" >"$out/$1.dom" 2>>"$out/chrome.log"
}
shot() {
	[ -n "$shots" ] || return 0
	# shellcheck disable=SC2086
	timeout 60 "$chrome" $flags --window-size=1280,1000 --screenshot="$shots/$1.png" "$2" \
		>/dev/null 2>&1 && echo "screenshot: $shots/$1.png"
}
bad=0
check() { # FILE REGEX WHAT
	if grep -Eq "$2" "$out/$1.dom"; then echo "ok: $3"; else echo "MISSING ($1): $3"; bad=1; fi
}
count() { sed -n 's/.*<span class="count" id="count">\([0-9]*\) of \([0-9]*\) shown.*/\1 \2/p' "$out/$1.dom"; }

S="file://$out/sioref.html" F="file://$out/$failing.html" M="file://$out/matrix.html"
dom all "$S"
shot report-all "$F"
# Each of these exists only after the page's script ran over the embedded data.
check all '<b>[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped</b>' "summary line"
for v in PASS FAIL BLOCKED NON-STRICT INFO SKIP; do
	check all "<span class=\"$v\">$v: [0-9]+</span>" "summary count $v"
	check all "<label class=\"$v\"><input type=\"checkbox\" id=\"v-$v\"> $v</label>" "filter checkbox $v"
done
check all 'No blocked runs: every preamble held' "roots summary"
check all '<select id="f-level">.*<select id="f-tr">.*<select id="f-area">' "level, transport and area filters"
check all '<input type="text" class="tag" id="f-tag"' "tag filter"
check all '<input type="search" id="f-q"' "search box"
check all '<h2>Failures \(1\)</h2>' "failures first (sioref: the one NON-STRICT run)"
check all '<tr class="row" id="run-eio.handshake.open@polling"><td class="v PASS"' "a result row"
check all '<td class="v SKIP"[^>]*>SKIP</td><td class="rid">sio.custom' "a SKIP row"
check all '<h2>Security pack \([0-9]+ case-runs' "the security pack's own section"
check all '<span class="rule" id="EIO-HB-3">' "the rendered spec: the sentence of EIO-HB-3"
check all '<a class="tag" href="#EIO-HS-1"' "tags link into the spec"

dom failures "$F?v=FAIL,BLOCKED,NON-STRICT"
shot report-failures "$F?v=FAIL,BLOCKED,NON-STRICT"
set -- $(count failures)
echo "failures only: $1 of $2 runs shown"
[ "${1:-0}" -gt 0 ] && [ "$1" -lt "$2" ] || { echo "MISSING: failures-only filter narrows the runs"; bad=1; }
if grep -q '<td class="v PASS"' "$out/failures.dom" && [ "$failing" = node ]; then
	grep -c '<td class="v PASS"' "$out/failures.dom"
	echo "MISSING: no PASS row under failures only"; bad=1
fi
if [ "$failing" = node ]; then
	check failures 'href="#dev-N-[0-9]+"' "failures link their known deviation"
	check failures '<a class="dev" id="dev-N-[0-9]+">' "the rendered known deviations"
	check failures 'explained by a known deviation' "failures grouped by root cause"
fi

dom search "$F?q=heartbeat"
shot report-search "$F?q=heartbeat"
set -- $(count search)
echo "search heartbeat: $1 of $2 runs shown"
[ "${1:-0}" -gt 0 ] && [ "$1" -lt "$2" ] || { echo "MISSING: the search narrows the runs"; bad=1; }
check search 'id="f-q" placeholder="[^"]*"' "search box kept"

# the other filters, together: tag prefix, level, transport, area
dom filters "$F?tag=EIO-HB&level=MUST&tr=polling&area=eio.heartbeat"
set -- $(count filters)
echo "tag EIO-HB, MUST, polling, eio.heartbeat: $1 of $2 runs shown"
[ "${1:-0}" -gt 0 ] && [ "$1" -lt "$2" ] || { echo "MISSING: tag, level, transport and area filters narrow the runs"; bad=1; }
# the lists only (the rendered spec below them has its own tables)
sed '/<section id="docs">/,$d' "$out/filters.dom" >"$out/filters.lists"
if grep -q 'class="rid">[^<]*@websocket<' "$out/filters.lists" || grep -q '<td>SHOULD</td>' "$out/filters.lists"; then
	echo "MISSING: a websocket or SHOULD row left under tr=polling&level=MUST"; bad=1
fi

dom section "$F?group=section"
check section '<button type="button" class="on" id="group-section">' "group by spec section"
check section '<a href="#(eio|sio|ct)-[0-9a-z-]+">spec/[a-z0-9.-]+ § ' "a failure group names its spec section"

dom security "$F?view=security"
shot report-security "$F?view=security"
check security '<div id="sum" hidden="">' "view=security: the section alone"
check security '<details class="group" id="sec-(critical|high|medium|low)"' "security runs grouped by severity"
# a tag followed to its sentence (the panel a click on a tag opens), a deviation to its entry
dom peek "$S?peek=EIO-HB-3"
shot report-spec-tag "$S?peek=EIO-HB-3"
check peek '<div id="peek"><div class="meta">spec/engine.io-v4.md § [^<]*</div><div class="doc"><p><span class="rule">' "a tag's sentence in the panel"
# a section link (a failure group's title) opens the rendered document at that heading
dom reveal "$S#eio-6-heartbeat-eio-hb"
check reveal '<details id="doc-eio" open="">' "a spec section link opens the rendered document"
check reveal '<h2 id="eio-6-heartbeat-eio-hb" class="hl">' "and marks the heading"
if [ "$failing" = node ]; then
	dom peekdev "$F?v=FAIL,BLOCKED,NON-STRICT&peek=dev-N-3"
	shot report-deviation "$F?v=FAIL,BLOCKED,NON-STRICT&peek=dev-N-3"
	check peekdev '<div id="peek"><div class="doc"><h3>.*N-3: ' "a known deviation's entry in the panel"
fi

# a failing run with a root cause and blocked runs, from a saved partial report
"$sioconform" matrix faulty="$here/matrix-fixture/b.json" --html "$out/roots.html" >/dev/null 2>&1
dom roots "file://$out/roots.html"
shot report-roots "file://$out/roots.html"
check roots '<div class="banner">Partial report: the run had not finished' "a partial report says so"
check roots '<b>1 root failure, 2 blocked runs:</b>' "roots summary with the blocked count"
check roots 'root cause <a href="#run-sio.connect.main-answer@polling">[^<]*</a>: a failed preamble blocks these runs<span class="n"> \(3 runs\)' "blocked runs grouped under their root"

dom matrix "$M"
shot matrix "$M"
shot matrix-differing "$M?diff=1"
shot matrix-areas "$M?view=areas"
check matrix '<h1>sioconform matrix: 2 servers</h1>' "matrix title"
check matrix '<th>sioref</th>' "a column per server"
check matrix '<h2>Counts per area' "counts per area"
if [ "$failing" = node ]; then
	check matrix '<tr class="row diff"' "differing rows highlighted"
	check matrix 'id="f-diff"' "differing-rows filter"
fi
[ $bad -eq 0 ] || { tail -5 "$out/chrome.log"; cat "$out/matrix.log" | head -5; }
exit $bad
