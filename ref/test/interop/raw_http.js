// Raw HTTP/1.1 over one TCP connection, for the interop tests that must control the
// bytes (Connection: close, half-close, pipelining): Node's http client would hide them.
'use strict';
const net = require('net');

const SLOW = process.env.SIOREF_WRAPPER ? 10 : 1;

// One raw connection to PORT: write TEXT in one write (then shut down the write side
// when HALF), collect what comes back until the server closes or MS pass (stretched
// under a wrapper such as valgrind). Resolves {data, eof, ms}.
function raw(port, text, { half = false, ms = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const end = (eof) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data, eof, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => end(false), ms * SLOW);
    s.setEncoding('latin1');
    s.on('connect', () => (half ? s.end(text) : s.write(text)));
    s.on('data', (d) => { data += d; });
    s.on('end', () => end(true));
    s.on('close', () => end(true));
    s.on('error', (e) => (done ? null : reject(e)));
  });
}

// The heads and bodies of the HTTP/1.1 responses in DATA (Content-Length bodies only).
function responses(data) {
  const out = [];
  let rest = data;
  while (rest.length) {
    const i = rest.indexOf('\r\n\r\n');
    if (i < 0) break;
    const lines = rest.slice(0, i).split('\r\n');
    const headers = {};
    for (const l of lines.slice(1)) {
      const k = l.indexOf(':');
      headers[l.slice(0, k).trim().toLowerCase()] = l.slice(k + 1).trim();
    }
    const n = Number(headers['content-length'] || 0);
    out.push({ status: Number(lines[0].split(' ')[1]), headers, body: rest.slice(i + 4, i + 4 + n) });
    rest = rest.slice(i + 4 + n);
  }
  return out;
}

const get = (target, extra = '') => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
const post = (target, body, extra = '') =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

module.exports = { SLOW, raw, responses, get, post };
