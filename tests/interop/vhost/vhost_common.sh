# shellcheck shell=bash
# Shared by the vhost-user tests (sourced, not run). Before sourcing, set:
#   TEST      name used in messages, e.g. test_vhost
#   TOPO      tools/topo;  NAME  its topology name (at most 10 characters)
#   SERVER_PREFIX, CLIENT_PREFIX   --file-prefix of the two DPDK processes
# Provides ok/fail counters, a temp dir $tmp cleaned up on exit with the
# topology and both runtime dirs, and:
#   vhost_require FILE...      skip (77) unless root, fail unless FILEs are executable
#   vhost_topology_up          sets SERVER_VDEV and PEER_VDEV
#   vhost_start_server CMD...  runs CMD in the background (stdout/stderr in
#                              $tmp/server.{out,err}), waits for its ready line
#                              (15 s at most; the line is $SERVER_READY, by
#                              default 'dtcp-server: ready') and sets server_pid

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok   $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL $*"
}

vhost_require() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$TEST: SKIP: needs root (vhost-user socket, DPDK runtime dirs)"
		exit 77
	fi
	for f in "$@"; do
		if [ ! -x "$f" ]; then
			echo "$TEST: FAIL: $f missing or not executable"
			exit 1
		fi
	done
}

tmp=$(mktemp -d "/tmp/dtcp-$TEST.XXXXXX")
server_pid=
vhost_cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -KILL "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	"$TOPO" vhost down "$NAME" >/dev/null 2>&1
	rm -rf "$tmp" "/var/run/dpdk/$SERVER_PREFIX" "/var/run/dpdk/$CLIENT_PREFIX"
}
trap vhost_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

vhost_topology_up() {
	local topo_out kv

	if ! topo_out=$("$TOPO" vhost up "$NAME"); then
		echo "$TEST: FAIL: tools/topo vhost up $NAME"
		exit 1
	fi
	SERVER_VDEV='' PEER_VDEV=''
	for kv in $topo_out; do
		case $kv in
		SERVER_VDEV=*) SERVER_VDEV=${kv#SERVER_VDEV=} ;;
		PEER_VDEV=*) PEER_VDEV=${kv#PEER_VDEV=} ;;
		esac
	done
	if [ -z "$SERVER_VDEV" ] || [ -z "$PEER_VDEV" ]; then
		echo "$TEST: FAIL: cannot parse topo output: $topo_out"
		exit 1
	fi
	echo "$TEST: server vdev $SERVER_VDEV"
	echo "$TEST: client vdev $PEER_VDEV"
}

vhost_start_server() {
	local ready=0

	"$@" >"$tmp/server.out" 2>"$tmp/server.err" &
	server_pid=$!
	for _ in $(seq 300); do # 300 x 50 ms = 15 s
		if grep -qxF "${SERVER_READY:-dtcp-server: ready}" "$tmp/server.out"; then
			ready=1
			break
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ $ready -ne 1 ]; then
		fail "${SERVER_READY:-dtcp-server: ready} within 15 s"
		echo "--- server stdout"; cat "$tmp/server.out"
		echo "--- server stderr"; cat "$tmp/server.err"
		echo "$passed passed, $failed failed"
		exit 1
	fi
	ok "${SERVER_READY:-dtcp-server: ready}"
}
