#!/usr/bin/env node
// Conformance subject: socket.io 2.5.1 (engine.io 3.6, socket.io-parser 3.4) running the
// sioconform test-app contract (spec/contract.md) the way a 2.x application is written:
// `require("socket.io")(server, opts)`, a plain engine.io 3.x Server for the echo path.
// It speaks Engine.IO v3 / Socket.IO protocol v4 only (spec/engine.io-v3.md,
// spec/socket.io-v4.md): check it with `sioconform --eio 3`.
//
// Usage: node conformance/subjects/node-v2/server.js [--port N] [--host H]
//          [--ping-interval MS] [--ping-timeout MS] [--connect-timeout MS]
//          [--max-payload BYTES]
//
// socket.io 2.5.1 is pinned in ci/node as the npm alias "socket.io-v2"; its own
// engine.io 3.6 sits in socket.io-v2/node_modules.
"use strict";

const path = require("path");
const http = require("http");
const { parseArgs, NODE_MODULES } = require("../node/server.js");

const io2 = require(path.join(NODE_MODULES, "socket.io-v2"));
const engine3 = require(path.join(NODE_MODULES, "socket.io-v2", "node_modules", "engine.io"));

// CT-30. No "auth": Socket.IO v4 has no CONNECT payload (SIO-FNS-2).
const EXTENSIONS = ["rooms", "broadcast", "server-ack", "server-disconnect"];
const SERVER_ACK_TIMEOUT_MS = 1000; // CT-38

function withoutAck(args) {
  return args.length && typeof args[args.length - 1] === "function" ? args.slice(0, -1) : args;
}
function lastAck(args) {
  return args.length && typeof args[args.length - 1] === "function" ? args[args.length - 1] : null;
}

const opts = parseArgs(process.argv.slice(2));
const server = http.createServer();
const engineOpts = {
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  maxHttpBufferSize: opts.maxPayload,
  transports: ["polling", "websocket"],
  allowUpgrades: true,
};
const io = io2(server, Object.assign({}, engineOpts, { path: "/socket.io", serveClient: false }));

// CT-12..CT-15, CT-30..CT-40 on "/". 2.x has no handshake.auth: the greeting carries {}.
io.on("connection", (socket) => {
  socket.emit("auth", {});
  socket.on("message", (...args) => socket.emit("message-back", ...withoutAck(args)));
  socket.on("message-with-ack", (...args) => {
    const ack = lastAck(args);
    if (ack) ack(...withoutAck(args));
  });
  socket.on("extensions", (...args) => {
    const ack = lastAck(args);
    if (ack) ack(EXTENSIONS.slice());
  });
  socket.on("join", (room, ...rest) => {
    socket.join(room, () => {
      const ack = lastAck(rest);
      if (ack) ack(room);
    });
  });
  socket.on("leave", (room, ...rest) => {
    socket.leave(room, () => {
      const ack = lastAck(rest);
      if (ack) ack(room);
    });
  });
  socket.on("to-room", (room, ...args) => socket.to(room).emit("room-message", ...withoutAck(args)));
  socket.on("to-room-all", (room, ...args) => io.to(room).emit("room-message", ...withoutAck(args)));
  socket.on("broadcast", (...args) => socket.broadcast.emit("broadcast-message", ...withoutAck(args)));
  // CT-38: 2.x has no socket.timeout(): the usual timer around the ack callback.
  socket.on("request-ack", (...args) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      socket.emit("ack-timeout");
    }, SERVER_ACK_TIMEOUT_MS);
    socket.emit("ack-request", ...withoutAck(args), (...values) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.emit("ack-result", ...values);
    });
  });
  socket.on("disconnect-me", () => socket.disconnect());
  socket.on("close-me", () => socket.disconnect(true));
});

// CT-16, CT-41, CT-42. The token comes in the namespace's query (SIO-FNS-2).
io.of("/custom").on("connection", (socket) => socket.emit("auth", {}));
const authNsp = io.of("/auth");
authNsp.use((socket, next) => {
  if (socket.handshake.query && socket.handshake.query.token === "sioconform") return next();
  const err = new Error("unauthorized");
  err.data = { reason: "bad-token" };
  next(err);
});
authNsp.on("connection", (socket) => socket.emit("auth", {}));

// CT-10: the echo path, a plain engine.io 3.x server.
const eio = new engine3.Server(engineOpts);
eio.attach(server, { path: "/engine.io" });
eio.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));

const stop = () => {
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

server.listen(opts.port, opts.host, () => {
  process.stdout.write(`listening on http://${opts.host}:${server.address().port}\n`);
});
