#!/usr/bin/python3
"""Asserts that a sioconform --json report has a FAIL for every given run-id pattern.

usage: expect-fail.py REPORT.json PATTERN...   (fnmatch patterns on run ids)
Exit 0 when every pattern matches at least one FAIL run, 1 otherwise, 2 on bad input.
"""
import fnmatch
import json
import sys

if len(sys.argv) < 3:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
with open(sys.argv[1], encoding="utf-8") as f:
    runs = json.load(f)["runs"]
failed = [r["run"] for r in runs if r["verdict"] == "FAIL"]
missing = [p for p in sys.argv[2:] if not any(fnmatch.fnmatchcase(r, p) for r in failed)]
for p in missing:
    print("expected a FAIL matching %s; failed runs: %s" % (p, ", ".join(failed) or "none"))
print("%d runs, %d FAIL, %d/%d expected patterns failed" %
      (len(runs), len(failed), len(sys.argv) - 2 - len(missing), len(sys.argv) - 2))
sys.exit(1 if missing else 0)
