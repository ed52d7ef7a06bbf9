#!/usr/bin/env node
// A faulty client: the Node client subject (../node/client.js) with one injected fault,
// so that each client case family is shown able to fail. Usage:
//   node client.js --fault NAME [URL]
// Faults (each turns exactly its cases to FAIL; see ../README.md):
//   none                  the plain subject
//   no-pong               never answers a ping          -> client.heartbeat.pong
//   auth-dropped          connects without its auth     -> client.sio.connect-auth
//   connect-error-ignored does not report connect_error -> client.sio.connect-error
//   leave-ignored         stays connected on "leave"    -> client.sio.disconnect-request
//   ack-id-reused         every emit takes ack id 0     -> client.sio.ack-ids
//   no-upgrade            never upgrades when offered   -> client.upgrade.probe
//   join-new-session      joins a namespace on a second Engine.IO session
//                                                       -> client.sio.namespace-*
//   binary-as-array       sends binary values back as arrays of numbers (emit, echo,
//                         echo-ack)                    -> the binary cases
//   mangle-utf8           echoes non-ASCII characters as "?" -> client.sio.utf8*, echo-event
//   disconnect-unreported never prints "disconnect"     -> the cases that wait for it
//   no-reconnect          ignores SIOCONFORM_RECONNECT  -> client.reconnect.*, session-unknown
//   crash-on-unknown      exits on an event it has no handler for, or an ACK for no request
//                                                       -> no-handler, ack-unknown, ack-duplicate,
//                                                          malformed-event-name-number
//   upgrade-anyway        probes the WebSocket although the server offers no upgrade
//                                                       -> client.upgrade.not-offered
//   crash-on-big          exits on a text packet over 1 000 000 characters -> client.robust.oversize
//   crash-on-parse-error  exits with status 3 when a packet does not decode
//                                                       -> the malformed cases it closes on
//   no-backoff            reconnects at a fixed delay   -> client.reconnect.backoff
"use strict";
const path = require("path");

const NODE_MODULES =
  process.env.SIOCONFORM_NODE_MODULES ||
  path.join(__dirname, "..", "..", "..", "..", "ci", "node", "node_modules");
const { io } = require(path.join(NODE_MODULES, "socket.io-client"));

const FAULTS = ["none", "no-pong", "auth-dropped", "connect-error-ignored", "leave-ignored",
  "ack-id-reused", "no-upgrade", "join-new-session", "binary-as-array", "crash-on-parse-error",
  "no-backoff", "mangle-utf8", "disconnect-unreported", "no-reconnect", "crash-on-unknown",
  "upgrade-anyway", "crash-on-big"];
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
const reconnect = fault === "no-reconnect" ? "" : process.env.SIOCONFORM_RECONNECT;

const options = {
  transports,
  upgrade: transports.length > 1 && fault !== "no-upgrade",
  reconnection: !!reconnect,
};
if (reconnect) {
  const [delay, max] = reconnect.split(",").map(Number);
  Object.assign(options, {
    reconnectionDelay: delay,
    reconnectionDelayMax: fault === "no-backoff" ? delay : max,
    randomizationFactor: 0,
  });
}
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
if (fault === "crash-on-parse-error") {
  // the Manager closes with "parse error" when socket.io-parser throws
  socket.io.on("close", (reason) => {
    if (reason === "parse error") process.exit(3);
  });
}

if (fault === "upgrade-anyway" || fault === "crash-on-big") {
  socket.io.on("open", () => {
    const engine = socket.io.engine;
    // engine.io-client's private probe, which it only starts for the offered upgrades
    if (fault === "upgrade-anyway" && transports.length > 1 && engine._upgrades.length === 0)
      engine._probe("websocket");
    if (fault === "crash-on-big")
      engine.on("packet", (p) => {
        if (typeof p.data === "string" && p.data.length > 1000000) process.exit(6);
      });
  });
}
if (fault === "crash-on-unknown") {
  const known = ["echo", "echo-ack", "emit", "leave", "join"];
  socket.onAny((ev) => {
    if (!known.includes(ev)) process.exit(4);
  });
  const onack = socket.onack.bind(socket); // socket.io-client's private ACK handler
  socket.onack = (packet) => {
    if (typeof socket.acks[packet.id] !== "function") process.exit(4);
    onack(packet);
  };
}

// binary values as plain arrays of numbers (what a client without binary support sends)
const unbinary = (v) =>
  Buffer.isBuffer(v) || v instanceof ArrayBuffer ? Array.from(Buffer.from(v))
  : Array.isArray(v) ? v.map(unbinary)
  : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, w]) => [k, unbinary(w)]))
  : v;
// non-ASCII characters of every string (keys included) as "?"
const ascii = (v) =>
  typeof v === "string" ? v.replace(/[^\x00-\x7f]/gu, "?")
  : Array.isArray(v) ? v.map(ascii)
  : v && typeof v === "object" && !Buffer.isBuffer(v) ? Object.fromEntries(Object.entries(v).map(([k, w]) => [ascii(k), ascii(w)]))
  : v;
// what the handlers send back
const out = (args) =>
  fault === "binary-as-array" ? args.map(unbinary) : fault === "mangle-utf8" ? args.map(ascii) : args;

function handlers(sock, nsp) {
  const sfx = nsp === "/" ? "" : " " + nsp;
  sock.on("connect", () => console.log("connect" + sfx));
  sock.on("connect_error", (err) => {
    if (fault !== "connect-error-ignored")
      console.log("connect_error " + JSON.stringify({ message: err.message, data: err.data }) + sfx);
    if (!reconnect && nsp === "/") socket.close();
  });
  sock.on("disconnect", (reason) => {
    if (fault !== "disconnect-unreported") console.log("disconnect " + reason + sfx);
  });
  sock.on("echo", (...args) => sock.emit("echo-back", ...out(args)));
  sock.on("echo-ack", (...args) => {
    const ack = args.pop();
    ack(...out(args));
  });
  sock.on("emit", (name, ...args) => {
    if (fault === "ack-id-reused") sock.ids = 0; // socket.io-client's private ack counter
    sock.emit(name, ...out(args), (...values) => sock.emit("ack-result", name, ...values));
  });
  sock.on("leave", () => {
    if (fault !== "leave-ignored") sock.disconnect();
  });
}
handlers(socket, "/");
socket.on("join", (nsp, nauth) => {
  const o = nauth === undefined ? {} : { auth: nauth };
  const s =
    fault === "join-new-session" ? io(url + nsp, { ...options, ...o, forceNew: true }) : socket.io.socket(nsp, o);
  handlers(s, nsp);
});
