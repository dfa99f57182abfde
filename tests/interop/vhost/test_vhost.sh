#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# virtio_user <-> vhost-user interop test.
#
#   test_vhost.sh [DTCP_SERVER [VHOST_PEER]]   (meson passes both; root needed, else exit 77)
#
# dtcp-server drives net_vhost in server mode (it creates the socket) on lcore 1;
# vhost_peer drives virtio_user (it connects) on lcore 0 and checks the stack's
# gratuitous ARP, an ARP reply and N echo replies byte for byte. Then the server
# gets SIGTERM; it must exit 0 and its final counters must match what the peer
# did. The offloads each PMD granted are printed for the record.
#
# Memory: both processes run with --no-huge. virtio_user must hand the backend
# its memory as file descriptors (VHOST_USER_SET_MEM_TABLE), and with --no-huge
# EAL backs its memory with a memfd (MAP_SHARED), so that works: the server logs
# "guest memory region size: 0x10000000" for the peer's -m 256. net_vhost only
# maps the peer's memory and copies into its own mbufs, so the server's memory
# need not be shareable. No hugepage mount or reservation is needed; if a DPDK
# build ever lacks memfd support, run both with hugepages instead (mount
# hugetlbfs on /dev/hugepages, dpdk-hugepages.py --setup 1G, drop --no-huge).
#
# Every DPDK process gets --no-pci (the VM's own NIC is never touched) and its
# own --file-prefix.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${DTCP_SOURCE_ROOT:-$(cd "$HERE/../../.." && pwd)}
BUILD=${DTCP_BUILD_ROOT:-$SRC/build}
SERVER=${1:-$BUILD/app/dtcp-server/dtcp-server}
PEER=${2:-$BUILD/tests/interop/vhost/vhost_peer}
TOPO=$SRC/tools/topo
COUNT=${DTCP_VHOST_COUNT:-100}
SEED=${DTCP_VHOST_SEED:-0x7e57da7a5eed}
PEER_IP=198.18.20.1
STACK_IP=198.18.20.2
NAME=vh$$ # tools/topo allows 10 characters
SERVER_PREFIX=vhs$$
PEER_PREFIX=vhp$$

TEST=test_vhost
CLIENT_PREFIX=$PEER_PREFIX
# shellcheck source=tests/interop/vhost/vhost_common.sh
. "$HERE/vhost_common.sh"
vhost_require "$SERVER" "$PEER" "$TOPO"
vhost_topology_up

# The stack: net_vhost in server mode creates the socket before "ready".
vhost_start_server "$SERVER" -l 1 --no-pci --no-huge -m 512 --file-prefix "$SERVER_PREFIX" \
	--vdev "$SERVER_VDEV" -- --addr "$STACK_IP/24"

# The stack's MAC, from its own log, so the peer checks the ARP frames against
# an address it did not learn from those same frames.
stack_mac=$(sed -n 's/^dtcp: port 0 ([^)]*): \([0-9A-Fa-f:]\{17\}\), .*/\1/p' "$tmp/server.err" | head -n1)
peer_mac_arg=()
if [ -n "$stack_mac" ]; then
	ok "stack MAC from the server log: $stack_mac"
	peer_mac_arg=(--target-mac "$stack_mac")
else
	fail "stack MAC from the server log (line 'dtcp: port 0 (DRIVER): MAC, ...'); peer learns it from the gratuitous ARP"
fi

echo "test_vhost: running vhost_peer ($COUNT echo requests, seed $SEED)"
timeout -k 5 90 "$PEER" -l 0 --no-pci --no-huge -m 256 --file-prefix "$PEER_PREFIX" \
	--vdev "$PEER_VDEV" -- --peer-ip "$PEER_IP" --target-ip "$STACK_IP" \
	--count "$COUNT" --seed "$SEED" "${peer_mac_arg[@]}" >"$tmp/peer.log" 2>&1
peer_rc=$?
echo "--- vhost_peer output (EAL/PMD lines dropped)"
grep -v -e '^EAL:' -e '^VHOST_CONFIG:' -e '^TELEMETRY:' "$tmp/peer.log"
echo "---"
if [ $peer_rc -eq 0 ]; then
	ok "vhost_peer: all byte-exact checks passed"
else
	fail "vhost_peer exited $peer_rc"
	echo "--- vhost_peer full output"; cat "$tmp/peer.log"
fi

# Stop the stack by PID and wait for it, bounded.
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

echo "--- offloads granted"
echo "net_vhost (dtcp-server; the stack asks for these and logs the outcome):"
grep -e 'offload' -e 'RSS' "$tmp/server.err" | sed 's/^/  /'
grep -e 'negotiated Virtio features' -e 'csum' "$tmp/server.err" | sort -u | sed 's/^/  /'
echo "virtio_user (vhost_peer, what the PMD offers; the peer requests none):"
grep -e 'offload capa' "$tmp/peer.log" | sed 's/^vhost_peer: virtio_user /  /'
echo "--- dtcp-server stdout"
cat "$tmp/server.out"
echo "---"

counter() {
	awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$tmp/server.out"
}
expect() { # NAME == | >= VALUE
	local v good
	v=$(counter "$1")
	case $2 in
	==) good=$((v == $3)) ;;
	'>=') good=$((v >= $3)) ;;
	esac
	if [ "$good" = 1 ]; then
		ok "counter $1 = $v ($2 $3)"
	else
		fail "counter $1 = $v, want $2 $3"
	fi
}
if grep -qx 'dtcp-server: final counters' "$tmp/server.out"; then
	ok "dtcp-server printed its final counters"
else
	fail "dtcp-server printed no final counters"
fi
expect arp_tx_gratuitous == 1
expect arp_rx_requests == 1
expect arp_tx_replies '>=' 1
expect icmp_rx_echo_requests == "$COUNT"
expect icmp_tx_echo_replies == "$COUNT"
drops=$(awk '$1 ~ /^drop_/ && $2 != 0 { printf "%s%s=%s", sep, $1, $2; sep = " " }' "$tmp/server.out")
if [ -z "$drops" ]; then
	ok "no drop_ counter is non-zero"
else
	fail "the stack dropped packets: $drops"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
