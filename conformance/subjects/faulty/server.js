#!/usr/bin/env node
// Conformance subject with one deliberate fault: the official Node subject
// (../node/server.js, contract CT-1..CT-42) with a single protocol rule broken, chosen by
// --fault NAME, so that the harness can be shown to catch it (a harness that passes a
// faulty subject has a case that cannot fail).
//
// Usage: node conformance/subjects/faulty/server.js --fault NAME [node subject flags]
//
// Every fault is injected at a boundary (an option, the open packet, the polling
// transport's send, the Socket.IO encoder, the room adapter), never by editing the
// libraries. What each fault breaks, and which spec rules it violates:
//
//   none                     no fault; behaves exactly like ../node/server.js.
//   wrong-ping-interval      the open packet announces the configured pingInterval, but
//                            the engine really pings every 3 x pingInterval, so no ping
//                            arrives within pingInterval + pingTimeout.
//                            Breaks: heartbeat pace cases (EIO heartbeat rules).
//   no-noop-during-upgrade   a polling GET that is parked (or arrives) after a WebSocket
//                            probe was answered is never released with NOOP ("6"); it
//                            stays open until the upgrade completes or the poll ends.
//                            Breaks: the upgrade case that polls after "3probe".
//   ack-id-dropped           ACK / BINARY_ACK packets are encoded without their ack id
//                            ("43[...]" instead of "43456[...]").
//                            Breaks: message-with-ack cases, extensions discovery,
//                            join/leave acks.
//   room-leak                a broadcast to one or more rooms goes to every socket of
//                            the namespace (minus the excluded ones), members or not.
//                            Breaks: rooms cases (CT-34, CT-35: non-members must get
//                            nothing).
//   no-connect-error         a CONNECT to an unknown namespace gets no answer at all
//                            (the CONNECT_ERROR {"message":"Invalid namespace"} is
//                            dropped). Breaks: the unknown-namespace case (CT-17).
//   oversized-body-accepted  the engine accepts bodies and WebSocket messages up to
//                            16 x maxPayload while announcing the configured maxPayload,
//                            so a POST over maxPayload is answered 200 "ok".
//                            Breaks: the maxPayload cases (polling and WebSocket).
//   truncate-large-body      every received MESSAGE longer than 32 KiB (characters for
//                            text, bytes for binary) is cut to its first 32 KiB before
//                            the application sees it; the POST is still answered 200
//                            "ok" and a WebSocket stays open, so only the content shows
//                            it. Breaks: the large-payload echo cases from 64 KB up
//                            (EIO-TR-8, EIO-TR-15, CT-10, CT-13); 1 KB still passes.
//   ignore-connection-close  a request's Connection: close is ignored: the response does
//                            not announce it and the connection stays open (until
//                            Node's 5 s keep-alive timeout), as sioref did at df60cb8.
//                            Breaks: the Connection: close cases and floods (EIO-HTTP-1,
//                            EIO-HTTP-2; RFC 9112 9.6).
//   close-unannounced        every connection is ended right after its response without
//                            a Connection: close in it, so a client reusing the
//                            persistent connection gets no answer.
//                            Breaks: the keep-alive cases (EIO-HTTP-3, EIO-HTTP-4; RFC 9112
//                            9.3: an HTTP/1.1 connection persists unless "close" is sent).
//   ignore-client-fin        once a client half-closes its connection, the server never
//                            ends its side (the socket stays in CLOSE-WAIT).
//                            Breaks: the half-close case (EIO-HTTP-5; RFC 9112 9.5).
//   slow-after-burst         after 300 TCP connections the HTTP server holds every POST
//                            of more than 1000 bytes for 1.5 s before handling it (a
//                            server that a burst of short connections has slowed down;
//                            the burst's own GETs and 1-byte pongs are left alone).
//                            Breaks: the latency-after-flood case over polling (EIO-HTTP-6).
//   The compression faults (spec/engine.io-v4.md section 13). The deflate-* ones turn on
//   perMessageDeflate (off in the official default, so the correct subject SKIPs these
//   cases) and break one rule of RFC 7692 through ws' own classes:
//   deflate-bad-answer       the Sec-WebSocket-Extensions answer carries a parameter RFC
//                            7692 does not define ("x_bogus"). Breaks: EIO-CMP-2.
//   deflate-context-kept     the answer grants server_no_context_takeover, but the server
//                            keeps its compression context between messages.
//                            Breaks: eio.compress.ws.no-context-takeover (EIO-CMP-3).
//   deflate-bad-data-kept    a message that does not inflate is taken as "4ignored"
//                            instead of failing the connection. Breaks: EIO-CMP-6.
//   deflate-rsv1-accepted    a frame with RSV1 on a connection without the extension is
//                            inflated anyway. Breaks: EIO-CMP-6.
//   deflate-no-max-payload   inflated messages are not bounded by maxPayload.
//                            Breaks: EIO-CMP-7.
//   gzip-truncated           a coded polling body loses its last 4 bytes (a gzip stream
//                            without its length, a zlib one without its checksum).
//                            Breaks: EIO-CMP-9.
//   coding-unasked           polling bodies over 1 KB are sent in gzip even when the
//                            request has no Accept-Encoding. Breaks: EIO-CMP-10 (SHOULD:
//                            eio.compress.http.not-asked is NON-STRICT).
"use strict";

