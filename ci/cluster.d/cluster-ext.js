// The test-app contract's "cluster" extension (spec/contract.md, CT-50 to CT-56) for the
// official Node server: events that make cross-node work visible to a harness (which node
// am I on, join or leave a socket wherever it is, broadcast with except, server-side
// events and broadcasts with acks). Installed by node-subject.js on a node with the Redis
// adapter; every call goes through io (never local), so the adapter carries it.
"use strict";

const crypto = require("crypto");

// CT-51: one id for this process, distinct between the nodes of a cluster.
const NODE_ID = `node-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
const SSE_EVENT = "ct-server-ping";
const ROOM_ACK_TIMEOUT_MS = 1000;

const lastAck = (args) => (args.length && typeof args[args.length - 1] === "function" ? args.pop() : null);

function setupCluster(io) {
  // CT-55: the other nodes answer a server-side event with their id and its argument.
  io.on(SSE_EVENT, (arg, cb) => {
    if (typeof cb === "function") cb({ node: NODE_ID, arg });
  });
  io.on("connection", (socket) => {
    socket.on("node-id", (...args) => { // CT-51
      const ack = lastAck(args);
      if (ack) ack(NODE_ID);
    });
    // CT-52: socketsJoin / socketsLeave on every node; acked once published.
    socket.on("remote-join", (...args) => {
      const ack = lastAck(args);
      const [target, room] = args;
      io.in(target).socketsJoin(room);
      if (ack) ack(room);
    });
    socket.on("remote-leave", (...args) => {
      const ack = lastAck(args);
      const [target, room] = args;
      io.in(target).socketsLeave(room);
      if (ack) ack(room);
    });
    socket.on("my-rooms", (...args) => { // CT-53
      const ack = lastAck(args);
      if (ack) ack([...socket.rooms].filter((r) => typeof r === "string" && r.startsWith("ct-")));
    });
    socket.on("to-room-except", (...args) => { // CT-54
      lastAck(args);
      const [room, except, ...rest] = args;
      io.to(room).except(except).emit("room-message", ...rest);
    });
    socket.on("server-side-emit", (...args) => { // CT-55
      const ack = lastAck(args);
      io.serverSideEmit(SSE_EVENT, args[0], (err, responses) => {
        if (!ack) return;
        const out = { responses: responses || [] };
        if (err) out.error = err.message || String(err);
        ack(out);
      });
    });
    socket.on("room-ack", (...args) => { // CT-56
      const ack = lastAck(args);
      const [room, arg] = args;
      io.to(room).timeout(ROOM_ACK_TIMEOUT_MS).emit("room-ack-request", arg, (err, responses) => {
        if (!ack) return;
        const out = { responses: responses || [] };
        if (err) out.error = err.message || String(err);
        ack(out);
      });
    });
  });
}

module.exports = { setupCluster, NODE_ID };
