// Load check: 1,000 concurrent Engine.IO WebSocket clients held by sioref on loopback
// (bounded: 1,000 sockets, 60 s), each answering pings, each echoed once, none
// dropped across several heartbeats; then 300 polling clients (each holding a GET).
// Usage: node load_interop.js SIOREF
'use strict';
const WebSocket = require('ws');
const L = require('./lib');

const BIN = process.argv[2];
const N = Number(process.env.SIOREF_LOAD_CLIENTS || 1000);
let srv;
let clients = [];

function client(port, i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/engine.io/?EIO=4&transport=websocket`);
    const st = { ws, opened: false, echoed: false, pings: 0, closed: false, closePacket: false };
    ws.on('message', (data, isBinary) => {
      const m = data.toString();
      if (m[0] === '0') { st.opened = true; ws.send('4c' + i); resolve(st); }
      else if (m === '2') { st.pings++; ws.send('3'); }
      else if (m === '4c' + i) st.echoed = true;
      else if (m === '1') st.closePacket = true;
    });
    ws.on('close', () => { st.closed = true; });
    ws.on('error', (e) => reject(e));
  });
}

L.runCases([
  ['start', async () => { srv = await L.startServer(BIN, ['--ping-interval', '500', '--ping-timeout', '1000']); }],
  [`${N} concurrent WebSocket clients are held`, async () => {
    for (let k = 0; k < N; k += 100) // open in batches of 100
      clients.push(...await L.withTimeout(Promise.all(Array.from({ length: Math.min(100, N - k) },
        (_, j) => client(srv.port, k + j))), 20000, 'batch ' + k));
    await L.sleep(2000); // four heartbeats
    const open = clients.filter((c) => !c.closed).length;
    const echoed = clients.filter((c) => c.echoed).length;
    const pinged = clients.filter((c) => c.pings >= 2).length;
    console.log(`  open ${open}/${N}, echoed ${echoed}, pinged twice or more ${pinged}`);
    L.assertEq([open, echoed, pinged], [N, N, N], 'all held, echoed and pinged');
  }],
  ['300 concurrent polling clients (engine.io-client) are held and echoed', async () => {
    const { Socket } = require('engine.io-client');
    const P = 300;
    const polling = await L.startServer(BIN, ['--ping-interval', '1000', '--ping-timeout', '3000']);
    const socks = Array.from({ length: P }, () => new Socket(`http://127.0.0.1:${polling.port}`,
      { path: '/engine.io/', transports: ['polling'], upgrade: false }));
    await L.withTimeout(Promise.all(socks.map((s) => new Promise((r, j) => { s.once('open', r); s.once('error', j); }))), 30000, 'open');
    const got = await L.withTimeout(Promise.all(socks.map((s, i) => new Promise((r) => { s.once('message', r); s.send('p' + i); }))), 30000, 'echo');
    L.assert(got.every((g, i) => g === 'p' + i), 'echoes');
    await L.sleep(2500); // two heartbeats: every held GET is answered by a ping in time
    L.assertEq(socks.filter((s) => s.readyState === 'open').length, P, 'all still open');
    socks.forEach((s) => s.close());
    await L.stopServer(polling);
  }],
  ['SIGTERM with every client connected: exit 0 within 2 s, every client closed', async () => {
    await L.stopServer(srv);
    await L.sleep(300);
    const closed = clients.filter((c) => c.closed).length;
    const told = clients.filter((c) => c.closePacket).length;
    L.assertEq([closed, told], [N, N], 'clients closed by the shutdown, each after a CLOSE packet');
  }],
]);
