#!/usr/bin/python3
"""Self-test of check-deviations.py: the shared fixture (deviations-fixture/, also read
by test_deviations.c, so the python checker and the C matcher are held to the same
answers), the pattern subset, grammar errors, and synthetic reports with explained,
unexplained, stale, flaky and security-pack runs, so that the subject tests are known
to fail when they should; and expect-counts.py (the "any server" tests' verdict counts). Above all: a run whose id an entry names but whose failure
has another reason is unexplained.
usage: check-deviations-selftest.py (exit 0 ok, 1 a check failed)"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
vectors = os.path.join(here, "..", "..", "vectors")
fixture = os.path.join(here, "deviations-fixture")
checker = os.path.join(here, "check-deviations.py")
spec = importlib.util.spec_from_file_location("check_deviations", checker)
cd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cd)

results = []


def report(ok, why, detail=""):
    print("%s: %s" % ("ok" if ok else "FAILED", why))
    if not ok and detail:
        print(detail)
    results.append(ok)


# 1. The shared fixture: every run gets the entry named in its "want" field.
p = subprocess.run([sys.executable, checker, "--matches", os.path.join(fixture, "known.json"), "s",
                    os.path.join(fixture, "report.json"), vectors], capture_output=True, text=True)
got = dict(line.split() for line in p.stdout.splitlines())
runs = json.load(open(os.path.join(fixture, "report.json"), encoding="utf-8"))["runs"]
wrong = ["%s: want %s, got %s" % (r["run"], r["want"] or "-", got.get(r["run"]))
         for r in runs if got.get(r["run"]) != (r["want"] or "-")]
report(p.returncode == 0 and not wrong, "fixture: %d runs matched as wanted" % len(runs),
       p.stderr + "\n".join(wrong))

# 2. The pattern subset, same lists as the C test.
pats = json.load(open(os.path.join(fixture, "patterns.json"), encoding="utf-8"))
bad = []
for pat in pats["portable"]:
    try:
        cd.portable(pat)
    except cd.GrammarError as e:
        bad.append("refused %r: %s" % (pat, e))
for pat in pats["not-portable"]:
    try:
        cd.portable(pat)
        bad.append("accepted %r" % pat)
    except cd.GrammarError:
        pass
report(not bad, "pattern subset: %d portable, %d not" % (len(pats["portable"]),
                                                         len(pats["not-portable"])),
       "\n".join(bad))


def check(known, runs, want_rc, why, want_out=None):
    with tempfile.TemporaryDirectory() as d:
        k, r = os.path.join(d, "k.json"), os.path.join(d, "r.json")
        json.dump(known, open(k, "w"))
        json.dump({"runs": runs}, open(r, "w"))
        p = subprocess.run([sys.executable, checker, k, "s", r, vectors], capture_output=True,
                           text=True)
    ok = p.returncode == want_rc and (want_out is None or want_out in p.stdout + p.stderr)
    report(ok, "%s (exit %d, want %d)" % (why, p.returncode, want_rc), p.stdout + p.stderr)


def cause(tags, reason, **kw):
    c = {"tags": tags, "reason": reason}
    c.update(kw)
    return c


NC = "step 3 (expect_close): a not closed within 1000 ms"
known = {"format": 2, "entries": [
    {"ref": "A", "title": "a", "servers": ["s"],
     "causes": [cause(["EIO-CL-6"], "not closed within", cases=["eio.x.fails@*"])]},
    {"ref": "B", "title": "b", "servers": ["s"],
     "causes": [cause(["EIO-TR-8"], "body OK", cases=["eio.x.fixed@polling"])]},
    {"ref": "C", "title": "c", "servers": ["s"], "flaky": True,
     "causes": [cause(["EIO-HB-3"], "timeout")]},
    {"ref": "G", "title": "g", "servers": ["s"],
     "causes": [cause(["EIO-PK-11", "EIO-PK-5"], "not closed", **{"upstream-vectors": True})]}]}


def run(name, s, reason, v, tags, fam="conformance"):
    return {"run": "%s@%s" % (name, s), "id": name, "verdict": v, "reason": reason,
            "expected": None, "actual": None, "tags": tags, "family": fam}


base = [run("eio.x.fails", "polling", NC, "FAIL", ["EIO-CL-6"]),
        run("eio.x.fixed", "polling", "step 2 (post): body OK", "NON-STRICT", ["EIO-TR-8"]),
        run("eio.x.timing", "websocket", "", "PASS", ["EIO-HB-3"]),
        run("eio.invalid.base64-bad-chars", "polling", NC, "FAIL", ["EIO-PK-11"]),
        run("sec.y", "polling", "r", "FAIL", ["SEC-1"], "security")]
check(known, base, 0, "all explained, flaky pass is no problem, security run ignored")
check(known, base + [run("eio.x.new", "polling", NC, "FAIL", ["EIO-HS-1"])], 1,
      "unexplained FAIL")
check(known, base + [run("eio.x.new", "polling", "r", "SKIP", ["EIO-CL-6"])], 1,
      "unexplained SKIP")
# A SKIP for a need discovery did not find is no deviation, and it does not execute, so
# it neither needs an entry nor keeps an entry from being stale.
NEED = "needs the contract's base app on /socket.io/ (its \"auth\" greeting), which is absent"
check(known, base + [run("eio.x.new", "polling", NEED, "SKIP", ["EIO-CL-6"])], 0,
      "a need-SKIP is not unexplained", "1 SKIP runs need what the target does not serve")
check(known, base[:1] + [run("eio.x.fixed", "polling", NEED, "SKIP", ["EIO-TR-8"])] + base[2:],
      0, "a need-SKIP does not make its entry stale", "note: B matched no run")
# The point of causes: the id is listed, the reason is another one.
check(known, [run("eio.x.fails", "websocket", "bad CONNECT answer", "FAIL", ["EIO-CL-6"])] +
      base[1:], 1, "listed id with another reason is unexplained",
      "UNEXPLAINED FAIL       eio.x.fails@websocket - bad CONNECT answer")
check(known, base[:1] + [run("eio.x.fixed", "polling", "", "PASS", ["EIO-TR-8"])] + base[2:], 1,
      "stale entry", "STALE B")
check(known, base[:1] + base[2:], 0, "entry whose runs are not in the report is only a note",
      "note: B matched no run")
check(known, base + [run("eio.invalid.empty-message", "polling", NC, "FAIL", ["EIO-PK-5"])], 1,
      "invalid vector without upstream mark is not covered by G")
# --agree: sioconform's links (the C matcher) must equal the checker's, run by run.
def agree(runs, want_rc, why):
    with tempfile.TemporaryDirectory() as d:
        r = os.path.join(d, "r.json")
        json.dump({"runs": runs}, open(r, "w"))
        p = subprocess.run([sys.executable, checker, "--agree", os.path.join(fixture, "known.json"),
                            "s", r, vectors], capture_output=True, text=True)
    report(p.returncode == want_rc, "%s (exit %d, want %d)" % (why, p.returncode, want_rc),
           p.stdout + p.stderr)


linked = [dict(r, deviation=r["want"]) if r["want"] else r for r in runs]
agree([r for r in linked if r["verdict"] != "PASS" and r["want"]] + [linked[6]], 0,
      "--agree: links equal to the checker's")
agree([dict(linked[0], deviation="B")], 1, "--agree: a link to another entry is refused")
agree([dict(linked[1], deviation="A")], 1, "--agree: a link where the checker finds none")

# expect-counts.py: the counts must be exactly as written; a run of a flaky entry is
# counted apart and may only be PASS or linked to that entry.
def counts(runs, want, why, want_rc, want_out=None):
    V = ("PASS", "FAIL", "BLOCKED", "NON-STRICT", "INFO", "SKIP")
    summ = {v: sum(1 for r in runs if r["verdict"] == v and r["family"] != "security") for v in V}
    sec = {v: sum(1 for r in runs if r["verdict"] == v and r["family"] == "security") for v in V}
    with tempfile.TemporaryDirectory() as d:
        k, r, e = (os.path.join(d, n) for n in ("k.json", "r.json", "e.json"))
        json.dump(known, open(k, "w"))
        json.dump({"summary": summ, "security": sec, "runs": runs}, open(r, "w"))
        json.dump(dict(want, server="s"), open(e, "w"))
        p = subprocess.run([sys.executable, os.path.join(here, "expect-counts.py"), e, r, k],
                           capture_output=True, text=True)
    ok = p.returncode == want_rc and (want_out is None or want_out in p.stdout)
    report(ok, "expect-counts: %s (exit %d, want %d)" % (why, p.returncode, want_rc),
           p.stdout + p.stderr)


Z = dict.fromkeys(("PASS", "FAIL", "BLOCKED", "NON-STRICT", "INFO", "SKIP"), 0)
known["entries"][2]["causes"][0]["cases"] = ["eio.x.timing@*"]  # C, flaky
flaky_fail = dict(run("eio.x.timing", "websocket", "timeout", "FAIL", ["EIO-HB-3"]), deviation="C")
want = {"conformance": dict(Z, PASS=0, FAIL=2, **{"NON-STRICT": 1}), "security": dict(Z, FAIL=1)}
counts(base, want, "counts as written", 0, "counted apart: 1")
counts(base[:2] + [flaky_fail] + base[3:], want, "a flaky run may move to its verdict", 0)
counts(base[:2] + [dict(flaky_fail, deviation=None)] + base[3:], want,
       "a flaky run without its link is refused", 1, "FLAKY RUN BROKE ITS RULE")
counts(base + [run("eio.x.new", "polling", NC, "FAIL", ["EIO-CL-6"])], want,
       "one FAIL more is refused", 1, "FAIL          2     3   <--")
# Grammar: an entry that cannot say why is refused (exit 2), whatever its server.
for why, c in (("a cause without a pattern", {"tags": ["EIO-CL-6"], "cases": ["eio.x.*"]}),
               ("a cause without tags", {"reason": "x"}),
               ("a non-portable pattern", cause(["EIO-CL-6"], "\\d+ ms")),
               ("an unknown key", cause(["EIO-CL-6"], "x", pattern="eio.*"))):
    k2 = {"format": 2, "entries": known["entries"] + [
        {"ref": "Z", "title": "z", "servers": ["other"], "causes": [c]}]}
    check(k2, base, 2, "grammar: %s is an error" % why)
check({"format": 1, "entries": [{"ref": "A", "servers": ["s"], "cases": ["*"]}]}, base, 2,
      "format 1 (id patterns) is refused")
# The repository's own file follows the grammar.
try:
    cd.load_known(os.path.join(here, "..", "known-deviations.json"))
    report(True, "conformance/known-deviations.json loads")
except (cd.GrammarError, OSError, ValueError) as e:
    report(False, "conformance/known-deviations.json loads", str(e))
sys.exit(0 if all(results) else 1)
