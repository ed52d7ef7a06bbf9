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

// [CC-1] the transports given (several: upgrade allowed), no reconnection
const options = { transports, upgrade: transports.length > 1, reconnection: false };
if (auth !== undefined) options.auth = auth;
const socket = io(url, options);

socket.on("connect", () => console.log("connect")); // [CC-3]
socket.on("connect_error", (err) => {
  // [CC-7]
  console.log("connect_error " + JSON.stringify({ message: err.message, data: err.data }));
  socket.close();
});
socket.on("disconnect", (reason) => console.log("disconnect " + reason)); // [CC-9]

socket.on("echo", (...args) => socket.emit("echo-back", ...args)); // [CC-5]
socket.on("echo-ack", (...args) => {
  // [CC-4]
  const ack = args.pop();
  ack(...args);
});
socket.on("emit", (name, ...args) => {
  // [CC-6]
  socket.emit(name, ...args, (...values) => socket.emit("ack-result", name, ...values));
});
socket.on("leave", () => socket.disconnect()); // [CC-8]