const path = require("path");
const base = require(path.join(__dirname, "..", "node", "server.js"));

const FAULTS = [
  "none",
  "wrong-ping-interval",
  "no-noop-during-upgrade",
  "ack-id-dropped",
  "room-leak",
  "no-connect-error",
  "oversized-body-accepted",
  "truncate-large-body",
  "ignore-connection-close",
  "close-unannounced",
  "ignore-client-fin",
  "slow-after-burst",
  "deflate-bad-answer",
  "deflate-context-kept",
  "deflate-bad-data-kept",
  "deflate-rsv1-accepted",
  "deflate-no-max-payload",
  "gzip-truncated",
  "coding-unasked",
];

// ws' permessage-deflate class and receiver, as engine.io uses them.
function wsLib(name) {
  return require(path.join(base.NODE_MODULES, "ws", "lib", name));
}

// The deflate-* faults: perMessageDeflate on (the official default is off), then one
// rule broken by patching a method of ws' PerMessageDeflate or Receiver.
function patchDeflate(fault) {
  const PMD = wsLib("permessage-deflate.js");
  const P = PMD.prototype;
  if (fault === "deflate-bad-answer") {
    const accept = P.accept;
    P.accept = function (configurations) {
      const params = accept.call(this, configurations);
      params.x_bogus = true;
      return params;
    };
  } else if (fault === "deflate-context-kept") {
    const compress = P._compress;
    P._compress = function (data, fin, callback) {
      const keep = this.params.server_no_context_takeover;
      this.params.server_no_context_takeover = false; // the reset after a message is skipped
      compress.call(this, data, fin, (...args) => {
        this.params.server_no_context_takeover = keep;
        callback(...args);
      });
    };
  } else if (fault === "deflate-bad-data-kept") {
    const decompress = P.decompress;
    P.decompress = function (data, fin, callback) {
      decompress.call(this, data, fin, (err, out) =>
        err ? callback(null, Buffer.from("4ignored")) : callback(null, out)
      );
    };
  } else if (fault === "deflate-no-max-payload") {
    // ws bounds the inflated size twice: in the extension and in the receiver
    const decompress = P.decompress;
    P.decompress = function (data, fin, callback) {
      this._maxPayload = 0; // ws: 0 = no bound
      decompress.call(this, data, fin, callback);
    };
    const Receiver = wsLib("receiver.js");
    const rdecompress = Receiver.prototype.decompress;
    Receiver.prototype.decompress = function (data, cb) {
      this._maxPayload = 0;
      return rdecompress.call(this, data, cb);
    };
  } else if (fault === "deflate-rsv1-accepted") {
    const Receiver = wsLib("receiver.js");
    const getInfo = Receiver.prototype.getInfo;
    Receiver.prototype.getInfo = function (cb) {
      const name = PMD.extensionName;
      if (!this._extensions[name] && this._bufferedBytes >= 2 && this._buffers[0][0] & 0x40) {
        const lenient = new PMD({}, true, 0);
        lenient.accept([{}]);
        // the receiver's own copy: the sender (which shares the object) stays uncompressed
        this._extensions = Object.assign({}, this._extensions, { [name]: lenient });
      }
      return getInfo.call(this, cb);
    };
    return {};
  }
  return { engineOptions: (o) => Object.assign(o, { perMessageDeflate: { threshold: 1024 } }) };
}

// coding-unasked: a polling request without Accept-Encoding is answered as if it had
// sent "gzip".
function patchCodingUnasked() {
  const eioDir = path.join(base.NODE_MODULES, "engine.io", "build");
  const { Polling } = require(path.join(eioDir, "transports", "polling.js"));
  const doWrite = Polling.prototype.doWrite;
  Polling.prototype.doWrite = function (data, options, callback) {
    if (this.req && !this.req.headers["accept-encoding"]) this.req.headers["accept-encoding"] = "gzip";
    return doWrite.call(this, data, options, callback);
  };
}

