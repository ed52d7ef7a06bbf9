// Engine.IO interop: the official engine.io-client against sioref's /engine.io/ echo
// (contract CT-10) over polling only, WebSocket only and polling upgraded to WebSocket,
// plus heartbeat and reaping checks with raw HTTP. Usage: node eio_interop.js SIOREF
'use strict';
const { Socket } = require('engine.io-client');
const L = require('./lib');

const BIN = process.argv[2];
const TIMING = ['--ping-interval', '300', '--ping-timeout', '200'];
let srv;

function open(opts) {
  const s = new Socket(`http://127.0.0.1:${srv.port}`, { path: '/engine.io/', ...opts });
  return L.withTimeout(new Promise((res, rej) => {
    s.once('open', () => res(s));
    s.once('error', rej);
  }), 5000, 'open');
}

// Send each item and collect as many echoes.
function echo(s, items) {
  return L.withTimeout(new Promise((res) => {
    const got = [];
    const onMsg = (d) => {
      got.push(d === undefined ? '' : typeof d === 'string' ? d : Array.from(Buffer.from(d)));
      if (got.length === items.length) { s.off('message', onMsg); res(got); }
    };
    s.on('message', onMsg);
    for (const it of items) s.send(typeof it === 'string' ? it : Buffer.from(it));
  }), 5000, 'echo');
}

const ITEMS = ['hello', 'é€😀', '', [1, 2, 3], 'x'.repeat(100000), [0, 255]];

function closed(s) {
  return new Promise((res) => s.once('close', (reason) => res(reason)));
}

async function echoCase(opts, wantTransport) {
  const s = await open(opts);
  if (opts.upgrade) {
    if (s.transport.name !== 'websocket')
      await L.withTimeout(new Promise((r) => s.once('upgrade', r)), 5000, 'upgrade');
  }
  L.assertEq(s.transport.name, wantTransport, 'transport');
  const got = await echo(s, ITEMS);
  L.assertEq(got, ITEMS, 'echoes');
  // survive several heartbeats (pingInterval 300 ms)
  await L.sleep(1000);
  L.assertEq(s.readyState, 'open', 'still open after heartbeats');
  L.assertEq(await echo(s, ['again']), ['again'], 'echo after heartbeats');
  const c = closed(s);
  s.close();
  await c;
}

L.runCases([
  ['start', async () => { srv = await L.startServer(BIN, TIMING); }],
  ['polling-only echo', () => echoCase({ transports: ['polling'], upgrade: false }, 'polling')],
  ['websocket-only echo', () => echoCase({ transports: ['websocket'] }, 'websocket')],
  ['polling upgraded to websocket', () => echoCase({ transports: ['polling', 'websocket'], upgrade: true }, 'websocket')],
  ['messages sent during the upgrade arrive once, in order', async () => {
    const s = await open({ transports: ['polling', 'websocket'], upgrade: true });
    const items = Array.from({ length: 50 }, (_, i) => 'm' + i);
    const p = echo(s, items);
    const got = await p;
    L.assertEq(got, items, 'order');
    s.close();
  }],
  ['many clients at once', async () => {
    const socks = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      open(i % 2 ? { transports: ['websocket'] } : { transports: ['polling'], upgrade: false })));
    const got = await Promise.all(socks.map((s, i) => echo(s, ['c' + i])));
    got.forEach((g, i) => L.assertEq(g, ['c' + i], 'client ' + i));
    socks.forEach((s) => s.close());
  }],
  ['server pings and closes a silent polling session after pingTimeout', async () => {
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    L.assertEq(r.status, 200, 'handshake');
    const sid = JSON.parse(r.body.slice(1)).sid;
    // a vanished client: no request at all for pingInterval + pingTimeout
    await L.sleep(300 + 200 + 150);
    const g = await L.request(srv.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    L.assertEq([g.status, JSON.parse(g.body)], [400, { code: 1, message: 'Session ID unknown' }], 'reaped');
  }],
  ['a polling client vanishing mid-request is reaped', async () => {
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(r.body.slice(1)).sid;
    const http = require('http');
    await new Promise((res) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, agent: false,
        path: `/engine.io/?EIO=4&transport=polling&sid=${sid}` });
      req.on('error', () => {});
      req.end();
      setTimeout(() => { req.destroy(); res(); }, 100); // held GET, then the client vanishes
    });
    await L.sleep(300 + 200 + 150);
    const g = await L.request(srv.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    L.assertEq(g.status, 400, 'reaped');
  }],
  ['HTTP errors', async () => {
    const cases = [
      ['GET', '/engine.io/?EIO=4', 0, 'Transport unknown'],
      ['GET', '/engine.io/?EIO=4&transport=polling&sid=nope', 1, 'Session ID unknown'],
      ['POST', '/engine.io/?EIO=4&transport=polling', 2, 'Bad handshake method'],
      ['GET', '/engine.io/?EIO=4&transport=websocket', 3, 'Bad request'],
      ['GET', '/engine.io/?EIO=3&transport=polling', 5, 'Unsupported protocol version'],
    ];
    for (const [m, p, code, message] of cases) {
      const r = await L.request(srv.port, m, p, m === 'POST' ? '4x' : undefined);
      L.assertEq([r.status, r.headers['content-type'], JSON.parse(r.body)],
        [400, 'application/json', { code, message }], `${m} ${p}`);
      L.assert(!('access-control-allow-origin' in r.headers), 'no CORS header');
    }
  }],
  ['oversize POST gets 413', async () => {
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(r.body.slice(1)).sid;
    const p = await L.request(srv.port, 'POST', `/engine.io/?EIO=4&transport=polling&sid=${sid}`,
      '4' + 'a'.repeat(1000000), { 'content-type': 'text/plain;charset=UTF-8' });
    L.assertEq(p.status, 413, 'status');
  }],
  ['stop with SIGTERM exits 0', () => L.stopServer(srv)],
]);
