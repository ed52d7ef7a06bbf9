#!/usr/bin/env node
// Wire-level probe of a contract server against every server expectation of the official
// Engine.IO v4 (25 titles) and Socket.IO v5 (32 titles) test suites, re-expressed in our
// own code with raw HTTP requests and the `ws` WebSocket client (no mocha/chai needed).
// It is a cross-check for subjects and for sioconform's own cases, not a replacement:
// like the official suites it uses the contract's default timings (300/200 ms).
//
// Usage: node conformance/subjects/official-probe.js http://127.0.0.1:PORT [--only SUBSTRING]
// Prints one line per official title ("ok" / "FAIL reason") and a summary; exit 0 all
// passed, 1 some failed, 2 usage error. Per-title time limits follow the official suites
// (2 s, 5 s for heartbeat titles).
//
// The clients behave as the suites' clients do, so that what breaks them breaks the probe:
// HTTP requests go through Node's default global agent (keep-alive in Node 20) with the
// "Connection: close" header that node-fetch 3 adds when it is given no agent (a server
// that closes without saying so makes the next request on the kept socket fail), and a
// `ws` client gets an error listener only where the suites give it one (elsewhere an
// error, e.g. a refusal before the 101, is thrown: it fails the running title, as an
// uncaught exception fails the running test under mocha).
"use strict";

const path = require("path");
const http = require("http");

const NODE_MODULES =
  process.env.SIOCONFORM_NODE_MODULES || path.join(__dirname, "..", "..", "ci", "node", "node_modules");
const WebSocket = require(path.join(NODE_MODULES, "ws"));

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
// The two places where the probe is more lenient than upstream: the ping-timeout title
// waits RACE_MARGIN_MS longer, and a cancelled request is cancelled a few ms after it has
// been written, not after it was started (see request()).
const RACE_MARGIN_MS = 50;

