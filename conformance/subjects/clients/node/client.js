#!/usr/bin/env node
// The client contract (spec/client-contract.md) on the official socket.io-client 4.8.4,
// written as its users write apps: io(url, options) and event handlers, nothing more.
// Usage: node client.js [URL]   (URL defaults to $SIOCONFORM_URL)
"use strict";
const path = require("path");

const NODE_MODULES =
  process.env.SIOCONFORM_NODE_MODULES ||
  path.join(__dirname, "..", "..", "..", "..", "ci", "node", "node_modules");
const { io } = require(path.join(NODE_MODULES, "socket.io-client"));

const url = process.argv[2] || process.env.SIOCONFORM_URL;
const transports = (process.env.SIOCONFORM_TRANSPORT || "websocket").split(",");
const auth = process.env.SIOCONFORM_AUTH ? JSON.parse(process.env.SIOCONFORM_AUTH) : undefined;
const reconnect = process.env.SIOCONFORM_RECONNECT; // [CC-12] "DELAY,MAX" in ms

// [CC-1] the transports given (several: upgrade allowed); [CC-12] reconnection as asked
const options = { transports, upgrade: transports.length > 1, reconnection: !!reconnect };
if (reconnect) {
  const [delay, max] = reconnect.split(",").map(Number);
  Object.assign(options, { reconnectionDelay: delay, reconnectionDelayMax: max, randomizationFactor: 0 });
}
if (auth !== undefined) options.auth = auth;
const socket = io(url, options);

// [CC-3]..[CC-9] on namespace NSP's socket; lines of a joined namespace end in " NSP" [CC-11]
function handlers(sock, nsp) {
  const sfx = nsp === "/" ? "" : " " + nsp;
  sock.on("connect", () => console.log("connect" + sfx)); // [CC-3]
  sock.on("connect_error", (err) => {
    // [CC-7]
    console.log("connect_error " + JSON.stringify({ message: err.message, data: err.data }) + sfx);
    if (!reconnect && nsp === "/") socket.close();
  });
  sock.on("disconnect", (reason) => console.log("disconnect " + reason + sfx)); // [CC-9]
  sock.on("echo", (...args) => sock.emit("echo-back", ...args)); // [CC-5]
  sock.on("echo-ack", (...args) => {
    // [CC-4]
    const ack = args.pop();
    ack(...args);
  });
  sock.on("emit", (name, ...args) => {
    // [CC-6]
    sock.emit(name, ...args, (...values) => sock.emit("ack-result", name, ...values));
  });
  sock.on("leave", () => sock.disconnect()); // [CC-8]
}
handlers(socket, "/");
// [CC-11] another namespace on the same Manager (the same Engine.IO session)
socket.on("join", (nsp, nauth) => handlers(socket.io.socket(nsp, nauth === undefined ? {} : { auth: nauth }), nsp));
