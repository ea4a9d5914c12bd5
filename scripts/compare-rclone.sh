#!/usr/bin/env bash
# Side-by-side benchmark of the edfs command line against rclone's crypt remote, on this machine.
#
# Starts an edfs server on a fresh temporary data folder and signs up a throwaway user; starts
# `rclone serve webdav` on a temporary folder and puts a crypt remote (generated passwords) over
# a webdav remote pointing at it, in a private temporary RCLONE_CONFIG. Then runs the same work
# through both, every command a fresh process as a user types it:
#   1. upload of one big file              edfs put FILE /big.bin      rclone copyto FILE crypt:big.bin
#   2. download of it                      edfs get /big.bin OUT       rclone copyto crypt:big.bin OUT
#   3. a tree of small files (4 KiB) up    edfs put -r DIR /small      rclone copy DIR crypt:small --transfers 8
#   4. listing that folder (hyperfine)     edfs ls /small              rclone lsf crypt:small
#   5. second sync of the unchanged tree   edfs sync DIR edfs:/small  rclone sync DIR crypt:small
#   6. short edfs commands (hyperfine)     edfs whoami, edfs --version, edfs stat /big.bin
# Big transfers, the tree upload and the sync are timed once each with bash's clock; rows 4 and 6
# are medians of 5 hyperfine runs after 1 warm-up. Prints a header, a Markdown table that can go
# into README.md as is, and one line per row saying whether edfs is ahead. Progress goes to
# standard error, the report to standard output.
#
# Usage: scripts/compare-rclone.sh [--size-mib N] [--files N] [--keep]
#   --size-mib N   size of the big file in MiB (default 1024)
#   --files N      number of 4 KiB files in the tree (default 2000)
#   --keep         leave the temporary folder (data, logs, configs) in place
# Quick run: scripts/compare-rclone.sh --size-mib 64 --files 200
# Needs rclone and hyperfine (installed with apt-get when missing and run as root, or with sudo).
# Takes 3 to 5 minutes at the default sizes on a 2-core machine; needs about 4 x --size-mib of
# free space under ${TMPDIR:-/tmp}.
set -euo pipefail
export LC_ALL=C # a '.' decimal point in EPOCHREALTIME and awk

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
edfs="$root/edfs"

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; }
bad_usage() { # MESSAGE
  echo "compare-rclone: $1" >&2
  usage | sed -n '/^Usage:/,/^Quick run:/p' >&2
  exit 2
}

size_mib=1024
files=2000
keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) size_mib=${2:-}; shift 2 || bad_usage "--size-mib needs a number" ;;
    --size-mib=*) size_mib=${1#*=}; shift ;;
    --files) files=${2:-}; shift 2 || bad_usage "--files needs a number" ;;
    --files=*) files=${1#*=}; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bad_usage "unknown argument: $1" ;;
  esac
done
for n in "$size_mib" "$files"; do
  case "$n" in
    '' | *[!0-9]* | 0*) bad_usage "--size-mib and --files take a positive whole number" ;;
  esac
done

say() { echo "compare-rclone: $*" >&2; }
die() { say "$*"; exit 1; }

# Tools: rclone and hyperfine from the distribution when missing.
need() {
  command -v "$1" >/dev/null 2>&1 && return
  say "installing $1 (apt-get)..."
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y "$1" >/dev/null 2>&1 \
    || { "${sudo[@]}" apt-get update >/dev/null 2>&1 && "${sudo[@]}" apt-get install -y "$1" >/dev/null 2>&1; } \
    || die "$1 is missing and could not be installed; install it (apt-get install $1) and run again"
}
need rclone
need hyperfine

