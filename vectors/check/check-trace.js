#!/usr/bin/env node
// Traceability between spec/ and vectors/: every tag a vector cites is defined in spec/,
// every codec tag (EIO-PK, EIO-PL, SIO-PK, SIO-BIN, and for Engine.IO v3, Socket.IO v4 and
// msgpack EIO-TPK, EIO-TPL, SIO-FPK, SIO-MP) and every Redis adapter tag (RA) is cited by
// some vector, every codec-range peer-violation error (-100..-149, -200..-249) is produced
// by some invalid vector, every spec tag is in its file's tag index, ids are unique per
// file and every file is format 1.
// Prints counts; exits 1 on any failure. Usage: node check-trace.js
"use strict";

const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const SPEC = path.join(ROOT, "spec");
const VEC = path.join(ROOT, "vectors");
const TAG_RE = /\[((?:(?:EIO|SIO)-[A-Z]+|C[CT]|RA)-\d+)\]/g;
const ANY_TAG_RE = /\b((?:(?:EIO|SIO)-[A-Z]+|C[CT]|RA)-\d+)\b/g;
const CODEC_FAMILIES = ["EIO-PK", "EIO-PL", "SIO-PK", "SIO-BIN", "EIO-TPK", "EIO-TPL", "SIO-FPK", "SIO-MP"];
// The Redis adapter's tags (spec/redis-adapter.md) are each shown by a recorded vector
// (vectors/redis-adapter/), like the codec tags.
const ADAPTER_FAMILY = "RA";
// The protocol files define each tag once and end with a tag index; other spec files
// (the test-app contract) may repeat a tag in cross-references and need no index.
const PROTOCOL_FILES = ["engine.io-v4.md", "socket.io-v5.md", "engine.io-v3.md", "socket.io-v4.md", "msgpack.md", "redis-adapter.md"];

const failures = [];
const fail = (msg) => failures.push(msg);

// ---- spec: defined tags (bracketed in the body) and tag index rows ----
const defined = new Map(); // tag -> file
let indexRows = 0;
for (const f of fs.readdirSync(SPEC).filter((n) => n.endsWith(".md")).sort()) {
  const text = fs.readFileSync(path.join(SPEC, f), "utf8");
  const cut = text.search(/^## Tag index/m);
  const body = cut >= 0 ? text.slice(0, cut) : text;
  const index = cut >= 0 ? text.slice(cut) : "";
  const here = new Set();
  const strict = PROTOCOL_FILES.includes(f);
  for (const m of body.matchAll(TAG_RE)) {
    const tag = m[1];
    if (here.has(tag) && strict) fail(`${f}: tag ${tag} defined twice`);
    if (defined.has(tag) && defined.get(tag) !== f) fail(`${f}: tag ${tag} also defined in ${defined.get(tag)}`);
    here.add(tag);
    defined.set(tag, f);
  }
  const listed = new Set();
  for (const line of index.split("\n")) {
    const m = /^\|\s*((?:(?:EIO|SIO)-[A-Z]+|C[CT]|RA)-\d+)\s*\|\s*(MUST|SHOULD|MAY)[^|]*\|/.exec(line);
    if (m) { listed.add(m[1]); indexRows++; }
  }
  if (!strict) continue;
  if (here.size && cut < 0) fail(`${f}: no "## Tag index" section`);
  for (const t of here) if (!listed.has(t)) fail(`${f}: ${t} missing from the tag index`);
  for (const t of listed) if (!here.has(t)) fail(`${f}: tag index lists ${t}, which the text does not define`);
}

// ---- errors.json ----
const errors = JSON.parse(fs.readFileSync(path.join(VEC, "errors.json"), "utf8"));
// Codec ranges only (-100..-149, -200..-249): session-range codes are about sequences of
// requests and are exercised by the state-machine tests, not by wire vectors.
const codecRange = (c) => (c <= -100 && c >= -149) || (c <= -200 && c >= -249);
const peerErrors = errors.filter((e) => codecRange(e.code)).map((e) => e.name);
const errorNames = new Set(errors.map((e) => e.name));

// ---- vector files ----
function vectorFiles(dir) {
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory() && ent.name !== "check") out.push(...vectorFiles(p));
    else if (ent.isFile() && ent.name.endsWith(".json") && p !== path.join(VEC, "errors.json")) out.push(p);
  }
  return out.sort();
}

