#!/usr/bin/env node
// Records what the official Redis adapter (@socket.io/redis-adapter 8.3.0, pinned in
// ci/node-cluster) publishes, live, and writes or checks vectors/redis-adapter/*.json.
//
// It starts a private redis-server on a free loopback port, two official socket.io 4.8.4
// servers ("node A" and "node B", each with its own pub and sub Redis connections and so
// its own adapter uid; they share nothing but Redis), connects socket.io-client sockets to
// both, and watches every channel under the key `socket.io` with a raw `redis` client
// (PSUBSCRIBE socket.io*). Each step of STEPS performs one action (a broadcast, a
// socketsJoin, a fetchSockets ...) and records what was published, what every client then
// received and which rooms every socket is in. A few steps publish hand-written messages
// from the raw client, to show how the adapter decodes what it did not write itself.
//
// Normalisation (what varies from run to run): adapter uids, request ids, socket ids,
// ports, handshake times and the WebSocket key are replaced by placeholders such as
// `<uid:A>`, `<req:3>` (numbered by first appearance), `<sid:a1>`, `<port:A>`. The
// replacement is done on the decoded message, which is then encoded again the way the
// adapter encodes it (JSON.stringify or notepack.io); the run first checks that
// decode-then-encode gives back the original bytes, so the stored hex is exactly what the
// adapter would have published had those values been the placeholders.
//
// Usage: node redis-adapter.js --write   (record and rewrite the vector files)
//        node redis-adapter.js --check   (record and compare; exit 1 on any difference)
// Everything listens on 127.0.0.1; every wait is bounded; redis-server is stopped by PID.
"use strict";

const fs = require("fs");
const os = require("os");
const net = require("net");
const path = require("path");
const http = require("http");
const { spawn } = require("child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const NM = process.env.SIOCONFORM_CLUSTER_NODE_MODULES || path.join(ROOT, "ci", "node-cluster", "node_modules");
const OUT = path.join(ROOT, "vectors", "redis-adapter");
const req = (m) => require(path.join(NM, m));
const { Server } = req("socket.io");
const ioc = req("socket.io-client");
const { createClient } = req("redis");
const { createAdapter } = req("@socket.io/redis-adapter");
const msgpack = req("notepack.io");

const MODE = process.argv.includes("--write") ? "write" : process.argv.includes("--check") ? "check" : null;
if (!MODE) {
  console.error("usage: redis-adapter.js --write|--check");
  process.exit(2);
}
const HARD_LIMIT_MS = 90000;
const QUIET_MS = 400; // --write: a step is over when nothing was published or delivered for this long
const STEP_MAX_MS = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- processes ----------
let redisProc = null;
let tmpDir = null;
// Stops the redis-server this script started (by its PID) and waits for it to exit, so
// that it is reaped here and leaves no zombie behind.
async function cleanup() {
  const p = redisProc;
  if (p && p.exitCode === null && p.signalCode === null) {
    const gone = new Promise((r) => p.once("exit", r));
    try { process.kill(p.pid, "SIGTERM"); } catch (_) { /* already gone */ }
    const t = setTimeout(() => { try { process.kill(p.pid, "SIGKILL"); } catch (_) { /* gone */ } }, 3000);
    await gone;
    clearTimeout(t);
  }
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}
const hard = setTimeout(() => {
  console.error(`redis-adapter: FAIL: over the ${HARD_LIMIT_MS} ms limit`);
  cleanup().finally(() => process.exit(1));
}, HARD_LIMIT_MS);
hard.unref();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function startRedis() {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "sioconform-ra-"));
  // The port is free when chosen; another process could take it before redis binds, so
  // try a few times (bounded).
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const p = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "",
      "--appendonly", "no", "--dir", tmpDir, "--logfile", path.join(tmpDir, "redis.log")],
    { stdio: "ignore" });
    const spawnErr = await new Promise((resolve) => {
      p.once("error", resolve);
      setTimeout(() => resolve(null), 50);
    });
    if (spawnErr) throw new Error(`cannot start redis-server (${spawnErr.message}); ci/install-deps installs it`);
    redisProc = p;
    for (let i = 0; i < 100 && p.exitCode === null; i++) {
      const ok = await new Promise((resolve) => {
        const c = net.connect(port, "127.0.0.1", () => { c.end(); resolve(true); });
        c.on("error", () => resolve(false));
      });
      if (ok) return port;
      await sleep(50);
    }
    if (p.exitCode === null) {
      const gone = new Promise((r) => p.once("exit", r));
      process.kill(p.pid, "SIGTERM");
      await gone;
    }
    redisProc = null;
  }
  throw new Error("redis-server did not start (see its log)");
}

