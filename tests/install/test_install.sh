#!/usr/bin/env bash
# Installs libdtcp into a temporary prefix, then builds and runs an
# out-of-tree program with nothing but `pkg-config --cflags --libs libdtcp`.
set -euo pipefail
src=${DTCP_SOURCE_ROOT:?}
tmp=$(mktemp -d /tmp/dtcp-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" -Dtests=false >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; exit 1; }
ninja -C "$tmp/build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
meson install -C "$tmp/build" --quiet >/dev/null

pc=$(dirname "$(find "$tmp/prefix" -name libdtcp.pc | head -n1)")
[ -n "$pc" ] || { echo "libdtcp.pc not installed"; exit 1; }
for h in dtcp.h dtcp_config.h dtcp_counters.h dtcp_stack.h dtcp_version.h; do
	[ -f "$tmp/prefix/include/dtcp/$h" ] || { echo "header dtcp/$h not installed"; exit 1; }
done
export PKG_CONFIG_PATH=$pc
echo "pkg-config --cflags --libs libdtcp: $(pkg-config --cflags --libs libdtcp)"
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/hello_dtcp" "$src/tests/install/hello_dtcp.c" \
	$(pkg-config --cflags --libs libdtcp)
libdir=$(pkg-config --variable=libdir libdtcp)
out=$(LD_LIBRARY_PATH=$libdir "$tmp/hello_dtcp" 2>"$tmp/run.log") ||
	{ cat "$tmp/run.log"; echo "$out"; exit 1; }
echo "$out"
[ "$out" = "0.1.0 arp_tx_gratuitous=1" ] || { echo "unexpected output"; exit 1; }
# The shared object it ran against is the installed one.
# (ldd's output captured first: `ldd | grep -q` under pipefail fails when grep exits early.)
deps=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/hello_dtcp")
grep -q "$libdir/libdtcp.so" <<<"$deps" ||
	{ echo "not linked against the installed libdtcp:"; echo "$deps"; exit 1; }
echo "installed libdtcp works out of tree"
