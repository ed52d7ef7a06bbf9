#!/bin/sh
# CTest driver (issue 14): sioref in another protocol mode must pass every case of that
# mode (0 FAIL, 0 BLOCKED; the built-in target started by sioconform with the flags the
# mode needs, conformance/src/sioref_child.c).
# usage: sioref-modes.sh SIOCONFORM SIOREF default|eio3|msgpack|all
# (default: plain sioref, Engine.IO v4 / JSON; all: sioref --allow-eio3 checked under v4
# and v3, so the v4 cases about refusing v3 SKIP there with discovery's reason)
# Exit: sioconform's status; 77 (skip) when this sioref does not have the mode's flag yet.
set -u
sioconform=$1 sioref=$2 mode=$3
case $mode in
default) flag=--port args="" ;;
eio3) flag=--allow-eio3 args="--eio 3" ;;
msgpack) flag=--parser args="--parser msgpack" ;;
all) flag=--allow-eio3 args="--eio all" ;;
*) echo "usage: sioref-modes.sh SIOCONFORM SIOREF default|eio3|msgpack|all" >&2; exit 2 ;;
esac
if ! "$sioref" --help 2>&1 | grep -q -- "$flag"; then
	echo "skip: $sioref has no $flag yet"
	exit 77
fi
# shellcheck disable=SC2086
exec "$sioconform" --sioref "$sioref" $args --jobs 4
