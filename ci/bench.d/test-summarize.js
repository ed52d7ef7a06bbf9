// Self-test of summarize.js (the ci/bench report): builds results folders from synthetic
// sioload / codec documents and checks that every goal verdict follows the data, i.e.
// that changing one figure flips exactly that goal, and that missing data says so.
// Usage: node ci/bench.d/test-summarize.js   (exit 0 = pass; run by ctest)
"use strict";
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");

const SUMMARIZE = path.join(__dirname, "summarize.js");

// One server's figures; F scales the "cost" figures and G the "speed" figures, so the
// official server (1, 1) and sioref (f, g) can be set apart per test.
function docs(label, v) {
  const echo = (k, rate, cpu, p99) => ({
    phase: "echo", param: k, clients: k, rate, latency_us: { p50: p99 / 2, p99, p999: p99 },
    cpu_us: { wall: 2e6, sioload: 1e6, server: 2e6, server_tick: 10000 },
    cpu_us_per_op: { op: "ack", server: cpu, sioload: 3 }, cpu_pct: { sioload: 50, server: 100, others: v.others ?? 0 },
  });
  const bc = (size, last, cpu) => ({
    phase: "broadcast", param: size, clients: size, rate: 1000, first_p50_us: 500, last_p50_us: last,
    cpu_us: { wall: 1e6, sioload: 1e5, server: 9e5, server_tick: 10000 },
    cpu_us_per_op: { op: "delivery", server: cpu, sioload: 2 }, cpu_pct: { sioload: 10, server: 90, others: 0 },
  });
  const idle = (n, kib) => ({ phase: "idle", clients: n, server_kib_per_client: kib, cpu_pct: { sioload: 0, server: 1, others: v.others ?? 0 } });
  const doc = (clients, phases) => ({ tool: "sioload", label, clients, phases });
  return {
    ws1k: doc(1000, [idle(1000, v.mem), ...[1, 10, 100, 1000].map((k) => echo(k, v.acks, v.cpu, v.p99)), bc(1000, v.bc, v.cpu)]),
    ws5k: doc(5000, [idle(5000, v.mem), bc(5000, v.bc, v.cpu)]),
    ws10k: doc(10000, [{ phase: "ramp", clients: v.held, rate: 5000 }, idle(v.held, v.mem)]),
    polling: doc(100, [echo(10, v.poll, v.cpu, v.p99)]),
  };
}
const OFFICIAL = { mem: 20, acks: 60000, cpu: 15, p99: 3000, bc: 60000, poll: 10000, held: 10000 };
const GOOD = { mem: 3, acks: 150000, cpu: 2, p99: 1000, bc: 15000, poll: 40000, held: 10000 };

function codec(ns) {
  const ids = ["small-event", "json-1k-event", "nsp-ack-event", "binary-1k", "polling-10", "base64-4k"];
  return { results: ids.map((id) => ({ id, wire_bytes: 21, decode_ns: [ns[id] ?? 100], encode_ns: [100] })) };
}

