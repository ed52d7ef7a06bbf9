// Codec micro-benchmark for the official parsers (socket.io-parser 4.2.7 and
// engine.io-parser 5.2.3, pinned in ci/node) on the packet set that sioload-codec runs
// through the reference codecs. This file is the one definition of that set:
// `--write-cases FILE` writes it (with the exact wire forms the official encoders
// produce) for the C side, so both sides always measure the same bytes.
//
// Usage: node codec-bench.js [--write-cases FILE] [--runs N] [--time-ms MS] [--json FILE]
// Each case is measured RUNS times per direction; a run repeats the operation for about
// TIME-MS and reports ns per operation. Medians and min-max are computed by the caller.
"use strict";
const path = require("path");
const fs = require("fs");
const nm = path.join(__dirname, "..", "node", "node_modules");
const sioParser = require(path.join(nm, "socket.io-parser"));
const eioParser = require(path.join(nm, "engine.io-parser"));

const opt = { runs: 5, timeMs: 300, json: null, writeCases: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const v = argv[++i];
  if (argv[i - 1] === "--runs") opt.runs = Math.max(1, Math.min(50, Number(v)));
  else if (argv[i - 1] === "--time-ms") opt.timeMs = Math.max(10, Math.min(10000, Number(v)));
  else if (argv[i - 1] === "--json") opt.json = v;
  else if (argv[i - 1] === "--write-cases") opt.writeCases = v;
  else {
    console.error(`codec-bench.js: unknown option ${argv[i - 1]}`);
    process.exit(2);
  }
}

// ---- the packet set ----------------------------------------------------------------
// Deterministic content so every run (and the C side) sees identical bytes.
function bytes(n, seed) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
function jsonObject1k() {
  const items = [];
  for (let i = 0; i < 12; i++)
    items.push({ id: 1000 + i, name: `item-${i}`, price: 12.5 + i, tags: ["a", "b", `t${i}`], ok: i % 2 === 0 });
  return { user: { id: 42, name: "Ada Lovelace", email: "ada@example.org" }, items, note: "caf\u00e9 \u2713" };
}

// Each case: a Socket.IO packet (type, nsp, id, data) as the official encoder takes it.
const CASES = [
  { id: "small-event", transport: "websocket", packets: [{ type: 2, nsp: "/", data: ["message", "hello"] }] },
  { id: "json-1k-event", transport: "websocket", packets: [{ type: 2, nsp: "/", data: ["data", jsonObject1k()] }] },
  { id: "nsp-ack-event", transport: "websocket", packets: [{ type: 2, nsp: "/admin", id: 17, data: ["cmd", { a: 1, b: "two" }] }] },
  { id: "binary-1k", transport: "websocket", packets: [{ type: 2, nsp: "/", data: ["upload", bytes(1024, 7)] }] },
  {
    id: "polling-10",
    transport: "polling",
    packets: Array.from({ length: 10 }, (_, i) => ({ type: 2, nsp: "/", data: ["message", `hello ${i}`, i] })),
  },
  { id: "base64-4k", transport: "polling", eioBinary: bytes(4096, 3) },
];

const encoder = new sioParser.Encoder();

// The wire form of a case, produced by the official encoders: a list of WebSocket
// messages (strings or Buffers) or one polling body string.
function officialWire(c) {
  if (c.eioBinary) {
    let out;
    eioParser.encodePacket({ type: "message", data: c.eioBinary }, false, (s) => (out = s));
    return { body: out };
  }
  const eioPackets = [];
  for (const p of c.packets) for (const part of encoder.encode(p)) eioPackets.push({ type: "message", data: part });
  if (c.transport === "polling") {
    let body;
    eioParser.encodePayload(eioPackets, (s) => (body = s));
    return { body };
  }
  const messages = eioPackets.map((ep) => {
    let out;
    eioParser.encodePacket(ep, true, (s) => (out = s));
    return out;
  });
  return { messages };
}

