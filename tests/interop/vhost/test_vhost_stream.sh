#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Reliable data transfer, dtcp to dtcp over vhost-user (no kernel on the path):
# a 1 GiB single-connection stream in each direction, every byte checked.
#
#   test_vhost_stream.sh [VHOST_STREAM_SINK [DTCP_PERF [DTCP_SERVER]]]
#   (meson passes all three; root needed, else exit 77)
#
# 0. Offloads: vhost_stream_sink --probe-offloads starts a net_vhost with the
#    devargs the test uses (tso=1: the backend offers TCP segmentation offload)
#    and attaches a virtio_user to it in the same process, then prints what
#    each PMD offers, TSO included (virtio_user offers it, net_vhost never
#    does). dtcp asks for TSO where offered ([portN] tso = auto): phase 1's
#    sender (virtio_user) must log TX TCP_TSO granted, net_vhost must have
#    agreed HOST_TSO4 (virtio feature bit 11), the sender must have sent TSO
#    frames (tcp_tx_tso_frames > 0) and the sink must have taken them whole:
#    net_vhost passes a TSO frame on uncut, as a chain of mbufs
#    (tcp_rx_large_frames > 0). Phase 2's sender is on net_vhost: no TSO.
# 1. dtcp-perf --test stream (virtio_user, lcore 0) writes 64 KiB chains into
#    one connection to vhost_stream_sink (a dtcp application on net_vhost,
#    lcore 1), which checks that byte i of the stream is i mod 251. Once the
#    sink has verified BYTES (1 GiB) the script sends dtcp-perf SIGINT: it
#    stops writing, closes (FIN after its queued data) and reports. Then:
#    every byte the sink read was right; the stream ended with a FIN, not a
#    reset; the sink read at least BYTES, and at least the bytes dtcp-perf's
#    stack reported acknowledged (an acknowledged byte that never reached the
#    application would be lost accepted data); and neither stack counted a
#    drop of accepted data (see "drops" below).
# 2. dtcp-server --mode http (net_vhost, lcore 1) answers GET /bytes/BYTES to
#    dtcp-perf --test crr --http (virtio_user, lcore 0), which reads until the
#    server closes and checks the Content-Length and every body byte (i mod
#    251): the other direction, with dtcp-server as the sender.
#
# Drops: every drop_* counter of both stacks must be 0, except
#   drop_arp_not_for_us   the other stack's gratuitous ARP (a request for its own address)
#   drop_tcp_ooo_full     receiver: an out-of-order segment refused because the
#                         reassembly queue is full; neither acknowledged nor SACKed, so
#                         the sender retransmits it
#   drop_tcp_duplicate    receiver: a segment whose data it already holds out of order
#   drop_tcp_unacceptable receiver: only as many as the duplicates of data already
#                         delivered (tcp_rx_dup_segments less drop_tcp_duplicate: a
#                         spurious retransmission); more would be data beyond the window
#   drop_tx_full          sender: the TX ring was full; the data stays in the send
#                         queue unacknowledged and is retransmitted
# Those are data the stack never accepted (or already had); they are printed for the
# record, with the retransmission and reassembly counters.
#
# Bounded: each phase's transfer must finish within XFER_S seconds (default 60);
# every process is stopped by PID. Memory: --no-huge, as in test_vhost.sh.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${DTCP_SOURCE_ROOT:-$(cd "$HERE/../../.." && pwd)}
BUILD=${DTCP_BUILD_ROOT:-$SRC/build}
SINK=${1:-$BUILD/tests/interop/vhost/vhost_stream_sink}
PERF=${2:-$BUILD/app/dtcp-perf/dtcp-perf}
SERVER=${3:-$BUILD/app/dtcp-server/dtcp-server}
TOPO=$SRC/tools/topo
PYTHON=/usr/bin/python3
BYTES=${DTCP_VHOST_STREAM_BYTES:-1073741824}
WRITE=65536
XFER_S=${DTCP_VHOST_STREAM_SECONDS:-60}
PERF_IP=198.18.23.1
STACK_IP=198.18.23.2
PORT=5001
NAME=vt$$ # tools/topo allows 10 characters
PROBE_NAME=vq$$
SERVER_PREFIX=vts$$
PERF_PREFIX=vtp$$
PROBE_PREFIX=vtq$$
MEM="--no-pci --no-huge -m 512"