const cited = new Set();
const usedErrors = new Set();
let nVectors = 0;
let nCitations = 0;
const files = vectorFiles(VEC);
for (const p of files) {
  const rel = path.relative(VEC, p);
  let doc;
  try { doc = JSON.parse(fs.readFileSync(p, "utf8")); } catch (e) { fail(`${rel}: not JSON: ${e.message}`); continue; }
  if (doc.format !== 1) fail(`${rel}: format is ${JSON.stringify(doc.format)}, expected 1`);
  if (typeof doc.about !== "string" || !doc.about) fail(`${rel}: "about" missing`);
  // codec files hold "vectors" citing "reqs"; scenario files hold "cases" citing "tags"
  const list = Array.isArray(doc.vectors) ? doc.vectors : Array.isArray(doc.cases) ? doc.cases : null;
  if (!list) { fail(`${rel}: neither "vectors" nor "cases" is a list`); continue; }
  const ids = new Set();
  for (const v of list) {
    nVectors++;
    if (ids.has(v.id)) fail(`${rel}: duplicate id ${v.id}`);
    ids.add(v.id);
    for (const t of v.reqs || v.tags || []) {
      nCitations++;
      cited.add(t);
      if (!defined.has(t)) fail(`${rel} ${v.id}: cites ${t}, not defined in spec/`);
    }
    if (v.upstream && typeof v.upstream.why === "string") {
      const tags = [...v.upstream.why.matchAll(ANY_TAG_RE)].map((m) => m[1]);
      if (!tags.length) fail(`${rel} ${v.id}: upstream.why cites no tag`);
      for (const t of tags) if (!defined.has(t)) fail(`${rel} ${v.id}: upstream.why cites ${t}, not defined in spec/`);
    }
    if (v.error !== undefined) {
      if (!errorNames.has(v.error)) fail(`${rel} ${v.id}: unknown error ${v.error}`);
      usedErrors.add(v.error);
    }
  }
}

const codecTags = [...defined.keys()].filter((t) => CODEC_FAMILIES.some((f) => t.startsWith(f + "-")));
const uncited = codecTags.filter((t) => !cited.has(t));
for (const t of uncited) fail(`codec tag ${t} is cited by no vector`);
const adapterTags = [...defined.keys()].filter((t) => t.startsWith(ADAPTER_FAMILY + "-"));
const adapterUncited = adapterTags.filter((t) => !cited.has(t));
for (const t of adapterUncited) fail(`adapter tag ${t} is cited by no vector`);
const unusedErrors = peerErrors.filter((n) => !usedErrors.has(n));
for (const n of unusedErrors) fail(`error ${n} is produced by no invalid vector`);

console.log(`spec: ${defined.size} tags defined, ${indexRows} tag-index rows`);
console.log(`vectors: ${files.length} files, ${nVectors} vectors and cases, ${nCitations} citations of ${cited.size} distinct tags`);
console.log(`codec tags (${CODEC_FAMILIES.join(", ")}): ${codecTags.length - uncited.length}/${codecTags.length} cited`);
console.log(`adapter tags (${ADAPTER_FAMILY}): ${adapterTags.length - adapterUncited.length}/${adapterTags.length} cited`);
console.log(`peer-violation errors: ${peerErrors.length - unusedErrors.length}/${peerErrors.length} used by invalid vectors`);
for (const m of failures) console.log(`FAIL ${m}`);
console.log(failures.length ? `check-trace: ${failures.length} failures` : "check-trace: ok");
process.exit(failures.length ? 1 : 0);
