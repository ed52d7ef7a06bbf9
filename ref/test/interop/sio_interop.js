// Socket.IO interop: the official socket.io-client 4.8.4 against sioref's /socket.io/
// running the contract app (spec/contract.md), over polling only, WebSocket only and
// the default (polling upgraded to WebSocket). Usage: node sio_interop.js SIOREF
'use strict';
const { io } = require('socket.io-client');
const L = require('./lib');

const BIN = process.argv[2];
let srv;

const TRANSPORTS = {
  polling: { transports: ['polling'], upgrade: false },
  websocket: { transports: ['websocket'] },
  upgrade: { transports: ['polling', 'websocket'], upgrade: true },
};

function connect(nsp, opts) {
  const s = io(`http://127.0.0.1:${srv.port}${nsp}`, { forceNew: true, reconnection: false, ...opts });
  return L.withTimeout(new Promise((res, rej) => {
    s.once('connect', () => res(s));
    s.once('connect_error', rej);
  }), 5000, 'connect ' + nsp);
}

function next(s, ev, ms = 3000) {
  return L.withTimeout(new Promise((res) => s.once(ev, (...args) => res(args))), ms, 'event ' + ev);
}

// Connect and swallow the "auth" event the contract app emits first (CT-12).
async function connectAuth(nsp, opts) {
  const s = io(`http://127.0.0.1:${srv.port}${nsp}`, { forceNew: true, reconnection: false, ...opts });
  const auth = next(s, 'auth');
  await L.withTimeout(new Promise((res, rej) => { s.once('connect', res); s.once('connect_error', rej); }), 5000, 'connect');
  return { s, auth: (await auth)[0] };
}

const norm = (v) => JSON.parse(JSON.stringify(v, (k, x) =>
  (x && x.type === 'Buffer' && Array.isArray(x.data)) ? { buf: x.data } : x));

