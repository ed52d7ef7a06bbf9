#!/usr/bin/env node
// Conformance subject: the contract app of ../node/server.js (socket.io 4.8.4) with
// socket.io-msgpack-parser 3.0.2, as its README tells apps to use it:
// `new Server(httpServer, { parser: require("socket.io-msgpack-parser") })`. Every
// Socket.IO packet is then one msgpack map in a binary Engine.IO message
// (spec/msgpack.md): check it with `sioconform --parser msgpack`. Same flags as
// ../node/server.js; the echo path is plain Engine.IO and has no parser.
"use strict";

const { dep, parseArgs, start } = require("../node/server.js");

start(parseArgs(process.argv.slice(2)), {
  sioOptions: (o) => Object.assign(o, { parser: dep("socket.io-msgpack-parser") }),
}).catch((err) => {
  process.stderr.write("server.js: " + err.message + "\n");
  process.exit(1);
});
