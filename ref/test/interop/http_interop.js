// HTTP/1.1 interop on the polling transport: how sioref treats the connections that
// Node's own HTTP client (the keep-alive global agent of Node 20, used by node-fetch 3
// in the official test suites) and plain sockets give it. RFC 9112 section 9.6:
// "Connection: close" is honoured (MUST) and announced (SHOULD); keep-alive
// connections carry several polling requests; a client that half-closes after its
// request leaves no socket behind (no CLOSE-WAIT) and no busy loop.
// Usage: node http_interop.js SIOREF
'use strict';
const fs = require('fs');
const http = require('http');
const net = require('net');
const { execFileSync } = require('child_process');
const L = require('./lib');

const BIN = process.argv[2];
// A long heartbeat: nothing here may depend on a held GET being answered by a ping.
const TIMING = ['--ping-interval', '10000', '--ping-timeout', '5000'];
const SLOW = require('./raw_http').SLOW;
let srv;

const H = require('./raw_http');
const { responses, get, post } = H;
// One raw connection to the server under test (raw_http.js).
const raw = (text, opts = {}) => H.raw(srv.port, text, { ms: 2000, ...opts });
const EIO = '/engine.io/?EIO=4&transport=polling';

async function handshake() {
  const r = await raw(get(EIO, 'Connection: close\r\n'));
  return JSON.parse(responses(r.data)[0].body.slice(1)).sid;
}

