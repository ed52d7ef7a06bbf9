#!/usr/bin/env node
// Smoke and interop check of a contract server (spec/contract.md) with the official
// clients: socket.io-client 4.8.4 for /socket.io/ and engine.io-client 6.6.3 for the
// /engine.io/ echo, over long-polling, WebSocket, and polling upgraded to WebSocket.
//
// Usage: node conformance/subjects/smoke.js http://127.0.0.1:PORT
//          [--transports polling,websocket,upgrade] [--only SUBSTRING]
// Prints one line per check ("ok" or "FAIL" with the reason) and a summary line.
// Exit status: 0 all checks passed, 1 some check failed, 2 usage error or server not
// reachable. Every wait is bounded; the whole run is capped at 120 s.
"use strict";

const path = require("path");
const http = require("http");

const NODE_MODULES =
  process.env.SIOCONFORM_NODE_MODULES || path.join(__dirname, "..", "..", "ci", "node", "node_modules");
const ioc = require(path.join(NODE_MODULES, "socket.io-client"));
const eioc = require(path.join(NODE_MODULES, "engine.io-client"));

const STEP_MS = 3000; // longest single wait
const QUIET_MS = 300; // how long "nothing arrives" is observed
const TOTAL_MS = 120000;

function usage() {
  process.stderr.write(
    "usage: node smoke.js http://127.0.0.1:PORT [--transports polling,websocket,upgrade] [--only SUBSTRING]\n"
  );
  process.exit(2);
}

const argv = process.argv.slice(2);
let base = null;
let modes = ["polling", "websocket", "upgrade"];
let only = null;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--transports" && i + 1 < argv.length) modes = argv[++i].split(",");
  else if (argv[i] === "--only" && i + 1 < argv.length) only = argv[++i];
  else if (!base && /^https?:\/\//.test(argv[i])) base = argv[i].replace(/\/+$/, "");
  else usage();
}
if (!base || modes.some((m) => !["polling", "websocket", "upgrade"].includes(m))) usage();

setTimeout(() => {
  console.log("FAIL smoke run exceeded " + TOTAL_MS / 1000 + " s");
  process.exit(1);
}, TOTAL_MS).unref();

// ---- small helpers -------------------------------------------------------------------