// ---------- encoding helpers ----------
const isJsonWire = (buf) => buf.length > 0 && buf[0] === 0x7b; // the adapter's own test: "{" first

function decodeWire(buf) {
  if (isJsonWire(buf)) {
    const text = buf.toString("utf8");
    const v = JSON.parse(text);
    if (JSON.stringify(v) !== text) throw new Error(`JSON message does not round-trip: ${text}`);
    return { encoding: "json", value: v };
  }
  const v = msgpack.decode(buf);
  if (!Buffer.from(msgpack.encode(v)).equals(buf)) throw new Error(`msgpack message does not round-trip: ${buf.toString("hex")}`);
  return { encoding: "msgpack", value: v };
}
const encodeWire = (encoding, v) => (encoding === "json" ? Buffer.from(JSON.stringify(v), "utf8") : Buffer.from(msgpack.encode(v)));

// Decoded values as JSON: byte strings become {"$bin": "hex"}.
function toJsonable(v) {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $bin: Buffer.from(v).toString("hex") };
  if (Array.isArray(v)) return v.map(toJsonable);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) o[k] = toJsonable(v[k]);
    return o;
  }
  return v;
}

// ---------- normalisation ----------
const literals = []; // [actual, placeholder], longest first when applied
// request ids published by hand are fixed already and keep their names
const reqIds = new Map([["raw-req-1", "raw-req-1"], ["raw-req-2", "raw-req-2"]]);
function addLiteral(actual, placeholder) {
  literals.push([actual, placeholder]);
  literals.sort((a, b) => b[0].length - a[0].length);
}
function normString(s) {
  for (const [a, p] of literals) if (s.includes(a)) s = s.split(a).join(p);
  return s;
}
function normalise(v, key) {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) o[normString(k)] = normalise(v[k], k);
    return o;
  }
  if (typeof v === "string") {
    if (key === "requestId") {
      if (!reqIds.has(v)) reqIds.set(v, `<req:${[...reqIds.values()].filter((x) => x.startsWith("<")).length + 1}>`);
      return reqIds.get(v);
    }
    if (key === "time") return "<time>";
    if (key === "sec-websocket-key") return "<ws-key>";
    return normString(v);
  }
  if (typeof v === "number" && key === "issued") return 0;
  return v;
}

// One line saying what a decoded message means (RA tags in spec/redis-adapter.md).
const TYPE_NAMES = ["SOCKETS", "ALL_ROOMS", "REMOTE_JOIN", "REMOTE_LEAVE", "REMOTE_DISCONNECT",
  "REMOTE_FETCH", "SERVER_SIDE_EMIT", "BROADCAST", "BROADCAST_CLIENT_COUNT", "BROADCAST_ACK"];
function meaning(channel, v) {
  const j = (x) => JSON.stringify(toJsonable(x));
  if (Array.isArray(v) && v.length === 3) {
    const [uid, packet, opts] = v;
    return `broadcast from ${uid}: packet type ${packet.type} in ${packet.nsp} data ${j(packet.data)}; rooms ${j(opts.rooms)} except ${j(opts.except)} flags ${j(opts.flags)}`;
  }
  if (channel.includes("-request#")) {
    const parts = [`request ${v.type} ${TYPE_NAMES[v.type] || "?"} from ${v.uid}`];
    if (v.requestId !== undefined) parts.push(`id ${v.requestId}`);
    else parts.push("no id (no response expected)");
    for (const k of ["opts", "rooms", "room", "sid", "close", "data", "packet"]) if (v[k] !== undefined) parts.push(`${k} ${j(v[k])}`);
    return parts.join("; ");
  }
  if (channel.includes("-response#")) {
    const t = v.type !== undefined ? `type ${v.type} ${TYPE_NAMES[v.type]}` : "untyped";
    const rest = Object.keys(v).filter((k) => k !== "type" && k !== "requestId").map((k) => `${k} ${j(v[k])}`);
    return `response (${t}) to ${v.requestId}${rest.length ? "; " + rest.join("; ") : ""}`;
  }
  return "unknown";
}