// gzip-truncated: every coded polling body loses its last 4 bytes.
function patchGzipTruncated() {
  const eioDir = path.join(base.NODE_MODULES, "engine.io", "build");
  const { Polling } = require(path.join(eioDir, "transports", "polling.js"));
  const compress = Polling.prototype.compress;
  Polling.prototype.compress = function (data, encoding, callback) {
    compress.call(this, data, encoding, (err, out) => callback(err, out && out.subarray(0, out.length - 4)));
  };
}

const PING_SLOWDOWN = 3; // wrong-ping-interval: real pace = announced x 3
const PAYLOAD_SLACK = 16; // oversized-body-accepted: real limit = announced x 16
const TRUNCATE_AT = 32 * 1024; // truncate-large-body: longest message kept whole

// Cut every received message longer than TRUNCATE_AT at the boundary between the
// transports and the Engine.IO socket (both transports emit "packet" into onPacket,
// which each socket binds when it takes a transport, so the prototype patch covers
// polling, WebSocket and upgraded sessions).
function patchTruncate() {
  const { Socket } = require(path.join(base.NODE_MODULES, "engine.io", "build", "socket.js"));
  const orig = Socket.prototype.onPacket;
  Socket.prototype.onPacket = function (packet) {
    if (packet && packet.type === "message" && packet.data && packet.data.length > TRUNCATE_AT) {
      packet = Object.assign({}, packet, { data: packet.data.slice(0, TRUNCATE_AT) });
    }
    return orig.call(this, packet);
  };
}

// Rewrite fields of every Engine.IO open packet (both engines share the prototype).
function patchOpenPacket(announce) {
  const { Socket } = require(path.join(base.NODE_MODULES, "engine.io", "build", "socket.js"));
  const orig = Socket.prototype.sendPacket;
  Socket.prototype.sendPacket = function (type, data, ...rest) {
    if (type === "open" && typeof data === "string") {
      data = JSON.stringify(Object.assign(JSON.parse(data), announce));
    }
    return orig.call(this, type, data, ...rest);
  };
}

// Drop polling sends that consist only of NOOP packets while a WebSocket probe is in
// progress (engine.io sends exactly those, every 100 ms, to release a parked GET during
// an upgrade). The "upgrading" event marks the polling transport; NOOPs sent at other
// times (e.g. answering a parked GET when the client closes) are left alone.
function patchNoNoop() {
  const eioDir = path.join(base.NODE_MODULES, "engine.io", "build");
  const { Socket } = require(path.join(eioDir, "socket.js"));
  const { Polling } = require(path.join(eioDir, "transports", "polling.js"));
  const origMaybeUpgrade = Socket.prototype._maybeUpgrade || Socket.prototype.maybeUpgrade;
  const name = Socket.prototype._maybeUpgrade ? "_maybeUpgrade" : "maybeUpgrade";
  Socket.prototype[name] = function (...args) {
    this.once("upgrading", () => {
      if (this.transport) this.transport.ctProbing = true;
    });
    return origMaybeUpgrade.apply(this, args);
  };
  const origSend = Polling.prototype.send;
  Polling.prototype.send = function (packets) {
    if (this.ctProbing && packets.length && packets.every((p) => p.type === "noop")) return;
    return origSend.call(this, packets);
  };
}

// A socket.io-parser with a wrapped Encoder, passed to socket.io as its `parser` option.
function faultyParser(edit) {
  const parser = base.dep("socket.io-parser");
  class FaultyEncoder extends parser.Encoder {
    encode(obj) {
      const p = edit(obj);
      return p ? super.encode(p) : [];
    }
  }
  return Object.assign({}, parser, { Encoder: FaultyEncoder });
}

// An in-memory adapter that ignores the room filter of broadcasts.
function leakyAdapter() {
  const { Adapter } = base.dep("socket.io-adapter");
  return class LeakyAdapter extends Adapter {
    broadcast(packet, opts) {
      if (opts && opts.rooms && opts.rooms.size > 0) {
        opts = Object.assign({}, opts, { rooms: new Set() });
      }
      return super.broadcast(packet, opts);
    }
  };
}

// Treat every request as keep-alive at the HTTP server boundary: Node decides from
// res.shouldKeepAlive (set from the request's Connection header before "request" is
// emitted) whether to write Connection: close and to end the socket after the response.
function patchIgnoreConnectionClose() {
  const http = require("http");
  const origEmit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (ev, req, res, ...rest) {
    if (ev === "request" && res) res.shouldKeepAlive = true;
    return origEmit.call(this, ev, req, res, ...rest);
  };
}

