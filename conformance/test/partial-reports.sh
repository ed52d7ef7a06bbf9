#!/bin/sh
# A run cut short by SIGKILL leaves valid partial reports (issue 16): sioconform checks a
# sioref started here (its own PID, stopped here); once the JSON report on disk holds at
# least 100 runs (of 720 on sioref) sioconform is killed with -9; the
# JSON must then parse with "complete": false and its counts adding up, the JUnit
# must validate against test/junit.xsd with a suite property complete=false, and the
# HTML must hold the same partial index.
# Exit 0 ok, 1 broken, 77 without python3/xmllint.
# usage: partial-reports.sh SIOCONFORM SIOREF
set -u
sioconform=$1 sioref=$2
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null && command -v xmllint >/dev/null ||
	{ echo "skip: needs python3 and xmllint"; exit 77; }
w=$(mktemp -d)
ref="" sc=""
cleanup() {
	[ -n "$sc" ] && kill -9 "$sc" 2>/dev/null
	[ -n "$ref" ] && kill "$ref" 2>/dev/null
	rm -rf "$w"
}
trap cleanup EXIT
"$sioref" --host 127.0.0.1 --port 0 --ping-interval 300 --ping-timeout 200 \
	--connect-timeout 1000 >"$w/ref.out" 2>&1 &
ref=$!
i=0
until grep -q "listening on" "$w/ref.out" 2>/dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
url=$(sed -n 's/.*listening on //p' "$w/ref.out" | head -n 1)
[ -n "$url" ] || { echo "sioref did not start"; cat "$w/ref.out"; exit 1; }
"$sioconform" --jobs 2 --json "$w/r.json" --junit "$w/r.xml" --html "$w/r.html" "$url" \
	>"$w/sc.out" 2>&1 &
sc=$!
count() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$1" 2>/dev/null || echo 0; }
i=0 n=0
while [ "$n" -lt 100 ] && [ $i -lt 600 ] && kill -0 "$sc" 2>/dev/null; do
	sleep 0.1
	n=$(count "$w/r.json")
	i=$((i + 1))
done
kill -9 "$sc" 2>/dev/null || { echo "FAIL: sioconform ended before it was killed"; tail -3 "$w/sc.out"; exit 1; }
wait "$sc" 2>/dev/null
sc=""
bad=0
python3 - "$w/r.json" "$w/r.html" <<'PY' || bad=1
import json, re, sys
d = json.load(open(sys.argv[1]))
n = len(d["runs"])
ok = d["complete"] is False and n >= 100 and d["summary"]["runs"] + d["security"]["runs"] == n
print("%s: JSON parses, complete=%s, %d runs" % ("ok" if ok else "FAIL", d["complete"], n))
html = open(sys.argv[2]).read()
m = re.search(r'"complete":(true|false)', html)
ok2 = html.rstrip().endswith("</html>") and m and m.group(1) == "false"
print("%s: HTML whole, embeds complete=false" % ("ok" if ok2 else "FAIL"))
sys.exit(0 if ok and ok2 else 1)
PY
if xmllint --noout --schema "$here/junit.xsd" "$w/r.xml" 2>"$w/xsd.err"; then
	echo "ok: JUnit validates against junit.xsd"
else
	echo "FAIL: JUnit does not validate"; head -5 "$w/xsd.err"; bad=1
fi
if [ "$(grep -c '<property name="complete" value="false"/>' "$w/r.xml")" -ge 1 ]; then
	echo "ok: JUnit suite property complete=false"
else
	echo "FAIL: no complete=false property in the JUnit"; bad=1
fi
# the partial reports load in the page: the HTML written during the run, and a matrix
# page of the partial JSON (when chromium is there)
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chrome" ]; then
	"$sioconform" matrix killed="$w/r.json" --html "$w/m.html" >/dev/null 2>&1 || { echo "FAIL: matrix of the partial JSON"; bad=1; }
	for page in r m; do
		timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
			--user-data-dir="$w/profile" --dump-dom "file://$w/$page.html" >"$w/$page.dom" 2>/dev/null
		if grep -q '<div class="banner">Partial report: the run had not finished when this was written (still running, or cut short); it holds the [0-9]* runs' "$w/$page.dom" &&
			grep -q 'shown</span>' "$w/$page.dom"; then
			echo "ok: $page.html loads in Chromium and says it is partial"
		else
			echo "FAIL: $page.html did not load as a partial report"; bad=1
		fi
	done
fi
exit $bad
