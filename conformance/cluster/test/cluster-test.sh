#!/usr/bin/env bash
# CTest driver for `sioconform cluster` (issue 15, label "cluster"): each mode starts its
# own cluster with ci/cluster (redis-server, nodes, nginx; free ports, in BUILD_DIR),
# runs the cluster cases, checks every run's verdict, and stops the cluster by PID.
#   cluster-test.sh node SIOCONFORM SIOREF BUILD_DIR
#     three official Node nodes with @socket.io/redis-adapter: every case PASS, through
#     the sticky balancer, with the node the balancer uses for 127.0.0.1 stopped last
#   cluster-test.sh no-sticky ...
#     the balancer cases through the balancer that drops Upgrade: cluster.lb.websocket
#     FAIL, the WebSocket cases through it BLOCKED by it, the rest PASS; then every case
#     (node 1 stopped last) through the round-robin balancer: cluster.lb.sticky-polling
#     FAIL, the polling cases through it BLOCKED by it, the rest PASS
#   cluster-test.sh read-timeout ...
#     nginx proxy_read_timeout 1 s against pingInterval 1500 ms: cluster.lb.idle FAIL on
#     both transports, the other balancer cases PASS
#   cluster-test.sh partitioned ...
#     one Node node on the cluster's Redis and two more on other adapter keys (so they
#     share nothing): every case between the nodes FAILS with a missed delivery or a
#     missing responder; only cluster.node.connect passes (the cases can fail)
#   cluster-test.sh duplicate ...
#     three Node nodes and a faulty peer (dup-relay.js) that publishes every broadcast
#     message once more: the broadcast cases FAIL with a duplicate delivery, the
#     server-side emit and the broadcast with acks (not on the broadcast channels) PASS
#   cluster-test.sh mixed ...
#     two sioref nodes (sioref --redis, issue 15 item 2) and one Node node: every case PASS
#     or SKIP (a node that does not announce "cluster"); FAILS with a message when sioref
#     has no --redis yet, never passes without running
# Exit 0 ok, 1 not, 77 (skip) when redis-server, nginx or the pinned adapter is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mode=$1 sioconform=$2 sioref=$3 build=$4
dir="$build/cluster-test-$mode"
command -v redis-server >/dev/null || { echo "skip: redis-server missing (ci/install-deps)"; exit 77; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "skip: nginx missing"; exit 77; }
[ -d "$root/ci/node-cluster/node_modules/@socket.io/redis-adapter" ] ||
	{ echo "skip: ci/node-cluster is not installed (npm ci there)"; exit 77; }
up_args=(--node 3)
case $mode in
node | no-sticky) up_args+=(--ping-interval 300 --ping-timeout 200) ;;
read-timeout) up_args=(--node 2 --ping-interval 1500 --ping-timeout 500 --proxy-read-timeout 1) ;;
partitioned) up_args=(--node 1 --ping-interval 300 --ping-timeout 200) ;;
duplicate) up_args+=(--ping-interval 300 --ping-timeout 200) ;;
mixed)
	[ -x "$sioref" ] || { echo "FAIL: $sioref is not built (cmake --build ... --target sioref)"; exit 1; }
	if ! "$sioref" --help 2>&1 | grep -q -- '--redis'; then
		echo "FAIL: $sioref has no --redis option (issue 15 item 2, sioref on Redis, is not" \
			"merged): the mixed cluster (2 sioref + 1 Node) cannot run"
		exit 1
	fi
	up_args=(--sioref 2 --node 1 --sioref-bin "$sioref" --ping-interval 300 --ping-timeout 200) ;;
*) echo "usage: cluster-test.sh node|no-sticky|read-timeout|partitioned|duplicate|mixed SIOCONFORM SIOREF BUILD_DIR" >&2
   exit 2 ;;
esac
extra_pids=()
stop_all() {
	local p
	for p in ${extra_pids[@]+"${extra_pids[@]}"}; do kill "$p" 2>/dev/null; done
	"$root/ci/cluster" down --dir "$dir" >/dev/null 2>&1
}
"$root/ci/cluster" down --dir "$dir" >/dev/null 2>&1
trap stop_all EXIT
"$root/ci/cluster" up "${up_args[@]}" --dir "$dir" >"$dir.up.log" 2>&1 ||
	{ echo "FAIL: ci/cluster up"; cat "$dir.up.log"; exit 1; }
# shellcheck disable=SC1091
source "$dir/state"
read -r -a urls <<<"$NODE_URLS"
read -r -a pids <<<"$PIDS" # redis, the nodes in URL order, nginx

# check REPORT RC WANT_RC [RUN=VERDICT[:ROOT]]...: every run listed has that verdict (and
# BLOCKED runs that root); every other run is PASS (SKIP too with ALLOW_SKIP=1).
check() {
	local report=$1 rc=$2 want=$3
	shift 3
	[ "$rc" = "$want" ] || { echo "FAIL: sioconform cluster exited $rc, expected $want"; return 1; }
	/usr/bin/python3 - "$report" "${ALLOW_SKIP:-0}" "$@" <<'PY'
import json, sys
rep, allow_skip, specs = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
want = {}
for s in specs:
    run, v = s.split("=", 1)
    verdict, _, root = v.partition(":")
    want[run] = (verdict, root or None)
runs = json.load(open(rep))["runs"]
bad = 0
for r in runs:
    v, root = want.pop(r["run"], ("PASS", None))
    ok = r["verdict"] == v and (root is None or r.get("blocked_by") == root)
    if not ok and v == "PASS" and allow_skip and r["verdict"] == "SKIP":
        ok = True
    if not ok:
        bad += 1
        print(f"FAIL: {r['run']}: {r['verdict']} {r.get('blocked_by') or ''} ({r['reason']}), expected {v} {root or ''}")
for run in want:
    bad += 1
    print(f"FAIL: {run} was not run")
print(f"{len(runs)} runs checked, {bad} unexpected")
sys.exit(1 if bad else 0)
PY
}

