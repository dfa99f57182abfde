#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dtcp to dtcp over vhost-user: dtcp-perf --test crr --verify against dtcp-server
# --mode echo.
#
#   test_vhost_crr.sh [DTCP_SERVER [DTCP_PERF]]   (meson passes both; root needed, else 77)
#
# dtcp-server drives net_vhost in server mode (it creates the socket) on lcore 1 and
# listens on port 7; dtcp-perf drives virtio_user (it connects) on lcore 0. Neither
# is told the other's MAC: each stack uses its device's MAC and resolves the other
# with ARP (both MACs are printed from the logs for the record). Memory: --no-huge
# for both, as in test_vhost.sh. Every DPDK process gets --no-pci and its own
# --file-prefix.
#
# Asserts: dtcp-perf exits 0; its JSON result has COUNT transactions and COUNT
# connections (crr, 1 KiB requests, concurrency 4) and 0 errors, and COUNT x 1 KiB
# read back, every byte checked by --verify; the server exits 0 on SIGTERM and its
# counters show COUNT passive opens, COUNT connections accepted and released, no
# connection error, COUNT x 1 KiB echoed, and no TCP checksum drop or RST sent.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${DTCP_SOURCE_ROOT:-$(cd "$HERE/../../.." && pwd)}
BUILD=${DTCP_BUILD_ROOT:-$SRC/build}
SERVER=${1:-$BUILD/app/dtcp-server/dtcp-server}
PERF=${2:-$BUILD/app/dtcp-perf/dtcp-perf}
TOPO=$SRC/tools/topo
PYTHON=/usr/bin/python3
COUNT=${DTCP_VHOST_CRR_COUNT:-500}
SIZE=1024
PERF_IP=198.18.21.1
STACK_IP=198.18.21.2
PORT=7
NAME=vc$$ # tools/topo allows 10 characters
SERVER_PREFIX=vcs$$
PERF_PREFIX=vcp$$

TEST=test_vhost_crr
CLIENT_PREFIX=$PERF_PREFIX
# shellcheck source=tests/interop/vhost/vhost_common.sh
. "$HERE/vhost_common.sh"
vhost_require "$SERVER" "$PERF" "$TOPO" "$PYTHON"
vhost_topology_up

# The server: net_vhost in server mode creates the socket before "ready".
vhost_start_server taskset -c 1 "$SERVER" -l 1 --no-pci --no-huge -m 512 \
	--file-prefix "$SERVER_PREFIX" --vdev "$SERVER_VDEV" -- --addr "$STACK_IP/24" \
	--listen "$PORT" --mode echo

echo "test_vhost_crr: dtcp-perf crr --verify, $COUNT transactions of $SIZE B, concurrency 4"
timeout -k 5 90 taskset -c 0 "$PERF" -l 0 --no-pci --no-huge -m 256 --file-prefix "$PERF_PREFIX" \
	--vdev "$PEER_VDEV" -- --addr "$PERF_IP/24" --server "$STACK_IP:$PORT" --test crr \
	--verify --size "$SIZE" --count "$COUNT" --concurrency 4 --duration 60 --json --stats \
	>"$tmp/perf.json" 2>"$tmp/perf.err"
perf_rc=$?
echo "--- dtcp-perf result"
cat "$tmp/perf.json"
echo "--- dtcp-perf stderr (EAL/PMD lines dropped)"
grep -v -e '^EAL:' -e '^VHOST_CONFIG:' -e '^TELEMETRY:' "$tmp/perf.err"
echo "---"
if [ $perf_rc -eq 0 ]; then
	ok "dtcp-perf exited 0"
else
	fail "dtcp-perf exited $perf_rc"
fi

# Each device's MAC, from each stack's log, for the record.
for who in server perf; do
	mac=$(sed -n 's/^dtcp: port 0 ([^)]*): \([0-9A-Fa-f:]\{17\}\), .*/\1/p' "$tmp/$who.err" |
		head -n1)
	echo "test_vhost_crr: $who MAC ${mac:-unknown}"
done

# JSON field checks (python3 for the parsing; the exit status says whether they hold).
if "$PYTHON" - "$tmp/perf.json" "$COUNT" "$SIZE" <<'EOF'; then
import json, sys
path, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = [l for l in open(path) if l.startswith("{")]
if not lines:
    sys.exit("no JSON result")
r = json.loads(lines[-1])
bad = []
for key, want in (("test", "crr"), ("transactions", count), ("connections", count),
                  ("errors_total", 0), ("errors", {}), ("bytes_sent", count * size),
                  ("bytes_received", count * size)):
    if r.get(key) != want:
        bad.append(f"{key} = {r.get(key)!r}, want {want!r}")
if bad:
    sys.exit("; ".join(bad))
print(f"{r['transactions']} transactions, {r['transactions_per_s']:.0f}/s, "
      f"p50 {r['latency_us']['p50']:.0f} us")
EOF
	ok "dtcp-perf result: $COUNT transactions, $COUNT connections, 0 errors, all bytes verified"
else
	fail "dtcp-perf result fields (see above)"
fi

# Stop the server by PID and wait for it, bounded.
kill -TERM "$server_pid" 2>/dev/null
exited=0
for _ in $(seq 200); do # 200 x 50 ms = 10 s
	if ! kill -0 "$server_pid" 2>/dev/null; then
		exited=1
		break
	fi
	sleep 0.05
done
if [ $exited -eq 1 ]; then
	wait "$server_pid"
	server_rc=$?
else
	kill -KILL "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_rc=timeout
fi
server_pid=
if [ "$server_rc" = 0 ]; then
	ok "dtcp-server exited 0 on SIGTERM"
else
	fail "dtcp-server exit status on SIGTERM: $server_rc (want 0)"
	echo "--- dtcp-server stderr"; cat "$tmp/server.err"
fi
echo "--- dtcp-server stdout"
cat "$tmp/server.out"
echo "---"

counter() {
	awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$tmp/server.out"
}
expect() { # NAME == VALUE
	local v
	v=$(counter "$1")
	if [ "$v" = "$3" ]; then
		ok "server counter $1 = $v"
	else
		fail "server counter $1 = $v, want $2 $3"
	fi
}
expect tcp_passive_opens == "$COUNT"
expect tcp_established == "$COUNT"
expect conns_accepted == "$COUNT"
expect conns_released == "$COUNT"
expect conns_error == 0
expect bytes_received == $((COUNT * SIZE))
expect bytes_sent == $((COUNT * SIZE))
expect drop_tcp_bad_checksum == 0
expect tcp_tx_rst == 0

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
