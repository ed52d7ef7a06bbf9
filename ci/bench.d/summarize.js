// ci/bench's report: reads the per-run JSON files of a results folder (sioload runs
// named SERVER-SCENARIO-RUN.json, codec-official.json / codec-sioref.json) and prints one
// side-by-side table: median [min-max] per server and the ratio ours / official, then
// the goals of issue 7, each judged from those figures (nothing here is a fixed answer).
// Usage: node summarize.js RESULTS_DIR   (also writes RESULTS_DIR/summary.json)
// RESULTS_DIR/meta.json (written by ci/bench: runs, mode, pinning) feeds the header.
"use strict";
const fs = require("fs");
const path = require("path");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: summarize.js RESULTS_DIR");
  process.exit(2);
}
const SERVERS = ["official", "sioref"];
const runs = {}; // runs[server][scenario] = [doc, ...]
for (const f of fs.readdirSync(dir)) {
  const m = /^(official|sioref)-([a-z0-9]+)-(\d+)\.json$/.exec(f);
  if (!m) continue;
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  } catch (e) {
    continue;
  }
  doc._run = Number(m[3]); // runs of both servers with one number ran back to back
  ((runs[m[1]] ||= {})[m[2]] ||= []).push(doc);
}

// rowOthers collects the CPU of other processes in every phase a row reads, so that a
// goal judged on a phase the machine was busy during can say so.
let rowOthers = [];
function phase(doc, name, param) {
  const p = doc.phases.find((x) => x.phase === name && (param === undefined || x.param === param));
  if (typeof p?.cpu_pct?.others === "number") rowOthers.push(p.cpu_pct.others);
  return p;
}
// Server CPU microseconds per operation in a phase (its utime + stime over the window,
// divided by the operations counted in it; sioload computes it, see lt_us_per_op).
// /proc/PID/stat counts in clock ticks (10 ms): srvPerOp notes how many ticks each
// figure stands on, so that a row read from a short window can say it is coarse.
let rowTicks = [];
const srvPerOp = (p) => {
  const c = p?.cpu_us;
  if (c && typeof c.server === "number" && c.server_tick > 0) rowTicks.push(c.server / c.server_tick);
  return p?.cpu_us_per_op?.server ?? undefined;
};
// One row: LABEL, higher-is-better flag, and the scenario + getter that pulls one
// number out of one run's document (undefined when the run lacks it); an optional
// fifth element is the row's id, used by the goals below.
const ROWS = [
  ["memory per idle client, 1,000 WS (KiB)", false, "ws1k", (d) => phase(d, "idle")?.server_kib_per_client, "mem1k"],
  ["memory per idle client, 5,000 WS (KiB)", false, "ws5k", (d) => phase(d, "idle")?.server_kib_per_client, "mem5k"],
  ["memory per idle client, 10,000 WS (KiB)", false, "ws10k", (d) => phase(d, "idle")?.server_kib_per_client, "mem10k"],
  ...[1, 10, 100, 1000].flatMap((k) => [
    [`acks/s, ${k} in flight`, true, "ws1k", (d) => phase(d, "echo", k)?.rate, `acks${k}`],
    [`  p99 latency, ${k} in flight (ms)`, false, "ws1k", (d) => ms(phase(d, "echo", k)?.latency_us?.p99), `p99_${k}`],
    [`  server CPU per ack, ${k} in flight (us)`, false, "ws1k", (d) => srvPerOp(phase(d, "echo", k)), `cpu${k}`],
  ]),
  ["room fan-out to 1,000: last delivery p50 (ms)", false, "ws1k", (d) => ms(phase(d, "broadcast", 1000)?.last_p50_us)],
  ["room fan-out to 1,000: first delivery p50 (ms)", false, "ws1k", (d) => ms(phase(d, "broadcast", 1000)?.first_p50_us)],
  ["  server CPU per fan-out delivery, 1,000 (us)", false, "ws1k", (d) => srvPerOp(phase(d, "broadcast", 1000)), "cpubc1k"],
  ["room fan-out to 5,000: last delivery p50 (ms)", false, "ws5k", (d) => ms(phase(d, "broadcast", 5000)?.last_p50_us), "bc5k"],
  ["room fan-out to 5,000: first delivery p50 (ms)", false, "ws5k", (d) => ms(phase(d, "broadcast", 5000)?.first_p50_us)],
  ["  server CPU per fan-out delivery, 5,000 (us)", false, "ws5k", (d) => srvPerOp(phase(d, "broadcast", 5000)), "cpubc5k"],
  ["polling acks/s, 100 clients, 10 in flight", true, "polling", (d) => phase(d, "echo", 10)?.rate, "poll"],
  ["  polling p99 latency (ms)", false, "polling", (d) => ms(phase(d, "echo", 10)?.latency_us?.p99)],
  ["  polling server CPU per ack (us)", false, "polling", (d) => srvPerOp(phase(d, "echo", 10)), "cpupoll"],
  ["connects/s (churn, 50 at once, WS)", true, "ws1k", (d) => phase(d, "churn")?.rate],
  ["ramp-up to 10,000 WS (connects/s)", true, "ws10k", (d) => phase(d, "ramp")?.rate],
];
// Headroom: sioload's CPU beside the server's, in the same windows.
const CPU_ROWS = [
  ["echo, 100 in flight", "ws1k", (d) => phase(d, "echo", 100)],
  ["echo, 1,000 in flight", "ws1k", (d) => phase(d, "echo", 1000)],
  ["fan-out to 5,000", "ws5k", (d) => phase(d, "broadcast", 5000)],
  ["polling echo", "polling", (d) => phase(d, "echo", 10)],
];