// Spans the C encoder starts from: the JSON text of each packet's data (with
// placeholders where attachments go), namespace, ack id, attachments.
function cSpec(c, wire) {
  const spec = { id: c.id, transport: c.transport };
  if (c.eioBinary) {
    spec.eio_binary_hex = c.eioBinary.toString("hex");
    spec.wire_body = wire.body;
    return spec;
  }
  spec.packets = c.packets.map((p) => {
    const parts = encoder.encode(p);
    const head = parts[0];
    // the text after type/attachments/nsp/id is the JSON data, exactly as encoded
    const m = /^(\d)(?:(\d+)-)?(?:(\/[^,]*),)?(\d+)?(.*)$/s.exec(head);
    return {
      type: Number(m[1]),
      attachments: m[2] ? Number(m[2]) : 0,
      nsp: m[3] || "/",
      ack: m[4] ? Number(m[4]) : -1,
      data: m[5],
      attachments_hex: parts.slice(1).map((b) => Buffer.from(b).toString("hex")),
    };
  });
  if (wire.body !== undefined) spec.wire_body = wire.body;
  else spec.wire_messages = wire.messages.map((m) => (typeof m === "string" ? { text: m } : { hex: Buffer.from(m).toString("hex") }));
  return spec;
}

// ---- the operations -------------------------------------------------------------------
function makeOps(c, wire) {
  if (c.eioBinary) {
    return {
      decode: () => eioParser.decodePacket(wire.body, "nodebuffer"),
      encode: () => {
        let out;
        eioParser.encodePacket({ type: "message", data: c.eioBinary }, false, (s) => (out = s));
        return out;
      },
      bytes: wire.body.length,
    };
  }
  const decoder = new sioParser.Decoder();
  let got = 0;
  decoder.on("decoded", () => got++);
  if (c.transport === "polling") {
    return {
      decode: () => {
        for (const ep of eioParser.decodePayload(wire.body, "nodebuffer")) decoder.add(ep.data);
      },
      encode: () => {
        const eps = [];
        for (const p of c.packets) for (const part of encoder.encode(p)) eps.push({ type: "message", data: part });
        let body;
        eioParser.encodePayload(eps, (s) => (body = s));
        return body;
      },
      bytes: Buffer.byteLength(wire.body),
      check: () => got,
    };
  }
  return {
    decode: () => {
      for (const m of wire.messages) decoder.add(eioParser.decodePacket(m, "nodebuffer").data);
    },
    encode: () => {
      const out = [];
      for (const p of c.packets)
        for (const part of encoder.encode(p)) eioParser.encodePacket({ type: "message", data: part }, true, (s) => out.push(s));
      return out;
    },
    bytes: wire.messages.reduce((n, m) => n + (typeof m === "string" ? Buffer.byteLength(m) : m.length), 0),
    check: () => got,
  };
}

function measure(fn, timeMs) {
  // calibrate a batch of ~2 ms, then repeat batches until timeMs has passed
  let batch = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    if (Number(process.hrtime.bigint() - t) > 2e6 || batch > 1e7) break;
    batch *= 2;
  }
  let ops = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(timeMs * 1e6));
  let now = t0;
  while (now < end) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = process.hrtime.bigint();
  }
  return Number(now - t0) / ops;
}

const wires = CASES.map(officialWire);
if (opt.writeCases) {
  const out = { format: 1, about: "codec benchmark packet set, written by ci/bench.d/codec-bench.js", cases: CASES.map((c, i) => cSpec(c, wires[i])) };
  fs.writeFileSync(opt.writeCases, JSON.stringify(out, null, 1) + "\n");
}

const results = [];
for (let i = 0; i < CASES.length; i++) {
  const c = CASES[i];
  const ops = makeOps(c, wires[i]);
  ops.decode(); // warm up and check it decodes
  ops.encode();
  const r = { id: c.id, wire_bytes: ops.bytes, decode_ns: [], encode_ns: [] };
  for (let k = 0; k < opt.runs; k++) {
    r.decode_ns.push(measure(ops.decode, opt.timeMs));
    r.encode_ns.push(measure(ops.encode, opt.timeMs));
  }
  results.push(r);
  process.stderr.write(`[codec-bench.js] ${c.id}: decode ${Math.min(...r.decode_ns).toFixed(0)} ns, encode ${Math.min(...r.encode_ns).toFixed(0)} ns\n`);
}
const doc = { tool: "codec-bench.js", impl: "socket.io-parser 4.2.7 + engine.io-parser 5.2.3", node: process.version, results };
if (opt.json) fs.writeFileSync(opt.json, JSON.stringify(doc, null, 1) + "\n");
else console.log(JSON.stringify(doc, null, 1));