// ---------- the cluster under test ----------
const KEY = "socket.io";
const state = { published: [], delivered: {}, serverEvents: [], last: Date.now() };
const touch = () => { state.last = Date.now(); };

async function redisClient(url) {
  const c = createClient({ url, socket: { reconnectStrategy: false } });
  c.on("error", (e) => { console.error(`redis client error: ${e.message}`); });
  await c.connect();
  return c;
}

async function startNode(label, url, adapterOpts) {
  const pub = await redisClient(url);
  const sub = pub.duplicate();
  sub.on("error", (e) => { console.error(`redis client error: ${e.message}`); });
  await sub.connect();
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub, adapterOpts), transports: ["websocket"] });
  const onConn = (nsp) => (socket) => {
    const a = socket.handshake.auth || {};
    socket.data = { name: a.name };
    if (Array.isArray(a.rooms)) socket.join(a.rooms);
  };
  io.on("connection", onConn("/"));
  io.of("/chat").on("connection", onConn("/chat"));
  // serverSideEmit handlers: record, and answer an ack with this node's label
  io.on("ping-all", (...args) => { touch(); state.serverEvents.push({ node: label, event: "ping-all", args }); });
  io.on("ask", (...args) => {
    touch();
    const cb = args.pop();
    state.serverEvents.push({ node: label, event: "ask", args });
    cb({ from: label, got: args });
  });
  await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
  const port = httpServer.address().port;
  addLiteral(`127.0.0.1:${port}`, `127.0.0.1:<port:${label}>`);
  // uids of every namespace adapter on this node
  io.of("/chat");
  addLiteral(io.of("/").adapter.uid, `<uid:${label}>`);
  addLiteral(io.of("/chat").adapter.uid, `<uid:${label}/chat>`);
  return { label, io, pub, sub, httpServer, port };
}

async function connectClient(node, name, nsp, rooms) {
  const s = ioc(`http://127.0.0.1:${node.port}${nsp}`, {
    transports: ["websocket"], reconnection: false, forceNew: true, auth: { name, rooms },
  });
  state.delivered[name] = [];
  s.onAny((event, ...args) => {
    touch();
    const last = args.length && typeof args[args.length - 1] === "function" ? args.pop() : null;
    state.delivered[name].push({ event, args: toJsonable(args) });
    if (last) last({ from: name });
  });
  s.on("disconnect", (reason) => { touch(); state.delivered[name].push({ disconnect: reason }); });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`client ${name} did not connect`)), 5000);
    s.once("connect", () => { clearTimeout(t); resolve(); });
    s.once("connect_error", (e) => { clearTimeout(t); reject(e); });
  });
  addLiteral(s.id, `<sid:${name}>`);
  return s;
}