# Nothing from the caller's environment steers either side: no other database or block store
# for the server, no other rclone configuration or flags.
unset EDFS_DB EDFS_BLOCKS EDFS_FAILOVER EDFS_PASSWORD EDFS_SERVER EDFS_HOME
while read -r v; do unset "$v"; done < <(compgen -e | grep '^RCLONE_' || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/edfs-vs-rclone.XXXXXX")
edfs_pid=
rclone_pid=
stop() { # PID: TERM, then KILL after 10 s
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  set +e
  stop "$edfs_pid"
  stop "$rclone_pid"
  if [ -n "$keep" ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/logs"

need_mib=$((size_mib * 4 + files * 4 * 4 / 1024 + 100))
avail_mib=$(($(df -Pk "$work" | awk 'NR == 2 {print $4}') / 1024))
[ "$avail_mib" -ge "$need_mib" ] || die "$work has $avail_mib MiB free; this run needs about $need_mib MiB"

# Helpers.
now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
elapsed= # seconds taken by the last `timed`
timed() { # NAME COMMAND...: runs COMMAND once, output into logs/NAME.log; sets elapsed
  local log="$work/logs/$1.log" t0 t1
  shift
  t0=$(now)
  "$@" >"$log" 2>&1 || { cat "$log" >&2; die "failed: $*"; }
  t1=$(now)
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}
quiet() { # NAME COMMAND...: runs COMMAND untimed, output into logs/NAME.log
  local log="$work/logs/$1.log"
  shift
  "$@" >"$log" 2>&1 || { cat "$log" >&2; die "failed: $*"; }
}
medians=() # the medians (seconds) of the last `bench`, in the order of its commands
bench() { # NAME COMMAND...: hyperfine, each COMMAND an argument vector as one quoted string
  local name=$1
  shift
  hyperfine -N --warmup 1 --runs 5 --style basic --export-json "$work/logs/$name.json" "$@" \
    >"$work/logs/$name.log" 2>&1 || { cat "$work/logs/$name.log" >&2; die "hyperfine failed: $name"; }
  mapfile -t medians < <(grep -o '"median": *[-0-9.eE+]*' "$work/logs/$name.json" | sed 's/.*: *//')
  [ "${#medians[@]}" -eq $# ] || die "could not read the medians from $work/logs/$name.json"
}
cmdline() { # ARG...: one string hyperfine -N splits back into ARG...
  local out='' a
  for a in "$@"; do out+="${out:+ }$(printf '%q' "$a")"; done
  echo "$out"
}
fmt_time() { # SECONDS -> "6.31 s" or "212 ms"
  awk -v s="$1" 'BEGIN { if (s < 1) printf "%.0f ms", s * 1000; else if (s < 100) printf "%.2f s", s; else printf "%.0f s", s }'
}
rate() { # AMOUNT SECONDS UNIT -> "162 MiB/s"
  awk -v n="$1" -v s="$2" -v u="$3" 'BEGIN { r = n / s; printf (r < 10 ? "%.1f %s/s" : "%.0f %s/s"), r, u }'
}
ratio() { # EDFS RCLONE -> "0.69× (faster)"
  awk -v e="$1" -v r="$2" 'BEGIN { q = e / r; printf "%.2f× (%s)", q, q < 1 ? "faster" : (q > 1 ? "slower" : "same") }'
}
verdict() { # WHAT EDFS RCLONE -> one line
  awk -v w="$1" -v e="$2" -v r="$3" 'BEGIN {
    if (e < r) printf "- %s: edfs ahead, %.2f× faster than rclone crypt\n", w, r / e
    else if (e > r) printf "- %s: edfs behind, %.2f× slower than rclone crypt\n", w, e / r
    else printf "- %s: level\n", w }'
}
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
if [ $((size_mib % 1024)) -eq 0 ]; then size_label="$((size_mib / 1024)) GiB"; else size_label="$size_mib MiB"; fi
files_label=$(thousands "$files")

rows=()     # Markdown table rows
verdicts=() # one line per row
row() { rows+=("| $1 | $2 | $3 | $4 |"); }

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

# edfs: build and record the start-up cache now, outside any measurement.
say "preparing edfs (the first run builds it)..."
"$edfs" --version >/dev/null
edfs_version=$("$edfs" --version | head -1)

# edfs server on a free port, a throwaway user with its own EDFS_HOME.
say "starting the edfs server..."
"$edfs" server --data "$work/edfs-data" --port 0 >"$work/logs/edfs-server.log" 2>&1 &
edfs_pid=$!
edfs_port=
for _ in $(seq 300); do
  edfs_port=$(grep -m1 -o 'edfs server: listening on https://127\.0\.0\.1:[0-9]*' "$work/logs/edfs-server.log" | sed 's/.*://' || true)
  [ -n "$edfs_port" ] && break
  kill -0 "$edfs_pid" 2>/dev/null || { cat "$work/logs/edfs-server.log" >&2; die "the edfs server did not start"; }
  sleep 0.2
done
[ -n "$edfs_port" ] || { cat "$work/logs/edfs-server.log" >&2; die "the edfs server did not say where it listens"; }
export EDFS_HOME="$work/edfs-home" EDFS_SERVER="https://127.0.0.1:$edfs_port"
mkdir -m 700 "$EDFS_HOME"
EDFS_PASSWORD=$(head -c 24 /dev/urandom | base64) quiet edfs-signup "$edfs" signup benchuser

# rclone: webdav server on a free port, a webdav remote on it, a crypt remote on top.
say "starting rclone serve webdav..."
export RCLONE_CONFIG="$work/rclone.conf"
: >"$RCLONE_CONFIG"
chmod 600 "$RCLONE_CONFIG"
mkdir "$work/webdav"
rclone serve webdav --addr 127.0.0.1:0 "$work/webdav" >"$work/logs/rclone-serve.log" 2>&1 &
rclone_pid=$!
webdav_url=
for _ in $(seq 150); do
  webdav_url=$(grep -m1 -o 'http://127\.0\.0\.1:[0-9]*' "$work/logs/rclone-serve.log" || true)
  [ -n "$webdav_url" ] && break
  kill -0 "$rclone_pid" 2>/dev/null || { cat "$work/logs/rclone-serve.log" >&2; die "rclone serve webdav did not start"; }
  sleep 0.2
done
[ -n "$webdav_url" ] || { cat "$work/logs/rclone-serve.log" >&2; die "rclone serve webdav did not say where it listens"; }
cat >"$RCLONE_CONFIG" <<EOF
[bench-webdav]
type = webdav
url = $webdav_url/
vendor = other

[crypt]
type = crypt
remote = bench-webdav:
password = $(rclone obscure "$(head -c 24 /dev/urandom | base64)")
password2 = $(rclone obscure "$(head -c 24 /dev/urandom | base64)")
EOF
rclone_version=$(rclone version | head -1)

# Test data.
load_start=$(loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
if awk -v l="${load_start%% *}" -v n="$(nproc)" 'BEGIN { exit !(l + 0 > n / 2) }'; then
  say "the load average is $load_start on $(nproc) cores: other work will skew the figures"
fi
say "writing a $size_label file and $files_label files of 4 KiB..."
head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$work/big.bin"
mkdir "$work/small"
head -c $((files * 4096)) /dev/urandom | split -b 4096 -d -a 7 - "$work/small/f"
sync

# 1. Big upload.
say "$size_label upload: edfs..."
timed edfs-put "$edfs" put "$work/big.bin" /big.bin
e=$elapsed
sync
say "$size_label upload: rclone..."
timed rclone-copyto-up rclone copyto "$work/big.bin" crypt:big.bin
r=$elapsed
sync
row "$size_label upload (\`edfs put\` / \`rclone copyto\`)" "$(fmt_time "$e") ($(rate "$size_mib" "$e" MiB))" \
  "$(fmt_time "$r") ($(rate "$size_mib" "$r" MiB))" "$(ratio "$e" "$r")"
verdicts+=("$(verdict "$size_label upload" "$e" "$r")")

# 2. Big download (each output checked and removed before the next run).
say "$size_label download: edfs..."
timed edfs-get "$edfs" get /big.bin "$work/out.bin"
e=$elapsed
cmp -s "$work/big.bin" "$work/out.bin" || die "edfs get returned other bytes than were put"
rm -f "$work/out.bin"
sync
say "$size_label download: rclone..."
timed rclone-copyto-down rclone copyto crypt:big.bin "$work/out.bin"
r=$elapsed
cmp -s "$work/big.bin" "$work/out.bin" || die "rclone copyto returned other bytes than were copied"
rm -f "$work/out.bin"
sync
row "$size_label download (\`edfs get\` / \`rclone copyto\`)" "$(fmt_time "$e") ($(rate "$size_mib" "$e" MiB))" \
  "$(fmt_time "$r") ($(rate "$size_mib" "$r" MiB))" "$(ratio "$e" "$r")"
verdicts+=("$(verdict "$size_label download" "$e" "$r")")

# 3. Small files up, 8 at a time on both sides.
say "$files_label small files up: edfs..."
timed edfs-put-r "$edfs" put -r "$work/small" /small
e=$elapsed
sync
say "$files_label small files up: rclone..."
timed rclone-copy rclone copy "$work/small" crypt:small --transfers 8
r=$elapsed
sync
n=$("$edfs" ls /small | wc -l)
[ "$n" -eq "$files" ] || die "edfs ls /small lists $n entries, not $files"
n=$(rclone lsf crypt:small | wc -l)
[ "$n" -eq "$files" ] || die "rclone lsf crypt:small lists $n entries, not $files"
row "$files_label files of 4 KiB up (\`edfs put -r\` / \`rclone copy --transfers 8\`)" \
  "$(fmt_time "$e") ($(rate "$files" "$e" files))" "$(fmt_time "$r") ($(rate "$files" "$r" files))" "$(ratio "$e" "$r")"
verdicts+=("$(verdict "$files_label small files up" "$e" "$r")")

# 4. Listing them: hyperfine medians.
say "ls of $files_label entries (hyperfine)..."
bench ls "$(cmdline "$edfs" ls /small)" "$(cmdline rclone lsf crypt:small)"
e=${medians[0]}
r=${medians[1]}
row "\`ls\` of $files_label entries (\`edfs ls\` / \`rclone lsf\`), median of 5" "$(fmt_time "$e")" "$(fmt_time "$r")" "$(ratio "$e" "$r")"
verdicts+=("$(verdict "ls of $files_label entries" "$e" "$r")")

# 5. A second sync of the unchanged tree (the first, untimed, leaves whatever state a sync keeps).
say "second sync of the unchanged tree: rclone..."
quiet rclone-sync-1 rclone sync "$work/small" crypt:small
timed rclone-sync-2 rclone sync "$work/small" crypt:small
r=$elapsed
if "$edfs" help sync >/dev/null 2>&1; then
  say "second sync of the unchanged tree: edfs..."
  quiet edfs-sync-1 "$edfs" sync "$work/small" edfs:/small
  timed edfs-sync-2 "$edfs" sync "$work/small" edfs:/small
  e=$elapsed
  row "second sync of the unchanged tree (\`edfs sync\` / \`rclone sync\`)" "$(fmt_time "$e")" "$(fmt_time "$r")" "$(ratio "$e" "$r")"
  verdicts+=("$(verdict "second sync of the unchanged tree" "$e" "$r")")
else
  row "second sync of the unchanged tree (\`edfs sync\` / \`rclone sync\`)" "n/a" "$(fmt_time "$r")" "n/a (edfs sync not available)"
  verdicts+=("- second sync of the unchanged tree: n/a (edfs sync not available)")
fi

# 6. Short edfs commands: hyperfine medians.
say "short edfs commands (hyperfine)..."
bench short "$(cmdline "$edfs" whoami)" "$(cmdline "$edfs" --version)" "$(cmdline "$edfs" stat /big.bin)"
i=0
for what in "edfs whoami" "edfs --version" "edfs stat /big.bin"; do
  row "\`$what\`, median of 5" "$(fmt_time "${medians[$i]}")" "—" "—"
  verdicts+=("- $what: edfs only, nothing to compare")
  i=$((i + 1))
done

# Report.
load_end=$(loadavg)
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "## edfs vs rclone crypt"
echo
echo "- date: $started"
echo "- machine: $(nproc) cores${cpu:+, $cpu}${mem:+, $mem}, $(uname -sr); load average $load_start before, $load_end after"
echo "- $edfs_version (commit $commit), server on 127.0.0.1 with a fresh data folder"
echo "- $rclone_version, crypt remote over \`rclone serve webdav\` on 127.0.0.1; $(hyperfine --version)"
echo "- every command a fresh process; transfers and syncs timed once, rows marked \"median of 5\" by hyperfine after 1 warm-up; ratio = edfs time / rclone time"
echo
echo "| what | edfs | rclone crypt | ratio |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
printf '%s\n' "${verdicts[@]}"