// Write a results folder, run summarize.js on it, return summary.json.
function run(name, sioref, codecOurs, runsN = 1) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sumtest-${name}-`));
  for (let r = 1; r <= runsN; r++) {
    for (const [scen, d] of Object.entries(docs("official", OFFICIAL)))
      fs.writeFileSync(path.join(dir, `official-${scen}-${r}.json`), JSON.stringify(d));
    if (sioref)
      for (const [scen, d] of Object.entries(docs("sioref", typeof sioref === "function" ? sioref(r) : sioref)))
        fs.writeFileSync(path.join(dir, `sioref-${scen}-${r}.json`), JSON.stringify(d));
  }
  fs.writeFileSync(path.join(dir, "codec-official.json"), JSON.stringify(codec({})));
  if (codecOurs) fs.writeFileSync(path.join(dir, "codec-sioref.json"), JSON.stringify(codec(codecOurs)));
  fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ runs: runsN, quick: true, codec: true, codec_runs: 1, codec_ms: 10, nproc: 2, pin: null, commit: "" }));
  const text = execFileSync(process.execPath, [SUMMARIZE, dir], { encoding: "utf8" });
  const sum = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
  fs.rmSync(dir, { recursive: true, force: true });
  sum.text = text;
  return sum;
}
const verdicts = (s) => Object.fromEntries(s.goals.filter((g) => !g.informational).map((g) => [g.goal, g.verdict]));
const FAST = { "small-event": 15, "nsp-ack-event": 15, "polling-10": 15, "json-1k-event": 40 };

let checks = 0;
function check(cond, msg) {
  assert.ok(cond, msg);
  checks++;
}

// 1. Everything better than the targets: every counted goal is met.
const good = run("good", GOOD, FAST);
const gv = verdicts(good);
check(Object.keys(gv).length === 13, `13 counted goals, got ${Object.keys(gv).length}`);
for (const [goal, v] of Object.entries(gv)) check(v === "met", `${goal}: ${v}`);
check(/goals met: 13 of 13/.test(good.text), "tally line");
check(/runs: 1 requested/.test(good.text), "header names the run count");

// 2. One figure at a time made to miss its target flips exactly that goal.
const flips = [
  ["mem", 5, /memory per idle WS client, 1,000/],
  ["acks", 100000, /acks\/s at 100 in flight/],
  ["p99", 2000, /p99 latency at 100 in flight/],
  ["bc", 30000, /fan-out to 5,000/],
  ["poll", 25000, /polling acks\/s/],
];
for (const [key, bad, re] of flips) {
  const v = verdicts(run(`flip-${key}`, { ...GOOD, [key]: bad }, FAST));
  for (const [goal, verdict] of Object.entries(v)) {
    const expected = re.test(goal) ? "not met" : "met";
    // memory and CPU figures feed several goals; only the named one is checked as flipped
    if (re.test(goal) || !["mem", "cpu"].includes(key)) check(verdict === expected, `${key}=${bad}: ${goal}: ${verdict}`);
  }
}
{
  // CPU per ack: 4 us against 15 us is 0.27 > 0.2.
  const v = verdicts(run("flip-cpu", { ...GOOD, cpu: 4 }, FAST));
  check(v["server CPU per ack, 100 in flight"] === "not met", "cpu flip");
  check(v["acks/s at 100 in flight"] === "met", "cpu flip leaves acks alone");
}
{
  // Codec: small-event at 25 ns against 100 is 4x, not 5x; the 1 KB goal stays met.
  const v = verdicts(run("flip-codec", GOOD, { ...FAST, "small-event": 25 }));
  check(v["codec decode, small packets: small-event (21 B)"] === "not met", "codec flip");
  check(v["codec decode, small packets: nsp-ack-event (21 B)"] === "met", "codec other case");
}
{
  // sioload's ceiling: best echo below 100,000 acks/s.
  const v = verdicts(run("slow", { ...GOOD, acks: 90000, poll: 40000 }, FAST));
  check(v["sioload sustains acks/s against sioref (best echo)"] === "not met", "ceiling flip");
}
{
  // 10,000 clients: one client short is not met.
  const v = verdicts(run("held", { ...GOOD, held: 9999 }, FAST));
  check(v["sioref holds 10,000 WS clients (ws10k)"] === "not met", "held flip");
}

// 3. No sioref data: every goal says so, none is met.
for (const [goal, v] of Object.entries(verdicts(run("none", null, null))))
  check(v === "n/a (no data)" || v === "not met", `${goal} without data: ${v}`);

// 4. Several runs: the verdict says in how many paired runs the goal held.
{
  const s = run("paired", (r) => (r === 2 ? { ...GOOD, acks: 100000 } : GOOD), FAST, 3);
  const v = verdicts(s);
  check(v["acks/s at 100 in flight"] === "met (2/3 runs)", `paired: ${v["acks/s at 100 in flight"]}`);
  const g = s.goals.find((x) => x.goal === "acks/s at 100 in flight");
  check(g.per_run.length === 3, "per-run ratios in summary.json");
}
// 5. Other programs busy during sioref's phases: CPU-bound goals say the verdict is
// tainted, memory goals do not.
{
  const v = verdicts(run("busy", { ...GOOD, others: 80 }, FAST));
  check(/^met \[machine busy: others 80%\]$/.test(v["acks/s at 100 in flight"]), `busy: ${v["acks/s at 100 in flight"]}`);
  check(v["memory per idle WS client, 1,000 clients"] === "met", `busy memory: ${v["memory per idle WS client, 1,000 clients"]}`);
}
console.log(`test-summarize: ${checks} checks passed`);
