#!/usr/bin/env node
// Conformance subject: the official socket.io 4.8.4 / engine.io 6.6.4 servers running the
// sioconform test-app contract (spec/contract.md, CT-1..CT-42) on one loopback port.
//
// Usage: node conformance/subjects/node/server.js [--port N] [--host H]
//          [--ping-interval MS] [--ping-timeout MS] [--connect-timeout MS]
//          [--max-payload BYTES] [--cors-origin ORIGIN]
//
// The npm packages are taken from ci/node/node_modules (pinned by ci/node/package.json);
// set SIOCONFORM_NODE_MODULES to use another folder. This file is also a module: the
// faulty subject (../faulty/server.js) reuses parseArgs() and start() with hooks.
"use strict";

const path = require("path");
const http = require("http");

const NODE_MODULES =
  process.env.SIOCONFORM_NODE_MODULES ||
  path.join(__dirname, "..", "..", "..", "ci", "node", "node_modules");

// Resolve a pinned package from NODE_MODULES, whatever the current directory is.
function dep(name) {
  return require(path.join(NODE_MODULES, name));
}

// CT-30: every extension of the contract is implemented here.
const EXTENSIONS = ["rooms", "broadcast", "server-ack", "server-disconnect", "auth"];
// CT-38: how long the server waits for the client's answer to "ack-request".
const SERVER_ACK_TIMEOUT_MS = 1000;

const FLAGS = {
  "--port": "port",
  "--host": "host",
  "--ping-interval": "pingInterval",
  "--ping-timeout": "pingTimeout",
  "--connect-timeout": "connectTimeout",
  "--max-payload": "maxPayload",
  "--cors-origin": "corsOrigin",
};
const STRING_FLAGS = new Set(["host", "corsOrigin"]);

function usage(extra) {
  return (
    "usage: server.js [--port N] [--host H] [--ping-interval MS] [--ping-timeout MS]\n" +
    "                 [--connect-timeout MS] [--max-payload BYTES] [--cors-origin ORIGIN]" +
    (extra ? "\n                 " + extra : "") +
    "\n"
  );
}

// CT-2: parse the contract's flags (plus `extra`, a map flag -> key of further string
// flags). Prints usage and exits 2 on anything unknown or malformed.
function parseArgs(argv, extra = {}, extraUsage = "") {
  const opts = {
    port: 3000,
    host: "127.0.0.1",
    pingInterval: 300,
    pingTimeout: 200,
    connectTimeout: 1000,
    maxPayload: 1000000,
    corsOrigin: null,
  };
  const fail = (msg) => {
    process.stderr.write(msg + "\n" + usage(extraUsage));
    process.exit(2);
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === "-h" || flag === "--help") {
      process.stdout.write(usage(extraUsage));
      process.exit(0);
    }
    const key = FLAGS[flag] || extra[flag];
    if (!key) fail("unknown flag: " + flag);
    if (value === undefined) {
      if (i + 1 >= argv.length) fail("missing value for " + flag);
      value = argv[++i];
    }
    if (STRING_FLAGS.has(key) || extra[flag]) {
      opts[key] = value;
    } else {
      if (!/^[0-9]+$/.test(value)) fail("bad value for " + flag + ": " + value);
      opts[key] = Number(value);
    }
  }
  if (opts.port > 65535) fail("bad port");
  return opts;
}

// Strip a trailing ack callback from event arguments (CT-38: "request-ack" carries none,
// but a client that adds one must not see it echoed as a function).
function withoutAck(args) {
  return args.length && typeof args[args.length - 1] === "function" ? args.slice(0, -1) : args;
}

function lastAck(args) {
  return args.length && typeof args[args.length - 1] === "function" ? args[args.length - 1] : null;
}

