#!/usr/bin/python3
"""Self-test of check-deviations.py on synthetic reports: explained, unexplained,
stale, flaky and security-pack runs, so that the subject tests are known to fail when
they should. usage: check-deviations-selftest.py (exit 0 ok, 1 a check failed)"""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
vectors = os.path.join(here, "..", "..", "vectors")
known = {"entries": [
    {"ref": "A", "servers": ["s"], "cases": ["eio.x.fails@*"]},
    {"ref": "B", "servers": ["s"], "cases": ["eio.x.fixed@polling"]},
    {"ref": "C", "servers": ["s"], "flaky": True, "cases": ["eio.x.timing@*"]},
    {"ref": "G", "servers": ["s"], "upstream-vectors": True, "cases": []}]}


def run(name, s, e, v, fam="conformance"):
    return {"run": "%s@%s" % (name, s), "id": name, "verdict": v, "reason": e, "family": fam}


def check(runs, want_rc, why):
    with tempfile.TemporaryDirectory() as d:
        k, r = os.path.join(d, "k.json"), os.path.join(d, "r.json")
        json.dump(known, open(k, "w"))
        json.dump({"runs": runs}, open(r, "w"))
        p = subprocess.run([sys.executable, os.path.join(here, "check-deviations.py"), k, "s", r,
                            vectors], capture_output=True, text=True)
    ok = p.returncode == want_rc
    print("%s: %s (exit %d, want %d)" % ("ok" if ok else "FAILED", why, p.returncode, want_rc))
    if not ok:
        print(p.stdout + p.stderr)
    return ok


base = [run("eio.x.fails", "polling", "r", "FAIL"), run("eio.x.fixed", "polling", "r", "NON-STRICT"),
        run("eio.x.timing", "websocket", "r", "PASS"),
        run("eio.invalid.base64-bad-chars", "polling", "r", "FAIL"),
        run("sec.y", "polling", "r", "FAIL", "security")]
results = [
    check(base, 0, "all explained, flaky pass is no problem, security run ignored"),
    check(base + [run("eio.x.new", "polling", "r", "FAIL")], 1, "unexplained FAIL"),
    check(base + [run("eio.x.new", "polling", "r", "SKIP")], 1, "unexplained SKIP"),
    check(base[:1] + [run("eio.x.fixed", "polling", "", "PASS")] + base[2:], 1, "stale entry"),
    check(base + [run("eio.invalid.empty-message", "polling", "r", "FAIL")], 1,
          "invalid vector without upstream mark is not covered by G"),
]
sys.exit(0 if all(results) else 1)
