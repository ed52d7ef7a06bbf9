#!/usr/bin/env node
// The table of ci/bench --cluster (ci/bench.d/cluster-bench): for each figure, the median
// (min-max) over the runs of the three-Node-node cluster and of the three-sioref-node
// cluster, and the ratio sioref / Node. Rates: higher is better; times: lower is better.
// Usage: node cluster-summary.js OUTDIR   (reads OUTDIR/cluster-<kind>-<run>.json)
"use strict";

const fs = require("fs");
const path = require("path");

const dir = process.argv[2];
const byKind = {};
for (const f of fs.readdirSync(dir).filter((n) => /^cluster-(node|sioref)-\d+\.json$/.test(n)).sort()) {
  const kind = /^cluster-(node|sioref)-/.exec(f)[1];
  try {
    (byKind[kind] = byKind[kind] || []).push(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
  } catch (e) {
    console.log(`(${f}: not readable: ${e.message})`);
  }
}

const phase = (d, p, param) => (d.phases || []).find((x) => x.phase === p && (param === undefined || x.param === param));
// Each figure: label, unit, better ("higher" / "lower"), and how to read it from one run.
const figures = [
  ["ramp to 3,000 clients", "conn/s", "higher", (d) => phase(d, "ramp")?.rate],
  ["echo, 1 in flight", "acks/s", "higher", (d) => phase(d, "echo", 1)?.rate],
  ["echo, 100 in flight", "acks/s", "higher", (d) => phase(d, "echo", 100)?.rate],
  ["echo, 100 in flight, p99", "ms", "lower", (d) => phase(d, "echo", 100)?.latency_us?.p99 / 1000],
  ["fan-out to 3,000 over 3 nodes, first delivery p50", "ms", "lower", (d) => phase(d, "broadcast")?.first_p50_us / 1000],
  ["fan-out to 3,000 over 3 nodes, last delivery p50", "ms", "lower", (d) => phase(d, "broadcast")?.last_p50_us / 1000],
  ["fan-out to 3,000 over 3 nodes, last delivery p99", "ms", "lower", (d) => phase(d, "broadcast")?.last_p99_us / 1000],
  ["fan-out deliveries", "deliveries/s", "higher", (d) => phase(d, "broadcast")?.rate],
];

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(x >= 10 ? 1 : 2));
function cell(kind, get) {
  const v = (byKind[kind] || []).map(get).filter((x) => typeof x === "number" && Number.isFinite(x));
  if (!v.length) return { text: "-", med: null };
  const m = median(v);
  const text = v.length > 1 ? `${fmt(m)} (${fmt(Math.min(...v))}-${fmt(Math.max(...v))})` : fmt(m);
  return { text, med: m };
}

const runs = (k) => (byKind[k] || []).length;
console.log(`cluster bench: 3 nodes behind nginx round robin, 3,000 WebSocket clients; runs: Node ${runs("node")}, sioref ${runs("sioref")}`);
const rows = [["figure", "unit", "Node nodes", "sioref nodes", "sioref / Node"]];
for (const [label, unit, better, get] of figures) {
  const a = cell("node", get), b = cell("sioref", get);
  const ratio = a.med && b.med ? `${(b.med / a.med).toFixed(2)} (${better} is better)` : "-";
  rows.push([label, unit, a.text, b.text, ratio]);
}
const incomplete = (k) => (byKind[k] || []).map((d) => phase(d, "broadcast")?.incomplete ?? "-").join(",");
const width = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
rows.splice(1, 0, width.map((w) => "-".repeat(w)));
for (const r of rows) console.log("| " + r.map((c, i) => c.padEnd(width[i])).join(" | ") + " |");
console.log(`fan-out rounds incomplete per run: Node ${incomplete("node") || "-"}; sioref ${incomplete("sioref") || "-"}`);
const notes = path.join(dir, "cluster-notes.txt");
if (fs.existsSync(notes)) for (const l of fs.readFileSync(notes, "utf8").split("\n").filter(Boolean)) console.log(`note: ${l}`);
