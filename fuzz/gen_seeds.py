#!/usr/bin/python3
"""Generate the fuzz seed corpora from the JSON test vectors (never hand-copied).

Reads every vectors/{eio,sio,eio3,sio4,msgpack}/*.json entry that has a "wire" field
(and the scenario cases of vectors/scenarios/{eio,sio}.json) and writes, per fuzz target, one file per seed named by the SHA-1 of its bytes into
OUT/<target>/, plus (with --zip-dir) the OSS-Fuzz <target>_fuzzer_seed_corpus.zip
(named after the fuzzer binary).
Each target's input layout is documented at the top of fuzz/<target>_fuzzer.c; the
encoders below must stay in step with those comments.

Usage: gen_seeds.py --vectors DIR --out DIR [--zip-dir DIR] [--stamp FILE]
Exit 0 on success, 1 when a vector file cannot be read.
Standard library only.
"""
import argparse
import base64
import glob
import hashlib
import json
import os
import sys
import zipfile

TARGETS = ("eio_packet", "eio_payload", "sio_packet", "sio_binary", "eio_session", "sio_server",
           "eio_sio_glue", "eio3_payload", "sio4_packet", "sio_msgpack")

# sio_server_fuzzer.c: opcode, client byte, arguments; keep in step with its op_* enum.
SIO_NEW, SIO_TEXT, SIO_BINARY, SIO_TICK, SIO_CLOSED, SIO_CONNECT = 0, 1, 2, 3, 4, 7

# eio_session_fuzzer.c: header (ping interval, ping timeout, max payload, flags) and
# opcodes; keep in step with its op_* enum.
SESSION_HEADER = bytes([0x10, 0x10, 0xFF, 0x00])  # 65 ms, 65 ms, 4096 bytes, upgrades on
OP_HANDSHAKE_POLL, OP_HANDSHAKE_WS, OP_GET, OP_POST = 0, 1, 2, 3
OP_UPGRADE, OP_HOLD_ACT, OP_TICK, OP_SERVICE = 5, 6, 7, 11


def le16(n):
    return bytes([n & 0xFF, (n >> 8) & 0xFF])


def session_ws_msg(is_binary, data):
    """Act on hold 0 (the WebSocket): a text (action 0) or binary (1) message."""
    data = data[:0x0FFF]
    return bytes([OP_HOLD_ACT, 0, 1 if is_binary else 0]) + le16(len(data)) + data
SEP = b"\x1e"


def messages(entry):
    """The entry's wire as a list of (is_binary, bytes)."""
    wire = entry.get("wire")
    if wire is None:
        return []
    if isinstance(wire, dict):
        wire = [wire]
    out = []
    for m in wire:
        if not isinstance(m, dict):
            continue
        if "text" in m:
            out.append((False, m["text"].encode("utf-8", "surrogatepass")))
        elif "hex" in m:
            out.append((True, bytes.fromhex(m["hex"])))
    return out


def opts_of(entry):
    o = entry.get("opts")
    return o if isinstance(o, dict) else {}


def sio_opts_byte(entry):
    """Low nibble max_attachments, high nibble max_json_depth (0 = default)."""
    o = opts_of(entry)
    att = o.get("maxAttachments", 0)
    depth = o.get("maxJsonDepth", 0)
    att = att if isinstance(att, int) and 0 < att <= 15 else 0
    depth = depth if isinstance(depth, int) and 0 < depth <= 15 else 0
    return bytes([att | (depth << 4)])


def eio_payload_prefix(entry):
    """Byte 0 max_packets (0 = unlimited), byte 1 max_payload / 4 rounded up
    (0 = unlimited); the chunking byte is added by the caller."""
    o = opts_of(entry)
    pk = o.get("maxPackets", 0)
    pl = o.get("maxPayload", 0)
    pk = min(pk, 255) if isinstance(pk, int) and pk > 0 else 0
    pl = (pl + 3) // 4 if isinstance(pl, int) and 0 < pl <= 255 * 4 else 0
    return bytes([pk, pl])


