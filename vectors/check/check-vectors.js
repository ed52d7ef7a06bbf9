#!/usr/bin/env node
// Runs every codec vector through the official JavaScript parsers (engine.io-parser,
// socket.io-parser; for vectors/eio3 engine.io's parser-v3, for vectors/sio4
// socket.io-parser 3.4.x, for vectors/msgpack socket.io-msgpack-parser) and through
// model.js, model-eio3.js and model-msgpack.js (our spec, executable), and reports where the
// official parsers disagree with a vector. A disagreement must be marked with an
// `upstream` field; a mark where the parsers in fact agree is stale. Both fail the run,
// as does any vector the spec model contradicts. Usage: node check-vectors.js [--verbose]
"use strict";

const fs = require("fs");
const path = require("path");
const util = require("util");

const ROOT = path.resolve(__dirname, "..", "..");
const NODE_PATH = path.join(ROOT, "ci", "node", "node_modules");
const eio = require(path.join(NODE_PATH, "engine.io-parser"));
const sio = require(path.join(NODE_PATH, "socket.io-parser"));
const model = require("./model.js");
// Engine.IO v3 is the copy of engine.io-parser 2.2 that engine.io 6.x ships for
// allowEIO3; Socket.IO v4 is socket.io-parser 3.4.x under an npm alias (ci/node).
const eio3 = require(path.join(NODE_PATH, "engine.io", "build", "parser-v3"));
const sio4 = require(path.join(NODE_PATH, "socket.io-parser-v4"));
const mp = require(path.join(NODE_PATH, "socket.io-msgpack-parser"));
const model3 = require("./model-eio3.js");
const modelMp = require("./model-msgpack.js");

const VERBOSE = process.argv.includes("--verbose");
const FILES = [
  "eio/packets.json",
  "eio/payloads.json",
  "eio/invalid.json",
  "sio/packets.json",
  "sio/binary.json",
  "sio/invalid.json",
  "eio3/packets.json",
  "eio3/payloads.json",
  "eio3/invalid.json",
  "sio4/packets.json",
  "sio4/binary.json",
  "sio4/invalid.json",
  "msgpack/packets.json",
  "msgpack/invalid.json",
];
const ERRORS = new Set(
  JSON.parse(fs.readFileSync(path.join(ROOT, "vectors", "errors.json"), "utf8")).map((e) => e.name),
);

// ---------- helpers ----------
const hexToBuf = (h) => Buffer.from(h, "hex");
const msgBytes = (m) => (m.text !== undefined ? Buffer.from(m.text, "utf8") : hexToBuf(m.hex));

// JSON-semantic equality (object member order does not matter).
function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (typeof a !== "object") return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

const show = (x) => util.inspect(x, { depth: 8, breakLength: 200 });

// ---------- Engine.IO through engine.io-parser ----------
function eioUpFromPacket(p) {
  if (p.type === "error") return { error: true };
  const out = { type: p.type };
  if (Buffer.isBuffer(p.data)) out.binary = p.data.toString("hex");
  else if (p.data !== undefined && p.data !== "") out.data = p.data;
  return { packet: out };
}

function eioPacketsEqual(a, b) {
  if (a.type !== b.type) return false;
  if ((a.binary !== undefined) !== (b.binary !== undefined)) return false;
  if (a.binary !== undefined) return a.binary.toLowerCase() === b.binary.toLowerCase();
  return (a.data || "") === (b.data || "");
}

// A `polling` transport, and every payloads.json entry, is one HTTP body: Node turns the
// body into a string with Buffer#toString("utf8") before engine.io-parser sees it.
function isBody(file, v) {
  return file === "eio/payloads.json" || v.transport === "polling";
}

function eioUpstreamDecode(file, v) {
  const m = v.wire;
  if (isBody(file, v)) {
    const s = msgBytes(m).toString("utf8");
    const ps = eio.decodePayload(s, "nodebuffer");
    if (ps.some((p) => p.type === "error")) return { error: true };
    return { packets: ps.map((p) => eioUpFromPacket(p).packet) };
  }
  if (m.text !== undefined) return eioUpFromPacket(eio.decodePacket(m.text, "nodebuffer"));
  return eioUpFromPacket(eio.decodePacket(hexToBuf(m.hex), "nodebuffer"));
}

function eioModelDecode(file, v) {
  if (isBody(file, v)) return model.eioDecodePayload(msgBytes(v.wire), v.opts || {});
  if (v.wire.text !== undefined) return model.eioDecodeText(msgBytes(v.wire));
  return model.eioDecodeBinary(hexToBuf(v.wire.hex));
}

