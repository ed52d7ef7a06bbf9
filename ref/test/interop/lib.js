// Shared helpers for the interop tests: start sioref on a free port, stop it by PID,
// and small promise utilities. sioref is started with an optional wrapper command
// (SIOREF_WRAPPER, e.g. valgrind) so the same scripts run under memory checkers.
'use strict';
const { spawn } = require('child_process');
const http = require('http');

function startServer(bin, args = []) {
  const wrapper = (process.env.SIOREF_WRAPPER || '').split(' ').filter(Boolean);
  const argv = [...wrapper, bin, '--port', '0', ...args];
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  // never leave a server behind, whatever happens to this script
  process.on('exit', () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  // ... also when this script is stopped by a signal (e.g. `timeout`): Node then exits
  // without 'exit' handlers. The server gets SIGTERM and 1 s, then SIGKILL (on 'exit').
  for (const [sig, num] of [['SIGTERM', 15], ['SIGINT', 2]]) {
    process.once(sig, () => {
      const bye = () => process.exit(128 + num);
      if (proc.exitCode !== null || proc.signalCode !== null) return bye();
      proc.once('exit', bye);
      setTimeout(bye, 1000).unref();
      proc.kill('SIGTERM');
    });
  }
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; if (process.env.SIOREF_SHOW_STDERR) process.stderr.write(d); });
  const slow = wrapper.length ? 30000 : 5000;
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('no listening line; stderr: ' + stderr)); }, slow);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc, port: Number(m[1]), stderr: () => stderr }); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error('sioref exited early: ' + code + ' ' + stderr)); });
  });
}

// SIGTERM the server (by PID) and require exit status 0 within the contract's 2 s
// (longer under a wrapper).
function stopServer(srv) {
  const slow = (process.env.SIOREF_WRAPPER || '') ? 30000 : 2000;
  return new Promise((resolve, reject) => {
    if (srv.proc.exitCode !== null) return reject(new Error('server already exited: ' + srv.proc.exitCode));
    srv.proc.removeAllListeners('exit');
    const timer = setTimeout(() => { srv.proc.kill('SIGKILL'); reject(new Error('server did not stop in time')); }, slow);
    srv.proc.on('exit', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`server exit code ${code} signal ${sig}; stderr:\n${srv.stderr()}`));
    });
    process.kill(srv.proc.pid, 'SIGTERM');
  });
}

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error('timeout: ' + what)), ms); })])
    .finally(() => clearTimeout(t));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A raw HTTP request (no agent, no keep-alive): resolves {status, headers, body}.
function request(port, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

// Run named async cases in order; print one line each; exit 1 on any failure.
async function runCases(cases) {
  let failed = 0;
  for (const [name, fn] of cases) {
    const t0 = Date.now();
    try {
      await fn();
      console.log(`PASS ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`${cases.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }
function assertEq(a, b, msg) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${msg}: got ${sa}, want ${sb}`);
}

module.exports = { startServer, stopServer, withTimeout, sleep, request, runCases, assert, assertEq };