def sio_record(is_binary, data):
    """One message of a sio_binary input: tag (bit 0 = binary), length LE16, bytes."""
    data = data[:0xFFFF]
    return bytes([1 if is_binary else 0, len(data) & 0xFF, len(data) >> 8]) + data


def session_seeds(is_bin, data, add):
    """Engine.IO session scripts carrying one vector message: as a POST body over
    polling, as a WebSocket message, and after a probe/upgrade."""
    svc, tick = bytes([OP_SERVICE]), bytes([OP_TICK]) + le16(40)
    if not is_bin:
        post = bytes([OP_POST, 0, 0]) + le16(len(data)) + data
        add("eio_session", SESSION_HEADER + bytes([OP_HANDSHAKE_POLL]) + svc + post
            + bytes([OP_GET, 0]) + svc + tick + svc)
    ws = session_ws_msg(is_bin, data)
    add("eio_session", SESSION_HEADER + bytes([OP_HANDSHAKE_WS]) + ws + svc + tick + svc)
    add("eio_session", SESSION_HEADER + bytes([OP_HANDSHAKE_POLL]) + svc
        + bytes([OP_UPGRADE, 0]) + session_ws_msg(False, b"2probe") + svc
        + session_ws_msg(False, b"5") + ws + svc + tick + svc)


def scenario_ms(v):
    """A sleep length: a number, or an expression of the server's timings (whose
    values the fuzzer's header fixes at 65 ms each): a fixed 200 ms then."""
    return min(int(v), 0xFFFF) if isinstance(v, (int, float)) else 200


def eio_scenario_seeds(path, add):
    """Engine.IO scenario cases (vectors/scenarios/eio.json) as eio_session scripts,
    once per transport: open, send, post, sleep, expect (a GET / a pull), close.
    Cases with raw HTTP, raw frames or explicit upgrades are left to the vectors."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for case in doc.get("cases", []):
        steps = case.get("steps", [])
        if any(st.get("op") in ("http", "frame", "ws", "poll") for st in steps):
            continue
        for tr in ("polling", "websocket"):
            if case.get("transports", "all") not in ("all", tr):
                continue
            conns, script = {}, b""
            for st in steps:
                if st.get("only", tr) != tr:
                    continue
                op, name = st.get("op"), st.get("conn", "a")
                if op == "open" and name not in conns:
                    conns[name] = len(conns)
                    script += bytes([OP_HANDSHAKE_POLL if tr == "polling" else OP_HANDSHAKE_WS])
                    script += bytes([OP_SERVICE])
                    continue
                k = conns.get(name, 0)
                data, is_bin = None, False
                if "text" in st:
                    data = st["text"].encode("utf-8", "surrogatepass")
                elif "body_text" in st:
                    data = st["body_text"].encode("utf-8", "surrogatepass")
                elif "hex" in st or "body_hex" in st:
                    data, is_bin = bytes.fromhex(st.get("hex", st.get("body_hex"))), True
                if op in ("send", "post") and data is not None:
                    if tr == "polling":
                        if is_bin and op == "send":
                            data, is_bin = b"b" + base64.b64encode(data), False
                        ct = 1 if (is_bin and op == "post") else 0
                        data = data[:0xFFFF]
                        script += bytes([OP_POST, k, ct]) + le16(len(data)) + data
                    else:
                        script += session_ws_msg(is_bin, data).replace(
                            bytes([OP_HOLD_ACT, 0]), bytes([OP_HOLD_ACT, k]), 1)
                elif op == "sleep":
                    script += bytes([OP_TICK]) + le16(scenario_ms(st.get("ms", 0)))
                elif op in ("expect", "expect_none", "expect_close"):
                    if tr == "polling":
                        script += bytes([OP_GET, k])
                    script += bytes([OP_SERVICE])
                elif op == "close" and tr == "websocket":
                    script += bytes([OP_HOLD_ACT, k, 3]) + le16(0)
            if script:
                add("eio_session", SESSION_HEADER + script + bytes([OP_TICK]) + le16(300)
                    + bytes([OP_SERVICE]))


EIO_TYPES = ("open", "close", "ping", "pong", "message", "upgrade", "noop")


def eio_encoder_seeds(entry, add):
    """eio_packet mode 4 (encoder first): type, kind, transport, data from "packet"."""
    p = entry.get("packet")
    if not isinstance(p, dict) or p.get("type") not in EIO_TYPES:
        return
    t = EIO_TYPES.index(p["type"])
    if "binary" in p:
        kind, data = 1, bytes.fromhex(p["binary"])
    else:
        kind, data = 0, str(p.get("data", "")).encode("utf-8", "surrogatepass")
    for tr in (0, 1):
        add("eio_packet", bytes([4, t, kind, tr]) + data)


def eio_seeds(entry, add):
    eio_encoder_seeds(entry, add)
    for is_bin, data in messages(entry):
        session_seeds(is_bin, data, add)
        if is_bin:
            add("eio_packet", b"\x01" + data)
            add("eio_packet", b"\x00" + data)
            add("eio_packet", b"\x03" + data)
        else:
            add("eio_packet", b"\x03" + data)
            # Once whole (chunk byte 0), once cut into chunks of 1..4 bytes.
            add("eio_payload", eio_payload_prefix(entry) + b"\x00" + data)
            add("eio_payload", eio_payload_prefix(entry) + b"\x03" + data)
            for seg in data.split(SEP):
                add("eio_packet", b"\x00" + seg)
                if seg.startswith(b"b"):
                    add("eio_packet", b"\x02" + seg[1:])


def sio_server_msg(client, is_binary, data):
    data = data[:0x0FFF]
    return bytes([SIO_BINARY if is_binary else SIO_TEXT, client]) + le16(len(data)) + data


def sio_server_seed(msgs, add):
    """A client joins "/" (CONNECT) and sends the vector's messages."""
    script = bytes([SIO_NEW, 0, SIO_CONNECT, 0, 0, 0])
    script += b"".join(sio_server_msg(0, b, d) for b, d in msgs)
    add("sio_server", script + bytes([SIO_TICK, 0]) + le16(2000))