// ---------- steps ----------
// Each: id, reqs (spec tags), note, action (source shown in the vector), run(ctx).
const STEPS = [
  { id: "emit-all", reqs: ["RA-2", "RA-5", "RA-6", "RA-8", "RA-10"], note: "io.emit to every client: one message on the namespace channel, no rooms",
    action: 'A.io.emit("hello", 1)', run: ({ A }) => A.io.emit("hello", 1) },
  { id: "emit-one-room", reqs: ["RA-2", "RA-5", "RA-10"], note: "exactly one room: published on that room's channel",
    action: 'A.io.to("r1").emit("to-r1", "x")', run: ({ A }) => A.io.to("r1").emit("to-r1", "x") },
  { id: "emit-two-rooms", reqs: ["RA-2", "RA-8", "RA-10"], note: "two rooms: published on the namespace channel, rooms listed in the options",
    action: 'A.io.to(["r1", "r2"]).emit("to-r1-r2")', run: ({ A }) => A.io.to(["r1", "r2"]).emit("to-r1-r2") },
  { id: "emit-room-except", reqs: ["RA-8", "RA-10", "RA-11"], note: "room r1 except r2: receivers check the except set on their side",
    action: 'A.io.to("r1").except("r2").emit("r1-not-r2")', run: ({ A }) => A.io.to("r1").except("r2").emit("r1-not-r2") },
  { id: "emit-except-only", reqs: ["RA-8", "RA-11"], note: "everyone except r1",
    action: 'B.io.except("r1").emit("not-r1")', run: ({ B }) => B.io.except("r1").emit("not-r1") },
  { id: "emit-volatile", reqs: ["RA-8"], note: "the volatile flag travels in flags",
    action: 'A.io.volatile.emit("vol")', run: ({ A }) => A.io.volatile.emit("vol") },
  { id: "emit-compress-false", reqs: ["RA-8"], note: "compress(false) travels in flags",
    action: 'A.io.compress(false).emit("nocomp")', run: ({ A }) => A.io.compress(false).emit("nocomp") },
  { id: "emit-local", reqs: ["RA-9"], note: "the local flag: nothing is published, only node A's clients receive",
    action: 'A.io.local.emit("local-only")', run: ({ A }) => A.io.local.emit("local-only") },
  { id: "local-sockets-join", reqs: ["RA-9"], note: "socketsJoin with the local flag: nothing is published, only node A's sockets join",
    action: 'A.io.local.in("r1").socketsJoin("r-local")', run: ({ A }) => A.io.local.in("r1").socketsJoin("r-local") },
  { id: "emit-binary", reqs: ["RA-6", "RA-7"], note: "binary data stays a msgpack bin inside the EVENT packet (type 2, no attachments)",
    action: 'A.io.emit("bin", Buffer.from([1, 2, 3]))', run: ({ A }) => A.io.emit("bin", Buffer.from([1, 2, 3])) },
  { id: "emit-other-nsp", reqs: ["RA-1", "RA-2", "RA-6"], note: "namespace /chat has its own channels and its own uid",
    action: 'B.io.of("/chat").to("r1").emit("chat-r1")', run: ({ B }) => B.io.of("/chat").to("r1").emit("chat-r1") },
  { id: "sockets-join", reqs: ["RA-13", "RA-16"], note: "socketsJoin: request type 2 with opts, no id and no response",
    action: 'A.io.in("r2").socketsJoin("r3")', run: ({ A }) => A.io.in("r2").socketsJoin("r3") },
  { id: "emit-joined-room", reqs: ["RA-2", "RA-10", "RA-16"], note: "r3 now holds the r2 members of both nodes",
    action: 'B.io.to("r3").emit("to-r3")', run: ({ B }) => B.io.to("r3").emit("to-r3") },
  { id: "sockets-leave", reqs: ["RA-13", "RA-16"], note: "socketsLeave: request type 3 with opts, no id and no response",
    action: 'B.io.in("r1").socketsLeave("r3")', run: ({ B }) => B.io.in("r1").socketsLeave("r3") },
  { id: "fetch-sockets", reqs: ["RA-13", "RA-14", "RA-18", "RA-19", "RA-20"], note: "fetchSockets: request type 5 (JSON), one response per other node with id, handshake, rooms, data",
    action: 'await A.io.in("r1").fetchSockets()', run: async ({ A }) => (await A.io.in("r1").fetchSockets()).length },
  { id: "all-rooms", reqs: ["RA-13", "RA-14", "RA-15", "RA-19"], note: "adapter.allRooms(): request type 1, response lists every room of the other node (socket-id rooms included)",
    action: 'await A.io.of("/").adapter.allRooms()', run: async ({ A }) => (await A.io.of("/").adapter.allRooms()).size },
  { id: "server-side-emit", reqs: ["RA-12", "RA-13", "RA-21"], note: "serverSideEmit without ack: type 6 without requestId; the sender ignores its own request by uid",
    action: 'A.io.serverSideEmit("ping-all", 1, "two")', run: ({ A }) => A.io.serverSideEmit("ping-all", 1, "two") },
  { id: "server-side-emit-ack", reqs: ["RA-13", "RA-14", "RA-19", "RA-22"], note: "serverSideEmitWithAck: type 6 with requestId; the answer (first callback argument only) is a typed response",
    action: 'await A.io.serverSideEmitWithAck("ask", "q")', run: async ({ A }) => A.io.serverSideEmitWithAck("ask", "q") },
  { id: "broadcast-with-ack", reqs: ["RA-7", "RA-19", "RA-23", "RA-24", "RA-25"], note: "broadcast with ack: request type 7 in msgpack; the other node answers its client count (type 8, JSON) and each client ack (type 9, msgpack)",
    action: 'await A.io.to("r2").timeout(3000).emitWithAck("want-ack", 7)', run: async ({ A }) => (await A.io.to("r2").timeout(3000).emitWithAck("want-ack", 7)).length },
  { id: "raw-sockets-request", reqs: ["RA-13", "RA-17", "RA-19"], note: "a type 0 request (8.3.0 answers it but no longer sends it), published by hand: every node answers with its socket ids in the rooms",
    action: 'raw PUBLISH socket.io-request#/# {"uid":"raw-1","requestId":"raw-req-1","type":0,"rooms":["r1"]}',
    raw: { channel: "socket.io-request#/#", text: '{"uid":"raw-1","requestId":"raw-req-1","type":0,"rooms":["r1"]}' } },
  { id: "raw-legacy-join", reqs: ["RA-16", "RA-19"], note: "the older single-socket form of type 2 (sid, room, requestId), published by hand: the node holding the socket joins it and answers {requestId}",
    action: 'raw PUBLISH socket.io-request#/# {"uid":"raw-1","requestId":"raw-req-2","type":2,"sid":"<sid:b2>","room":"r4"}',
    raw: { channel: "socket.io-request#/#", text: '{"uid":"raw-1","requestId":"raw-req-2","type":2,"sid":"$b2","room":"r4"}' } },
  { id: "raw-own-uid-ignored", reqs: ["RA-5", "RA-12"], note: "a broadcast carrying node A's uid, published by hand: node A drops it as its own, node B delivers it",
    action: "raw PUBLISH socket.io#/# msgpack [<uid:A>, {type 2, data [\"spoof\"], nsp /}, {rooms [], except [], flags {}}]",
    raw: { channel: "socket.io#/#", msgpack: (ctx) => [ctx.A.io.of("/").adapter.uid, { type: 2, data: ["spoof"], nsp: "/" }, { rooms: [], except: [], flags: {} }] } },
  { id: "raw-unknown-room-channel", reqs: ["RA-10"], note: "a message on the channel of a room no node holds is dropped before decoding, whatever its options say",
    action: "raw PUBLISH socket.io#/#nobody# msgpack [\"raw-1\", {type 2, data [\"lost\"], nsp /}, {rooms [], except [], flags {}}]",
    raw: { channel: "socket.io#/#nobody#", msgpack: () => ["raw-1", { type: 2, data: ["lost"], nsp: "/" }, { rooms: [], except: [], flags: {} }] } },
  { id: "disconnect-sockets", reqs: ["RA-13", "RA-16"], note: "disconnectSockets(true): request type 4 with opts and close, no id and no response",
    action: 'A.io.in("r2").disconnectSockets(true)', run: ({ A }) => A.io.in("r2").disconnectSockets(true) },
  { id: "specific-response-channel", reqs: ["RA-3", "RA-20", "RA-22"], note: "a third node C with publishOnSpecificResponseChannel: true answers fetchSockets on A's own response channel; its serverSideEmit answer still goes to the shared one",
    action: 'C = node with {publishOnSpecificResponseChannel: true}; await A.io.in("r1").fetchSockets(); await A.io.serverSideEmitWithAck("ask", "c")',
    run: async (ctx) => {
      ctx.C = await startNode("C", ctx.url, { publishOnSpecificResponseChannel: true });
      const n = (await ctx.A.io.in("r1").fetchSockets()).length;
      const answers = await ctx.A.io.serverSideEmitWithAck("ask", "c");
      return { fetched: n, answers: answers.sort((x, y) => x.from.localeCompare(y.from)) };
    } },
];

