#!/usr/bin/python3
"""The client contract (spec/client-contract.md) on Debian's python3-socketio 5.7.2
client, written as its users write apps: socketio.Client, decorated handlers, connect,
wait. Usage: client.py [URL]   (URL defaults to $SIOCONFORM_URL)"""
import json
import os
import sys

import socketio

url = sys.argv[1] if len(sys.argv) > 1 else os.environ["SIOCONFORM_URL"]
transports = (os.environ.get("SIOCONFORM_TRANSPORT") or "websocket").split(",")
auth_text = os.environ.get("SIOCONFORM_AUTH")
auth = json.loads(auth_text) if auth_text else None
reconnect = os.environ.get("SIOCONFORM_RECONNECT")  # [CC-12] "DELAY,MAX" in ms

if reconnect:
    delay, most = (int(v) / 1000 for v in reconnect.split(","))
    sio = socketio.Client(reconnection=True, reconnection_delay=delay,
                          reconnection_delay_max=most, randomization_factor=0)
else:
    sio = socketio.Client(reconnection=False)  # [CC-1]


def say(line):
    print(line, flush=True)


@sio.event
def connect():  # [CC-3]
    say("connect")


@sio.event
def connect_error(data):  # [CC-7]
    say("connect_error " + json.dumps(data))


@sio.event
def disconnect():  # [CC-9]
    say("disconnect")


@sio.on("echo")
def echo(*args):  # [CC-5]
    sio.emit("echo-back", args)


@sio.on("echo-ack")
def echo_ack(*args):  # [CC-4]: the return value is the ack
    return args


@sio.on("emit")
def emit(name, *args):  # [CC-6]
    sio.emit(name, args, callback=lambda *values: sio.emit("ack-result", (name,) + values))


@sio.on("leave")
def leave():  # [CC-8]
    sio.disconnect()


@sio.on("join")
def join(*args):  # [CC-11]: python-socketio 5.7.2 connects namespaces only in connect()
    say("unsupported join")


try:
    sio.connect(url, transports=transports, auth=auth)
except socketio.exceptions.ConnectionError:
    sys.exit(0)
sio.wait()