function expectedPackets(file, v) {
  if (v.packets) return v.packets;
  if (v.packet) return [v.packet];
  return null;
}

function eioResultMatches(file, v, r) {
  if (v.error !== undefined) return r.error !== undefined;
  if (r.error !== undefined) return false;
  const exp = expectedPackets(file, v);
  const got = r.packets || [r.packet];
  return exp.length === got.length && exp.every((p, i) => eioPacketsEqual(p, got[i]));
}

function toUpPacket(p) {
  return p.binary !== undefined ? { type: p.type, data: hexToBuf(p.binary) } : { type: p.type, data: p.data };
}

function eioUpstreamEncode(file, v) {
  if (file === "eio/payloads.json") {
    let out;
    eio.encodePayload(v.packets.map(toUpPacket), (s) => (out = s));
    return { text: out };
  }
  let out;
  const supportsBinary = v.transport !== "polling";
  eio.encodePacket(toUpPacket(v.packet), supportsBinary, (e) => (out = e));
  return typeof out === "string" ? { text: out } : { hex: Buffer.from(out).toString("hex") };
}

function eioModelEncode(file, v) {
  if (file === "eio/payloads.json") return { text: model.eioEncodePayload(v.packets) };
  if (v.transport === "polling") return { text: model.eioEncodePayload([v.packet]) };
  return model.eioEncode(v.packet, v.transport || "websocket");
}

// Byte-exact. A polling body is bytes whichever way the vector spells it (text or hex);
// a WebSocket message also has a kind (text or binary) that must match.
function wireEqual(a, b, body = false) {
  if (!body && (a.text === undefined) !== (b.text === undefined)) return false;
  return msgBytes(a).equals(msgBytes(b));
}

// ---------- Socket.IO through socket.io-parser ----------
function sioUpstreamDecode(v, parser = sio) {
  const msgs = Array.isArray(v.wire) ? v.wire : [v.wire];
  const opts = v.opts && v.opts.maxAttachments !== undefined ? { maxAttachments: v.opts.maxAttachments } : {};
  const dec = new parser.Decoder(opts);
  const decoded = [];
  const fed = [];
  let headerType = null;
  dec.on("decoded", (p) => decoded.push({ p, fed: fed.slice(), headerType }));
  try {
    for (const m of msgs) {
      if (m.text !== undefined) {
        const t = m.text.charAt(0);
        headerType = t === "5" || t === "6" ? Number(t) : null;
        fed.length = 0;
        dec.add(m.text);
      } else {
        const b = hexToBuf(m.hex);
        fed.push(b);
        dec.add(b);
      }
    }
  } catch (e) {
    return { error: true, why: e.message };
  }
  if (decoded.length !== 1) return { error: true, why: `${decoded.length} packets emitted` };
  const { p, fed: bufs, headerType: ht } = decoded[0];
  // socket.io-parser 3.x reports an unknown type by emitting an ERROR packet of its own
  if (parser === sio4 && p.type === 4 && typeof p.data === "string" && p.data.startsWith("parser error: "))
    return { error: true, why: p.data };
  let bad = null;
  const unbin = (x) => {
    if (Buffer.isBuffer(x)) {
      const i = bufs.indexOf(x);
      if (i < 0) bad = "foreign buffer";
      return { _placeholder: true, num: i };
    }
    if (x === undefined) { bad = "undefined value"; return null; }
    if (Array.isArray(x)) return x.map(unbin);
    if (x && typeof x === "object") {
      const o = Object.create(null); // so that a "__proto__" member stays a member
      for (const k of Object.keys(x)) o[k] = unbin(x[k]);
      return o;
    }
    return x;
  };
  const out = { type: ht !== null ? ht : p.type, nsp: p.nsp };
  if (p.id !== undefined) out.id = p.id;
  if (ht !== null) out.attachments = bufs.length;
  if (p.data !== undefined) out.data = unbin(p.data);
  if (bad) out.bad = bad;
  return { packet: out, binary: ht !== null ? bufs.map((b) => b.toString("hex")) : undefined };
}

