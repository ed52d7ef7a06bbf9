// Engine.IO interop: the official engine.io-client against sioref's /engine.io/ echo
// (contract CT-10) over polling only, WebSocket only and polling upgraded to WebSocket,
// plus heartbeat and reaping checks with raw HTTP. Usage: node eio_interop.js SIOREF
'use strict';
const { Socket } = require('engine.io-client');
const L = require('./lib');

const BIN = process.argv[2];
const TIMING = ['--ping-interval', '300', '--ping-timeout', '200'];
// Slack after pingInterval + pingTimeout before a session must be gone: a server run
// under valgrind on a busy machine can be late by more than the usual 150 ms.
const SLACK_MS = process.env.SIOREF_WRAPPER ? 1000 : 150;
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

// A WebSocket with no 'error' listener (as in the official suites, where an answer other
// than 101 throws): resolves with whether it opened and what it received before the
// server closed it.
function openedThenClosed(url) {
  const WebSocket = require('ws');
  return L.withTimeout(new Promise((res) => {
    const ws = new WebSocket(url);
    const got = { opened: false, messages: [] };
    ws.on('open', () => { got.opened = true; });
    ws.on('message', (d) => got.messages.push(d.toString()));
    ws.on('close', () => res(got));
  }), 3000, 'second WebSocket closed');
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
    await L.sleep(300 + 200 + SLACK_MS);
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
    await L.sleep(300 + 200 + SLACK_MS);
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
  ['concurrent GET: second gets 400, held one gets CLOSE, sid forgotten', async () => {
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(r.body.slice(1)).sid;
    const q = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const first = L.request(srv.port, 'GET', q);
    await L.sleep(100);
    const second = await L.request(srv.port, 'GET', q);
    L.assertEq(second.status, 400, 'second GET');
    const f = await L.withTimeout(first, 3000, 'held GET answered');
    L.assertEq([f.status, f.body], [200, '1'], 'held GET gets CLOSE');
    L.assertEq((await L.request(srv.port, 'GET', q)).status, 400, 'sid forgotten');
  }],
  ['POST then GET returns the echoes in one body (CT-10)', async () => {
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(r.body.slice(1)).sid;
    const q = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const p = await L.request(srv.port, 'POST', q, '4test1\x1e4test2\x1ebAQID');
    L.assertEq([p.status, p.body], [200, 'ok'], 'POST');
    const g = await L.request(srv.port, 'GET', q);
    L.assertEq([g.status, g.headers['content-type'], g.body], [200, 'text/plain; charset=UTF-8', '4test1\x1e4test2\x1ebAQID'], 'GET');
    const c = await L.request(srv.port, 'POST', q, '1');
    L.assertEq(c.status, 200, 'close POST');
    L.assertEq((await L.request(srv.port, 'GET', q)).status, 400, 'closed by the client');
  }],
  ['refused WebSocket requests get HTTP 400 with the JSON error', async () => {
    const WebSocket = require('ws');
    const refused = (path) => L.withTimeout(new Promise((res, rej) => {
      const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${path}`);
      ws.on('unexpected-response', (req, resp) => {
        let body = '';
        resp.on('data', (d) => { body += d; });
        resp.on('end', () => res([resp.statusCode, JSON.parse(body)]));
      });
      ws.on('open', () => rej(new Error('opened')));
      ws.on('error', () => {});
    }), 3000, 'refusal ' + path);
    L.assertEq(await refused('/engine.io/?EIO=4&transport=websocket&sid=unknown'),
      [400, { code: 1, message: 'Session ID unknown' }], 'probe on unknown sid');
    L.assertEq(await refused('/engine.io/?EIO=3&transport=websocket'),
      [400, { code: 5, message: 'Unsupported protocol version' }], 'EIO=3');
    // EIO-TR-16, EIO-TR-19: a second WebSocket for a WebSocket session gets its 101 and
    // is closed at once with no packet (no 'error' listener: like the official suite,
    // a refusal before the 101 would throw)
    const ws1 = new WebSocket(`ws://127.0.0.1:${srv.port}/engine.io/?EIO=4&transport=websocket`);
    const open = await L.withTimeout(new Promise((res) => ws1.once('message', (d) => res(d.toString()))), 3000, 'open');
    const sid = JSON.parse(open.slice(1)).sid;
    L.assertEq(await openedThenClosed(`ws://127.0.0.1:${srv.port}/engine.io/?EIO=4&transport=websocket&sid=${sid}`),
      { opened: true, messages: [] }, 'second WebSocket');
    ws1.send('4still');
    const echo = await L.withTimeout(new Promise((res) => ws1.on('message', (d) => {
      const m = d.toString();
      if (m === '2') ws1.send('3'); else res(m);
    })), 3000, 'echo');
    L.assertEq(echo, '4still', 'first WebSocket unaffected');
    ws1.close();
  }],
  ['a second WebSocket after the upgrade gets 101 then a close; the first keeps working', async () => {
    const WebSocket = require('ws');
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(r.body.slice(1)).sid;
    const url = `ws://127.0.0.1:${srv.port}/engine.io/?EIO=4&transport=websocket&sid=${sid}`;
    const ws = new WebSocket(url);
    const msgs = [];
    ws.on('message', (d) => { const m = d.toString(); if (m === '2') ws.send('3'); else msgs.push(m); });
    await L.withTimeout(new Promise((res) => ws.once('open', res)), 3000, 'ws open');
    ws.send('2probe');
    for (let i = 0; i < 100 && msgs.length < 1; i++) await L.sleep(10);
    L.assertEq(msgs, ['3probe'], 'probe answer');
    ws.send('5');
    L.assertEq(await openedThenClosed(url), { opened: true, messages: [] }, 'second WebSocket');
    ws.send('4after');
    for (let i = 0; i < 100 && msgs.length < 2; i++) await L.sleep(10);
    L.assertEq(msgs, ['3probe', '4after'], 'first WebSocket still echoes');
    ws.close();
  }],
  ['upgrade by hand: probe, NOOP for the held GET, switch, polling refused', async () => {
    const WebSocket = require('ws');
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(r.body.slice(1)).sid;
    const q = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const held = L.request(srv.port, 'GET', q);
    await L.sleep(50);
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    const msgs = [];
    ws.on('message', (d) => { const m = d.toString(); if (m === '2') ws.send('3'); else msgs.push(m); });
    await L.withTimeout(new Promise((res) => ws.once('open', res)), 3000, 'ws open');
    ws.send('2probe');
    const h = await L.withTimeout(held, 3000, 'held GET released');
    L.assertEq([h.status, h.body], [200, '6'], 'NOOP');
    for (let i = 0; i < 100 && msgs.length < 1; i++) await L.sleep(10);
    L.assertEq(msgs, ['3probe'], 'probe answer');
    ws.send('5');
    await L.sleep(50);
    ws.send('4after');
    await L.sleep(100);
    L.assertEq(msgs, ['3probe', '4after'], 'echo over the upgraded WebSocket');
    const g = await L.request(srv.port, 'GET', q);
    L.assertEq([g.status, JSON.parse(g.body).code], [400, 3], 'polling after upgrade');
    ws.close();
  }],
  ['fragmented WebSocket messages are reassembled; an oversize one closes the session', async () => {
    const WebSocket = require('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/engine.io/?EIO=4&transport=websocket`);
    const msgs = [];
    let waiter = null;
    ws.on('message', (d, bin) => {
      const m = bin ? Array.from(d) : d.toString();
      if (m === '2') { ws.send('3'); return; }
      msgs.push(m);
      if (waiter) waiter();
    });
    const nextMsg = () => L.withTimeout(new Promise((r) => {
      if (msgs.length) return r(msgs.shift());
      waiter = () => { waiter = null; r(msgs.shift()); };
    }), 3000, 'ws message');
    await nextMsg(); // open packet
    ws.send('4he', { fin: false });
    ws.send('l', { fin: false });
    ws.send('lo', { fin: true });
    L.assertEq(await nextMsg(), '4hello', 'text fragments');
    ws.send(Buffer.from([1, 2]), { binary: true, fin: false });
    ws.send(Buffer.from([3]), { binary: true, fin: true });
    L.assertEq(await nextMsg(), [1, 2, 3], 'binary fragments');
    const max = '4' + 'a'.repeat(999999); // exactly maxPayload bytes: accepted
    ws.send(max);
    L.assertEq(await nextMsg() === max, true, 'a message of exactly maxPayload');
    const closed = new Promise((r) => ws.once('close', (code) => r(code)));
    ws.send('4' + 'a'.repeat(1000000)); // maxPayload is 1000000 bytes: one too many
    L.assertEq(await L.withTimeout(closed, 3000, 'close'), 1009, 'close code');
  }],
  ['stop with SIGTERM exits 0', () => L.stopServer(srv)],
  ['CORS: a configured origin is echoed, others get no header, preflight 204', async () => {
    srv = await L.startServer(BIN, ['--cors-origin', 'http://a.example', '--cors-origin', 'http://b.example']);
    const ok = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling', undefined, { origin: 'http://b.example' });
    L.assertEq([ok.status, ok.headers['access-control-allow-origin'], ok.headers.vary], [200, 'http://b.example', 'Origin'], 'allowed');
    const no = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling', undefined, { origin: 'http://c.example' });
    L.assertEq([no.status, no.headers['access-control-allow-origin']], [200, undefined], 'not listed');
    const pre = await L.request(srv.port, 'OPTIONS', '/engine.io/?EIO=4&transport=polling', undefined,
      { origin: 'http://a.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    L.assertEq([pre.status, pre.headers['access-control-allow-origin'], pre.headers['access-control-allow-methods'],
      pre.headers['access-control-allow-headers']], [204, 'http://a.example', 'GET, POST', 'content-type'], 'preflight');
    await L.stopServer(srv);
  }],
]);
