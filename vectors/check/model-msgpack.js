// An executable model of spec/msgpack.md (SIO-MP), written from the spec, not from
// sioref or notepack.io: a small strict MessagePack reader and writer for checking
// vectors only (sioref uses msgpack-c). decode() returns {packet, binary} or
// {error: "<errors.json name>"}; packet.data shows each bin value as a placeholder
// {_placeholder: true, num: i} and binary[i] is its hex (vectors/README.md).
"use strict";

const { utf8Valid, RESERVED } = require("./model.js");

class Bad extends Error {
  constructor(name) { super(name); this.code = name; }
}
const MAX_ID = 2 ** 53 - 1;

// SIO-MP-4: one well-formed value; returns a typed tree {t, v, ...}.
function readValue(b, pos) {
  const need = (n) => { if (pos.i + n > b.length) throw new Bad("bad-msgpack"); };
  need(1);
  const c = b[pos.i++];
  const uint = (n) => { need(n); let v = 0; for (let k = 0; k < n; k++) v = v * 256 + b[pos.i++]; return v; };
  const sint = (n) => { const v = uint(n); const lim = 2 ** (8 * n - 1); return v >= lim ? v - 2 * lim : v; };
  const raw = (n) => { need(n); const r = b.subarray(pos.i, pos.i + n); pos.i += n; return r; };
  const arr = (n) => { const v = []; for (let k = 0; k < n; k++) v.push(readValue(b, pos)); return { t: "arr", v }; };
  const map = (n) => {
    const v = [];
    for (let k = 0; k < n; k++) v.push([readValue(b, pos), readValue(b, pos)]);
    return { t: "map", v };
  };
  if (c <= 0x7f) return { t: "int", v: c };
  if (c >= 0xe0) return { t: "int", v: c - 256 };
  if (c <= 0x8f) return map(c & 0x0f);
  if (c <= 0x9f) return arr(c & 0x0f);
  if (c <= 0xbf) return { t: "str", raw: raw(c & 0x1f) };
  switch (c) {
    case 0xc0: return { t: "nil", v: null };
    case 0xc2: return { t: "bool", v: false };
    case 0xc3: return { t: "bool", v: true };
    case 0xc4: return { t: "bin", raw: raw(uint(1)) };
    case 0xc5: return { t: "bin", raw: raw(uint(2)) };
    case 0xc6: return { t: "bin", raw: raw(uint(4)) };
    case 0xc7: { const n = uint(1); raw(1); raw(n); return { t: "ext" }; }
    case 0xc8: { const n = uint(2); raw(1); raw(n); return { t: "ext" }; }
    case 0xc9: { const n = uint(4); raw(1); raw(n); return { t: "ext" }; }
    case 0xca: return { t: "float", v: raw(4).readFloatBE(0) };
    case 0xcb: return { t: "float", v: raw(8).readDoubleBE(0) };
    case 0xcc: return { t: "int", v: uint(1) };
    case 0xcd: return { t: "int", v: uint(2) };
    case 0xce: return { t: "int", v: uint(4) };
    case 0xcf: return { t: "int", v: Number(raw(8).readBigUInt64BE(0)) };
    case 0xd0: return { t: "int", v: sint(1) };
    case 0xd1: return { t: "int", v: sint(2) };
    case 0xd2: return { t: "int", v: sint(4) };
    case 0xd3: return { t: "int", v: Number(raw(8).readBigInt64BE(0)) };
    case 0xd4: { const r = raw(2); return { t: "ext", undef: r[0] === 0 && r[1] === 0 }; }
    case 0xd5: raw(3); return { t: "ext" };
    case 0xd6: raw(5); return { t: "ext" };
    case 0xd7: raw(9); return { t: "ext" };
    case 0xd8: raw(17); return { t: "ext" };
    case 0xd9: return { t: "str", raw: raw(uint(1)) };
    case 0xda: return { t: "str", raw: raw(uint(2)) };
    case 0xdb: return { t: "str", raw: raw(uint(4)) };
    case 0xdc: return arr(uint(2));
    case 0xdd: return arr(uint(4));
    case 0xde: return map(uint(2));
    case 0xdf: return map(uint(4));
  }
  throw new Bad("bad-msgpack"); // 0xc1
}

function walk(n, f) {
  f(n);
  if (n.t === "arr") n.v.forEach((x) => walk(x, f));
  if (n.t === "map") n.v.forEach(([k, x]) => { walk(k, f); walk(x, f); });
}

// SIO-MP-14: the tree as vector data, bins as placeholders in document order.
function toData(n, bins) {
  switch (n.t) {
    case "nil": case "bool": case "int": case "float": return n.v;
    case "str": return n.raw.toString("utf8");
    case "bin": bins.push(n.raw.toString("hex")); return { _placeholder: true, num: bins.length - 1 };
    case "arr": return n.v.map((x) => toData(x, bins));
    case "map": {
      const o = Object.create(null);
      for (const [k, x] of n.v) o[k.raw.toString("utf8")] = toData(x, bins);
      return o;
    }
  }
  throw new Error("unreachable");
}

function depth(n) {
  if (n.t === "arr") return 1 + Math.max(0, ...n.v.map(depth));
  if (n.t === "map") return 1 + Math.max(0, ...n.v.map(([, x]) => depth(x)));
  return 0;
}

