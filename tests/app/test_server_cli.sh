#!/usr/bin/env bash
# dtcp-server's start-up contract: bad configuration stops it with exit 1 and
# "section:key: reason" on stderr; a good one prints "dtcp-server: ready",
# and SIGTERM ends it with exit 0 and its final counters.
set -uo pipefail
server=${1:?usage: $0 DTCP_SERVER}
tmp=$(mktemp -d /tmp/dtcp-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
eal=(-l 0 --no-pci --no-huge -m 128 --no-shconf --no-telemetry --log-level=lib.eal:error)

# expect_error NAME EXPECTED-STDERR-LINE [server args after --] ; config text on stdin
expect_error() {
	local name=$1 want=$2
	shift 2
	cat >"$tmp/$name.ini"
	"$server" "${eal[@]}" --vdev net_ring0 -- --config "$tmp/$name.ini" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -ne 1 ] || ! grep -qxF "dtcp-server: $want" "$tmp/err"; then
		echo "FAIL $name: exit $rc, stderr:"; sed 's/^/    /' "$tmp/err"
		echo "    wanted: dtcp-server: $want"
		fail=1
	else
		echo "ok   $name"
	fi
}

expect_error unknown_key "stack:bogus: unknown key" <<<$'[stack]\nbogus = 1'
expect_error unknown_section \
	"netdev:*: unknown section (expected [stack], [tcp] or [port0]..[port7])" <<<$'[netdev]\nx = 1'
expect_error bad_burst "stack:burst_size: '0' is not an integer in [1, 512]" \
	<<<$'[stack]\nburst_size = 0'
expect_error bad_address \
	"port0:address: '198.18.0.2' is not an IPv4 address/prefix such as 198.18.0.2/24" \
	<<<$'[port0]\naddress = 198.18.0.2'
expect_error no_address \
	"port0:address: no port has an address (set one in the config or with --addr)" <<<""
expect_error gateway_off_link "port0:gateway: not inside address's prefix" \
	<<<$'[port0]\naddress = 198.18.0.2/24\ngateway = 198.19.0.1'
expect_error cli_overrides_file "port0:address: 'nonsense' is not an IPv4 address/prefix such as 198.18.0.2/24" \
	--addr nonsense <<<$'[port0]\naddress = 198.18.0.2/24'

# A port with no MAC (net_ring) and no [port0] mac: refused by the stack.
printf '[port0]\naddress = 198.18.0.2/24\n' >"$tmp/nomac.ini"
if "$server" "${eal[@]}" --vdev net_ring0 -- --config "$tmp/nomac.ini" >"$tmp/out" 2>"$tmp/err" ||
	! grep -q "port 0: device has no MAC address: set one with \[port0\] mac" "$tmp/err"; then
	echo "FAIL no_mac"; sed 's/^/    /' "$tmp/err"; fail=1
else
	echo "ok   no_mac"
fi

# Too few mbufs for the rings.
printf '[stack]\nmbuf_pool_size = 1024\nmbuf_cache_size = 32\n[port0]\naddress = 198.18.0.2/24\nmac = 02:00:00:00:00:02\n' >"$tmp/pool.ini"
if "$server" "${eal[@]}" --vdev net_ring0 -- --config "$tmp/pool.ini" >"$tmp/out" 2>"$tmp/err" ||
	! grep -q "stack:mbuf_pool_size: 1024 mbufs cannot fill 1 port(s) x 1 lcore(s)" "$tmp/err"; then
	echo "FAIL pool_too_small"; sed 's/^/    /' "$tmp/err"; fail=1
else
	echo "ok   pool_too_small"
fi

# Good config: ready, then SIGTERM -> exit 0 with its counter report.
printf '[port0]\naddress = 198.18.0.2/24\nmac = 02:00:00:00:00:02\n' >"$tmp/good.ini"
mkfifo "$tmp/fifo"
"$server" "${eal[@]}" -m 256 --vdev net_ring0 -- --config "$tmp/good.ini" >"$tmp/fifo" 2>"$tmp/err" &
pid=$!
exec 3<"$tmp/fifo"
ready=0
while IFS= read -r -t 10 line <&3; do
	echo "$line" >>"$tmp/out"
	[ "$line" = "dtcp-server: ready" ] && { ready=1; break; }
done
if [ "$ready" -ne 1 ]; then
	echo "FAIL ready: no ready line in 10 s"; cat "$tmp/err"; kill "$pid" 2>/dev/null; fail=1
else
	kill -TERM "$pid"
	cat <&3 >>"$tmp/out"
	wait "$pid"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -qx "dtcp-server: final counters" "$tmp/out"; then
		echo "ok   ready_and_clean_stop"
	else
		echo "FAIL ready_and_clean_stop: exit $rc"; cat "$tmp/out" "$tmp/err"; fail=1
	fi
fi
exec 3<&-
exit $fail
