#!/usr/bin/env node
// Conformance subject: the contract app of ../node/server.js (socket.io 4.8.4, engine.io
// 6.6.4) started with `allowEIO3: true`, as an application that must keep serving
// socket.io 2.x clients does. Both the Socket.IO path and the echo path then take
// Engine.IO v3 sessions next to v4 ones: check it with `sioconform --eio 3` and
// `--eio 4` (or `--eio all`). Same flags as ../node/server.js.
"use strict";

const { parseArgs, start } = require("../node/server.js");

start(parseArgs(process.argv.slice(2)), {
  engineOptions: (o) => Object.assign(o, { allowEIO3: true }),
}).catch((err) => {
  process.stderr.write("server.js: " + err.message + "\n");
  process.exit(1);
});
