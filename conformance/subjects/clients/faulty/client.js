#!/usr/bin/env node
// A faulty client: the Node client subject (../node/client.js) with one injected fault,
// so that each client case family is shown able to fail. Usage:
//   node client.js --fault NAME [URL]
// Faults (each turns exactly its cases to FAIL; see ../README.md):
//   none                  the plain subject
//   no-pong               never answers a ping        -> client.heartbeat.pong
//   auth-dropped          connects without its auth   -> client.sio.connect-auth
//   connect-error-ignored does not report connect_error -> client.sio.connect-error
//   leave-ignored         stays connected on "leave"   -> client.sio.disconnect-request
//   ack-id-reused         every emit takes ack id 0     -> client.sio.ack-ids
//   no-upgrade            never upgrades when offered   -> client.upgrade.probe
"use strict";
const path = require("path");

const NODE_MODULES =
  process.env.SIOCONFORM_NODE_MODULES ||
  path.join(__dirname, "..", "..", "..", "..", "ci", "node", "node_modules");
const { io } = require(path.join(NODE_MODULES, "socket.io-client"));

const FAULTS = ["none", "no-pong", "auth-dropped", "connect-error-ignored", "leave-ignored",
  "ack-id-reused", "no-upgrade"];
const argv = process.argv.slice(2);
let fault = "none";
const fi = argv.indexOf("--fault");
if (fi >= 0) {
  fault = argv[fi + 1];
  argv.splice(fi, 2);
}
if (!FAULTS.includes(fault)) {
  process.stderr.write(`usage: client.js --fault ${FAULTS.join("|")} [URL]\n`);
  process.exit(2);
}
const url = argv[0] || process.env.SIOCONFORM_URL;
const transports = (process.env.SIOCONFORM_TRANSPORT || "websocket").split(",");
const auth = process.env.SIOCONFORM_AUTH ? JSON.parse(process.env.SIOCONFORM_AUTH) : undefined;

const options = {
  transports,
  upgrade: transports.length > 1 && fault !== "no-upgrade",
  reconnection: false,
};
if (auth !== undefined && fault !== "auth-dropped") options.auth = auth;
const socket = io(url, options);

if (fault === "no-pong") {
  // the engine's packet writer drops every pong (engine.io-client's private _sendPacket)
  socket.io.on("open", () => {
    const engine = socket.io.engine;
    const send = engine._sendPacket.bind(engine);
    engine._sendPacket = (type, ...rest) => (type === "pong" ? undefined : send(type, ...rest));
  });
}

socket.on("connect", () => console.log("connect"));
socket.on("connect_error", (err) => {
  if (fault !== "connect-error-ignored")
    console.log("connect_error " + JSON.stringify({ message: err.message, data: err.data }));
  socket.close();
});
socket.on("disconnect", (reason) => console.log("disconnect " + reason));
socket.on("echo", (...args) => socket.emit("echo-back", ...args));
socket.on("echo-ack", (...args) => {
  const ack = args.pop();
  ack(...args);
});
socket.on("emit", (name, ...args) => {
  if (fault === "ack-id-reused") socket.ids = 0; // socket.io-client's private ack counter
  socket.emit(name, ...args, (...values) => socket.emit("ack-result", name, ...values));
});
socket.on("leave", () => {
  if (fault !== "leave-ignored") socket.disconnect();
});