def scenario_seeds(path, add):
    """Socket.IO scenario cases (vectors/scenarios/sio.json) as sio_server scripts:
    open / sio_open / send / sleep / close steps; connections numbered in order."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for case in doc.get("cases", []):
        conns, script = {}, b""
        for st in case.get("steps", []):
            name = st.get("conn", "a")
            if st.get("op") in ("open", "sio_open") and name not in conns:
                conns[name] = len(conns) % 4
            k = conns.get(name, 0)
            op = st.get("op")
            if op == "open":
                script += bytes([SIO_NEW, k])
            elif op == "sio_open":
                script += bytes([SIO_NEW, k, SIO_CONNECT, k, 0, 0])
            elif op == "send" and "sio" in st:
                script += sio_server_msg(k, False, st["sio"].encode("utf-8", "surrogatepass"))
            elif op == "send" and "hex" in st:
                script += sio_server_msg(k, True, bytes.fromhex(st["hex"]))
            elif op == "sleep":
                script += bytes([SIO_TICK, k]) + le16(min(int(st.get("ms", 0)), 0xFFFF))
            elif op == "close":
                script += bytes([SIO_CLOSED, k])
        if script:
            add("sio_server", script + bytes([SIO_TICK, 0]) + le16(2000))


def sio_seeds(entry, add):
    msgs = messages(entry)
    if msgs:
        sio_server_seed(msgs, add)
        glue_seeds(msgs, add)
    ob = sio_opts_byte(entry)
    for is_bin, data in msgs:
        if not is_bin:
            add("sio_packet", ob + data)
    if msgs:
        add("sio_binary", ob + b"".join(sio_record(b, d) for b, d in msgs))


# eio_sio_glue_fuzzer.c: header (ping interval, ping timeout, max payload, flags) and
# opcodes; keep in step with its op_* enum. Sessions are numbered in handshake order.
GLUE_HEADER = bytes([0xFF, 0xFF, 0x7E, 0x40])  # 1021 ms, 1021 ms, 4096 bytes, 500 ms connect
GLUE_HEADER_ABRUPT = bytes([0xFF, 0xFF, 0x7E, 0x48])  # the same, abrupt teardown
G_HS_POLL, G_HS_WS, G_GET, G_POST, G_UPGRADE, G_WS_MSG, G_SIO = 0, 1, 2, 3, 4, 5, 6
G_SIO_RAW, G_PROBE, G_HANG_UP, G_TICK, G_SERVICE = 7, 8, 9, 10, 11


def glue_open(k, ws):
    """Session K opens (WebSocket, or polling with a GET held) and CONNECTs to "/"."""
    hs = bytes([G_HS_WS]) if ws else bytes([G_HS_POLL, G_GET, k])
    return hs + bytes([G_SIO, k, 0, 0, 0, 0, 0, G_SERVICE])


def glue_raw(k, is_binary, data):
    data = data[:0x0FFF]
    return bytes([G_SIO_RAW, k, 1 if is_binary else 0]) + le16(len(data)) + data


def glue_after(k, ws):
    """Write what was woken; a polling client puts its next GET in."""
    return bytes([G_SERVICE]) + (b"" if ws else bytes([G_GET, k]))


def glue_seeds(msgs, add):
    """Each Socket.IO vector's messages from a connected client, on both transports
    and after an upgrade."""
    for ws in (True, False):
        script = glue_open(0, ws)
        for b, d in msgs:
            script += glue_raw(0, b, d) + glue_after(0, ws)
        add("eio_sio_glue", GLUE_HEADER + script + bytes([G_TICK]) + le16(600) + bytes([G_SERVICE]))
    script = glue_open(0, False) + bytes([G_UPGRADE, 0, G_PROBE, 0, 7, G_SERVICE])
    for b, d in msgs:
        script += glue_raw(0, b, d) + bytes([G_SERVICE])
    add("eio_sio_glue", GLUE_HEADER + script + bytes([G_TICK]) + le16(600) + bytes([G_SERVICE]))


def glue_scenario_seeds(path, add):
    """Socket.IO scenario cases (vectors/scenarios/sio.json) as eio_sio_glue scripts, once
    per transport: open / sio_open / send / sleep / close steps."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for case in doc.get("cases", []):
        for ws in (True, False):
            conns, script = {}, b""
            for st in case.get("steps", []):
                name = st.get("conn", "a")
                op = st.get("op")
                if op in ("open", "sio_open") and name not in conns:
                    if len(conns) >= 8:
                        continue
                    conns[name] = len(conns)
                    k = conns[name]
                    if op == "sio_open":
                        script += glue_open(k, ws)
                    else:
                        script += bytes([G_HS_WS]) if ws else bytes([G_HS_POLL, G_GET, k])
                    continue
                k = conns.get(name, 0)
                if op == "send" and "sio" in st:
                    script += glue_raw(k, False, st["sio"].encode("utf-8", "surrogatepass"))
                    script += glue_after(k, ws)
                elif op == "send" and "hex" in st:
                    script += glue_raw(k, True, bytes.fromhex(st["hex"])) + glue_after(k, ws)
                elif op == "post" and isinstance(st.get("body_text"), str):
                    body = st["body_text"].encode("utf-8", "surrogatepass")[:0x0FFF]
                    script += bytes([G_POST, k, 0]) + le16(len(body)) + body
                    script += glue_after(k, ws)
                elif op == "sleep":
                    ms = min(int(st.get("ms", 0)), 0xFFFF)
                    script += bytes([G_TICK]) + le16(ms) + glue_after(k, ws)
                elif op == "close":
                    script += bytes([G_HANG_UP, k, 3])
            if script:
                add("eio_sio_glue", GLUE_HEADER + script + bytes([G_TICK]) + le16(600)
                    + bytes([G_SERVICE]))
                # sioref's abrupt exit (flags bit 3) with the connections still up
                add("eio_sio_glue", GLUE_HEADER_ABRUPT + script)


