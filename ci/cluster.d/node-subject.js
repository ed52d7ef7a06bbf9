#!/usr/bin/env node
// A cluster node: the official Node conformance subject (conformance/subjects/node/server.js,
// unchanged, the whole test-app contract) with @socket.io/redis-adapter 8.3.0 under its
// Socket.IO server, so that its broadcasts, rooms and server-side events are shared with the
// other nodes on the same Redis (spec/redis-adapter.md). Started by ci/cluster.
//
// Usage: node-subject.js --redis URL [--key PREFIX] [any flag of server.js]
//
// The packages come from ci/node-cluster/node_modules (the adapter, its redis client, and
// the same socket.io/engine.io versions as ci/node), or SIOCONFORM_CLUSTER_NODE_MODULES.
// Adding the adapter through server.js's sioOptions hook keeps the subject itself free of
// cluster code and its defaults unchanged.
"use strict";

const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const NM = process.env.SIOCONFORM_CLUSTER_NODE_MODULES || path.join(ROOT, "ci", "node-cluster", "node_modules");
// server.js resolves socket.io and engine.io from here: one copy of socket.io-adapter for
// socket.io and the Redis adapter alike.
process.env.SIOCONFORM_NODE_MODULES = NM;
const subject = require(path.join(ROOT, "conformance", "subjects", "node", "server.js"));
const { createClient } = require(path.join(NM, "redis"));
const { createAdapter } = require(path.join(NM, "@socket.io/redis-adapter"));
const { setupCluster } = require("./cluster-ext.js");

async function main() {
  const opts = subject.parseArgs(process.argv.slice(2), { "--redis": "redis", "--key": "key" },
    "--redis URL [--key PREFIX]");
  if (!opts.redis) {
    process.stderr.write("node-subject.js: --redis URL is required\n");
    process.exit(2);
  }
  // Redis going away must not stop the node: the clients reconnect with node-redis's
  // default backoff, and every error is logged, once per kind of error, not thrown.
  const pub = createClient({ url: opts.redis });
  const sub = pub.duplicate();
  let lastErr = "";
  const onError = (e) => {
    if (e.message !== lastErr) process.stderr.write(`redis: ${e.message}\n`);
    lastErr = e.message;
  };
  pub.on("error", onError);
  sub.on("error", onError);
  pub.on("ready", () => { if (lastErr) process.stderr.write("redis: connected again\n"); lastErr = ""; });
  await Promise.all([pub.connect(), sub.connect()]);
  const adapterOpts = opts.key ? { key: opts.key } : {};
  const { io } = await subject.start(opts, {
    sioOptions: (o) => Object.assign(o, { adapter: createAdapter(pub, sub, adapterOpts) }),
    extensions: subject.EXTENSIONS.concat(["cluster"]), // CT-50
  });
  setupCluster(io);
}

main().catch((err) => {
  process.stderr.write("node-subject.js: " + err.message + "\n");
  process.exit(1);
});
