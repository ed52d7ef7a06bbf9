// An executable model of the codec rules of spec/engine.io-v4.md (EIO-PK, EIO-PL) and
// spec/socket.io-v5.md (SIO-PK, SIO-BIN), written from the spec, not from sioref.
// check-vectors.js runs every vector through it so that a vector whose expected result
// contradicts the spec is caught even where the official parsers cannot judge.
// Every function returns {packet} / {packets} or {error: "<errors.json name>"}.
"use strict";

const DIGIT = (c) => c >= 0x30 && c <= 0x39;

// EIO-PK-7: RFC 3629 well-formedness (no overlongs, surrogates, > U+10FFFF).
function utf8Valid(b) {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let n, min;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; }
    else return false;
    if (i + n >= b.length) return false; // truncated sequence
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

// EIO-PK-11: strict RFC 4648 base64 with padding.
function base64Strict(s) {
  if (s.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  return Buffer.from(s, "base64");
}

const EIO_TYPES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

// EIO-PK-3..11: one text message (bytes).
function eioDecodeText(buf) {
  if (buf.length === 0) return { error: "empty-packet" };
  if (!utf8Valid(buf)) return { error: "invalid-utf8" };
  const c = buf[0];
  if (c === 0x62) {
    const bin = base64Strict(buf.subarray(1).toString("latin1"));
    if (bin === null) return { error: "bad-base64" };
    return { packet: { type: "message", binary: bin.toString("hex") } };
  }
  if (c < 0x30 || c > 0x36) return { error: "bad-packet-type" };
  const p = { type: EIO_TYPES[c - 0x30] };
  if (buf.length > 1) p.data = buf.subarray(1).toString("utf8");
  return { packet: p };
}

// EIO-PK-9: a binary WebSocket message.
function eioDecodeBinary(buf) {
  return { packet: { type: "message", binary: buf.toString("hex") } };
}

// EIO-PL-2..6: a polling body (bytes).
function eioDecodePayload(buf, opts = {}) {
  if (opts.maxPayload !== undefined && buf.length > opts.maxPayload) return { error: "payload-too-large" };
  const segs = [];
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x1e) { segs.push(buf.subarray(start, i)); start = i + 1; }
  }
  const packets = [];
  for (let k = 0; k < segs.length; k++) {
    if (opts.maxPackets !== undefined && k >= opts.maxPackets) return { error: "too-many-packets" };
    const r = eioDecodeText(segs[k]);
    if (r.error) return r;
    packets.push(r.packet);
  }
  return { packets };
}

// EIO-PK-13/14, EIO-PL-7.
function eioEncode(p, transport) {
  if (p.binary !== undefined) {
    const b = Buffer.from(p.binary, "hex");
    return transport === "websocket" ? { hex: b.toString("hex") } : { text: "b" + b.toString("base64") };
  }
  return { text: String(EIO_TYPES.indexOf(p.type)) + (p.data || "") };
}
function eioEncodePayload(ps) {
  return ps.map((p) => eioEncode(p, "polling").text).join("\x1e");
}

// ---- strict JSON (SIO-PK-10/11) with raw number text, for placeholders (SIO-BIN-8) ----
class JsonError extends Error {}
function parseJson(s, maxDepth) {
  let i = 0;
  let tooDeep = false;
  const ws = () => { while (i < s.length && " \t\r\n".includes(s[i])) i++; };
  const fail = () => { throw new JsonError("invalid-json"); };
  function value(depth) {
    ws();
    const c = s[i];
    if (c === "{" || c === "[") {
      if (depth + 1 > maxDepth) { tooDeep = true; throw new JsonError("json-too-deep"); }
      i++; ws();
      if (c === "[") {
        const arr = [];
        if (s[i] === "]") { i++; return { t: "arr", v: arr }; }
        for (;;) {
          arr.push(value(depth + 1)); ws();
          if (s[i] === ",") { i++; continue; }
          if (s[i] === "]") { i++; return { t: "arr", v: arr }; }
          fail();
        }
      }
      const ents = [];
      if (s[i] === "}") { i++; return { t: "obj", v: ents }; }
      for (;;) {
        ws(); if (s[i] !== '"') fail();
        const k = str(); ws(); if (s[i] !== ":") fail(); i++;
        ents.push([k, value(depth + 1)]); ws();
        if (s[i] === ",") { i++; continue; }
        if (s[i] === "}") { i++; return { t: "obj", v: ents }; }
        fail();
      }
    }
    if (c === '"') return { t: "str", v: str() };
    for (const [lit, v] of [["true", true], ["false", false], ["null", null]]) {
      if (s.startsWith(lit, i)) { i += lit.length; return { t: "lit", v }; }
    }
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(s.slice(i));
    if (!m) fail();
    i += m[0].length;
    return { t: "num", raw: m[0], v: Number(m[0]) };
  }
  function str() {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(s.slice(i));
    if (!m) fail();
    i += m[0].length;
    return JSON.parse(m[0]);
  }
  const v = value(0);
  ws();
  if (i !== s.length) fail();
  void tooDeep;
  return v;
}

const RESERVED = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];
const MAX_ACK = 9007199254740991n;