def eio3_seeds(entry, add):
    """eio3_payload_fuzzer.c: mode (bit 0 binary, bit 1 one packet), max_packets,
    max_payload / 4, then the body or message (vectors/eio3)."""
    content = entry.get("content")
    for is_bin, data in messages(entry):
        if content in ("text", "binary"):
            binary = content == "binary"
            add("eio3_payload", bytes([1 if binary else 0]) + eio_payload_prefix(entry) + data)
            add("eio3_payload", bytes([1 if binary else 0, 0, 0]) + data)
        else:
            add("eio3_payload", bytes([2 | (1 if is_bin else 0), 0, 0]) + data)


def sio4_seeds(entry, add):
    """sio4_packet_fuzzer.c: the options byte, then each text message (vectors/sio4)."""
    ob = sio_opts_byte(entry)
    for is_bin, data in messages(entry):
        if not is_bin:
            add("sio4_packet", ob + data)


def msgpack_seeds(entry, add):
    """sio_msgpack_fuzzer.c: max_depth byte (0: the default, or the vector's
    maxJsonDepth), then the message (vectors/msgpack)."""
    depth = opts_of(entry).get("maxJsonDepth", 0)
    depth = depth if isinstance(depth, int) and 0 < depth <= 32 else 0
    for is_bin, data in messages(entry):
        add("sio_msgpack", bytes([depth]) + data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--zip-dir")
    ap.add_argument("--stamp")
    args = ap.parse_args()

    seeds = {t: {} for t in TARGETS}

    def add(target, data):
        seeds[target][hashlib.sha1(data).hexdigest()] = data

    files = 0
    for area, fn in (("eio", eio_seeds), ("sio", sio_seeds), ("eio3", eio3_seeds),
                     ("sio4", sio4_seeds), ("msgpack", msgpack_seeds)):
        for path in sorted(glob.glob(os.path.join(args.vectors, area, "*.json"))):
            try:
                with open(path, encoding="utf-8") as f:
                    doc = json.load(f)
            except (OSError, ValueError) as e:
                print(f"gen_seeds: {path}: {e}", file=sys.stderr)
                return 1
            files += 1
            for entry in doc.get("vectors", []) if isinstance(doc, dict) else []:
                if isinstance(entry, dict):
                    fn(entry, add)
    for name, fn in (("sio.json", scenario_seeds), ("eio.json", eio_scenario_seeds),
                     ("sio.json", glue_scenario_seeds)):
        scen = os.path.join(args.vectors, "scenarios", name)
        if not os.path.exists(scen):
            continue
        try:
            fn(scen, add)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"gen_seeds: {scen}: {e}", file=sys.stderr)
            return 1

    status = 0
    for t in TARGETS:
        d = os.path.join(args.out, t)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):  # seeds from a vector since removed must go
            if old not in seeds[t]:
                os.remove(os.path.join(d, old))
        for name, data in seeds[t].items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        if args.zip_dir:
            os.makedirs(args.zip_dir, exist_ok=True)
            zpath = os.path.join(args.zip_dir, f"{t}_fuzzer_seed_corpus.zip")
            with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
                for name in sorted(seeds[t]):
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    z.writestr(info, seeds[t][name])
        print(f"gen_seeds: {t}: {len(seeds[t])} seeds")
        if not seeds[t]:
            # A warning, not an error: the build must not break while vectors are
            # being written; the replay test for T fails instead (no inputs).
            print(f"gen_seeds: warning: {t}: no vector produced a seed", file=sys.stderr)
    if files == 0:
        print(f"gen_seeds: no vector files under {args.vectors}", file=sys.stderr)
    if args.stamp and status == 0:
        with open(args.stamp, "w") as f:
            f.write("".join(f"{t} {len(seeds[t])}\n" for t in TARGETS))
    return status


if __name__ == "__main__":
    sys.exit(main())