// SIO-BIN-7: in types 5/6 a placeholder stands for its attachment; members other than
// "num" carry nothing, so compare placeholders as {_placeholder, num} only.
function canonPlaceholders(x) {
  if (Array.isArray(x)) return x.map(canonPlaceholders);
  if (x && typeof x === "object") {
    if (x._placeholder === true) return { _placeholder: true, num: x.num };
    const o = Object.create(null);
    for (const k of Object.keys(x)) o[k] = canonPlaceholders(x[k]);
    return o;
  }
  return x;
}

function sioPacketEqual(a, b) {
  if (b.bad) return false;
  for (const k of ["type", "nsp", "id", "attachments"]) if (a[k] !== b[k]) return false;
  if ((a.data === undefined) !== (b.data === undefined)) return false;
  if (a.data === undefined) return true;
  if (a.type === 5 || a.type === 6) return jsonEqual(canonPlaceholders(a.data), canonPlaceholders(b.data));
  return jsonEqual(a.data, b.data);
}

function sioResultMatches(v, r) {
  if (v.error !== undefined) return r.error !== undefined;
  if (r.error !== undefined) return false;
  if (!sioPacketEqual(v.packet, r.packet)) return false;
  const eb = (v.binary || []).map((h) => h.toLowerCase());
  const gb = r.binary || [];
  return eb.length === gb.length && eb.every((h, i) => h === gb[i]);
}

function sioWithBuffers(data, bins) {
  if (Array.isArray(data)) return data.map((x) => sioWithBuffers(x, bins));
  if (data && typeof data === "object") {
    if (data._placeholder === true && typeof data.num === "number") return bins[data.num];
    const o = Object.create(null);
    for (const k of Object.keys(data)) o[k] = sioWithBuffers(data[k], bins);
    return o;
  }
  return data;
}

function sioUpstreamEncode(v) {
  const p = v.packet;
  const enc = new sio.Encoder();
  let obj;
  if (p.type === 5 || p.type === 6) {
    const bins = v.binary.map(hexToBuf);
    obj = { type: p.type === 5 ? 2 : 3, nsp: p.nsp, data: sioWithBuffers(p.data, bins) };
  } else obj = { type: p.type, nsp: p.nsp, data: p.data === undefined ? undefined : JSON.parse(JSON.stringify(p.data)) };
  if (p.id !== undefined) obj.id = p.id;
  return enc.encode(obj).map((x) => (typeof x === "string" ? { text: x } : { hex: Buffer.from(x).toString("hex") }));
}

function sioModelEncode(v) {
  return [{ text: model.sioEncodeText(v.packet) }].concat((v.binary || []).map((h) => ({ hex: h })));
}

function wireListEqual(a, b) {
  const la = Array.isArray(a) ? a : [a];
  const lb = Array.isArray(b) ? b : [b];
  return la.length === lb.length && la.every((m, i) => wireEqual(m, lb[i]));
}

function sioModelMatches(v, r) {
  if (v.error !== undefined) return r.error === v.error;
  if (r.error !== undefined) return false;
  if (!sioPacketEqual(v.packet, r.packet)) return false;
  const eb = (v.binary || []).map((h) => h.toLowerCase());
  const gb = r.binary || [];
  return eb.length === gb.length && eb.every((h, i) => h === gb[i]);
}

// ---------- Engine.IO v3 through engine.io's parser-v3 ----------
// In vectors/eio3 an entry with `content` is one polling body ("text" or "binary", the
// latter an application/octet-stream body); without it the wire is one WebSocket message.
function eio3UpFromPacket(p) {
  if (p.type === "error" && p.data === "parser error") return { error: true };
  const out = { type: p.type };
  if (Buffer.isBuffer(p.data)) out.binary = p.data.toString("hex");
  else if (p.data !== undefined && p.data !== "") out.data = p.data;
  return { packet: out };
}

function eio3UpstreamDecode(v) {
  if (v.content !== undefined) {
    const body = msgBytes(v.wire);
    const packets = [];
    let failed = false;
    const cb = (p) => {
      const r = eio3UpFromPacket(p);
      if (r.error) failed = true;
      else packets.push(r.packet);
    };
    if (v.content === "binary") eio3.decodePayload(body, cb);
    else eio3.decodePayload(body.toString("utf8"), cb);
    return failed ? { error: true } : { packets };
  }
  if (v.wire.text !== undefined) return eio3UpFromPacket(eio3.decodePacket(v.wire.text));
  return eio3UpFromPacket(eio3.decodePacket(hexToBuf(v.wire.hex)));
}

