#!/usr/bin/env bash
# dtcp-lb's start-up contract: a bad [lb] key or option stops it with exit 1 and
# "lb:key: reason" / "--option: reason" on stderr; a good configuration prints
# "dtcp-lb: ready", and SIGTERM ends it with exit 0, the stack's counters and, last,
# one JSON line {"lb": {...}, "backends": [...]}.
set -uo pipefail
lb=${1:?usage: $0 DTCP_LB}
tmp=$(mktemp -d /tmp/dtcp-lb-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
eal=(-l 0 --no-pci --no-huge -m 128 --no-shconf --no-telemetry --log-level=lib.eal:error)
base=$'[port0]\naddress = 198.18.60.2/24\nmac = 02:00:00:00:00:02\n'

# expect_error NAME EXPECTED-STDERR-LINE [args after --] ; [lb] lines on stdin
expect_error() {
	local name=$1 want=$2
	shift 2
	{ printf '%s' "$base"; cat; } >"$tmp/$name.ini"
	"$lb" "${eal[@]}" --vdev net_ring0 -- --config "$tmp/$name.ini" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -ne 1 ] || ! grep -qxF "dtcp-lb: $want" "$tmp/err"; then
		echo "FAIL $name: exit $rc, stderr:"; sed 's/^/    /' "$tmp/err"
		echo "    wanted: dtcp-lb: $want"
		fail=1
	else
		echo "ok   $name"
	fi
}

expect_error no_listen "--listen: required (or [lb] listen)" <<<$'[lb]\nbackends = 198.18.60.1:80'
expect_error bad_rise "lb:health_rise: '0' is not a whole number in 1..100" \
	<<<$'[lb]\nlisten = 80\nbackends = 198.18.60.1:80\nhealth_rise = 0'
expect_error unknown_lb_key "lb:weight: unknown key" <<<$'[lb]\nweight = 3'
expect_error bad_policy_cli "--policy: 'random' is not maglev or roundrobin" \
	--policy random <<<$'[lb]\nlisten = 80\nbackends = 198.18.60.1:80'
expect_error timeout_over_interval \
	"--health-timeout: 3000 ms is longer than the health interval (1000 ms)" \
	--health-timeout 3000 <<<$'[lb]\nlisten = 80\nbackends = 198.18.60.1:80'
expect_error bad_backend "--backend: '198.18.60.1' has no port (IP:PORT)" \
	--listen 80 --backend 198.18.60.1 <<<""
expect_error stack_key "tcp:max_conns: '1' is not an integer in [16, 16777216]" \
	--listen 80 --backend 198.18.60.1:80 <<<$'[tcp]\nmax_conns = 1'

# Good: ready, then SIGTERM -> exit 0, counters, and a JSON line last.
printf '%s[lb]\nlisten = 80\nbackends = 198.18.60.1:80, 198.18.60.3:80\n' "$base" >"$tmp/good.ini"
mkfifo "$tmp/fifo"
"$lb" "${eal[@]}" -m 256 --vdev net_ring0 -- --config "$tmp/good.ini" --policy roundrobin \
	>"$tmp/fifo" 2>"$tmp/err" &
pid=$!
exec 3<"$tmp/fifo"
ready=0
: >"$tmp/out"
while IFS= read -r -t 10 line <&3; do
	echo "$line" >>"$tmp/out"
	[ "$line" = "dtcp-lb: ready" ] && { ready=1; break; }
done
if [ "$ready" -ne 1 ]; then
	echo "FAIL ready: no ready line in 10 s"; cat "$tmp/err"; kill "$pid" 2>/dev/null; fail=1
else
	kill -TERM "$pid"
	cat <&3 >>"$tmp/out"
	wait "$pid"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -qx "dtcp-lb: final counters" "$tmp/out" &&
		tail -n 1 "$tmp/out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["lb"]["payload_copies"] == 0 and "accepted" in d["lb"] and "no_backend" in d["lb"]
b = d["backends"]
assert [(x["addr"], x["port"]) for x in b] == [("198.18.60.1", 80), ("198.18.60.3", 80)]
for x in b:
    assert x["state"] in ("up", "down")
    for k in ("active", "total", "bytes_to_backend", "bytes_to_client", "checks_ok",
              "checks_failed", "connect_failed"):
        assert isinstance(x[k], int), k
'; then
		echo "ok   ready_and_clean_stop"
	else
		echo "FAIL ready_and_clean_stop: exit $rc"; cat "$tmp/out" "$tmp/err"; fail=1
	fi
fi
exec 3<&-
exit $fail