// SIO-PK-3..16 and SIO-BIN-1/2 on one text message (bytes). Returns {packet, tree}.
// opts: maxAttachments, maxJsonDepth, protocol (5, or 4 for spec/socket.io-v4.md).
function sioDecodeText(buf, opts = {}) {
  const maxAtt = opts.maxAttachments ?? 10;
  const maxDepth = opts.maxJsonDepth ?? 32;
  if (buf.length === 0) return { error: "empty-packet" };
  if (!utf8Valid(buf)) return { error: "invalid-utf8" };
  const s = buf.toString("utf8");
  const type = s.charCodeAt(0) - 0x30;
  if (type < 0 || type > 6) return { error: "bad-packet-type" };
  let i = 1;
  const p = { type };
  if (type === 5 || type === 6) {
    const st = i;
    while (i < s.length && DIGIT(s.charCodeAt(i))) i++;
    const run = s.slice(st, i);
    if (run.length === 0 || run.length > 10 || s[i] !== "-") return { error: "bad-attachment-count" };
    const n = Number(run);
    if (n === 0) return { error: "bad-attachment-count" };
    if (n > maxAtt) return { error: "too-many-attachments" };
    i++;
    p.attachments = n;
  }
  if (s[i] === "/") {
    const comma = s.indexOf(",", i);
    if (comma < 0) { p.nsp = s.slice(i); i = s.length; }
    else { p.nsp = s.slice(i, comma); i = comma + 1; }
  } else p.nsp = "/";
  const st = i;
  while (i < s.length && DIGIT(s.charCodeAt(i))) i++;
  if (i > st) {
    const run = s.slice(st, i);
    if (run.length > 16 || BigInt(run) > MAX_ACK) return { error: "ack-id-out-of-range" };
    p.id = Number(run);
  }
  if (p.id !== undefined && (type === 0 || type === 1 || type === 4)) return { error: "unexpected-ack-id" };
  if (p.id === undefined && (type === 3 || type === 6)) return { error: "missing-ack-id" };
  let tree;
  if (i < s.length) {
    const rest = s.slice(i);
    try { tree = parseJson(rest, maxDepth); }
    catch (e) { if (e instanceof JsonError) return { error: e.message }; throw e; }
    // cross-check the hand parser against JSON.parse on validity
    JSON.parse(rest);
    p.data = JSON.parse(rest);
  }
  const shape = (ok) => (ok ? null : "bad-payload-shape");
  let err = null;
  const t = tree ? tree.t : "none";
  // Socket.IO v4 (spec/socket.io-v4.md, opts.protocol 4) differs only in types 0 and 4.
  const v4 = opts.protocol === 4;
  switch (type) {
    case 0: err = shape(t === "none" || (t === "obj" && !v4)); break; // SIO-FPK-3
    case 1: err = shape(t === "none"); break;
    case 3: case 6: err = shape(t === "arr"); break;
    case 4: err = shape(t === "obj" || (v4 && t === "str")); break; // SIO-FPK-4
    case 2: case 5:
      err = shape(t === "arr");
      if (!err) {
        const first = tree.v[0];
        if (!first || first.t !== "str") err = "bad-event-name";
        else if (RESERVED.includes(first.v)) err = "reserved-event-name";
      }
      break;
  }
  if (err) return { error: err };
  return { packet: p, tree };
}

// SIO-BIN-7..12 on a decoded header's JSON tree.
function checkPlaceholders(tree, count) {
  const used = new Array(count).fill(false);
  let err = null;
  (function walk(n) {
    if (err || !n) return;
    if (n.t === "arr") return n.v.forEach(walk);
    if (n.t !== "obj") return;
    const ph = n.v.find(([k]) => k === "_placeholder");
    if (ph && ph[1].t === "lit" && ph[1].v === true) {
      const num = n.v.find(([k]) => k === "num");
      if (!num || num[1].t !== "num" || !/^[0-9]+$/.test(num[1].raw)) { err = "bad-placeholder"; return; }
      const v = Number(num[1].raw);
      if (v >= count) { err = "placeholder-out-of-range"; return; }
      if (used[v]) { err = "placeholder-duplicate"; return; }
      used[v] = true;
      return;
    }
    n.v.forEach(([, v]) => walk(v));
  })(tree);
  if (err) return err;
  if (used.includes(false)) return "attachment-unused";
  return null;
}

// SIO-BIN-3..6: a list of messages ({text}|{hex}) holding exactly one packet.
function sioDecodeSequence(wire, opts = {}) {
  const msgs = Array.isArray(wire) ? wire : [wire];
  let pending = null;
  let out = null;
  for (const m of msgs) {
    if (m.text !== undefined) {
      if (pending) return { error: "unexpected-text" };
      if (out) return { error: "extra-packet" };
      const r = sioDecodeText(Buffer.from(m.text, "utf8"), opts);
      if (r.error) return r;
      if (r.packet.type === 5 || r.packet.type === 6) {
        const e = checkPlaceholders(r.tree, r.packet.attachments);
        if (e) return { error: e };
        pending = { packet: r.packet, bins: [] };
      } else out = { packet: r.packet };
    } else {
      if (!pending) return { error: "unexpected-binary" };
      pending.bins.push(m.hex.toLowerCase());
      if (pending.bins.length === pending.packet.attachments) {
        out = { packet: pending.packet, binary: pending.bins };
        pending = null;
      }
    }
  }
  if (pending) return { error: "attachments-pending" };
  if (!out) return { error: "no-packet" };
  return out;
}

// SIO-PK-17/18.
function sioEncodeText(p) {
  let s = String(p.type);
  if (p.type === 5 || p.type === 6) s += p.attachments + "-";
  if (p.nsp && p.nsp !== "/") s += p.nsp + ",";
  if (p.id !== undefined) s += String(p.id);
  if (p.data !== undefined) s += JSON.stringify(p.data);
  return s;
}

module.exports = {
  utf8Valid, base64Strict, eioDecodeText, eioDecodeBinary, eioDecodePayload, eioEncode,
  eioEncodePayload, parseJson, sioDecodeText, sioDecodeSequence, sioEncodeText, checkPlaceholders,
  RESERVED,
};
