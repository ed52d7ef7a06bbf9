#!/usr/bin/python3
"""Conformance subject: Debian's python-socketio 5.7.2 / python-engineio 4.3.4 on aiohttp,
running the sioconform test-app contract (spec/contract.md, CT-1..CT-42).

Run with the system interpreter, which holds the Debian packages (no pip):

    /usr/bin/python3 conformance/subjects/python/server.py [--port N] [--host H]
        [--ping-interval MS] [--ping-timeout MS] [--connect-timeout MS]
        [--max-payload BYTES] [--cors-origin ORIGIN] [--greet-in-connect]

The application uses only the libraries' public API and their own aiohttp integration
(AsyncServer.attach), so what a harness sees is what a python-socketio deployment does.
Known gaps of the library against the contract are listed in
conformance/subjects/README.md (they are deviation candidates, not subject bugs).
"""

import argparse
import asyncio
import signal
import sys

import engineio
import socketio
from aiohttp import web

# CT-30: every extension of the contract is implemented here.
EXTENSIONS = ["rooms", "broadcast", "server-ack", "server-disconnect", "auth"]
# CT-38: how long the server waits for the client's answer to "ack-request".
SERVER_ACK_TIMEOUT_S = 1.0


def parse_args(argv):
    """CT-2: the contract's flags; argparse exits 2 on an unknown flag or a bad value."""
    p = argparse.ArgumentParser(description="sioconform python-socketio subject")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--ping-interval", type=int, default=300, metavar="MS")
    p.add_argument("--ping-timeout", type=int, default=200, metavar="MS")
    p.add_argument("--connect-timeout", type=int, default=1000, metavar="MS",
                   help="accepted for the contract; python-socketio 5.7.2 has no "
                        "connect timeout, so it is not applied")
    p.add_argument("--max-payload", type=int, default=1000000, metavar="BYTES")
    p.add_argument("--cors-origin", default=None, metavar="ORIGIN")
    p.add_argument("--greet-in-connect", action="store_true",
                   help="emit the contract's auth greeting inside the connect handler, as "
                        "Python users write it: python-socketio then sends it before the "
                        "CONNECT answer (SIO-NS-10 finding; the default defers the emit)")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error("bad port")
    return args


def engine_options(args):
    """Options shared by the Socket.IO engine and the /engine.io/ echo server."""
    if args.cors_origin is None:
        cors = []  # CT-6: [] switches CORS handling (and its Origin check) off
    elif args.cors_origin == "*":
        cors = "*"
    else:
        cors = [args.cors_origin]
    return dict(
        async_mode="aiohttp",
        # engineio takes seconds and announces int(seconds * 1000)
        ping_interval=args.ping_interval / 1000.0,
        ping_timeout=args.ping_timeout / 1000.0,
        max_http_buffer_size=args.max_payload,
        allow_upgrades=True,  # CT-5
        transports=["polling", "websocket"],
        cors_allowed_origins=cors,
    )