// End each connection once its response is written, without announcing it.
function patchCloseUnannounced() {
  const http = require("http");
  const origEmit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (ev, req, res, ...rest) {
    if (ev === "request" && res) {
      const sock = req.socket;
      res.on("finish", () => sock.end());
    }
    return origEmit.call(this, ev, req, res, ...rest);
  };
}

// After the client's FIN, make the server socket's end() a no-op (Node's HTTP server
// ends its side on the client's FIN, or after the pending response).
function patchIgnoreClientFin() {
  const http = require("http");
  const origEmit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (ev, sock, ...rest) {
    if (ev === "connection" && sock) {
      sock.prependListener("end", () => {
        sock.end = () => sock;
        sock.destroySoon = () => {};
      });
    }
    return origEmit.call(this, ev, sock, ...rest);
  };
}

// Count connections; past the burst, delay each request's handling.
const BURST = 300;
const BURST_DELAY_MS = 1500;
function patchSlowAfterBurst() {
  const http = require("http");
  const origEmit = http.Server.prototype.emit;
  let conns = 0;
  http.Server.prototype.emit = function (ev, ...args) {
    if (ev === "connection") conns++;
    const big = ev === "request" && Number(args[0].headers["content-length"] || 0) > 1000;
    if (big && conns > BURST && args[0].method === "POST") {
      setTimeout(() => origEmit.call(this, ev, ...args), BURST_DELAY_MS);
      return true;
    }
    return origEmit.call(this, ev, ...args);
  };
}

function hooksFor(fault, opts) {
  const parser = base.dep("socket.io-parser");
  switch (fault) {
    case "none":
      return {};
    case "wrong-ping-interval":
      patchOpenPacket({ pingInterval: opts.pingInterval });
      return { engineOptions: (o) => Object.assign(o, { pingInterval: opts.pingInterval * PING_SLOWDOWN }) };
    case "no-noop-during-upgrade":
      patchNoNoop();
      return {};
    case "ack-id-dropped":
      return {
        sioOptions: (o) =>
          Object.assign(o, {
            parser: faultyParser((p) => {
              if (p.type !== parser.PacketType.ACK && p.type !== parser.PacketType.BINARY_ACK) return p;
              const q = Object.assign({}, p);
              delete q.id;
              return q;
            }),
          }),
      };
    case "room-leak":
      return { sioOptions: (o) => Object.assign(o, { adapter: leakyAdapter() }) };
    case "no-connect-error":
      return {
        sioOptions: (o) =>
          Object.assign(o, {
            parser: faultyParser((p) =>
              p.type === parser.PacketType.CONNECT_ERROR && p.data && p.data.message === "Invalid namespace"
                ? null
                : p
            ),
          }),
      };
    case "oversized-body-accepted":
      patchOpenPacket({ maxPayload: opts.maxPayload });
      return {
        engineOptions: (o) => Object.assign(o, { maxHttpBufferSize: opts.maxPayload * PAYLOAD_SLACK }),
      };
    case "truncate-large-body":
      patchTruncate();
      return {};
    case "ignore-connection-close":
      patchIgnoreConnectionClose();
      return {};
    case "close-unannounced":
      patchCloseUnannounced();
      return {};
    case "ignore-client-fin":
      patchIgnoreClientFin();
      return {};
    case "slow-after-burst":
      patchSlowAfterBurst();
      return {};
    case "deflate-bad-answer":
    case "deflate-context-kept":
    case "deflate-bad-data-kept":
    case "deflate-rsv1-accepted":
    case "deflate-no-max-payload":
      return patchDeflate(fault);
    case "gzip-truncated":
      patchGzipTruncated();
      return {};
    case "coding-unasked":
      patchCodingUnasked();
      return {};
    default:
      process.stderr.write("unknown fault: " + fault + "\nfaults: " + FAULTS.join(", ") + "\n");
      process.exit(2);
  }
}

if (require.main === module) {
  const opts = base.parseArgs(process.argv.slice(2), { "--fault": "fault" }, "--fault " + FAULTS.join("|"));
  const fault = opts.fault || "none";
  const hooks = hooksFor(fault, opts);
  process.stderr.write("faulty subject: fault " + fault + "\n");
  base.start(opts, hooks).catch((err) => {
    process.stderr.write("faulty/server.js: " + err.message + "\n");
    process.exit(1);
  });
}

module.exports = { FAULTS };
