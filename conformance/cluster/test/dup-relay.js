#!/usr/bin/env node
// A faulty peer for the cluster ctests: it listens on every broadcast channel of the
// cluster's Redis (PSUBSCRIBE <key>#/#*, spec/redis-adapter.md RA-2) and publishes each
// message once more, unchanged. The sending node ignores the copy (its own uid, RA-12);
// every other node delivers the broadcast a second time, as with a peer that relays what
// it receives. The cluster cases must see those duplicate deliveries.
// Usage: node dup-relay.js REDIS_URL   (prints "relaying" when subscribed; stop it by PID)
"use strict";

const path = require("path");

const NM = process.env.SIOCONFORM_CLUSTER_NODE_MODULES ||
  path.join(__dirname, "..", "..", "..", "ci", "node-cluster", "node_modules");
const { createClient } = require(path.join(NM, "redis"));

async function main() {
  const pub = createClient({ url: process.argv[2] });
  const sub = pub.duplicate();
  pub.on("error", () => {});
  sub.on("error", () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  // Each distinct message once: its copy comes back here too, and is not relayed again.
  const relayed = new Set();
  await sub.pSubscribe("socket.io#/#*", (message, channel) => {
    const k = channel + "\n" + message.toString("base64");
    if (relayed.delete(k)) return;
    relayed.add(k);
    pub.publish(channel, message).catch(() => {});
  }, true);
  process.stdout.write("relaying\n");
}

main().catch((e) => {
  process.stderr.write(`dup-relay.js: ${e.message}\n`);
  process.exit(1);
});
