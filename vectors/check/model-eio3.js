// An executable model of the codec rules of spec/engine.io-v3.md (EIO-TPK, EIO-TPL),
// written from the spec, not from sioref or engine.io. check-vectors.js runs every
// vectors/eio3 entry through it. Every function returns {packet} / {packets} or
// {error: "<errors.json name>"}.
"use strict";

const { utf8Valid, base64Strict } = require("./model.js");

const EIO_TYPES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];
const DIGIT = (c) => c >= 0x30 && c <= 0x39;

// EIO-TPK-2..4: one text message (bytes).
function decodeText(buf) {
  if (buf.length === 0) return { error: "empty-packet" };
  if (!utf8Valid(buf)) return { error: "invalid-utf8" };
  const c = buf[0];
  if (c === 0x62) {
    if (buf.length < 2 || buf[1] !== 0x34) return { error: "bad-packet-type" };
    const bin = base64Strict(buf.subarray(2).toString("latin1"));
    if (bin === null) return { error: "bad-base64" };
    return { packet: { type: "message", binary: bin.toString("hex") } };
  }
  if (c < 0x30 || c > 0x36) return { error: "bad-packet-type" };
  const p = { type: EIO_TYPES[c - 0x30] };
  if (buf.length > 1) p.data = buf.subarray(1).toString("utf8");
  return { packet: p };
}

// EIO-TPK-5: a binary WebSocket message (type byte + data).
function decodeBinary(buf) {
  if (buf.length === 0) return { error: "empty-packet" };
  if (buf[0] !== 4) return { error: "bad-packet-type" };
  return { packet: { type: "message", binary: buf.subarray(1).toString("hex") } };
}

// UTF-16 length of the UTF-8 bytes b[i..] character by character (EIO-TPL-2).
function utf8CharAt(b, i) {
  const c = b[i];
  const n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  return { bytes: n, units: n === 4 ? 2 : 1 };
}

// EIO-TPL-1..8: a text body (bytes).
function decodeTextPayload(buf, opts = {}) {
  if (opts.maxPayload !== undefined && buf.length > opts.maxPayload) return { error: "payload-too-large" };
  if (buf.length === 0) return { error: "empty-packet" };
  if (!utf8Valid(buf)) return { error: "invalid-utf8" };
  const packets = [];
  let i = 0;
  while (i < buf.length) {
    const st = i;
    while (i < buf.length && DIGIT(buf[i])) i++;
    if (i === st || i - st > 10 || buf[i] !== 0x3a) return { error: "bad-length-prefix" };
    let units = Number(buf.subarray(st, i).toString("latin1"));
    i++;
    const from = i;
    while (units > 0) {
      if (i >= buf.length) return { error: "bad-length-prefix" };
      const ch = utf8CharAt(buf, i);
      if (ch.units > units) return { error: "bad-length-prefix" }; // splits a surrogate pair
      units -= ch.units;
      i += ch.bytes;
    }
    if (i === from) continue; // EIO-TPL-4
    // the count is checked when a packet beyond the limit is reached (EIO-PL-6)
    if (opts.maxPackets !== undefined && packets.length >= opts.maxPackets) return { error: "too-many-packets" };
    const r = decodeText(buf.subarray(from, i));
    if (r.error) return r;
    packets.push(r.packet);
  }
  return { packets };
}

// EIO-TPL-10..14: an application/octet-stream body.
function decodeBinaryPayload(buf, opts = {}) {
  if (opts.maxPayload !== undefined && buf.length > opts.maxPayload) return { error: "payload-too-large" };
  if (buf.length === 0) return { error: "empty-packet" };
  const packets = [];
  let i = 0;
  while (i < buf.length) {
    const marker = buf[i++];
    if (marker !== 0 && marker !== 1) return { error: "bad-length-prefix" };
    let digits = "";
    while (i < buf.length && buf[i] <= 9) digits += String(buf[i++]);
    if (i >= buf.length || buf[i] !== 0xff || digits.length === 0 || digits.length > 10)
      return { error: "bad-length-prefix" };
    i++;
    const n = Number(digits);
    if (i + n > buf.length) return { error: "bad-length-prefix" };
    if (n === 0) return { error: "empty-packet" };
    if (opts.maxPackets !== undefined && packets.length >= opts.maxPackets) return { error: "too-many-packets" };
    const seg = buf.subarray(i, i + n);
    i += n;
    const r = marker === 0 ? decodeText(seg) : decodeBinary(seg);
    if (r.error) return r;
    packets.push(r.packet);
  }
  return { packets };
}

// EIO-TPK-6: kind "binary" = a binary WebSocket message, "text" = the `b4` form.
function encodePacket(p, kind) {
  if (p.binary !== undefined) {
    const b = Buffer.from(p.binary, "hex");
    if (kind === "binary") return { hex: "04" + b.toString("hex") };
    return { text: "b4" + b.toString("base64") };
  }
  return { text: String(EIO_TYPES.indexOf(p.type)) + (p.data || "") };
}

// EIO-TPL-9.
function encodeTextPayload(ps) {
  if (ps.length === 0) return { text: "0:" };
  return { text: ps.map((p) => encodePacket(p, "text").text).map((t) => `${t.length}:${t}`).join("") };
}

// EIO-TPL-15.
function encodeBinaryPayload(ps) {
  const parts = [];
  for (const p of ps) {
    const e = encodePacket(p, "binary");
    const body = e.text !== undefined ? Buffer.from(e.text, "utf8") : Buffer.from(e.hex, "hex");
    const digits = [...String(body.length)].map(Number);
    parts.push(Buffer.from([e.text !== undefined ? 0 : 1, ...digits, 0xff]), body);
  }
  return { hex: Buffer.concat(parts).toString("hex") };
}

module.exports = {
  decodeText, decodeBinary, decodeTextPayload, decodeBinaryPayload, encodePacket, encodeTextPayload,
  encodeBinaryPayload,
};
