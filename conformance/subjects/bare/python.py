#!/usr/bin/python3
"""Bare subject: python-socketio 5.7.2 as a user starts it on aiohttp, with no
application code at all -- ``socketio.AsyncServer(async_mode='aiohttp')`` attached to an
aiohttp application, default options and timings (pingInterval 25 s, pingTimeout 20 s,
path /socket.io/, no /engine.io/ echo, no event handlers). It shows what sioconform can
say about a server it knows nothing about (issue 11, "any server").

Run with the system interpreter, which holds the Debian packages:

    /usr/bin/python3 conformance/subjects/bare/python.py [--port N] [--host H]

Only --port (0 = any free port; default 3000) and --host (default 127.0.0.1) exist.
When ready it prints exactly one line, ``listening on http://HOST:PORT``, like the
contract subjects, so conformance/test/run-subject.sh can drive it. SIGTERM/SIGINT
exit 0.
"""

import argparse
import socket
import sys

import socketio
from aiohttp import web

p = argparse.ArgumentParser(description="bare python-socketio server")
p.add_argument("--port", type=int, default=3000)
p.add_argument("--host", default="127.0.0.1")
args = p.parse_args()

# The whole server, as in python-socketio's documentation (aiohttp deployment).
sio = socketio.AsyncServer(async_mode="aiohttp")
app = web.Application()
sio.attach(app)

# Bind first so that --port 0 can be reported: run_app would print only "0".
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind((args.host, args.port))
ready = "listening on http://%s:%d" % (args.host, sock.getsockname()[1])
# run_app calls `print` once the site is up; it turns SIGTERM/SIGINT into a clean exit.
# shutdown_timeout: held long-polls would otherwise delay the exit by the default 60 s.
web.run_app(app, sock=sock, shutdown_timeout=1,
            print=lambda _banner: print(ready, flush=True))
sys.exit(0)