function decode(wire, opts = {}) {
  const maxDepth = opts.maxJsonDepth ?? 32;
  if (wire.text !== undefined) return { error: "bad-msgpack" }; // SIO-MP-1
  const b = Buffer.from(wire.hex, "hex");
  let tree;
  try {
    const pos = { i: 0 };
    tree = readValue(b, pos);
    if (pos.i !== b.length) return { error: "bad-msgpack" };
  } catch (e) {
    if (e instanceof Bad) return { error: e.code };
    throw e;
  }
  let err = null;
  // SIO-MP-5: notepack's undefined (d4 00 00) as the packet map's "data" is an absent data
  if (tree.t === "map")
    tree.v = tree.v.filter(([k, x]) => !(k.t === "str" && k.raw.toString("utf8") === "data" && x.t === "ext" && x.undef));
  walk(tree, (n) => { if (n.t === "ext") err = err || "bad-msgpack"; }); // SIO-MP-5
  if (err) return { error: err };
  walk(tree, (n) => { if (n.t === "str" && !utf8Valid(n.raw)) err = err || "invalid-utf8"; }); // SIO-MP-6
  if (err) return { error: err };
  if (tree.t !== "map") return { error: "bad-msgpack" }; // SIO-MP-7
  walk(tree, (n) => {
    if (n.t !== "map") return;
    const seen = new Set();
    for (const [k] of n.v) {
      if (k.t !== "str") { err = err || "bad-msgpack"; continue; }
      const s = k.raw.toString("utf8");
      if (seen.has(s)) err = err || "bad-msgpack";
      seen.add(s);
    }
  });
  if (err) return { error: err };
  const get = (name) => { const e = tree.v.find(([k]) => k.raw.toString("utf8") === name); return e ? e[1] : undefined; };
  const type = get("type");
  if (!type || type.t !== "int" || type.v < 0 || type.v > 4) return { error: "bad-packet-type" }; // SIO-MP-8
  const nsp = get("nsp");
  if (!nsp || nsp.t !== "str" || nsp.raw[0] !== 0x2f) return { error: "bad-namespace" }; // SIO-MP-9
  const id = get("id");
  if (id && (id.t !== "int" || id.v < 0 || id.v > MAX_ID)) return { error: "bad-ack-id" }; // SIO-MP-12
  const t = type.v;
  if (id && (t === 0 || t === 1 || t === 4)) return { error: "unexpected-ack-id" }; // SIO-MP-13
  if (!id && t === 3) return { error: "missing-ack-id" };
  const data = get("data");
  if (data && 1 + depth(data) > maxDepth) return { error: "json-too-deep" }; // SIO-MP-11: the packet map is level 1
  const kind = data ? data.t : "none"; // SIO-MP-10
  const shapeOk = { 0: kind === "none" || kind === "map", 1: kind === "none", 2: kind === "arr", 3: kind === "arr", 4: kind === "map" }[t];
  if (!shapeOk) return { error: "bad-payload-shape" };
  if (t === 2) {
    const first = data.v[0];
    if (!first || first.t !== "str") return { error: "bad-event-name" };
    if (RESERVED.includes(first.raw.toString("utf8"))) return { error: "reserved-event-name" };
  }
  const bins = [];
  const packet = { type: t, nsp: nsp.raw.toString("utf8") };
  if (data) packet.data = toData(data, bins);
  if (id) packet.id = id.v;
  return { packet, binary: bins };
}

// SIO-MP-15/16: shortest forms, keys type, nsp, data, id.
function encValue(x, bins, out) {
  const u = (n, v) => { const a = []; for (let k = n - 1; k >= 0; k--) a.push(Math.floor(v / 2 ** (8 * k)) % 256); return a; };
  const len = (n, fix, fixMax, c8, c16, c32) => {
    if (fix !== null && n <= fixMax) out.push(fix | n);
    else if (c8 !== null && n < 256) out.push(c8, n);
    else if (n < 65536) out.push(c16, ...u(2, n));
    else out.push(c32, ...u(4, n));
  };
  if (x === null) out.push(0xc0);
  else if (x === true || x === false) out.push(x ? 0xc3 : 0xc2);
  else if (typeof x === "number") {
    if (Number.isInteger(x) && x >= 0) {
      if (x < 128) out.push(x);
      else if (x < 256) out.push(0xcc, x);
      else if (x < 65536) out.push(0xcd, ...u(2, x));
      else if (x < 2 ** 32) out.push(0xce, ...u(4, x));
      else out.push(0xcf, ...u(8, x));
    } else if (Number.isInteger(x) && x >= -(2 ** 31)) {
      if (x >= -32) out.push(x + 256);
      else if (x >= -128) out.push(0xd0, x + 256);
      else if (x >= -32768) out.push(0xd1, ...u(2, x + 65536));
      else out.push(0xd2, ...u(4, x + 2 ** 32));
    } else {
      const f = Buffer.alloc(8);
      f.writeDoubleBE(x);
      out.push(0xcb, ...f);
    }
  } else if (typeof x === "string") {
    const s = Buffer.from(x, "utf8");
    len(s.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
    out.push(...s);
  } else if (Array.isArray(x)) {
    len(x.length, 0x90, 15, null, 0xdc, 0xdd);
    x.forEach((e) => encValue(e, bins, out));
  } else if (x._placeholder === true && typeof x.num === "number") {
    const b = Buffer.from(bins[x.num], "hex");
    len(b.length, null, -1, 0xc4, 0xc5, 0xc6);
    out.push(...b);
  } else {
    const ks = Object.keys(x);
    len(ks.length, 0x80, 15, null, 0xde, 0xdf);
    for (const k of ks) { encValue(k, bins, out); encValue(x[k], bins, out); }
  }
}

function encode(p, bins = []) {
  const m = { type: p.type, nsp: p.nsp };
  if (p.data !== undefined) m.data = p.data;
  if (p.id !== undefined) m.id = p.id;
  const out = [];
  encValue(m, bins, out);
  return { hex: Buffer.from(out).toString("hex") };
}

module.exports = { decode, encode };
