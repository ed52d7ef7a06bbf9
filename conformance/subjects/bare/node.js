#!/usr/bin/env node
// Bare subject: the official socket.io 4.8.4 server as a user starts it, with no
// application code at all -- `new Server(httpServer)` with the default options and
// timings (pingInterval 25000, pingTimeout 20000, path /socket.io/, no /engine.io/ echo,
// no contract events). It shows what sioconform can say about a server it knows nothing
// about (issue 11, "any server").
//
// Usage: node conformance/subjects/bare/node.js [--port N] [--host H]
//
// Only --port (0 = any free port; default 3000) and --host (default 127.0.0.1) exist;
// they only choose where to listen. When ready it prints exactly one line,
// `listening on http://HOST:PORT`, like the contract subjects, so
// conformance/test/run-subject.sh can drive it. SIGTERM/SIGINT exit 0.
"use strict";

const path = require("path");
const { createServer } = require("http");

const NODE_MODULES =
  process.env.SIOCONFORM_NODE_MODULES ||
  path.join(__dirname, "..", "..", "..", "ci", "node", "node_modules");
const { Server } = require(path.join(NODE_MODULES, "socket.io"));

function parseArgs(argv) {
  const opts = { port: 3000, host: "127.0.0.1" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = inline !== undefined ? inline : argv[++i];
    if (flag === "--port" && /^[0-9]+$/.test(value || "") && Number(value) <= 65535) {
      opts.port = Number(value);
    } else if (flag === "--host" && value) {
      opts.host = value;
    } else {
      process.stderr.write("usage: node.js [--port N] [--host H]\n");
      process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// The whole server, as in the socket.io documentation's "Server initialization" page.
const httpServer = createServer();
new Server(httpServer);

httpServer.listen(opts.port, opts.host, () => {
  process.stdout.write(`listening on http://${opts.host}:${httpServer.address().port}\n`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
