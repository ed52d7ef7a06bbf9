#!/usr/bin/python3
"""Compares a sioconform --json report with the known deviations of one server.

usage: check-deviations.py KNOWN.json SERVER REPORT.json [VECTORS_DIR]

Every run whose verdict is not PASS must match an entry of KNOWN.json for SERVER
(fnmatch patterns on run ids such as "eio.invalid.foo@polling"); each entry names the
section of known-deviations.md that explains it. A non-flaky entry none of whose
matched runs is non-PASS any more is stale. Security-pack runs (family "security")
are scored apart and not checked. Entries with "upstream-vectors": true
match the invalid-vector cases whose vector carries an `upstream` mark.
Exit 0: all explained, nothing stale; 1: unexplained or stale; 2: usage/input error.
"""
import fnmatch
import json
import os
import sys


def upstream_ids(vdir):
    """Case ids of invalid vectors the official parser accepts by design."""
    ids = set()
    for proto in ("eio", "sio"):
        path = os.path.join(vdir, proto, "invalid.json")
        with open(path, encoding="utf-8") as f:
            for v in json.load(f)["vectors"]:
                if "upstream" in v:
                    ids.add("%s.invalid.%s" % (proto, v["id"]))
    return ids


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    known_path, server, report_path = argv[1:4]
    vdir = argv[4] if len(argv) == 5 else os.path.join(
        os.path.dirname(os.path.abspath(known_path)), "..", "vectors")
    with open(known_path, encoding="utf-8") as f:
        known = json.load(f)
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    entries = [e for e in known["entries"] if server in e["servers"]]
    if not entries and server not in known.get("clean", []):
        print("no entries for server %r" % server, file=sys.stderr)
        return 2
    up = upstream_ids(vdir)

    def matches(e, run):
        if e.get("upstream-vectors") and run["id"] in up:
            return True
        return any(fnmatch.fnmatchcase(run["run"], p) for p in e.get("cases", []))

    bad = 0
    hits = {e["ref"]: [] for e in entries}
    counts = {}
    sec = 0
    for run in report["runs"]:
        if run.get("family") == "security":
            # The security pack is scored apart (issue 6); not a conformance deviation.
            sec += 1
            continue
        v = run["verdict"]
        counts[v] = counts.get(v, 0) + 1
        mine = [e for e in entries if matches(e, run)]
        for e in mine:
            hits[e["ref"]].append((run["run"], v))
        if v == "PASS":
            continue
        if not mine:
            bad += 1
            print("UNEXPLAINED %-10s %s - %s" % (v, run["run"], run["reason"]))
        elif v not in ("FAIL", "NON-STRICT", "INFO", "SKIP"):
            bad += 1
            print("UNKNOWN VERDICT %s %s" % (v, run["run"]))
    for e in entries:
        h = hits[e["ref"]]
        nonpass = [r for r, v in h if v != "PASS"]
        if nonpass:
            continue
        if not h:
            # Case not in this run (selection or removed): only a note.
            print("note: %s matched no run" % e["ref"])
        elif e.get("flaky"):
            print("note: %s (flaky) passed this time: %s" % (e["ref"], ", ".join(r for r, _ in h)))
        else:
            bad += 1
            print("STALE %s: every matched run passes now: %s" % (e["ref"], ", ".join(r for r, _ in h)))
    if sec:
        print("note: %d security-pack runs not checked here" % sec)
    print("%s: %s; %s" % (server, ", ".join("%s %d" % kv for kv in sorted(counts.items())),
                          "all non-PASS explained" if not bad else "%d problem(s)" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
