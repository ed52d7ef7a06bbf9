#!/usr/bin/python3
"""Compares the verdict counts of a sioconform --json report with an expected-counts file.

usage: expect-counts.py EXPECTED.json REPORT.json KNOWN.json

EXPECTED.json (conformance/test/expected/*.json):
  {"server": "bare-node",                      the --deviations-server name of the run
   "conformance": {"PASS": n, "FAIL": n, "BLOCKED": n, "NON-STRICT": n, "INFO": n, "SKIP": n},
   "security":    {... the same six counts for the sec.* pack ...}}

The report's `summary` and `security` objects must hold exactly those counts; on any
difference every count is printed as expected vs got, and the run ids behind the
differing verdicts are listed.

Runs that depend on timing are taken from KNOWN.json, not from the expected file: a run
whose id matches a `cases` pattern of a cause of an entry marked "flaky" and listed for
the server. Such a run is counted apart, never in the six counts: it must end PASS or
with a verdict that sioconform linked to one of those flaky entries (the report's
`deviation`); anything else (another verdict, another or no link) fails the check. So a
timing race may move such a run between PASS and its judged verdict, and nothing else
may move; the flaky runs and their verdicts are printed.

Exit 0: the counts match; 1: they differ or a flaky run broke its rule; 2: usage/input.
"""
import fnmatch
import json
import sys

VERDICTS = ("PASS", "FAIL", "BLOCKED", "NON-STRICT", "INFO", "SKIP")


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            want = json.load(f)
        with open(argv[2], encoding="utf-8") as f:
            report = json.load(f)
        with open(argv[3], encoding="utf-8") as f:
            known = json.load(f)
        server = want["server"]
        pats = {}  # run-id pattern -> flaky refs
        for e in known["entries"]:
            if e.get("flaky") and server in e["servers"]:
                for c in e["causes"]:
                    for pat in c.get("cases", []):
                        pats.setdefault(pat, set()).add(e["ref"])
        groups = {g: {v: int(want[g][v]) for v in VERDICTS} for g in ("conformance", "security")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        print("expect-counts: %s" % e, file=sys.stderr)
        return 2
    got = {g: dict.fromkeys(VERDICTS, 0) for g in groups}
    ids = {g: {v: [] for v in VERDICTS} for g in groups}
    bad = 0
    flaky_seen = {}
    for run in report.get("runs", []):
        rid, v = run["run"], run["verdict"]
        g = "security" if run.get("family") == "security" else "conformance"
        refs = set()
        for pat, rs in pats.items():
            if fnmatch.fnmatchcase(rid, pat):
                refs |= rs
        # a SKIP does not depend on timing (a need or an extension is missing): counted as usual
        if refs and v != "SKIP":
            if v == "PASS" or run.get("deviation") in refs:
                flaky_seen[rid] = v + ("" if v == "PASS" else " " + run["deviation"])
            else:
                bad += 1
                print("FLAKY RUN BROKE ITS RULE %s: %s linked to %s, allowed: PASS or %s"
                      % (rid, v, run.get("deviation") or "-", "/".join(sorted(refs))))
                flaky_seen[rid] = v + " (broke its rule)"
            continue
        if v not in VERDICTS:
            bad += 1
            print("UNKNOWN VERDICT %s %s" % (v, rid))
            continue
        got[g][v] += 1
        ids[g][v].append(rid)
    # The report's own summary must agree with its runs (minus the flaky ones).
    for g, key in (("conformance", "summary"), ("security", "security")):
        s = report.get(key, {})
        moved = sum(1 for rid in flaky_seen if (g == "security") == rid.startswith("sec."))
        total = sum(int(s.get(v, 0)) for v in VERDICTS)
        if total != sum(got[g].values()) + moved:
            bad += 1
            print("REPORT INCONSISTENT: %s summary counts %d runs, the runs list %d"
                  % (key, total, sum(got[g].values()) + moved))
    for g in groups:
        if got[g] != groups[g]:
            bad += 1
            print("%s counts differ (expected vs got):" % g)
            for v in VERDICTS:
                mark = "" if got[g][v] == groups[g][v] else "   <--"
                print("  %-10s %4d  %4d%s" % (v, groups[g][v], got[g][v], mark))
            for v in VERDICTS:
                if got[g][v] != groups[g][v] and v != "PASS" and ids[g][v]:
                    runs = sorted(ids[g][v])
                    more = " ... (%d more)" % (len(runs) - 30) if len(runs) > 30 else ""
                    print("  %s runs: %s%s" % (v, " ".join(runs[:30]), more))
        else:
            print("%s: %s (as expected)" % (g, ", ".join("%s %d" % (v, got[g][v]) for v in VERDICTS)))
    if flaky_seen:
        print("timing-dependent runs (flaky entries), counted apart: %d: %s" % (len(flaky_seen), ", ".join(
            "%s %s" % (rid, flaky_seen[rid]) for rid in sorted(flaky_seen))))
    print("expect-counts %s: %s" % (want.get("server", "?"), "OK" if not bad else "%d problem(s)" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