function eio3ModelDecode(v) {
  const b = msgBytes(v.wire);
  if (v.content === "binary") return model3.decodeBinaryPayload(b, v.opts || {});
  if (v.content === "text") return model3.decodeTextPayload(b, v.opts || {});
  return v.wire.text !== undefined ? model3.decodeText(b) : model3.decodeBinary(b);
}

function eio3UpstreamEncode(v) {
  let out;
  if (v.content !== undefined) eio3.encodePayload(v.packets.map(toUpPacket), v.content === "binary", (e) => (out = e));
  else eio3.encodePacket(toUpPacket(v.packet), v.wire.hex !== undefined, (e) => (out = e));
  return typeof out === "string" ? { text: out } : { hex: Buffer.from(out).toString("hex") };
}

function eio3ModelEncode(v) {
  if (v.content === "binary") return model3.encodeBinaryPayload(v.packets);
  if (v.content === "text") return model3.encodeTextPayload(v.packets);
  return model3.encodePacket(v.packet, v.wire.hex !== undefined ? "binary" : "text");
}

function eio3Check(v, detail) {
  let up = true;
  let md = true;
  if (v.dir !== "encode") {
    const u = eio3UpstreamDecode(v);
    if (!eioResultMatches("eio3", v, u)) { up = false; detail.push(`upstream decode: ${show(u)}`); }
    const m = eio3ModelDecode(v);
    const ok = v.error !== undefined ? m.error === v.error : eioResultMatches("eio3", v, m);
    if (!ok) { md = false; detail.push(`model decode: ${show(m)}`); }
  }
  if (v.dir !== "decode") {
    const body = v.content !== undefined;
    const u = eio3UpstreamEncode(v);
    if (!wireEqual(v.wire, u, body)) { up = false; detail.push(`upstream encode: ${show(u)}`); }
    const m = eio3ModelEncode(v);
    if (!wireEqual(v.wire, m, body)) { md = false; detail.push(`model encode: ${show(m)}`); }
  }
  return [up, md];
}

// ---------- Socket.IO v4 through socket.io-parser 3.4.x ----------
function sio4UpstreamEncode(v) {
  const p = v.packet;
  const enc = new sio4.Encoder();
  const obj = { type: p.type, nsp: p.nsp };
  if (p.type === 5 || p.type === 6) obj.data = sioWithBuffers(p.data, v.binary.map(hexToBuf));
  else if (p.data !== undefined) obj.data = JSON.parse(JSON.stringify(p.data));
  if (p.id !== undefined) obj.id = p.id;
  let out;
  enc.encode(obj, (x) => (out = x));
  return out.map((x) => (typeof x === "string" ? { text: x } : { hex: Buffer.from(x).toString("hex") }));
}

function sio4Check(v, detail) {
  let up = true;
  let md = true;
  const opts = Object.assign({}, v.opts || {}, { protocol: 4 });
  if (v.dir !== "encode") {
    const u = sioUpstreamDecode(v, sio4);
    if (!sioResultMatches(v, u)) { up = false; detail.push(`upstream decode: ${show(u)}`); }
    const m = model.sioDecodeSequence(v.wire, opts);
    if (!sioModelMatches(v, m)) { md = false; detail.push(`model decode: ${show(m)}`); }
  }
  if (v.dir !== "decode") {
    const u = sio4UpstreamEncode(v);
    if (!wireListEqual(v.wire, u)) { up = false; detail.push(`upstream encode: ${show(u)}`); }
    if (!wireListEqual(v.wire, sioModelEncode(v))) { md = false; detail.push("model encode differs"); }
  }
  return [up, md];
}

// ---------- msgpack through socket.io-msgpack-parser ----------
// Binary values inside data are compared as placeholders numbered in document order.
function mpFromUpstream(x, bins) {
  if (Buffer.isBuffer(x)) { bins.push(x.toString("hex")); return { _placeholder: true, num: bins.length - 1 }; }
  if (x === undefined || x instanceof ArrayBuffer || x instanceof Date) return { foreign: String(x) };
  if (Array.isArray(x)) return x.map((e) => mpFromUpstream(e, bins));
  if (x && typeof x === "object") {
    const o = Object.create(null);
    for (const k of Object.keys(x)) o[k] = mpFromUpstream(x[k], bins);
    return o;
  }
  return x;
}