TEST=test_vhost_stream
CLIENT_PREFIX=$PERF_PREFIX
# shellcheck source=tests/interop/vhost/vhost_common.sh
. "$HERE/vhost_common.sh"
vhost_require "$SINK" "$PERF" "$SERVER" "$TOPO" "$PYTHON"

perf_pid=
stream_cleanup() {
	if [ -n "$perf_pid" ] && kill -0 "$perf_pid" 2>/dev/null; then
		kill -KILL "$perf_pid" 2>/dev/null
		wait "$perf_pid" 2>/dev/null
	fi
	"$TOPO" vhost down "$PROBE_NAME" >/dev/null 2>&1
	rm -rf "/var/run/dpdk/$PROBE_PREFIX"
	vhost_cleanup
}
trap stream_cleanup EXIT

# Wait until FILE has a line matching the fixed string TEXT, PID is gone or
# SECONDS passed. Returns 0 only if the line came.
wait_line() { # FILE TEXT PID SECONDS
	local end=$((SECONDS + $4))
	while [ $SECONDS -lt $end ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.05
	done
	grep -qF -- "$2" "$1" 2>/dev/null
}

# Signal PID (a child of this shell) and wait for it, at most SECONDS, then SIGKILL.
# Sets stop_rc to its exit status, or "timeout".
stop_pid() { # PID SIGNAL SECONDS
	local i
	kill "-$2" "$1" 2>/dev/null
	for ((i = 0; i < $3 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		stop_rc=timeout
	else
		wait "$1"
		stop_rc=$?
	fi
}

# "  name value" / "name value" lines of FILE; 0 when absent.
counter() { # FILE NAME
	awk -v n="$2" '$1 == n && NF == 2 { v = $2 } END { print v + 0 }' "$1"
}

expect() { # WHAT VALUE OP WANT
	local good
	case $3 in
	==) good=$(($2 == $4)) ;;
	'>=') good=$(($2 >= $4)) ;;
	esac
	if [ "$good" = 1 ]; then
		ok "$1 = $2 ($3 $4)"
	else
		fail "$1 = $2, want $3 $4"
	fi
}

# Drop counters of one stack's counter block: all 0 but the tolerated ones.
check_drops() { # WHO FILE TOLERATED...
	local who=$1 file=$2 bad noted
	shift 2
	bad=$(awk -v tol=" $* " '$1 ~ /^drop_/ && NF == 2 && $2 != 0 && index(tol, " " $1 " ") == 0 {
		printf "%s%s=%s", sep, $1, $2; sep = " " }' "$file")
	noted=$(awk -v tol=" $* " '$1 ~ /^drop_/ && NF == 2 && $2 != 0 && index(tol, " " $1 " ") != 0 {
		printf "%s%s=%s", sep, $1, $2; sep = " " }' "$file")
	if [ -z "$bad" ]; then
		ok "$who: no drop of accepted data${noted:+ (not accepted, so resent: $noted)}"
	else
		fail "$who dropped: $bad"
	fi
	noted=$(awk '$1 ~ /^tcp_(tx_retransmits|fast_retransmits|recoveries|rto_expired|rx_ooo_segments|rx_dup_segments)$/ &&
		NF == 2 { printf "%s%s=%s", sep, $1, $2; sep = " " }' "$file")
	echo "  $who: ${noted:-no retransmission}"
}

status_is_0() { # WHO STATUS
	if [ "$2" = 0 ]; then
		ok "$1 exited 0"
	else
		fail "$1 exit status $2"
	fi
}

# drop_tcp_unacceptable is also where a duplicate of delivered data ends: allow those.
old_duplicates() { # WHO FILE
	local unacc dup held
	unacc=$(counter "$2" drop_tcp_unacceptable)
	dup=$(counter "$2" tcp_rx_dup_segments)
	held=$(counter "$2" drop_tcp_duplicate)
	if [ "$unacc" -le $((dup - held)) ]; then
		ok "$1: drop_tcp_unacceptable $unacc, all duplicates of delivered data ($dup duplicates, $held of queued data)"
	else
		fail "$1: drop_tcp_unacceptable $unacc > $((dup - held)) duplicates of delivered data: segments beyond the window"
	fi
}

no_rst() { # WHO FILE
	local tx rx
	tx=$(counter "$2" tcp_tx_rst)
	rx=$(counter "$2" tcp_rx_rst)
	if [ "$tx" = 0 ] && [ "$rx" = 0 ]; then
		ok "$1: no RST sent or received"
	else
		fail "$1: tcp_tx_rst $tx, tcp_rx_rst $rx (want 0, 0)"
	fi
}

# JSON field of dtcp-perf's one-line result.
json() { # FILE FIELD
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
v = json.loads(lines[-1]).get(sys.argv[2]) if lines else None
print(-1 if v is None else (len(v) if isinstance(v, dict) else v))
EOF
}

quiet() { grep -v -e '^EAL:' -e '^VHOST_CONFIG:' -e '^TELEMETRY:' "$@"; }

# ---- 0. what the PMDs offer -----------------------------------------------------------
if ! probe_out=$("$TOPO" vhost up "$PROBE_NAME"); then
	echo "$TEST: FAIL: tools/topo vhost up $PROBE_NAME"
	exit 1
fi
probe_dir=$(sed -n 's/.*iface=\([^,]*\)\/sock,.*/\1/p' <<<"$probe_out")
echo "$TEST: offload probe: net_vhost (tso=1) and virtio_user in one process"
# shellcheck disable=SC2086 # $MEM is words
timeout -k 5 30 "$SINK" -l 1 $MEM --file-prefix "$PROBE_PREFIX" \
	--vdev "net_vhost0,iface=$probe_dir/sock,queues=1,tso=1" -- --probe-offloads \
	--attach "virtio_user0,path=$probe_dir/sock,queues=1" >"$tmp/probe.log" 2>&1
probe_rc=$?
grep '^vhost_stream_sink: port' "$tmp/probe.log" | sed 's/^vhost_stream_sink: /  /'
"$TOPO" vhost down "$PROBE_NAME" >/dev/null 2>&1
if [ $probe_rc -eq 0 ] && grep -q 'port 1 (net_virtio_user) TSO offered' "$tmp/probe.log"; then
	ok "offload probe: both PMDs answered"
else
	fail "offload probe exited $probe_rc"
	quiet "$tmp/probe.log"
fi
tso_virtio=$(sed -n 's/.*(net_virtio_user) TSO offered: \([a-z]*\).*/\1/p' "$tmp/probe.log")
tso_vhost=$(sed -n 's/.*(net_vhost) TSO offered: \([a-z]*\).*/\1/p' "$tmp/probe.log")
echo "$TEST: TSO offered: virtio_user ${tso_virtio:-?}, net_vhost ${tso_vhost:-?}; dtcp requests it where offered"

vhost_topology_up
SERVER_VDEV="$SERVER_VDEV,tso=1"

# ---- 1. dtcp-perf --test stream -> vhost_stream_sink -----------------------------------
SERVER_READY='vhost_stream_sink: ready'
# shellcheck disable=SC2086
vhost_start_server taskset -c 1 "$SINK" -l 1 $MEM --file-prefix "$SERVER_PREFIX" \
	--vdev "$SERVER_VDEV" -- --addr "$STACK_IP/24" --listen "$PORT" --bytes "$BYTES"
sink_out=$tmp/server.out
sink_err=$tmp/server.err

echo "$TEST: dtcp-perf --test stream, $WRITE B writes, until the sink verified $BYTES B"
t0=$SECONDS
# shellcheck disable=SC2086
taskset -c 0 "$PERF" -l 0 $MEM --file-prefix "$PERF_PREFIX" --vdev "$PEER_VDEV" -- \
	--addr "$PERF_IP/24" --server "$STACK_IP:$PORT" --test stream --size "$WRITE" \
	--duration $((XFER_S + 30)) --json --stats >"$tmp/perf1.json" 2>"$tmp/perf1.err" &
perf_pid=$!
if wait_line "$sink_out" "vhost_stream_sink: reached $BYTES bytes" "$perf_pid" "$XFER_S"; then
	ok "sink verified $BYTES bytes within $XFER_S s ($((SECONDS - t0)) s with start-up)"
else
	fail "sink did not verify $BYTES bytes within $XFER_S s"
fi
stop_pid "$perf_pid" INT 20 # the first SIGINT: stop writing, close, report
perf_rc=$stop_rc
perf_pid=
wait_line "$sink_out" "vhost_stream_sink: FIN after" "$server_pid" 10
stop_pid "$server_pid" TERM 10
sink_rc=$stop_rc
server_pid=

echo "--- vhost_stream_sink"
cat "$sink_out" "$sink_err" | quiet
echo "--- dtcp-perf (stream)"
cat "$tmp/perf1.json"
quiet "$tmp/perf1.err"
echo "---"
echo "$TEST: offloads: what each stack asked for and got, and the virtio features agreed"
grep -h 'offload' "$tmp/perf1.err" | sed 's/^dtcp:/  dtcp-perf (virtio_user):/'
grep -h 'offload' "$sink_err" | sed 's/^dtcp:/  sink (net_vhost):/'
feat=$(sed -n 's/.*negotiated Virtio features: \(0x[0-9a-f]*\).*/\1/p' "$sink_err" | tail -n1)
if [ -n "$feat" ]; then
	# virtio 1.1 section 5.1.3: CSUM 0, GUEST_CSUM 1, GUEST_TSO4 7, HOST_TSO4 11.
	echo "  virtio features agreed: $feat: HOST_TSO4 $(((feat >> 11) & 1))," \
		"GUEST_TSO4 $(((feat >> 7) & 1)), CSUM $((feat & 1)), GUEST_CSUM $(((feat >> 1) & 1))"
	if [ $(((feat >> 11) & 1)) = 1 ]; then
		ok "HOST_TSO4 negotiated (dtcp-perf asked virtio_user for TSO)"
	else
		fail "HOST_TSO4 not negotiated"
	fi
else
	fail "no negotiated virtio features in the sink's log"
fi
if grep -q 'tx offload TCP_TSO .*granted' "$tmp/perf1.err"; then
	ok "dtcp-perf (virtio_user): TX TCP_TSO granted"
else
	fail "dtcp-perf (virtio_user): TX TCP_TSO not granted"
fi
tso_frames=$(counter "$tmp/perf1.err" tcp_tx_tso_frames)
tso_segs=$(counter "$tmp/perf1.err" tcp_tx_tso_segments)
large=$(counter "$sink_out" tcp_rx_large_frames)
echo "  sender: $tso_frames TSO frames for $tso_segs segments; receiver: $large large frames" \
	"of $(counter "$sink_out" tcp_rx_segments) segments"
expect "dtcp-perf tcp_tx_tso_frames" "$tso_frames" '>=' 1
expect "sink tcp_rx_large_frames (TSO frames taken whole)" "$large" '>=' 1

status_is_0 "dtcp-perf" "$perf_rc"
status_is_0 "sink (no wrong byte, one connection)" "$sink_rc"
verified=$(counter "$sink_out" sink_bytes_verified)
acked=$(json "$tmp/perf1.json" bytes_sent)
expect "sink_mismatches" "$(counter "$sink_out" sink_mismatches)" == 0
expect "sink_connections" "$(counter "$sink_out" sink_connections)" == 1
expect "sink_fins (stream ended by FIN)" "$(counter "$sink_out" sink_fins)" == 1
expect "sink_errors" "$(counter "$sink_out" sink_errors)" == 0
expect "sink_bytes_verified" "$verified" '>=' "$BYTES"
expect "sink_bytes_verified against the bytes dtcp-perf saw acknowledged ($acked)" \
	"$verified" '>=' "$acked"
echo "  (the $((verified - acked)) bytes beyond were queued, not yet acknowledged, when dtcp-perf stopped)"
expect "dtcp-perf errors_total" "$(json "$tmp/perf1.json" errors_total)" == 0
expect "dtcp-perf connections" "$(json "$tmp/perf1.json" connections)" == 1
check_drops "receiver (sink)" "$sink_out" drop_arp_not_for_us drop_tcp_ooo_full \
	drop_tcp_duplicate drop_tcp_unacceptable
old_duplicates "receiver (sink)" "$sink_out"
check_drops "sender (dtcp-perf)" "$tmp/perf1.err" drop_arp_not_for_us drop_tx_full
no_rst "receiver (sink)" "$sink_out"
no_rst "sender (dtcp-perf)" "$tmp/perf1.err"

# ---- 2. dtcp-server --mode http sends /bytes/BYTES -> dtcp-perf --http checks it --------
"$TOPO" vhost down "$NAME" >/dev/null 2>&1
rm -rf "/var/run/dpdk/$SERVER_PREFIX" "/var/run/dpdk/$PERF_PREFIX"
vhost_topology_up
SERVER_VDEV="$SERVER_VDEV,tso=1"
SERVER_READY='dtcp-server: ready'
# shellcheck disable=SC2086
vhost_start_server taskset -c 1 "$SERVER" -l 1 $MEM --file-prefix "$SERVER_PREFIX" \
	--vdev "$SERVER_VDEV" -- --addr "$STACK_IP/24" --listen "$PORT" --mode http
echo "$TEST: dtcp-perf --test crr --http /bytes/$BYTES (the server sends, dtcp-perf checks)"
t0=$SECONDS
# shellcheck disable=SC2086
timeout -k 5 $((XFER_S + 20)) taskset -c 0 "$PERF" -l 0 $MEM --file-prefix "$PERF_PREFIX" \
	--vdev "$PEER_VDEV" -- --addr "$PERF_IP/24" --server "$STACK_IP:$PORT" --test crr \
	--http "/bytes/$BYTES" --count 1 --concurrency 1 --duration "$XFER_S" --json --stats \
	>"$tmp/perf2.json" 2>"$tmp/perf2.err"
perf_rc=$?
took=$((SECONDS - t0))
stop_pid "$server_pid" TERM 10
server_rc=$stop_rc
server_pid=
echo "--- dtcp-perf (http)"
cat "$tmp/perf2.json"
quiet "$tmp/perf2.err"
echo "--- dtcp-server"
cat "$tmp/server.out"
echo "---"
status_is_0 "dtcp-perf ($took s)" "$perf_rc"
status_is_0 "dtcp-server" "$server_rc"
expect "dtcp-perf transactions (body length and every byte checked)" \
	"$(json "$tmp/perf2.json" transactions)" == 1
expect "dtcp-perf errors_total" "$(json "$tmp/perf2.json" errors_total)" == 0
expect "dtcp-perf bytes_received (head + body)" "$(json "$tmp/perf2.json" bytes_received)" \
	'>=' "$BYTES"
expect "dtcp-server http_requests" "$(counter "$tmp/server.out" http_requests)" == 1
expect "dtcp-server bytes_sent" "$(counter "$tmp/server.out" bytes_sent)" '>=' "$BYTES"
expect "dtcp-server conns_error" "$(counter "$tmp/server.out" conns_error)" == 0
check_drops "sender (dtcp-server)" "$tmp/server.out" drop_arp_not_for_us drop_tx_full
check_drops "receiver (dtcp-perf)" "$tmp/perf2.err" drop_arp_not_for_us drop_tcp_ooo_full \
	drop_tcp_duplicate drop_tcp_unacceptable
old_duplicates "receiver (dtcp-perf)" "$tmp/perf2.err"
no_rst "sender (dtcp-server)" "$tmp/server.out"
no_rst "receiver (dtcp-perf)" "$tmp/perf2.err"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