function ms(us) {
  return us === undefined || us === null ? undefined : us / 1000;
}
function stats(values) {
  const v = values.filter((x) => typeof x === "number" && isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}
function num(x) {
  if (x >= 10000) return Math.round(x).toLocaleString("en-US");
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
function cell(s) {
  if (!s) return "n/a";
  return s.n > 1 ? `${num(s.median)} [${num(s.min)}-${num(s.max)}]` : num(s.median);
}
function pad(s, n) {
  return s.length >= n ? s + " " : s + " ".repeat(n - s.length); // never glue two columns
}

const out = { load: [], cpu: [], codec: [] };
const lines = [];
const W = [48, 26, 26, 8];
const row = (a, b, c, d) => lines.push(pad(a, W[0]) + pad(b, W[1]) + pad(c, W[2]) + d);

lines.push("sioref vs the official Socket.IO server (Node " + process.version + ", socket.io 4.8.4), same sioload phases");
const meta = readJson("meta.json");
{
  // How many runs each figure stands on: requested, and completed per scenario.
  const scen = ["ws1k", "ws5k", "ws10k", "polling"];
  const done = scen.map((s) => `${s} ${SERVERS.map((v) => (runs[v]?.[s] || []).length).join("/")}`).join(", ");
  const mode = meta ? `${meta.runs} requested (${meta.quick ? "--quick" : "full run"})` : "requested count unknown (no meta.json)";
  lines.push(`runs: ${mode}; completed per scenario (official/sioref): ${done}`);
  if (meta) {
    lines.push(
      (meta.codec === false ? "codec: skipped (--no-codec)" : `codec: ${meta.codec_runs} run(s) x ${meta.codec_ms} ms per case and direction`) +
        `; machine: ${meta.nproc} core(s), ` +
        `${meta.pin ? "pinned: " + meta.pin : "not pinned (server and sioload share the cores)"}` +
        (meta.commit ? `; tree ${meta.commit}` : ""),
    );
  }
}
out.meta = meta;
lines.push("values: median [min-max] over runs; ratio = sioref / official, with which way it points");
lines.push("");
row("metric", "official", "sioref", "ratio");
const byId = {}; // row id -> entry of out.load
const coarse = []; // rows whose server CPU stands on few clock ticks
for (const [label, higher, scen, get, id] of ROWS) {
  const s = {};
  rowTicks = [];
  rowOthers = [];
  for (const srv of SERVERS) s[srv] = stats((runs[srv]?.[scen] || []).map(get));
  const othersMax = rowOthers.length ? Math.max(...rowOthers) : null;
  if (rowTicks.length && Math.min(...rowTicks) < 50) coarse.push([label.trim(), Math.round(Math.min(...rowTicks))]);
  const ratio = s.official && s.sioref && s.official.median ? s.sioref.median / s.official.median : null;
  // say which way the ratio points, so nobody has to remember per row
  const verdict = ratio === null ? "" : Math.abs(ratio - 1) < 0.05 ? " (same)" : (ratio > 1) === higher ? " (better)" : " (worse)";
  row(label, cell(s.official), cell(s.sioref), ratio === null ? "-" : ratio.toFixed(2) + verdict);
  out.load.push({ metric: label, higher_is_better: higher, official: s.official, sioref: s.sioref, ratio });
  if (id) byId[id] = { entry: out.load[out.load.length - 1], scen, get, othersMax };
}
for (const [label, ticks] of coarse)
  lines.push(`  coarse: "${label}" rests on as few as ${ticks} clock ticks of server CPU (+-1 tick each)`);
// The loopback TCP ceiling measured in the same run (sioload-tcp-baseline).
const base = {};
for (const f of fs.readdirSync(dir)) {
  if (!/^baseline-\d+\.json$/.test(f)) continue;
  try {
    for (const r of JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")).results) (base[r.inflight] ||= []).push(r.rate);
  } catch (e) {}
}
if (Object.keys(base).length) {
  lines.push("");
  lines.push("machine ceiling: plain TCP ping-pong on loopback, 32-byte messages (round trips/s)");
  for (const k of Object.keys(base).sort((a, b) => a - b)) {
    const s = stats(base[k]);
    row(`  ${k} in flight`, cell(s), "", "");
    out.baseline = out.baseline || [];
    out.baseline.push({ inflight: Number(k), rate: s });
  }
}
lines.push("");
lines.push("load generator headroom: CPU % of one core, sioload / server / other processes, same window (median),");
lines.push("and sioload's own CPU per operation (per ack; per delivery in fan-out)");
row("phase", "official run", "sioref run", "");
for (const [label, scen, get] of CPU_ROWS) {
  const c = {};
  for (const srv of SERVERS) {
    const phases = (runs[srv]?.[scen] || []).map(get).filter(Boolean);
    const docs = phases.map((x) => x.cpu_pct).filter(Boolean);
    const a = stats(docs.map((x) => x.sioload));
    const u = stats(phases.map((x) => x.cpu_us_per_op?.sioload));
    const b = stats(docs.map((x) => x.server));
    const o = stats(docs.map((x) => x.others));
    const p = (s) => (s ? s.median.toFixed(0) + "%" : "?");
    c[srv] = a ? `${p(a)} / ${p(b)} / ${p(o)}` + (u ? `, ${num(u.median)} us` : "") : "n/a";
    out.cpu.push({ phase: label, server: srv, sioload_pct: a, server_pct: b, others_pct: o, sioload_us_per_op: u });
  }
  row(label, c.official, c.sioref, "");
}

// A shared machine skews everything: say so when other processes were busy.
const BUSY_PCT = 25; // percent of one core used by other programs that taints a figure
let busiest = 0;
for (const srv of SERVERS)
  for (const docs of Object.values(runs[srv] || {}))
    for (const d of docs) for (const p of d.phases) busiest = Math.max(busiest, p.cpu_pct?.others ?? 0);
if (busiest > BUSY_PCT) {
  lines.push(`WARNING: other processes used up to ${busiest.toFixed(0)}% of a core during some phases;`);
  lines.push("         the machine was shared, so rates are lower bounds and latencies upper bounds.");
}

function readJson(f) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  } catch (e) {
    return null;
  }
}
const codecOfficial = readJson("codec-official.json");
const codecOurs = readJson("codec-sioref.json");
if (codecOfficial || codecOurs) {
  lines.push("");
  lines.push("codec throughput, ns per packet (decode = wire to Socket.IO packet; encode = packet to wire)");
  lines.push("official: socket.io-parser 4.2.7 + engine.io-parser 5.2.3 on Node; sioref: ref/ codecs (C, -O2)");
  row("case (wire bytes)", "official", "sioref", "ratio");
  const ids = (codecOfficial || codecOurs).results.map((r) => r.id);
  for (const id of ids) {
    const o = codecOfficial?.results.find((r) => r.id === id);
    const c = codecOurs?.results.find((r) => r.id === id);
    for (const dirn of ["decode", "encode"]) {
      const so = o ? stats(o[`${dirn}_ns`]) : null;
      const sc = c ? stats(c[`${dirn}_ns`].filter((x) => x >= 0)) : null;
      const ratio = so && sc ? sc.median / so.median : null; // time per packet: < 1 is faster
      const tag = c && dirn === "encode" && c.encode_matches_official === false ? " (wire differs!)" : "";
      const verdict = ratio === null ? "" : ratio < 0.95 ? " (faster)" : ratio > 1.05 ? " (slower)" : " (same)";
      row(`${id} ${dirn} (${(o || c).wire_bytes} B)`, cell(so), cell(sc) + tag, ratio === null ? "-" : ratio.toFixed(3) + verdict);
      out.codec.push({ case: id, direction: dirn, wire_bytes: (o || c).wire_bytes, official_ns: so, sioref_ns: sc, ratio });
    }
  }
}
// ---- goals of issue 7, judged from the figures above -----------------------------------
// Every verdict is computed here from this run's data; a goal without data says so.
out.goals = [];
lines.push("");
lines.push("goals (issue 7): verdict on the ratio of medians (sioref / official) or the measured value;");
lines.push("with several runs, (k/n runs): in how many runs the goal held, run N of each server paired");
const GW = [54, 16, 34];
const grow = (a, b, c, d) => lines.push(pad(a, GW[0]) + pad(b, GW[1]) + pad(c, GW[2]) + d);
grow("goal", "target", "measured", "verdict");
function judge(value, cmp, limit) {
  if (value === null || value === undefined || !isFinite(value)) return "n/a (no data)";
  return (cmp === "<=" ? value <= limit : value >= limit) ? "met" : "not met";
}
// The target as the issue words it: a fraction for "at most", a factor for "at least".
function target(cmp, limit) {
  if (cmp === ">=") return `>= ${limit}x`;
  const inv = 1 / limit;
  return Math.abs(inv - Math.round(inv)) < 1e-9 ? `<= 1/${Math.round(inv)} (${limit.toFixed(2)})` : `<= ${limit}`;
}
// Per-run ratios: run N of sioref against run N of the official server (they ran back to
// back), to tell a goal met in every run from one met only by the medians.
function pairedRatios(scen, get) {
  const r = [];
  for (const d of runs.sioref?.[scen] || []) {
    const o = (runs.official?.[scen] || []).find((x) => x._run === d._run);
    const a = get(d), b = o ? get(o) : undefined;
    if (typeof a === "number" && typeof b === "number" && b) r.push(a / b);
  }
  return r;
}
// A ratio goal: row ID's ratio of medians against LIMIT. ALSO marks a figure shown beside
// a goal (same target, other load) rather than the goal itself; MEM a memory figure,
// which other programs' CPU use does not skew.
function ratioGoal(label, id, cmp, limit, also, mem) {
  const row = byId[id];
  const e = row?.entry;
  const ratio = e?.ratio ?? null;
  let verdict = judge(ratio, cmp, limit);
  const per = row ? pairedRatios(row.scen, row.get) : [];
  if (per.length > 1 && verdict !== "n/a (no data)")
    verdict += ` (${per.filter((x) => judge(x, cmp, limit) === "met").length}/${per.length} runs)`;
  // Other programs' CPU in the phases behind this goal: a busy machine slows either
  // server unevenly, so the verdict is then only indicative.
  const busy = mem ? 0 : row?.othersMax ?? 0;
  if (busy > BUSY_PCT && verdict !== "n/a (no data)") verdict += ` [machine busy: others ${busy.toFixed(0)}%]`;
  const detail = e && e.official && e.sioref ? `${num(e.sioref.median)} vs ${num(e.official.median)}` : "";
  grow((also ? "  also: " : "") + label, target(cmp, limit), ratio === null ? "-" : `${ratio.toFixed(2)} (${detail})`, verdict);
  out.goals.push({ goal: label, kind: "ratio", row: e?.metric, cmp, limit, value: ratio, per_run: per, verdict, others_max_pct: row?.othersMax ?? null, informational: !!also });
}
ratioGoal("memory per idle WS client, 1,000 clients", "mem1k", "<=", 0.2, false, true);
ratioGoal("memory per idle WS client, 5,000 clients", "mem5k", "<=", 0.2, true, true);
ratioGoal("memory per idle WS client, 10,000 clients", "mem10k", "<=", 0.2, false, true);
ratioGoal("server CPU per ack, 100 in flight", "cpu100", "<=", 0.2);
for (const k of [1, 10, 1000]) ratioGoal(`server CPU per ack, ${k} in flight`, `cpu${k}`, "<=", 0.2, true);
ratioGoal("server CPU per ack, polling echo", "cpupoll", "<=", 0.2, true);
ratioGoal("acks/s at 100 in flight", "acks100", ">=", 2);
ratioGoal("p99 latency at 100 in flight", "p99_100", "<=", 0.5);
ratioGoal("room fan-out to 5,000: last delivery p50", "bc5k", "<=", 1 / 3);
ratioGoal("polling acks/s (100 clients, 10 in flight)", "poll", ">=", 3);
// Codec goals: the ratio is time per packet (sioref / official), so "5x faster" is <= 0.2.
function codecGoal(label, id, limit) {
  const e = out.codec.find((r) => r.case === id && r.direction === "decode");
  const ratio = e?.ratio ?? null;
  const verdict = judge(ratio, "<=", limit);
  const shown = ratio === null ? "-" : `${ratio.toFixed(3)} (${(1 / ratio).toFixed(2)}x as fast)`;
  grow(label, target("<=", limit), shown, verdict);
  out.goals.push({ goal: label, kind: "codec", case: id, cmp: "<=", limit, value: ratio, verdict });
}
const bytesOf = (id) => out.codec.find((r) => r.case === id)?.wire_bytes;
for (const id of ["small-event", "nsp-ack-event", "polling-10"])
  codecGoal(`codec decode, small packets: ${id}${bytesOf(id) ? ` (${bytesOf(id)} B)` : ""}`, id, 0.2);
codecGoal(`codec decode, 1 KB JSON event: json-1k-event${bytesOf("json-1k-event") ? ` (${bytesOf("json-1k-event")} B)` : ""}`, "json-1k-event", 0.5);
{
  // sioload's own ceiling: the best echo phase against sioref (median over runs).
  let best = null;
  for (const scen of ["ws1k", "polling"]) {
    const docs = runs.sioref?.[scen] || [];
    const ks = new Set(docs.flatMap((d) => d.phases.filter((p) => p.phase === "echo").map((p) => p.param)));
    for (const k of ks) {
      const s = stats(docs.map((d) => phase(d, "echo", k)?.rate));
      if (s && (!best || s.median > best.rate)) best = { rate: s.median, where: `${scen === "polling" ? "polling" : "WS"}, ${k} in flight` };
    }
  }
  const label = "sioload sustains acks/s against sioref (best echo)";
  const verdict = judge(best?.rate, ">=", 100000);
  grow(label, ">= 100,000", best ? `${num(best.rate)} (${best.where})` : "-", verdict);
  out.goals.push({ goal: label, kind: "value", cmp: ">=", limit: 100000, value: best?.rate ?? null, where: best?.where, verdict });
}
{
  // Holds 10,000 WebSocket clients: every ws10k run still had all its clients after
  // the idle phase (or after the ramp when there was no idle phase).
  const docs = runs.sioref?.ws10k || [];
  const held = docs.map((d) => (phase(d, "idle") || phase(d, "ramp"))?.clients ?? 0);
  const wanted = docs.map((d) => d.clients);
  const all = docs.length > 0 && held.every((h, i) => h >= wanted[i] && h >= 10000);
  const label = "sioref holds 10,000 WS clients (ws10k)";
  const verdict = docs.length ? (all ? "met" : "not met") : "n/a (no data)";
  const ok = held.filter((h, i) => h >= wanted[i] && h >= 10000).length;
  const least = Math.min(...held).toLocaleString("en-US");
  const shown = docs.length ? `all in ${ok}/${docs.length} run(s); fewest ${least}` : "-";
  grow(label, "all held", shown, verdict);
  out.goals.push({ goal: label, kind: "value", value: held, wanted, verdict });
}
{
  const main = out.goals.filter((g) => !g.informational);
  const met = main.filter((g) => g.verdict.startsWith("met")).length;
  lines.push(`goals met: ${met} of ${main.length} (the "also" rows are shown beside a goal, not counted)`);
}

let notes = "";
try {
  notes = fs.readFileSync(path.join(dir, "notes.txt"), "utf8").trim();
} catch (e) {}
if (notes) {
  lines.push("");
  lines.push("notes:");
  for (const n of notes.split("\n")) lines.push("  " + n);
}
console.log(lines.join("\n"));
out.notes = notes ? notes.split("\n") : [];
fs.writeFileSync(path.join(dir, "summary.json"), JSON.stringify(out, null, 1) + "\n");
