#!/usr/bin/python3
"""Compares a sioconform --json report with the known deviations of one server.

usage: check-deviations.py [--matches | --agree] KNOWN.json SERVER REPORT.json [VECTORS_DIR]

Every run whose verdict is not PASS must be explained by an entry of KNOWN.json
(format 2) for SERVER: an entry explains a run when one of its causes matches it --
spec tags, verdict, failing step kind, and regular expressions over the run's reason,
expected and actual, optionally narrowed by run-id patterns or the vectors' upstream
marks. The grammar is in conformance/known-deviations.md ("Cause grammar"); the C
matcher (conformance/src/deviations.c) applies the same rule, and both are tested on
conformance/test/deviations-fixture/. A run id alone never explains a failure.

A non-flaky entry is stale when the report holds runs its causes could apply to (same
tags, run-id patterns and upstream marks) but none of them shows the deviation any more.
Security-pack runs (family "security") are scored apart and not checked.
A SKIP because discovery did not find what the case needs (the contract's echo path or
base app, a Socket.IO server, a transport: the reasons discover.c writes) is not a
deviation -- no server has to run the contract app (spec/contract.md) -- so when no
entry explains it, it is counted as "need absent", not unexplained; such a run never
makes an entry stale either (it did not execute).
--matches prints, instead of the check, one line per run: "RUN-ID REF" or "RUN-ID -".
--agree also checks that sioconform linked every run (its "deviation" field, security
runs included) to the entry this checker finds: use it on reports written with
`--known-deviations KNOWN.json --deviations-server SERVER`.
Exit 0: all explained, nothing stale; 1: unexplained or stale; 2: usage/input error
(including an entry that breaks the grammar).
"""
import fnmatch
import json
import os
import re
import sys

VERDICTS = ("FAIL", "NON-STRICT", "INFO", "SKIP", "BLOCKED")
CAUSE_KEYS = {"tags", "verdicts", "step", "reason", "expected", "actual", "cases",
              "upstream-vectors", "note"}
ENTRY_KEYS = {"ref", "title", "servers", "flaky", "causes"}
RE_FIELDS = ("reason", "expected", "actual")
RE_SPECIAL = ".[](){}*+?|^$\\"
# The SKIP reasons of discover.c's needs rules (ct_needs_reason, ct_proto_met): what the
# target lacks (a transport, or a protocol: issue 14).
NEED_SKIP = re.compile(r"^(needs (the contract's |a Socket\.IO server |Engine\.IO on |an Engine\.IO "
                       r"endpoint)|the server does not offer (the |Engine\.IO v))")


def need_skip(run):
    return run["verdict"] == "SKIP" and bool(NEED_SKIP.search(run.get("reason") or ""))


class GrammarError(Exception):
    pass


def portable(p):
    """Checks that P is in the portable subset (POSIX ERE read the same way by Python's
    re); returns P translated for Python ("$" -> "\\Z", so that it never matches before a
    final newline as Python's "$" would). Raises GrammarError. Mirrors
    ct_deviations_re_portable() in conformance/src/deviations.c rule for rule."""
    if not p:
        raise GrammarError("empty pattern")
    out, depth, atom, i = [], 0, False, 0
    nxt = lambda j: p[j] if j < len(p) else ""  # noqa: E731
    while i < len(p):
        ch = p[i]
        if not " " <= ch <= "~":
            raise GrammarError("character %r at %d is not printable ASCII" % (ch, i))
        if ch == "\\":
            if not nxt(i + 1) or nxt(i + 1) not in RE_SPECIAL:
                raise GrammarError('"\\" at %d escapes no special character' % i)
            out.append(p[i:i + 2])
            i += 2
            atom = True
            continue
        if ch == "[":
            j = i + 1
            if nxt(j) == "^":
                j += 1
            if nxt(j) in ("]", ""):
                raise GrammarError("empty or unclosed bracket at %d" % i)
            while nxt(j) not in ("]", ""):
                c = p[j]
                if c in "\\[":
                    raise GrammarError('"%s" inside a bracket at %d' % (c, j))
                if c in "-&~|" and nxt(j + 1) == c:
                    raise GrammarError('doubled "%s" inside a bracket at %d' % (c, j))
                if not " " <= c <= "~":
                    raise GrammarError("character at %d is not printable ASCII" % j)
                j += 1
            if not nxt(j):
                raise GrammarError("unclosed bracket at %d" % i)
            out.append(p[i:j + 1])
            i = j + 1
            atom = True
            continue
        if ch == "(":
            if nxt(i + 1) in ("?", ")", "|"):
                raise GrammarError('"(%s" at %d' % (nxt(i + 1), i))
            depth += 1
            atom = False
        elif ch == ")":
            if depth == 0:
                raise GrammarError('unbalanced ")" at %d' % i)
            depth -= 1
            atom = True
        elif ch == "|":
            if i == 0 or nxt(i + 1) in ("|", ")", ""):
                raise GrammarError("empty alternative at %d" % i)
            atom = False
        elif ch in "*+?{":
            if not atom:
                raise GrammarError('quantifier "%s" at %d follows no atom' % (ch, i))
            if ch == "{":
                m = re.match(r"\{([0-9]+)(,([0-9]*))?\}", p[i:])
                if not m:
                    raise GrammarError('"{" at %d is not {m}, {m,} or {m,n} (write \\{)' % i)
                lo = int(m.group(1))
                hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else -1)
                if lo > 255 or hi > 255 or (hi >= 0 and hi < lo):
                    raise GrammarError("bad bound at %d" % i)
                out.append(m.group(0))
                i += len(m.group(0))
                if nxt(i) and nxt(i) in "*+?{":
                    raise GrammarError("doubled quantifier at %d" % i)
                atom = False
                continue
            if nxt(i + 1) and nxt(i + 1) in "*+?{":
                raise GrammarError("doubled quantifier at %d" % (i + 1))
            atom = False
        elif ch in "}]":
            raise GrammarError('unescaped "%s" at %d (write \\%s)' % (ch, i, ch))
        elif ch in "^$":
            atom = False
        else:
            atom = True
        out.append("\\Z" if ch == "$" else ch)
        i += 1
    if depth:
        raise GrammarError('unclosed "("')
    return "".join(out)