async function waitQuiet() {
  const start = Date.now();
  touch();
  while (Date.now() - state.last < QUIET_MS) {
    if (Date.now() - start > STEP_MAX_MS) throw new Error("step did not go quiet");
    await sleep(25);
  }
}

function roomsOf(nodes) {
  const out = {};
  for (const n of nodes) {
    for (const nsp of ["/", "/chat"]) {
      for (const [, s] of n.io.of(nsp).sockets) {
        const name = s.data && s.data.name;
        out[name] = [...s.rooms].filter((r) => r !== s.id).sort();
      }
    }
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

// The vector of one step, from what was seen since the step began.
function snapshot(step, result, ctx) {
  const messages = state.published.map(({ channel, buf }) => {
    const { encoding, value } = decodeWire(buf);
    const norm = normalise(value);
    const out = encodeWire(encoding, norm);
    const ch = normString(channel);
    return { channel: ch, encoding, hex: out.toString("hex"), decoded: toJsonable(norm), meaning: meaning(ch, norm) };
  });
  // Requests come first in causal order; responses of several nodes arrive in any order,
  // so response-channel messages are sorted by channel and then by their normalised bytes.
  const level = (m) => (m.channel.includes("-response#") ? 1 : 0);
  const indexed = messages.map((m, i) => [m, i]);
  indexed.sort((x, y) => level(x[0]) - level(y[0]) ||
    (level(x[0]) ? x[0].channel.localeCompare(y[0].channel) || x[0].hex.localeCompare(y[0].hex) : x[1] - y[1]));
  const delivered = {};
  for (const k of Object.keys(state.delivered).sort()) delivered[k] = normalise(state.delivered[k]);
  const v = { id: step.id, reqs: step.reqs, note: step.note, action: step.action, messages: indexed.map((x) => x[0]), delivered };
  if (state.serverEvents.length) {
    v.serverEvents = normalise([...state.serverEvents].sort((x, y) => x.node.localeCompare(y.node)));
  }
  if (result !== undefined) v.result = normalise(toJsonable(result));
  v.rooms = normalise(roomsOf([ctx.A, ctx.B].concat(ctx.C ? [ctx.C] : [])));
  return v;
}

async function main() {
  const redisPort = await startRedis();
  const url = `redis://127.0.0.1:${redisPort}`;
  const raw = await redisClient(url);
  const watcher = raw.duplicate();
  await watcher.connect();
  await watcher.pSubscribe(`${KEY}*`, (msg, channel) => { touch(); state.published.push({ channel: channel.toString(), buf: Buffer.from(msg) }); }, true);

  const A = await startNode("A", url);
  const B = await startNode("B", url);
  const ctx = { A, B, url };
  const clients = {
    a1: await connectClient(A, "a1", "/", ["r1", "r2"]),
    a2: await connectClient(A, "a2", "/", ["r1"]),
    b1: await connectClient(B, "b1", "/", ["r1"]),
    b2: await connectClient(B, "b2", "/", ["r2"]),
    c1: await connectClient(B, "c1", "/chat", ["r1"]),
  };
  await waitQuiet();

  // What the nodes subscribe to, and what PUBSUB NUMSUB reports (RA-3, RA-4, RA-14).
  const chans = (await raw.sendCommand(["PUBSUB", "CHANNELS", `${KEY}*`])).map((c) => normString(c.toString())).sort();
  const numsub = await raw.sendCommand(["PUBSUB", "NUMSUB", `${KEY}-request#/#`, `${KEY}-response#/#`, `${KEY}-request#/chat#`]);
  const numpat = Number(await raw.sendCommand(["PUBSUB", "NUMPAT"]));
  const subscriptions = [{
    id: "subscriptions", reqs: ["RA-1", "RA-3", "RA-4", "RA-14"],
    note: "two nodes, each with namespaces / and /chat: the plain channels they subscribe to (three per namespace per node, the last one named by that adapter's uid), NUMSUB counts (2: one per node), and NUMPAT, which counts distinct patterns: socket.io#/#*, socket.io#/chat#* and this recorder's socket.io*",
    channels: chans,
    numsub: Object.fromEntries(numsub.reduce((acc, x, i) => (i % 2 ? acc[acc.length - 1].push(Number(x)) : acc.push([x.toString()]), acc), [])),
    numpat,
  }];

  const committedPath = path.join(OUT, "messages.json");
  const committed = new Map(fs.existsSync(committedPath)
    ? JSON.parse(fs.readFileSync(committedPath, "utf8")).vectors.map((x) => [x.id, x]) : []);
  const vectors = [];
  for (const step of STEPS) {
    state.published = [];
    state.serverEvents = [];
    for (const k of Object.keys(state.delivered)) state.delivered[k] = [];
    let result;
    if (step.raw) {
      let buf;
      if (step.raw.text) buf = Buffer.from(step.raw.text.replace("$b2", clients.b2.id));
      else buf = Buffer.from(msgpack.encode(step.raw.msgpack(ctx)));
      await raw.publish(step.raw.channel, buf);
    } else {
      const r = step.run(ctx);
      // only what an awaited call returns is worth recording (emit just returns true)
      result = r instanceof Promise ? await r : undefined;
    }
    // --write: the step is over once nothing happened for QUIET_MS. --check: once nothing
    // happened for QUIET_MS *and* it equals the committed vector (so a slow machine does
    // not cut a step short, and a late extra message is still seen), or after
    // STEP_MAX_MS, when the difference is reported.
    const want = committed.get(step.id);
    let v;
    if (MODE === "check" && want) {
      const t0 = Date.now();
      touch();
      for (;;) {
        v = snapshot(step, result, ctx);
        const quiet = Date.now() - state.last >= QUIET_MS;
        if ((quiet && JSON.stringify(v) === JSON.stringify(want)) || Date.now() - t0 > STEP_MAX_MS) break;
        await sleep(25);
      }
    } else {
      await waitQuiet();
      v = snapshot(step, result, ctx);
    }
    vectors.push(v);
  }

  for (const s of Object.values(clients)) s.close();
  for (const n of [A, B].concat(ctx.C ? [ctx.C] : [])) {
    await new Promise((r) => n.io.close(() => r()));
    await n.pub.quit().catch(() => {});
    await n.sub.quit().catch(() => {});
  }
  await watcher.quit().catch(() => {});
  await raw.quit().catch(() => {});

  const files = {
    "subscriptions.json": { format: 1, about: "Channels and subscription counts of two nodes running @socket.io/redis-adapter 8.3.0, recorded live by vectors/check/redis-adapter.js (spec/redis-adapter.md)", vectors: subscriptions },
    "messages.json": {
      format: 1,
      about: "What @socket.io/redis-adapter 8.3.0 publishes for each server action (and how it handles a few hand-published messages), recorded live by vectors/check/redis-adapter.js; uids, request ids, socket ids, ports and times normalised (see vectors/redis-adapter/README.md)",
      vectors,
    },
  };
  let bad = 0;
  for (const [name, doc] of Object.entries(files)) {
    const badBefore = bad;
    const text = JSON.stringify(doc, null, 2) + "\n";
    const p = path.join(OUT, name);
    if (MODE === "write") {
      fs.mkdirSync(OUT, { recursive: true });
      fs.writeFileSync(p, text);
      console.log(`redis-adapter: wrote ${path.relative(ROOT, p)} (${doc.vectors.length} vectors)`);
    } else {
      const old = fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, "utf8")) : { vectors: [] };
      const oldById = new Map(old.vectors.map((v) => [v.id, v]));
      for (const v of doc.vectors) {
        const o = oldById.get(v.id);
        if (!o) { console.log(`FAIL ${name} ${v.id}: recorded but not in the committed file`); bad++; continue; }
        if (JSON.stringify(o) !== JSON.stringify(v)) {
          console.log(`FAIL ${name} ${v.id}: the official adapter now gives\n${JSON.stringify(v, null, 2)}`);
          bad++;
        }
        oldById.delete(v.id);
      }
      for (const id of oldById.keys()) { console.log(`FAIL ${name} ${id}: committed but not recorded`); bad++; }
      console.log(`redis-adapter: ${name}: ${doc.vectors.length} vectors recorded, ${doc.vectors.length - (bad - badBefore)} equal to the committed ones`);
    }
  }
  return bad;
}

main().then(async (bad) => {
  await cleanup();
  if (MODE === "check") console.log(bad ? `redis-adapter: ${bad} differences` : "redis-adapter: ok");
  process.exit(bad ? 1 : 0);
}, async (e) => {
  console.error(`redis-adapter: FAIL: ${e.stack || e.message}`);
  await cleanup();
  process.exit(1);
});
