// ci/bench's report: reads the per-run JSON files of a results folder (sioload runs
// named SERVER-SCENARIO-RUN.json, codec-official.json / codec-sioref.json) and prints one
// side-by-side table: median [min-max] per server and the ratio ours / official.
// Usage: node summarize.js RESULTS_DIR   (also writes RESULTS_DIR/summary.json)
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
  ((runs[m[1]] ||= {})[m[2]] ||= []).push(doc);
}

function phase(doc, name, param) {
  return doc.phases.find((p) => p.phase === name && (param === undefined || p.param === param));
}
// One row: LABEL, higher-is-better flag, and the scenario + getter that pulls one
// number out of one run's document (undefined when the run lacks it).
const ROWS = [
  ["memory per idle client, 1,000 WS (KiB)", false, "ws1k", (d) => phase(d, "idle")?.server_kib_per_client],
  ["memory per idle client, 5,000 WS (KiB)", false, "ws5k", (d) => phase(d, "idle")?.server_kib_per_client],
  ["memory per idle client, 10,000 WS (KiB)", false, "ws10k", (d) => phase(d, "idle")?.server_kib_per_client],
  ...[1, 10, 100, 1000].flatMap((k) => [
    [`acks/s, ${k} in flight`, true, "ws1k", (d) => phase(d, "echo", k)?.rate],
    [`  p99 latency, ${k} in flight (ms)`, false, "ws1k", (d) => ms(phase(d, "echo", k)?.latency_us?.p99)],
  ]),
  ["room fan-out to 1,000: last delivery p50 (ms)", false, "ws1k", (d) => ms(phase(d, "broadcast", 1000)?.last_p50_us)],
  ["room fan-out to 1,000: first delivery p50 (ms)", false, "ws1k", (d) => ms(phase(d, "broadcast", 1000)?.first_p50_us)],
  ["room fan-out to 5,000: last delivery p50 (ms)", false, "ws5k", (d) => ms(phase(d, "broadcast", 5000)?.last_p50_us)],
  ["room fan-out to 5,000: first delivery p50 (ms)", false, "ws5k", (d) => ms(phase(d, "broadcast", 5000)?.first_p50_us)],
  ["polling acks/s, 100 clients, 10 in flight", true, "polling", (d) => phase(d, "echo", 10)?.rate],
  ["  polling p99 latency (ms)", false, "polling", (d) => ms(phase(d, "echo", 10)?.latency_us?.p99)],
  ["connects/s (churn, 50 at once, WS)", true, "ws1k", (d) => phase(d, "churn")?.rate],
  ["ramp-up to 10,000 WS (connects/s)", true, "ws10k", (d) => phase(d, "ramp")?.rate],
];
// Headroom: sioload's CPU beside the server's, in the same windows.
const CPU_ROWS = [
  ["echo, 100 in flight", "ws1k", (d) => phase(d, "echo", 100)?.cpu_pct],
  ["echo, 1,000 in flight", "ws1k", (d) => phase(d, "echo", 1000)?.cpu_pct],
  ["fan-out to 5,000", "ws5k", (d) => phase(d, "broadcast", 5000)?.cpu_pct],
  ["polling echo", "polling", (d) => phase(d, "echo", 10)?.cpu_pct],
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
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

const out = { load: [], cpu: [], codec: [] };
const lines = [];
const W = [48, 26, 26, 8];
const row = (a, b, c, d) => lines.push(pad(a, W[0]) + pad(b, W[1]) + pad(c, W[2]) + d);

lines.push("sioref vs the official Socket.IO server (Node " + process.version + ", socket.io 4.8.4), same sioload phases");
lines.push("values: median [min-max] over runs; ratio = sioref / official, with which way it points");
lines.push("");
row("metric", "official", "sioref", "ratio");
for (const [label, higher, scen, get] of ROWS) {
  const s = {};
  for (const srv of SERVERS) s[srv] = stats((runs[srv]?.[scen] || []).map(get));
  const ratio = s.official && s.sioref && s.official.median ? s.sioref.median / s.official.median : null;
  // say which way the ratio points, so nobody has to remember per row
  const verdict = ratio === null ? "" : Math.abs(ratio - 1) < 0.05 ? " (same)" : (ratio > 1) === higher ? " (better)" : " (worse)";
  row(label, cell(s.official), cell(s.sioref), ratio === null ? "-" : ratio.toFixed(2) + verdict);
  out.load.push({ metric: label, higher_is_better: higher, official: s.official, sioref: s.sioref, ratio });
}
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
lines.push("load generator headroom: CPU % of one core, sioload / server / other processes, same window (median)");
row("phase", "official run", "sioref run", "");
for (const [label, scen, get] of CPU_ROWS) {
  const c = {};
  for (const srv of SERVERS) {
    const docs = (runs[srv]?.[scen] || []).map(get).filter(Boolean);
    const a = stats(docs.map((x) => x.sioload));
    const b = stats(docs.map((x) => x.server));
    const o = stats(docs.map((x) => x.others));
    const p = (s) => (s ? s.median.toFixed(0) + "%" : "?");
    c[srv] = a ? `${p(a)} / ${p(b)} / ${p(o)}` : "n/a";
    out.cpu.push({ phase: label, server: srv, sioload_pct: a, server_pct: b, others_pct: o });
  }
  row(label, c.official, c.sioref, "");
}

// A shared machine skews everything: say so when other processes were busy.
let busiest = 0;
for (const srv of SERVERS)
  for (const docs of Object.values(runs[srv] || {}))
    for (const d of docs) for (const p of d.phases) busiest = Math.max(busiest, p.cpu_pct?.others ?? 0);
if (busiest > 25) {
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
