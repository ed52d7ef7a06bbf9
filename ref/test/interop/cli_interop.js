// sioref command line: defaults, flags reaching the open packet, --path, --verbose,
// usage errors (exit 2, one line), --help, SIGINT. Usage: node cli_interop.js SIOREF
'use strict';
const { spawnSync, spawn } = require('child_process');
const L = require('./lib');

const BIN = process.argv[2];

function run(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 5000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function openPacket(port, path = '/engine.io/') {
  const r = await L.request(port, 'GET', `${path}?EIO=4&transport=polling`);
  L.assertEq(r.status, 200, 'handshake on ' + path);
  return JSON.parse(r.body.slice(1));
}

const BAD = [
  ['--bogus'], ['--port', 'abc'], ['--port', '70000'], ['--port'], ['--ping-interval', '0'],
  ['--ping-timeout', '-1'], ['--max-payload', 'x'], ['--connect-timeout', ''], ['--verbose=1'],
  ['positional'], ['--path', 'no-slash'], ['--path', '/engine.io/'], ['--cors-origin'],
  ['--max-sessions', '-1'], ['--allow-eio3=1'], ['--parser', 'xml'], ['--parser'],
  ['--parser', 'msgpack', '--allow-eio3'],
];

L.runCases([
  ['--help prints usage and exits 0', async () => {
    const r = run(['--help']);
    L.assertEq(r.code, 0, 'exit');
    L.assert(/usage: sioref/.test(r.out) && /--cors-origin/.test(r.out), 'usage text');
  }],
  ['bad flags: one line on stderr, exit 2, nothing on stdout', async () => {
    for (const args of BAD) {
      const r = run(args);
      L.assertEq([r.code, r.out], [2, ''], args.join(' '));
      L.assert(/^sioref: .+\n$/.test(r.err), `one line for ${args.join(' ')}: ${JSON.stringify(r.err)}`);
    }
  }],
  ['--allow-eio3: EIO=3 opens a v3 session (length-prefixed open packet, then 40); without it, code 5', async () => {
    let srv = await L.startServer(BIN, ['--allow-eio3']);
    let r = await L.request(srv.port, 'GET', '/socket.io/?EIO=3&transport=polling');
    L.assertEq(r.status, 200, 'v3 handshake');
    L.assert(/^\d+:0\{"sid":/.test(r.body) && r.body.includes('2:40'), 'v3 body: ' + r.body);
    await L.stopServer(srv);
    srv = await L.startServer(BIN, []);
    r = await L.request(srv.port, 'GET', '/socket.io/?EIO=3&transport=polling');
    L.assertEq([r.status, JSON.parse(r.body).code], [400, 5], 'v3 refused');
    await L.stopServer(srv);
  }],
  ['defaults are the official server\'s', async () => {
    const srv = await L.startServer(BIN, []);
    const o = await openPacket(srv.port);
    L.assertEq([o.pingInterval, o.pingTimeout, o.maxPayload, o.upgrades], [25000, 20000, 1000000, ['websocket']], 'open packet');
    await openPacket(srv.port, '/socket.io/');
    await L.stopServer(srv);
  }],
  ['flags reach the open packet; --path moves the Socket.IO path', async () => {
    const srv = await L.startServer(BIN, ['--ping-interval=1234', '--ping-timeout', '567', '--max-payload', '4321', '--path', '/custom-io/']);
    const o = await openPacket(srv.port);
    L.assertEq([o.pingInterval, o.pingTimeout, o.maxPayload], [1234, 567, 4321], 'open packet');
    await openPacket(srv.port, '/custom-io/');
    L.assertEq((await L.request(srv.port, 'GET', '/socket.io/?EIO=4&transport=polling')).status, 404, 'old path');
    await L.stopServer(srv);
  }],
  ['exactly one stdout line; --verbose logs connection events to stderr; SIGINT exits 0', async () => {
    const proc = spawn(BIN, ['--port', '0', '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { err += d; });
    const port = await L.withTimeout(new Promise((res) => {
      const t = setInterval(() => { const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)\n$/.exec(out); if (m) { clearInterval(t); res(Number(m[1])); } }, 10);
    }), 5000, 'listening line');
    const o = await openPacket(port);
    await L.request(port, 'POST', `/engine.io/?EIO=4&transport=polling&sid=${o.sid}`, '1');
    await L.sleep(100);
    L.assert(err.includes(o.sid), 'verbose names the session: ' + err);
    const code = await L.withTimeout(new Promise((res) => { proc.on('exit', (c) => res(c)); process.kill(proc.pid, 'SIGINT'); }), 2000, 'SIGINT');
    L.assertEq(code, 0, 'exit status');
    L.assertEq(out.split('\n').length, 2, 'one stdout line');
  }],
  ['--max-sessions bounds the sessions: 403 past it', async () => {
    const srv = await L.startServer(BIN, ['--max-sessions', '1']);
    await openPacket(srv.port);
    const r = await L.request(srv.port, 'GET', '/engine.io/?EIO=4&transport=polling');
    L.assertEq([r.status, JSON.parse(r.body)], [403, { code: 4, message: 'Forbidden' }], 'refused');
    await L.stopServer(srv);
  }],
  ['a port in use is a clear error', async () => {
    const srv = await L.startServer(BIN, []);
    const r = run(['--port', String(srv.port)]);
    L.assert(r.code !== 0 && /sioref: /.test(r.err), 'refused: ' + r.code + ' ' + r.err);
    await L.stopServer(srv);
  }],
]);