// CT-12..CT-15 and CT-30..CT-40: the application on namespace "/".
function setupMainNamespace(io, extensions) {
  io.on("connection", (socket) => {
    socket.emit("auth", socket.handshake.auth); // CT-12

    socket.on("message", (...args) => socket.emit("message-back", ...withoutAck(args))); // CT-13

    socket.on("message-with-ack", (...args) => {
      const ack = lastAck(args); // CT-14
      if (ack) ack(...withoutAck(args));
    });

    socket.on("extensions", (...args) => {
      const ack = lastAck(args); // CT-30
      if (ack) ack(extensions.slice());
    });

    // CT-32, CT-33: rooms; ack after the membership changed.
    socket.on("join", (room, ...rest) => {
      socket.join(room);
      const ack = lastAck(rest);
      if (ack) ack(room);
    });
    socket.on("leave", (room, ...rest) => {
      socket.leave(room);
      const ack = lastAck(rest);
      if (ack) ack(room);
    });
    // CT-34: to the room, sender excluded.
    socket.on("to-room", (room, ...args) => {
      socket.to(room).emit("room-message", ...withoutAck(args));
    });
    // CT-35: to the room, sender included when it is a member.
    socket.on("to-room-all", (room, ...args) => {
      io.to(room).emit("room-message", ...withoutAck(args));
    });

    // CT-37: everyone on "/" but the sender.
    socket.on("broadcast", (...args) => {
      socket.broadcast.emit("broadcast-message", ...withoutAck(args));
    });

    // CT-38: a server-initiated ack, answered by ack-result or ack-timeout.
    socket.on("request-ack", (...args) => {
      socket.timeout(SERVER_ACK_TIMEOUT_MS).emit("ack-request", ...withoutAck(args), (err, ...values) => {
        if (err) socket.emit("ack-timeout");
        else socket.emit("ack-result", ...values);
      });
    });

    // CT-39: leave "/" only; CT-40: close the whole Engine.IO connection.
    socket.on("disconnect-me", () => socket.disconnect());
    socket.on("close-me", () => socket.disconnect(true));
  });
}

// CT-16, CT-41, CT-42: "/custom" and "/auth".
function setupOtherNamespaces(io) {
  io.of("/custom").on("connection", (socket) => socket.emit("auth", socket.handshake.auth));

  const authNsp = io.of("/auth");
  authNsp.use((socket, next) => {
    const auth = socket.handshake.auth;
    if (auth && typeof auth === "object" && auth.token === "sioconform") return next();
    const err = new Error("unauthorized");
    err.data = { reason: "bad-token" };
    next(err);
  });
  authNsp.on("connection", (socket) => socket.emit("auth", socket.handshake.auth));
}

// CT-10: plain Engine.IO echo at /engine.io/.
function setupEcho(eio) {
  eio.on("connection", (socket) => {
    socket.on("message", (data) => socket.send(data));
  });
}

// Start a subject. `hooks` (all optional) let the faulty subject change behaviour at the
// boundary: engineOptions(o) and sioOptions(o) edit the option objects before use,
// extensions is the list answered to "extensions". Resolves to {server, io, eio, port}.
function start(opts, hooks = {}) {
  const { Server } = dep("socket.io");
  const engine = dep("engine.io");

  const cors = opts.corsOrigin ? { origin: opts.corsOrigin === "*" ? "*" : opts.corsOrigin } : undefined;
  // CT-5: both transports, upgrades allowed; CT-6: CORS only when configured.
  let engineOpts = {
    pingInterval: opts.pingInterval,
    pingTimeout: opts.pingTimeout,
    maxHttpBufferSize: opts.maxPayload,
    transports: ["polling", "websocket"],
    allowUpgrades: true,
  };
  if (cors) engineOpts.cors = cors;
  if (hooks.engineOptions) engineOpts = hooks.engineOptions(engineOpts);

  let sioOpts = Object.assign({}, engineOpts, {
    path: "/socket.io/",
    serveClient: false,
    connectTimeout: opts.connectTimeout, // CT-18
  });
  if (hooks.sioOptions) sioOpts = hooks.sioOptions(sioOpts);

  const server = http.createServer();
  const io = new Server(server, sioOpts);
  const eio = new engine.Server(Object.assign({}, engineOpts, { path: "/engine.io/" }));
  eio.attach(server, { path: "/engine.io/" });

  setupMainNamespace(io, hooks.extensions || EXTENSIONS);
  setupOtherNamespaces(io);
  setupEcho(eio);

  const stop = () => {
    // CT-4: stop serving and exit 0.
    try {
      io.close();
      eio.close();
    } catch (e) {
      /* exiting anyway */
    }
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      const port = server.address().port;
      // CT-3: the one ready line.
      process.stdout.write(`listening on http://${opts.host}:${port}\n`);
      resolve({ server, io, eio, port });
    });
  });
}

module.exports = { dep, parseArgs, start, EXTENSIONS, NODE_MODULES };

if (require.main === module) {
  start(parseArgs(process.argv.slice(2))).catch((err) => {
    process.stderr.write("server.js: " + err.message + "\n");
    process.exit(1);
  });
}
