// The official Socket.IO stack (socket.io 4.8.4 on Node) running the test-app contract
// of build/CONTRACT.txt, used by ci/bench as the "official" column. It differs from a
// conformance subject only in its default timings: a benchmark keeps Socket.IO's own
// defaults (pingInterval 25 s, pingTimeout 20 s) so heartbeats do not dominate idle
// memory and CPU figures; --ping-interval/--ping-timeout override them.
// Usage: node server.js [--port N] [--host H] [--ping-interval MS] [--ping-timeout MS]
"use strict";
const http = require("http");
const path = require("path");

// Resolve the pinned packages in ci/node without requiring NODE_PATH.
const nodeModules = path.join(__dirname, "..", "node", "node_modules");
const { Server } = require(path.join(nodeModules, "socket.io"));
const engineIo = require(path.join(nodeModules, "engine.io"));

const opt = { port: 0, host: "127.0.0.1", pingInterval: 25000, pingTimeout: 20000 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const v = argv[i + 1];
  switch (argv[i]) {
    case "--port": opt.port = Number(v); i++; break;
    case "--host": opt.host = v; i++; break;
    case "--ping-interval": opt.pingInterval = Number(v); i++; break;
    case "--ping-timeout": opt.pingTimeout = Number(v); i++; break;
    default:
      console.error(`server.js: unknown option ${argv[i]}`);
      process.exit(2);
  }
}

const timings = {
  pingInterval: opt.pingInterval,
  pingTimeout: opt.pingTimeout,
  maxHttpBufferSize: 1000000,
};
const httpServer = http.createServer();
const io = new Server(httpServer, { ...timings, connectTimeout: 1000 });

// /engine.io/: a bare Engine.IO echo endpoint beside Socket.IO on the same port.
const eio = new engineIo.Server({ ...timings, path: "/engine.io/" });
eio.attach(httpServer, { path: "/engine.io/" });
eio.on("connection", (s) => s.on("message", (data) => s.send(data)));

// Behaviour shared by "/", "/custom" and "/auth".
function coreApp(socket) {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...args) => socket.emit("message-back", ...args));
  socket.on("message-with-ack", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
}

const EXTENSIONS = ["rooms", "broadcast", "server-ack", "server-disconnect", "auth"];
io.on("connection", (socket) => {
  coreApp(socket);
  socket.on("extensions", (ack) => typeof ack === "function" && ack(EXTENSIONS));
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack(room);
  });
  socket.on("leave", (room, ack) => {
    socket.leave(room);
    if (typeof ack === "function") ack(room);
  });
  socket.on("to-room", (room, ...args) => socket.to(room).emit("room-message", ...args));
  socket.on("to-room-all", (room, ...args) => io.to(room).emit("room-message", ...args));
  socket.on("broadcast", (...args) => socket.broadcast.emit("broadcast-message", ...args));
  socket.on("request-ack", (...args) => {
    socket.timeout(1000).emit("ack-request", ...args, (err, ...values) => {
      if (err) socket.emit("ack-timeout");
      else socket.emit("ack-result", ...values);
    });
  });
  socket.on("disconnect-me", () => socket.disconnect());
  socket.on("close-me", () => socket.disconnect(true));
});
io.of("/custom").on("connection", coreApp);
io.of("/auth")
  .use((socket, next) => {
    const auth = socket.handshake.auth;
    if (auth && auth.token === "sioconform") return next();
    const err = new Error("unauthorized");
    err.data = { reason: "bad-token" };
    next(err);
  })
  .on("connection", coreApp);

httpServer.listen(opt.port, opt.host, () => {
  console.log(`listening on http://${opt.host}:${httpServer.address().port}`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