def strlist(v, what, allow_empty_string=False):
    if not isinstance(v, list) or not v or not all(
            isinstance(s, str) and (s or allow_empty_string) and "\\" not in s for s in v):
        raise GrammarError('"%s" is not a non-empty array of strings' % what)
    return v


def load_cause(c):
    if not isinstance(c, dict):
        raise GrammarError("a cause is not an object")
    for k in c:
        if k not in CAUSE_KEYS:
            raise GrammarError('unknown key "%s" in a cause' % k)
    if "tags" not in c:
        raise GrammarError('a cause needs "tags": a non-empty array of spec tags')
    cause = {"tags": set(strlist(c["tags"], "tags"))}
    if "verdicts" in c:
        vs = c["verdicts"]
        if not isinstance(vs, list) or not vs or any(v not in VERDICTS for v in vs):
            raise GrammarError('bad "verdicts"')
        cause["verdicts"] = set(vs)
    if "step" in c:
        cause["step"] = set(strlist(c["step"], "step", True))
    if "cases" in c:
        cause["cases"] = strlist(c["cases"], "cases")
    if "upstream-vectors" in c:
        if c["upstream-vectors"] is not True:
            raise GrammarError('"upstream-vectors" can only be true')
        cause["upstream"] = True
    n = 0
    for f in RE_FIELDS:
        if f in c:
            if not isinstance(c[f], str):
                raise GrammarError('"%s" is not a string' % f)
            try:
                cause[f] = re.compile(portable(c[f]), re.DOTALL)
            except GrammarError as e:
                raise GrammarError('"%s" is not a portable pattern: %s' % (f, e))
            except re.error:
                raise GrammarError('"%s" does not compile' % f)
            n += 1
    if not n:
        raise GrammarError('a cause needs at least one of "reason", "expected", "actual"')
    return cause


def load_known(path):
    """All entries of PATH (format 2), validated, each with compiled causes."""
    with open(path, encoding="utf-8") as f:
        known = json.load(f)
    if known.get("format") != 2 or not isinstance(known.get("entries"), list):
        raise GrammarError("%s: not a known-deviations file of format 2" % path)
    entries = []
    for i, e in enumerate(known["entries"]):
        ref = e.get("ref", "?") if isinstance(e, dict) else "?"
        try:
            if not isinstance(e, dict) or not e.get("ref") or not isinstance(
                    e.get("servers"), list):
                raise GrammarError('no "ref" or "servers"')
            for k in e:
                if k not in ENTRY_KEYS:
                    raise GrammarError('unknown key "%s"' % k)
            if not isinstance(e.get("title"), str) or not e["title"]:
                raise GrammarError('no "title"')
            cs = e.get("causes")
            if not isinstance(cs, list) or not cs:
                raise GrammarError('no "causes" (a non-empty array)')
            entries.append({"ref": e["ref"], "title": e["title"], "servers": e["servers"],
                            "flaky": e.get("flaky") is True,
                            "causes": [load_cause(c) for c in cs]})
        except GrammarError as err:
            raise GrammarError("%s: entry %d (%s): %s" % (path, i, ref, err))
    return known, entries


def upstream_ids(vdir):
    """Case ids of invalid vectors the official parser accepts by design."""
    ids = set()
    for proto in ("eio", "sio", "eio3", "sio4", "msgpack"):  # issue 14: the v3 families too
        path = os.path.join(vdir, proto, "invalid.json")
        try:
            with open(path, encoding="utf-8") as f:
                vectors = json.load(f)["vectors"]
        except OSError:
            continue
        for v in vectors:
            if "upstream" in v:
                ids.add("%s.invalid.%s" % (proto, v["id"]))
    return ids


