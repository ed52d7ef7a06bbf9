// sioref's other protocol modes against the official clients pinned in ci/node:
// --allow-eio3 with socket.io-client 2.5.0 (Engine.IO v3 / Socket.IO protocol v4; the
// copy socket.io-v2 ships), and --parser msgpack with socket.io-client 4.8.4 and
// socket.io-msgpack-parser 3.0.2, each over polling, websocket and the upgrade: the
// connection, a binary round trip (CT-13), an ack (CT-14), /custom (CT-16), an unknown
// namespace refused (CT-17; a string in v4, SIO-FNS-4), and the heartbeat running at
// 300/200 ms (EIO-THB-1..3 for v3). Usage: node protocols_interop.js SIOREF
'use strict';
const L = require('./lib');

const BIN = process.argv[2];
const V2 = require('socket.io-v2/node_modules/socket.io-client');
const V4 = require('socket.io-client');
const msgpack = require('socket.io-msgpack-parser');
const TIMING = ['--ping-interval', '300', '--ping-timeout', '200'];

const show = (x) => (Buffer.isBuffer(x) ? 'hex:' + x.toString('hex') : x);

// One scripted session; resolves with what the client saw.
function session(io, url, transports, extra) {
  const opts = { transports, forceNew: true, reconnection: false, ...extra };
  return L.withTimeout(new Promise((resolve, reject) => {
    const got = {};
    const s = io(url, opts);
    s.on('connect_error', (e) => reject(new Error('connect_error ' + e.message)));
    s.on('connect', () => {
      got.id = s.id;
      got.engineId = s.io.engine.id;
      s.emit('message', 'h\u00e9\u{1F600}', Buffer.from([1, 2, 3]), { a: [1, -2, 2.5, null, true] });
    });
    s.on('message-back', (...args) => {
      got.back = args.map(show);
      s.emit('message-with-ack', 1, Buffer.from([9]), (...ack) => {
        got.ack = ack.map(show);
        const c = io(url + '/custom', opts);
        c.on('connect', () => {
          got.customId = c.id;
          const r = io(url + '/random', opts);
          const refused = (e) => {
            got.refused = typeof e === 'string' ? e : e.message;
            // beyond two heartbeat intervals: the session must still be up
            setTimeout(() => {
              got.alive = s.connected;
              got.transport = s.io.engine.transport.name;
              for (const x of [s, c, r]) x.close();
              resolve(got);
            }, 800);
          };
          r.on('error', refused); // v2 clients
          r.on('connect_error', refused); // v4 clients
        });
      });
    });
  }), 5000, transports.join(','));
}

const BACK = ['h\u00e9\u{1F600}', 'hex:010203', { a: [1, -2, 2.5, null, true] }];
const TRANSPORTS = [['polling'], ['websocket'], ['polling', 'websocket']];

L.runCases([
  ['--allow-eio3: socket.io-client 2.5.0 on polling, websocket and the upgrade', async () => {
    const srv = await L.startServer(BIN, ['--allow-eio3', ...TIMING]);
    const url = `http://127.0.0.1:${srv.port}`;
    for (const tr of TRANSPORTS) {
      const g = await session(V2, url, tr, {});
      L.assertEq(g.id, g.engineId, 'SIO-FNS-5: the socket id of / is the Engine.IO sid');
      L.assert(/^\/custom#/.test(g.customId), 'SIO-FNS-5: nsp#sid: ' + g.customId);
      L.assertEq(g.back, BACK, 'CT-13 binary round trip');
      L.assertEq(g.ack, [1, 'hex:09'], 'CT-14 ack');
      L.assertEq(g.refused, 'Invalid namespace', 'SIO-FNS-4: a string');
      L.assertEq([g.alive, g.transport], [true, tr[tr.length - 1]], 'EIO-THB: alive on ' + tr);
    }
    await L.stopServer(srv);
  }],
  ['--parser msgpack: socket.io-client 4.8.4 + socket.io-msgpack-parser 3.0.2', async () => {
    const srv = await L.startServer(BIN, ['--parser', 'msgpack', ...TIMING]);
    const url = `http://127.0.0.1:${srv.port}`;
    for (const tr of TRANSPORTS) {
      const g = await session(V4, url, tr, { parser: msgpack });
      L.assert(typeof g.id === 'string' && g.id.length === 20, 'sid from the CONNECT answer');
      L.assert(typeof g.customId === 'string', '/custom');
      L.assertEq(g.back, BACK, 'CT-13 binary round trip (bin inline, SIO-MP-14)');
      L.assertEq(g.ack, [1, 'hex:09'], 'CT-14 ack');
      L.assertEq(g.refused, 'Invalid namespace', 'CT-17');
      L.assertEq([g.alive, g.transport], [true, tr[tr.length - 1]], 'alive on ' + tr);
    }
    await L.stopServer(srv);
  }],
]);
