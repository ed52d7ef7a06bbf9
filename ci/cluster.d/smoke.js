#!/usr/bin/env node
// A quick check that a cluster from `ci/cluster up` works, and that its load-balancer
// variants behave as intended. Not the cluster conformance cases (issue 15 item 3): only
// enough to trust the fixture. Prints one line per check and "N passed, N failed".
//
// Usage: node smoke.js STATE_FILE   (ci/cluster smoke runs it)
"use strict";

const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const NM = process.env.SIOCONFORM_CLUSTER_NODE_MODULES || path.join(ROOT, "ci", "node-cluster", "node_modules");
const ioc = require(path.join(NM, "socket.io-client"));

// The state file is shell assignments written with printf %q: values never hold quotes,
// only backslash-escaped spaces.
function readState(file) {
  const st = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) st[m[1]] = m[2].replace(/\\(.)/g, "$1");
  }
  return st;
}

const http = require("http");
function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(3000, () => req.destroy(new Error("no answer in 3 s")));
    req.on("error", reject);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const opened = [];
function client(url, opts = {}) {
  const s = ioc(url, Object.assign({ reconnection: false, forceNew: true, timeout: 3000 }, opts));
  opened.push(s);
  s.got = [];
  s.onAny((ev, ...args) => s.got.push([ev, ...args]));
  return s;
}
const connected = (s) => new Promise((resolve, reject) => {
  if (s.connected) return resolve();
  const t = setTimeout(() => reject(new Error("no connect in 3 s")), 3000);
  s.once("connect", () => { clearTimeout(t); resolve(); });
  s.once("connect_error", (e) => { clearTimeout(t); reject(e); });
});
const ack = (s, ...args) => s.timeout(2000).emitWithAck(...args);

async function main() {
  const st = readState(process.argv[2]);
  const nodes = st.NODE_URLS.split(" ").filter(Boolean);
  const { check, expect, summary } = require("./checks.js").checks();

  // One websocket client per node.
  const per = nodes.map((u) => client(u, { transports: ["websocket"] }));
  await Promise.all(per.map(connected));
  await sleep(200);

  await check(`broadcast from node 1 reaches every other node once (${nodes.length} nodes)`, async () => {
    per.forEach((s) => { s.got = []; });
    per[0].emit("broadcast", "hi");
    await sleep(400);
    const counts = per.map((s) => s.got.filter((g) => g[0] === "broadcast-message").length);
    expect(counts[0] === 0 && counts.slice(1).every((c) => c === 1), `deliveries per node ${counts}`);
    return `deliveries per node ${counts.join(",")}`;
  });

  if (nodes.length >= 2) {
    await check("room joined on other nodes gets a room broadcast from node 1 once", async () => {
      for (const s of per.slice(1)) await ack(s, "join", "smoke-room");
      per.forEach((s) => { s.got = []; });
      per[0].emit("to-room-all", "smoke-room", "x");
      await sleep(400);
      const counts = per.map((s) => s.got.filter((g) => g[0] === "room-message").length);
      expect(counts[0] === 0 && counts.slice(1).every((c) => c === 1), `deliveries per node ${counts}`);
      return `deliveries per node ${counts.join(",")}`;
    });
  }

  await check("sticky balancer (ip_hash): polling session holds, then upgrades to websocket", async () => {
    const s = client(st.LB_STICKY_URL);
    await connected(s);
    for (let i = 0; i < 3; i++) expect((await ack(s, "message-with-ack", i)) === i, "bad ack");
    await sleep(500);
    const t = s.io.engine.transport.name;
    expect(t === "websocket", `transport is ${t}`);
    return `transport ${t}`;
  });

  if (nodes.length >= 2) {
    await check("round-robin balancer (no sticky sessions): polling breaks with 400 Session ID unknown, as it must", async () => {
      const hs = await get(`${st.LB_RR_URL}/socket.io/?EIO=4&transport=polling`);
      expect(hs.status === 200, `handshake status ${hs.status}`);
      const sid = JSON.parse(hs.body.slice(1)).sid;
      for (let i = 0; i < 2 * nodes.length; i++) {
        const r = await get(`${st.LB_RR_URL}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`);
        if (r.status === 400) {
          expect(/Session ID unknown/.test(r.body), `400 body ${r.body}`);
          return `request ${i + 2}: 400 ${r.body}`;
        }
      }
      throw new Error("polling kept working without sticky sessions");
    });
  }

  await check("balancer that drops Upgrade: the client stays on polling", async () => {
    const s = client(st.LB_NOUPGRADE_URL);
    await connected(s);
    await sleep(800);
    const t = s.io.engine.transport.name;
    expect(t === "polling", `transport is ${t}`);
    expect((await ack(s, "message-with-ack", "p")) === "p", "bad ack");
    return `transport ${t}`;
  });

  for (const s of opened) s.close();
  return summary();
}

const hard = setTimeout(() => { console.log("FAIL smoke: over 30 s"); process.exit(1); }, 30000);
main().then((rc) => { clearTimeout(hard); process.exit(rc); }, (e) => { console.log(`FAIL smoke: ${e.message}`); process.exit(1); });
