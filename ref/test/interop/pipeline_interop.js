// HTTP/1.1 pipelining on the polling transport (RFC 9112 section 9.3.2): requests
// written back to back on one connection, before any answer. A server MUST answer them
// in order; it MAY close the connection after any answer (section 9.6, announced with
// "Connection: close"), leaving the rest to the client to retry. sioref refuses
// pipelining that way (see ref/src/lws_adapter.c). What no server may do: answer out
// of order, answer a request with another's body, or spin a core on the buffered bytes
// (libwebsockets 4.1.6 did, ~100 ticks/s, after two pipelined POSTs).
// Usage: node pipeline_interop.js SIOREF
'use strict';
const fs = require('fs');
const net = require('net');
const L = require('./lib');

const BIN = process.argv[2];
const TIMING = ['--ping-interval', '10000', '--ping-timeout', '5000'];
const SLOW = require('./raw_http').SLOW;
let srv;

const H = require('./raw_http');
const { responses, get, post } = H;
// One raw connection to the server under test (raw_http.js).
const raw = (text, opts = {}) => H.raw(srv.port, text, { ms: 1000, ...opts });
const EIO = '/engine.io/?EIO=4&transport=polling';

async function session() {
  const r = await raw(get(EIO, 'Connection: close\r\n'));
  return `${EIO}&sid=${JSON.parse(responses(r.data)[0].body.slice(1)).sid}`;
}

function cpuTicks() {
  const f = fs.readFileSync(`/proc/${srv.proc.pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(v[11]) + Number(v[12]);
}

// After the client is gone: no more than a few ticks in 1 s (a spinning loop shows ~100).
async function noBusyLoop(what) {
  const t1 = cpuTicks();
  await L.sleep(1000);
  const idle = cpuTicks() - t1;
  L.assert(idle <= 5 * SLOW, `sioref used ${idle} ticks of CPU in 1 s after ${what}`);
}

// The answers to pipelined requests: WANT[i] is what request i must get if it is
// answered. The answers are a prefix of WANT (in order); either all come, or the last
// one given says "Connection: close" and the server closes (RFC 9112 section 9.6).
function checkPrefix(r, want, what) {
  const got = responses(r.data);
  L.assert(got.length >= 1, `${what}: the first request was not answered (${JSON.stringify(r.data)})`);
  L.assert(got.length <= want.length, `${what}: more answers than requests`);
  got.forEach((g, i) => L.assertEq([g.status, g.body], want[i], `${what}: answer ${i + 1}`));
  if (got.length < want.length) {
    L.assertEq([got[got.length - 1].headers.connection, r.eof], ['close', true],
      `${what}: ${got.length} of ${want.length} answered, then`);
  }
  return got.length;
}

const bounded = (cases) => cases.map(([name, fn]) => [name, () => L.withTimeout(Promise.resolve().then(fn), 30000 * SLOW, name)]);

L.runCases(bounded([
  ['start', async () => { srv = await L.startServer(BIN, TIMING); }],
  ['two POSTs in one write, then the client closes: in order, no busy loop', async () => {
    const q = await session();
    const r = await raw(post(q, '4a') + post(q, '4b'), { ms: 500 });
    const n = checkPrefix(r, [[200, 'ok'], [200, 'ok']], 'POST, POST');
    await noBusyLoop('two pipelined POSTs');
    const p = await raw(get(q, 'Connection: close\r\n'));
    const [a] = responses(p.data);
    L.assertEq([a.status, a.body], [200, n === 2 ? '4a\x1e4b' : '4a'], 'the answered POSTs, and only they, were delivered');
  }],
  ['two POSTs in one write, the client half-closes: no busy loop', async () => {
    const q = await session();
    const r = await raw(post(q, '4a') + post(q, '4b'), { half: true, ms: 1000 });
    checkPrefix(r, [[200, 'ok'], [200, 'ok']], 'POST, POST (half-close)');
    await noBusyLoop('two pipelined POSTs and a half-close');
  }],
  ['a POST then a GET: in order (the GET carries the POSTed packet if answered)', async () => {
    const q = await session();
    const r = await raw(post(q, '4c') + get(q), { ms: 500 });
    checkPrefix(r, [[200, 'ok'], [200, '4c']], 'POST, GET');
    await noBusyLoop('a pipelined POST and GET');
  }],
  ['requests answered at once (errors), then a POST: in order', async () => {
    const q = await session();
    const bad = '/engine.io/?EIO=3&transport=polling';
    const r = await raw(get(bad) + get(bad) + post(q, '4d'), { ms: 500 });
    checkPrefix(r, [[400, '{"code":5,"message":"Unsupported protocol version"}'],
      [400, '{"code":5,"message":"Unsupported protocol version"}'], [200, 'ok']], 'GET, GET, POST');
    await noBusyLoop('pipelined requests after an immediate answer');
  }],
  ['requests behind a held GET: the GET is answered first, then the rest or a close', async () => {
    const q = await session();
    const pending = raw(get(q) + post(q, '4e') + get(q), { ms: 3000 });
    await L.sleep(200);
    // the held GET is answered by a packet POSTed on another connection
    const p = await raw(post(q, '4f'));
    L.assertEq(responses(p.data)[0] && responses(p.data)[0].status, 200, 'POST on another connection');
    const r = await pending;
    checkPrefix(r, [[200, '4f'], [200, 'ok'], [200, '4e']], 'held GET, POST, GET');
    await noBusyLoop('requests behind a held GET');
  }],
  ['requests written behind a held GET later (a second write): same', async () => {
    const q = await session();
    const got = await new Promise((resolve, reject) => {
      const s = net.connect(srv.port, '127.0.0.1');
      let data = '';
      s.setEncoding('latin1');
      const timer = setTimeout(() => { s.destroy(); resolve({ data, eof: false }); }, 3000 * SLOW);
      s.on('connect', async () => {
        s.write(get(q));
        await L.sleep(150);
        s.write(post(q, '4g') + get(q));
        await L.sleep(150);
        raw(post(q, '4h')).catch(reject);
      });
      s.on('data', (d) => { data += d; });
      s.on('close', () => { clearTimeout(timer); resolve({ data, eof: true }); });
      s.on('error', () => {});
    });
    checkPrefix(got, [[200, '4h'], [200, 'ok'], [200, '4g']], 'held GET, then POST, GET');
    await noBusyLoop('a second write behind a held GET');
  }],
  ['a fresh session is served promptly afterwards', async () => {
    const t0 = Date.now();
    const q = await session();
    const p = await raw(post(q, '4z'), { ms: 1000 });
    L.assertEq(responses(p.data)[0].status, 200, 'POST');
    L.assert(Date.now() - t0 < 1500 * SLOW, `took ${Date.now() - t0} ms`);
  }],
  ['stop with SIGTERM exits 0', () => L.stopServer(srv)],
]));
