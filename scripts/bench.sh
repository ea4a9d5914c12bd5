#!/usr/bin/env bash
# Benchmarks edfs on this machine: starts a server (-Xmx256m) on a fresh data folder, runs
# `edfs bench` from a client (-Xmx256m) against it, then prints both processes' peak memory.
# Extra arguments go to `edfs bench` (e.g. --size-mib 256 --files 500 --entries 2000).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
work=$(mktemp -d /tmp/edfs-bench.XXXXXX)
port=${EDFS_BENCH_PORT:-18743}
trap 'kill "$server_pid" 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${EDFS_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

"$root/edfs" --version >/dev/null # builds on first use, outside the measurement
EDFS_JAVA_OPTS="-Xmx256m" "$root/edfs" server --data "$work/data" --port "$port" >"$work/server.log" 2>&1 &
launcher_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/server.log" 2>/dev/null && break
  sleep 0.2
done
server_pid=$(pgrep -f -- "--data $work/data" | head -1)

EDFS_HOME="$work/home" EDFS_JAVA_OPTS="-Xmx256m" \
  "$root/edfs" bench --server "https://127.0.0.1:$port" "$@"

hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
echo "server peak: RSS $((hwm / 1024)) MiB (-Xmx256m)"
kill "$server_pid" "$launcher_pid" 2>/dev/null || true