// Sockets of the server's port in state STATE (ss from iproute2).
function sockets(state) {
  const out = execFileSync('ss', ['-Htan', 'state', state, `( sport = :${srv.port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim()).length;
}

// CPU time (user + system, in clock ticks) sioref has used so far.
function cpuTicks() {
  const f = fs.readFileSync(`/proc/${srv.proc.pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(v[11]) + Number(v[12]);
}

async function noCloseWait(what) {
  for (let i = 0; i < 50 && sockets('close-wait'); i++) await L.sleep(20);
  L.assertEq(sockets('close-wait'), 0, `sockets in CLOSE-WAIT (${what})`);
}

// Every case is bounded in time (a lost request must fail its case, not hang the run).
const bounded = (cases) => cases.map(([name, fn]) => [name, () => L.withTimeout(Promise.resolve().then(fn), 20000 * SLOW, name)]);

L.runCases(bounded([
  ['start', async () => { srv = await L.startServer(BIN, TIMING); }],
  ['Connection: close is announced and honoured: handshake, error, POST, held GET', async () => {
    const hs = await raw(get(EIO, 'Connection: close\r\n'));
    const [r] = responses(hs.data);
    L.assertEq([r.status, r.headers.connection, hs.eof], [200, 'close', true], 'handshake');
    const sid = JSON.parse(r.body.slice(1)).sid;
    const bad = await raw(get('/engine.io/?EIO=3&transport=polling', 'Connection: close\r\n'));
    L.assertEq([responses(bad.data)[0].status, responses(bad.data)[0].headers.connection, bad.eof],
      [400, 'close', true], 'error answer');
    const q = `${EIO}&sid=${sid}`;
    const p = await raw(post(q, '4hello', 'Connection: close\r\n'));
    L.assertEq([responses(p.data)[0].status, responses(p.data)[0].headers.connection, p.eof],
      [200, 'close', true], 'POST');
    const g = await raw(get(q, 'Connection: close\r\n'));
    const [gr] = responses(g.data);
    L.assertEq([gr.status, gr.body, gr.headers.connection, g.eof], [200, '4hello', 'close', true], 'GET');
    // an option list, mixed case (RFC 9110 section 7.6.1: a list of case-insensitive tokens)
    const l = await raw(get(EIO, 'Connection: TE, Close\r\n'));
    L.assertEq([responses(l.data)[0].headers.connection, l.eof], ['close', true], 'option list');
    // a held GET answered later (here by the client's close packet) still closes
    const held = raw(get(q, 'Connection: close\r\n'), { ms: 5000 });
    await L.sleep(100);
    await raw(post(q, '1', 'Connection: close\r\n'));
    const h = await held;
    L.assertEq([responses(h.data)[0].status, responses(h.data)[0].headers.connection, h.eof],
      [200, 'close', true], 'held GET');
    await noCloseWait('after Connection: close');
  }],
  ['keep-alive: several polling requests on one connection are all answered', async () => {
    // one at a time on a kept-alive socket through Node's keep-alive agent
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const local = new Set();
    const one = (method, path, body) => new Promise((res, rej) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, method, path, agent }, (resp) => {
        local.add(req.socket.localPort);
        let d = '';
        resp.setEncoding('utf8');
        resp.on('data', (c) => { d += c; });
        resp.on('end', () => res([resp.statusCode, d]));
      });
      req.on('error', rej);
      req.end(body);
    });
    const sid2 = JSON.parse((await one('GET', EIO))[1].slice(1)).sid;
    const q2 = `${EIO}&sid=${sid2}`;
    for (let i = 0; i < 5; i++) {
      L.assertEq(await one('POST', q2, `4m${i}`), [200, 'ok'], `POST ${i}`);
      L.assertEq(await one('GET', q2), [200, `4m${i}`], `GET ${i}`);
    }
    agent.destroy();
    L.assertEq(local.size, 1, 'requests shared one connection');
  }],
  ["Node's keep-alive agent with 'Connection: close' (node-fetch 3): no request lost", async () => {
    // the agent keeps a socket unless the response says "close"; a server that closes
    // without saying so makes the next request fail with "socket hang up"
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const one = (method, path, body) => new Promise((res, rej) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, method, path, agent, headers: { connection: 'close' } }, (resp) => {
        let d = '';
        resp.setEncoding('utf8');
        resp.on('data', (c) => { d += c; });
        resp.on('end', () => res([resp.statusCode, d]));
      });
      req.on('error', rej);
      req.end(body);
    });
    for (let i = 0; i < 40; i++) {
      const sid = JSON.parse((await one('GET', EIO))[1].slice(1)).sid;
      const q = `${EIO}&sid=${sid}`;
      L.assertEq((await one('GET', '/engine.io/?transport=polling'))[0], 400, 'error');
      L.assertEq(await one('POST', q, '4x'), [200, 'ok'], 'POST');
      L.assertEq(await one('GET', q), [200, '4x'], 'GET');
      L.assertEq(await one('POST', q, '1'), [200, 'ok'], 'close');
    }
    agent.destroy();
    await noCloseWait('after the keep-alive agent');
  }],
  ['a client that half-closes after a held GET: the socket is closed at once and the session with it', async () => {
    const sid = await handshake();
    const q = `${EIO}&sid=${sid}`;
    const r = await raw(get(q), { half: true, ms: 3000 });
    // the answer cannot come before pingInterval (10 s): the server must end the
    // connection (EIO-TR-12: an aborted poll closes the session)
    L.assertEq([r.eof, r.data], [true, ''], 'closed without an answer');
    L.assert(r.ms < 2000 * SLOW, `closed after ${r.ms} ms`);
    await noCloseWait('after a half-close');
    const after = await raw(get(q, 'Connection: close\r\n'));
    L.assertEq(responses(after.data)[0].status, 400, 'session closed');
    // answered at once, then half-closed: answered, then the connection ends
    const e = await raw(get('/engine.io/?EIO=3&transport=polling'), { half: true });
    L.assertEq([responses(e.data)[0].status, e.eof], [400, true], 'answered then closed');
  }],
  ['600 short-lived sockets (half-closed held GETs, Connection: close): none left, no busy loop', async () => {
    const t0 = cpuTicks();
    const sids = [];
    for (let i = 0; i < 300; i++) sids.push(await handshake());
    const held = [];
    for (const sid of sids) held.push(raw(get(`${EIO}&sid=${sid}`), { half: true, ms: 3000 }));
    const rs = await Promise.all(held);
    L.assertEq(rs.filter((r) => !r.eof).length, 0, 'half-closed GETs left open');
    await noCloseWait('after 600 sockets');
    const t1 = cpuTicks();
    await L.sleep(1000);
    const idle = cpuTicks() - t1;
    // a spinning loop shows ~100 ticks per second; an idle server none
    L.assert(idle <= 5 * SLOW, `sioref used ${idle} ticks of CPU in 1 s of idling (${t1 - t0} during the burst)`);
    // and it still serves
    L.assertEq(typeof (await handshake()), 'string', 'handshake after the burst');
  }],
  ['stop with SIGTERM exits 0', () => L.stopServer(srv)],
]));