def make_sio(args):
    sio = socketio.AsyncServer(namespaces=["/", "/custom", "/auth"], **engine_options(args))

    async def emit_auth(sid, namespace, auth):
        payload = auth if auth is not None else {}
        if args.greet_in_connect:
            # The way Python users write it: emit inside the handler. python-socketio
            # (always_connect=False) sends the CONNECT answer only after the handler
            # returns, so this event reaches the client first (SIO-NS-10, SHOULD);
            # the official client buffers it (SIO-NS-11).
            await sio.emit("auth", payload, to=sid, namespace=namespace)
            return
        # CT-12: "auth" must follow the CONNECT answer, which python-socketio sends only
        # after the connect handler returns; a background task runs after that.
        sio.start_background_task(sio.emit, "auth", payload, to=sid, namespace=namespace)

    # ---- namespace "/" ----------------------------------------------------------------

    @sio.on("connect", namespace="/")
    async def on_connect(sid, environ, auth=None):
        await emit_auth(sid, "/", auth)

    @sio.on("message", namespace="/")
    async def on_message(sid, *args):
        await sio.emit("message-back", args, to=sid, namespace="/")  # CT-13

    @sio.on("message-with-ack", namespace="/")
    async def on_message_with_ack(sid, *args):
        return args  # CT-14: a returned tuple becomes the ack's arguments

    @sio.on("extensions", namespace="/")
    async def on_extensions(sid, *args):
        return list(EXTENSIONS)  # CT-30: one argument, a list

    @sio.on("join", namespace="/")
    async def on_join(sid, room=None, *rest):
        sio.enter_room(sid, room, namespace="/")  # CT-32
        return room

    @sio.on("leave", namespace="/")
    async def on_leave(sid, room=None, *rest):
        sio.leave_room(sid, room, namespace="/")  # CT-33
        return room

    @sio.on("to-room", namespace="/")
    async def on_to_room(sid, room=None, *args):
        # CT-34: members of room, the sender excluded
        await sio.emit("room-message", args, room=room, skip_sid=sid, namespace="/")

    @sio.on("to-room-all", namespace="/")
    async def on_to_room_all(sid, room=None, *args):
        await sio.emit("room-message", args, room=room, namespace="/")  # CT-35

    @sio.on("broadcast", namespace="/")
    async def on_broadcast(sid, *args):
        # CT-37: everyone on "/" but the sender
        await sio.emit("broadcast-message", args, skip_sid=sid, namespace="/")

    @sio.on("request-ack", namespace="/")
    async def on_request_ack(sid, *args):
        # CT-38: exactly one of ack-result / ack-timeout per ack-request.
        state = {"done": False}

        async def on_ack(*values):
            if state["done"]:
                return
            state["done"] = True
            await sio.emit("ack-result", values, to=sid, namespace="/")

        async def on_timeout():
            await asyncio.sleep(SERVER_ACK_TIMEOUT_S)
            if not state["done"]:
                state["done"] = True
                await sio.emit("ack-timeout", to=sid, namespace="/")

        await sio.emit("ack-request", args, to=sid, namespace="/", callback=on_ack)
        sio.start_background_task(on_timeout)

    @sio.on("disconnect-me", namespace="/")
    async def on_disconnect_me(sid, *args):
        await sio.disconnect(sid, namespace="/")  # CT-39

    @sio.on("close-me", namespace="/")
    async def on_close_me(sid, *args):
        # CT-40: close the whole Engine.IO connection (python-socketio has no
        # disconnect(close=True); the engine-level disconnect is its equivalent).
        eio_sid = sio.manager.eio_sid_from_sid(sid, "/")
        if eio_sid is not None:
            await sio.eio.disconnect(eio_sid)

    # ---- "/custom" and "/auth" ------------------------------------------------------

    @sio.on("connect", namespace="/custom")
    async def on_connect_custom(sid, environ, auth=None):
        await emit_auth(sid, "/custom", auth)  # CT-16

    @sio.on("connect", namespace="/auth")
    async def on_connect_auth(sid, environ, auth=None):
        if not (isinstance(auth, dict) and auth.get("token") == "sioconform"):
            # CT-42: {"message":"unauthorized","data":{"reason":"bad-token"}}
            raise socketio.exceptions.ConnectionRefusedError(
                "unauthorized", {"reason": "bad-token"})
        await emit_auth(sid, "/auth", auth)  # CT-41

    return sio


def make_echo(args):
    """CT-10: plain Engine.IO echo."""
    eio = engineio.AsyncServer(**engine_options(args))

    @eio.on("message")
    async def on_message(sid, data):
        await eio.send(sid, data)

    return eio


async def main(args):
    app = web.Application()
    sio = make_sio(args)
    sio.attach(app, socketio_path="socket.io")
    make_echo(args).attach(app, engineio_path="engine.io")

    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    # CT-3: the one ready line.
    sys.stdout.write("listening on http://%s:%d\n" % (args.host, port))
    sys.stdout.flush()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    # CT-4: stop within the contract's 2 s, whatever the open sessions do.
    try:
        await asyncio.wait_for(runner.cleanup(), timeout=1.5)
    except Exception:  # noqa: BLE001 - exiting anyway
        pass


if __name__ == "__main__":
    try:
        asyncio.run(main(parse_args(sys.argv[1:])))
    except OSError as e:
        sys.stderr.write("server.py: %s\n" % e)
        sys.exit(1)
    sys.exit(0)