function casesFor(tname) {
  const topts = TRANSPORTS[tname];
  const T = (n) => `${n} @${tname}`;
  return [
    [T('connect to / emits auth with the handshake auth'), async () => {
      const { s, auth } = await connectAuth('/', { ...topts, auth: { token: '123' } });
      L.assertEq(auth, { token: '123' }, 'auth');
      if (tname === 'upgrade' && s.io.engine.transport.name !== 'websocket')
        await L.withTimeout(new Promise((r) => s.io.engine.once('upgrade', r)), 5000, 'upgrade');
      if (tname !== 'polling') L.assertEq(s.io.engine.transport.name, 'websocket', 'transport');
      s.disconnect();
    }],
    [T('emit message -> message-back'), async () => {
      const { s } = await connectAuth('/', topts);
      const p = next(s, 'message-back');
      s.emit('message', 1, '2', { 3: [false] }, null);
      L.assertEq(await p, [1, '2', { 3: [false] }, null], 'args');
      s.disconnect();
    }],
    [T('client ack: message-with-ack'), async () => {
      const { s } = await connectAuth('/', topts);
      const got = await L.withTimeout(new Promise((r) => s.emit('message-with-ack', 1, '2', { 3: [false] }, (...a) => r(a))), 3000, 'ack');
      L.assertEq(got, [1, '2', { 3: [false] }], 'ack args');
      s.disconnect();
    }],
    [T('server ack: request-ack -> ack-request, client acks -> ack-result'), async () => {
      const { s } = await connectAuth('/', topts);
      s.once('ack-request', (...args) => { const cb = args.pop(); L.assertEq(args, ['q', 7], 'request args'); cb('answer', { n: 1 }); });
      const p = next(s, 'ack-result');
      s.emit('request-ack', 'q', 7);
      L.assertEq(await p, ['answer', { n: 1 }], 'ack-result');
      s.disconnect();
    }],
    [T('binary with 1 attachment both ways'), async () => {
      const { s } = await connectAuth('/', topts);
      const p = next(s, 'message-back');
      s.emit('message', Buffer.from([1, 2, 3]));
      L.assertEq(norm(await p), norm([Buffer.from([1, 2, 3])]), 'binary');
      s.disconnect();
    }],
    [T('binary with 3 attachments both ways, and a binary ack'), async () => {
      const { s } = await connectAuth('/', topts);
      const args = [Buffer.from([0]), 'mid', { deep: [Buffer.from([255, 254])] }, Buffer.alloc(1000, 7)];
      const p = next(s, 'message-back');
      s.emit('message', ...args);
      L.assertEq(norm(await p), norm(args), 'binary event');
      const got = await L.withTimeout(new Promise((r) => s.emit('message-with-ack', ...args, (...a) => r(a))), 3000, 'ack');
      L.assertEq(norm(got), norm(args), 'binary ack');
      s.disconnect();
    }],
    [T('namespace /custom'), async () => {
      const { s, auth } = await connectAuth('/custom', { ...topts, auth: { a: 1 } });
      L.assertEq(auth, { a: 1 }, 'auth');
      s.disconnect();
    }],
    [T('invalid namespace is refused'), async () => {
      const s = io(`http://127.0.0.1:${srv.port}/random`, { forceNew: true, reconnection: false, ...topts });
      const [err] = await next(s, 'connect_error');
      L.assertEq(err.message, 'Invalid namespace', 'message');
      s.disconnect();
    }],
    [T('auth rejection carries data'), async () => {
      const s = io(`http://127.0.0.1:${srv.port}/auth`, { forceNew: true, reconnection: false, ...topts, auth: { token: 'wrong' } });
      const [err] = await next(s, 'connect_error');
      L.assertEq([err.message, err.data], ['unauthorized', { reason: 'bad-token' }], 'error');
      s.disconnect();
      const ok = await connectAuth('/auth', { ...topts, auth: { token: 'sioconform' } });
      L.assertEq(ok.auth, { token: 'sioconform' }, 'good token');
      ok.s.disconnect();
    }],
    [T('rooms with three clients'), async () => {
      const [a, b, c] = (await Promise.all([0, 1, 2].map(() => connectAuth('/', topts)))).map((x) => x.s);
      const join = (s, r) => L.withTimeout(new Promise((res) => s.emit('join', r, res)), 3000, 'join');
      L.assertEq(await join(b, 'ct-r'), 'ct-r', 'join ack');
      await join(c, 'ct-r');
      const got = [];
      for (const [name, s] of [['a', a], ['b', b], ['c', c]]) s.on('room-message', (...x) => got.push([name, ...x]));
      a.emit('to-room', 'ct-r', 'hi', 1);
      await L.sleep(300);
      got.sort();
      L.assertEq(got, [['b', 'hi', 1], ['c', 'hi', 1]], 'to-room from a non-member');
      got.length = 0;
      b.emit('to-room-all', 'ct-r', 'all');
      await L.sleep(300);
      got.sort();
      L.assertEq(got, [['b', 'all'], ['c', 'all']], 'to-room-all from a member');
      got.length = 0;
      b.emit('to-room', 'ct-r', 'x');
      await L.sleep(300);
      L.assertEq(got, [['c', 'x']], 'to-room skips the sender');
      got.length = 0;
      const bc = [];
      for (const [name, s] of [['a', a], ['b', b], ['c', c]]) s.on('broadcast-message', (...x) => bc.push([name, ...x]));
      c.emit('broadcast', 'all-but-c');
      await L.sleep(300);
      bc.sort();
      L.assertEq(bc, [['a', 'all-but-c'], ['b', 'all-but-c']], 'broadcast');
      [a, b, c].forEach((s) => s.disconnect());
    }],
    [T('server-side disconnect is seen as io server disconnect'), async () => {
      const { s } = await connectAuth('/', topts);
      const p = next(s, 'disconnect');
      s.emit('disconnect-me');
      L.assertEq((await p)[0], 'io server disconnect', 'reason');
      s.close();
    }],
    [T('close-me closes the connection'), async () => {
      const { s } = await connectAuth('/', topts);
      const p = next(s, 'disconnect');
      s.emit('close-me');
      const [reason] = await p;
      L.assert(['io server disconnect', 'transport close'].includes(reason), 'reason ' + reason);
      s.close();
    }],
  ];
}

L.runCases([
  ['start', async () => { srv = await L.startServer(BIN, ['--ping-interval', '300', '--ping-timeout', '200', '--connect-timeout', '1000']); }],
  ...casesFor('polling'),
  ...casesFor('websocket'),
  ...casesFor('upgrade'),
  ['no CONNECT within connectTimeout closes the connection', async () => {
    const { Socket } = require('engine.io-client');
    const e = new Socket(`http://127.0.0.1:${srv.port}`, { path: '/socket.io/', transports: ['websocket'] });
    const reason = await L.withTimeout(new Promise((r) => e.once('close', r)), 5000, 'close');
    L.assert(typeof reason === 'string', 'closed: ' + reason);
  }],
  ['stop with SIGTERM exits 0', () => L.stopServer(srv)],
]);