function mpUpstreamDecode(v) {
  const dec = new mp.Decoder();
  let got = null;
  dec.on("decoded", (p) => (got = p));
  try {
    dec.add(v.wire.text !== undefined ? v.wire.text : hexToBuf(v.wire.hex));
  } catch (e) {
    return { error: true, why: e.message };
  }
  const bins = [];
  const packet = { type: got.type, nsp: got.nsp };
  if (got.data !== undefined) packet.data = mpFromUpstream(got.data, bins);
  if (got.id !== undefined) packet.id = got.id;
  return { packet, binary: bins };
}

function mpMatches(v, r, exactError) {
  if (v.error !== undefined) return exactError ? r.error === v.error : r.error !== undefined;
  if (r.error !== undefined) return false;
  const a = v.packet;
  const b = r.packet;
  for (const k of ["type", "nsp", "id"]) if (a[k] !== b[k]) return false;
  if ((a.data === undefined) !== (b.data === undefined)) return false;
  if (a.data !== undefined && !jsonEqual(a.data, b.data)) return false;
  const eb = (v.binary || []).map((h) => h.toLowerCase());
  return eb.length === r.binary.length && eb.every((h, i) => h === r.binary[i]);
}

function mpUpstreamEncode(v) {
  const p = v.packet;
  const obj = { type: p.type, nsp: p.nsp };
  if (p.data !== undefined) obj.data = sioWithBuffers(p.data, (v.binary || []).map(hexToBuf));
  if (p.id !== undefined) obj.id = p.id;
  return { hex: Buffer.from(new mp.Encoder().encode(obj)[0]).toString("hex") };
}

function mpCheck(v, detail) {
  let up = true;
  let md = true;
  if (v.dir !== "encode") {
    const u = mpUpstreamDecode(v);
    if (!mpMatches(v, u, false)) { up = false; detail.push(`upstream decode: ${show(u)}`); }
    const m = modelMp.decode(v.wire, v.opts || {});
    if (!mpMatches(v, m, true)) { md = false; detail.push(`model decode: ${show(m)}`); }
  }
  if (v.dir !== "decode") {
    const u = mpUpstreamEncode(v);
    if (!wireEqual(v.wire, u)) { up = false; detail.push(`upstream encode: ${show(u)}`); }
    const m = modelMp.encode(v.packet, v.binary || []);
    if (!wireEqual(v.wire, m)) { md = false; detail.push(`model encode: ${show(m)}`); }
  }
  return [up, md];
}

// ---------- structure ----------
function structureProblems(file, v) {
  const p = [];
  if (typeof v.id !== "string" || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(v.id)) p.push("id not kebab-case");
  if (!Array.isArray(v.reqs) || v.reqs.length === 0) p.push("reqs missing");
  if (typeof v.note !== "string" || !v.note) p.push("note missing");
  if (!["both", "decode", "encode"].includes(v.dir)) p.push("dir invalid");
  if (v.wire === undefined) p.push("wire missing");
  const hasErr = v.error !== undefined;
  const hasPk = v.packet !== undefined || v.packets !== undefined;
  if (hasErr === hasPk) p.push("exactly one of error / packet(s) required");
  if (hasErr && !ERRORS.has(v.error)) p.push(`unknown error name ${v.error}`);
  if (hasErr && v.dir !== "decode") p.push("invalid entries must be dir decode");
  if (file.endsWith("invalid.json") && !hasErr) p.push("invalid file holds a valid entry");
  if (!file.endsWith("invalid.json") && hasErr) p.push("valid file holds an error entry");
  if (v.upstream !== undefined && (typeof v.upstream.result !== "string" || typeof v.upstream.why !== "string"))
    p.push("upstream needs result and why");
  if (v.content !== undefined && (!file.startsWith("eio3/") || !["text", "binary"].includes(v.content)))
    p.push("content is text or binary, in eio3 files only");
  if (file === "eio3/payloads.json" && v.content === undefined) p.push("eio3 payloads need content");
  const msgs = v.wire === undefined ? [] : Array.isArray(v.wire) ? v.wire : [v.wire];
  for (const m of msgs) {
    if ((m.text === undefined) === (m.hex === undefined)) p.push("message needs text xor hex");
    if (m.text !== undefined && /\u0000|\p{Surrogate}/u.test(m.text)) p.push("NUL or lone surrogate in text");
    if (m.hex !== undefined && !/^([0-9a-f]{2})*$/.test(m.hex)) p.push("hex not lower-case pairs");
  }
  return p;
}