const argv = process.argv.slice(2);
let base = null;
let only = null;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--only" && i + 1 < argv.length) only = argv[++i];
  else if (!base && /^http:\/\//.test(argv[i])) base = argv[i].replace(/\/+$/, "");
  else {
    process.stderr.write("usage: node official-probe.js http://127.0.0.1:PORT [--only SUBSTRING]\n");
    process.exit(2);
  }
}
if (!base) {
  process.stderr.write("usage: node official-probe.js http://127.0.0.1:PORT [--only SUBSTRING]\n");
  process.exit(2);
}
const wsBase = base.replace(/^http/, "ws");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One HTTP request; resolves {status, body}; rejects on a network error. `abortAfter`
// destroys the request after that many ms (the cancelled-poll title).
function request(method, p, body, abortAfter) {
  return new Promise((resolve, reject) => {
    const headers = { accept: "*/*", connection: "close" }; // as node-fetch 3 sends them
    const req = http.request(base + p, { method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(10000, () => req.destroy(new Error("request timeout")));
    // Upstream aborts 5 ms after starting the fetch; on a busy machine the request has
    // then not always left the client (a new connection is still being made), the
    // server never sees it and the title fails whatever the server does. The clock
    // starts when the request is written instead, so the server is tested.
    if (abortAfter !== undefined)
      req.on("finish", () => setTimeout(() => req.destroy(new Error("aborted")), abortAfter));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
const get = (p, abortAfter) => request("GET", p, undefined, abortAfter);
const post = (p, body) => request("POST", p, body);

// A WebSocket whose open/close/message events are queued, like the official helper.
// IGNORE_ERRORS: add the error listener that the suites add to their refusal titles.
function ws(url, ignoreErrors = false) {
  const s = new WebSocket(url);
  s.buf = { open: [], close: [], message: [] };
  s.waiting = { open: [], close: [], message: [] };
  const push = (type, ev) => (s.waiting[type].length ? s.waiting[type].shift()(ev) : s.buf[type].push(ev));
  s.on("open", () => push("open", {}));
  s.on("close", (code) => push("close", { code }));
  s.on("message", (data, isBinary) => push("message", { data: isBinary ? Buffer.from(data) : data.toString("utf8") }));
  if (ignoreErrors) s.on("error", () => {});
  opened.push(s);
  return s;
}
function waitFor(s, type) {
  if (s.buf[type].length) return Promise.resolve(s.buf[type].shift());
  return new Promise((r) => s.waiting[type].push(r));
}
async function waitForPackets(s, count) {
  const out = [];
  while (out.length < count) {
    const { data } = await waitFor(s, "message");
    if (data !== "2") out.push(data);
  }
  return out;
}
const opened = [];
const notes = []; // remarks printed after a title's result

function eq(got, want, what) {
  const g = Buffer.isBuffer(got) ? "<bin " + got.toString("hex") + ">" : JSON.stringify(got);
  const w = Buffer.isBuffer(want) ? "<bin " + want.toString("hex") + ">" : JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}
function oneOf(got, list, what) {
  if (!list.includes(got)) throw new Error(`${what}: got ${JSON.stringify(got)}, want one of ${JSON.stringify(list)}`);
}

function checkOpen(content, upgrades) {
  if (typeof content !== "string" || content[0] !== "0") throw new Error("not an open packet: " + content);
  const v = JSON.parse(content.substring(1));
  eq(Object.keys(v).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"], "open keys");
  if (typeof v.sid !== "string") throw new Error("sid is not a string");
  eq(v.upgrades, upgrades, "upgrades");
  eq(v.pingInterval, PING_INTERVAL, "pingInterval");
  eq(v.pingTimeout, PING_TIMEOUT, "pingTimeout");
  eq(v.maxPayload, 1000000, "maxPayload");
}

const tests = [];
const it = (suite, title, fn, ms = 2000) => tests.push({ suite, title, fn, ms });

// The Engine.IO part; `P` is the path, `suite` the report prefix, `sio` true for the copy
// inside the Socket.IO suite (which words titles with "should" and checks less on upgrade).
function engineTitles(suite, P, sio) {
  const T = (plain, should) => (sio ? should : plain);
  const init = async () => JSON.parse((await get(`${P}?EIO=4&transport=polling`)).body.substring(1)).sid;
  const q = (sid) => `${P}?EIO=4&transport=polling&sid=${sid}`;

  it(suite, T("successfully opens a session", "should successfully open a session") + " [polling]", async () => {
    const r = await get(`${P}?EIO=4&transport=polling`);
    eq(r.status, 200, "status");
    checkOpen(r.body, ["websocket"]);
  });
  it(suite, T("fails with an invalid 'EIO' query parameter", "should fail with an invalid 'EIO' query parameter") + " [polling]", async () => {
    eq((await get(`${P}?transport=polling`)).status, 400, "status without EIO");
    eq((await get(`${P}?EIO=abc&transport=polling`)).status, 400, "status EIO=abc");
  });
  it(suite, T("fails with an invalid 'transport' query parameter", "should fail with an invalid 'transport' query parameter") + " [polling]", async () => {
    eq((await get(`${P}?EIO=4`)).status, 400, "status without transport");
    eq((await get(`${P}?EIO=4&transport=abc`)).status, 400, "status transport=abc");
  });
  it(suite, T("fails with an invalid request method", "should fail with an invalid request method") + " [polling]", async () => {
    eq((await request("POST", `${P}?EIO=4&transport=polling`)).status, 400, "status POST without sid");
    eq((await request("PUT", `${P}?EIO=4&transport=polling`)).status, 400, "status PUT");
  });
  it(suite, T("successfully opens a session", "should successfully open a session") + " [websocket]", async () => {
    const s = ws(`${wsBase}${P}?EIO=4&transport=websocket`);
    checkOpen((await waitFor(s, "message")).data, []);
  });
  it(suite, T("fails with an invalid 'EIO' query parameter", "should fail with an invalid 'EIO' query parameter") + " [websocket]", async () => {
    await waitFor(ws(`${wsBase}${P}?transport=websocket`, true), "close");
    await waitFor(ws(`${wsBase}${P}?EIO=abc&transport=websocket`, true), "close");
  });
  it(suite, T("fails with an invalid 'transport' query parameter", "should fail with an invalid 'transport' query parameter") + " [websocket]", async () => {
    await waitFor(ws(`${wsBase}${P}?EIO=4`, true), "close");
    await waitFor(ws(`${wsBase}${P}?EIO=4&transport=abc`, true), "close");
  });

  if (!sio) {
    it(suite, "sends and receives a payload containing one plain text packet [polling]", async () => {
      const sid = await init();
      const r = await post(q(sid), "4hello");
      eq(r.status, 200, "POST status");
      eq(r.body, "ok", "POST body");
      const g = await get(q(sid));
      eq(g.status, 200, "GET status");
      eq(g.body, "4hello", "GET body");
    });
    it(suite, "sends and receives a payload containing several plain text packets [polling]", async () => {
      const sid = await init();
      const r = await post(q(sid), "4test1\x1e4test2\x1e4test3");
      eq(r.status, 200, "POST status");
      eq(r.body, "ok", "POST body");
      const g = await get(q(sid));
      eq(g.status, 200, "GET status");
      eq(g.body, "4test1\x1e4test2\x1e4test3", "GET body");
    });
    it(suite, "sends and receives a payload containing plain text and binary packets [polling]", async () => {
      const sid = await init();
      const r = await post(q(sid), "4hello\x1ebAQIDBA==");
      eq(r.status, 200, "POST status");
      eq(r.body, "ok", "POST body");
      const g = await get(q(sid));
      eq(g.status, 200, "GET status");
      eq(g.body, "4hello\x1ebAQIDBA==", "GET body");
    });
    it(suite, "closes the session upon invalid packet format [polling]", async () => {
      const sid = await init();
      let status = null;
      try {
        status = (await post(q(sid), "abc")).status;
      } catch (e) {
        /* the official suite also accepts a connection closed abnormally here */
      }
      // The official suite asserts 400 here, but inside a try whose catch swallows the
      // failed assertion too, so in effect only the GET below is checked. Same here.
      if (status !== null && status !== 400) notes.push("POST status " + status + " (official: 400, unchecked)");
      eq((await get(q(sid))).status, 400, "GET status after");
    });
    it(suite, "closes the session upon duplicate poll requests [polling]", async () => {
      const sid = await init();
      const [r1, r2] = await Promise.all([get(q(sid)), sleep(5).then(() => get(q(sid) + "&t=burst"))]);
      eq(r1.status, 200, "first GET status");
      eq(r1.body, "1", "first GET body");
      oneOf(r2.status, [400, 500], "second GET status");
      eq((await get(q(sid))).status, 400, "GET status after");
    });
    it(suite, "closes the session upon cancelled polling request [polling]", async () => {
      const sid = await init();
      await get(q(sid), 5).catch(() => {}); // settles when it is aborted
      await sleep(5);
      eq((await get(q(sid))).status, 400, "GET status after abort");
    });
    it(suite, "sends and receives a plain text packet [websocket]", async () => {
      const s = ws(`${wsBase}${P}?EIO=4&transport=websocket`);
      await waitFor(s, "open");
      await waitFor(s, "message");
      s.send("4hello");
      eq((await waitFor(s, "message")).data, "4hello", "echo");
    });
    it(suite, "sends and receives a binary packet [websocket]", async () => {
      const s = ws(`${wsBase}${P}?EIO=4&transport=websocket`);
      await waitFor(s, "message");
      s.send(Buffer.from([1, 2, 3, 4]));
      eq((await waitFor(s, "message")).data, Buffer.from([1, 2, 3, 4]), "echo");
    });
    it(suite, "closes the session upon invalid packet format [websocket]", async () => {
      const s = ws(`${wsBase}${P}?EIO=4&transport=websocket`);
      await waitFor(s, "message");
      s.send("abc");
      await waitFor(s, "close");
    });
  }

  it(suite, T("sends ping/pong packets", "should send ping/pong packets") + " [polling]", async () => {
    const sid = await init();
    for (let i = 0; i < 3; i++) {
      const g = await get(q(sid));
      eq(g.status, 200, "GET status");
      eq(g.body, "2", "GET body");
      eq((await post(q(sid), "3")).status, 200, "POST status");
    }
  }, 5000);
  it(suite, T("closes the session upon ping timeout", "should close the session upon ping timeout") + " [polling]", async () => {
    const sid = await init();
    // The official title sleeps exactly pingInterval + pingTimeout, which races the
    // server's own timer (the official Node server fails it now and then); 50 ms margin.
    await sleep(PING_INTERVAL + PING_TIMEOUT + RACE_MARGIN_MS);
    eq((await get(q(sid))).status, 400, "GET status");
  }, 5000);
  it(suite, T("sends ping/pong packets", "should send ping/pong packets") + " [websocket]", async () => {
    const s = ws(`${wsBase}${P}?EIO=4&transport=websocket`);
    await waitFor(s, "message");
    for (let i = 0; i < 3; i++) {
      eq((await waitFor(s, "message")).data, "2", "ping");
      s.send("3");
    }
  }, 5000);
  it(suite, T("closes the session upon ping timeout", "should close the session upon ping timeout") + " [websocket]", async () => {
    await waitFor(ws(`${wsBase}${P}?EIO=4&transport=websocket`), "close");
  }, 5000);

  it(suite, T("forcefully closes the session", "should forcefully close the session") + " [polling]", async () => {
    const sid = await init();
    const [g] = await Promise.all([get(q(sid)), post(q(sid), "1")]);
    eq(g.status, 200, "GET status");
    eq(g.body, "6", "GET body");
    eq((await get(q(sid))).status, 400, "GET status after");
  });
  it(suite, T("forcefully closes the session", "should forcefully close the session") + " [websocket]", async () => {
    const s = ws(`${wsBase}${P}?EIO=4&transport=websocket`);
    await waitFor(s, "message");
    s.send("1");
    await waitFor(s, "close");
  });

  const upgraded = async () => {
    const sid = await init();
    const s = ws(`${wsBase}${P}?EIO=4&transport=websocket&sid=${sid}`);
    await waitFor(s, "open");
    s.send("2probe");
    eq((await waitFor(s, "message")).data, "3probe", "probe answer");
    return { sid, s };
  };
  it(suite, T("successfully upgrades from HTTP long-polling to WebSocket", "should successfully upgrade from HTTP long-polling to WebSocket"), async () => {
    const { sid, s } = await upgraded();
    if (!sio) {
      const g = await get(q(sid));
      eq(g.status, 200, "GET status during upgrade");
      eq(g.body, "6", "GET body during upgrade");
    }
    s.send("5");
    if (!sio) {
      s.send("4hello");
      eq((await waitFor(s, "message")).data, "4hello", "echo after upgrade");
    }
  });
  it(suite, T("ignores HTTP requests with same sid after upgrade", "should ignore HTTP requests with same sid after upgrade"), async () => {
    const { sid, s } = await upgraded();
    s.send("5");
    eq((await get(q(sid))).status, 400, "GET status after upgrade");
    if (!sio) {
      s.send("4hello");
      eq((await waitFor(s, "message")).data, "4hello", "echo after upgrade");
    }
  });
  it(suite, T("ignores WebSocket connection with same sid after upgrade", "should ignore WebSocket connection with same sid after upgrade"), async () => {
    const { sid, s } = await upgraded();
    s.send("5");
    await waitFor(ws(`${wsBase}${P}?EIO=4&transport=websocket&sid=${sid}`), "close");
    if (!sio) {
      s.send("4hello");
      eq((await waitFor(s, "message")).data, "4hello", "echo after upgrade");
    }
  });
}

engineTitles("eio4", "/engine.io/", false);
engineTitles("sio5", "/socket.io/", true);

// The Socket.IO part.
const S = "sio5";
const sioWs = () => {
  const s = ws(`${wsBase}/socket.io/?EIO=4&transport=websocket`);
  s.binaryType = "arraybuffer";
  return s;
};
async function initSio() {
  const s = sioWs();
  await waitFor(s, "message");
  s.send("40");
  await waitFor(s, "message");
  await waitFor(s, "message");
  return s;
}
function checkConnect(data, prefix) {
  if (typeof data !== "string" || !data.startsWith(prefix)) throw new Error("not a CONNECT " + prefix + ": " + data);
  const h = JSON.parse(data.substring(prefix.length));
  eq(Object.keys(h), ["sid"], "CONNECT keys");
  if (typeof h.sid !== "string") throw new Error("sid is not a string");
}
const connectCase = (title, send, prefix, auth) =>
  it(S, title, async () => {
    const s = sioWs();
    await waitFor(s, "message");
    s.send(send);
    checkConnect((await waitFor(s, "message")).data, prefix);
    eq((await waitFor(s, "message")).data, auth, "auth packet");
  });
connectCase("should allow connection to the main namespace", "40", "40", '42["auth",{}]');
connectCase("should allow connection to the main namespace with a payload", '40{"token":"123"}', "40", '42["auth",{"token":"123"}]');
connectCase("should allow connection to a custom namespace", "40/custom,", "40/custom,", '42/custom,["auth",{}]');
connectCase("should allow connection to a custom namespace with a payload", '40/custom,{"token":"abc"}', "40/custom,", '42/custom,["auth",{"token":"abc"}]');
it(S, "should disallow connection to an unknown namespace", async () => {
  const s = sioWs();
  await waitFor(s, "message");
  s.send("40/random");
  eq((await waitFor(s, "message")).data, '44/random,{"message":"Invalid namespace"}', "CONNECT_ERROR");
});
it(S, "should disallow connection with an invalid handshake", async () => {
  const s = sioWs();
  await waitFor(s, "message");
  s.send("4abc");
  await waitFor(s, "close");
});
it(S, "should close the connection if no handshake is received", async () => {
  await waitFor(sioWs(), "close");
});
it(S, "should disconnect from the main namespace", async () => {
  const s = await initSio();
  s.send("41");
  eq((await waitFor(s, "message")).data, "2", "next packet (a ping)");
});
it(S, "should connect then disconnect from a custom namespace", async () => {
  const s = await initSio();
  await waitFor(s, "message"); // ping
  s.send("40/custom");
  await waitFor(s, "message");
  await waitFor(s, "message");
  s.send("41/custom");
  s.send('42["message","message to main namespace"]');
  eq((await waitFor(s, "message")).data, '42["message-back","message to main namespace"]', "message-back");
});
it(S, "should send a plain-text packet", async () => {
  const s = await initSio();
  s.send('42["message",1,"2",{"3":[true]}]');
  eq((await waitFor(s, "message")).data, '42["message-back",1,"2",{"3":[true]}]', "message-back");
});
it(S, "should send a packet with binary attachments", async () => {
  const s = await initSio();
  s.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
  s.send(Buffer.from([1, 2, 3]));
  s.send(Buffer.from([4, 5, 6]));
  const p = await waitForPackets(s, 3);
  eq(p[0], '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', "header");
  eq(p[1], Buffer.from([1, 2, 3]), "attachment 0");
  eq(p[2], Buffer.from([4, 5, 6]), "attachment 1");
});
it(S, "should send a plain-text packet with an ack", async () => {
  const s = await initSio();
  s.send('42456["message-with-ack",1,"2",{"3":[false]}]');
  eq((await waitFor(s, "message")).data, '43456[1,"2",{"3":[false]}]', "ack");
});
it(S, "should send a packet with binary attachments and an ack", async () => {
  const s = await initSio();
  s.send('452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
  s.send(Buffer.from([1, 2, 3]));
  s.send(Buffer.from([4, 5, 6]));
  const p = await waitForPackets(s, 3);
  eq(p[0], '462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', "header");
  eq(p[1], Buffer.from([1, 2, 3]), "attachment 0");
  eq(p[2], Buffer.from([4, 5, 6]), "attachment 1");
});
for (const [what, frame] of [
  ["unknown packet type", "4abc"],
  ["invalid payload format", "42{}"],
  ["invalid ack id", '42abc["message-with-ack",1,"2",{"3":[false]}]'],
]) {
  it(S, `should close the connection upon invalid format (${what})`, async () => {
    const s = await initSio();
    s.send(frame);
    await waitFor(s, "close");
  });
}

// An exception nobody catches (an unhandled `ws` or socket error) fails the running
// title, as mocha does; between titles it is reported and fails the run.
let failCurrent = null;
let strayErrors = 0;
process.on("uncaughtException", (e) => {
  if (failCurrent) failCurrent(new Error("uncaught: " + e.message));
  else {
    strayErrors++;
    console.log("FAIL uncaught error between titles: " + e.message);
  }
});

(async () => {
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    const id = `${t.suite}: ${t.title}`;
    if (only && !id.includes(only)) continue;
    let timer;
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, j) => {
          failCurrent = j;
          timer = setTimeout(() => j(new Error(`timeout after ${t.ms} ms`)), t.ms);
        }),
      ]);
      console.log("ok   " + id + (notes.length ? "  [note: " + notes.join("; ") + "]" : ""));
      passed++;
    } catch (e) {
      console.log("FAIL " + id + ": " + e.message + (notes.length ? "  [note: " + notes.join("; ") + "]" : ""));
      failed++;
    } finally {
      failCurrent = null;
      clearTimeout(timer);
      notes.length = 0;
      for (const s of opened.splice(0)) {
        try {
          s.terminate();
        } catch (e) {
          /* gone */
        }
      }
    }
  }
  failed += strayErrors;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : passed ? 0 : 2);
})();