function delay(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function bounded(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error("timeout waiting for " + what)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

// Deep equality over JSON values and binary (Buffer / ArrayBuffer / typed arrays).
function toBuf(v) {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return null;
}
function same(a, b) {
  const ba = toBuf(a);
  const bb = toBuf(b);
  if (ba || bb) return !!(ba && bb && ba.equals(bb));
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}
function show(v) {
  return JSON.stringify(v, (k, x) => {
    const b = toBuf(x);
    if (b) return "<bin " + b.toString("hex") + ">";
    if (x && x.type === "Buffer" && Array.isArray(x.data)) return "<bin " + Buffer.from(x.data).toString("hex") + ">";
    return x;
  });
}
function expectSame(got, want, what) {
  if (!same(got, want)) throw new Error(what + ": got " + show(got) + ", want " + show(want));
}

// Records every event a socket receives so a check can wait for one, in order, or make
// sure one does not come. Ack callbacks stay in the recorded arguments (last position).
class Recorder {
  constructor(sock) {
    this.sock = sock;
    this.queue = [];
    this.waiters = [];
    sock.onAny((ev, ...args) => {
      this.queue.push({ ev, args });
      this.wake();
    });
    for (const ev of ["connect", "connect_error", "disconnect"]) {
      sock.on(ev, (...args) => {
        this.queue.push({ ev: "$" + ev, args });
        this.wake();
      });
    }
  }
  wake() {
    for (const w of this.waiters.slice()) {
      const i = this.queue.findIndex((e) => w.evs.includes(e.ev));
      if (i >= 0) {
        const [e] = this.queue.splice(i, 1);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  }
  // Next event among `evs` (a name or a list); "$connect" etc. for the socket's own events.
  next(evs, ms = STEP_MS) {
    evs = [].concat(evs);
    return bounded(
      new Promise((resolve) => {
        this.waiters.push({ evs, resolve });
        this.wake();
      }),
      ms,
      evs.join("|")
    ).catch((e) => {
      this.waiters = this.waiters.filter((w) => w.evs !== evs);
      throw e;
    });
  }
  async none(ev, ms = QUIET_MS) {
    await delay(ms);
    const e = this.queue.find((x) => x.ev === ev);
    if (e) throw new Error("unexpected " + ev + " " + show(e.args));
  }
}

const opened = [];

function clientOptions(mode, extra) {
  const o = { forceNew: true, reconnection: false, timeout: STEP_MS };
  if (mode === "polling") Object.assign(o, { transports: ["polling"], upgrade: false });
  else if (mode === "websocket") Object.assign(o, { transports: ["websocket"] });
  else Object.assign(o, { transports: ["polling", "websocket"], upgrade: true });
  return Object.assign(o, extra || {});
}

// Open a Socket.IO client on namespace nsp; returns {sock, rec}.
function open(mode, nsp, extra) {
  const sock = ioc.io(base + nsp, clientOptions(mode, extra));
  opened.push(sock);
  return { sock, rec: new Recorder(sock) };
}

// Open, wait for CONNECT and the "auth" event (CT-12) and check its payload.
async function openAuthed(mode, nsp, auth, extra) {
  const c = open(mode, nsp, Object.assign({ auth }, extra || {}));
  const e = await c.rec.next(["$connect", "$connect_error"]);
  if (e.ev !== "$connect") throw new Error("connect to " + nsp + " failed: " + show(e.args[0] && e.args[0].message));
  const a = await c.rec.next("auth");
  expectSame(a.args, [auth || {}], "auth event on " + nsp);
  if (mode === "upgrade") await waitUpgraded(c.sock);
  return c;
}

async function waitUpgraded(sock) {
  const engine = sock.io.engine;
  if (engine.transport && engine.transport.name === "websocket") return;
  await bounded(new Promise((r) => engine.once("upgrade", r)), STEP_MS, "upgrade to websocket");
}

function closeAll() {
  for (const s of opened.splice(0)) {
    try {
      s.io.engine && s.io.engine.close();
      s.disconnect();
    } catch (e) {
      /* already gone */
    }
  }
}

async function emitAck(sock, ...args) {
  return bounded(sock.timeout(STEP_MS).emitWithAck(...args), STEP_MS + 500, "ack of " + args[0]);
}

const BIN1 = Buffer.from([1, 2, 3]);
const BIN2 = Buffer.from([4, 5, 6]);

// ---- the checks ------------------------------------------------------------------------

const checks = [];
function check(name, fn) {
  checks.push({ name, fn });
}

check("connect", async (m) => {
  await openAuthed(m, "/", undefined);
});

check("connect-with-auth", async (m) => {
  await openAuthed(m, "/", { token: "123" });
});

check("message-back", async (m) => {
  const { sock, rec } = await openAuthed(m, "/");
  const args = [1, "2", { 3: [true] }];
  sock.emit("message", ...args);
  expectSame((await rec.next("message-back")).args, args, "message-back");
});

check("message-back-binary", async (m) => {
  const { sock, rec } = await openAuthed(m, "/");
  const args = [BIN1, { x: BIN2, y: "z" }];
  sock.emit("message", ...args);
  expectSame((await rec.next("message-back")).args, args, "message-back");
});

check("message-with-ack", async (m) => {
  const { sock } = await openAuthed(m, "/");
  const got = await bounded(
    new Promise((r) => sock.emit("message-with-ack", 1, "2", { 3: [false] }, (...a) => r(a))),
    STEP_MS,
    "ack"
  );
  expectSame(got, [1, "2", { 3: [false] }], "ack arguments");
});

check("message-with-ack-binary", async (m) => {
  const { sock } = await openAuthed(m, "/");
  const got = await bounded(
    new Promise((r) => sock.emit("message-with-ack", BIN1, [BIN2], (...a) => r(a))),
    STEP_MS,
    "ack"
  );
  expectSame(got, [BIN1, [BIN2]], "ack arguments");
});

check("custom-namespace", async (m) => {
  await openAuthed(m, "/custom", undefined);
  await openAuthed(m, "/custom", { token: "abc" });
});

check("custom-then-main-on-one-connection", async (m) => {
  // CT-19: leaving /custom keeps "/" alive on the same Engine.IO connection.
  const main = await openAuthed(m, "/");
  const custom = main.sock.io.socket("/custom");
  const crec = new Recorder(custom); // Manager.socket() connects it (autoConnect)
  await crec.next("$connect");
  await crec.next("auth");
  custom.disconnect();
  main.sock.emit("message", "message to main namespace");
  expectSame((await main.rec.next("message-back")).args, ["message to main namespace"], "message-back");
});

check("unknown-namespace", async (m) => {
  const { rec } = open(m, "/random");
  const e = await rec.next(["$connect", "$connect_error"]);
  if (e.ev !== "$connect_error") throw new Error("connected to /random");
  expectSame(e.args[0].message, "Invalid namespace", "connect_error message");
});

check("auth-reject", async (m) => {
  for (const auth of [undefined, { token: "wrong" }, { token: 1 }]) {
    const { rec } = open(m, "/auth", auth ? { auth } : {});
    const e = await rec.next(["$connect", "$connect_error"]);
    if (e.ev !== "$connect_error") throw new Error("/auth accepted " + show(auth));
    expectSame(e.args[0].message, "unauthorized", "connect_error message");
    expectSame(e.args[0].data, { reason: "bad-token" }, "connect_error data");
  }
});

check("auth-accept", async (m) => {
  await openAuthed(m, "/auth", { token: "sioconform", extra: [1] });
});

check("extensions", async (m) => {
  const { sock } = await openAuthed(m, "/");
  const got = await emitAck(sock, "extensions");
  if (!Array.isArray(got)) throw new Error("extensions ack is not an array: " + show(got));
  const want = ["rooms", "broadcast", "server-ack", "server-disconnect", "auth"];
  expectSame(got.slice().sort(), want.slice().sort(), "extensions");
});

check("rooms", async (m) => {
  const [a, b, c] = await Promise.all([openAuthed(m, "/"), openAuthed(m, "/"), openAuthed(m, "/")]);
  const room = "ct-smoke-" + m;
  expectSame(await emitAck(a.sock, "join", room), room, "join ack (a)");
  expectSame(await emitAck(b.sock, "join", room), room, "join ack (b)");
  a.sock.emit("to-room", room, "hi", 1);
  expectSame((await b.rec.next("room-message")).args, ["hi", 1], "to-room at member b");
  await Promise.all([a.rec.none("room-message"), c.rec.none("room-message")]);
  a.sock.emit("to-room-all", room, BIN1);
  expectSame((await a.rec.next("room-message")).args, [BIN1], "to-room-all at sender a");
  expectSame((await b.rec.next("room-message")).args, [BIN1], "to-room-all at member b");
  await c.rec.none("room-message");
  // A non-member sender: to-room reaches the members only.
  c.sock.emit("to-room", room, "from-c");
  expectSame((await a.rec.next("room-message")).args, ["from-c"], "to-room from non-member at a");
  expectSame((await b.rec.next("room-message")).args, ["from-c"], "to-room from non-member at b");
  await c.rec.none("room-message");
  expectSame(await emitAck(b.sock, "leave", room), room, "leave ack (b)");
  a.sock.emit("to-room-all", room, "after-leave");
  expectSame((await a.rec.next("room-message")).args, ["after-leave"], "to-room-all after leave at a");
  await Promise.all([b.rec.none("room-message"), c.rec.none("room-message")]);
});

check("broadcast", async (m) => {
  const [a, b, c] = await Promise.all([openAuthed(m, "/"), openAuthed(m, "/"), openAuthed(m, "/")]);
  const other = await openAuthed(m, "/custom");
  a.sock.emit("broadcast", "all", { n: 2 });
  expectSame((await b.rec.next("broadcast-message")).args, ["all", { n: 2 }], "broadcast at b");
  expectSame((await c.rec.next("broadcast-message")).args, ["all", { n: 2 }], "broadcast at c");
  await Promise.all([a.rec.none("broadcast-message"), other.rec.none("broadcast-message")]);
});

check("request-ack", async (m) => {
  const { sock, rec } = await openAuthed(m, "/");
  sock.emit("request-ack", "q", 7);
  const req = await rec.next("ack-request");
  const ack = req.args[req.args.length - 1];
  if (typeof ack !== "function") throw new Error("ack-request came without an ack id");
  expectSame(req.args.slice(0, -1), ["q", 7], "ack-request arguments");
  ack("v", BIN2);
  expectSame((await rec.next(["ack-result", "ack-timeout"])).args, ["v", BIN2], "ack-result");
});

check("request-ack-timeout", async (m) => {
  const { sock, rec } = await openAuthed(m, "/");
  sock.emit("request-ack");
  const req = await rec.next("ack-request");
  const t0 = Date.now();
  const e = await rec.next(["ack-result", "ack-timeout"], 2500);
  if (e.ev !== "ack-timeout") throw new Error("got " + e.ev);
  const dt = Date.now() - t0;
  if (dt < 700) throw new Error("ack-timeout after only " + dt + " ms");
  req.args[req.args.length - 1]("late"); // a late ack is ignored
  await rec.none("ack-result");
});

check("disconnect-me", async (m) => {
  const main = await openAuthed(m, "/");
  const custom = main.sock.io.socket("/custom");
  const crec = new Recorder(custom); // Manager.socket() connects it (autoConnect)
  await crec.next("$connect");
  await crec.next("auth");
  main.sock.emit("disconnect-me");
  const d = await main.rec.next("$disconnect");
  expectSame(d.args[0], "io server disconnect", "disconnect reason");
  await delay(QUIET_MS);
  if (main.sock.io.engine.readyState !== "open") throw new Error("engine.io connection closed");
  if (!custom.connected) throw new Error("/custom was disconnected too");
});

check("close-me", async (m) => {
  const main = await openAuthed(m, "/");
  const engine = main.sock.io.engine;
  const closed = bounded(new Promise((r) => engine.once("close", (reason) => r(reason))), STEP_MS, "engine close");
  main.sock.emit("close-me");
  await main.rec.next("$disconnect");
  await closed;
});

function eioOpen(mode) {
  const o = { path: "/engine.io/" };
  if (mode === "polling") Object.assign(o, { transports: ["polling"], upgrade: false });
  else if (mode === "websocket") Object.assign(o, { transports: ["websocket"] });
  else Object.assign(o, { transports: ["polling", "websocket"], upgrade: true });
  const s = new eioc.Socket(base, o);
  opened.push({ io: { engine: s }, disconnect() {} });
  const msgs = [];
  let waiter = null;
  s.on("message", (d) => {
    msgs.push(d);
    if (waiter) waiter();
  });
  const next = () =>
    bounded(
      new Promise((r) => {
        const take = () => {
          if (msgs.length) {
            waiter = null;
            r(msgs.shift());
          }
        };
        waiter = take;
        take();
      }),
      STEP_MS,
      "echo"
    );
  return { s, next };
}

check("engine.io-echo", async (m) => {
  const { s, next } = eioOpen(m);
  await bounded(new Promise((r, j) => (s.once("open", r), s.once("error", j))), STEP_MS, "engine.io open");
  if (m === "upgrade") await bounded(new Promise((r) => s.once("upgrade", r)), STEP_MS, "upgrade to websocket");
  s.send("hello");
  expectSame(await next(), "hello", "text echo");
  s.send(Buffer.from([1, 2, 3, 4]));
  expectSame(toBuf(await next()), Buffer.from([1, 2, 3, 4]), "binary echo");
  s.send("a");
  s.send("b");
  s.send("c");
  expectSame([await next(), await next(), await next()], ["a", "b", "c"], "ordered echo");
});

// ---- runner ----------------------------------------------------------------------------

function reachable() {
  return new Promise((resolve) => {
    const req = http.get(base + "/socket.io/?EIO=4&transport=polling", (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(STEP_MS, () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

(async () => {
  if (!(await reachable())) {
    console.log("FAIL server not reachable at " + base);
    process.exit(2);
  }
  let passed = 0;
  let failed = 0;
  for (const mode of modes) {
    for (const c of checks) {
      const id = c.name + "@" + mode;
      if (only && !id.includes(only)) continue;
      try {
        await bounded(c.fn(mode), 4 * STEP_MS, id);
        console.log("ok   " + id);
        passed++;
      } catch (e) {
        console.log("FAIL " + id + ": " + e.message);
        failed++;
      } finally {
        closeAll();
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : passed ? 0 : 2);
})();