// ---------- main ----------
let grand = { total: 0, agree: 0, marked: 0, unmarked: 0, stale: 0, model: 0, structure: 0 };
for (const file of FILES) {
  const full = path.join(ROOT, "vectors", file);
  if (!fs.existsSync(full)) {
    console.log(`  MISSING ${file}`);
    grand.structure++;
    continue;
  }
  const doc = JSON.parse(fs.readFileSync(full, "utf8"));
  const c = { total: 0, agree: 0, marked: 0, unmarked: 0, stale: 0, model: 0, structure: 0 };
  const isEio = file.startsWith("eio/");
  for (const v of doc.vectors) {
    c.total++;
    const sp = structureProblems(file, v);
    if (sp.length) {
      c.structure++;
      console.log(`  STRUCTURE ${file} ${v.id}: ${sp.join("; ")}`);
      continue;
    }
    const decodes = v.dir !== "encode";
    const encodes = v.dir !== "decode";
    let upAgree = true;
    let modelAgree = true;
    const detail = [];
    try {
      if (file.startsWith("eio3/")) [upAgree, modelAgree] = eio3Check(v, detail);
      else if (file.startsWith("sio4/")) [upAgree, modelAgree] = sio4Check(v, detail);
      else if (file.startsWith("msgpack/")) [upAgree, modelAgree] = mpCheck(v, detail);
      else if (isEio) {
        if (decodes) {
          const up = eioUpstreamDecode(file, v);
          if (!eioResultMatches(file, v, up)) { upAgree = false; detail.push(`upstream decode: ${show(up)}`); }
          const md = eioModelDecode(file, v);
          const ok = v.error !== undefined ? md.error === v.error : eioResultMatches(file, v, md);
          if (!ok) { modelAgree = false; detail.push(`model decode: ${show(md)}`); }
        }
        if (encodes) {
          const body = isBody(file, v);
          const ue = eioUpstreamEncode(file, v);
          if (!wireEqual(v.wire, ue, body)) { upAgree = false; detail.push(`upstream encode: ${show(ue)}`); }
          const me = eioModelEncode(file, v);
          if (!wireEqual(v.wire, me, body)) { modelAgree = false; detail.push(`model encode: ${show(me)}`); }
        }
      } else {
        if (decodes) {
          const up = sioUpstreamDecode(v);
          if (!sioResultMatches(v, up)) { upAgree = false; detail.push(`upstream decode: ${show(up)}`); }
          const md = model.sioDecodeSequence(v.wire, v.opts || {});
          if (!sioModelMatches(v, md)) { modelAgree = false; detail.push(`model decode: ${show(md)}`); }
        }
        if (encodes) {
          const ue = sioUpstreamEncode(v);
          if (!wireListEqual(v.wire, ue)) { upAgree = false; detail.push(`upstream encode: ${show(ue)}`); }
          if (!wireListEqual(v.wire, sioModelEncode(v))) { modelAgree = false; detail.push("model encode differs"); }
        }
      }
    } catch (e) {
      upAgree = false;
      modelAgree = false;
      detail.push(`exception: ${e.stack}`);
    }
    const marked = v.upstream !== undefined;
    if (!modelAgree) {
      c.model++;
      console.log(`  MODEL ${file} ${v.id}: vector contradicts the spec model; ${detail.join(" | ")}`);
    }
    if (upAgree && !marked) c.agree++;
    else if (!upAgree && marked) {
      c.marked++;
      if (VERBOSE) console.log(`  marked ${file} ${v.id}: ${detail.join(" | ")}`);
    } else if (!upAgree) {
      c.unmarked++;
      console.log(`  UNMARKED ${file} ${v.id}: ${detail.join(" | ")}`);
    } else {
      c.stale++;
      console.log(`  STALE ${file} ${v.id}: marked upstream but the official parser agrees`);
    }
  }
  console.log(
    `${file}: ${c.total} vectors, ${c.agree} agree, ${c.marked} marked upstream, ` +
      `${c.unmarked} unmarked disagreements, ${c.stale} stale marks, ${c.model} model mismatches, ` +
      `${c.structure} malformed`,
  );
  for (const k of Object.keys(grand)) grand[k] += c[k];
}
console.log(
  `TOTAL: ${grand.total} vectors, ${grand.agree} agree, ${grand.marked} marked upstream, ` +
    `${grand.unmarked} unmarked disagreements, ${grand.stale} stale marks, ${grand.model} model mismatches, ` +
    `${grand.structure} malformed`,
);
process.exit(grand.unmarked || grand.stale || grand.model || grand.structure ? 1 : 0);