STEP_RE = re.compile(r"step [0-9]+ \((.*?)\): ", re.DOTALL)


def step_kind(reason):
    """The failing step's kind: "step 3 (expect_close): ..." -> "expect_close"; "" when
    the reason has no such prefix."""
    m = STEP_RE.match(reason or "")
    return m.group(1) if m else ""


def scope(cause, run, up):
    """The cause's narrowing without the verdict and patterns: could it apply here?"""
    if not cause["tags"] & set(run.get("tags", [])):
        return False
    if "cases" in cause and not any(fnmatch.fnmatchcase(run["run"], p) for p in cause["cases"]):
        return False
    if cause.get("upstream") and run["id"] not in up:
        return False
    return True


def cause_matches(cause, run, up):
    v = run["verdict"]
    if v not in cause.get("verdicts", VERDICTS) or v == "PASS":
        return False
    if not scope(cause, run, up):
        return False
    if "step" in cause and step_kind(run.get("reason")) not in cause["step"]:
        return False
    for f in RE_FIELDS:
        if f in cause:
            s = run.get(f) if f != "reason" else (run.get(f) or "")
            if s is None or not cause[f].search(s):
                return False
    return True


def match(entries, run, up):
    """The first entry (file order) one of whose causes explains RUN, or None."""
    for e in entries:
        if any(cause_matches(c, run, up) for c in e["causes"]):
            return e
    return None


def main(argv):
    args = argv[1:]
    only_matches = bool(args) and args[0] == "--matches"
    agree = bool(args) and args[0] == "--agree"
    if only_matches or agree:
        args = args[1:]
    if len(args) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    known_path, server, report_path = args[:3]
    vdir = args[3] if len(args) == 4 else os.path.join(
        os.path.dirname(os.path.abspath(known_path)), "..", "vectors")
    try:
        known, everything = load_known(known_path)
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError, GrammarError) as e:
        print("check-deviations: %s" % e, file=sys.stderr)
        return 2
    entries = [e for e in everything if server in e["servers"]]
    if not entries and server not in known.get("clean", []):
        print("no entries for server %r" % server, file=sys.stderr)
        return 2
    up = upstream_ids(vdir)

    if only_matches:
        for run in report["runs"]:
            e = match(entries, run, up)
            print("%s %s" % (run["run"], e["ref"] if e else "-"))
        return 0

    bad = 0
    shown = {e["ref"]: 0 for e in entries}     # non-PASS runs each entry explains
    in_scope = {e["ref"]: 0 for e in entries}  # runs each entry's causes could apply to
    counts = {}
    sec = 0
    need_absent = 0  # SKIP: discovery did not find what the case needs (not a deviation)
    for run in report["runs"]:
        if agree:
            e = match(entries, run, up)
            if run.get("deviation") != (e["ref"] if e else None):
                bad += 1
                print("DISAGREE %s: sioconform linked %s, the checker %s"
                      % (run["run"], run.get("deviation") or "-", e["ref"] if e else "-"))
        if run.get("family") == "security":
            # The security pack is scored apart (issue 6); not a conformance deviation.
            sec += 1
            continue
        v = run["verdict"]
        counts[v] = counts.get(v, 0) + 1
        for e in entries:
            if not need_skip(run) and any(scope(c, run, up) for c in e["causes"]):
                in_scope[e["ref"]] += 1
        if v not in ("PASS",) + VERDICTS:
            bad += 1
            print("UNKNOWN VERDICT %s %s" % (v, run["run"]))
            continue
        if v == "PASS":
            continue
        e = match(entries, run, up)
        if e is None and need_skip(run):
            need_absent += 1
        elif e is None:
            bad += 1
            print("UNEXPLAINED %-10s %s - %s" % (v, run["run"], run.get("reason", "")))
            for f in ("expected", "actual"):
                if run.get(f) is not None:
                    print("            %-8s %s" % (f + ":", run[f]))
        else:
            shown[e["ref"]] += 1
    for e in entries:
        ref = e["ref"]
        if shown[ref]:
            print("explained by %s: %d run(s)" % (ref, shown[ref]))
        elif not in_scope[ref]:
            # No run this entry could apply to (selection, or case removed): a note.
            print("note: %s matched no run" % ref)
        elif e["flaky"]:
            print("note: %s (flaky) did not show this time" % ref)
        else:
            bad += 1
            print("STALE %s: %d run(s) it applies to, none shows the deviation any more"
                  % (ref, in_scope[ref]))
    if need_absent:
        print("note: %d SKIP runs need what the target does not serve (contract app, echo "
              "path, transport): not deviations" % need_absent)
    if sec:
        print("note: %d security-pack runs not checked here" % sec)
    print("%s: %s; %s" % (server, ", ".join("%s %d" % kv for kv in sorted(counts.items())),
                          "all non-PASS explained" if not bad else "%d problem(s)" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