run() { # run NAME ARGS...: sioconform cluster, the report in $dir/NAME.json; sets rc
	"$sioconform" cluster --json "$dir/$1.json" "${@:2}" >"$dir/$1.log" 2>&1
	rc=$?
	cat "$dir/$1.log"
}

# The node the sticky balancer sends 127.0.0.1 to (ip_hash): the one that knows a session
# made through it. Stopping that node makes its balancer clients reconnect elsewhere.
lb_node() {
	/usr/bin/python3 - "$LB_STICKY_URL" "${urls[@]}" <<'PY'
import json, sys, urllib.error, urllib.request
lb, nodes = sys.argv[1], sys.argv[2:]
q = "/socket.io/?EIO=4&transport=polling"
body = urllib.request.urlopen(lb + q, timeout=3).read().decode()
sid = json.loads(body[1:].split("\x1e")[0])["sid"]
for i, n in enumerate(nodes):
    try:
        urllib.request.urlopen(f"{n}{q}&sid={sid}", timeout=3).read()
    except (urllib.error.HTTPError, urllib.error.URLError, OSError):
        continue
    urllib.request.urlopen(urllib.request.Request(f"{n}{q}&sid={sid}", data=b"1"), timeout=3)
    print(i + 1)
    sys.exit(0)
print(1)
PY
}

case $mode in
node | mixed)
	k=$(lb_node)
	echo "the sticky balancer sends 127.0.0.1 to node $k (pid ${pids[$k]}): it is the one stopped"
	run all "${urls[@]}" --via "$LB_STICKY_URL" --kill "$k=${pids[$k]}"
	[ "$mode" = mixed ] && export ALLOW_SKIP=1
	check "$dir/all.json" "$rc" 0 ;;
no-sticky)
	run noup "${urls[@]}" --via "$LB_NOUPGRADE_URL" -c cluster.lb
	check "$dir/noup.json" "$rc" 1 cluster.lb.websocket@websocket=FAIL \
		cluster.lb.upgrade@polling=BLOCKED:cluster.lb.websocket@websocket \
		cluster.lb.idle@websocket=BLOCKED:cluster.lb.websocket@websocket || exit 1
	# every case, the stop included, through the round-robin balancer: only its case trips
	run rr "${urls[@]}" --via "$LB_RR_URL" --kill "1=${pids[1]}"
	check "$dir/rr.json" "$rc" 1 cluster.lb.sticky-polling@polling=FAIL \
		cluster.lb.upgrade@polling=BLOCKED:cluster.lb.sticky-polling@polling \
		cluster.lb.idle@polling=BLOCKED:cluster.lb.sticky-polling@polling ;;
partitioned)
	# two nodes on keys of their own: same Redis, no shared channel (RA-2, RA-3)
	for key in part-2 part-3; do
		node "$root/ci/cluster.d/node-subject.js" --redis "$REDIS_URL" --key "$key" --port 0 \
			--ping-interval 300 --ping-timeout 200 >"$dir/$key.log" 2>&1 &
		extra_pids+=($!)
	done
	for key in part-2 part-3; do
		for _ in $(seq 1 100); do grep -q '^listening on' "$dir/$key.log" && break; sleep 0.1; done
		urls+=("$(sed -n 's/^listening on //p' "$dir/$key.log")")
	done
	bad=()
	for c in broadcast.room broadcast.namespace broadcast.except rooms.remote-join \
		ack.server-side-emit ack.broadcast; do
		bad+=("cluster.$c@polling=FAIL" "cluster.$c@websocket=FAIL")
	done
	run part "${urls[@]}" -c cluster.node -c cluster.broadcast -c cluster.rooms -c cluster.ack
	check "$dir/part.json" "$rc" 1 "${bad[@]}" ;;
duplicate)
	node "$here/dup-relay.js" "$REDIS_URL" >"$dir/relay.log" 2>&1 &
	extra_pids+=($!)
	for _ in $(seq 1 100); do grep -q '^relaying' "$dir/relay.log" && break; sleep 0.1; done
	bad=()
	for c in broadcast.room broadcast.namespace broadcast.except rooms.remote-join; do
		bad+=("cluster.$c@polling=FAIL" "cluster.$c@websocket=FAIL")
	done
	run dup "${urls[@]}" -c cluster.node -c cluster.broadcast -c cluster.rooms -c cluster.ack
	check "$dir/dup.json" "$rc" 1 "${bad[@]}" || exit 1
	grep -q 'a duplicate delivery' "$dir/dup.log" || { echo "FAIL: no duplicate delivery named"; exit 1; } ;;
read-timeout)
	run idle "${urls[@]}" --via "$LB_STICKY_URL" -c cluster.lb
	check "$dir/idle.json" "$rc" 1 cluster.lb.idle@polling=FAIL cluster.lb.idle@websocket=FAIL ;;
esac
